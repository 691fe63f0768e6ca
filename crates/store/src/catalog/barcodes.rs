//! A product's barcodes (migration 09): kept as the catalog file gives them, each on one product
//! only; a line typed or scanned with a barcode instead of a SKU is the product's.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use storedesk_domain::{Barcode, Qty, Sku};

use crate::Store;
use crate::error::{Result, StoreError};

/// Replaces the barcodes of `sku` with `codes`; a code another product carries is refused, naming
/// both.
pub(crate) fn replace(tx: &Transaction<'_>, sku: &str, codes: &[Barcode]) -> Result<()> {
    tx.prepare_cached("DELETE FROM product_barcodes WHERE sku = ?1")?.execute([sku])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO product_barcodes (code, sku) VALUES (?1, ?2) ON CONFLICT (code) DO NOTHING",
    )?;
    for code in codes {
        if insert.execute(params![code.as_str(), sku])? == 0 {
            let other: String =
                tx.query_row("SELECT sku FROM product_barcodes WHERE code = ?1", [code.as_str()], |r| {
                    r.get(0)
                })?;
            return Err(StoreError::Invalid(format!("barcode {code} is already {other}'s (for {sku})")));
        }
    }
    Ok(())
}

/// The SKU a barcode stands for, if any product carries it.
pub(crate) fn sku_of(conn: &Connection, code: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT sku FROM product_barcodes WHERE code = ?1")?
        .query_row([code.trim().to_ascii_uppercase()], |r| r.get(0))
        .optional()?)
}

/// Lines as typed or scanned: a code that is no product's SKU but a product's barcode becomes
/// that product's SKU; anything else is left for pricing to refuse.
pub(crate) fn resolve(conn: &Connection, lines: Vec<(Sku, Qty)>) -> Result<Vec<(Sku, Qty)>> {
    let mut known = conn.prepare_cached("SELECT 1 FROM products WHERE sku = ?1")?;
    let mut out = Vec::with_capacity(lines.len());
    for (sku, qty) in lines {
        if known.exists([sku.as_str()])? {
            out.push((sku, qty));
            continue;
        }
        match sku_of(conn, sku.as_str())? {
            Some(found) => {
                out.push((Sku::parse(&found).map_err(|e| StoreError::Invalid(e.to_string()))?, qty))
            }
            None => out.push((sku, qty)),
        }
    }
    Ok(out)
}

impl Store {
    /// The SKU a scanned or typed barcode stands for (`None`: no product carries it).
    pub fn sku_for_barcode(&self, code: &str) -> Result<Option<String>> {
        self.read(|conn| sku_of(conn, code))
    }

    /// A product's barcodes.
    pub fn barcodes_of(&self, sku: &str) -> Result<Vec<String>> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare_cached("SELECT code FROM product_barcodes WHERE sku = ?1 ORDER BY code")?;
            let rows = stmt.query_map([sku], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
        })
    }
}
