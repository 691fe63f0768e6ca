//! Reading orders back: one by id or number (with payments and timeline), and lists.

use rusqlite::{Connection, OptionalExtension, params};
use storedesk_domain::{Channel, OrderId, OrderStatus};

use super::model::{Header, Order, OrderDetail, OrderFilter, OrderLine, Payment, TimelineEntry};
use crate::error::{Result, StoreError};
use crate::sql::{Name, named, named_opt, parsed};
use crate::{Store, db};

impl Store {
    /// One order with its payments and timeline.
    pub fn order(&self, reference: &str) -> Result<OrderDetail> {
        self.read(|conn| {
            let id = resolve(conn, reference)?.id;
            let order = load_order(conn, id)?;
            Ok(OrderDetail { order, payments: load_payments(conn, id)?, timeline: load_timeline(conn, id)? })
        })
    }

    /// Orders, newest first.
    pub fn orders(&self, filter: &OrderFilter) -> Result<Vec<Order>> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT id FROM orders
                 WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR channel = ?2) AND (?5 IS NULL OR till = ?5)
                   AND (?6 IS NULL OR id IN ({}))
                 ORDER BY id DESC LIMIT ?3 OFFSET ?4",
                crate::views::orders_of_staff(6)
            ))?;
            let ids = stmt
                .query_map(
                    params![
                        filter.status.map(Name),
                        filter.channel.map(Name),
                        filter.limit as i64,
                        filter.offset as i64,
                        crate::views::till_filter(filter.till.as_deref()),
                        crate::views::staff_filter(filter.staff.as_deref()),
                    ],
                    |r| parsed::<OrderId>(r, 0),
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            ids.into_iter().map(|id| load_order(conn, id)).collect()
        })
    }
}

fn load_payments(conn: &Connection, id: OrderId) -> Result<Vec<Payment>> {
    let mut stmt =
        conn.prepare("SELECT kind, method, amount_minor, at FROM payments WHERE order_id = ?1 ORDER BY id")?;
    let payments = stmt
        .query_map([id.to_string()], |r| {
            Ok(Payment {
                kind: named(r, 0)?,
                method: named(r, 1)?,
                amount_minor: r.get(2)?,
                at: db::timestamp(r.get(3)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(payments)
}

fn load_timeline(conn: &Connection, id: OrderId) -> Result<Vec<TimelineEntry>> {
    let mut stmt = conn.prepare(
        "SELECT from_status, event, to_status, at, actor, reason, approved_by FROM order_timeline WHERE order_id = ?1 ORDER BY step",
    )?;
    let timeline = stmt
        .query_map([id.to_string()], |r| {
            let reason: Option<String> = r.get(5)?;
            let from_central = reason.as_deref() == Some(super::model::MIRRORED);
            Ok(TimelineEntry {
                from: named_opt(r, 0)?,
                event: named_opt(r, 1)?,
                to: named(r, 2)?,
                at: db::timestamp(r.get(3)?),
                actor: r.get(4)?,
                approved_by: r.get(6)?,
                reason: reason.filter(|_| !from_central),
                from_central,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(timeline)
}

const HEADER_COLUMNS: &str = "id, number, channel, status, customer, currency, total_minor, event_seq, steps,
     reservation_held, central_reservation";

/// Finds an order by id or by number.
pub(crate) fn resolve(conn: &Connection, reference: &str) -> Result<Header> {
    let reference = reference.trim();
    let by_id = reference.parse::<OrderId>().ok().map(|id| id.to_string());
    let column = if by_id.is_some() { "id" } else { "number" };
    let key = by_id.unwrap_or_else(|| reference.to_ascii_uppercase());
    conn.prepare_cached(&format!("SELECT {HEADER_COLUMNS} FROM orders WHERE {column} = ?1"))?
        .query_row([key], |r| {
            Ok(Header {
                id: parsed(r, 0)?,
                number: r.get(1)?,
                channel: named(r, 2)?,
                status: named(r, 3)?,
                customer: r.get(4)?,
                currency: r.get(5)?,
                total_minor: r.get(6)?,
                event_seq: r.get(7)?,
                steps: r.get(8)?,
                reservation_held: r.get(9)?,
                central_reservation: named_opt(r, 10)?,
            })
        })
        .optional()?
        .ok_or_else(|| StoreError::UnknownOrder(reference.to_string()))
}

pub(crate) fn load_lines(conn: &Connection, id: OrderId) -> Result<Vec<OrderLine>> {
    let mut stmt = conn.prepare_cached(
        "SELECT line_no, sku, name, qty, unit_price_minor, restocked_qty FROM order_lines
         WHERE order_id = ?1 ORDER BY line_no",
    )?;
    let lines = stmt
        .query_map([id.to_string()], |r| {
            Ok(OrderLine {
                line_no: r.get(0)?,
                sku: r.get(1)?,
                name: r.get(2)?,
                qty: r.get(3)?,
                unit_price_minor: r.get(4)?,
                restocked_qty: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(lines)
}

pub(crate) fn load_order(conn: &Connection, id: OrderId) -> Result<Order> {
    let mut order = conn
        .prepare_cached(
            "SELECT number, channel, status, customer, currency, total_minor, tracking, hold_reason,
                    created_at, updated_at, till FROM orders WHERE id = ?1",
        )?
        .query_row([id.to_string()], |r| {
            let channel: Channel = named(r, 1)?;
            let status: OrderStatus = named(r, 2)?;
            Ok(Order {
                id,
                number: r.get(0)?,
                channel,
                status,
                customer: r.get(3)?,
                currency: r.get(4)?,
                total_minor: r.get(5)?,
                tracking: r.get(6)?,
                hold_reason: r.get(7)?,
                created_at: db::timestamp(r.get(8)?),
                updated_at: db::timestamp(r.get(9)?),
                till: r.get(10)?,
                lines: Vec::new(),
                actions: status.operator_actions(channel),
            })
        })
        .optional()?
        .ok_or_else(|| StoreError::UnknownOrder(id.to_string()))?;
    order.lines = load_lines(conn, id)?;
    Ok(order)
}
