//! `storedesk-dev bench saga`: what placing a fulfilment order costs next to the raw ceiling.
//!
//! For each `synchronous` setting the store supports, in fresh database files with the same
//! pragmas: the raw ceiling is one single-row insert per transaction into a bare table; the saga is
//! `place_order` — order, lines, reservation, ledger, timeline and outbox in one transaction.

use std::fmt;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde::Serialize;
use storedesk_domain::{Channel, Qty, Sku};
use storedesk_store::orders::NewOrder;
use storedesk_store::settings::StoreSetup;
use storedesk_store::{OpenOptions, Store, Synchronous, db};

#[derive(Clone, Debug)]
pub struct SagaBenchOptions {
    pub orders: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct SagaBenchReport {
    pub orders: usize,
    pub lines_per_order: usize,
    pub runs: Vec<SagaRun>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SagaRun {
    pub synchronous: &'static str,
    pub raw_tx_per_s: f64,
    pub saga_orders_per_s: f64,
    /// saga orders/s divided by raw transactions/s.
    pub ratio: f64,
    pub saga_p50_us: f64,
    pub saga_p99_us: f64,
    pub raw_p50_us: f64,
    pub raw_p99_us: f64,
}

const PRODUCTS: usize = 200;
const LINES_PER_ORDER: usize = 2;

/// Runs the benchmark in a temporary folder that is removed afterwards.
pub fn run_saga_bench(options: &SagaBenchOptions) -> Result<SagaBenchReport> {
    let dir = tempfile::Builder::new().prefix("storedesk-bench-").tempdir().context("a temporary folder")?;
    let mut runs = Vec::new();
    for (i, synchronous) in [Synchronous::Full, Synchronous::Normal].into_iter().enumerate() {
        let open = OpenOptions { synchronous, ..OpenOptions::default() };
        let raw = raw_ceiling(&dir.path().join(format!("raw-{i}.db")), &open, options.orders)?;
        let saga = saga(&dir.path().join(format!("saga-{i}.db")), open, options.orders)?;
        let (raw_rate, saga_rate) = (rate(&raw), rate(&saga));
        runs.push(SagaRun {
            synchronous: synchronous.as_str(),
            raw_tx_per_s: raw_rate,
            saga_orders_per_s: saga_rate,
            ratio: saga_rate / raw_rate,
            saga_p50_us: percentile_us(&saga, 0.50),
            saga_p99_us: percentile_us(&saga, 0.99),
            raw_p50_us: percentile_us(&raw, 0.50),
            raw_p99_us: percentile_us(&raw, 0.99),
        });
    }
    Ok(SagaBenchReport { orders: options.orders, lines_per_order: LINES_PER_ORDER, runs })
}

fn raw_ceiling(path: &Path, options: &OpenOptions, n: usize) -> Result<Vec<Duration>> {
    let mut conn = rusqlite::Connection::open(path)?;
    db::configure(&conn, options)?;
    conn.execute_batch("CREATE TABLE bare (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")?;
    let mut timings = Vec::with_capacity(n);
    for i in 0..n {
        let start = Instant::now();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.prepare_cached("INSERT INTO bare (payload) VALUES (?1)")?.execute([format!("row {i}")])?;
        tx.commit()?;
        timings.push(start.elapsed());
    }
    Ok(timings)
}

fn saga(path: &Path, options: OpenOptions, n: usize) -> Result<Vec<Duration>> {
    let store = Store::open(path, options)?;
    store.init(StoreSetup {
        code: "BENCH".into(),
        name: None,
        currency: "CNY".into(),
        time_zone: Some("UTC".into()),
    })?;
    let mut csv = String::from("sku,name,price,stock\n");
    for p in 0..PRODUCTS {
        csv.push_str(&format!(
            "SKU-{p:04},Product {p},{}.{:02},{}\n",
            1 + p % 90,
            p % 100,
            n * LINES_PER_ORDER + 1
        ));
    }
    store.import_catalog_csv(&"bench".into(), csv.as_bytes(), "bench")?;
    let skus: Vec<Sku> =
        (0..PRODUCTS).map(|p| Sku::parse(&format!("SKU-{p:04}"))).collect::<Result<_, _>>()?;
    let one = Qty::new(1)?;
    let mut timings = Vec::with_capacity(n);
    for i in 0..n {
        let lines = (0..LINES_PER_ORDER).map(|l| (skus[(i * 7 + l * 13) % PRODUCTS].clone(), one)).collect();
        let start = Instant::now();
        store.place_order(NewOrder {
            channel: Channel::Fulfilment,
            lines,
            customer: Some(format!("Customer {i}")),
            actor: "bench".into(),
        })?;
        timings.push(start.elapsed());
    }
    Ok(timings)
}

fn rate(timings: &[Duration]) -> f64 {
    let total: Duration = timings.iter().sum();
    timings.len() as f64 / total.as_secs_f64().max(f64::MIN_POSITIVE)
}

fn percentile_us(timings: &[Duration], q: f64) -> f64 {
    let mut sorted = timings.to_vec();
    sorted.sort_unstable();
    let at = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted.get(at).map_or(0.0, |d| d.as_secs_f64() * 1e6)
}

impl fmt::Display for SagaBenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "saga benchmark: {} fulfilment orders of {} lines, one transaction each",
            self.orders, self.lines_per_order
        )?;
        writeln!(
            f,
            "{:<12} {:>14} {:>16} {:>7} {:>10} {:>10} {:>10} {:>10}",
            "synchronous", "raw tx/s", "saga orders/s", "ratio", "saga p50", "saga p99", "raw p50", "raw p99"
        )?;
        for r in &self.runs {
            writeln!(
                f,
                "{:<12} {:>14.0} {:>16.0} {:>7.2} {:>8.0}us {:>8.0}us {:>8.0}us {:>8.0}us",
                r.synchronous,
                r.raw_tx_per_s,
                r.saga_orders_per_s,
                r.ratio,
                r.saga_p50_us,
                r.saga_p99_us,
                r.raw_p50_us,
                r.raw_p99_us
            )?;
        }
        Ok(())
    }
}
