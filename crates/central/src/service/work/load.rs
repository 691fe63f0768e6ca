//! Reading what a unit of work touches. Each read comes in two halves — `ask_*` adds its
//! statements to a [`Batch`], `take_*` reads their rows back — so that a caller can send the reads
//! of several things as one round trip (pushes do); `load_*` runs one on its own.

use std::collections::{BTreeSet, HashSet};
use std::ops::Range;

use sqlx::Row;
use sqlx::any::AnyRow;
use storedesk_domain::{Named, OrderId, Qty, Reservation};
use storedesk_protocol::api::PaymentRecord;
use storedesk_protocol::events::LineItem;

use super::{OrderRow, StockCell, Work};
use crate::db::{Batch, Val, named, param, parsed, placeholders};
use crate::error::{CentralError, Result};
use crate::service::feed;
use crate::service::tills::till_code;

/// IN lists are sent in chunks of this many values.
const CHUNK: usize = 500;

/// The SKUs a batch asks about, and where their statements are (two per chunk: products, stock).
pub(crate) struct SkusAsked {
    wanted: Vec<String>,
    statements: Range<usize>,
}

fn texts(values: &[String]) -> Vec<Val> {
    values.iter().map(|v| Val::Text(v.clone())).collect()
}

impl Work<'_> {
    /// Asks for the stock rows (locked) and product existence of `skus` not loaded yet.
    pub fn ask_skus(
        &self,
        batch: &mut Batch,
        conn: &sqlx::AnyConnection,
        skus: impl IntoIterator<Item = String>,
    ) -> SkusAsked {
        let mut wanted: Vec<String> = skus.into_iter().filter(|s| !self.stock.contains_key(s)).collect();
        wanted.sort();
        wanted.dedup();
        let start = batch.len();
        for chunk in wanted.chunks(CHUNK) {
            let sql =
                format!("SELECT sku FROM products WHERE sku IN ({})", placeholders(conn, 1, chunk.len()));
            batch.add(sql, texts(chunk));
            let sql = format!(
                "SELECT sku, on_hand, reserved FROM stock WHERE store_id = {} AND sku IN ({}) ORDER BY sku{}",
                param(conn, 1),
                placeholders(conn, 2, chunk.len()),
                self.lock
            );
            let mut args = vec![Val::Int(self.store.id)];
            args.extend(texts(chunk));
            batch.add(sql, args);
        }
        SkusAsked { wanted, statements: start..batch.len() }
    }

    pub fn take_skus(&mut self, asked: SkusAsked, rows: &[Vec<AnyRow>]) -> Result<()> {
        for pair in rows[asked.statements].chunks(2) {
            let [products, stock] = pair else { continue };
            for row in products {
                self.products.insert(row.try_get(0)?);
            }
            for row in stock {
                let cell = StockCell { on_hand: row.try_get(1)?, reserved: row.try_get(2)?, dirty: false };
                self.stock.insert(row.try_get(0)?, cell);
            }
        }
        for sku in asked.wanted {
            self.stock.entry(sku).or_insert(StockCell { on_hand: 0, reserved: 0, dirty: false });
        }
        Ok(())
    }

    /// Loads (and locks) the stock rows and product existence of `skus` not loaded yet.
    pub async fn load_skus(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        skus: impl IntoIterator<Item = String>,
    ) -> Result<()> {
        let mut batch = Batch::default();
        let asked = self.ask_skus(&mut batch, conn, skus);
        let rows = batch.fetch(conn).await?;
        self.take_skus(asked, &rows)
    }

    /// Asks for (and locks) the orders `ids` not loaded yet, of any store (the caller checks
    /// ownership), without their lines and payments ([`Work::ask_details`]).
    pub fn ask_orders(&self, batch: &mut Batch, conn: &sqlx::AnyConnection, ids: &[OrderId]) -> Range<usize> {
        let wanted: Vec<String> = ids
            .iter()
            .filter(|id| !self.orders.contains_key(id))
            .map(|id| id.to_string())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let start = batch.len();
        for chunk in wanted.chunks(CHUNK) {
            let sql = format!(
                "SELECT id, store_id, number, origin, channel, status, currency, total_minor, holds_reservation, customer, created_at,
                        reservation, till_id, (SELECT t.number FROM tills t WHERE t.id = orders.till_id)
                 FROM orders WHERE id IN ({}) ORDER BY id{}",
                placeholders(conn, 1, chunk.len()),
                self.lock
            );
            batch.add(sql, texts(chunk));
        }
        start..batch.len()
    }

    /// The orders found, whose lines and payments are still to be read.
    pub fn take_orders(&mut self, rows: &[Vec<AnyRow>]) -> Result<Vec<String>> {
        let mut found = Vec::new();
        for row in rows.iter().flatten() {
            let order = order_row(row)?;
            found.push(order.id.to_string());
            self.orders.insert(order.id, order);
        }
        Ok(found)
    }

    /// Asks for the lines and payments of `found` orders.
    pub fn ask_details(
        &self,
        batch: &mut Batch,
        conn: &sqlx::AnyConnection,
        found: &[String],
    ) -> Range<usize> {
        let start = batch.len();
        for chunk in found.chunks(CHUNK) {
            let sql = format!(
                "SELECT order_id, sku, qty, unit_price_minor FROM order_lines WHERE order_id IN ({}) ORDER BY order_id, line_no",
                placeholders(conn, 1, chunk.len())
            );
            batch.add(sql, texts(chunk));
            let sql = format!(
                "SELECT order_id, method, amount_minor, at FROM payments WHERE order_id IN ({}) ORDER BY id",
                placeholders(conn, 1, chunk.len())
            );
            batch.add(sql, texts(chunk));
        }
        start..batch.len()
    }

    pub fn take_details(&mut self, rows: &[Vec<AnyRow>]) -> Result<()> {
        for pair in rows.chunks(2) {
            let [lines, payments] = pair else { continue };
            for row in lines {
                let id: OrderId = parsed(row, 0)?;
                if let Some(order) = self.orders.get_mut(&id) {
                    order.lines.push(LineItem {
                        sku: parsed(row, 1)?,
                        qty: Qty::new(row.try_get(2)?)
                            .map_err(|e| CentralError::corrupt("an order line's quantity", e))?,
                        unit_price_minor: row.try_get(3)?,
                    });
                }
            }
            for row in payments {
                let id: OrderId = parsed(row, 0)?;
                if let Some(order) = self.orders.get_mut(&id) {
                    order.payments.push(PaymentRecord {
                        method: named(row, 1)?,
                        amount_minor: row.try_get(2)?,
                        at: timestamp(row.try_get(3)?)?,
                    });
                }
            }
        }
        Ok(())
    }

    /// Loads (and locks) orders (of any store: the caller checks ownership) with their lines and
    /// payments. A new order (most pushes) has none stored yet: that read is skipped.
    pub async fn load_orders(&mut self, conn: &mut sqlx::AnyConnection, ids: &[OrderId]) -> Result<()> {
        let mut batch = Batch::default();
        let asked = self.ask_orders(&mut batch, conn, ids);
        let rows = batch.fetch(conn).await?;
        let found = self.take_orders(&rows[asked])?;
        self.load_details(conn, &found).await
    }

    pub async fn load_details(&mut self, conn: &mut sqlx::AnyConnection, found: &[String]) -> Result<()> {
        if found.is_empty() {
            return Ok(());
        }
        let mut batch = Batch::default();
        let asked = self.ask_details(&mut batch, conn, found);
        let rows = batch.fetch(conn).await?;
        self.take_details(&rows[asked])
    }

    /// Asks for the tills' heads on `aggregates` ahead of [`Work::flush_into`], which then reads
    /// only those of aggregates not asked here.
    pub fn ask_feed_heads(
        &mut self,
        batch: &mut Batch,
        conn: &sqlx::AnyConnection,
        aggregates: impl IntoIterator<Item = String>,
    ) -> Range<usize> {
        let wanted: Vec<String> = aggregates
            .into_iter()
            .filter(|a| !self.heads_known.contains(a))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        self.heads_known.extend(wanted.iter().cloned());
        feed::heads::ask(batch, conn, self.store.id, &wanted)
    }

    pub fn take_feed_heads(&mut self, rows: &[Vec<AnyRow>]) -> Result<()> {
        self.feed_heads.extend(feed::heads::take(rows)?);
        Ok(())
    }

    /// Asks which orders of the store hold any of `numbers`.
    pub fn ask_numbers(
        &self,
        batch: &mut Batch,
        conn: &sqlx::AnyConnection,
        numbers: &[String],
    ) -> Range<usize> {
        let start = batch.len();
        for chunk in numbers.chunks(CHUNK) {
            let sql = format!(
                "SELECT number, id FROM orders WHERE store_id = {} AND number IN ({})",
                param(conn, 1),
                placeholders(conn, 2, chunk.len())
            );
            let mut args = vec![Val::Int(self.store.id)];
            args.extend(texts(chunk));
            batch.add(sql, args);
        }
        start..batch.len()
    }

    pub fn take_numbers(&mut self, rows: &[Vec<AnyRow>]) -> Result<()> {
        for row in rows.iter().flatten() {
            self.numbers.insert(row.try_get(0)?, parsed(row, 1)?);
        }
        Ok(())
    }
}

fn order_row(row: &AnyRow) -> Result<OrderRow> {
    let holds: i64 = row.try_get(8)?;
    Ok(OrderRow {
        id: parsed(row, 0)?,
        store_id: row.try_get(1)?,
        number: row.try_get(2)?,
        origin: named(row, 3)?,
        channel: named(row, 4)?,
        status: named(row, 5)?,
        currency: row.try_get(6)?,
        total_minor: row.try_get(7)?,
        holds_reservation: holds != 0,
        customer: row.try_get(9)?,
        created_at: row.try_get(10)?,
        reservation: row
            .try_get::<Option<String>, _>(11)?
            .map(|r| Reservation::from_name(&r))
            .transpose()
            .map_err(|e| CentralError::corrupt("an order's reservation", e))?,
        till_id: row.try_get(12)?,
        till: row.try_get::<Option<i64>, _>(13)?.map(till_code).transpose()?,
        payments: Vec::new(),
        lines: Vec::new(),
        new: false,
        dirty: false,
    })
}

fn timestamp(ms: i64) -> Result<jiff::Timestamp> {
    jiff::Timestamp::from_millisecond(ms).map_err(|e| CentralError::corrupt("a time", e))
}
