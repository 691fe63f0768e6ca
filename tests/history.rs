//! Years of history: a new till reads the snapshot (the newest entry of every thing), not the
//! whole feed; compaction removes what newer entries superseded, and a till whose cursor it passed
//! is told so, reads the snapshot and loses nothing it did offline; the inbox's answers are
//! trimmed, and a replay of an event applied long ago is still a duplicate, never applied again.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use storedesk_central::service::feed::compact::compact;
use storedesk_domain::{Channel, OrderEvent};
use storedesk_tests::api::{adjusted, counter_sale, http, push};
use storedesk_tests::central::{Backend, TestCentral};
use storedesk_tests::device::Device;

/// 40 products, then every price changed `times` more times: the history is (times + 1)x the state.
async fn catalog_with_history(central: &TestCentral, times: i64) {
    for round in 0..=times {
        let products: Vec<(String, String, i64)> = (0..40)
            .map(|i| (format!("SKU-{i:02}"), format!("Product {i}"), 100 + i + round * 1000))
            .collect();
        let refs: Vec<(&str, &str, i64)> =
            products.iter().map(|(s, n, p)| (s.as_str(), n.as_str(), *p)).collect();
        central.products(&refs).await;
    }
}

fn price(device: &Device, sku: &str) -> i64 {
    device.store.product(sku).expect("product").price_minor
}

#[tokio::test]
async fn a_new_till_reads_the_state_not_the_history() {
    let central = TestCentral::start(Backend::Sqlite).await.expect("central");
    let token = central.add_store("AA").await;
    catalog_with_history(&central, 10).await;
    central.receive("AA", "SKU-01", 7).await;
    let device = Device::connected("AA", &central.url, &token).await;
    let report = device.sync_until_complete(5).await;
    // 40 products at their latest version and one stock snapshot — not the 440 entries of history.
    assert_eq!(report.pulled, 41, "{report:?}");
    assert_eq!(price(&device, "SKU-07"), 107 + 10_000);
    assert_eq!(device.level("SKU-01"), (7, 0));
    // It follows the feed from there.
    central.products(&[("SKU-07", "Product 7", 555)]).await;
    device.sync_until_complete(5).await;
    assert_eq!(price(&device, "SKU-07"), 555);
    central.stop().await;
}

#[tokio::test]
async fn a_till_offline_past_the_window_reads_the_snapshot_and_loses_nothing() {
    let central = TestCentral::start(Backend::Sqlite).await.expect("central");
    let t1 = central.add_store("AA").await;
    let t2 = central.add_till("AA").await.token;
    central.products(&[("TEA", "Tea", 1250), ("CUP", "Cup", 300)]).await;
    central.receive("AA", "TEA", 50).await;
    let a = Device::connected("AA", &central.url, &t1).await;
    let b = Device::connected("AA", &central.url, &t2).await;
    a.sync_until_complete(5).await;
    b.sync_until_complete(5).await;

    // T2 goes offline and sells; meanwhile T1 sells, prices change and stock arrives.
    let offline = b.order(Channel::Counter, &["TEA=2"]).expect("place");
    b.pay(&offline.number);
    b.act(&offline.number, OrderEvent::HandOver).expect("hand over");
    let parcel = b.order(Channel::Fulfilment, &["TEA=1"]).expect("place");
    for price in [1300, 1350, 1400] {
        central.products(&[("TEA", "Tea", price), ("CUP", "Cup", price / 4)]).await;
    }
    let sale = a.order(Channel::Counter, &["TEA=3"]).expect("place");
    a.pay(&sale.number);
    a.act(&sale.number, OrderEvent::HandOver).expect("hand over");
    a.sync_until_complete(5).await;
    central.receive("AA", "CUP", 9).await;

    // The window passes: what newer entries superseded is removed, past T2's cursor.
    let cursor = b.store.feed_cursor().expect("cursor");
    let done = compact(&central.db, Duration::ZERO).await.expect("compact");
    assert!(done.feed_entries > 0 && done.floor > cursor, "{done:?} (T2 at {cursor})");
    let old = http()
        .get(format!("{}/v1/changes?after={cursor}", central.url))
        .bearer_auth(&t2)
        .send()
        .await
        .expect("changes");
    assert_eq!(old.status(), StatusCode::GONE);
    assert_eq!(old.json::<Value>().await.expect("json")["code"], "cursor_too_old");

    // T2 comes back: it pushes what it did offline, reads the snapshot, and agrees with central.
    let report = b.sync_until_complete(5).await;
    assert!(report.error.is_none(), "{report:?}");
    a.sync_until_complete(5).await;
    assert_eq!(central.level("AA", "TEA").await, (50 - 2 - 3, 1), "T2's sale and reservation counted once");
    for device in [&a, &b] {
        assert_eq!(device.level("TEA"), (45, 1), "till {}", device.till());
        assert_eq!(device.level("CUP"), (9, 0), "till {}", device.till());
        assert_eq!(price(device, "TEA"), 1400);
        let stats = device.store.outbox_stats().expect("stats");
        assert_eq!((stats.pending, stats.dead), (0, 0), "till {}", device.till());
        assert!(device.store.audit_stock().expect("audit").is_empty());
        for number in [&offline.number, &parcel.number, &sale.number] {
            device.store.order(number).expect("every till has every order");
        }
    }
    assert!(b.store.sync_value("preparing").expect("progress").unwrap_or_default().is_empty());
    central.stop().await;
}

#[tokio::test]
async fn replays_of_events_whose_answers_were_trimmed_are_duplicates() {
    let central = TestCentral::start(Backend::Sqlite).await.expect("central");
    let token = central.add_store("AA").await;
    central.products(&[("TEA", "Tea", 1250)]).await;
    central.receive("AA", "TEA", 100).await;
    let client = http();
    let events =
        vec![counter_sale("TEA", 2), adjusted("TEA", json!(5), "receipt", 1), counter_sale("TEA", 1)];
    let first = push(&client, &central, &token, &json!({ "events": events })).await;
    assert!(
        first["results"].as_array().expect("results").iter().all(|r| r["status"] == "applied"),
        "{first}"
    );
    assert_eq!(central.level("AA", "TEA").await, (102, 0));

    let done = compact(&central.db, Duration::ZERO).await.expect("compact");
    assert_eq!(done.inbox_answers, 3, "{done:?}");
    let stored: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM inbox").fetch_one(central.db.reader()).await.expect("n");
    assert_eq!(stored, 0);

    // The same events again, long after: duplicates, nothing applied twice.
    let again = push(&client, &central, &token, &json!({ "events": events })).await;
    for result in again["results"].as_array().expect("results") {
        assert_eq!(result["status"], "duplicate", "{again}");
    }
    assert_eq!(central.level("AA", "TEA").await, (102, 0));
    // The aggregate goes on after its head.
    let next =
        push(&client, &central, &token, &json!({ "events": [adjusted("TEA", json!(1), "receipt", 2)] }))
            .await;
    assert_eq!(next["results"][0]["status"], "applied", "{next}");
    assert_eq!(central.level("AA", "TEA").await, (103, 0));
    central.stop().await;
}

#[tokio::test]
async fn a_replaced_till_gets_its_orders_back_and_never_repeats_a_number() {
    use storedesk_domain::AdjustReason;
    let central = TestCentral::start(Backend::Sqlite).await.expect("central");
    central.add_store("AA").await;
    let t2 = central.add_till("AA").await.token;
    central.products(&[("TEA", "Tea", 1250)]).await;
    central.receive("AA", "TEA", 30).await;
    let old = Device::connected("AA", &central.url, &t2).await;
    old.sync_until_complete(5).await;
    let mut numbers = Vec::new();
    for _ in 0..2 {
        let sale = old.order(Channel::Counter, &["TEA=1"]).expect("place");
        old.pay(&sale.number);
        old.act(&sale.number, OrderEvent::HandOver).expect("hand over");
        numbers.push(sale.number);
    }
    old.store.adjust_stock(&"test".into(), "TEA", 4, AdjustReason::Receipt, None).expect("adjust");
    old.store.adjust_stock(&"test".into(), "TEA", -1, AdjustReason::Damage, None).expect("adjust");
    let parcel = old.order(Channel::Fulfilment, &["TEA=2"]).expect("place");
    old.pay(&parcel.number);
    old.sync_until_complete(5).await;
    drop(old); // the disk dies

    let store = storedesk_central::service::stores::store_by_code(&central.db, "AA").await.expect("store");
    let again =
        storedesk_central::service::tills::replace_till(&central.db, &store, "T2").await.expect("replace");
    let refused =
        http().get(format!("{}/v1/changes", central.url)).bearer_auth(&t2).send().await.expect("old token");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "the old token is revoked");

    // The new machine claims T2 (the old machine's claim was forgotten) and fills itself.
    let new = Device::connected("AA", &central.url, &again.token).await;
    assert_eq!(new.till(), "T2");
    new.sync_until_complete(5).await;
    for number in numbers.iter().chain([&parcel.number]) {
        new.store.order(number).expect("its orders came back");
    }
    // It goes on: the next number, the next adjustment of TEA, the next step of its old order.
    let sale = new.order(Channel::Counter, &["TEA=1"]).expect("place");
    assert!(sale.number.ends_with("-0004"), "{} after {numbers:?} and {}", sale.number, parcel.number);
    new.store.adjust_stock(&"test".into(), "TEA", 2, AdjustReason::Receipt, None).expect("adjust");
    new.act(&parcel.number, OrderEvent::Cancel).expect("cancel");
    new.pay(&sale.number);
    new.act(&sale.number, OrderEvent::HandOver).expect("hand over");
    let report = new.sync_until_complete(5).await;
    assert!(report.error.is_none(), "{report:?}");
    let stats = new.store.outbox_stats().expect("stats");
    assert_eq!((stats.pending, stats.dead), (0, 0), "every event of the new machine applied");
    // 30 received, 3 sold, +4 -1 +2 adjusted; the parcel's reservation released.
    assert_eq!(central.level("AA", "TEA").await, (32, 0));
    assert_eq!(new.level("TEA"), (32, 0));
    central.stop().await;
}
