//! Three devices of two stores place, pay, ship and cancel more than 1,000 orders through a proxy
//! that drops connections, delays, answers 502/503/429, resets in mid-answer, truncates bodies,
//! delivers requests twice and loses answers after central applied them. At the end every event
//! was applied exactly once at central, central's stock is what the events imply, each device's
//! stock view equals central's for its store, and nothing is pending. On SQLite and PostgreSQL.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use storedesk_domain::{Channel, OrderEvent, OrderStatus};
use storedesk_store::orders::OrderFilter;
use storedesk_store::outbox::OutboxStatus;
use storedesk_tests::central::{Backend, TestCentral};
use storedesk_tests::device::Device;
use storedesk_tests::proxy::{FAULTS, Plan, Proxy};

const ORDERS_PER_DEVICE: usize = 350;
const PER_ROUND: usize = 25;
const SKUS: [&str; 3] = ["TEA", "CUP", "POT"];
const RECEIVED: i64 = 100_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_once_through_a_faulty_network_on_sqlite() {
    run(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(skip_postgres, ignore = "STOREDESK_SKIP_POSTGRES=1")]
async fn exactly_once_through_a_faulty_network_on_postgres() {
    run(Backend::Postgres).await;
}

/// Takes one device through its orders, syncing after every few, until all are settled.
async fn work(device: Arc<Device>, seed: u64) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut placed = 0;
    for _ in 0..1000 {
        for _ in 0..PER_ROUND.min(ORDERS_PER_DEVICE - placed) {
            let sku = SKUS[rng.usize(..SKUS.len())];
            let line = format!("{sku}={}", rng.i64(1..4));
            let channel = if rng.bool() { Channel::Counter } else { Channel::Fulfilment };
            let order = device.order(channel, &[&line]).expect("place");
            placed += 1;
            match (channel, rng.u8(..10)) {
                (_, 0) => {
                    device.act(&order.number, OrderEvent::Cancel).expect("cancel unpaid");
                }
                (Channel::Counter, _) => {
                    device.pay(&order.number);
                    device.act(&order.number, OrderEvent::HandOver).expect("hand over");
                }
                (Channel::Fulfilment, _) => {
                    device.pay(&order.number);
                }
            }
        }
        // Ship (or now and then cancel) what central confirmed.
        let ready = device
            .store
            .orders(&OrderFilter {
                status: Some(OrderStatus::ReadyToShip),
                limit: 10_000,
                ..OrderFilter::default()
            })
            .expect("orders");
        for order in ready {
            let event = if rng.u8(..8) == 0 { OrderEvent::Cancel } else { OrderEvent::Ship };
            device.act(&order.number, event).expect("ship or cancel");
        }
        let report = device.sync().await;
        let open = device
            .store
            .orders(&OrderFilter { status: Some(OrderStatus::Paid), limit: 1, ..OrderFilter::default() })
            .expect("orders");
        if placed == ORDERS_PER_DEVICE && report.complete && open.is_empty() {
            let ready = device
                .store
                .orders(&OrderFilter {
                    status: Some(OrderStatus::ReadyToShip),
                    limit: 1,
                    ..OrderFilter::default()
                })
                .expect("orders");
            if ready.is_empty() {
                return;
            }
        }
    }
    let pending: Vec<String> = device
        .store
        .outbox(Some(OutboxStatus::Pending), 20)
        .expect("outbox")
        .iter()
        .map(|e| format!("{} #{} {}: {:?}", e.aggregate, e.aggregate_seq, e.kind, e.last_error))
        .collect();
    let report = device.sync().await;
    panic!("device did not settle: {report:?}; pending: {pending:#?}");
}

async fn run(backend: Backend) {
    let Some(central) = TestCentral::start(backend).await else { return };
    let tokens = [central.add_store("AA").await, central.add_store("BB").await];
    central.products(&[("TEA", "Tea", 1250), ("CUP", "Cup", 300), ("POT", "Pot", 9900)]).await;
    for store in ["AA", "BB"] {
        for sku in SKUS {
            central.receive(store, sku, RECEIVED).await;
        }
    }
    let proxy = Proxy::start(central.address, Plan::Random { rate: 0.3 }).await;
    let device = |code: &str, token: &str| {
        Arc::new(Device::new(code, &proxy.url, token).with_batches_of(25, &proxy.url, token))
    };
    let devices: Vec<(&str, Arc<Device>)> = vec![
        ("AA", device("AA", &tokens[0])),
        ("AA", device("AA", &tokens[0])),
        ("BB", device("BB", &tokens[1])),
    ];
    for (_, device) in &devices {
        device.sync_until_complete(50).await;
    }
    let tasks: Vec<_> =
        devices.iter().enumerate().map(|(i, (_, d))| tokio::spawn(work(d.clone(), 7 + i as u64))).collect();
    for task in tasks {
        task.await.expect("device task");
    }
    // Everyone pulls what the others pushed (still through the faults).
    for (_, device) in &devices {
        device.sync_until_complete(50).await;
    }

    let counts = proxy.counts();
    for fault in FAULTS {
        assert!(
            counts.get(&fault).copied().unwrap_or(0) > 0,
            "the proxy never injected {fault:?}: {counts:?}"
        );
    }

    // Exactly once: every device event is in central's inbox once, and nothing else is.
    let mut device_events = BTreeSet::new();
    let mut orders = 0;
    for (_, device) in &devices {
        let stats = device.store.outbox_stats().expect("stats");
        assert_eq!((stats.pending, stats.dead), (0, 0), "nothing pending or dead");
        for event in device.store.outbox(None, 1_000_000).expect("outbox") {
            assert_eq!(event.status, OutboxStatus::Sent);
            assert!(device_events.insert(event.event_id.to_string()));
        }
        orders += device
            .store
            .orders(&OrderFilter { limit: 1_000_000, ..OrderFilter::default() })
            .expect("orders")
            .len();
    }
    assert!(orders >= 1_000, "{orders} orders");
    let inbox: Vec<String> =
        sqlx::query_scalar("SELECT event_id FROM inbox").fetch_all(central.db.reader()).await.expect("inbox");
    assert_eq!(inbox.len(), device_events.len(), "central's inbox holds each event once");
    assert_eq!(inbox.into_iter().collect::<BTreeSet<_>>(), device_events);

    // Central's stock is what the orders imply; each device sees exactly central's stock.
    let mut expected: BTreeMap<(&str, &str), (i64, i64)> = BTreeMap::new();
    for store in ["AA", "BB"] {
        for sku in SKUS {
            expected.insert((store, sku), (RECEIVED, 0));
        }
    }
    for (store, device) in &devices {
        for order in
            device.store.orders(&OrderFilter { limit: 1_000_000, ..OrderFilter::default() }).expect("orders")
        {
            for line in &order.lines {
                let (on_hand, reserved) = expected
                    .get_mut(&(*store, SKUS.iter().find(|s| **s == line.sku).copied().unwrap_or("?")))
                    .expect("sku");
                match (order.channel, order.status) {
                    (Channel::Counter, OrderStatus::Delivered)
                    | (Channel::Fulfilment, OrderStatus::Shipped) => *on_hand -= line.qty,
                    (Channel::Fulfilment, OrderStatus::ReadyToShip) => *reserved += line.qty,
                    _ => {}
                }
            }
        }
    }
    for ((store, sku), want) in &expected {
        assert_eq!(central.level(store, sku).await, *want, "central's {sku} at {store}");
    }
    for (store, device) in &devices {
        for sku in SKUS {
            assert_eq!(
                device.level(sku),
                central.level(store, sku).await,
                "a device of {store} sees central's {sku}"
            );
        }
        assert!(device.store.audit_stock().expect("audit").is_empty());
    }
    eprintln!("{orders} orders, {} events, faults: {counts:?}", device_events.len());
    central.stop().await;
}
