//! Device <-> central through real sync, on SQLite and on PostgreSQL: the saga end to end, the
//! oversell scenarios, central-platform orders, and a device killed in the middle of a sync.

use std::time::Duration;

use storedesk_central::service::conflicts;
use storedesk_domain::{Channel, OrderEvent, OrderStatus};
use storedesk_store::orders::Order;
use storedesk_store::outbox::OutboxStatus;
use storedesk_tests::central::{Backend, TestCentral};
use storedesk_tests::device::Device;
use storedesk_tests::proxy::{Plan, Proxy};

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::Backend::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(skip_postgres, ignore = "STOREDESK_SKIP_POSTGRES=1")]
            async fn $name() { super::$name(super::Backend::Postgres).await })*
        }
    };
}

on_both_backends!(
    a_fulfilment_order_is_reserved_confirmed_and_shipped,
    oversell_the_fulfilment_order_is_refused_and_put_on_hold,
    oversell_a_counter_sale_takes_reserved_stock_and_raises_a_conflict,
    central_platform_orders_arrive_ready_to_ship_and_ship_from_the_store,
    a_device_killed_after_central_applied_a_batch_replays_it_as_duplicates,
    offline_the_device_keeps_working_and_catches_up,
    back_online_the_engine_pushes_what_waited_at_once,
);

/// Places an order on the central platform for store `SH01`.
async fn central_order(
    central: &TestCentral,
    sku: &str,
    qty: i64,
) -> storedesk_protocol::api::AllocatedOrder {
    use storedesk_central::service::{orders, stores};
    let store = stores::store_by_code(&central.db, "SH01").await.expect("store");
    let input = orders::CentralOrderInput {
        lines: vec![orders::CentralLineInput { sku: sku.into(), qty }],
        customer: Some("web".into()),
    };
    orders::place(&central.db, &store, &input).await.expect("central order")
}

/// A store `SH01` with TEA (12.50) and CUP (3.00) in the catalog and `tea` units of TEA.
async fn set_up(backend: Backend, tea: i64) -> Option<(TestCentral, String)> {
    let central = TestCentral::start(backend).await?;
    let token = central.add_store("SH01").await;
    central.products(&[("TEA", "Tea 茶", 1250), ("CUP", "Cup", 300)]).await;
    central.receive("SH01", "TEA", tea).await;
    Some((central, token))
}

async fn a_fulfilment_order_is_reserved_confirmed_and_shipped(backend: Backend) {
    let Some((central, token)) = set_up(backend, 10).await else { return };
    let device = Device::new("SH01", &central.url, &token);
    device.sync_until_complete(3).await;
    assert_eq!(device.store.product("TEA").expect("catalog arrived").name, "Tea 茶");
    assert_eq!(device.level("TEA"), (10, 0), "central's stock arrived");

    let order = device.order(Channel::Fulfilment, &["TEA=3"]).expect("place");
    device.pay(&order.number);
    device.sync_until_complete(3).await;
    let ready = device.store.order(&order.number).expect("order").order;
    assert_eq!(ready.status, OrderStatus::ReadyToShip, "central's acceptance confirmed the paid order");
    assert_eq!(central.level("SH01", "TEA").await, (10, 3));
    assert_eq!(device.level("TEA"), (10, 3));

    device.act(&order.number, OrderEvent::Ship).expect("ship");
    device.sync_until_complete(3).await;
    assert_eq!(central.level("SH01", "TEA").await, (7, 0));
    assert_eq!(device.level("TEA"), (7, 0));
    assert!(device.store.audit_stock().expect("audit").is_empty());
    central.stop().await;
}

async fn oversell_the_fulfilment_order_is_refused_and_put_on_hold(backend: Backend) {
    let Some((central, token)) = set_up(backend, 5).await else { return };
    let device = Device::new("SH01", &central.url, &token);
    device.sync_until_complete(3).await;
    // Central sells 3 online while the store is offline (the device has not pulled it yet).
    central_order(&central, "TEA", 3).await;
    // Offline: 2 at the counter, and a fulfilment order for 2.
    let sale = device.order(Channel::Counter, &["TEA=2"]).expect("counter order");
    device.pay(&sale.number);
    device.act(&sale.number, OrderEvent::HandOver).expect("hand over");
    let parcel = device.order(Channel::Fulfilment, &["TEA=2"]).expect("fulfilment order (locally 3 left)");
    device.pay(&parcel.number);
    assert_eq!(device.level("TEA"), (3, 2));

    device.sync_until_complete(3).await;
    let held = device.store.order(&parcel.number).expect("order").order;
    assert_eq!(held.status, OrderStatus::OnHold);
    assert!(
        held.hold_reason
            .as_deref()
            .is_some_and(|r| r.contains("insufficient_stock") || r.contains("not enough stock")),
        "{:?}",
        held.hold_reason
    );
    let items = device.store.attention_items(true).expect("attention");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].kind, "reservation_rejected");
    assert_eq!(items[0].order_number.as_deref(), Some(parcel.number.as_str()));
    let shortages = items[0].detail.as_ref().map(|d| d["shortages"].clone());
    assert_eq!(shortages, Some(serde_json::json!([{"sku": "TEA", "requested": 2, "available": 0}])));
    // The counter sale was applied; the local reservation was released; central never went negative.
    let (on_hand, reserved) = central.level("SH01", "TEA").await;
    assert_eq!((on_hand, reserved), (3, 3));
    assert!(on_hand - reserved >= 0);
    assert_eq!(device.level("TEA"), (3, 3), "the device's view is central's");
    assert_eq!(device.store.outbox_stats().expect("stats").pending, 0);

    // The operator resolves it by cancelling: the item closes, central hears of it.
    device.act(&parcel.number, OrderEvent::Cancel).expect("cancel");
    assert!(device.store.attention_items(true).expect("attention").is_empty());
    device.sync_until_complete(3).await;
    assert_eq!(central.level("SH01", "TEA").await, (3, 3));
    assert!(device.store.audit_stock().expect("audit").is_empty());
    central.stop().await;
}

async fn oversell_a_counter_sale_takes_reserved_stock_and_raises_a_conflict(backend: Backend) {
    let Some((central, token)) = set_up(backend, 5).await else { return };
    let device = Device::new("SH01", &central.url, &token);
    device.sync_until_complete(3).await;
    let store = storedesk_central::service::stores::store_by_code(&central.db, "SH01").await.expect("store");
    let web = central_order(&central, "TEA", 3).await;
    let sale = device.order(Channel::Counter, &["TEA=4"]).expect("counter order");
    device.pay(&sale.number);
    device.act(&sale.number, OrderEvent::HandOver).expect("hand over");

    device.sync_until_complete(3).await;
    let conflicts = conflicts::list(&central.db, Some(&store)).await.expect("conflicts");
    assert_eq!(conflicts.len(), 1);
    assert_eq!((conflicts[0].order_number.as_str(), conflicts[0].shortfall), (web.number.as_str(), 2));
    let held = device.store.order(&web.number).expect("the central order reached the store").order;
    assert_eq!(held.status, OrderStatus::OnHold, "the conflict reached the store");
    let items = device.store.attention_items(true).expect("attention");
    assert!(
        items.iter().any(|i| i.kind == "conflict" && i.order_number.as_deref() == Some(web.number.as_str())),
        "{items:?}"
    );
    assert_eq!(central.level("SH01", "TEA").await, (1, 0), "the sale applied; the allocation was released");
    assert_eq!(device.level("TEA"), (1, 0));
    central.stop().await;
}

async fn central_platform_orders_arrive_ready_to_ship_and_ship_from_the_store(backend: Backend) {
    let Some((central, token)) = set_up(backend, 8).await else { return };
    let device = Device::new("SH01", &central.url, &token);
    let web = central_order(&central, "TEA", 2).await;
    device.sync_until_complete(3).await;
    let order = device.store.order(&web.number).expect("arrived").order;
    assert_eq!((order.channel, order.status), (Channel::Fulfilment, OrderStatus::ReadyToShip));
    assert_eq!(device.level("TEA"), (8, 2));
    device.act(&web.number, OrderEvent::Ship).expect("ship");
    device.sync_until_complete(3).await;
    assert_eq!(central.level("SH01", "TEA").await, (6, 0));
    assert_eq!(device.level("TEA"), (6, 0));
    central.stop().await;
}

async fn a_device_killed_after_central_applied_a_batch_replays_it_as_duplicates(backend: Backend) {
    let Some((central, token)) = set_up(backend, 50).await else { return };
    let proxy = Proxy::start(central.address, Plan::Pass).await;
    let mut device = Device::new("SH01", &proxy.url, &token);
    device.sync_until_complete(3).await;
    let mut numbers = Vec::new();
    for _ in 0..5 {
        let order = device.order(Channel::Counter, &["TEA=1"]).expect("order");
        device.pay(&order.number);
        device.act(&order.number, OrderEvent::HandOver).expect("hand over");
        numbers.push(order.number);
    }
    let parcel = device.order(Channel::Fulfilment, &["TEA=4"]).expect("order");
    device.pay(&parcel.number);
    let events = device.store.outbox(Some(OutboxStatus::Pending), 100).expect("outbox").len();

    // The child pushes through the proxy; central applies the batch; the answer is held, and the
    // child is killed before it can record it.
    proxy.set_plan(Plan::HoldAfterForward { path: "/v1/events" });
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sync-child"))
        .arg(device.dir.path())
        .arg(&proxy.url)
        .spawn()
        .expect("spawn sync child");
    tokio::time::timeout(Duration::from_secs(30), proxy.held.notified()).await.expect("the child pushed");
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("wait");
    assert!(status.code().is_none(), "the child was killed, not finished");
    assert_eq!(central.level("SH01", "TEA").await, (45, 4), "central applied the batch");

    // Restart: the same events go again and come back as duplicates; nothing is applied twice.
    device.reopen(&proxy.url, &token);
    assert_eq!(
        device.store.outbox(Some(OutboxStatus::Pending), 100).expect("outbox").len(),
        events,
        "nothing was recorded before the kill"
    );
    proxy.set_plan(Plan::Pass);
    device.sync_until_complete(3).await;
    let sent = device.store.outbox(Some(OutboxStatus::Sent), 100).expect("outbox");
    assert!(sent.iter().filter(|e| e.aggregate.starts_with("order:")).all(|e| e.result.is_some()));
    assert_eq!(central.level("SH01", "TEA").await, (45, 4), "nothing applied twice");
    assert_eq!(device.level("TEA"), (45, 4));
    assert_eq!(device.store.order(&parcel.number).expect("order").order.status, OrderStatus::ReadyToShip);
    let inbox: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM inbox").fetch_one(central.db.reader()).await.expect("count");
    assert_eq!(inbox as usize, events, "each event id once in central's inbox");
    central.stop().await;
}

/// A device synced with central, then central down and a fulfilment order taken and paid offline.
async fn an_order_paid_while_central_is_down(backend: Backend) -> Option<(TestCentral, Device, Order)> {
    let (mut central, token) = set_up(backend, 10).await?;
    let device = Device::new("SH01", &central.url, &token);
    device.sync_until_complete(3).await;
    central.shutdown().await;
    let order = device.order(Channel::Fulfilment, &["TEA=2"]).expect("offline order");
    device.pay(&order.number);
    Some((central, device, order))
}

async fn offline_the_device_keeps_working_and_catches_up(backend: Backend) {
    let Some((mut central, device, order)) = an_order_paid_while_central_is_down(backend).await else {
        return;
    };
    let report = device.sync().await;
    assert!(!report.complete && report.error.is_some(), "{report:?}");
    let status = storedesk_sync::engine::status(&device.store).expect("status");
    assert!(!status.online);
    assert_eq!(status.pending, 2);
    assert!(status.last_error.is_some());
    central.restart().await;
    device.sync_until_complete(3).await;
    let status = storedesk_sync::engine::status(&device.store).expect("status");
    assert!(status.online && status.pending == 0, "{status:?}");
    assert_eq!(device.store.order(&order.number).expect("order").order.status, OrderStatus::ReadyToShip);
    central.stop().await;
}

async fn back_online_the_engine_pushes_what_waited_at_once(backend: Backend) {
    let Some((mut central, device, order)) = an_order_paid_while_central_is_down(backend).await else {
        return;
    };
    assert!(device.sync().await.error.is_some());
    // A long outage: the events' backoff now reaches ten minutes ahead.
    let db = rusqlite::Connection::open(device.dir.path().join("storedesk.db")).expect("open db");
    let later = jiff_now_ms() + 600_000;
    let waiting = db
        .execute("UPDATE outbox SET next_attempt_at = ?1 WHERE status = 'pending'", [later])
        .expect("push backoff");
    assert_eq!(waiting, 2);
    central.restart().await;

    let (stop, stopped) = tokio::sync::watch::channel(false);
    let watch = async {
        let mut status = OrderStatus::Paid;
        for _ in 0..100 {
            status = device.store.order(&order.number).expect("order").order.status;
            if status == OrderStatus::ReadyToShip {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = stop.send(true);
        status
    };
    let (ran, status) = tokio::join!(device.engine.run(stopped), watch);
    ran.expect("engine");
    assert_eq!(status, OrderStatus::ReadyToShip, "the order waited for its backoff instead of syncing");
    central.stop().await;
}

fn jiff_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}
