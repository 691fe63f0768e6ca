//! What the desktop app's screens read: the dashboard's figures, pages of the orders list (fast
//! on a million orders), catalog search from the in-memory cache, and the store's preferences.

use rusqlite::params;
use serde::Serialize;
use storedesk_domain::{Channel, OrderStatus};

use crate::catalog::Product;
use crate::error::{Result, StoreError};
use crate::stock::StockRow;
use crate::{Store, db, feed};

/// Preference keys in the `sync_state` table (small key/value settings of the device).
pub mod prefs {
    pub const LOW_STOCK_THRESHOLD: &str = "pref_low_stock_threshold";
    pub const LANGUAGE: &str = "pref_language";
}

/// The store-wide low-stock threshold where a product has none of its own.
pub const DEFAULT_LOW_STOCK_THRESHOLD: i64 = 5;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StatusCount {
    pub status: OrderStatus,
    pub count: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MinuteCount {
    /// The minute's start, Unix milliseconds.
    pub minute: i64,
    pub orders: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StockTotals {
    pub skus: i64,
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
    #[serde(with = "storedesk_protocol::minor")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub value_minor: i64,
}

/// The dashboard's order and stock figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Dashboard {
    pub currency: String,
    /// Orders placed today (store's time zone), by their current status.
    pub today_by_status: Vec<StatusCount>,
    pub orders_today: i64,
    /// Payments taken today minus refunds.
    #[serde(with = "storedesk_protocol::minor")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub revenue_today_minor: i64,
    /// The last 60 minutes, oldest first, also minutes without orders.
    pub orders_per_minute: Vec<MinuteCount>,
    pub low_stock: Vec<StockRow>,
    pub low_stock_threshold: i64,
    pub stock: StockTotals,
}

/// What the orders list asks for.
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderQuery {
    pub status: Option<OrderStatus>,
    pub channel: Option<Channel>,
    /// Created at or after, Unix milliseconds.
    pub from_ms: Option<f64>,
    /// Created before, Unix milliseconds.
    pub to_ms: Option<f64>,
    /// Order number (prefix), customer (part of the name) or SKU on a line.
    pub search: Option<String>,
}

impl OrderQuery {
    /// Filters by status and/or channel and nothing else (no dates, no search).
    fn by_status_and_channel_only(&self) -> bool {
        self.from_ms.is_none() && self.to_ms.is_none() && self.search_text().is_none()
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
    use rusqlite::types::Value;
    let mut clauses = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    if let Some(status) = query.status {
        values.push(Value::Text(status.as_str().into()));
        clauses.push(format!("o.status = ?{}", values.len()));
    }
    if let Some(channel) = query.channel {
        values.push(Value::Text(channel.as_str().into()));
        clauses.push(format!("o.channel = ?{}", values.len()));
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
    /// The store-wide low-stock threshold.
    pub fn low_stock_threshold(&self) -> Result<i64> {
        Ok(self
            .sync_value(prefs::LOW_STOCK_THRESHOLD)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_LOW_STOCK_THRESHOLD))
    }

    pub fn set_low_stock_threshold(&self, threshold: i64) -> Result<()> {
        if !(0..=1_000_000).contains(&threshold) {
            return Err(StoreError::Invalid(format!(
                "the low-stock threshold must be 0 or more (got {threshold})"
            )));
        }
        self.set_sync_value(prefs::LOW_STOCK_THRESHOLD, &threshold.to_string())
    }

    pub fn dashboard(&self) -> Result<Dashboard> {
        let settings = self.settings()?;
        let threshold = self.low_stock_threshold()?;
        let now = db::now_ms();
        let today = jiff::Timestamp::now().to_zoned(settings.tz()).date();
        let start =
            today.to_zoned(settings.tz()).map(|z| z.timestamp().as_millisecond()).unwrap_or(now - 86_400_000);
        self.read(|conn| {
            // Naming every status lets SQLite range-scan `orders_by_status (status, created_at)` once
            // per status (today's rows only) instead of scanning the whole index: 44 ms -> 1 ms on a
            // million orders.
            let statuses =
                OrderStatus::ALL.iter().map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(",");
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT status, COUNT(*) FROM orders WHERE status IN ({statuses}) AND created_at >= ?1
                 GROUP BY status ORDER BY status"
            ))?;
            let today_by_status = stmt
                .query_map([start], |r| {
                    let status: String = r.get(0)?;
                    Ok((status, r.get::<_, i64>(1)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?
                .into_iter()
                .filter_map(|(s, count)| {
                    OrderStatus::parse(&s).ok().map(|status| StatusCount { status, count })
                })
                .collect::<Vec<_>>();
            let revenue: i64 = conn.query_row(
                "SELECT COALESCE(SUM(amount_minor), 0) FROM payments WHERE at >= ?1",
                [start],
                |r| r.get(0),
            )?;
            let hour_start = now - now.rem_euclid(60_000) - 59 * 60_000;
            let mut per_minute: Vec<MinuteCount> =
                (0..60).map(|i| MinuteCount { minute: hour_start + i * 60_000, orders: 0 }).collect();
            let mut stmt = conn.prepare_cached(
                "SELECT (created_at - ?1) / 60000, COUNT(*) FROM orders WHERE created_at >= ?1 GROUP BY 1",
            )?;
            for row in stmt.query_map([hour_start], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
                let (minute, count) = row?;
                if let Some(slot) = usize::try_from(minute).ok().and_then(|m| per_minute.get_mut(m)) {
                    slot.orders = count;
                }
            }
            let mut stmt = conn.prepare_cached(
                "SELECT s.sku, p.name, s.on_hand, s.reserved, p.low_stock_threshold
                 FROM stock s JOIN products p ON p.sku = s.sku
                 WHERE s.on_hand - s.reserved <= COALESCE(p.low_stock_threshold, ?1) AND p.active = 1
                 ORDER BY s.on_hand - s.reserved, s.sku LIMIT 50",
            )?;
            let low_stock = stmt
                .query_map([threshold], |r| {
                    let (on_hand, reserved): (i64, i64) = (r.get(2)?, r.get(3)?);
                    Ok(StockRow {
                        sku: r.get(0)?,
                        name: r.get(1)?,
                        on_hand,
                        reserved,
                        available: on_hand - reserved,
                        low_stock_threshold: r.get(4)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let stock = conn.query_row(
                "SELECT COUNT(*), COALESCE(SUM(s.on_hand), 0), COALESCE(SUM(s.reserved), 0),
                        COALESCE(SUM(MAX(s.on_hand, 0) * p.price_minor), 0)
                 FROM stock s JOIN products p ON p.sku = s.sku",
                [],
                |r| {
                    let (on_hand, reserved): (i64, i64) = (r.get(1)?, r.get(2)?);
                    Ok(StockTotals {
                        skus: r.get(0)?,
                        on_hand,
                        reserved,
                        available: on_hand - reserved,
                        value_minor: r.get(3)?,
                    })
                },
            )?;
            Ok(Dashboard {
                currency: settings.currency.code().to_string(),
                orders_today: today_by_status.iter().map(|s| s.count).sum(),
                today_by_status,
                revenue_today_minor: revenue,
                orders_per_minute: per_minute,
                low_stock,
                low_stock_threshold: threshold,
                stock,
            })
        })
    }

    /// A page of the orders list, newest first, with the number of matching orders.
    pub fn order_page(&self, query: &OrderQuery, offset: i64, limit: i64) -> Result<OrderPage> {
        let limit = limit.clamp(1, 500);
        let offset = offset.max(0);
        let (filter, mut values) = order_filter(query);
        self.read(|conn| {
            // By status and channel only, the count comes from the trigger-kept `order_counts`
            // (the filter names only `o.status` and `o.channel`, which that table has too).
            let count_sql = if query.by_status_and_channel_only() {
                format!("SELECT COALESCE(SUM(o.n), 0) FROM order_counts o {filter}")
            } else {
                format!("SELECT COUNT(*) FROM orders o {filter}")
            };
            let total: i64 =
                conn.prepare_cached(&count_sql)?.query_row(rusqlite::params_from_iter(values.iter()), |r| r.get(0))?;
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
            values.push(rusqlite::types::Value::Integer(take));
            values.push(rusqlite::types::Value::Integer(skip));
            let direction = if from_end { "ASC" } else { "DESC" };
            let sql = format!(
                "SELECT o.id, o.number, o.channel, o.status, o.customer, o.total_minor, o.currency, o.created_at
                 FROM orders o {filter} ORDER BY o.created_at {direction}, o.id {direction} LIMIT ?{} OFFSET ?{}",
                values.len() - 1,
                values.len()
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(values.iter()), |r| {
                    let channel: String = r.get(2)?;
                    let status: String = r.get(3)?;
                    let bad = |i: usize, e: storedesk_domain::order::UnknownName| {
                        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
                    };
                    Ok(OrderSummary {
                        id: r.get(0)?,
                        number: r.get(1)?,
                        channel: Channel::parse(&channel).map_err(|e| bad(2, e))?,
                        status: OrderStatus::parse(&status).map_err(|e| bad(3, e))?,
                        customer: r.get(4)?,
                        total_minor: r.get(5)?,
                        currency: r.get(6)?,
                        created_at: db::timestamp(r.get(7)?),
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let rows = if from_end { rows.into_iter().rev().collect() } else { rows };
            Ok(OrderPage { total, offset, rows })
        })
    }

    /// Loads the whole catalog into the cache (at start, so that searches see every product).
    pub fn warm_catalog(&self) -> Result<usize> {
        let products = self.products()?;
        let n = products.len();
        self.offer_all(&products.into_iter().map(std::sync::Arc::new).collect::<Vec<_>>());
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

    /// The language the operator chose (`en`, `zh-CN`), if any.
    pub fn language(&self) -> Result<Option<String>> {
        self.sync_value(prefs::LANGUAGE)
    }

    pub fn set_language(&self, language: &str) -> Result<()> {
        match language {
            "en" | "zh-CN" => self.set_sync_value(prefs::LANGUAGE, language),
            other => Err(StoreError::Invalid(format!("unknown language {other:?} (expected en or zh-CN)"))),
        }
    }

    /// The central URL this device syncs with, if configured.
    pub fn central_url(&self) -> Result<Option<String>> {
        self.sync_value(feed::keys::CENTRAL_URL)
    }

    /// Sets a product's own low-stock threshold (`None`: the store-wide one applies).
    pub fn set_product_threshold(&self, sku: &str, threshold: Option<i64>) -> Result<()> {
        if threshold.is_some_and(|t| t < 0) {
            return Err(StoreError::Invalid("a low-stock threshold cannot be negative".into()));
        }
        self.write(
            |tx| {
                let n = tx.execute(
                    "UPDATE products SET low_stock_threshold = ?2 WHERE sku = ?1",
                    params![sku, threshold],
                )?;
                if n == 0 {
                    return Err(StoreError::UnknownSku(sku.to_string()));
                }
                Ok(())
            },
            |_| {},
        )?;
        // The cached entry carries the threshold too.
        let product = self.read(|conn| {
            conn.query_row(
                "SELECT sku, name, price_minor, version, active, low_stock_threshold FROM products WHERE sku = ?1",
                [sku],
                |r| {
                    Ok(Product {
                        sku: r.get(0)?,
                        name: r.get(1)?,
                        price_minor: r.get(2)?,
                        version: r.get(3)?,
                        active: r.get(4)?,
                        low_stock_threshold: r.get(5)?,
                    })
                },
            )
            .map_err(StoreError::from)
        })?;
        self.catalog.replace(std::sync::Arc::new(product));
        Ok(())
    }
}
