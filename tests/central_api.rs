//! central's HTTP API from the outside: who may do what and the operational endpoints (what bad
//! input gets is in `central_input.rs`). Run on SQLite (the HTTP layer is the same on both backends; the storage tests in
//! `sync.rs` and `fault_injection.rs` run on both).

use reqwest::StatusCode;
use serde_json::{Value, json};
use storedesk_central::http::{AdminToken, Settings};
use storedesk_tests::api::{central, counter_sale, event, http, push, uuid_v7};
use storedesk_tests::central::{ADMIN, Backend, TestCentral};

#[tokio::test]
async fn a_store_token_reaches_only_its_own_store() {
    let central = central().await;
    let token_a = central.add_store("AA").await;
    let token_b = central.add_store("BB").await;
    central.products(&[("TEA", "Tea", 1250)]).await;
    central.receive("AA", "TEA", 10).await;
    central.receive("BB", "TEA", 7).await;
    let client = http();

    // B's change feed does not show A's stock, and A's does not show B's.
    let feed: Value = client
        .get(format!("{}/v1/changes?after=0", central.url))
        .bearer_auth(&token_a)
        .send()
        .await
        .expect("feed")
        .json()
        .await
        .expect("json");
    let stock: Vec<&Value> =
        feed["changes"].as_array().expect("changes").iter().filter(|c| c["kind"] == "stock").collect();
    assert_eq!(stock.len(), 1);
    assert_eq!(stock[0]["data"]["on_hand"], 10);

    // A pushes a counter sale that names an order of B: refused, and B's stock is untouched.
    let sale = counter_sale("TEA", 2);
    let pushed_sale = sale.clone();
    let b_order = sale["payload"]["order_id"].as_str().expect("id").to_string();
    let pushed: Value = push(&client, &central, &token_b, &json!({"events": [pushed_sale]})).await;
    assert_eq!(pushed["results"][0]["status"], "applied");
    let cancel = event(
        "order_cancelled",
        json!({"order_id": b_order, "reason": null, "at": "2026-11-27T08:00:00Z"}),
        format!("order:{b_order}"),
        2,
    );
    let answer: Value = push(&client, &central, &token_a, &json!({"events": [cancel]})).await;
    assert_eq!(answer["results"][0]["status"], "retry_later", "store A has no such order sequence: {answer}");
    assert_eq!(central.level("BB", "TEA").await, (5, 0));
    assert_eq!(central.level("AA", "TEA").await, (10, 0));

    // Replaying B's event id with A's token does not reveal B's answer.
    let mut replayed = sale.clone();
    replayed["event_id"] = pushed["results"][0]["event_id"].clone();
    let replay = json!({ "events": [replayed] });
    let answer: Value = push(&client, &central, &token_a, &replay).await;
    assert_eq!(answer["results"][0]["code"], "wrong_store");
    central.stop().await;
}

#[tokio::test]
async fn a_refused_reservation_names_what_was_short_and_a_replay_says_the_same() {
    let central = central().await;
    let token = central.add_store("AA").await;
    central.products(&[("TEA", "Tea", 1250), ("CUP", "Cup", 300)]).await;
    central.receive("AA", "TEA", 1).await;
    central.receive("AA", "CUP", 5).await;
    let order = uuid_v7();
    let placed = event(
        "order_placed",
        json!({
            "order_id": order, "number": "AA-20261127-0001", "channel": "fulfilment", "currency": "CNY",
            "total_minor": "4350", "lines": [{"sku": "TEA", "qty": 3, "unit_price_minor": "1250"},
                                             {"sku": "CUP", "qty": 2, "unit_price_minor": "300"}],
            "customer": null, "at": "2026-11-27T08:00:00Z"
        }),
        format!("order:{order}"),
        1,
    );
    let client = http();
    let mut answers = Vec::new();
    for _ in 0..2 {
        let answer: Value = push(&client, &central, &token, &json!({"events": [placed]})).await;
        answers.push(answer["results"][0].clone());
    }
    for answer in &answers {
        assert_eq!(answer["status"], "rejected", "{answer}");
        assert_eq!(answer["code"], "insufficient_stock");
        // Only TEA was short: the figures a device shows in its operator's language.
        assert_eq!(answer["shortages"], json!([{"sku": "TEA", "requested": 3, "available": 1}]), "{answer}");
        assert_eq!(answer["message"], "not enough stock: TEA: 3 requested, 1 available");
    }
    assert_eq!(central.level("AA", "TEA").await, (1, 0), "nothing reserved");
    assert_eq!(central.level("AA", "CUP").await, (5, 0));
    central.stop().await;
}

#[tokio::test]
async fn wrong_revoked_and_missing_credentials_get_401_and_device_tokens_cannot_administer() {
    let central = central().await;
    let token = central.add_store("AA").await;
    let client = http();
    let feed = |t: Option<&str>| {
        let mut request = client.get(format!("{}/v1/changes", central.url));
        if let Some(t) = t {
            request = request.bearer_auth(t);
        }
        request.send()
    };
    assert_eq!(feed(Some(&token)).await.expect("feed").status(), StatusCode::OK);
    assert_eq!(feed(None).await.expect("feed").status(), StatusCode::UNAUTHORIZED);
    assert_eq!(feed(Some("sdt_wrong")).await.expect("feed").status(), StatusCode::UNAUTHORIZED);
    storedesk_central::service::stores::revoke_token(&central.db, &token).await.expect("revoke");
    let revoked = feed(Some(&token)).await.expect("feed");
    assert_eq!(revoked.status(), StatusCode::UNAUTHORIZED);
    let body: Value = revoked.json().await.expect("json");
    assert_eq!(body["code"], "unauthorized");

    let other = central.add_store("BB").await;
    let admin = |t: Option<&str>| {
        let mut request =
            client.post(format!("{}/v1/admin/stores", central.url)).json(&json!({"code": "CC"}));
        if let Some(t) = t {
            request = request.bearer_auth(t);
        }
        request.send()
    };
    assert_eq!(admin(None).await.expect("admin").status(), StatusCode::UNAUTHORIZED);
    assert_eq!(admin(Some("sda_wrong")).await.expect("admin").status(), StatusCode::UNAUTHORIZED);
    assert_eq!(admin(Some(&other)).await.expect("admin").status(), StatusCode::FORBIDDEN);
    let created = admin(Some(ADMIN)).await.expect("admin");
    assert_eq!(created.status(), StatusCode::OK);
    let created: Value = created.json().await.expect("json");
    assert!(created["token"].as_str().is_some_and(|t| t.starts_with("sdt_")));
    let stock = client
        .get(format!("{}/v1/admin/stores/AA/stock", central.url))
        .bearer_auth(&other)
        .send()
        .await
        .expect("stock");
    assert_eq!(stock.status(), StatusCode::FORBIDDEN);
    central.stop().await;
}

#[tokio::test]
async fn each_token_is_rate_limited_with_retry_after() {
    let central = TestCentral::start_with(
        Backend::Sqlite,
        Settings { rate_limit_per_second: 2, ..Settings::new(AdminToken::new(ADMIN).expect("admin token")) },
    )
    .await
    .expect("central");
    let token = central.add_store("AA").await;
    let other = central.add_store("BB").await;
    let client = http();
    let mut limited = None;
    for _ in 0..10 {
        let response =
            client.get(format!("{}/v1/changes", central.url)).bearer_auth(&token).send().await.expect("feed");
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(response);
            break;
        }
    }
    let limited = limited.expect("a burst past the limit is refused");
    let wait: u64 = limited
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!(wait >= 1);
    let body: Value = limited.json().await.expect("json");
    assert_eq!(body["code"], "rate_limited");
    let fine =
        client.get(format!("{}/v1/changes", central.url)).bearer_auth(&other).send().await.expect("feed");
    assert_eq!(fine.status(), StatusCode::OK, "another token is not affected");
    central.stop().await;
}

#[tokio::test]
async fn health_metrics_openapi_and_trace_ids() {
    let central = central().await;
    let token = central.add_store("AA").await;
    let client = http();
    assert_eq!(
        client.get(format!("{}/healthz", central.url)).send().await.expect("health").status(),
        StatusCode::OK
    );
    let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let response = client
        .get(format!("{}/v1/changes", central.url))
        .bearer_auth(&token)
        .header("traceparent", format!("00-{trace}-00f067aa0ba902b7-01"))
        .send()
        .await
        .expect("feed");
    let echoed =
        response.headers().get("traceparent").and_then(|v| v.to_str().ok()).expect("traceparent echoed");
    assert!(echoed.starts_with(&format!("00-{trace}-")), "central keeps the caller's trace id: {echoed}");
    let metrics = client
        .get(format!("{}/metrics", central.url))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("storedesk_http_requests_total{endpoint=\"/v1/changes\",status=\"200\"}"),
        "{metrics}"
    );
    let served: Value = client
        .get(format!("{}/openapi.json", central.url))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("json");
    assert!(served["paths"]["/v1/events"]["post"].is_object());
    // The query parameters are in the query, and a wrong method answers JSON like every refusal.
    let after = &served["paths"]["/v1/changes"]["get"]["parameters"][0];
    assert_eq!((after["name"].as_str(), after["in"].as_str()), (Some("after"), Some("query")));
    let wrong = client.delete(format!("{}/v1/changes", central.url)).send().await.expect("delete");
    assert_eq!(wrong.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: Value = wrong.json().await.expect("a JSON body");
    assert_eq!(body["code"], "method_not_allowed", "{body}");
    central.stop().await;
}

/// The committed `crates/central/openapi.json` must be what the code generates. Run with
/// `UPDATE_OPENAPI=1` to rewrite it after an (additive!) API change.
#[test]
fn the_committed_openapi_document_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../crates/central/openapi.json");
    let generated = storedesk_central::http::openapi::document();
    if std::env::var("UPDATE_OPENAPI").as_deref() == Ok("1") {
        std::fs::write(path, &generated).expect("write openapi.json");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "crates/central/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test -p storedesk-tests --test central_api` and commit it"
    );
}

/// v1 only grows: the document may add to `crates/central/openapi-v1.json` (the baseline taken
/// when tills and the truthful contract landed) but never break what it promised.
#[test]
fn the_api_only_grows_from_the_v1_baseline() {
    let read = |name: &str| -> serde_json::Value {
        let path = format!("{}/../crates/central/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json")
    };
    let current: serde_json::Value =
        serde_json::from_str(&storedesk_central::http::openapi::document()).expect("json");
    let breaks = storedesk_tests::contract::breaking_changes(&read("openapi-v1.json"), &current);
    assert!(breaks.is_empty(), "the API broke v1:\n{}", breaks.join("\n"));
}

#[tokio::test]
async fn shutdown_finishes_requests_in_flight() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut central = central().await;
    let token = central.add_store("AA").await;
    central.products(&[("TEA", "Tea", 1250)]).await;
    let body = json!({"events": [counter_sale("TEA", 1)]}).to_string();
    // A request whose body is only half sent when the shutdown begins.
    let mut conn = tokio::net::TcpStream::connect(central.address).await.expect("connect");
    let head = format!(
        "POST /v1/events HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).await.expect("head");
    conn.write_all(&body.as_bytes()[..body.len() / 2]).await.expect("half the body");
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let stopping = {
        let stop = central.shutdown();
        tokio::pin!(stop);
        // Give the server the shutdown signal, then finish the request.
        tokio::select! {
            _ = &mut stop => panic!("shutdown finished before the request in flight"),
            _ = tokio::time::sleep(std::time::Duration::from_millis(100)) => {}
        }
        conn.write_all(&body.as_bytes()[body.len() / 2..]).await.expect("rest of the body");
        let mut answer = Vec::new();
        conn.read_to_end(&mut answer).await.expect("answer");
        stop.await;
        String::from_utf8_lossy(&answer).to_string()
    };
    assert!(stopping.starts_with("HTTP/1.1 200"), "{stopping}");
    assert!(stopping.contains("\"applied\""), "{stopping}");
    assert_eq!(central.level("AA", "TEA").await, (-1, 0));
    // And new connections are refused once it has stopped.
    assert!(tokio::net::TcpStream::connect(central.address).await.is_err());
    central.stop().await;
}
