//! `storedesk-dev bench bootstrap`: a new till's first sync against a central whose history is
//! 1x, 10x and 100x its state — the same catalog of P products, its prices changed 0, 9 or 99
//! times more — each on a fresh central (SQLite) on loopback, with the ratio to 1x. A till reads
//! central's snapshot (the newest entry of every thing), so the cost should follow the state.

use std::fmt;
use std::time::Instant;

use anyhow::Context;
use serde::Serialize;
use storedesk_central::Db;
use storedesk_central::service::catalog::{self, ProductInput};
use storedesk_central::service::stores;
use storedesk_sync::SyncEngine;

use crate::bench_sync::{device, serve_on_loopback};

#[derive(Debug, Serialize)]
pub struct BootstrapRow {
    pub history: usize,
    pub feed_entries: usize,
    pub pulled: usize,
    pub seconds: f64,
    pub ratio: f64,
    /// The same first sync reading the whole feed from 0 (the path before the snapshot).
    pub whole_feed_seconds: f64,
    pub whole_feed_ratio: f64,
}

#[derive(Debug, Serialize)]
pub struct BootstrapReport {
    pub products: usize,
    pub rows: Vec<BootstrapRow>,
}

impl fmt::Display for BootstrapReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "a new till's first sync, {} products (SQLite central on loopback)", self.products)?;
        writeln!(
            f,
            "history  feed entries  pulled  seconds  ratio to 1x | whole feed from 0: seconds  ratio"
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "{:>6}x  {:>12}  {:>6}  {:>7.3}  {:>10.2}x | {:>26.3}  {:>5.2}x",
                r.history,
                r.feed_entries,
                r.pulled,
                r.seconds,
                r.ratio,
                r.whole_feed_seconds,
                r.whole_feed_ratio
            )?;
        }
        Ok(())
    }
}

pub async fn run(products: usize) -> anyhow::Result<BootstrapReport> {
    let mut rows: Vec<BootstrapRow> = Vec::new();
    for history in [1, 10, 100] {
        let (pulled, seconds, whole) = first_sync(products, history).await?;
        let (base, whole_base) = rows.first().map_or((seconds, whole), |r| (r.seconds, r.whole_feed_seconds));
        rows.push(BootstrapRow {
            history,
            feed_entries: products * history,
            pulled,
            seconds,
            ratio: seconds / base,
            whole_feed_seconds: whole,
            whole_feed_ratio: whole / whole_base,
        });
    }
    Ok(BootstrapReport { products, rows })
}

/// A central with `products` products written `history` times; a new till's first round, timed,
/// and a second new till reading the whole feed from 0 instead, page by page as the feed is read.
async fn first_sync(products: usize, history: usize) -> anyhow::Result<(usize, f64, f64)> {
    let scratch = tempfile::tempdir()?;
    let url = format!("sqlite://{}", scratch.path().join("central.db").display());
    let db = Db::connect(&url).await.with_context(|| format!("cannot open {url}"))?;
    for round in 0..history {
        for start in (0..products).step_by(5_000) {
            let chunk: Vec<ProductInput> = (start..(start + 5_000).min(products))
                .map(|i| ProductInput {
                    sku: format!("P-{i:06}"),
                    name: format!("Catalog item {i} 商品"),
                    price_minor: 100 + (i % 900) as i64 + round as i64,
                    active: true,
                })
                .collect();
            catalog::upsert_products(&db, &chunk).await?;
        }
    }
    let (store, till) = stores::add_store(&db, "BOOT", None, "CNY").await?;
    let (base, server) = serve_on_loopback(&db).await?;
    let (till_store, client) = device(&scratch.path().join("till"), &store.code, &base, &till.token)?;
    let started = Instant::now();
    let report = SyncEngine::new(till_store.clone(), client).round(true).await?;
    let seconds = started.elapsed().as_secs_f64();
    if let Some(error) = report.error {
        anyhow::bail!("the first sync failed: {error}");
    }
    anyhow::ensure!(
        till_store.products()?.len() == products,
        "the till has {} products",
        till_store.products()?.len()
    );

    let (old, client) = device(&scratch.path().join("old-till"), &store.code, &base, &till.token)?;
    let started = Instant::now();
    let mut cursor = 0;
    loop {
        let page = client.changes(cursor, 5_000).await?;
        let more = page.has_more;
        cursor = old.apply_changes(&page.changes, page.next_cursor)?.cursor;
        if !more {
            break;
        }
    }
    let whole = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        old.products()?.len() == products,
        "the whole-feed till has {} products",
        old.products()?.len()
    );
    server.stop().await;
    db.close().await;
    Ok((report.pulled, seconds, whole))
}
