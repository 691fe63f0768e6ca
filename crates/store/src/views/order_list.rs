//! The orders list: pages of orders, newest first, fast on a million (`ARCHITECTURE.md`, "A
//! million orders"), filtered by status, channel, dates and a search.

use rusqlite::types::Value;
use serde::Serialize;
use storedesk_domain::{Channel, Named, OrderStatus};

use crate::error::Result;
use crate::sql::named;
use crate::{Store, db};

/// What the orders list asks for.
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderQuery {
    pub status: Option<OrderStatus>,
    pub channel: Option<Channel>,
    /// Only the orders this till of the store took (`T2`).
    pub till: Option<String>,
    /// Only the orders this person took a step in, or approved one of (a staff code).
    #[serde(default)]
    pub staff: Option<String>,
    /// Created at or after, Unix milliseconds.
    pub from_ms: Option<f64>,
    /// Created before, Unix milliseconds.
    pub to_ms: Option<f64>,
    /// Order number (prefix), customer (part of the name) or SKU on a line.
    pub search: Option<String>,
}

impl OrderQuery {
    fn staff_code(&self) -> Option<String> {
        super::staff_filter(self.staff.as_deref())
    }

    /// Filters by status and/or channel and nothing else (no dates, no search).
    fn by_status_and_channel_only(&self) -> bool {
        super::till_filter(self.till.as_deref()).is_none()
            && self.staff_code().is_none()
            && self.from_ms.is_none()
            && self.to_ms.is_none()
            && self.search_text().is_none()
    }

    /// The search box's text, trimmed; `None` when there is nothing to search for.
    fn search_text(&self) -> Option<&str> {
        self.search.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
}

/// One row of the orders list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderSummary {
    pub id: String,
    pub number: String,
    pub channel: Channel,
    pub status: OrderStatus,
    /// The till that took it (`None`: the central platform's).
    pub till: Option<String>,
    pub customer: Option<String>,
    #[serde(with = "storedesk_protocol::minor")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub total_minor: i64,
    pub currency: String,
    pub created_at: jiff::Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderPage {
    /// How many orders match, in all.
    pub total: i64,
    pub offset: i64,
    pub rows: Vec<OrderSummary>,
}

/// `WHERE` and its parameters for an order query (one place for the page and its count).
fn order_filter(query: &OrderQuery) -> (String, Vec<rusqlite::types::Value>) {
    let mut clauses = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    if let Some(status) = query.status {
        values.push(Value::Text(status.name().into()));
        clauses.push(format!("o.status = ?{}", values.len()));
    }
    if let Some(channel) = query.channel {
        values.push(Value::Text(channel.name().into()));
        clauses.push(format!("o.channel = ?{}", values.len()));
    }
    if let Some(till) = super::till_filter(query.till.as_deref()) {
        values.push(Value::Text(till));
        clauses.push(format!("o.till = ?{}", values.len()));
    }
    if let Some(staff) = query.staff_code() {
        values.push(Value::Text(staff));
        let n = values.len();
        clauses.push(format!("o.id IN ({})", super::orders_of_staff(n)));
    }
    if let Some(from) = query.from_ms {
        values.push(Value::Integer(from as i64));
        clauses.push(format!("o.created_at >= ?{}", values.len()));
    }
    if let Some(to) = query.to_ms {
        values.push(Value::Integer(to as i64));
        clauses.push(format!("o.created_at < ?{}", values.len()));
    }
    if let Some(search) = query.search_text() {
        // Number: a prefix, any case (a range on the unique index). SKU: exact, or in capitals.
        // Customer: a substring through the trigram index, which needs three characters; a
        // shorter text scans the customers instead.
        let prefix = search.to_uppercase();
        values.push(Value::Text(format!("{prefix}\u{10FFFF}")));
        values.push(Value::Text(prefix));
        let (upper, lower) = (values.len() - 1, values.len());
        values.push(Value::Text(search.to_string()));
        values.push(Value::Text(search.to_uppercase()));
        let (sku, sku_upper) = (values.len() - 1, values.len());
        // Customers not yet moved into the index wait in a short queue (migration 03), scanned.
        let escaped = search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        values.push(Value::Text(format!("%{escaped}%")));
        let like = values.len();
        let customer = if search.chars().count() >= 3 {
            values.push(Value::Text(format!("\"{}\"", search.replace('"', "\"\""))));
            format!(
                "o.id IN (SELECT order_id FROM order_customers WHERE order_customers MATCH ?{})
                 OR o.id IN (SELECT order_id FROM order_customers_queue
                             WHERE customer LIKE ?{like} ESCAPE '\\')",
                values.len()
            )
        } else {
            format!("o.customer LIKE ?{like} ESCAPE '\\'")
        };
        clauses.push(format!(
            "(o.number >= ?{lower} AND o.number < ?{upper}
              OR o.id IN (SELECT order_id FROM order_lines WHERE sku IN (?{sku}, ?{sku_upper}))
              OR {customer})"
        ));
    }
    let sql = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
    (sql, values)
}

impl Store {
    /// A page of the orders list, newest first, with the number of matching orders.
    pub fn order_page(&self, query: &OrderQuery, offset: i64, limit: i64) -> Result<OrderPage> {
        let limit = limit.clamp(1, 500);
        let offset = offset.max(0);
        let (filter, mut values) = order_filter(query);
        self.read(|conn| {
            let total = count(conn, query, &filter, &values)?;
            // Past the middle, the page is read from the other end (OFFSET walks the index, so
            // the last page of a million orders would otherwise cost a full walk).
            let from_end = offset > total / 2;
            let (take, skip) = if from_end {
                let take = limit.min(total - offset).max(0);
                (take, (total - offset - take).max(0))
            } else {
                (limit, offset)
            };
            if take == 0 {
                return Ok(OrderPage { total, offset, rows: Vec::new() });
            }
            values.push(Value::Integer(take));
            values.push(Value::Integer(skip));
            let direction = if from_end { "ASC" } else { "DESC" };
            let sql = format!(
                "SELECT o.id, o.number, o.channel, o.status, o.customer, o.total_minor, o.currency, o.created_at, o.till
                 FROM orders o {filter} ORDER BY o.created_at {direction}, o.id {direction} LIMIT ?{} OFFSET ?{}",
                values.len() - 1,
                values.len()
            );
            let rows = summaries(conn, &sql, &values)?;
            let rows = if from_end { rows.into_iter().rev().collect() } else { rows };
            Ok(OrderPage { total, offset, rows })
        })
    }
}

/// How many orders match. By status and channel only, the count comes from the trigger-kept
/// `order_counts` (the filter names only `o.status` and `o.channel`, which that table has too).
fn count(conn: &rusqlite::Connection, query: &OrderQuery, filter: &str, values: &[Value]) -> Result<i64> {
    let sql = if query.by_status_and_channel_only() {
        format!("SELECT COALESCE(SUM(o.n), 0) FROM order_counts o {filter}")
    } else {
        format!("SELECT COUNT(*) FROM orders o {filter}")
    };
    Ok(conn.prepare_cached(&sql)?.query_row(rusqlite::params_from_iter(values.iter()), |r| r.get(0))?)
}

fn summaries(conn: &rusqlite::Connection, sql: &str, values: &[Value]) -> Result<Vec<OrderSummary>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(values.iter()), |r| {
            Ok(OrderSummary {
                id: r.get(0)?,
                number: r.get(1)?,
                channel: named(r, 2)?,
                status: named(r, 3)?,
                customer: r.get(4)?,
                total_minor: r.get(5)?,
                currency: r.get(6)?,
                created_at: db::timestamp(r.get(7)?),
                till: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
