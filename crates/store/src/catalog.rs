//! Products, the in-memory catalog cache, and catalog import from CSV.
//!
//! Lookups while taking orders come from the cache. Entries carry the product's version and a
//! write of a newer version replaces the entry; an older version never replaces a newer one. Cache
//! misses and writes both run under the store's connection lock, so a reader can never put a
//! version it read before a write back into the cache after that write.

use std::io::Read;
use std::sync::Arc;

use moka::ops::compute::Op;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use storedesk_domain::stock::AdjustReason;
use storedesk_protocol::catalog_csv;

use crate::error::{Result, StoreError};
use crate::{Store, db, stock};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Product {
    pub sku: String,
    pub name: String,
    #[serde(with = "storedesk_protocol::minor")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub price_minor: i64,
    pub version: i64,
    pub active: bool,
    pub low_stock_threshold: Option<i64>,
}

/// SKU -> newest known product version.
pub(crate) struct CatalogCache {
    entries: moka::sync::Cache<String, Arc<Product>>,
}

impl CatalogCache {
    pub(crate) fn new() -> Self {
        Self { entries: moka::sync::Cache::builder().max_capacity(1_000_000).build() }
    }

    fn get(&self, sku: &str) -> Option<Arc<Product>> {
        self.entries.get(sku)
    }

    /// Every cached product (the whole catalog once warmed).
    pub(crate) fn entries(&self) -> Vec<Arc<Product>> {
        self.entries.iter().map(|(_, product)| product).collect()
    }

    /// Replaces the entry for a change that keeps the version (a local setting such as the
    /// low-stock threshold).
    pub(crate) fn replace(&self, product: Arc<Product>) {
        self.entries.insert(product.sku.clone(), product);
    }

    /// Keeps `product` unless the cache already holds the same or a newer version; returns
    /// whichever is cached afterwards.
    pub(crate) fn offer(&self, product: Arc<Product>) -> Arc<Product> {
        let offered = product.clone();
        let result = self.entries.entry(product.sku.clone()).and_compute_with(|current| match current {
            Some(entry) if entry.value().version >= offered.version => Op::Nop,
            _ => Op::Put(offered),
        });
        match result {
            moka::ops::compute::CompResult::Unchanged(entry)
            | moka::ops::compute::CompResult::Inserted(entry)
            | moka::ops::compute::CompResult::ReplacedWith(entry) => entry.into_value(),
            _ => product,
        }
    }
}

const PRODUCT_COLUMNS: &str = "sku, name, price_minor, version, active, low_stock_threshold";

fn product_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Product> {
    Ok(Product {
        sku: row.get(0)?,
        name: row.get(1)?,
        price_minor: row.get(2)?,
        version: row.get(3)?,
        active: row.get(4)?,
        low_stock_threshold: row.get(5)?,
    })
}

fn load_product(conn: &Connection, sku: &str) -> Result<Option<Product>> {
    let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE sku = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([sku], product_from_row).optional()?)
}

/// A product change coming from outside (central's catalog feed).
#[derive(Clone, Debug)]
pub struct ProductVersion {
    pub sku: String,
    pub name: String,
    pub price_minor: i64,
    pub version: i64,
    pub active: bool,
}

/// What a catalog import changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportSummary {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub stock_adjusted: usize,
}

impl Store {
    /// The product for `sku`, from the cache when it is there.
    pub fn product(&self, sku: &str) -> Result<Arc<Product>> {
        if let Some(product) = self.catalog.get(sku) {
            return Ok(product);
        }
        let conn = self.lock();
        self.product_in(&conn, sku)
    }

    /// Cache lookup for callers that already hold the connection (inside a transaction).
    pub(crate) fn product_in(&self, conn: &Connection, sku: &str) -> Result<Arc<Product>> {
        if let Some(product) = self.catalog.get(sku) {
            return Ok(product);
        }
        let product = load_product(conn, sku)?.ok_or_else(|| StoreError::UnknownSku(sku.to_string()))?;
        Ok(self.catalog.offer(Arc::new(product)))
    }

    /// Every product, ordered by SKU.
    pub fn products(&self) -> Result<Vec<Product>> {
        self.read(|conn| {
            let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products ORDER BY sku");
            let mut stmt = conn.prepare(&sql)?;
            let rows = stmt.query_map([], product_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Writes product versions that are newer than what the store has (sync's catalog feed).
    /// Returns how many were newer. New SKUs get an empty stock row.
    pub fn apply_product_versions(&self, versions: &[ProductVersion]) -> Result<usize> {
        let changed = self
            .write(|tx| apply_versions_in(tx, versions, db::now_ms()), |changed| self.offer_all(changed))?;
        Ok(changed.len())
    }

    /// Imports `sku,name,price,stock` rows (price in major units; `stock`, when given, is the
    /// counted quantity on hand). All rows are checked before anything is written and the whole
    /// import is one transaction: a bad row anywhere leaves the store as it was.
    pub fn import_catalog_csv(&self, input: impl Read, source_name: &str) -> Result<ImportSummary> {
        let settings = self.settings()?;
        let rows = catalog_csv::parse(input, source_name, settings.currency, catalog_csv::Stock::Optional)
            .map_err(StoreError::from)?;
        let (summary, _) = self.write(
            |tx| {
                let now = db::now_ms();
                let mut summary = ImportSummary::default();
                let mut changed = Vec::new();
                let note = format!("catalog import {source_name}");
                for row in &rows {
                    let at_line = |e: StoreError, column: &str| StoreError::Csv {
                        file: source_name.to_string(),
                        line: row.line,
                        column: column.to_string(),
                        message: e.to_string(),
                    };
                    let current = load_product(tx, row.sku.as_str())?;
                    let product = match &current {
                        None => {
                            summary.added += 1;
                            Some(Product {
                                sku: row.sku.to_string(),
                                name: row.name.clone(),
                                price_minor: row.price_minor,
                                version: 1,
                                active: true,
                                low_stock_threshold: None,
                            })
                        }
                        Some(c) if c.name != row.name || c.price_minor != row.price_minor || !c.active => {
                            summary.updated += 1;
                            Some(Product {
                                name: row.name.clone(),
                                price_minor: row.price_minor,
                                version: c.version + 1,
                                active: true,
                                ..c.clone()
                            })
                        }
                        Some(_) => {
                            summary.unchanged += 1;
                            None
                        }
                    };
                    if let Some(product) = product {
                        write_product(tx, &product, now)?;
                        changed.push(Arc::new(product));
                    }
                    if let Some(counted) = row.stock {
                        let level = stock::level(tx, row.sku.as_str())?;
                        let delta = counted - level.on_hand;
                        if delta != 0 {
                            stock::adjust_in(
                                tx,
                                row.sku.as_str(),
                                delta,
                                AdjustReason::Count,
                                Some(&note),
                                now,
                            )
                            .map_err(|e| at_line(e, "stock"))?;
                            summary.stock_adjusted += 1;
                        }
                    }
                }
                Ok((summary, changed))
            },
            |(_, changed)| self.offer_all(changed),
        )?;
        tracing::info!(source = source_name, ?summary, "imported catalog");
        Ok(summary)
    }

    pub(crate) fn offer_all(&self, products: &[Arc<Product>]) {
        for product in products {
            self.catalog.offer(product.clone());
        }
    }
}

/// Writes the versions newer than the stored ones inside the caller's transaction; returns them
/// for the cache (offered after the commit).
pub(crate) fn apply_versions_in(
    tx: &Transaction<'_>,
    versions: &[ProductVersion],
    now: i64,
) -> Result<Vec<Arc<Product>>> {
    let mut changed = Vec::new();
    for v in versions {
        let current = load_product(tx, &v.sku)?;
        if current.as_ref().is_some_and(|c| c.version >= v.version) {
            continue;
        }
        let product = Product {
            sku: v.sku.clone(),
            name: v.name.clone(),
            price_minor: v.price_minor,
            version: v.version,
            active: v.active,
            low_stock_threshold: current.and_then(|c| c.low_stock_threshold),
        };
        write_product(tx, &product, now)?;
        changed.push(Arc::new(product));
    }
    Ok(changed)
}

/// Inserts or replaces a product row, and makes sure it has a stock row.
fn write_product(tx: &Transaction<'_>, p: &Product, now: i64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO products (sku, name, price_minor, version, active, low_stock_threshold, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price_minor = excluded.price_minor,
             version = excluded.version, active = excluded.active,
             low_stock_threshold = excluded.low_stock_threshold, updated_at = excluded.updated_at",
    )?
    .execute(params![p.sku, p.name, p.price_minor, p.version, p.active, p.low_stock_threshold, now])?;
    tx.prepare_cached(
        "INSERT INTO stock (sku, on_hand, reserved, updated_at) VALUES (?1, 0, 0, ?2) ON CONFLICT (sku) DO NOTHING",
    )?
    .execute(params![p.sku, now])?;
    Ok(())
}
