//! The device's side of central's change feed. A page of changes and the new cursor are applied in
//! ONE transaction:
//! - products: newer versions replace older ones (and the catalog cache after the commit);
//! - stock: central's snapshot of a SKU is kept in `central_stock`, and the SKU's stock view is
//!   recomputed (`crate::stock_view`);
//! - orders central allocated to this store are placed as the domain's allocation says: paid,
//!   holding central's reservation, ready to ship;
//! - every order of the store as central holds it (whichever till took it) is kept here too
//!   (`orders::mirror`);
//! - conflicts put the order on hold and raise an attention item.

use std::collections::BTreeSet;
use std::sync::Arc;

use rusqlite::{Transaction, params};
use serde::Serialize;
use storedesk_domain::{Channel, OrderEvent, OrderStatus};
use storedesk_protocol::api::{Change, ChangeBody, ConflictChange, StockSnapshot};

use crate::catalog::{self, Product, ProductVersion};
use crate::error::{Result, StoreError};
use crate::orders::{self, CENTRAL_ACTOR, CentralReservation, LocalReservation, StepDetails};
use crate::sync_state::{self, keys};
use crate::{Store, attention, db, stock_view};

/// What one page of the feed changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FeedReport {
    pub products: usize,
    pub stock: usize,
    pub orders: usize,
    pub conflicts: usize,
    pub cursor: i64,
}

/// What applying a page collects on the way: SKUs whose stock view to recompute, products for the
/// cache once committed.
#[derive(Default)]
struct Page {
    report: FeedReport,
    touched: BTreeSet<String>,
    written: Vec<Arc<Product>>,
}

impl Store {
    /// Applies a page of central's change feed and the cursor after it, in one transaction.
    pub fn apply_changes(&self, changes: &[Change], next_cursor: i64) -> Result<FeedReport> {
        // An empty page at the same position (an idle device polls every second) writes nothing.
        if changes.is_empty() && next_cursor == self.feed_cursor()? {
            return Ok(FeedReport { cursor: next_cursor, ..FeedReport::default() });
        }
        let page = self.write(
            |tx| {
                let now = db::now_ms();
                let mut page = Page {
                    report: FeedReport { cursor: next_cursor, ..FeedReport::default() },
                    ..Page::default()
                };
                for change in changes {
                    apply_change(tx, change, &mut page, now)?;
                }
                stock_view::recompute(tx, &page.touched, now)?;
                sync_state::set(tx, keys::CURSOR, &next_cursor.to_string())?;
                Ok(page)
            },
            |page| self.offer_all(&page.written),
        )?;
        Ok(page.report)
    }
}

fn apply_change(tx: &Transaction<'_>, change: &Change, page: &mut Page, now: i64) -> Result<()> {
    match &change.body {
        ChangeBody::Product(p) => {
            let version = ProductVersion {
                sku: p.sku.to_string(),
                name: p.name.clone(),
                price_minor: p.price_minor,
                version: p.version,
                active: p.active,
            };
            let newer = catalog::apply_versions_in(tx, std::slice::from_ref(&version), now)?;
            page.report.products += newer.len();
            page.written.extend(newer);
        }
        ChangeBody::Stock(snapshot) => {
            let till = crate::settings::load(tx)?.map(|s| s.till.to_string()).unwrap_or_default();
            keep_snapshot(tx, snapshot, change.id, snapshot.heads.get(&till).copied().unwrap_or(0))?;
            page.touched.insert(snapshot.sku.to_string());
            page.report.stock += 1;
        }
        ChangeBody::OrderAllocated(order) => {
            if orders::place_allocated(tx, order, now)? {
                page.report.orders += 1;
            }
        }
        ChangeBody::Order(snapshot) => {
            let till = crate::settings::load(tx)?.map(|s| s.till.to_string()).unwrap_or_default();
            if orders::mirror(tx, snapshot, change.id, &till, now)? {
                page.report.orders += 1;
            }
        }
        ChangeBody::Conflict(conflict) => {
            page.touched.extend(apply_conflict(tx, conflict, now)?);
            page.report.conflicts += 1;
        }
    }
    Ok(())
}

/// Keeps central's snapshot of a SKU, and this till's last adjustment number of it (`till_seq`).
fn keep_snapshot(
    tx: &Transaction<'_>,
    snapshot: &StockSnapshot,
    change_id: i64,
    till_seq: i64,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO central_stock (sku, on_hand, reserved, change_id, till_seq) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (sku) DO UPDATE SET on_hand = excluded.on_hand,
             reserved = excluded.reserved, change_id = excluded.change_id,
             till_seq = MAX(till_seq, excluded.till_seq)",
    )?
    .execute(params![
        snapshot.sku.as_str(),
        snapshot.on_hand,
        snapshot.reserved,
        change_id,
        till_seq
    ])?;
    Ok(())
}

/// Central released an order's reservation: the order goes on hold for an operator's decision.
/// Returns the order's SKUs, whose stock view follows central's snapshot.
fn apply_conflict(tx: &Transaction<'_>, conflict: &ConflictChange, now: i64) -> Result<Vec<String>> {
    let id = conflict.order_id;
    let (channel, status) = match orders::status_of(tx, id) {
        Ok(found) => found,
        Err(StoreError::UnknownOrder(_)) => {
            tracing::warn!(order = %id, "conflict for an order this device does not have");
            return Ok(Vec::new());
        }
        Err(other) => return Err(other),
    };
    let skus =
        orders::set_central_reservation(tx, id, CentralReservation::Released, LocalReservation::Forget, now)?;
    if channel == Channel::Fulfilment && matches!(status, OrderStatus::Paid | OrderStatus::ReadyToShip) {
        let mut details = StepDetails::by(CENTRAL_ACTOR);
        details.reason = Some(conflict.message.clone());
        orders::step(tx, id, OrderEvent::Hold, details, now)?;
    }
    let detail = serde_json::json!({ "conflict_id": conflict.conflict_id, "sku": conflict.sku, "shortfall": conflict.shortfall });
    attention::raise(tx, "conflict", Some(&id.to_string()), &conflict.message, Some(&detail), now)?;
    Ok(skus)
}
