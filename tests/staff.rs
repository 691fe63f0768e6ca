//! Staff across central and its tills, against a real central (SQLite and PostgreSQL): the staff
//! list reaches tills (PIN hashes only) and sign-in works offline from it; a person disabled at
//! central cannot sign in after the next sync; five wrong PINs at one till lock the person out of
//! the store's other tills once they sync; central refuses events whose staff does not fit, with a
//! code; and central flags an audit upload that does not continue the chain it holds.

use serde_json::{Value, json};
use storedesk_central::service::{audit, staff, stores};
use storedesk_domain::line::parse_line;
use storedesk_domain::{Channel, OrderEvent, Pin, Role, StaffCode};
use storedesk_store::StoreError;
use storedesk_store::audit::AuditFilter;
use storedesk_store::orders::{NewOrder, OrderAction, PaymentInput};
use storedesk_tests::api::{counter_sale, event, http, push};
use storedesk_tests::central::{Backend, TestCentral};
use storedesk_tests::device::Device;

fn code(text: &str) -> StaffCode {
    StaffCode::parse(text).expect("code")
}

fn pin(text: &str) -> Pin {
    Pin::parse(text).expect("pin")
}

async fn add(central: &TestCentral, store: &str, who: &str, role: Role, digits: &str) {
    let store = stores::store_by_code(&central.db, store).await.expect("store");
    staff::add(&central.db, &store, who, who, role, pin(digits)).await.expect("add staff");
}

/// Central with store AA (cashier ANN 1234, manager MAY 2468) and store BB (BOB), and TEA.
async fn store_with_staff(backend: Backend) -> Option<(TestCentral, String)> {
    let central = TestCentral::start(backend).await?;
    let token = central.add_store("AA").await;
    central.add_store("BB").await;
    central.products(&[("TEA", "Tea", 1250)]).await;
    central.receive("AA", "TEA", 50).await;
    add(&central, "AA", "ANN", Role::Cashier, "1234").await;
    add(&central, "AA", "MAY", Role::Manager, "2468").await;
    add(&central, "BB", "BOB", Role::Manager, "1357").await;
    Some((central, token))
}

#[tokio::test]
async fn tills_get_the_staff_from_central_and_a_disabled_person_cannot_sign_in_after_the_next_sync() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some((central, token)) = store_with_staff(backend).await else { continue };
        let till = Device::connected("AA", &central.url, &token).await;
        till.sync_until_complete(5).await;
        let people: Vec<(String, Role, bool)> = till
            .store
            .staff()
            .expect("staff")
            .into_iter()
            .map(|m| (m.code.to_string(), m.role, m.from_central))
            .collect();
        assert_eq!(
            people,
            vec![("ANN".into(), Role::Cashier, true), ("MAY".into(), Role::Manager, true)],
            "{backend:?}"
        );

        // ANN sells; central keeps who sent each event.
        let ann = till.store.sign_in(&code("ANN"), &pin("1234")).expect("ANN signs in");
        let lines = vec![parse_line("TEA=2").expect("line")];
        let new = NewOrder { channel: Channel::Counter, lines, customer: None, actor: ann.clone() };
        let sale = till.store.place_order(new).expect("a cashier sells");
        till.store
            .pay(
                &sale.number,
                PaymentInput { method: storedesk_domain::PaymentMethod::Cash, amount_minor: None },
                &ann,
            )
            .expect("pay");
        till.store
            .apply(&sale.number, OrderAction::new(OrderEvent::HandOver, ann.clone()))
            .expect("hand over");
        till.sync_until_complete(5).await;
        let senders: Vec<Option<String>> =
            sqlx::query_scalar("SELECT staff FROM inbox ORDER BY received_at, aggregate_seq")
                .fetch_all(central.db.reader())
                .await
                .expect("inbox");
        assert!(!senders.is_empty() && senders.iter().all(|s| s.as_deref() == Some("ANN")), "{senders:?}");

        // A syncing store's staff are central's: a manager at the till cannot add or disable.
        let may = till.store.sign_in(&code("MAY"), &pin("2468")).expect("MAY signs in");
        let new = storedesk_store::staff::NewStaff {
            code: code("NEW"),
            name: "New".into(),
            role: Role::Cashier,
            pin: pin("1111"),
        };
        let refused = till.store.add_staff(Some(&may), new).expect_err("managed at central");
        assert!(refused.to_string().contains("managed at central"), "{refused}");
        assert!(till.store.disable_staff(&may, &code("ANN")).is_err());

        // Disabled at central: after the next sync ANN cannot sign in, offline as well.
        let store = stores::store_by_code(&central.db, "AA").await.expect("store");
        staff::disable(&central.db, &store, "ANN").await.expect("disable");
        till.sync_until_complete(5).await;
        central.stop().await;
        let refused = till.store.sign_in(&code("ANN"), &pin("1234")).expect_err("disabled");
        assert!(matches!(refused, StoreError::StaffDisabled(ref c) if c == "ANN"), "{refused:?}");
        // Nor does a sign-in from before the sync carry on: the step checks who ANN is now.
        let lines = vec![parse_line("TEA=1").expect("line")];
        let late = NewOrder { channel: Channel::Counter, lines, customer: None, actor: ann.clone() };
        let refused = till.store.place_order(late).expect_err("ANN is disabled");
        assert!(matches!(refused, StoreError::StaffDisabled(ref c) if c == "ANN"), "{refused:?}");
        till.store.sign_in(&code("MAY"), &pin("2468")).expect("MAY still signs in offline");
    }
}

#[tokio::test]
async fn five_wrong_pins_at_one_till_lock_the_person_out_of_the_other_tills_once_they_sync() {
    let Some((central, t1)) = store_with_staff(Backend::Sqlite).await else { return };
    let t2 = central.add_till("AA").await.token;
    let a = Device::connected("AA", &central.url, &t1).await;
    let b = Device::connected("AA", &central.url, &t2).await;
    a.sync_until_complete(5).await;
    b.sync_until_complete(5).await;
    for _ in 0..5 {
        let _ = a.store.sign_in(&code("ANN"), &pin("9999"));
    }
    assert!(matches!(a.store.sign_in(&code("ANN"), &pin("1234")), Err(StoreError::LockedOut { .. })));
    a.sync_until_complete(5).await;
    b.sync_until_complete(5).await;
    let store = stores::store_by_code(&central.db, "AA").await.expect("store");
    let ann =
        staff::list(&central.db, &store).await.expect("list").into_iter().find(|s| s.code.as_str() == "ANN");
    assert!(ann.and_then(|a| a.locked_until).is_some(), "central holds the lockout");
    let refused = b.store.sign_in(&code("ANN"), &pin("1234")).expect_err("locked out at T2 too");
    assert!(matches!(refused, StoreError::LockedOut { ref staff, .. } if staff == "ANN"), "{refused:?}");
    central.stop().await;
}

/// `event` made by `staff` (approved by `approver`).
fn signed(mut event: Value, staff: Option<&str>, approver: Option<&str>) -> Value {
    event["staff"] = json!(staff);
    event["approved_by"] = json!(approver);
    event
}

fn refund_of(sale: &Value) -> Value {
    let order = sale["payload"]["order_id"].as_str().expect("order id");
    event(
        "order_refunded",
        json!({"order_id": order, "restock": [], "reason": null, "at": "2026-11-27T09:00:00Z"}),
        format!("order:{order}"),
        2,
    )
}

async fn outcome(central: &TestCentral, token: &str, event: Value) -> (String, Option<String>) {
    let answer = push(&http(), central, token, &json!({"events": [event]})).await;
    let result = &answer["results"][0];
    (result["status"].as_str().unwrap_or_default().to_string(), result["code"].as_str().map(str::to_string))
}

#[tokio::test]
async fn central_refuses_events_whose_staff_does_not_fit_with_a_code() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some((central, token)) = store_with_staff(backend).await else { continue };
        let store = stores::store_by_code(&central.db, "AA").await.expect("store");
        add(&central, "AA", "OLD", Role::Manager, "1111").await;
        staff::disable(&central.db, &store, "OLD").await.expect("disable");
        let rejected = |code: &str| ("rejected".to_string(), Some(code.to_string()));

        let cases = [
            (Some("ZED"), rejected("unknown_staff")),
            (Some("BOB"), rejected("staff_of_another_store")),
            (Some("OLD"), rejected("staff_inactive")),
        ];
        for (who, expected) in cases {
            let mut sale = signed(counter_sale("TEA", 1), who, None);
            sale["created_at"] = json!(jiff::Timestamp::now().to_string());
            assert_eq!(outcome(&central, &token, sale).await, expected, "{backend:?} {who:?}");
        }
        // A device's clock cannot make a step older than the disabling: OLD's event dated before it
        // is accepted (it was made while OLD was active).
        let mut before = signed(counter_sale("TEA", 1), Some("OLD"), None);
        before["created_at"] = json!("2020-01-01T00:00:00Z");
        assert_eq!(outcome(&central, &token, before).await.0, "applied");

        // A cashier's refund (a tampered till skipped its own check) is refused naming the
        // permission; with a manager's approval it is applied.
        let sale = signed(counter_sale("TEA", 1), Some("ANN"), None);
        assert_eq!(outcome(&central, &token, sale.clone()).await.0, "applied");
        let answer = push(
            &http(),
            &central,
            &token,
            &json!({"events": [signed(refund_of(&sale), Some("ANN"), None)]}),
        )
        .await;
        assert_eq!(answer["results"][0]["code"], "not_permitted", "{answer}");
        assert!(answer["results"][0]["message"].as_str().unwrap_or_default().contains("refund"), "{answer}");
        let approved = signed(refund_of(&sale), Some("ANN"), Some("MAY"));
        assert_eq!(outcome(&central, &token, approved).await.0, "applied");

        // Without a staff code: accepted during the grace, refused once the store ends it.
        assert_eq!(outcome(&central, &token, counter_sale("TEA", 1)).await.0, "applied");
        let end = staff::PolicyChange { unsigned_grace_days: Some(0), ..Default::default() };
        staff::set_policy(&central.db, &store, &end).await.expect("end the grace");
        assert_eq!(outcome(&central, &token, counter_sale("TEA", 1)).await, rejected("staff_required"));
        central.stop().await;
    }
}

#[tokio::test]
async fn central_flags_an_audit_upload_that_does_not_continue_the_chain_it_holds() {
    let Some((central, token)) = store_with_staff(Backend::Sqlite).await else { return };
    let till = Device::connected("AA", &central.url, &token).await;
    till.sync_until_complete(5).await;
    till.store.sign_in(&code("MAY"), &pin("2468")).expect("sign in");
    till.sync_until_complete(5).await;
    let store = stores::store_by_code(&central.db, "AA").await.expect("store");
    let chains = audit::verify(&central.db, &store).await.expect("verify");
    assert!(chains[0].fits() && chains[0].check.records >= 2, "{chains:?}");
    let held = till.store.verify_audit().expect("verify").head;
    assert_eq!(chains[0].check.head, held, "central holds the till's chain up to its head");

    // A till whose trail was rewritten after its last sync: its records start again from 1.
    let mut forged =
        till.store.audit_records(&AuditFilter { limit: 1000, ..Default::default() }).expect("records");
    forged.reverse();
    forged[0].detail = Some("rewritten".into());
    forged[0].hash = forged[0].digest();
    let upload = || {
        http()
            .post(format!("{}/v1/audit", central.url))
            .bearer_auth(&token)
            .json(&json!({"records": [forged[0]]}))
            .send()
    };
    let answer = upload().await.expect("upload");
    assert_eq!(answer.status(), 409);
    let body: Value = answer.json().await.expect("json");
    assert_eq!(body["code"], "audit_chain_broken", "{body}");
    assert_eq!(upload().await.expect("again").status(), 409, "sent again, refused again");
    let chains = audit::verify(&central.db, &store).await.expect("verify");
    assert!(!chains[0].fits(), "the break is flagged");
    assert_eq!(
        chains[0].breaks.iter().map(|b| b.seq).collect::<Vec<_>>(),
        vec![1],
        "flagged once: {chains:?}"
    );
    central.stop().await;
}
