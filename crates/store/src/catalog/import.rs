//! Catalog import from CSV (`sku,name,price,stock`): every row checked before anything is written,
//! the whole import one transaction.

use std::io::Read;
use std::sync::Arc;

use rusqlite::Transaction;
use storedesk_domain::Permission;
use storedesk_domain::stock::AdjustReason;
use storedesk_protocol::catalog_csv::{self, CatalogRow};

use super::{ImportSummary, Product, load_product, write_product};
use crate::error::{Result, StoreError};
use crate::staff::{self, Actor};
use crate::{Store, audit, db, stock};

impl Store {
    /// Imports `sku,name,price,stock` rows (price in major units; `stock`, when given, is the
    /// counted quantity on hand). All rows are checked before anything is written and the whole
    /// import is one transaction: a bad row anywhere leaves the store as it was. `by` needs the
    /// `change_prices` permission (a manager's).
    pub fn import_catalog_csv(
        &self,
        by: &Actor,
        input: impl Read,
        source_name: &str,
    ) -> Result<ImportSummary> {
        let settings = self.settings()?;
        let rows = catalog_csv::parse(input, source_name, settings.currency, catalog_csv::Stock::Optional)
            .map_err(StoreError::from)?;
        let (summary, _) = self.refusals_recorded(by, Some(source_name), || {
            self.write(
                |tx| {
                    staff::allow(tx, by, Permission::ChangePrices, None)?;
                    let now = db::now_ms();
                    let mut summary = ImportSummary::default();
                    let mut changed = Vec::new();
                    for row in &rows {
                        if let Some(product) = import_product(tx, row, &mut summary, now)? {
                            changed.push(product);
                        }
                        if let Some(codes) = &row.barcodes {
                            super::barcodes::replace(tx, row.sku.as_str(), codes)?;
                        }
                        count_stock(tx, by, row, source_name, &mut summary, now)?;
                    }
                    let detail = format!(
                        "{} added, {} updated, {} unchanged, {} stock counts",
                        summary.added, summary.updated, summary.unchanged, summary.stock_adjusted
                    );
                    let entry = audit::Entry {
                        action: "catalog.import",
                        subject: Some(source_name),
                        detail: Some(&detail),
                    };
                    audit::append(tx, by, entry, now)?;
                    Ok((summary, changed))
                },
                |(_, changed)| self.offer_all(changed),
            )
        })?;
        tracing::info!(source = source_name, ?summary, "imported catalog");
        Ok(summary)
    }
}

/// Adds the row's product, or a new version of it when its name or price changed.
fn import_product(
    tx: &Transaction<'_>,
    row: &CatalogRow,
    summary: &mut ImportSummary,
    now: i64,
) -> Result<Option<Arc<Product>>> {
    let product = match load_product(tx, row.sku.as_str())? {
        None => {
            summary.added += 1;
            Product {
                sku: row.sku.to_string(),
                name: row.name.clone(),
                price_minor: row.price_minor,
                version: 1,
                active: true,
                low_stock_threshold: None,
            }
        }
        Some(c) if c.name != row.name || c.price_minor != row.price_minor || !c.active => {
            summary.updated += 1;
            Product {
                name: row.name.clone(),
                price_minor: row.price_minor,
                version: c.version + 1,
                active: true,
                ..c
            }
        }
        Some(_) => {
            summary.unchanged += 1;
            return Ok(None);
        }
    };
    write_product(tx, &product, now)?;
    Ok(Some(Arc::new(product)))
}

/// A `stock` column is a count: the difference to what is on hand is adjusted as a count.
fn count_stock(
    tx: &Transaction<'_>,
    by: &Actor,
    row: &CatalogRow,
    source_name: &str,
    summary: &mut ImportSummary,
    now: i64,
) -> Result<()> {
    let Some(counted) = row.stock else { return Ok(()) };
    let delta = counted - stock::level(tx, row.sku.as_str())?.on_hand;
    if delta == 0 {
        return Ok(());
    }
    let note = format!("catalog import {source_name}");
    stock::adjust_in(tx, by, row.sku.as_str(), delta, AdjustReason::Count, Some(&note), now).map_err(
        |e| StoreError::Csv {
            file: source_name.to_string(),
            line: row.line,
            column: "stock".to_string(),
            message: e.to_string(),
        },
    )?;
    summary.stock_adjusted += 1;
    Ok(())
}
