//! The device's side of central's change feed, and the sync state the engine keeps here.
//!
//! A page of changes and the new cursor are applied in ONE transaction:
//! - products: newer versions replace older ones (and the catalog cache after the commit);
//! - stock: central's snapshot of a SKU is stored in `central_stock`, and the device's stock view
//!   for that SKU is recomputed as the snapshot plus everything central does not count yet — the
//!   device's events it has not applied (or whose effect is past the snapshot) replayed with the
//!   same [`EventBody::stock_effect`] central uses, and counter orders not yet handed over. The
//!   difference is written as a `sync` ledger row, so the ledger still explains every number;
//! - orders central allocated to this store arrive paid and ready to ship;
//! - conflicts put the order on hold and raise an attention item.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use storedesk_domain::{Channel, LedgerReason, OrderEvent, OrderId, OrderStatus, StockDelta};
use storedesk_protocol::api::{AllocatedOrder, Change, ChangeBody, ConflictChange};
use storedesk_protocol::events::LineItem;

use crate::catalog::{self, ProductVersion};
use crate::error::{Result, StoreError};
use crate::orders::{self, CENTRAL_ACTOR, LocalReservation, StepDetails};
use crate::outbox::OutboxEvent;
use crate::{Store, attention, db, stock};

/// Keys of the `sync_state` table.
pub mod keys {
    pub const CENTRAL_URL: &str = "central_url";
    pub const CURSOR: &str = "cursor";
    pub const LAST_SUCCESS_AT: &str = "last_success_at";
    pub const LAST_ERROR: &str = "last_error";
    pub const LAST_ERROR_AT: &str = "last_error_at";
}

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

pub(crate) fn get_state(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM sync_state WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

fn set_state(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}

impl Store {
    /// A value of the sync state (see [`keys`]).
    pub fn sync_value(&self, key: &str) -> Result<Option<String>> {
        self.read(|conn| get_state(conn, key))
    }

    pub fn set_sync_value(&self, key: &str, value: &str) -> Result<()> {
        self.write(|tx| set_state(tx, key, value), |_| {})
    }

    pub fn clear_sync_value(&self, key: &str) -> Result<()> {
        self.write(
            |tx| {
                tx.execute("DELETE FROM sync_state WHERE key = ?1", [key])?;
                Ok(())
            },
            |_| {},
        )
    }

    /// The feed cursor: the id of the last change applied (0 before the first pull).
    pub fn feed_cursor(&self) -> Result<i64> {
        Ok(self.sync_value(keys::CURSOR)?.and_then(|c| c.parse().ok()).unwrap_or(0))
    }

    /// Applies a page of central's change feed and the cursor after it, in one transaction.
    pub fn apply_changes(&self, changes: &[Change], next_cursor: i64) -> Result<FeedReport> {
        // An empty page at the same position (an idle device polls every second) writes nothing.
        if changes.is_empty() && next_cursor == self.feed_cursor()? {
            return Ok(FeedReport { cursor: next_cursor, ..FeedReport::default() });
        }
        let (report, _) = self.write(
            |tx| {
                let now = db::now_ms();
                let mut report = FeedReport { cursor: next_cursor, ..FeedReport::default() };
                let mut touched = BTreeSet::new();
                let mut written = Vec::new();
                for change in changes {
                    match &change.body {
                        ChangeBody::Product(p) => {
                            let version = ProductVersion {
                                sku: p.sku.clone(),
                                name: p.name.clone(),
                                price_minor: p.price_minor,
                                version: p.version,
                                active: p.active,
                            };
                            let newer = catalog::apply_versions_in(tx, std::slice::from_ref(&version), now)?;
                            report.products += newer.len();
                            written.extend(newer);
                        }
                        ChangeBody::Stock(snapshot) => {
                            tx.prepare_cached(
                                "INSERT INTO central_stock (sku, on_hand, reserved, change_id) VALUES (?1, ?2, ?3, ?4)
                                 ON CONFLICT (sku) DO UPDATE SET on_hand = excluded.on_hand,
                                     reserved = excluded.reserved, change_id = excluded.change_id",
                            )?
                            .execute(params![snapshot.sku, snapshot.on_hand, snapshot.reserved, change.id])?;
                            touched.insert(snapshot.sku.clone());
                            report.stock += 1;
                        }
                        ChangeBody::OrderAllocated(order) => {
                            if insert_allocated_order(tx, order, now)? {
                                report.orders += 1;
                            }
                        }
                        ChangeBody::Conflict(conflict) => {
                            touched.extend(apply_conflict(tx, conflict, now)?);
                            report.conflicts += 1;
                        }
                    }
                }
                recompute_stock(tx, &touched, now)?;
                set_state(tx, keys::CURSOR, &next_cursor.to_string())?;
                Ok((report, written))
            },
            |(_, written)| self.offer_all(written),
        )?;
        Ok(report)
    }
}

/// Inserts an order central allocated to this store; `false` when it is already here.
fn insert_allocated_order(tx: &Transaction<'_>, order: &AllocatedOrder, now: i64) -> Result<bool> {
    let key = order.order_id.to_string();
    let exists: Option<i64> = tx
        .prepare_cached("SELECT 1 FROM orders WHERE id = ?1")?
        .query_row([&key], |r| r.get(0))
        .optional()?;
    if exists.is_some() {
        return Ok(false);
    }
    // Paid on the platform, reserved at central (the snapshot counts the reservation).
    tx.prepare_cached(
        "INSERT INTO orders (id, number, channel, status, customer, currency, total_minor, origin,
                             reservation_held, central_reservation, steps, created_at, updated_at)
         VALUES (?1, ?2, 'fulfilment', 'ready_to_ship', ?3, ?4, ?5, 'central', 1, 'accepted', 1, ?6, ?6)",
    )?
    .execute(params![key, order.number, order.customer, order.currency, order.total_minor, now])?;
    for (i, line) in order.lines.iter().enumerate() {
        let name: String = tx
            .prepare_cached("SELECT name FROM products WHERE sku = ?1")?
            .query_row([&line.sku], |r| r.get(0))
            .optional()?
            .unwrap_or_else(|| line.sku.clone());
        tx.prepare_cached(
            "INSERT INTO order_lines (order_id, line_no, sku, name, qty, unit_price_minor) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![key, i as i64 + 1, line.sku, name, line.qty, line.unit_price_minor])?;
    }
    tx.prepare_cached(
        "INSERT INTO payments (order_id, kind, method, amount_minor, at) VALUES (?1, 'payment', 'other', ?2, ?3)",
    )?
    .execute(params![key, order.total_minor, now])?;
    tx.prepare_cached(
        "INSERT INTO order_timeline (order_id, step, from_status, event, to_status, at, actor, reason)
         VALUES (?1, 1, NULL, NULL, 'ready_to_ship', ?2, ?3, 'placed and paid on the central platform')",
    )?
    .execute(params![key, now, CENTRAL_ACTOR])?;
    Ok(true)
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
    let skus = orders::set_central_reservation(tx, id, "released", LocalReservation::Forget, now)?;
    if channel == Channel::Fulfilment && matches!(status, OrderStatus::Paid | OrderStatus::ReadyToShip) {
        let mut details = StepDetails::by(CENTRAL_ACTOR);
        details.reason = Some(conflict.message.clone());
        orders::step(tx, id, OrderEvent::Hold, details, now)?;
    }
    let detail = serde_json::json!({ "conflict_id": conflict.conflict_id, "sku": conflict.sku, "shortfall": conflict.shortfall });
    attention::raise(tx, "conflict", Some(&id.to_string()), &conflict.message, Some(&detail), now)?;
    Ok(skus)
}

/// Sets the stock view of `skus` to central's snapshot plus what central does not count yet.
pub(crate) fn recompute_stock(tx: &Transaction<'_>, skus: &BTreeSet<String>, now: i64) -> Result<()> {
    if skus.is_empty() {
        return Ok(());
    }
    let mut target: BTreeMap<String, (StockDelta, i64)> = BTreeMap::new();
    for sku in skus {
        let snapshot = tx
            .prepare_cached("SELECT on_hand, reserved, change_id FROM central_stock WHERE sku = ?1")?
            .query_row([sku], |r| {
                Ok((StockDelta { on_hand: r.get(0)?, reserved: r.get(1)? }, r.get::<_, i64>(2)?))
            })
            .optional()?;
        if let Some(snapshot) = snapshot {
            target.insert(sku.clone(), snapshot);
        }
    }
    let oldest_snapshot = target.values().map(|(_, change_id)| *change_id).min().unwrap_or(0);
    // The device's events central may not count yet: pending and dead ones, and sent ones whose
    // effect lies past the snapshot. (Sent events without a change id moved no stock at central;
    // discarded ones will never reach it.)
    let mut stmt = tx.prepare_cached(
        "SELECT seq, event_id, aggregate, aggregate_seq, kind, payload, status, attempts, next_attempt_at,
                last_error, result, created_at, sent_at, change_id
         FROM outbox WHERE status IN ('pending', 'dead') OR (status = 'sent' AND change_id > ?1) ORDER BY seq",
    )?;
    let pending = stmt
        .query_map([oldest_snapshot], |r| {
            let change_id: Option<i64> = r.get(13)?;
            Ok((crate::outbox::event_from_row(r)?, change_id))
        })?
        .collect::<rusqlite::Result<Vec<(OutboxEvent, Option<i64>)>>>()?;
    for (event, change_id) in pending {
        let body = event.envelope()?.body;
        let (lines, holds) =
            match event.aggregate.strip_prefix("order:").and_then(|id| id.parse::<OrderId>().ok()) {
                Some(id) => order_context(tx, id)?,
                None => (Vec::new(), false),
            };
        for (sku, delta) in body.stock_effect(&lines, holds) {
            if let Some((sum, snapshot_id)) = target.get_mut(&sku) {
                let counted = event.status == crate::outbox::OutboxStatus::Sent
                    && change_id.is_some_and(|c| c <= *snapshot_id);
                if !counted {
                    sum.on_hand += delta.on_hand;
                    sum.reserved += delta.reserved;
                }
            }
        }
    }
    // Counter orders reserve locally and tell central only when handed over.
    let mut stmt = tx.prepare_cached(
        "SELECT l.sku, SUM(l.qty) FROM order_lines l JOIN orders o ON o.id = l.order_id
         WHERE o.channel = 'counter' AND o.reservation_held = 1 GROUP BY l.sku",
    )?;
    let local = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for row in local {
        let (sku, qty) = row?;
        if let Some((sum, _)) = target.get_mut(&sku) {
            sum.reserved += qty;
        }
    }
    for (sku, (want, snapshot_id)) in target {
        if want.reserved < 0 {
            return Err(StoreError::Invalid(format!(
                "central's stock of {sku} (change {snapshot_id}) with this device's unsent changes on top gives a negative reservation ({}); the change feed and the outbox disagree",
                want.reserved
            )));
        }
        let have = stock::level(tx, &sku)?;
        let delta =
            StockDelta { on_hand: want.on_hand - have.on_hand, reserved: want.reserved - have.reserved };
        if delta != StockDelta::default() {
            stock::move_stock(tx, &sku, LedgerReason::Sync, None, Some("central's stock"), now, |_| {
                Ok(delta)
            })?;
        }
    }
    Ok(())
}

/// An order's lines (as central sees them) and whether central holds its reservation.
fn order_context(conn: &Connection, id: OrderId) -> Result<(Vec<LineItem>, bool)> {
    let central: Option<Option<String>> = conn
        .prepare_cached("SELECT central_reservation FROM orders WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?;
    let Some(central) = central else { return Ok((Vec::new(), false)) };
    // Not answered yet: the device replays `order_placed` as accepted, so the rest follows suit.
    let holds = matches!(central.as_deref(), None | Some("accepted"));
    let mut stmt = conn.prepare_cached(
        "SELECT sku, qty, unit_price_minor FROM order_lines WHERE order_id = ?1 ORDER BY line_no",
    )?;
    let lines = stmt
        .query_map([id.to_string()], |r| {
            Ok(LineItem { sku: r.get(0)?, qty: r.get(1)?, unit_price_minor: r.get(2)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((lines, holds))
}
