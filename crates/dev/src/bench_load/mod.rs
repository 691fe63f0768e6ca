//! `storedesk-dev bench load`: central under the traffic of hundreds of tills of many stores.
//!
//! Central runs in its own process (the release `storedesk-central serve`, found next to this
//! program) over a fresh database — SQLite, and PostgreSQL when `--postgres` names a server — seeded
//! through its service layer. Goose drives the tills (`fleet`: counter sales, orders placed, paid
//! and shipped, catch-up pushes, feed pulls) at a constant arrival rate, stepped up until the P99
//! passes the target; in the same run, goose's figures for `/healthz` give the ceiling of the HTTP
//! stack, and each step's push rate is quoted as a ratio of it.

mod attack;
pub(crate) mod central;
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
    pub tills: usize,
    pub stores: usize,
    pub healthz: Figures,
    pub steps: Vec<StepRow>,
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
    let sqlite = format!("sqlite://{}", scratch.path().join("central.db").display());
    backends.push(run_backend(options, "SQLite", &sqlite, scratch.path()).await?);
    if let Some(server) = &options.postgres {
        let database = central::PgScratch::create(server).await?;
        let report = run_backend(options, "PostgreSQL", database.url(), scratch.path()).await;
        database.drop_it().await?;
        backends.push(report?);
    }
    Ok(LoadReport { seconds_per_step: options.seconds, p99_target_ms: options.p99_target_ms, backends })
}

async fn run_backend(
    options: &LoadOptions,
    backend: &str,
    url: &str,
    scratch: &std::path::Path,
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
    let server = central::Central::start(url, &scratch.join(format!("central-{backend}.log"))).await?;
    let base = server.base().to_string();

    let metrics = attack::run(&base, attack::healthz(), users, None, options.seconds).await?;
    let healthz = attack::figures(&metrics, "healthz", options.seconds);
    eprintln!("{backend}: /healthz {:.0} requests/s", healthz.per_second);

    let mut steps: Vec<StepRow> = Vec::new();
    let mut rate = options.start_rate;
    for _ in 0..options.max_steps {
        fleet.counters.take_applied();
        let metrics =
            attack::run(&base, attack::tills(fleet.clone()), users, Some(rate), options.seconds).await?;
        let push = attack::push_figures(&metrics, options.seconds);
        let pull = attack::pull_figures(&metrics, options.seconds);
        let events_per_s = fleet.counters.take_applied() as f64 / options.seconds as f64;
        let row = StepRow {
            target_per_s: rate,
            requests_per_s: push.per_second + pull.per_second,
            events_per_s,
            push_ratio: push.per_second / healthz.per_second.max(1.0),
            push,
            pull,
            errors: attack::errors(&metrics),
        };
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
    Ok(BackendReport { backend: backend.to_string(), tills: users, stores: options.stores, healthz, steps })
}

fn step_line(r: &StepRow) -> String {
    format!(
        "{:>7}  {:>9.0}  {:>8.0}  {:>8.0}  {:>7.1}  {:>7.1}  {:>8.0}  {:>7.1}  {:>7.1}  {:>6}  {:>6.3}x",
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
        r.push_ratio
    )
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in &self.backends {
            writeln!(
                f,
                "{} — {} tills of {} stores, central in its own process, {} s per step, goose",
                b.backend, b.tills, b.stores, self.seconds_per_step
            )?;
            writeln!(
                f,
                "/healthz (the HTTP stack's ceiling): {:.0} requests/s, p50 {:.1} ms, p99 {:.1} ms",
                b.healthz.per_second, b.healthz.p50_ms, b.healthz.p99_ms
            )?;
            writeln!(
                f,
                " target  requests/s  events/s  pushes/s  push p50  push p99   pulls/s  pull p50  pull p99  errors  pushes/healthz"
            )?;
            for r in &b.steps {
                writeln!(f, "{}", step_line(r))?;
                for error in &r.errors {
                    writeln!(f, "         {error}")?;
                }
            }
            match b.steps.iter().rev().find(|r| r.held(self.p99_target_ms)) {
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
        Ok(())
    }
}
