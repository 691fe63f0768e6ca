//! Read-only queries for reports, on a connection of their own.
//!
//! A [`ReadSnapshot`] opens the database file read-only and holds one read transaction, so every
//! query of a report sees the same moment, and a long export never holds the store's write
//! connection (the shop keeps taking orders meanwhile; WAL lets readers and the writer proceed
//! together). Large results are streamed through callbacks, never collected.

use std::sync::Arc;

use rusqlite::{Connection, OpenFlags, params};
use storedesk_domain::{Channel, OrderStatus, PaymentMethod};

use crate::error::{Result, StoreError};
use crate::orders::PaymentKind;
use crate::settings::StoreSettings;
use crate::sql::named;
use crate::{Store, db};

/// `[from_ms, to_ms)` in Unix milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from_ms: i64,
    pub to_ms: i64,
}

/// One payment or refund with its order's channel and status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentFact {
    pub at: i64,
    pub kind: PaymentKind,
    pub method: PaymentMethod,
    /// Negative for refunds.
    pub amount_minor: i64,
    pub order_id: String,
    pub channel: Channel,
    pub order_status: OrderStatus,
}

/// Units and value sold of one SKU (lines of orders paid in the period).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkuSold {
    pub sku: String,
    pub name: String,
    pub qty: i64,
    pub amount_minor: i64,
}

/// One line of one order, with the order's fields (the orders report's row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderLineFact {
    pub order_id: String,
    pub number: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub channel: Channel,
    pub status: OrderStatus,
    pub customer: Option<String>,
    pub total_minor: i64,
    pub line_no: i64,
    pub sku: String,
    pub name: String,
    pub qty: i64,
    pub unit_price_minor: i64,
    /// The till that took the order; `None` for the central platform's.
    pub till: Option<String>,
}

/// A SKU's stock with its price (the stock report's row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StockValue {
    pub sku: String,
    pub name: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub price_minor: i64,
    pub low_stock_threshold: Option<i64>,
}

/// `AND` the order in `column` is one the person in parameter `?4` took a step in or approved
/// (when `?4` is not NULL).
fn by_staff(column: &str) -> String {
    format!("AND (?4 IS NULL OR {column} IN ({}))", crate::views::orders_of_staff(4))
}

pub struct ReadSnapshot {
    conn: Connection,
    settings: Arc<StoreSettings>,
    /// The till the order figures are narrowed to; `None`: the whole store.
    till: Option<String>,
    /// The person the order figures are narrowed to (the orders they took a step in or approved).
    staff: Option<String>,
}

impl Store {
    /// A read-only view of the database as of now, for reports.
    pub fn read_snapshot(&self) -> Result<ReadSnapshot> {
        let settings = self.settings()?;
        let conn = Connection::open_with_flags(
            self.path(),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::from(e).at_path(self.path()))?;
        conn.busy_timeout(db::BUSY_TIMEOUT)?;
        // The read transaction starts at the first SELECT and lasts until the snapshot is dropped.
        conn.execute_batch("BEGIN")?;
        conn.query_row("SELECT COUNT(*) FROM settings", [], |r| r.get::<_, i64>(0))?;
        Ok(ReadSnapshot { conn, settings, till: None, staff: None })
    }
}

impl ReadSnapshot {
    pub fn settings(&self) -> &StoreSettings {
        &self.settings
    }

    /// Narrows the order figures (payments, sales, cancellations, order lines) to the orders one
    /// till took; blank is the whole store (see [`crate::views::till_filter`]). Stock stays the store's.
    #[must_use]
    pub fn narrowed_to(mut self, till: Option<&str>) -> Self {
        self.till = crate::views::till_filter(till);
        self
    }

    pub fn till(&self) -> Option<&str> {
        self.till.as_deref()
    }

    /// Narrows the order figures, as [`ReadSnapshot::narrowed_to`] does, to the orders one person
    /// took a step in or approved (see [`crate::views::staff_filter`]).
    #[must_use]
    pub fn narrowed_to_staff(mut self, staff: Option<&str>) -> Self {
        self.staff = crate::views::staff_filter(staff);
        self
    }

    pub fn staff(&self) -> Option<&str> {
        self.staff.as_deref()
    }

    /// Every payment and refund in the period, oldest first.
    pub fn payments<E: From<StoreError>>(
        &self,
        period: Period,
        mut each: impl FnMut(PaymentFact) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let fail = |e: rusqlite::Error| E::from(StoreError::from(e));
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT p.at, p.kind, p.method, p.amount_minor, p.order_id, o.channel, o.status
             FROM payments p JOIN orders o ON o.id = p.order_id
             WHERE p.at >= ?1 AND p.at < ?2 AND (?3 IS NULL OR o.till = ?3) {} ORDER BY p.at, p.id",
                by_staff("o.id")
            ))
            .map_err(fail)?;
        let mut rows =
            stmt.query(params![period.from_ms, period.to_ms, self.till, self.staff]).map_err(fail)?;
        while let Some(r) = rows.next().map_err(fail)? {
            let fact = (|| {
                Ok::<_, rusqlite::Error>(PaymentFact {
                    at: r.get(0)?,
                    kind: named(r, 1)?,
                    method: named(r, 2)?,
                    amount_minor: r.get(3)?,
                    order_id: r.get(4)?,
                    channel: named(r, 5)?,
                    order_status: named(r, 6)?,
                })
            })()
            .map_err(fail)?;
            each(fact)?;
        }
        Ok(())
    }

    /// Units and value per SKU of the orders paid in the period.
    pub fn sold_by_sku(&self, period: Period) -> Result<Vec<SkuSold>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT l.sku, MAX(l.name), SUM(l.qty), SUM(l.qty * l.unit_price_minor)
             FROM payments p JOIN order_lines l ON l.order_id = p.order_id
             WHERE p.kind = 'payment' AND p.at >= ?1 AND p.at < ?2
               AND (?3 IS NULL OR p.order_id IN (SELECT id FROM orders WHERE till = ?3)) {}
             GROUP BY l.sku ORDER BY SUM(l.qty * l.unit_price_minor) DESC, l.sku",
            by_staff("p.order_id")
        ))?;
        let rows = stmt.query_map(params![period.from_ms, period.to_ms, self.till, self.staff], |r| {
            Ok(SkuSold { sku: r.get(0)?, name: r.get(1)?, qty: r.get(2)?, amount_minor: r.get(3)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Orders cancelled in the period: how many, and their value.
    pub fn cancellations(&self, period: Period) -> Result<(i64, i64)> {
        Ok(self.conn.query_row(
            &format!(
                "SELECT COUNT(*), COALESCE(SUM(o.total_minor), 0) FROM order_timeline t JOIN orders o ON o.id = t.order_id
             WHERE t.to_status = 'cancelled' AND t.at >= ?1 AND t.at < ?2 AND (?3 IS NULL OR o.till = ?3) {}",
                by_staff("o.id")
            ),
            params![period.from_ms, period.to_ms, self.till, self.staff],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    /// Every line of every order created in the period, oldest order first.
    pub fn order_lines<E: From<StoreError>>(
        &self,
        period: Period,
        mut each: impl FnMut(&OrderLineFact) -> std::result::Result<(), E>,
    ) -> std::result::Result<u64, E> {
        let fail = |e: rusqlite::Error| E::from(StoreError::from(e));
        let mut stmt = self.conn.prepare(&format!(
            "SELECT o.id, o.number, o.created_at, o.updated_at, o.channel, o.status, o.customer, o.total_minor,
                    l.line_no, l.sku, l.name, l.qty, l.unit_price_minor, o.till
             FROM orders o JOIN order_lines l ON l.order_id = o.id
             WHERE o.created_at >= ?1 AND o.created_at < ?2 AND (?3 IS NULL OR o.till = ?3) {}
             ORDER BY o.created_at, o.id, l.line_no",
            by_staff("o.id")
        )).map_err(fail)?;
        let mut rows =
            stmt.query(params![period.from_ms, period.to_ms, self.till, self.staff]).map_err(fail)?;
        let mut count = 0;
        while let Some(r) = rows.next().map_err(fail)? {
            let fact = (|| {
                Ok::<_, rusqlite::Error>(OrderLineFact {
                    order_id: r.get(0)?,
                    number: r.get(1)?,
                    created_at: r.get(2)?,
                    updated_at: r.get(3)?,
                    channel: named(r, 4)?,
                    status: named(r, 5)?,
                    customer: r.get(6)?,
                    total_minor: r.get(7)?,
                    line_no: r.get(8)?,
                    sku: r.get(9)?,
                    name: r.get(10)?,
                    qty: r.get(11)?,
                    unit_price_minor: r.get(12)?,
                    till: r.get(13)?,
                })
            })()
            .map_err(fail)?;
            each(&fact)?;
            count += 1;
        }
        Ok(count)
    }

    /// How many orders were created in the period.
    pub fn order_count(&self, period: Period) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM orders WHERE created_at >= ?1 AND created_at < ?2 AND (?3 IS NULL OR till = ?3)",
            params![period.from_ms, period.to_ms, self.till],
            |r| r.get(0),
        )?)
    }

    /// Every SKU's stock with its price, ordered by SKU.
    pub fn stock_values(&self) -> Result<Vec<StockValue>> {
        let mut stmt = self.conn.prepare(
            "SELECT s.sku, p.name, s.on_hand, s.reserved, p.price_minor, p.low_stock_threshold
             FROM stock s JOIN products p ON p.sku = s.sku ORDER BY s.sku",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(StockValue {
                sku: r.get(0)?,
                name: r.get(1)?,
                on_hand: r.get(2)?,
                reserved: r.get(3)?,
                price_minor: r.get(4)?,
                low_stock_threshold: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
