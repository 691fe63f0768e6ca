//! `storedesk-dev bench load`: central under the traffic of hundreds of tills of many stores.
//!
//! Central runs in its own process (the release `storedesk-central serve`, found next to this
//! program) over a fresh database — SQLite, and PostgreSQL when `--postgres` names a server — seeded
//! through its service layer. Goose drives the tills (`fleet`: counter sales, orders placed, paid
//! and shipped, catch-up pushes, feed pulls) at a constant arrival rate, stepped up until the P99
//! passes the target; in the same run, goose's figures for `/healthz` give the ceiling of the HTTP
//! stack, and each step's push rate is quoted as a ratio of it. With `--traced RATIO` every backend
//! runs again over a fresh database with central exporting traces (sampled at that ratio) to a
//! stand-in collector (`collector`), and the cost of tracing is printed against the untraced run.

mod attack;
pub(crate) mod central;
mod collector;
pub(crate) mod fleet;

use std::fmt;
use std::sync::Arc;

use anyhow::Context;
use serde::Serialize;
use storedesk_central::Db;

use self::attack::{Figures, Fleet};

/// What to run.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    pub stores: usize,
    pub tills_per_store: usize,
    /// Measured seconds per step.
    pub seconds: u64,
    /// The first step's requests per second, all tills together.
    pub start_rate: usize,
    /// Each step's rate is the last one's times this.
    pub factor: f64,
    pub max_steps: usize,
    /// Stop once a step's P99 passes this.
    pub p99_target_ms: f64,
    /// A PostgreSQL server (a URL to its `postgres` database) to run on as well.
    pub postgres: Option<String>,
    /// Run each backend again with central's traces exported, sampled at this ratio.
    pub traced: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct StepRow {
    pub target_per_s: usize,
    pub requests_per_s: f64,
    pub events_per_s: f64,
    pub push: Figures,
    pub pull: Figures,
    /// Push requests per second over `/healthz` requests per second.
    pub push_ratio: f64,
    /// Central's CPU time (user + system) per request of the step, in microseconds (Linux).
    pub cpu_us_per_request: Option<f64>,
    /// The most frequent errors, with their counts.
    pub errors: Vec<String>,
}

impl StepRow {
    fn p99_ms(&self) -> f64 {
        self.push.p99_ms.max(self.pull.p99_ms)
    }

    fn error_count(&self) -> usize {
        self.push.errors + self.pull.errors
    }

    /// Held: under the target P99, no error, and the generator kept the rate (goose's throttle
    /// lets about 0.9 of its setting through when nothing queues; below 0.8, requests queued).
    fn held(&self, target_ms: f64) -> bool {
        self.p99_ms() <= target_ms
            && self.error_count() == 0
            && self.requests_per_s >= 0.8 * self.target_per_s as f64
    }
}

#[derive(Debug, Serialize)]
pub struct BackendReport {
    pub backend: String,
    /// Set in the run with traces exported.
    pub tracing: Option<Traced>,
    pub tills: usize,
    pub stores: usize,
    pub healthz: Figures,
    pub steps: Vec<StepRow>,
}

/// The traced run's export: the sampling ratio, and what the collector received.
#[derive(Debug, Serialize)]
pub struct Traced {
    pub ratio: f64,
    pub exports: u64,
    pub bytes: u64,
}

#[derive(Debug, Serialize)]
pub struct LoadReport {
    pub seconds_per_step: u64,
    pub p99_target_ms: f64,
    pub backends: Vec<BackendReport>,
}

pub async fn run(options: &LoadOptions) -> anyhow::Result<LoadReport> {
    let scratch = tempfile::tempdir()?;
    let mut backends = Vec::new();
    let modes: Vec<Option<f64>> = std::iter::once(None).chain(options.traced.map(Some)).collect();
    for &traced in &modes {
        let file = scratch.path().join(format!("central-{}.db", backends.len()));
        let sqlite = format!("sqlite://{}", file.display());
        backends.push(run_backend(options, "SQLite", &sqlite, scratch.path(), traced).await?);
    }
    if let Some(server) = &options.postgres {
        for &traced in &modes {
            let database = central::PgScratch::create(server).await?;
            let report = run_backend(options, "PostgreSQL", database.url(), scratch.path(), traced).await;
            database.drop_it().await?;
            backends.push(report?);
        }
    }
    Ok(LoadReport { seconds_per_step: options.seconds, p99_target_ms: options.p99_target_ms, backends })
}

/// Central's OpenTelemetry settings for a traced run: export to `collector`, root spans sampled at
/// `ratio`, a caller's decision followed.
fn tracing_env(collector: &collector::Collector, ratio: f64) -> Vec<(String, String)> {
    [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", collector.url.clone()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf".into()),
        ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio".into()),
        ("OTEL_TRACES_SAMPLER_ARG", ratio.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// One step: the tills at `rate` requests/s for `seconds`, measured.
async fn step(
    server: &central::Central,
    fleet: &Arc<Fleet>,
    users: usize,
    rate: usize,
    seconds: u64,
    healthz_per_s: f64,
) -> anyhow::Result<StepRow> {
    fleet.counters.take_applied();
    let cpu_before = server.cpu_time();
    let metrics =
        attack::run(server.base(), attack::tills(fleet.clone()), users, Some(rate), seconds).await?;
    let cpu = cpu_before.zip(server.cpu_time()).map(|(a, b)| b.saturating_sub(a));
    let push = attack::push_figures(&metrics, seconds);
    let pull = attack::pull_figures(&metrics, seconds);
    let requests_per_s = push.per_second + pull.per_second;
    Ok(StepRow {
        target_per_s: rate,
        requests_per_s,
        cpu_us_per_request: cpu.map(|c| c.as_secs_f64() * 1e6 / (requests_per_s * seconds as f64).max(1.0)),
        events_per_s: fleet.counters.take_applied() as f64 / seconds as f64,
        push_ratio: push.per_second / healthz_per_s.max(1.0),
        push,
        pull,
        errors: attack::errors(&metrics),
    })
}

/// Central for one run, and the stand-in collector its traces go to in a traced run.
async fn start_central(
    backend: &str,
    url: &str,
    scratch: &std::path::Path,
    traced: Option<f64>,
) -> anyhow::Result<(central::Central, Option<collector::Collector>)> {
    let Some(ratio) = traced else {
        let log = scratch.join(format!("central-{backend}.log"));
        return Ok((central::Central::start(url, &log, &[]).await?, None));
    };
    let collector = collector::Collector::start().await?;
    let log = scratch.join(format!("central-{backend}-traced.log"));
    let server = central::Central::start(url, &log, &tracing_env(&collector, ratio)).await?;
    Ok((server, Some(collector)))
}

async fn run_backend(
    options: &LoadOptions,
    backend: &str,
    url: &str,
    scratch: &std::path::Path,
    traced: Option<f64>,
) -> anyhow::Result<BackendReport> {
    let db = Db::connect(url).await.with_context(|| format!("cannot open {url}"))?;
    eprintln!("{backend}: seeding {} stores of {} tills", options.stores, options.tills_per_store);
    let tills = fleet::seed(&db, options.stores, options.tills_per_store).await?;
    db.close().await;
    let users = tills.len();
    let fleet = Arc::new(Fleet {
        tills: tills.into_iter().map(tokio::sync::Mutex::new).collect(),
        counters: Default::default(),
    });
    let (server, collector) = start_central(backend, url, scratch, traced).await?;
    let base = server.base().to_string();

    let metrics = attack::run(&base, attack::healthz(), users, None, options.seconds).await?;
    let healthz = attack::figures(&metrics, "healthz", options.seconds);
    eprintln!("{backend}: /healthz {:.0} requests/s", healthz.per_second);

    let mut steps: Vec<StepRow> = Vec::new();
    let mut rate = options.start_rate;
    for _ in 0..options.max_steps {
        let row = step(&server, &fleet, users, rate, options.seconds, healthz.per_second).await?;
        eprintln!("{backend}: {}", step_line(&row));
        for error in &row.errors {
            eprintln!("{backend}:   {error}");
        }
        let held = row.held(options.p99_target_ms);
        steps.push(row);
        if !held {
            break;
        }
        rate = ((rate as f64) * options.factor).round() as usize;
    }
    server.stop().await?;
    let tracing = collector.zip(traced).map(|(c, ratio)| {
        let (exports, bytes) = c.received();
        Traced { ratio, exports, bytes }
    });
    Ok(BackendReport {
        backend: backend.to_string(),
        tracing,
        tills: users,
        stores: options.stores,
        healthz,
        steps,
    })
}

fn step_line(r: &StepRow) -> String {
    format!(
        "{:>7}  {:>9.0}  {:>8.0}  {:>8.0}  {:>7.1}  {:>7.1}  {:>8.0}  {:>7.1}  {:>7.1}  {:>6}  {:>6.3}x  {:>10}",
        r.target_per_s,
        r.requests_per_s,
        r.events_per_s,
        r.push.per_second,
        r.push.p50_ms,
        r.push.p99_ms,
        r.pull.per_second,
        r.pull.p50_ms,
        r.pull.p99_ms,
        r.error_count(),
        r.push_ratio,
        r.cpu_us_per_request.map_or_else(|| "–".to_string(), |c| format!("{c:.0}"))
    )
}

impl BackendReport {
    fn best(&self, target_ms: f64) -> Option<&StepRow> {
        self.steps.iter().rev().find(|r| r.held(target_ms))
    }
}

impl LoadReport {
    /// Tracing's cost per backend: the traced run's held push rate over the untraced run's, and
    /// the push P99 of the two at the highest rate both ran.
    fn tracing_cost(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for on in self.backends.iter().filter(|b| b.tracing.is_some()) {
            let Some(off) = self.backends.iter().find(|b| b.backend == on.backend && b.tracing.is_none())
            else {
                continue;
            };
            let ratio = on.tracing.as_ref().map_or(0.0, |t| t.ratio);
            let target = self.p99_target_ms;
            if let (Some(a), Some(b)) = (on.best(target), off.best(target)) {
                writeln!(
                    f,
                    "tracing cost, {}: traced at {}% held {:.0} pushes/s, untraced {:.0} = {:.3}x",
                    on.backend,
                    ratio * 100.0,
                    a.push.per_second,
                    b.push.per_second,
                    a.push.per_second / b.push.per_second.max(1.0)
                )?;
            }
            let mut both = on
                .steps
                .iter()
                .filter_map(|a| off.steps.iter().find(|b| b.target_per_s == a.target_per_s).map(|b| (a, b)));
            if let Some((a, b)) = both.next_back() {
                writeln!(
                    f,
                    "  at {} requests/s: push p50 {:.1} vs {:.1} ms, p99 {:.1} vs {:.1} ms (traced vs untraced)",
                    a.target_per_s, a.push.p50_ms, b.push.p50_ms, a.push.p99_ms, b.push.p99_ms
                )?;
            }
            // Central's CPU per request over every rate both ran: steal and neighbours move the
            // latencies far more than this.
            let cpu = |b: &BackendReport| {
                let steps: Vec<f64> = b
                    .steps
                    .iter()
                    .filter(|r| {
                        on.steps.iter().chain(&off.steps).filter(|s| s.target_per_s == r.target_per_s).count()
                            == 2
                    })
                    .filter_map(|r| r.cpu_us_per_request)
                    .collect();
                (!steps.is_empty()).then(|| steps.iter().sum::<f64>() / steps.len() as f64)
            };
            if let (Some(a), Some(b)) = (cpu(on), cpu(off)) {
                writeln!(
                    f,
                    "  central's CPU per request over the rates both ran: {a:.0} µs traced vs {b:.0} µs untraced = {:.3}x",
                    a / b.max(1.0)
                )?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in &self.backends {
            let traced = match &b.tracing {
                Some(t) => format!(
                    ", traces exported at {}% ({} exports, {} KiB to the collector)",
                    t.ratio * 100.0,
                    t.exports,
                    t.bytes / 1024
                ),
                None => ", traces off".to_string(),
            };
            writeln!(
                f,
                "{} — {} tills of {} stores, central in its own process, {} s per step, goose{traced}",
                b.backend, b.tills, b.stores, self.seconds_per_step
            )?;
            writeln!(
                f,
                "/healthz (the HTTP stack's ceiling): {:.0} requests/s, p50 {:.1} ms, p99 {:.1} ms",
                b.healthz.per_second, b.healthz.p50_ms, b.healthz.p99_ms
            )?;
            writeln!(
                f,
                " target  requests/s  events/s  pushes/s  push p50  push p99   pulls/s  pull p50  pull p99  errors  pushes/healthz  cpu µs/req"
            )?;
            for r in &b.steps {
                writeln!(f, "{}", step_line(r))?;
                for error in &r.errors {
                    writeln!(f, "         {error}")?;
                }
            }
            match b.best(self.p99_target_ms) {
                Some(best) => writeln!(
                    f,
                    "held: {:.0} pushes/s ({:.0} events/s) = {:.3}x /healthz, P99 {:.1} ms, no errors\n",
                    best.push.per_second,
                    best.events_per_s,
                    best.push_ratio,
                    best.p99_ms()
                )?,
                None => writeln!(f, "no step held P99 under {} ms without errors\n", self.p99_target_ms)?,
            }
        }
        self.tracing_cost(f)
    }
}
