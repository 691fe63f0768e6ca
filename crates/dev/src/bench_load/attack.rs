//! One step of the load test, driven by goose: every till is a goose user; goose's request
//! throttle holds the arrival rate (users wait for their turn, not for central, as long as some
//! are idle), and its metrics give the latency of every request from the moment it was let go.

use std::sync::Arc;

use goose::config::GooseConfiguration;
use goose::metrics::{GooseMetrics, GooseRequestMetricAggregate};
use goose::prelude::*;
use storedesk_protocol::api::{ChangesResponse, EventStatus, PushRequest, PushResponse};
use tokio::sync::Mutex;

use super::fleet::{Counters, Step, Till};

/// The tills and what they count, shared by the goose users.
pub struct Fleet {
    pub tills: Vec<Mutex<Till>>,
    pub counters: Counters,
}

/// A step's figures for one kind of request.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Figures {
    pub requests: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: usize,
}

const PUSH: &str = "push";
const PULL: &str = "pull";

/// Runs `users` goose users for `seconds` after they have all started; `rate` requests per
/// second in all (`None`: as fast as they go). Returns goose's metrics.
pub async fn run(
    base: &str,
    scenario: Scenario,
    users: usize,
    rate: Option<usize>,
    seconds: u64,
) -> anyhow::Result<GooseMetrics> {
    let users = users.to_string();
    let run_time = format!("{seconds}s");
    let mut args = vec![
        "--host",
        base,
        "--users",
        &users,
        "--increase-rate",
        &users,
        "--run-time",
        &run_time,
        "--timeout",
        "10",
        "--quiet",
        "--no-print-metrics",
        "--no-telnet",
        "--no-transaction-metrics",
        "--no-scenario-metrics",
    ];
    let throttle;
    if let Some(rate) = rate {
        throttle = rate.to_string();
        args.extend(["--throttle-requests", &throttle]);
    }
    let config = GooseConfiguration::parse_args_default(&args)?;
    let metrics = GooseAttack::initialize_with_config(config)?.register_scenario(scenario).execute().await?;
    Ok(metrics)
}

/// The ceiling of the HTTP stack: `/healthz`, no database.
pub fn healthz() -> Scenario {
    let hit: TransactionFunction = Arc::new(|user| {
        Box::pin(async move {
            let request = GooseRequest::builder().path("/healthz").name("healthz").build();
            user.request(request).await?;
            Ok(())
        })
    });
    scenario!("Healthz").register_transaction(Transaction::new(hit))
}

/// The tills' traffic: each user is one till doing its round of steps.
pub fn tills(fleet: Arc<Fleet>) -> Scenario {
    let act: TransactionFunction = Arc::new(move |user| {
        let fleet = fleet.clone();
        Box::pin(async move { fleet.act(user).await })
    });
    scenario!("Tills").register_transaction(Transaction::new(act))
}

impl Fleet {
    async fn act(&self, user: &mut GooseUser) -> TransactionResult {
        let index = user.weighted_users_index % self.tills.len().max(1);
        let Some(till) = self.tills.get(index) else { return Ok(()) };
        let mut till = till.lock().await;
        let step = till.next_step();
        if step == Step::Pull {
            return pull(user, &mut till).await;
        }
        let events = till.events(step);
        let body = PushRequest { events };
        let builder =
            user.get_request_builder(&GooseMethod::Post, "/v1/events")?.bearer_auth(till.token()).json(&body);
        let request =
            GooseRequest::builder().path("/v1/events").name(PUSH).set_request_builder(builder).build();
        // A request goose cancels as a step ends never reached central: its orders are given up.
        let mut goose = match user.request(request).await {
            Ok(goose) => goose,
            Err(err) => {
                till.forget(step);
                return Err(err);
            }
        };
        let answer = match goose.response {
            Ok(response) if response.status().is_success() => response.json::<PushResponse>().await.ok(),
            _ => None,
        };
        let applied = answer
            .as_ref()
            .map_or(0, |a| a.results.iter().filter(|r| matches!(r.status, EventStatus::Applied)).count());
        if applied != body.events.len() {
            till.forget(step);
            let why = answer.map_or_else(
                || "no answer".to_string(),
                |a| format!("{:?}", a.results.iter().map(|r| (&r.status, &r.code)).collect::<Vec<_>>()),
            );
            return user.set_failure(&format!("push not applied: {why}"), &mut goose.request, None, None);
        }
        self.counters.applied.fetch_add(applied as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }
}

/// Reads the next page of the store's feed after the till's cursor.
async fn pull(user: &mut GooseUser, till: &mut Till) -> TransactionResult {
    let path = format!("/v1/changes?after={}&limit=500", till.cursor);
    let builder = user.get_request_builder(&GooseMethod::Get, &path)?.bearer_auth(till.token());
    let request = GooseRequest::builder().path(path.as_str()).name(PULL).set_request_builder(builder).build();
    let mut goose = user.request(request).await?;
    let page = match goose.response {
        Ok(response) if response.status().is_success() => response.json::<ChangesResponse>().await.ok(),
        _ => None,
    };
    match page {
        Some(page) => {
            till.cursor = page.next_cursor;
            Ok(())
        }
        None => user.set_failure("feed not read", &mut goose.request, None, None),
    }
}

/// The figures of the requests named `name` over `seconds`.
pub fn figures(metrics: &GooseMetrics, name: &str, seconds: u64) -> Figures {
    let Some(aggregate) = find(metrics, name) else { return Figures::default() };
    let data = &aggregate.raw_data;
    Figures {
        requests: data.counter,
        per_second: data.counter as f64 / seconds.max(1) as f64,
        p50_ms: data.percentile_us(0.5) as f64 / 1000.0,
        p99_ms: data.percentile_us(0.99) as f64 / 1000.0,
        errors: aggregate.fail_count,
    }
}

fn find<'m>(metrics: &'m GooseMetrics, name: &str) -> Option<&'m GooseRequestMetricAggregate> {
    // Goose keys its aggregates "METHOD name".
    metrics.requests.iter().find(|(key, _)| key.rsplit(' ').next() == Some(name)).map(|(_, a)| a)
}

/// The most frequent errors of a run, with how often each occurred.
pub fn errors(metrics: &GooseMetrics) -> Vec<String> {
    let mut errors: Vec<(usize, String)> = metrics
        .errors
        .values()
        .map(|e| (e.occurrences, format!("{} {}: {}", e.occurrences, e.name, e.error)))
        .collect();
    errors.sort_by_key(|e| std::cmp::Reverse(e.0));
    errors.into_iter().take(3).map(|(_, text)| text).collect()
}

pub fn push_figures(metrics: &GooseMetrics, seconds: u64) -> Figures {
    figures(metrics, PUSH, seconds)
}

pub fn pull_figures(metrics: &GooseMetrics, seconds: u64) -> Figures {
    figures(metrics, PULL, seconds)
}
