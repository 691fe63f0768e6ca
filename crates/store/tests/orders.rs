//! Orders through their lives: every step's effects, and refusals that change nothing.

mod common;

use common::*;
use storedesk_domain::{Channel, OrderEvent, OrderStatus, PaymentMethod, TransitionError};
use storedesk_store::StoreError;
use storedesk_store::orders::{NewOrder, OrderAction, PaymentInput, Restock};
use storedesk_store::outbox::OutboxStatus;

fn pay(store: &storedesk_store::Store, number: &str) {
    store.pay(number, PaymentInput { method: PaymentMethod::Card, amount_minor: None }, "test").expect("pay");
}

fn kinds(store: &storedesk_store::Store) -> Vec<String> {
    store
        .outbox(None, 100)
        .expect("outbox")
        .into_iter()
        .filter(|e| e.aggregate.starts_with("order:"))
        .map(|e| e.kind.to_string())
        .collect()
}

#[test]
fn fulfilment_order_reserves_stock_and_announces_itself() {
    let (_dir, store) = store();
    let order = place(&store, Channel::Fulfilment, &["TEA=3", "CUP=2", "TEA=1"]);
    assert_eq!(order.status, OrderStatus::Created);
    assert_eq!(
        order.number,
        format!("T1-T1-{}-0001", jiff::Timestamp::now().strftime("%Y%m%d")),
        "store T1, till T1"
    );
    assert_eq!(order.lines.len(), 2, "the same SKU twice is one line");
    assert_eq!(order.lines[0].qty, 4);
    assert_eq!(order.total_minor, 4 * 1250 + 2 * 300);
    assert_eq!(level(&store, "TEA"), (10, 4));
    assert_eq!(level(&store, "CUP"), (5, 2));
    let events = store.outbox(Some(OutboxStatus::Pending), 100).expect("outbox");
    let placed = events
        .iter()
        .find(|e| e.kind == storedesk_domain::EventKind::OrderPlaced)
        .expect("order_placed event");
    assert_eq!(placed.aggregate_seq, 1);
    assert_eq!(placed.payload["total_minor"], "5600");
    assert_eq!(placed.payload["lines"][0]["sku"], "TEA");
}

#[test]
fn counter_sale_deducts_stock_at_hand_over_and_announces_the_sale() {
    let (_dir, store) = store();
    let order = place(&store, Channel::Counter, &["CUP=2"]);
    assert!(kinds(&store).is_empty(), "a counter order stays local until it is handed over");
    assert_eq!(level(&store, "CUP"), (5, 2));
    pay(&store, &order.number);
    let done = store.apply(&order.number, OrderAction::new(OrderEvent::HandOver, "test")).expect("hand over");
    assert_eq!(done.status, OrderStatus::Delivered);
    assert_eq!(level(&store, "CUP"), (3, 0));
    assert_eq!(kinds(&store), vec!["counter_sale"]);
    let sale = &store.outbox(None, 100).expect("outbox")[3];
    assert_eq!(sale.payload["payments"][0]["method"], "card");
    assert_eq!(sale.payload["payments"][0]["amount_minor"], "600");
}

#[test]
fn a_full_fulfilment_life_writes_timeline_payments_and_events_in_sequence() {
    let (dir, store) = store();
    let order = place(&store, Channel::Fulfilment, &["TEA=2"]);
    pay(&store, &order.number);
    store.apply(&order.number, OrderAction::new(OrderEvent::ConfirmStock, "sync")).expect("confirm");
    let mut ship = OrderAction::new(OrderEvent::Ship, "test");
    ship.details.tracking = Some("SF1234".into());
    store.apply(&order.number, ship).expect("ship");
    assert_eq!(level(&store, "TEA"), (8, 0));
    store.apply(&order.number, OrderAction::new(OrderEvent::Deliver, "test")).expect("deliver");
    let mut refund = OrderAction::new(OrderEvent::Refund, "test");
    refund.details.restock = Restock::Lines(lines(&["TEA=1"]));
    refund.details.reason = Some("one box damaged in transit".into());
    let refunded = store.apply(&order.number, refund).expect("refund");
    assert_eq!(refunded.status, OrderStatus::Refunded);
    assert_eq!(refunded.lines[0].restocked_qty, 1);
    assert_eq!(level(&store, "TEA"), (9, 0));

    let detail = store.order(&order.id.to_string()).expect("show");
    let steps: Vec<_> =
        detail.timeline.iter().map(|t| (t.event.map(|e| e.as_str()), t.to.as_str())).collect();
    assert_eq!(
        steps,
        vec![
            (None, "created"),
            (Some("pay"), "paid"),
            (Some("confirm_stock"), "ready_to_ship"),
            (Some("ship"), "shipped"),
            (Some("deliver"), "delivered"),
            (Some("refund"), "refunded"),
        ]
    );
    assert_eq!(detail.timeline[5].reason.as_deref(), Some("one box damaged in transit"));
    assert_eq!(detail.order.tracking.as_deref(), Some("SF1234"));
    let amounts: Vec<i64> = detail.payments.iter().map(|p| p.amount_minor).collect();
    assert_eq!(amounts, vec![2500, -2500]);

    let events = store.outbox(None, 100).expect("outbox");
    let order_events: Vec<_> = events.iter().filter(|e| e.aggregate.starts_with("order:")).collect();
    let seqs: Vec<_> = order_events.iter().map(|e| (e.kind.as_str(), e.aggregate_seq)).collect();
    assert_eq!(
        seqs,
        vec![
            ("order_placed", 1),
            ("order_paid", 2),
            ("order_shipped", 3),
            ("order_delivered", 4),
            ("order_refunded", 5)
        ]
    );
    assert_eq!(order_events[4].payload["restock"][0]["qty"], 1);
    assert_stock_invariants(&store);
    drop(dir);
}

#[test]
fn cancelling_a_paid_order_refunds_and_releases() {
    let (_dir, store) = store();
    let order = place(&store, Channel::Fulfilment, &["TEA=5"]);
    pay(&store, &order.number);
    let mut cancel = OrderAction::new(OrderEvent::Cancel, "test");
    cancel.details.reason = Some("customer changed their mind".into());
    let cancelled = store.apply(&order.number, cancel).expect("cancel");
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert!(cancelled.actions.is_empty());
    assert_eq!(level(&store, "TEA"), (10, 0));
    let detail = store.order(&order.number).expect("show");
    assert_eq!(detail.payments.iter().map(|p| p.amount_minor).sum::<i64>(), 0);
    assert_eq!(kinds(&store), vec!["order_placed", "order_paid", "order_cancelled"]);
    assert_stock_invariants(&store);
}

#[test]
fn an_invalid_transition_is_refused_and_changes_nothing() {
    let (_dir, store) = store();
    let order = place(&store, Channel::Fulfilment, &["TEA=1"]);
    let before = store.order(&order.number).expect("show");
    let outbox_before = store.outbox(None, 100).expect("outbox").len();
    let err = store.apply(&order.number, OrderAction::new(OrderEvent::Ship, "test")).unwrap_err();
    assert!(matches!(
        err,
        StoreError::Transition {
            error: TransitionError::NotAllowed { status: OrderStatus::Created, event: OrderEvent::Ship },
            ..
        }
    ));
    assert_eq!(err.to_string(), format!("order {}: cannot ship an order that is created", order.number));
    let err = store.apply(&order.number, OrderAction::new(OrderEvent::HandOver, "test")).unwrap_err();
    assert!(err.to_string().contains("applies to counter orders only"), "{err}");
    assert_eq!(store.order(&order.number).expect("show"), before);
    assert_eq!(store.outbox(None, 100).expect("outbox").len(), outbox_before);
}

#[test]
fn not_enough_stock_on_any_line_places_nothing() {
    let (dir, store) = store();
    let outbox_before = store.outbox(None, 100).expect("outbox").len();
    let err = store
        .place_order(NewOrder {
            channel: Channel::Fulfilment,
            lines: lines(&["TEA=2", "POT=2"]),
            customer: None,
            actor: "t".into(),
        })
        .unwrap_err();
    assert_eq!(err.to_string(), "POT: not enough stock: 2 requested, 1 available");
    assert_eq!(level(&store, "TEA"), (10, 0), "the first line's reservation was rolled back");
    assert_eq!(count(store.path(), "orders"), 0);
    assert_eq!(count(store.path(), "order_lines"), 0);
    assert_eq!(store.outbox(None, 100).expect("outbox").len(), outbox_before);
    let err = store
        .place_order(NewOrder {
            channel: Channel::Counter,
            lines: lines(&["NOPE=1"]),
            customer: None,
            actor: "t".into(),
        })
        .unwrap_err();
    assert_eq!(err.to_string(), "unknown SKU \"NOPE\"");
    // The day's numbering did not advance for the refused orders.
    let order = place(&store, Channel::Counter, &["TEA=1"]);
    assert!(order.number.ends_with("-0001"), "{}", order.number);
    drop(dir);
}

#[test]
fn payment_must_match_the_total_and_needs_a_method() {
    let (_dir, store) = store();
    let order = place(&store, Channel::Counter, &["TEA=1"]);
    let err = store
        .pay(&order.number, PaymentInput { method: PaymentMethod::Cash, amount_minor: Some(1000) }, "t")
        .unwrap_err();
    assert_eq!(err.to_string(), "payment of 10.00 CNY does not match the order total 12.50 CNY");
    let err = store.apply(&order.number, OrderAction::new(OrderEvent::Pay, "t")).unwrap_err();
    assert!(err.to_string().contains("needs a method"), "{err}");
    assert_eq!(store.order(&order.number).expect("show").order.status, OrderStatus::Created);
    let paid =
        store.pay(&order.number, PaymentInput { method: PaymentMethod::Cash, amount_minor: Some(1250) }, "t");
    assert_eq!(paid.expect("pay").status, OrderStatus::Paid);
}

#[test]
fn hold_releases_the_reservation_and_confirm_from_hold_takes_it_again() {
    let (_dir, store) = store();
    let order = place(&store, Channel::Fulfilment, &["CUP=4"]);
    pay(&store, &order.number);
    let mut hold = OrderAction::new(OrderEvent::Hold, "sync");
    hold.details.reason = Some("insufficient_stock: 1 available".into());
    let held = store.apply(&order.number, hold).expect("hold");
    assert_eq!(held.hold_reason.as_deref(), Some("insufficient_stock: 1 available"));
    assert_eq!(level(&store, "CUP"), (5, 0));
    let ready =
        store.apply(&order.number, OrderAction::new(OrderEvent::ConfirmStock, "sync")).expect("confirm");
    assert_eq!(ready.status, OrderStatus::ReadyToShip);
    assert_eq!(ready.hold_reason, None);
    assert_eq!(level(&store, "CUP"), (5, 4));
    assert_stock_invariants(&store);
}

#[test]
fn orders_are_found_by_id_or_number_and_unknown_ones_are_named() {
    let (_dir, store) = store();
    let order = place(&store, Channel::Counter, &["TEA=1"]);
    assert_eq!(store.order(&order.id.to_string()).expect("by id").order.id, order.id);
    assert_eq!(store.order(&order.number.to_lowercase()).expect("by number").order.id, order.id);
    let err = store.order("T1-20000101-0001").unwrap_err();
    assert_eq!(err.to_string(), "unknown order \"T1-20000101-0001\"");
    let second = place(&store, Channel::Fulfilment, &["TEA=1"]);
    assert!(second.number.ends_with("-0002"));
    let listed = store.orders(&Default::default()).expect("list");
    assert_eq!(listed.iter().map(|o| o.id).collect::<Vec<_>>(), vec![second.id, order.id], "newest first");
}

#[test]
fn the_stock_audit_reports_numbers_the_ledger_cannot_explain() {
    let (_dir, store) = store();
    place(&store, Channel::Fulfilment, &["TEA=2"]);
    assert!(store.audit_stock().expect("audit").is_empty());
    let conn = rusqlite::Connection::open(store.path()).expect("open");
    conn.execute("UPDATE stock SET on_hand = on_hand + 1, reserved = on_hand + 5 WHERE sku = 'TEA'", [])
        .expect("tamper");
    let problems = store.audit_stock().expect("audit");
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with("TEA: reserved 15 outside 0..=11"), "{problems:?}");
    assert!(problems[1].contains("differs from the ledger's 10/2"), "{problems:?}");
}
