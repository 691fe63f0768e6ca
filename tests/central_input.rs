//! What bad input gets from central's HTTP API: a 4xx with a JSON error that says what and where,
//! never a 5xx, and nothing applied.

use reqwest::StatusCode;
use serde_json::{Value, json};
use storedesk_central::http::{AdminToken, Settings};
use storedesk_tests::api::{central, counter_sale, expect_error, http, push};
use storedesk_tests::central::ADMIN;

/// Pushes central must refuse as a whole: (body, status, what the message names).
fn malformed_pushes() -> Vec<(String, StatusCode, &'static str)> {
    let s = |v: Value| v.to_string();
    let mut wrong_type = counter_sale("TEA", 1);
    wrong_type["aggregate_seq"] = json!("one");
    let mut unknown_kind = counter_sale("TEA", 1);
    unknown_kind["kind"] = json!("order_teleported");
    let mut bad_currency = counter_sale("TEA", 1);
    bad_currency["payload"]["currency"] = json!("XYZ");
    let mut bad_method = counter_sale("TEA", 1);
    bad_method["payload"]["payments"] = json!([{"method": "bitcoin", "amount_minor": "1250"}]);
    let huge = format!("{{\"events\": [{}]}}", vec![s(counter_sale("TEA", 1)); 9000].join(","));
    assert!(huge.len() > Settings::new(AdminToken::new(ADMIN).expect("admin token")).max_body_bytes);
    vec![
        ("{\"events\": [".into(), StatusCode::BAD_REQUEST, ""),
        (s(json!({"events": "none"})), StatusCode::UNPROCESSABLE_ENTITY, "events"),
        (s(json!({"events": [wrong_type]})), StatusCode::UNPROCESSABLE_ENTITY, "aggregate_seq"),
        (s(json!({"events": [unknown_kind]})), StatusCode::UNPROCESSABLE_ENTITY, "order_teleported"),
        (
            s(json!({"events": [counter_sale("TEA", 0)]})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "events[0]: payload.lines[0].qty",
        ),
        (
            s(json!({"events": [counter_sale("TEA", -3)]})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "events[0]: payload.lines[0].qty",
        ),
        // Values the wire types refuse: a quantity past the per-line bound, a SKU with a blank, a
        // currency ISO 4217 does not know, a payment method that does not exist.
        (
            s(json!({"events": [counter_sale("TEA", 1_000_001)]})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "events[0]: payload.lines[0].qty",
        ),
        (
            s(json!({"events": [counter_sale("T A", 1)]})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "payload.lines[0].sku",
        ),
        (s(json!({"events": [bad_currency]})), StatusCode::UNPROCESSABLE_ENTITY, "payload.currency"),
        (s(json!({"events": [bad_method]})), StatusCode::UNPROCESSABLE_ENTITY, "payload.payments[0].method"),
        (huge, StatusCode::PAYLOAD_TOO_LARGE, ""),
    ]
}

#[tokio::test]
async fn bad_input_gets_a_4xx_with_a_json_error_and_never_a_5xx() {
    let central = central().await;
    let token = central.add_store("AA").await;
    central.products(&[("TEA", "Tea", 1250)]).await;
    central.receive("AA", "TEA", 10).await;
    let client = http();
    for (body, status, names) in malformed_pushes() {
        expect_error(&client, &central, &token, body, status, names).await;
    }

    // An unknown SKU is a refusal of that event (the device dead-letters it), not of the request.
    let answer: Value = push(&client, &central, &token, &json!({"events": [counter_sale("NOPE", 1)]})).await;
    assert_eq!(answer["results"][0]["status"], "rejected");
    assert_eq!(answer["results"][0]["code"], "unknown_sku");

    central.stop().await;
}

#[tokio::test]
async fn admin_input_is_validated_too() {
    let central = central().await;
    central.add_store("AA").await;
    central.products(&[("TEA", "Tea", 1250)]).await;
    central.receive("AA", "TEA", 10).await;
    let client = http();
    let receipt = client
        .post(format!("{}/v1/admin/stores/AA/receipts", central.url))
        .bearer_auth(ADMIN)
        .json(&json!({"sku": "TEA", "qty": 0}))
        .send()
        .await
        .expect("receipt");
    assert_eq!(receipt.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = client
        .post(format!("{}/v1/admin/stores/AA/orders", central.url))
        .bearer_auth(ADMIN)
        .json(&json!({"lines": [{"sku": "NOPE", "qty": 1}]}))
        .send()
        .await
        .expect("order");
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let too_many = client
        .post(format!("{}/v1/admin/stores/AA/orders", central.url))
        .bearer_auth(ADMIN)
        .json(&json!({"lines": [{"sku": "TEA", "qty": 11}]}))
        .send()
        .await
        .expect("order");
    assert_eq!(too_many.status(), StatusCode::CONFLICT);
    let body: Value = too_many.json().await.expect("json");
    assert_eq!(body["code"], "insufficient_stock");
    central.stop().await;
}

#[tokio::test]
async fn bad_queries_and_routes_get_4xx() {
    let central = central().await;
    let token = central.add_store("AA").await;
    let client = http();
    let feed = client
        .get(format!("{}/v1/changes?after=-1", central.url))
        .bearer_auth(&token)
        .send()
        .await
        .expect("feed");
    assert_eq!(feed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let feed = client
        .get(format!("{}/v1/changes?limit=abc", central.url))
        .bearer_auth(&token)
        .send()
        .await
        .expect("feed");
    assert_eq!(feed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let missing = client.get(format!("{}/v1/nothing", central.url)).send().await.expect("404");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    let metrics = client
        .get(format!("{}/metrics", central.url))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(!metrics.contains("status=\"5"), "a request produced a 5xx:\n{metrics}");
    central.stop().await;
}
