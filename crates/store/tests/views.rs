//! What the app's screens read: the orders list's filters and pages, the dashboard's figures,
//! low stock by threshold, and the demo/benchmark history reading back like real orders.

mod common;

use common::*;
use storedesk_domain::{Channel, OrderEvent, OrderStatus, PaymentMethod};
use storedesk_store::orders::{NewOrder, OrderAction, PaymentInput};
use storedesk_store::views::OrderQuery;

fn numbers(store: &storedesk_store::Store, query: &OrderQuery) -> (i64, Vec<String>) {
    let page = store.order_page(query, 0, 100).expect("page");
    (page.total, page.rows.into_iter().map(|r| r.number).collect())
}

#[test]
fn the_orders_list_filters_by_status_channel_date_and_search() {
    let (_dir, store) = store();
    let counter = place(&store, Channel::Counter, &["TEA=1"]);
    let fulfilment = store
        .place_order(NewOrder {
            channel: Channel::Fulfilment,
            lines: lines(&["CUP=2"]),
            customer: Some("Wang Fang 王芳".into()),
            actor: "test".into(),
        })
        .expect("place");
    store
        .pay(&counter.number, PaymentInput { method: PaymentMethod::Cash, amount_minor: None }, "t")
        .expect("pay");

    let all = OrderQuery::default();
    // Newest first.
    assert_eq!(numbers(&store, &all), (2, vec![fulfilment.number.clone(), counter.number.clone()]));
    let paid = OrderQuery { status: Some(OrderStatus::Paid), ..Default::default() };
    assert_eq!(numbers(&store, &paid), (1, vec![counter.number.clone()]));
    let online = OrderQuery { channel: Some(Channel::Fulfilment), ..Default::default() };
    assert_eq!(numbers(&store, &online).1, vec![fulfilment.number.clone()]);

    let search =
        |text: &str| numbers(&store, &OrderQuery { search: Some(text.into()), ..Default::default() });
    assert_eq!(search("王芳").1, vec![fulfilment.number.clone()], "customer, part of the name");
    assert_eq!(search("wang").1, vec![fulfilment.number.clone()], "customer, any case");
    assert_eq!(search("TEA").1, vec![counter.number.clone()], "SKU on a line");
    assert_eq!(search("tea").1, vec![counter.number.clone()], "SKU typed in lower case");
    assert_eq!(search("ang F").1, vec![fulfilment.number.clone()], "customer, any part");
    assert_eq!(search("\"x").0, 0, "quotes are text, not search syntax");
    assert_eq!(search(&counter.number.to_lowercase()).1, vec![counter.number.clone()], "number");
    assert_eq!(search("T1-").0, 2, "number prefix");
    assert_eq!(search("100%_").0, 0, "LIKE wildcards are taken literally");

    let now = jiff::Timestamp::now().as_millisecond() as f64;
    let future = OrderQuery { from_ms: Some(now + 60_000.0), ..Default::default() };
    assert_eq!(numbers(&store, &future).0, 0);
    let until_now =
        OrderQuery { from_ms: Some(now - 60_000.0), to_ms: Some(now + 1.0), ..Default::default() };
    assert_eq!(numbers(&store, &until_now).0, 2);
}

#[test]
fn pages_read_the_list_in_order_to_its_last_row() {
    let (_dir, store) = store();
    storedesk_dev::seed::seed_orders(&store, 250, 30).expect("seed");
    let all = OrderQuery::default();
    let first = store.order_page(&all, 0, 100).expect("first");
    let last = store.order_page(&all, 200, 100).expect("last");
    assert_eq!((first.total, first.rows.len(), last.rows.len(), last.offset), (250, 100, 50, 200));
    // Seeded numbers count up with time; the list is newest first.
    assert_eq!(first.rows[0].number, "T1-S0000250");
    assert_eq!(last.rows[49].number, "T1-S0000001");
    // Past the middle the page is read from the other end; the rows are the same.
    let middle = store.order_page(&all, 130, 10).expect("middle");
    let expected: Vec<String> = (111..=120).rev().map(|n| format!("T1-S{n:07}")).collect();
    assert_eq!(middle.rows.iter().map(|r| r.number.clone()).collect::<Vec<_>>(), expected);
    let tail = store.order_page(&all, 245, 100).expect("tail");
    assert_eq!(tail.rows.len(), 5);
    let beyond = store.order_page(&all, 10_000, 100).expect("beyond");
    assert!(beyond.rows.is_empty() && beyond.total == 250);
}

#[test]
fn seeded_history_reads_back_like_orders_taken_through_the_state_machine() {
    let (_dir, store) = store();
    storedesk_dev::seed::seed_orders(&store, 60, 30).expect("seed");
    for row in store.order_page(&OrderQuery::default(), 0, 100).expect("page").rows {
        let detail = store.order(&row.number).expect("an order's detail reads back");
        let last = detail.timeline.last().expect("timeline");
        assert_eq!(last.to, detail.order.status, "{}: the timeline ends at the status", row.number);
        for pair in detail.timeline.windows(2) {
            assert_eq!(pair[1].from, Some(pair[0].to), "{}: steps chain", row.number);
        }
        assert!(matches!(
            detail.order.status,
            OrderStatus::Delivered | OrderStatus::Shipped | OrderStatus::Cancelled | OrderStatus::Refunded
        ));
    }
}

#[test]
fn the_dashboard_counts_today_and_flags_low_stock_by_threshold() {
    let (_dir, store) = store();
    let before = store.dashboard(None).expect("dashboard");
    assert_eq!((before.orders_today, before.revenue_today_minor), (0, 0));
    assert_eq!(before.stock.on_hand, 16);
    assert_eq!(before.stock.value_minor, 10 * 1250 + 5 * 300 + 9999);
    // Default threshold 5: CUP (5) and POT (1) are low.
    let low: Vec<String> = before.low_stock.iter().map(|r| r.sku.clone()).collect();
    assert_eq!(low, vec!["POT", "CUP"]);

    let order = place(&store, Channel::Counter, &["TEA=2"]);
    store
        .pay(&order.number, PaymentInput { method: PaymentMethod::Card, amount_minor: None }, "t")
        .expect("pay");
    store.apply(&order.number, OrderAction::new(OrderEvent::HandOver, "t")).expect("hand over");
    let sale = &store.ledger("TEA", 10).expect("ledger")[0];
    assert_eq!((sale.delta_on_hand, sale.order_number.as_deref()), (-2, Some(order.number.as_str())));
    place(&store, Channel::Fulfilment, &["CUP=1"]);
    let after = store.dashboard(None).expect("dashboard");
    assert_eq!(after.orders_today, 2);
    assert_eq!(after.revenue_today_minor, 2 * 1250);
    let count = |s: OrderStatus| after.today_by_status.iter().find(|c| c.status == s).map_or(0, |c| c.count);
    assert_eq!((count(OrderStatus::Delivered), count(OrderStatus::Created)), (1, 1));
    assert_eq!(after.orders_per_minute.len(), 60);
    assert_eq!(after.orders_per_minute.iter().map(|m| m.orders).sum::<i64>(), 2);
    assert_eq!((after.stock.on_hand, after.stock.reserved), (14, 1));

    // A product's own threshold wins over the store's.
    store.set_product_threshold("TEA", Some(8)).expect("threshold");
    store.set_low_stock_threshold(0).expect("store threshold");
    let low: Vec<String> =
        store.dashboard(None).expect("dashboard").low_stock.iter().map(|r| r.sku.clone()).collect();
    assert_eq!(low, vec!["TEA"]);
    assert!(store.set_product_threshold("NOPE", Some(1)).is_err(), "unknown SKU is refused");
}

/// The list's count by status and channel (kept by triggers) equals counting the orders.
fn assert_counts_match(store: &storedesk_store::Store) {
    let conn = rusqlite::Connection::open(store.path()).expect("open");
    let statuses = std::iter::once(None).chain(OrderStatus::ALL.into_iter().map(Some));
    for status in statuses {
        for channel in [None, Some(Channel::Counter), Some(Channel::Fulfilment)] {
            let query = OrderQuery { status, channel, ..Default::default() };
            let counted: i64 = conn
                .query_row(
                    "SELECT COUNT(*) FROM orders WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR channel = ?2)",
                    (status.map(|s| s.as_str()), channel.map(|c| c.as_str())),
                    |r| r.get(0),
                )
                .expect("count");
            assert_eq!(
                store.order_page(&query, 0, 1).expect("page").total,
                counted,
                "{status:?} {channel:?}"
            );
        }
    }
}

#[test]
fn the_list_counts_by_status_and_channel_follow_every_step() {
    let (_dir, store) = store();
    storedesk_dev::seed::seed_orders(&store, 120, 30).expect("seed");
    assert_counts_match(&store);
    let sale = place(&store, Channel::Counter, &["TEA=1"]);
    let parcel = place(&store, Channel::Fulfilment, &["CUP=1"]);
    let dropped = place(&store, Channel::Fulfilment, &["TEA=1"]);
    assert_counts_match(&store);
    let cash = || PaymentInput { method: PaymentMethod::Cash, amount_minor: None };
    store.pay(&sale.number, cash(), "t").expect("pay");
    store.apply(&sale.number, OrderAction::new(OrderEvent::HandOver, "t")).expect("hand over");
    store.pay(&parcel.number, cash(), "t").expect("pay");
    store.apply(&dropped.number, OrderAction::new(OrderEvent::Cancel, "t")).expect("cancel");
    assert_counts_match(&store);
    // A filter with a date or a search counts the orders themselves; it agrees too.
    let with_search =
        OrderQuery { status: Some(OrderStatus::Delivered), search: Some("T1-".into()), ..Default::default() };
    let delivered = OrderQuery { status: Some(OrderStatus::Delivered), ..Default::default() };
    assert_eq!(
        store.order_page(&with_search, 0, 1).expect("page").total,
        store.order_page(&delivered, 0, 1).expect("page").total
    );
}

/// Puts a database back the way an older version of the app left it: undoes migrations 09 (the
/// products' barcodes), 08 (the
/// timeline's staff indexes), 07 (staff
/// and the audit trail), 06 (the
/// outbox's trace context), 05 (the replaced tills' heads) and 04 (the orders' tills) and 03 (customers indexed as each order is inserted, no queue), then, for
/// version 1, migration 02 (no kept counts).
fn back_to_version(path: &std::path::Path, version: i64) {
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.execute_batch(
        "DROP TABLE product_barcodes;
         DROP INDEX order_timeline_by_actor; DROP INDEX order_timeline_by_approver;
         DROP TABLE staff_sign_in; DROP TABLE staff; DROP TABLE audit_log;
         ALTER TABLE order_timeline DROP COLUMN approved_by; ALTER TABLE stock_ledger DROP COLUMN staff;
         ALTER TABLE payments DROP COLUMN staff; ALTER TABLE outbox DROP COLUMN staff;
         ALTER TABLE outbox DROP COLUMN approved_by;
         ALTER TABLE outbox DROP COLUMN traceparent;
         ALTER TABLE central_stock DROP COLUMN till_seq;
         DROP TABLE discrepancies; DROP INDEX orders_by_till; ALTER TABLE orders DROP COLUMN till; ALTER TABLE orders DROP COLUMN central_change_id;
         INSERT INTO order_customers (customer, order_id) SELECT customer, order_id FROM order_customers_queue;
         DROP TRIGGER order_customers_queue_flushed; DROP TRIGGER orders_customer_queued;
         DROP TABLE order_customers_queue;
         CREATE TRIGGER orders_customer_indexed AFTER INSERT ON orders WHEN NEW.customer IS NOT NULL
         BEGIN INSERT INTO order_customers (customer, order_id) VALUES (NEW.customer, NEW.id); END;
         PRAGMA user_version = 2;",
    )
    .expect("back to version 2");
    if version == 1 {
        conn.execute_batch(
            "DROP TRIGGER order_counts_insert; DROP TRIGGER order_counts_update;
             DROP TRIGGER order_counts_delete; DROP TABLE order_counts; PRAGMA user_version = 1;",
        )
        .expect("back to version 1");
    }
}

#[test]
fn a_database_from_before_the_kept_counts_gets_them_on_opening() {
    let (dir, store) = store();
    storedesk_dev::seed::seed_orders(&store, 40, 30).expect("seed");
    place(&store, Channel::Fulfilment, &["CUP=1"]);
    let path = store.path().to_path_buf();
    drop(store);
    back_to_version(&path, 1);
    let store = storedesk_store::Store::open_dir(dir.path()).expect("reopen migrates");
    assert_counts_match(&store);
    assert_eq!(store.order_page(&OrderQuery::default(), 0, 1).expect("page").total, 41);
    // Orders taken before tills existed were this device's, its store's only till.
    let t1 = OrderQuery { till: Some("T1".into()), ..Default::default() };
    assert_eq!(store.order_page(&t1, 0, 1).expect("page").total, 41);
}

#[test]
fn customers_are_found_before_and_after_their_batch_reaches_the_index() {
    let (_dir, store) = store();
    store
        .import_catalog_csv(&"test".into(), "sku,name,price,stock\nCUP,Cup,3,100\n".as_bytes(), "test")
        .expect("stock");
    // 64 queued customers move into the trigram index together; the 70 here leave 6 in the queue.
    let mut numbers_by_customer = Vec::new();
    for i in 0..70 {
        let order = store
            .place_order(NewOrder {
                channel: Channel::Fulfilment,
                lines: lines(&["CUP=1"]),
                customer: Some(format!("Customer {i:03} 客户")),
                actor: "test".into(),
            })
            .expect("place");
        numbers_by_customer.push(order.number);
    }
    let queued: i64 = rusqlite::Connection::open(store.path())
        .and_then(|conn| conn.query_row("SELECT COUNT(*) FROM order_customers_queue", [], |r| r.get(0)))
        .expect("queue");
    assert_eq!(queued, 6, "the first 64 moved into the index in one batch");
    let search =
        |text: &str| numbers(&store, &OrderQuery { search: Some(text.into()), ..Default::default() });
    assert_eq!(search("customer 003").1, vec![numbers_by_customer[3].clone()], "indexed");
    assert_eq!(search("mer 068").1, vec![numbers_by_customer[68].clone()], "still queued");
    assert_eq!(search("06").0, 11, "short text, scanned: 006 and 060 to 069");
    assert_eq!(search("客户").0, 70, "every customer, indexed or queued");
}

#[test]
fn customers_indexed_one_by_one_by_version_2_are_still_found_after_the_upgrade() {
    let (dir, store) = store();
    let customer = |name: &str| NewOrder {
        channel: Channel::Fulfilment,
        lines: lines(&["CUP=1"]),
        customer: Some(name.into()),
        actor: "test".into(),
    };
    let before = store.place_order(customer("Li Lei 李雷")).expect("place");
    let path = store.path().to_path_buf();
    drop(store);
    // Version 2 had indexed that customer when the order was inserted, and had no queue.
    back_to_version(&path, 2);
    let store = storedesk_store::Store::open_dir(dir.path()).expect("reopen migrates");
    let after = store.place_order(customer("Han Meimei 韩梅梅")).expect("place");
    let search =
        |text: &str| numbers(&store, &OrderQuery { search: Some(text.into()), ..Default::default() });
    assert_eq!(search("李雷").1, vec![before.number.clone()], "indexed before the upgrade");
    assert_eq!(search("韩梅梅").1, vec![after.number.clone()], "queued after it");
    assert_eq!(search("ei ").0, 2, "both");
}
