//! What the device does with answers it cannot use: a push answer it cannot read is an error that
//! is kept, shown and retried (never an event marked sent), and a batch central refuses as a whole
//! is split until the one event it refuses is found, so the rest is not held back forever.

use serde_json::json;
use storedesk_domain::Channel;
use storedesk_store::outbox::OutboxStatus;
use storedesk_tests::device::Device;
use storedesk_tests::fake_central::{FakeCentral, applied_with};

/// A device of store SH01 with two products and their stock counts (two `stock_adjusted` events
/// waiting) and a counter sale handed over (its `counter_sale` waiting).
fn device(central: &FakeCentral) -> Device {
    let device = Device::new("SH01", &central.url, "sdt_test");
    device
        .store
        .import_catalog_csv(
            &"test".into(),
            "sku,name,price,stock\nTEA,Tea,12.50,10\nCUP,Cup,3.00,10\n".as_bytes(),
            "catalog.csv",
        )
        .expect("catalog");
    let sale = device.order(Channel::Counter, &["TEA=1"]).expect("sale");
    device.pay(&sale.number);
    device.act(&sale.number, storedesk_domain::OrderEvent::HandOver).expect("hand over");
    device
}

fn statuses(device: &Device) -> Vec<(String, OutboxStatus, Option<String>)> {
    device
        .store
        .outbox(None, 100)
        .expect("outbox")
        .into_iter()
        .map(|e| (e.kind.to_string(), e.status, e.last_error))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_answer_the_device_cannot_read_leaves_the_event_pending_with_a_visible_error() {
    let central = FakeCentral::start(applied_with(json!({ "change_id": "soon" }))).await;
    let device = device(&central);
    let report = device.sync().await;
    assert!(!report.complete);
    let error = report.error.expect("the round says what went wrong");
    assert!(error.contains("could not be read"), "{error}");
    for (kind, status, last_error) in statuses(&device) {
        assert_eq!(status, OutboxStatus::Pending, "{kind} is not marked sent");
        assert!(last_error.is_some_and(|e| e.contains("could not be read")), "{kind} keeps the error");
    }
    let status = storedesk_sync::engine::status(&device.store).expect("status");
    assert!(!status.online);
    assert!(status.last_error.is_some_and(|e| e.contains("could not be read")), "sync status shows it");

    // An applied event without its result is not "applied" either.
    central.answer_with(Box::new(|events| {
        let results: Vec<_> =
            events.iter().map(|e| json!({ "event_id": e["event_id"], "status": "applied" })).collect();
        (200, json!({ "results": results }))
    }));
    device.sync().await;
    assert!(statuses(&device).iter().all(|(_, s, _)| *s == OutboxStatus::Pending));

    // Once central answers readably, the same events go through.
    central.answer_with(applied_with(json!({})));
    let report = device.sync().await;
    assert!(report.complete, "{report:?}");
    assert!(statuses(&device).iter().all(|(_, s, e)| *s == OutboxStatus::Sent && e.is_none()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_central_refuses_whole_is_split_and_only_the_event_it_refuses_dies() {
    // Central refuses (422) any request that carries the counter sale.
    let central = FakeCentral::start(Box::new(|events| {
        if events.iter().any(|e| e["kind"] == "counter_sale") {
            return (422, json!({ "code": "invalid_request", "message": "events[2].payload: no" }));
        }
        let results: Vec<_> = events
            .iter()
            .map(|e| json!({ "event_id": e["event_id"], "status": "applied", "result": {} }))
            .collect();
        (200, json!({ "results": results }))
    }))
    .await;
    let device = device(&central);
    let report = device.sync().await;
    let kinds = statuses(&device);
    assert_eq!(
        kinds.iter().map(|(k, s, _)| (k.as_str(), *s)).collect::<Vec<_>>(),
        vec![
            ("stock_adjusted", OutboxStatus::Sent),
            ("stock_adjusted", OutboxStatus::Sent),
            ("counter_sale", OutboxStatus::Dead),
        ],
        "{report:?}"
    );
    let reason = kinds[2].2.clone().unwrap_or_default();
    assert!(reason.contains("422") && reason.contains("events[2].payload: no"), "{reason}");
    // One batch of three, then one push per event: the refused one is not tried again.
    assert_eq!(*central.pushes.lock().expect("lock"), vec![3, 1, 1, 1]);
    device.sync().await;
    assert_eq!(central.pushes.lock().expect("lock").len(), 4, "nothing is pushed again");
}
