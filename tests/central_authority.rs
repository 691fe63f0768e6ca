//! Central is the authority: it applies a store's events through the domain's state machine,
//! bounds every quantity and delta, checks every sum, and keeps the tills of a store apart. Each
//! crafted push is refused with its code, and central keeps answering.

use reqwest::StatusCode;
use serde_json::{Value, json};
use storedesk_tests::api::{adjusted, central, counter_sale, event, expect_error, http, push, uuid_v7};
use storedesk_tests::central::ADMIN;

fn placed(order: &str, qty: i64) -> Value {
    let total = (qty * 1250).to_string();
    event(
        "order_placed",
        json!({
            "order_id": order, "number": format!("AA-T1-20261127-{}", &order[24..]), "channel": "fulfilment",
            "currency": "CNY", "total_minor": total, "lines": [{"sku": "TEA", "qty": qty, "unit_price_minor": "1250"}],
            "customer": null, "at": "2026-11-27T08:00:00Z"
        }),
        format!("order:{order}"),
        1,
    )
}

fn step(kind: &str, order: &str, seq: i64) -> Value {
    let payload = match kind {
        "order_shipped" => json!({"order_id": order, "tracking": null, "at": "2026-11-27T08:00:00Z"}),
        "order_refunded" => {
            json!({"order_id": order, "restock": [], "reason": null, "at": "2026-11-27T08:00:00Z"})
        }
        "order_paid" => {
            json!({"order_id": order, "payment": {"method": "card", "amount_minor": "1250"}, "at": "2026-11-27T08:00:00Z"})
        }
        _ => json!({"order_id": order, "reason": null, "at": "2026-11-27T08:00:00Z"}),
    };
    event(kind, payload, format!("order:{order}"), seq)
}

#[tokio::test]
async fn a_step_the_state_machine_forbids_is_refused_with_the_status_and_the_event() {
    let central = central().await;
    let token = central.add_store("AA").await;
    central.products(&[("TEA", "Tea", 1250)]).await;
    central.receive("AA", "TEA", 10).await;
    let client = http();
    let order = uuid_v7();
    let body = json!({"events": [placed(&order, 2), step("order_cancelled", &order, 2)]});
    let answer = push(&client, &central, &token, &body).await;
    assert_eq!(answer["results"][0]["status"], "applied", "{answer}");
    assert_eq!(answer["results"][1]["status"], "applied", "{answer}");
    assert_eq!(central.level("AA", "TEA").await, (10, 0), "the cancel released the reservation");

    // Shipping what central holds as cancelled: refused, named, and nothing moves.
    let ship = step("order_shipped", &order, 3);
    let answer = push(&client, &central, &token, &json!({"events": [ship.clone()]})).await;
    let result = &answer["results"][0];
    assert_eq!(result["status"], "rejected", "{answer}");
    assert_eq!(result["code"], "invalid_transition");
    let message = result["message"].as_str().expect("message");
    assert!(message.contains("order_shipped") && message.contains("cancelled"), "{message}");
    assert_eq!(central.level("AA", "TEA").await, (10, 0));
    // A replay gets the same refusal; the till's next event of the order is judged, not held back.
    let again = push(&client, &central, &token, &json!({"events": [ship]})).await;
    assert_eq!(again["results"][0]["code"], "invalid_transition");
    let refund =
        push(&client, &central, &token, &json!({"events": [step("order_refunded", &order, 4)]})).await;
    assert_eq!(refund["results"][0]["code"], "invalid_transition", "refunding an order never delivered");

    // Paying after the cancel is refused too, and the order stays cancelled at central.
    let pay = push(&client, &central, &token, &json!({"events": [step("order_paid", &order, 5)]})).await;
    assert_eq!(pay["results"][0]["code"], "invalid_transition");
    let status: String = sqlx::query_scalar("SELECT status FROM orders WHERE id = $1")
        .bind(&order)
        .fetch_one(central.db.reader())
        .await
        .expect("order");
    assert_eq!(status, "cancelled");
    central.stop().await;
}

#[tokio::test]
async fn quantities_deltas_and_sums_beyond_their_bounds_are_refused_and_central_keeps_answering() {
    let central = central().await;
    let token = central.add_store("AA").await;
    central.products(&[("TEA", "Tea", 1250)]).await;
    central.receive("AA", "TEA", 10).await;
    let client = http();
    let s = |v: Value| json!({ "events": [v] }).to_string();
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    for qty in [0, -1, 1_000_001, 1_i64 << 62] {
        let body = s(counter_sale("TEA", qty));
        expect_error(&client, &central, &token, body, unprocessable, "payload.lines[0].qty").await;
    }
    for delta in [json!(1_000_001), json!(-1_000_001), json!(i64::MAX), json!(i64::MIN)] {
        let body = s(adjusted("TEA", delta, "count", 1));
        expect_error(&client, &central, &token, body, unprocessable, "payload.delta").await;
    }
    expect_error(
        &client,
        &central,
        &token,
        s(adjusted("TEA", json!(-2), "receipt", 1)),
        unprocessable,
        "payload.delta",
    )
    .await;
    // Ten lines of a million units at 10^12 each: the total overflows an i64.
    let mut overflowing = counter_sale("TEA", 1);
    overflowing["payload"]["lines"] =
        json!(vec![json!({"sku": "TEA", "qty": 1_000_000, "unit_price_minor": "1000000000000"}); 10]);
    expect_error(&client, &central, &token, s(overflowing), unprocessable, "total overflows").await;
    let mut wrong_total = counter_sale("TEA", 2);
    wrong_total["payload"]["total_minor"] = json!("1");
    expect_error(&client, &central, &token, s(wrong_total), unprocessable, "payload.total_minor").await;
    let mut payments = counter_sale("TEA", 1);
    payments["payload"]["payments"] = json!([
        {"method": "cash", "amount_minor": i64::MAX.to_string()},
        {"method": "card", "amount_minor": i64::MAX.to_string()}
    ]);
    expect_error(&client, &central, &token, s(payments), unprocessable, "payload.payments[1].amount_minor")
        .await;

    out_of_range_codes(&client, &central, &token).await;

    // Nothing of it applied, and central still answers a good push.
    assert_eq!(central.level("AA", "TEA").await, (10, 0));
    let ok = push(&client, &central, &token, &json!({"events": [counter_sale("TEA", 1)]})).await;
    assert_eq!(ok["results"][0]["status"], "applied", "{ok}");
    assert_eq!(central.level("AA", "TEA").await, (9, 0));
    central.stop().await;
}

#[tokio::test]
async fn tills_of_one_store_keep_their_own_sequences_and_never_share_a_number() {
    let central = central().await;
    let t1 = central.add_store("AA").await;
    let t2 = central.add_till("AA").await;
    assert_eq!(t2.till.to_string(), "T2");
    central.products(&[("TEA", "Tea", 1250)]).await;
    let client = http();
    // Both tills' first adjustment of TEA is event 1 of `stock:TEA`: both apply.
    for token in [&t1, &t2.token] {
        let answer =
            push(&client, &central, token, &json!({"events": [adjusted("TEA", json!(5), "receipt", 1)]}))
                .await;
        assert_eq!(answer["results"][0]["status"], "applied", "{answer}");
    }
    assert_eq!(central.level("AA", "TEA").await, (10, 0));
    // A number another order of the store already has is refused.
    let sale = counter_sale("TEA", 1);
    let mut same_number = counter_sale("TEA", 1);
    same_number["payload"]["number"] = sale["payload"]["number"].clone();
    push(&client, &central, &t1, &json!({"events": [sale]})).await;
    let answer = push(&client, &central, &t2.token, &json!({"events": [same_number]})).await;
    assert_eq!(answer["results"][0]["code"], "duplicate_number", "{answer}");
    assert_eq!(central.level("AA", "TEA").await, (9, 0));
    central.stop().await;
}

#[tokio::test]
async fn a_join_code_works_once_and_a_till_belongs_to_one_installation() {
    let central = central().await;
    central.add_store("AA").await;
    let till = central.add_till("AA").await;
    let client = http();
    let join = |code: String| {
        let client = client.clone();
        let url = format!("{}/v1/join", central.url);
        async move { client.post(url).json(&json!({ "code": code })).send().await.expect("join") }
    };
    // Any case, without the dashes.
    let joined = join(till.join_code.replace('-', "").to_lowercase()).await;
    assert_eq!(joined.status(), StatusCode::OK);
    let joined: Value = joined.json().await.expect("json");
    assert_eq!((joined["store"].as_str(), joined["till"].as_str()), (Some("AA"), Some("T2")));
    let token = joined["token"].as_str().expect("token").to_string();
    assert_ne!(token, till.token, "the join mints a token of its own");
    let again = join(till.join_code.clone()).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(again.json::<Value>().await.expect("json")["code"], "join_refused");

    let claim = |installation: &str| {
        client
            .post(format!("{}/v1/till", central.url))
            .bearer_auth(&token)
            .json(&json!({ "installation": installation }))
            .send()
    };
    let first = claim("machine-a").await.expect("claim");
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.json::<Value>().await.expect("json")["till"], "T2");
    assert_eq!(claim("machine-a").await.expect("claim").status(), StatusCode::OK, "the owner again");
    let other = claim("machine-b").await.expect("claim");
    assert_eq!(other.status(), StatusCode::CONFLICT);
    assert_eq!(other.json::<Value>().await.expect("json")["code"], "till_in_use");
    central.stop().await;
}

/// The out-of-range code, and an admin receipt of 2^63-1: a 422, never a 500.
async fn out_of_range_codes(
    client: &reqwest::Client,
    central: &storedesk_tests::central::TestCentral,
    token: &str,
) {
    let s = |v: Value| json!({ "events": [v] }).to_string();
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let answer = client
        .post(format!("{}/v1/events", central.url))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(s(adjusted("TEA", json!(5_000_000), "receipt", 1)))
        .send()
        .await
        .expect("push");
    assert_eq!(answer.json::<Value>().await.expect("json")["code"], "out_of_range");
    let receipt = client
        .post(format!("{}/v1/admin/stores/AA/receipts", central.url))
        .bearer_auth(ADMIN)
        .json(&json!({"sku": "TEA", "qty": i64::MAX}))
        .send()
        .await
        .expect("receipt");
    assert_eq!(receipt.status(), unprocessable);
    assert_eq!(receipt.json::<Value>().await.expect("json")["code"], "out_of_range");
}
