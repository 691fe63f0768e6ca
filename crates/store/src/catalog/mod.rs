//! Products: their rows and versions, lookups through the in-memory cache (`cache`), catalog
//! import from CSV (`import`), barcodes (`barcodes`), the catalog search, and a product's own low-stock threshold.

pub(crate) mod barcodes;
mod cache;
mod import;

use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

pub(crate) use cache::CatalogCache;

use crate::error::{Result, StoreError};
use crate::{Store, db};

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

pub(super) fn load_product(conn: &Connection, sku: &str) -> Result<Option<Product>> {
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

    pub(crate) fn offer_all(&self, products: &[Arc<Product>]) {
        for product in products {
            self.catalog.offer(product.clone());
        }
    }

    /// Loads the whole catalog into the cache (at start, so that searches see every product).
    pub fn warm_catalog(&self) -> Result<usize> {
        let products = self.products()?;
        let n = products.len();
        self.offer_all(&products.into_iter().map(Arc::new).collect::<Vec<_>>());
        Ok(n)
    }

    /// Products whose SKU or name contains `text` (case-insensitive), from the catalog cache.
    pub fn search_catalog(&self, text: &str, limit: usize) -> Vec<Product> {
        let needle = text.trim().to_lowercase();
        let mut found: Vec<Product> = self
            .catalog
            .entries()
            .into_iter()
            .filter(|p| {
                p.active
                    && (needle.is_empty()
                        || p.sku.to_lowercase().contains(&needle)
                        || p.name.to_lowercase().contains(&needle))
            })
            .map(|p| (*p).clone())
            .collect();
        // SKUs that start with the text first, then by SKU.
        found.sort_by(|a, b| {
            let a_starts = !a.sku.to_lowercase().starts_with(&needle);
            let b_starts = !b.sku.to_lowercase().starts_with(&needle);
            (a_starts, &a.sku).cmp(&(b_starts, &b.sku))
        });
        found.truncate(limit);
        found
    }

    /// Sets a product's own low-stock threshold (`None`: the store-wide one applies). The row is
    /// read back in the same transaction and the cache takes it by its rule for local settings:
    /// never over a newer version.
    pub fn set_product_threshold(&self, sku: &str, threshold: Option<i64>) -> Result<()> {
        if threshold.is_some_and(|t| t < 0) {
            return Err(StoreError::Invalid("a low-stock threshold cannot be negative".into()));
        }
        self.write(
            |tx| {
                tx.execute(
                    "UPDATE products SET low_stock_threshold = ?2 WHERE sku = ?1",
                    params![sku, threshold],
                )?;
                let product =
                    load_product(tx, sku)?.ok_or_else(|| StoreError::UnknownSku(sku.to_string()))?;
                Ok(Arc::new(product))
            },
            |product| {
                self.catalog.offer_setting(product.clone());
            },
        )?;
        Ok(())
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
pub(crate) fn write_product(tx: &Transaction<'_>, p: &Product, now: i64) -> Result<()> {
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
