//! Group commit on SQLite: concurrent pushes share one transaction, each inside its own
//! savepoint, and each is still answered for itself. Its own test binary, so that `/metrics`
//! counts only this test's pushes.

use serde_json::{Value, json};
use storedesk_tests::api::{self, counter_sale, event, push, uuid_v7};

const TILLS: usize = 24;

fn sale_numbered(number: &str) -> Value {
    let order = uuid_v7();
    event(
        "counter_sale",
        json!({
            "order_id": order, "number": number, "currency": "CNY", "total_minor": "1250",
            "lines": [{"sku": "TEA", "qty": 1, "unit_price_minor": "1250"}],
            "payments": [{"method": "cash", "amount_minor": "1250"}], "customer": null,
            "at": "2026-11-27T08:00:00Z"
        }),
        format!("order:{order}"),
        1,
    )
}

/// A receipt of `delta` units of `sku` counted at a till.
fn receipt(sku: &str, delta: i64) -> Value {
    event(
        "stock_adjusted",
        json!({"sku": sku, "delta": delta, "reason": "receipt", "note": null, "at": "2026-11-27T08:00:00Z"}),
        format!("stock:{sku}"),
        1,
    )
}

/// The value of an unlabelled metric in Prometheus text.
fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name} not in /metrics:\n{text}"))
}

/// Pushes each body with its till's token, all at once; each body with its answer.
async fn push_all(
    client: &reqwest::Client,
    url: &str,
    tokens: &[String],
    bodies: Vec<Value>,
) -> Vec<(Value, Value)> {
    let mut pushes = Vec::new();
    for (token, body) in tokens.iter().zip(bodies) {
        let (client, url, token) = (client.clone(), url.to_string(), token.clone());
        pushes.push(tokio::spawn(async move {
            let answer: Value = client
                .post(format!("{url}/v1/events"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .expect("push")
                .json()
                .await
                .expect("json");
            (body, answer)
        }));
    }
    let mut answers = Vec::new();
    for push in pushes {
        answers.push(push.await.expect("task"));
    }
    answers
}

async fn get_text(client: &reqwest::Client, url: &str) -> String {
    client.get(url).send().await.expect("get").text().await.expect("text")
}

/// Store GC with TEA in stock, EDGE at the edge of what a number holds (a receipt would overflow
/// it: an error inside the group, not a business answer, which must undo that push alone), and
/// [`TILLS`] tills; their tokens.
async fn store_with_tills(central: &storedesk_tests::central::TestCentral) -> Vec<String> {
    let first = central.add_store("GC").await;
    central.products(&[("TEA", "Tea", 1250), ("EDGE", "Edge", 100)]).await;
    central.receive("GC", "TEA", 1_000).await;
    central.receive("GC", "EDGE", 1).await;
    let mut tx = central.db.begin().await.expect("begin");
    sqlx::query("UPDATE stock SET on_hand = 9223372036854775800 WHERE sku = 'EDGE'")
        .execute(&mut *tx)
        .await
        .expect("edge stock");
    tx.commit().await.expect("commit");
    let mut tokens = vec![first];
    for _ in 1..TILLS {
        tokens.push(central.add_till("GC").await.token);
    }
    tokens
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_pushes_share_commits_and_each_gets_its_own_answer() {
    let central = api::central().await;
    let tokens = store_with_tills(&central).await;
    let client = api::http();

    // Every till sells at once; two of them use the same number, so one of those is refused
    // (a business answer inside the group) while everything around it commits.
    let bodies: Vec<Value> = (0..tokens.len())
        .map(|i| {
            if i < 2 {
                json!({"events": [sale_numbered("GC-T1-20261127-9999")]})
            } else if i == 2 {
                json!({"events": [receipt("EDGE", 1_000)]})
            } else {
                json!({"events": [counter_sale("TEA", 1), counter_sale("TEA", 2)]})
            }
        })
        .collect();
    let answers = push_all(&client, &central.url, &tokens, bodies).await;
    let mut applied_units = 0;
    let mut refused_numbers = 0;
    let mut overflows = 0;
    for (body, answer) in answers {
        if body["events"][0]["kind"] == "stock_adjusted" {
            assert_eq!(answer["code"], "out_of_range", "{answer}");
            overflows += 1;
            continue;
        }
        let results = answer["results"].as_array().expect("results");
        assert_eq!(results.len(), body["events"].as_array().expect("events").len(), "{answer}");
        for (event, result) in body["events"].as_array().expect("events").iter().zip(results) {
            assert_eq!(result["event_id"], event["event_id"], "{answer}");
            match result["status"].as_str() {
                Some("applied") => {
                    applied_units += event["payload"]["lines"][0]["qty"].as_i64().expect("qty");
                }
                Some("rejected") if result["code"] == "duplicate_number" => refused_numbers += 1,
                other => panic!("unexpected answer {other:?}: {answer}"),
            }
        }
    }
    assert_eq!(refused_numbers, 1, "exactly one of the two sales with one number is refused");
    assert_eq!(overflows, 1);
    let expected_units = 1 + (TILLS as i64 - 3) * 3;
    assert_eq!(applied_units, expected_units);
    assert_eq!(central.level("GC", "TEA").await, (1_000 - expected_units, 0));
    assert_eq!(central.level("GC", "EDGE").await, (9_223_372_036_854_775_800, 0), "nothing of it kept");

    // What was answered is committed: a replay of one push is all duplicates.
    let replay = json!({"events": [counter_sale("TEA", 1)]});
    assert_eq!(push(&client, &central, &tokens[5], &replay).await["results"][0]["status"], "applied");
    assert_eq!(push(&client, &central, &tokens[5], &replay).await["results"][0]["status"], "duplicate");

    let text = get_text(&client, &format!("{}/metrics", central.url)).await;
    let pushed = metric(&text, "storedesk_push_group_size_sum");
    let commits = metric(&text, "storedesk_push_group_size_count");
    assert_eq!(pushed, (TILLS + 2) as f64, "every push went through the committer");
    assert!(commits < pushed, "some commits carried several pushes ({commits} commits for {pushed} pushes)");
    central.stop().await;
}
