//! Talking to central's HTTP API as a stranger would: raw JSON events and requests.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::central::{Backend, TestCentral};

/// A central on SQLite (the HTTP layer is the same on both backends).
pub async fn central() -> TestCentral {
    TestCentral::start(Backend::Sqlite).await.expect("SQLite is always available")
}

/// A client (rustls with the ring provider).
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

pub fn event(kind: &str, payload: Value, aggregate: String, seq: i64) -> Value {
    json!({
        "event_id": uuid_v7(),
        "aggregate": aggregate,
        "aggregate_seq": seq,
        "created_at": "2026-11-27T08:00:00Z",
        "kind": kind,
        "payload": payload,
    })
}

pub fn uuid_v7() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A counter sale of `qty` units at 12.50, paid in cash, with a number of its own.
pub fn counter_sale(sku: &str, qty: i64) -> Value {
    let order = uuid_v7();
    // A crafted quantity may be far out of range: its total then is whatever it comes to.
    let total = qty.saturating_mul(1250).to_string();
    event(
        "counter_sale",
        json!({
            "order_id": order, "number": format!("X-T1-20261127-{}", &order[24..]), "currency": "CNY",
            "total_minor": total, "lines": [{"sku": sku, "qty": qty, "unit_price_minor": "1250"}],
            "payments": [{"method": "cash", "amount_minor": total}], "customer": null,
            "at": "2026-11-27T08:00:00Z"
        }),
        format!("order:{order}"),
        1,
    )
}

/// A stock adjustment of `sku` by `delta` (any JSON, so tests may send what a device never would).
pub fn adjusted(sku: &str, delta: Value, reason: &str, seq: i64) -> Value {
    event(
        "stock_adjusted",
        json!({"sku": sku, "delta": delta, "reason": reason, "note": null, "at": "2026-11-27T08:00:00Z"}),
        format!("stock:{sku}"),
        seq,
    )
}

/// Pushes `body` (`{"events": [...]}`) to `/v1/events` with `token`; central's JSON answer.
pub async fn push(client: &reqwest::Client, central: &TestCentral, token: &str, body: &Value) -> Value {
    client
        .post(format!("{}/v1/events", central.url))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("push")
        .json()
        .await
        .expect("json")
}

/// Sends `body` to `/v1/events` and checks the answer is `status` with a JSON error naming `contains`.
pub async fn expect_error(
    client: &reqwest::Client,
    central: &TestCentral,
    token: &str,
    body: String,
    status: StatusCode,
    contains: &str,
) {
    let response = client
        .post(format!("{}/v1/events", central.url))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), status);
    let error: Value = response.json().await.expect("a JSON error body");
    assert!(error["code"].is_string(), "{error}");
    let message = error["message"].as_str().expect("message");
    assert!(message.contains(contains), "{message:?} should mention {contains:?}");
}
