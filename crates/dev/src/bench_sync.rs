//! `storedesk-dev bench sync`: the sync path against a real central on loopback, in one run.
//!
//! 1. Push: a device with N pending `order_placed` events pushes them in batches of 500 over HTTP;
//!    central applies them (inbox, sequence, reservation, feed) and the device records the answers.
//!    Next to it, central's raw ceiling on the same database: N single-column rows inserted in
//!    multi-row batches of 500, one transaction per batch, through the same pool.
//! 2. D devices at once, each pushing small batches and pulling the feed: request latency seen by
//!    the devices, and errors.
//! 3. Initial pull: M products added at central, a new device reads the feed to its end.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;
use storedesk_central::Db;
use storedesk_central::http::{self, Settings};
use storedesk_central::service::catalog::{self, ProductInput};
use storedesk_central::service::{stock, stores};
use storedesk_domain::line::parse_line;
use storedesk_domain::{Channel, OrderEvent, PaymentMethod};
use storedesk_store::orders::{NewOrder, OrderAction, PaymentInput};
use storedesk_store::relay::{RetryPolicy, push_due};
use storedesk_store::settings::StoreSetup;
use storedesk_store::{OpenOptions, Store, Synchronous};
use storedesk_sync::latency::LatencyRecorder;
use storedesk_sync::{CentralClient, SyncEngine};

#[derive(Debug, Serialize)]
pub struct SyncBenchReport {
    pub backend: String,
    pub events: usize,
    pub push_events_per_s: f64,
    pub raw_insert_rows_per_s: f64,
    pub push_ratio: f64,
    pub push_batch_p50_ms: f64,
    pub push_batch_p99_ms: f64,
    pub products: usize,
    pub pull_seconds: f64,
    pub pull_rows_per_s: f64,
    pub devices: usize,
    pub device_requests: usize,
    pub device_p50_ms: f64,
    pub device_p99_ms: f64,
    pub device_errors: usize,
}

const BATCH: usize = 500;
const SKUS: usize = 50;

fn percentile_ms(samples: &mut [Duration], q: f64) -> f64 {
    samples.sort_unstable();
    let at = ((samples.len().max(1) - 1) as f64 * q).round() as usize;
    samples.get(at).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// A device in a scratch folder (NORMAL durability: the bench measures the network and central).
pub(crate) fn device(
    dir: &std::path::Path,
    code: &str,
    url: &str,
    token: &str,
) -> anyhow::Result<(Arc<Store>, CentralClient)> {
    let store = Arc::new(Store::open_dir_with(
        dir,
        OpenOptions { synchronous: Synchronous::Normal, ..OpenOptions::default() },
    )?);
    store.init(StoreSetup {
        code: code.into(),
        name: None,
        currency: "CNY".into(),
        time_zone: Some("UTC".into()),
    })?;
    let client = CentralClient::new(url, token, Arc::new(LatencyRecorder::new()))?;
    Ok((store, client))
}

/// Central's HTTP API in this process, on a free loopback port, until stopped.
pub(crate) struct LoopbackCentral {
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl LoopbackCentral {
    pub(crate) async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.server.await;
    }
}

/// Serves `db` on a free loopback port (no rate limit); returns its base URL.
pub(crate) async fn serve_on_loopback(db: &Db) -> anyhow::Result<(String, LoopbackCentral)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let admin = http::AdminToken::new(&stores::new_token("sda_"))?;
    let settings = Settings { rate_limit_per_second: 1_000_000, ..Settings::new(admin) };
    let server = tokio::spawn(http::serve(db.clone(), listener, settings, async {
        let _ = stopped.await;
    }));
    Ok((base, LoopbackCentral { stop, server }))
}

/// A central on loopback with the benchmark's catalog, and where its devices keep their data.
struct Bench {
    db: Db,
    base: String,
    scratch: std::path::PathBuf,
    /// Codes unique per run, so a PostgreSQL database can be reused.
    run_id: String,
}

impl Bench {
    fn sku(&self, i: usize) -> String {
        format!("B{}-{i:03}", self.run_id)
    }
}

pub async fn run(
    events: usize,
    products: usize,
    devices: usize,
    database_url: Option<String>,
) -> anyhow::Result<SyncBenchReport> {
    let scratch = tempfile::tempdir()?;
    let url =
        database_url.unwrap_or_else(|| format!("sqlite://{}", scratch.path().join("central.db").display()));
    let backend = if url.starts_with("sqlite:") { "SQLite" } else { "PostgreSQL" }.to_string();
    let db = Db::connect(&url).await.with_context(|| format!("cannot open {url}"))?;
    let (base, server) = serve_on_loopback(&db).await?;
    let bench =
        Bench { db, base, scratch: scratch.path().to_path_buf(), run_id: format!("{:04X}", fastrand_id()) };
    let catalog: Vec<ProductInput> = (0..SKUS)
        .map(|i| ProductInput {
            sku: bench.sku(i),
            name: format!("Bench {i}"),
            price_minor: 100 + i as i64,
            active: true,
        })
        .collect();
    catalog::upsert_products(&bench.db, &catalog).await?;

    let (push_seconds, mut batches) = push_phase(&bench, events).await?;
    let raw_seconds = raw_ceiling(&bench.db, events).await?;
    let (device_requests, device_errors, p50_us, p99_us) = devices_phase(&bench, devices).await?;
    let (pulled_products, pull_seconds, pulled) = pull_phase(&bench, products).await?;

    server.stop().await;
    bench.db.close().await;
    Ok(SyncBenchReport {
        backend,
        events,
        push_events_per_s: events as f64 / push_seconds,
        raw_insert_rows_per_s: events as f64 / raw_seconds,
        push_ratio: raw_seconds / push_seconds,
        push_batch_p50_ms: percentile_ms(&mut batches, 0.5),
        push_batch_p99_ms: percentile_ms(&mut batches, 0.99),
        products: pulled_products,
        pull_seconds,
        pull_rows_per_s: pulled as f64 / pull_seconds,
        devices,
        device_requests: device_requests as usize,
        device_p50_ms: p50_us as f64 / 1000.0,
        device_p99_ms: p99_us as f64 / 1000.0,
        device_errors: device_errors as usize,
    })
}

/// 1. A device with N pending `order_placed` events pushes them in batches: the seconds it took
///    and each batch's time.
async fn push_phase(bench: &Bench, events: usize) -> anyhow::Result<(f64, Vec<Duration>)> {
    let (store_ref, till) = stores::add_store(&bench.db, &format!("P{}", bench.run_id), None, "CNY").await?;
    let token = till.token;
    for i in 0..SKUS {
        stock::receive(&bench.db, &store_ref, &bench.sku(i), (events * 2) as i64 + 10).await?;
    }
    let (push_store, client) = device(&bench.scratch.join("push"), &store_ref.code, &bench.base, &token)?;
    SyncEngine::new(push_store.clone(), client.clone()).round(true).await?;
    for i in 0..events {
        let line = parse_line(&format!("{}=1", bench.sku(i % SKUS)))?;
        let order = NewOrder {
            channel: Channel::Fulfilment,
            lines: vec![line],
            customer: None,
            actor: "bench".into(),
        };
        push_store.place_order(order)?;
    }
    let policy = RetryPolicy { batch_size: BATCH, ..RetryPolicy::default() };
    let mut batches = Vec::new();
    let started = Instant::now();
    loop {
        let t = Instant::now();
        let report = push_due(&push_store, &client, &policy, jiff::Timestamp::now().as_millisecond()).await?;
        if report.pushed == 0 {
            break;
        }
        if let Some(error) = report.transport_error {
            anyhow::bail!("push failed during the benchmark: {error}");
        }
        batches.push(t.elapsed());
    }
    let seconds = started.elapsed().as_secs_f64();
    let applied = push_store.outbox_stats()?;
    anyhow::ensure!(applied.pending == 0 && applied.dead == 0, "not every event was applied: {applied:?}");
    Ok((seconds, batches))
}

/// Central's raw ceiling on the same database: multi-row inserts, one transaction per batch.
async fn raw_ceiling(db: &Db, events: usize) -> anyhow::Result<f64> {
    use storedesk_central::db::{Val, insert_many};
    sqlx::query("CREATE TABLE IF NOT EXISTS bench_raw (id BIGINT PRIMARY KEY, payload TEXT NOT NULL)")
        .execute(db.reader())
        .await?;
    sqlx::query("DELETE FROM bench_raw").execute(db.reader()).await?;
    let started = Instant::now();
    for chunk_start in (0..events).step_by(BATCH) {
        let rows: Vec<Vec<Val>> = (chunk_start..(chunk_start + BATCH).min(events))
            .map(|i| vec![Val::Int(i as i64), Val::Text(format!("event {i} of the raw ceiling"))])
            .collect();
        let mut tx = db.begin().await?;
        insert_many(&mut tx, "INSERT INTO bench_raw (id, payload)", &rows, "").await?;
        tx.commit().await?;
    }
    let seconds = started.elapsed().as_secs_f64();
    sqlx::query("DROP TABLE bench_raw").execute(db.reader()).await?;
    Ok(seconds)
}

/// 2. D devices at once, each selling at the counter and syncing, all recording into one
///    histogram: (requests, errors, p50 µs, p99 µs).
async fn devices_phase(bench: &Bench, devices: usize) -> anyhow::Result<(u64, u64, u64, u64)> {
    let recorder = Arc::new(LatencyRecorder::new());
    let mut tasks = Vec::new();
    for d in 0..devices {
        let (store_ref, till) =
            stores::add_store(&bench.db, &format!("D{}{d:03}", bench.run_id), None, "CNY").await?;
        let token = till.token;
        for i in 0..SKUS {
            stock::receive(&bench.db, &store_ref, &bench.sku(i), 1_000).await?;
        }
        let (store, _) =
            device(&bench.scratch.join(format!("device-{d}")), &store_ref.code, &bench.base, &token)?;
        let client = CentralClient::new(&bench.base, &token, recorder.clone())?;
        let item = bench.sku(d % SKUS);
        tasks.push(tokio::spawn(async move {
            let engine = SyncEngine::new(store.clone(), client);
            for _ in 0..10 {
                for _ in 0..3 {
                    counter_sale(&store, &item);
                }
                // Failures are counted by the recorder.
                let _ = engine.round(true).await;
            }
        }));
    }
    for task in tasks {
        task.await?;
    }
    Ok(recorder.overall())
}

/// 3. M products added at central, a new device reads the feed to its end: (products it has,
///    seconds, changes pulled).
async fn pull_phase(bench: &Bench, products: usize) -> anyhow::Result<(usize, f64, usize)> {
    let mut added = 0;
    while added < products {
        let chunk: Vec<ProductInput> = (added..(added + 5_000).min(products))
            .map(|i| ProductInput {
                sku: format!("M{}-{i:06}", bench.run_id),
                name: format!("Catalog item {i} 商品"),
                price_minor: 100 + (i % 900) as i64,
                active: true,
            })
            .collect();
        added += chunk.len();
        catalog::upsert_products(&bench.db, &chunk).await?;
    }
    let (pull_ref, pull_till) =
        stores::add_store(&bench.db, &format!("Q{}", bench.run_id), None, "CNY").await?;
    let pull_token = pull_till.token;
    let (pull_store, pull_client) =
        device(&bench.scratch.join("pull"), &pull_ref.code, &bench.base, &pull_token)?;
    let started = Instant::now();
    let report = SyncEngine::new(pull_store.clone(), pull_client).round(true).await?;
    let seconds = started.elapsed().as_secs_f64();
    if let Some(error) = report.error {
        anyhow::bail!("the initial pull failed: {error}");
    }
    let pulled_products = pull_store.products()?.len();
    anyhow::ensure!(pulled_products >= products, "pulled {pulled_products} products, expected {products}");
    Ok((pulled_products, seconds, report.pulled))
}

/// A counter sale of one unit, paid and handed over.
fn counter_sale(store: &Store, sku: &str) {
    let Ok(line) = parse_line(&format!("{sku}=1")) else { return };
    let Ok(order) = store.place_order(NewOrder {
        channel: Channel::Counter,
        lines: vec![line],
        customer: None,
        actor: "bench".into(),
    }) else {
        return;
    };
    let mut pay = OrderAction::new(OrderEvent::Pay, "bench");
    pay.details.payment = Some(PaymentInput { method: PaymentMethod::Cash, amount_minor: None });
    let _ = store.apply(&order.number, pay);
    let _ = store.apply(&order.number, OrderAction::new(OrderEvent::HandOver, "bench"));
}

fn fastrand_id() -> u16 {
    (jiff::Timestamp::now().as_nanosecond() as u64 % 65_521) as u16
}

impl std::fmt::Display for SyncBenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "sync benchmark: central on {} over loopback HTTP", self.backend)?;
        writeln!(
            f,
            "push          {} events: {:.0} events/s end to end; central's raw batched insert {:.0} rows/s; ratio {:.2}",
            self.events, self.push_events_per_s, self.raw_insert_rows_per_s, self.push_ratio
        )?;
        writeln!(
            f,
            "              per batch of {BATCH}: p50 {:.1} ms, p99 {:.1} ms",
            self.push_batch_p50_ms, self.push_batch_p99_ms
        )?;
        writeln!(
            f,
            "devices       {} at once, {} requests: p50 {:.1} ms, p99 {:.1} ms, {} errors",
            self.devices, self.device_requests, self.device_p50_ms, self.device_p99_ms, self.device_errors
        )?;
        writeln!(
            f,
            "initial pull  {} products in {:.2} s ({:.0} rows/s)",
            self.products, self.pull_seconds, self.pull_rows_per_s
        )
    }
}
