//! `storedesk-dev bench storage`: central's database size per order after N orders, before and
//! after compaction. The orders come from the load test's tills (`bench_load::fleet`: counter
//! sales, and orders placed, paid and shipped) and are applied through central's service layer in
//! pushes of a till's recent steps — no HTTP — on SQLite, and on PostgreSQL with `--postgres`.

use std::fmt;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;
use sqlx::Row;
use storedesk_central::Db;
use storedesk_central::db::Dialect;
use storedesk_central::service::events;
use storedesk_central::service::feed::compact;
use storedesk_central::service::stores;
use storedesk_protocol::api::EventStatus;
use storedesk_protocol::events::EventBody;

use crate::bench_load::central::PgScratch;
use crate::bench_load::fleet;

#[derive(Debug, Serialize)]
pub struct Size {
    pub bytes: u64,
    pub bytes_per_order: f64,
    pub feed_entries: i64,
    pub inbox_answers: i64,
}

#[derive(Debug, Serialize)]
pub struct StorageRow {
    pub backend: String,
    pub orders: u64,
    pub events: u64,
    pub seed_seconds: f64,
    pub before: Size,
    pub after_compaction: Size,
}

#[derive(Debug, Serialize)]
pub struct StorageReport {
    pub rows: Vec<StorageRow>,
}

const STORES: usize = 10;
const TILLS_PER_STORE: usize = 4;
/// Steps of one till per push (a busy till's sync round).
const STEPS_PER_PUSH: usize = 50;

pub async fn run(orders: u64, postgres: Option<&str>) -> anyhow::Result<StorageReport> {
    let scratch = tempfile::tempdir()?;
    let sqlite = format!("sqlite://{}", scratch.path().join("central.db").display());
    let mut rows = vec![measure("SQLite", &sqlite, orders).await?];
    if let Some(server) = postgres {
        let database = PgScratch::create(server).await?;
        let row = measure("PostgreSQL", database.url(), orders).await;
        database.drop_it().await?;
        rows.push(row?);
    }
    Ok(StorageReport { rows })
}

async fn measure(backend: &str, url: &str, orders: u64) -> anyhow::Result<StorageRow> {
    let db = Db::connect(url).await.with_context(|| format!("cannot open {url}"))?;
    let mut tills = fleet::seed(&db, STORES, TILLS_PER_STORE).await?;
    let mut devices = Vec::with_capacity(tills.len());
    for till in &tills {
        devices.push(stores::authenticate(&db, till.token()).await?);
    }
    let started = Instant::now();
    let (mut placed, mut pushed, mut next_report) = (0u64, 0u64, 100_000u64);
    'seed: loop {
        for (till, device) in tills.iter_mut().zip(&devices) {
            let mut batch = Vec::new();
            for _ in 0..STEPS_PER_PUSH {
                let step = till.next_step();
                batch.extend(till.events(step));
            }
            placed += batch
                .iter()
                .filter(|e| matches!(e.body, EventBody::CounterSale(_) | EventBody::OrderPlaced(_)))
                .count() as u64;
            pushed += batch.len() as u64;
            let outcomes = events::push(&db, device, &batch).await?;
            if let Some(refused) = outcomes.iter().find(|o| !matches!(o.status, EventStatus::Applied)) {
                anyhow::bail!("central did not apply a seeded event: {refused:?}");
            }
            if placed >= orders {
                break 'seed;
            }
        }
        if placed >= next_report {
            eprintln!("{backend}: {placed} orders");
            next_report += 100_000;
        }
    }
    let seed_seconds = started.elapsed().as_secs_f64();
    let before = size(&db, placed).await?;
    compact::compact(&db, Duration::ZERO).await?;
    let after_compaction = size(&db, placed).await?;
    db.close().await;
    Ok(StorageRow {
        backend: backend.into(),
        orders: placed,
        events: pushed,
        seed_seconds,
        before,
        after_compaction,
    })
}

/// The database's size once space freed by deletes is given back (VACUUM), and what the feed and
/// the inbox hold.
async fn size(db: &Db, orders: u64) -> anyhow::Result<Size> {
    let bytes: i64 = match db.dialect {
        Dialect::Sqlite => {
            sqlx::query("VACUUM").execute(db.reader()).await?;
            let row =
                sqlx::query("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
                    .fetch_one(db.reader())
                    .await?;
            row.try_get(0)?
        }
        Dialect::Postgres => {
            sqlx::query("VACUUM FULL").execute(db.reader()).await?;
            sqlx::query_scalar("SELECT pg_database_size(current_database())").fetch_one(db.reader()).await?
        }
    };
    let feed_entries: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM changes").fetch_one(db.reader()).await?;
    let inbox_answers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inbox").fetch_one(db.reader()).await?;
    let bytes = u64::try_from(bytes).unwrap_or(0);
    Ok(Size { bytes, bytes_per_order: bytes as f64 / orders.max(1) as f64, feed_entries, inbox_answers })
}

impl fmt::Display for StorageReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "central's database after N orders ({STORES} stores x {TILLS_PER_STORE} tills, through the service layer)"
        )?;
        writeln!(
            f,
            "backend      orders    events  seed s | size MB  bytes/order  feed rows  inbox rows | compacted: size MB  bytes/order  feed rows  inbox rows"
        )?;
        for r in &self.rows {
            let (b, a) = (&r.before, &r.after_compaction);
            writeln!(
                f,
                "{:<10} {:>8} {:>9} {:>7.0} | {:>7.1} {:>12.0} {:>10} {:>11} | {:>18.1} {:>12.0} {:>10} {:>11}",
                r.backend,
                r.orders,
                r.events,
                r.seed_seconds,
                b.bytes as f64 / 1e6,
                b.bytes_per_order,
                b.feed_entries,
                b.inbox_answers,
                a.bytes as f64 / 1e6,
                a.bytes_per_order,
                a.feed_entries,
                a.inbox_answers
            )?;
        }
        Ok(())
    }
}
