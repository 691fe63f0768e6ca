//! Staff at the till: who may do what (checked here, in the core), approval by another person's
//! PIN, the lockout after wrong PINs, and the audit trail that shows an edit, a deletion or a swap.

mod common;

use common::{lines, store};
use storedesk_domain::{Channel, OrderEvent, PaymentMethod, Role};
use storedesk_store::audit::AuditFilter;
use storedesk_store::orders::{NewOrder, OrderAction, PaymentInput};
use storedesk_store::staff::{Actor, NewStaff, parse_code, parse_pin};
use storedesk_store::{Store, StoreError};

fn add(store: &Store, by: Option<&Actor>, code: &str, role: Role, pin: &str) {
    let new = NewStaff {
        code: parse_code(code).expect("code"),
        name: format!("{code} name"),
        role,
        pin: parse_pin(pin).expect("pin"),
    };
    store.add_staff(by, new).expect("add staff");
}

fn sign_in(store: &Store, code: &str, pin: &str) -> Result<Actor, StoreError> {
    store.sign_in(&parse_code(code).expect("code"), &parse_pin(pin).expect("pin"))
}

/// A store with a manager MAY (2468) and a cashier ANN (1357).
fn staffed() -> (tempfile::TempDir, Store, Actor) {
    let (dir, store) = store();
    add(&store, None, "MAY", Role::Manager, "2468");
    let manager = sign_in(&store, "MAY", "2468").expect("manager signs in");
    add(&store, Some(&manager), "ANN", Role::Cashier, "1357");
    (dir, store, manager)
}

fn sale(store: &Store, by: &Actor) -> String {
    let order = store
        .place_order(NewOrder {
            channel: Channel::Counter,
            lines: lines(&["TEA=2"]),
            customer: None,
            actor: by.clone(),
        })
        .expect("place");
    let payment = PaymentInput { method: PaymentMethod::Cash, amount_minor: None };
    store.pay(&order.number, payment, by).expect("pay");
    order.number
}

#[test]
fn a_cashier_sells_but_a_refund_needs_a_managers_approval_and_both_are_recorded() {
    let (_dir, store, _manager) = staffed();
    let ann = sign_in(&store, "ANN", "1357").expect("cashier signs in");
    let order = store
        .place_order(NewOrder {
            channel: Channel::Counter,
            lines: lines(&["TEA=1"]),
            customer: None,
            actor: ann.clone(),
        })
        .expect("a cashier sells");
    let mut pay = OrderAction::new(OrderEvent::Pay, &ann);
    pay.details.payment = Some(PaymentInput { method: PaymentMethod::Card, amount_minor: None });
    store.apply(&order.number, pay).expect("a cashier takes payment");
    store.apply(&order.number, OrderAction::new(OrderEvent::HandOver, &ann)).expect("and hands over");

    let refused =
        store.apply(&order.number, OrderAction::new(OrderEvent::Refund, &ann)).expect_err("refused");
    assert_eq!(
        refused.to_string(),
        "ANN: cashier may not refund: it needs a supervisor (or a supervisor's approval)"
    );
    let approved = store
        .approve(&ann, &parse_code("MAY").expect("code"), &parse_pin("2468").expect("pin"))
        .expect("approval");
    let refunded =
        store.apply(&order.number, OrderAction::new(OrderEvent::Refund, &approved)).expect("approved refund");
    assert_eq!(refunded.status.as_str(), "refunded");

    let detail = store.order(&order.number).expect("detail");
    let last = detail.timeline.last().expect("timeline");
    assert_eq!((last.actor.as_str(), last.approved_by.as_deref()), ("ANN", Some("MAY")));
    assert_eq!(detail.timeline[0].actor, "ANN", "placed by the cashier");

    let trail = store
        .audit_records(&AuditFilter { staff: Some("ann".into()), limit: 50, ..AuditFilter::default() })
        .expect("trail");
    let actions: Vec<&str> = trail.iter().rev().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "staff.sign_in",
            "order.place",
            "order.pay",
            "order.hand_over",
            "step.refused",
            "staff.approve",
            "order.refund"
        ]
    );
    let refund = trail.first().expect("refund record");
    assert_eq!((refund.staff.as_deref(), refund.approved_by.as_deref()), (Some("ANN"), Some("MAY")));
    assert!(trail[2].detail.as_deref().is_some_and(|d| d.contains("may not refund")), "{:?}", trail[2]);

    // The events to central carry who made them.
    let events = store.outbox(None, 10).expect("outbox");
    let sold = events.iter().find(|e| e.kind.as_str() == "counter_sale").expect("sale event");
    assert_eq!(sold.envelope().expect("envelope").staff.map(|c| c.to_string()).as_deref(), Some("ANN"));
    let refund = events.iter().find(|e| e.kind.as_str() == "order_refunded").expect("refund event");
    let envelope = refund.envelope().expect("envelope");
    assert_eq!(envelope.approved_by.map(|c| c.to_string()).as_deref(), Some("MAY"));
    assert!(store.verify_audit().expect("verify").first_bad.is_none());
}

#[test]
fn five_wrong_pins_lock_the_person_out_and_the_lockout_is_recorded() {
    let (_dir, store, _manager) = staffed();
    for left in (1..=4).rev() {
        let error = sign_in(&store, "ANN", "0000").expect_err("wrong PIN");
        assert_eq!(error.to_string(), format!("wrong PIN for ANN ({left} more before a lockout)"));
    }
    let locked = sign_in(&store, "ANN", "0000").expect_err("fifth wrong PIN");
    assert!(matches!(locked, StoreError::LockedOut { minutes: 15, .. }), "{locked}");
    let still = sign_in(&store, "ANN", "1357").expect_err("the right PIN does not help while locked");
    assert!(still.to_string().starts_with("ANN is locked out of this till"), "{still}");
    let ann = store.staff().expect("staff").into_iter().find(|s| s.code.as_str() == "ANN").expect("ann");
    assert!(ann.locked_until.is_some());
    let filter = AuditFilter { action: Some("staff.locked_out".into()), limit: 5, ..AuditFilter::default() };
    assert_eq!(store.audit_records(&filter).expect("trail").len(), 1);
    // Another person is not affected.
    sign_in(&store, "MAY", "2468").expect("the manager still signs in");
}

#[test]
fn a_disabled_person_cannot_sign_in_and_only_a_manager_manages_staff() {
    let (_dir, store, manager) = staffed();
    let ann = sign_in(&store, "ANN", "1357").expect("cashier");
    let refused =
        store.disable_staff(&ann, &parse_code("MAY").expect("code")).expect_err("a cashier may not");
    assert!(refused.to_string().contains("may not manage_staff"), "{refused}");
    let new = NewStaff {
        code: parse_code("BOB").expect("c"),
        name: "Bob".into(),
        role: Role::Manager,
        pin: parse_pin("1111").expect("p"),
    };
    assert!(store.add_staff(None, new).is_err(), "no one adds staff unsigned once the store has staff");
    store.disable_staff(&manager, &parse_code("ANN").expect("code")).expect("disable");
    assert!(matches!(sign_in(&store, "ANN", "1357"), Err(StoreError::StaffDisabled(_))));
    let json = serde_json::to_string(&store.staff().expect("staff")).expect("json");
    assert!(!json.contains("argon2") && !json.contains("1357"), "no PIN or hash: {json}");
}

#[test]
fn a_stock_adjustment_and_a_catalog_import_need_a_manager() {
    let (_dir, store, manager) = staffed();
    let ann = sign_in(&store, "ANN", "1357").expect("cashier");
    let reason = storedesk_domain::AdjustReason::Damage;
    let refused = store.adjust_stock(&ann, "TEA", -1, reason, None).expect_err("refused");
    assert!(refused.to_string().contains("may not adjust_stock: it needs a manager"), "{refused}");
    assert!(store.import_catalog_csv(&ann, "sku,name,price\nNEW,New,1\n".as_bytes(), "c.csv").is_err());
    store.adjust_stock(&manager, "TEA", -1, reason, None).expect("a manager adjusts");
    let ledger = store.ledger("TEA", 1).expect("ledger");
    assert_eq!(ledger[0].staff.as_deref(), Some("MAY"));
}

/// Opens the database file beside the store, for tampering.
fn sql(store: &Store, statement: &str) {
    let conn = rusqlite::Connection::open(store.path()).expect("open");
    conn.execute_batch(statement).expect("tamper");
}

#[test]
fn an_audit_record_edited_deleted_or_swapped_is_named() {
    let (_dir, store, manager) = staffed();
    for _ in 0..3 {
        sale(&store, &manager);
    }
    let check = store.verify_audit().expect("verify");
    assert!(check.first_bad.is_none(), "{check:?}");
    assert!(check.records >= 10, "{check:?}");

    sql(&store, "UPDATE audit_log SET detail = 'created -> refunded' WHERE seq = 6");
    let bad = store.verify_audit().expect("verify").first_bad.expect("edited");
    assert_eq!(bad.seq, 6);
    assert!(bad.problem.contains("changed"), "{bad:?}");
}

#[test]
fn a_deleted_or_reordered_audit_record_is_named() {
    let (_dir, store, manager) = staffed();
    for _ in 0..3 {
        sale(&store, &manager);
    }
    sql(&store, "DELETE FROM audit_log WHERE seq = 5");
    let bad = store.verify_audit().expect("verify").first_bad.expect("deleted");
    assert_eq!(bad.seq, 6);
    assert!(bad.problem.contains("5 to 5 are missing"), "{bad:?}");

    let (_dir, store, manager) = staffed();
    for _ in 0..3 {
        sale(&store, &manager);
    }
    // Swap two records' contents, keeping their numbers.
    sql(
        &store,
        "CREATE TEMP TABLE a AS SELECT * FROM audit_log WHERE seq IN (7, 8);
         UPDATE audit_log SET at = (SELECT at FROM a WHERE seq = 8), action = (SELECT action FROM a WHERE seq = 8),
             subject = (SELECT subject FROM a WHERE seq = 8), detail = (SELECT detail FROM a WHERE seq = 8),
             prev_hash = (SELECT prev_hash FROM a WHERE seq = 8), hash = (SELECT hash FROM a WHERE seq = 8) WHERE seq = 7;
         UPDATE audit_log SET at = (SELECT at FROM a WHERE seq = 7), action = (SELECT action FROM a WHERE seq = 7),
             subject = (SELECT subject FROM a WHERE seq = 7), detail = (SELECT detail FROM a WHERE seq = 7),
             prev_hash = (SELECT prev_hash FROM a WHERE seq = 7), hash = (SELECT hash FROM a WHERE seq = 7) WHERE seq = 8;",
    );
    let bad = store.verify_audit().expect("verify").first_bad.expect("swapped");
    assert_eq!(bad.seq, 7, "{bad:?}");
}

#[test]
fn a_manager_sets_the_limits_a_supervisor_works_within_and_a_cashier_may_not() {
    let (_dir, store, manager) = staffed();
    add(&store, Some(&manager), "SUE", Role::Supervisor, "1111");
    let sue = sign_in(&store, "SUE", "1111").expect("supervisor");
    let order = sale(&store, &sue);
    store.apply(&order, OrderAction::new(OrderEvent::HandOver, &sue)).expect("hand over");
    let refund = |by: &Actor| store.apply(&order, OrderAction::new(OrderEvent::Refund, by.clone()));

    // The sale (2 x TEA) is over a refund limit of 1.00: the supervisor is refused, named so.
    let mut policy = store.staff_policy().expect("policy");
    policy.limits.refund_max_minor = 100;
    let ann = sign_in(&store, "ANN", "1357").expect("cashier");
    let refused = store.set_staff_policy(&ann, policy).expect_err("a cashier may not change settings");
    assert!(refused.to_string().contains("change_settings"), "{refused}");
    store.set_staff_policy(&manager, policy).expect("a manager sets the limit");
    assert_eq!(store.staff_policy().expect("policy").limits.refund_max_minor, 100);
    let over = refund(&sue).expect_err("over the supervisor's limit");
    assert!(matches!(over, StoreError::Refused { .. }), "{over:?}");

    // Out of bounds is refused and changes nothing; the change is on the trail.
    policy.idle_lock_minutes = 0;
    assert!(store.set_staff_policy(&manager, policy).is_err());
    assert_eq!(store.staff_policy().expect("policy").idle_lock_minutes, 5);
    let changes = store
        .audit_records(&AuditFilter { action: Some("settings.".into()), limit: 10, ..AuditFilter::default() })
        .expect("trail");
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].staff.as_deref(), Some("MAY"));

    // With the limit raised, the same refund goes through.
    policy.idle_lock_minutes = 5;
    policy.limits.refund_max_minor = 1_000_000;
    store.set_staff_policy(&manager, policy).expect("raise");
    refund(&sue).expect("within the limit");
}

#[test]
fn orders_narrow_to_the_person_who_took_a_step_in_them_or_approved_one() {
    use storedesk_store::orders::OrderFilter;
    use storedesk_store::views::OrderQuery;
    let (_dir, store, manager) = staffed();
    let ann = sign_in(&store, "ANN", "1357").expect("cashier");
    let annes = sale(&store, &ann);
    let mays = sale(&store, &manager);
    store.apply(&annes, OrderAction::new(OrderEvent::HandOver, &ann)).expect("hand over");
    let approved = store
        .approve(&ann, &parse_code("MAY").expect("code"), &parse_pin("2468").expect("pin"))
        .expect("approve");
    store.apply(&annes, OrderAction::new(OrderEvent::Refund, &approved)).expect("approved refund");

    let page = |staff: &str| -> Vec<String> {
        let query = OrderQuery { staff: Some(staff.into()), ..OrderQuery::default() };
        store.order_page(&query, 0, 10).expect("page").rows.into_iter().map(|r| r.number).collect()
    };
    assert_eq!(page("ann"), vec![annes.clone()], "ANN took steps only in her sale");
    assert_eq!(
        page("MAY"),
        vec![mays.clone(), annes.clone()],
        "MAY sold one and approved a refund of the other"
    );
    assert_eq!(page(" ").len(), 2, "blank is everyone");
    let listed =
        store.orders(&OrderFilter { staff: Some("ANN".into()), ..OrderFilter::default() }).expect("list");
    assert_eq!(listed.iter().map(|o| o.number.clone()).collect::<Vec<_>>(), vec![annes]);
    assert!(page("ZED").is_empty());

    // Reports narrow the same way: ANN's sale is 2 teas of the 4 sold.
    let all = storedesk_store::reporting::Period { from_ms: 0, to_ms: i64::MAX };
    let sold = |staff: Option<&str>| -> i64 {
        let snapshot = store.read_snapshot().expect("snapshot").narrowed_to_staff(staff);
        snapshot.sold_by_sku(all).expect("sold").iter().map(|s| s.qty).sum()
    };
    assert_eq!((sold(None), sold(Some("ann")), sold(Some("ZED"))), (4, 2, 0));
}

#[test]
fn a_long_note_is_kept_on_the_trail_within_what_central_accepts() {
    let (_dir, store, manager) = staffed();
    let note = "盘点".repeat(1_000);
    store
        .adjust_stock(&manager, "TEA", 1, storedesk_domain::AdjustReason::Count, Some(&note))
        .expect("adjust");
    let records = store
        .audit_records(&AuditFilter {
            action: Some("stock.adjust".into()),
            limit: 1,
            ..AuditFilter::default()
        })
        .expect("trail");
    let detail = records[0].detail.as_deref().expect("detail");
    assert!(
        detail.len() <= storedesk_protocol::audit::MAX_FIELD && detail.ends_with('…'),
        "{} bytes",
        detail.len()
    );
    assert!(detail.contains("盘点"));
    assert_eq!(store.verify_audit().expect("verify").first_bad, None);
}
