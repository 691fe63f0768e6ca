//! Stock levels and the stock ledger.
//!
//! Every change goes through [`move_stock`], which writes the stock row and its ledger row with
//! the same delta, so `on_hand` and `reserved` always equal the ledger's sums.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use storedesk_domain::stock::AdjustReason;
use storedesk_domain::{LedgerReason, Permission, StaffCode, StockDelta, StockError, StockLevel};
use storedesk_protocol::events::{EventBody, StockAdjusted, stock_aggregate};

use crate::error::{Result, StoreError};
use crate::staff::{self, Actor};
use crate::{Store, audit, db, outbox};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StockRow {
    pub sku: String,
    pub name: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
    pub low_stock_threshold: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LedgerEntry {
    pub id: i64,
    pub sku: String,
    pub delta_on_hand: i64,
    pub delta_reserved: i64,
    pub reason: String,
    pub order_id: Option<String>,
    /// The order's human number, when the movement belongs to an order.
    pub order_number: Option<String>,
    pub note: Option<String>,
    pub at: jiff::Timestamp,
    /// Who moved the stock (`None` before staff, or for central's and the program's movements).
    pub staff: Option<String>,
}

pub(crate) const STOCK_ROW_SQL: &str = "SELECT s.sku, p.name, s.on_hand, s.reserved, p.low_stock_threshold
     FROM stock s JOIN products p ON p.sku = s.sku";

pub(crate) fn stock_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StockRow> {
    let on_hand: i64 = row.get(2)?;
    let reserved: i64 = row.get(3)?;
    Ok(StockRow {
        sku: row.get(0)?,
        name: row.get(1)?,
        on_hand,
        reserved,
        available: on_hand - reserved,
        low_stock_threshold: row.get(4)?,
    })
}

/// The current level of `sku`; an unknown SKU is an error.
pub(crate) fn level(conn: &Connection, sku: &str) -> Result<StockLevel> {
    conn.prepare_cached("SELECT on_hand, reserved FROM stock WHERE sku = ?1")?
        .query_row([sku], |r| Ok(StockLevel { on_hand: r.get(0)?, reserved: r.get(1)? }))
        .optional()?
        .ok_or_else(|| StoreError::UnknownSku(sku.to_string()))
}

/// What a ledger row says besides the movement: its order, a note, who moved the stock.
#[derive(Clone, Copy, Default)]
pub(crate) struct Why<'a> {
    pub order_id: Option<&'a str>,
    pub note: Option<&'a str>,
    pub staff: Option<&'a str>,
}

/// Moves `sku`'s stock by the delta `decide` computes from the current level, and writes the
/// ledger row. Returns the new level.
pub(crate) fn move_stock(
    tx: &Transaction<'_>,
    sku: &str,
    reason: LedgerReason,
    why: Why<'_>,
    now: i64,
    decide: impl FnOnce(&StockLevel) -> std::result::Result<StockDelta, StockError>,
) -> Result<StockLevel> {
    let current = level(tx, sku)?;
    let delta = decide(&current).map_err(|e| StoreError::stock(sku, e))?;
    tx.prepare_cached(
        "UPDATE stock SET on_hand = on_hand + ?2, reserved = reserved + ?3, updated_at = ?4 WHERE sku = ?1",
    )?
    .execute(params![sku, delta.on_hand, delta.reserved, now])?;
    tx.prepare_cached(
        "INSERT INTO stock_ledger (sku, delta_on_hand, delta_reserved, reason, order_id, note, at, staff)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        sku,
        delta.on_hand,
        delta.reserved,
        reason.as_str(),
        why.order_id,
        why.note,
        now,
        why.staff
    ])?;
    Ok(current.apply(delta))
}

/// An operator's adjustment with its outbox event, inside the caller's transaction.
pub(crate) fn adjust_in(
    tx: &Transaction<'_>,
    by: &Actor,
    sku: &str,
    delta: i64,
    reason: AdjustReason,
    note: Option<&str>,
    now: i64,
) -> Result<StockLevel> {
    let why = Why { order_id: None, note, staff: by.staff().map(StaffCode::as_str) };
    let level = move_stock(tx, sku, reason.ledger_reason(), why, now, |l| l.adjust(delta, reason))?;
    let aggregate = stock_aggregate(sku);
    let seq = outbox::next_stock_seq(tx, sku)?;
    let body = EventBody::StockAdjusted(StockAdjusted {
        sku: storedesk_domain::Sku::parse(sku)?,
        delta,
        reason,
        note: note.map(str::to_string),
        at: db::timestamp(now),
    });
    outbox::append(tx, by, &aggregate, seq, &body, now)?;
    let detail =
        format!("{delta:+} {}{}", reason.as_str(), note.map(|n| format!(": {n}")).unwrap_or_default());
    audit::append(
        tx,
        by,
        audit::Entry { action: "stock.adjust", subject: Some(sku), detail: Some(&detail) },
        now,
    )?;
    Ok(level)
}

impl Store {
    /// Every SKU's stock, ordered by SKU.
    pub fn stock_levels(&self) -> Result<Vec<StockRow>> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!("{STOCK_ROW_SQL} ORDER BY s.sku"))?;
            let rows = stmt.query_map([], stock_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    pub fn stock_level(&self, sku: &str) -> Result<StockRow> {
        self.read(|conn| {
            conn.prepare(&format!("{STOCK_ROW_SQL} WHERE s.sku = ?1"))?
                .query_row([sku], stock_row)
                .optional()?
                .ok_or_else(|| StoreError::UnknownSku(sku.to_string()))
        })
    }

    /// Adjusts stock by `delta` for `reason`; announced to central through the outbox.
    /// `by` needs the `adjust_stock` permission.
    pub fn adjust_stock(
        &self,
        by: &Actor,
        sku: &str,
        delta: i64,
        reason: AdjustReason,
        note: Option<&str>,
    ) -> Result<StockRow> {
        self.refusals_recorded(by, Some(sku), || {
            self.write(
                |tx| {
                    staff::allow(tx, by, Permission::AdjustStock, None)?;
                    adjust_in(tx, by, sku, delta, reason, note, db::now_ms()).map(|_| ())
                },
                |_| {},
            )
        })?;
        self.stock_level(sku)
    }

    /// Checks the stock invariants over the whole database and describes every violation:
    /// `reserved >= 0`, `reserved <= on_hand`, stock equal to the ledger's sums, and every ledger
    /// row naming an existing order or carrying a non-order reason. Empty means sound.
    pub fn audit_stock(&self) -> Result<Vec<String>> {
        self.read(|conn| {
            let mut problems = Vec::new();
            let mut stmt = conn.prepare(
                "SELECT s.sku, s.on_hand, s.reserved,
                        COALESCE(SUM(l.delta_on_hand), 0), COALESCE(SUM(l.delta_reserved), 0)
                 FROM stock s LEFT JOIN stock_ledger l ON l.sku = s.sku GROUP BY s.sku",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?, r.get::<_, i64>(4)?))
            })?;
            for row in rows {
                let (sku, on_hand, reserved, ledger_on_hand, ledger_reserved) = row?;
                if reserved < 0 || reserved > on_hand {
                    problems.push(format!("{sku}: reserved {reserved} outside 0..={on_hand} on hand"));
                }
                if (on_hand, reserved) != (ledger_on_hand, ledger_reserved) {
                    problems.push(format!(
                        "{sku}: stock {on_hand}/{reserved} differs from the ledger's {ledger_on_hand}/{ledger_reserved}"
                    ));
                }
            }
            let orphans: i64 = conn.query_row(
                "SELECT COUNT(*) FROM stock_ledger l LEFT JOIN orders o ON o.id = l.order_id
                 WHERE (l.order_id IS NOT NULL AND o.id IS NULL)
                    OR (l.order_id IS NULL AND l.reason NOT IN ('receipt', 'count', 'damage', 'sync'))",
                [],
                |r| r.get(0),
            )?;
            if orphans > 0 {
                problems.push(format!("{orphans} ledger rows have neither an order nor a reason"));
            }
            Ok(problems)
        })
    }

    /// The ledger of one SKU, newest first.
    pub fn ledger(&self, sku: &str, limit: usize) -> Result<Vec<LedgerEntry>> {
        self.read(|conn| {
            level(conn, sku)?;
            let mut stmt = conn.prepare(
                "SELECT l.id, l.sku, l.delta_on_hand, l.delta_reserved, l.reason, l.order_id, l.note, l.at, o.number, l.staff
                 FROM stock_ledger l LEFT JOIN orders o ON o.id = l.order_id
                 WHERE l.sku = ?1 ORDER BY l.id DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![sku, limit as i64], |r| {
                Ok(LedgerEntry {
                    id: r.get(0)?,
                    sku: r.get(1)?,
                    delta_on_hand: r.get(2)?,
                    delta_reserved: r.get(3)?,
                    reason: r.get(4)?,
                    order_id: r.get(5)?,
                    order_number: r.get(8)?,
                    note: r.get(6)?,
                    at: db::timestamp(r.get(7)?),
                    staff: r.get(9)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }
}
