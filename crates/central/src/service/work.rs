//! A unit of work over one store's stock and orders inside one transaction: load what a request
//! touches, apply the changes in memory, write everything back in a few multi-row statements, and
//! append the change-feed entries (stock snapshots, allocated orders, conflicts) with ids taken at
//! the end.
//!
//! Rows are loaded with the dialect's lock (`FOR UPDATE` on PostgreSQL; SQLite holds the database's
//! write lock), so the in-memory arithmetic is exact.

use std::collections::{BTreeMap, HashMap, HashSet};

use sqlx::Row;
use storedesk_domain::{OrderId, StockDelta};
use storedesk_protocol::api::{ChangeBody, ConflictChange, StockSnapshot};
use storedesk_protocol::events::LineItem;

use super::StoreRef;
use super::feed::{self, Entry};
use crate::db::{Db, Val, insert_many, param, placeholders};
use crate::error::Result;

#[derive(Clone, Debug)]
pub(crate) struct StockCell {
    pub on_hand: i64,
    pub reserved: i64,
    dirty: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct OrderRow {
    pub id: OrderId,
    pub store_id: i64,
    pub number: String,
    pub origin: String,
    pub channel: String,
    pub status: String,
    pub currency: String,
    pub total_minor: i64,
    pub holds_reservation: bool,
    pub customer: Option<String>,
    pub created_at: i64,
    pub lines: Vec<LineItem>,
    new: bool,
    dirty: bool,
}

impl OrderRow {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: OrderId,
        store_id: i64,
        number: String,
        origin: &str,
        channel: &str,
        status: &str,
        currency: String,
        total_minor: i64,
        customer: Option<String>,
        lines: Vec<LineItem>,
        now: i64,
    ) -> Self {
        OrderRow {
            id,
            store_id,
            number,
            origin: origin.into(),
            channel: channel.into(),
            status: status.into(),
            currency,
            total_minor,
            holds_reservation: false,
            customer,
            created_at: now,
            lines,
            new: true,
            dirty: true,
        }
    }
}

pub(crate) struct Work<'s> {
    pub store: &'s StoreRef,
    pub now: i64,
    lock: &'static str,
    pub stock: BTreeMap<String, StockCell>,
    pub products: HashSet<String>,
    pub orders: HashMap<OrderId, OrderRow>,
    payments: Vec<Vec<Val>>,
    /// SKUs whose stock changed, in first-touch order: their snapshots take feed ids in this order.
    touched: Vec<String>,
    conflicts: Vec<(OrderId, String, i64, String)>,
    others: Vec<ChangeBody>,
}

impl<'s> Work<'s> {
    pub fn new(db: &Db, store: &'s StoreRef, now: i64) -> Self {
        Work {
            store,
            now,
            lock: db.lock_rows(),
            stock: BTreeMap::new(),
            products: HashSet::new(),
            orders: HashMap::new(),
            payments: Vec::new(),
            touched: Vec::new(),
            conflicts: Vec::new(),
            others: Vec::new(),
        }
    }

    /// Loads (and locks) the stock rows and product existence of `skus` not loaded yet.
    pub async fn load_skus(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        skus: impl IntoIterator<Item = String>,
    ) -> Result<()> {
        let mut wanted: Vec<String> = skus.into_iter().filter(|s| !self.stock.contains_key(s)).collect();
        wanted.sort();
        wanted.dedup();
        for chunk in wanted.chunks(500) {
            let sql =
                format!("SELECT sku FROM products WHERE sku IN ({})", placeholders(conn, 1, chunk.len()));
            let mut query = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql));
            for sku in chunk {
                query = query.bind(sku.clone());
            }
            self.products.extend(query.fetch_all(&mut *conn).await?);
            let sql = format!(
                "SELECT sku, on_hand, reserved FROM stock WHERE store_id = {} AND sku IN ({}) ORDER BY sku{}",
                param(conn, 1),
                placeholders(conn, 2, chunk.len()),
                self.lock
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(self.store.id);
            for sku in chunk {
                query = query.bind(sku.clone());
            }
            for row in query.fetch_all(&mut *conn).await? {
                let cell = StockCell { on_hand: row.try_get(1)?, reserved: row.try_get(2)?, dirty: false };
                self.stock.insert(row.try_get(0)?, cell);
            }
            for sku in chunk {
                self.stock.entry(sku.clone()).or_insert(StockCell { on_hand: 0, reserved: 0, dirty: false });
            }
        }
        Ok(())
    }

    /// Loads (and locks) orders (of any store: the caller checks ownership) with their lines.
    pub async fn load_orders(&mut self, conn: &mut sqlx::AnyConnection, ids: &[OrderId]) -> Result<()> {
        let wanted: Vec<String> = ids
            .iter()
            .filter(|id| !self.orders.contains_key(id))
            .map(|id| id.to_string())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        for chunk in wanted.chunks(500) {
            let sql = format!(
                "SELECT id, store_id, number, origin, channel, status, currency, total_minor, holds_reservation, customer, created_at
                 FROM orders WHERE id IN ({}) ORDER BY id{}",
                placeholders(conn, 1, chunk.len()),
                self.lock
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(id.clone());
            }
            for row in query.fetch_all(&mut *conn).await? {
                let id: String = row.try_get(0)?;
                let Ok(order_id) = id.parse::<OrderId>() else { continue };
                let holds: i64 = row.try_get(8)?;
                self.orders.insert(
                    order_id,
                    OrderRow {
                        id: order_id,
                        store_id: row.try_get(1)?,
                        number: row.try_get(2)?,
                        origin: row.try_get(3)?,
                        channel: row.try_get(4)?,
                        status: row.try_get(5)?,
                        currency: row.try_get(6)?,
                        total_minor: row.try_get(7)?,
                        holds_reservation: holds != 0,
                        customer: row.try_get(9)?,
                        created_at: row.try_get(10)?,
                        lines: Vec::new(),
                        new: false,
                        dirty: false,
                    },
                );
            }
            let sql = format!(
                "SELECT order_id, sku, qty, unit_price_minor FROM order_lines WHERE order_id IN ({}) ORDER BY order_id, line_no",
                placeholders(conn, 1, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(id.clone());
            }
            for row in query.fetch_all(&mut *conn).await? {
                let id: String = row.try_get(0)?;
                if let Some(order) = id.parse::<OrderId>().ok().and_then(|id| self.orders.get_mut(&id)) {
                    order.lines.push(LineItem {
                        sku: row.try_get(1)?,
                        qty: row.try_get(2)?,
                        unit_price_minor: row.try_get(3)?,
                    });
                }
            }
        }
        Ok(())
    }

    pub fn available(&self, sku: &str) -> i64 {
        self.stock.get(sku).map_or(0, |c| c.on_hand - c.reserved)
    }

    pub fn apply(&mut self, effects: &[(String, StockDelta)]) {
        for (sku, delta) in effects {
            let cell =
                self.stock.entry(sku.clone()).or_insert(StockCell { on_hand: 0, reserved: 0, dirty: false });
            cell.on_hand += delta.on_hand;
            cell.reserved += delta.reserved;
            cell.dirty = true;
            if !self.touched.contains(sku) {
                self.touched.push(sku.clone());
            }
        }
    }

    pub fn insert_order(&mut self, order: OrderRow) {
        self.orders.insert(order.id, order);
    }

    pub fn update_order(&mut self, id: OrderId, change: impl FnOnce(&mut OrderRow)) {
        if let Some(order) = self.orders.get_mut(&id) {
            change(order);
            order.dirty = true;
        }
    }

    pub fn add_payment(&mut self, order: OrderId, method: &str, amount_minor: i64) {
        self.payments.push(vec![
            Val::Text(order.to_string()),
            Val::Text(method.into()),
            Val::Int(amount_minor),
            Val::Int(self.now),
        ]);
    }

    pub fn add_change(&mut self, body: ChangeBody) {
        self.others.push(body);
    }

    /// When `sku` has fewer units on hand than reserved, releases the newest reservations on it —
    /// central-platform orders first — until the rest fit, recording a conflict for each.
    pub async fn settle_conflicts(&mut self, conn: &mut sqlx::AnyConnection, sku: &str) -> Result<()> {
        let short = |w: &Self| w.stock.get(sku).is_some_and(|c| c.reserved > c.on_hand);
        if !short(self) {
            return Ok(());
        }
        let rows = sqlx::query(
            "SELECT o.id FROM orders o JOIN order_lines l ON l.order_id = o.id
             WHERE o.store_id = $1 AND o.holds_reservation = 1 AND l.sku = $2
             ORDER BY CASE WHEN o.origin = 'central' THEN 0 ELSE 1 END, o.created_at DESC",
        )
        .bind(self.store.id)
        .bind(sku)
        .fetch_all(&mut *conn)
        .await?;
        let mut candidates: Vec<OrderId> =
            rows.iter().filter_map(|r| r.try_get::<String, _>(0).ok()?.parse().ok()).collect();
        // Orders of this batch that hold a reservation on the SKU count too.
        for order in self.orders.values() {
            if order.store_id == self.store.id
                && order.holds_reservation
                && order.lines.iter().any(|l| l.sku == sku)
                && !candidates.contains(&order.id)
            {
                candidates.push(order.id);
            }
        }
        self.load_orders(conn, &candidates).await?;
        // Their other lines' stock must be loaded (and locked) before it is changed.
        let skus: Vec<String> = candidates
            .iter()
            .filter_map(|id| self.orders.get(id))
            .flat_map(|o| o.lines.iter().map(|l| l.sku.clone()))
            .collect();
        self.load_skus(conn, skus).await?;
        for id in candidates {
            if !short(self) {
                break;
            }
            let Some(order) = self.orders.get(&id).filter(|o| o.holds_reservation) else { continue };
            let lines = order.lines.clone();
            let number = order.number.clone();
            let (on_hand, reserved) = self.stock.get(sku).map_or((0, 0), |c| (c.on_hand, c.reserved));
            let shortfall =
                (reserved - on_hand).min(lines.iter().filter(|l| l.sku == sku).map(|l| l.qty).sum());
            let release: Vec<(String, StockDelta)> =
                lines.iter().map(|l| (l.sku.clone(), StockDelta { on_hand: 0, reserved: -l.qty })).collect();
            self.apply(&release);
            self.update_order(id, |o| {
                o.holds_reservation = false;
                o.status = "on_hold".into();
            });
            let message = format!(
                "order {number}: central has {on_hand} of {sku} on hand but {reserved} reserved; its reservation was released \
                 (short by {shortfall}); receive stock and retry, or cancel"
            );
            self.conflicts.push((id, sku.to_string(), shortfall, message));
        }
        Ok(())
    }

    /// Writes everything back and appends the feed entries. Returns the feed id of each touched
    /// SKU's snapshot.
    pub async fn flush(self, conn: &mut sqlx::AnyConnection) -> Result<HashMap<String, i64>> {
        let store_id = self.store.id;
        let count = self.touched.len() + self.others.len() + self.conflicts.len();
        let mut snapshot_ids = HashMap::new();
        if count > 0 {
            let first = feed::allocate(&mut *conn, count).await?;
            let mut entries = Vec::with_capacity(count);
            for (i, sku) in self.touched.iter().enumerate() {
                let cell = &self.stock[sku];
                snapshot_ids.insert(sku.clone(), first + i as i64);
                entries.push(Entry {
                    store_id: Some(store_id),
                    body: ChangeBody::Stock(StockSnapshot {
                        sku: sku.clone(),
                        on_hand: cell.on_hand,
                        reserved: cell.reserved,
                    }),
                });
            }
            for body in self.others {
                entries.push(Entry { store_id: Some(store_id), body });
            }
            let mut conflict_rows = Vec::new();
            for (id, sku, shortfall, message) in self.conflicts {
                let conflict_id = first + entries.len() as i64;
                conflict_rows.push(vec![
                    Val::Int(conflict_id),
                    Val::Int(store_id),
                    Val::Text(id.to_string()),
                    Val::Text(sku.clone()),
                    Val::Int(shortfall),
                    Val::Text(message.clone()),
                    Val::Int(self.now),
                ]);
                entries.push(Entry {
                    store_id: Some(store_id),
                    body: ChangeBody::Conflict(ConflictChange {
                        conflict_id,
                        order_id: id,
                        sku,
                        shortfall,
                        message,
                    }),
                });
            }
            feed::write(&mut *conn, first, &entries).await?;
            // Orders first: conflicts refer to them.
            write_orders(&mut *conn, &self.orders).await?;
            insert_many(
                &mut *conn,
                "INSERT INTO conflicts (id, store_id, order_id, sku, shortfall, message, created_at)",
                &conflict_rows,
                "",
            )
            .await?;
        } else {
            write_orders(&mut *conn, &self.orders).await?;
        }
        insert_many(
            &mut *conn,
            "INSERT INTO payments (order_id, method, amount_minor, at)",
            &self.payments,
            "",
        )
        .await?;
        let stock_rows: Vec<Vec<Val>> = self
            .stock
            .iter()
            .filter(|(_, c)| c.dirty)
            .map(|(sku, c)| {
                vec![Val::Int(store_id), Val::Text(sku.clone()), Val::Int(c.on_hand), Val::Int(c.reserved)]
            })
            .collect();
        insert_many(
            &mut *conn,
            "INSERT INTO stock (store_id, sku, on_hand, reserved)",
            &stock_rows,
            " ON CONFLICT (store_id, sku) DO UPDATE SET on_hand = excluded.on_hand, reserved = excluded.reserved",
        )
        .await?;
        Ok(snapshot_ids)
    }
}

async fn write_orders(conn: &mut sqlx::AnyConnection, orders: &HashMap<OrderId, OrderRow>) -> Result<()> {
    let mut order_rows = Vec::new();
    let mut line_rows = Vec::new();
    for order in orders.values().filter(|o| o.dirty) {
        order_rows.push(vec![
            Val::Text(order.id.to_string()),
            Val::Int(order.store_id),
            Val::Text(order.number.clone()),
            Val::Text(order.origin.clone()),
            Val::Text(order.channel.clone()),
            Val::Text(order.status.clone()),
            Val::Text(order.currency.clone()),
            Val::Int(order.total_minor),
            Val::Int(i64::from(order.holds_reservation)),
            Val::OptText(order.customer.clone()),
            Val::Int(order.created_at),
            Val::Int(jiff::Timestamp::now().as_millisecond()),
        ]);
        if order.new {
            for (i, line) in order.lines.iter().enumerate() {
                line_rows.push(vec![
                    Val::Text(order.id.to_string()),
                    Val::Int(i as i64 + 1),
                    Val::Text(line.sku.clone()),
                    Val::Int(line.qty),
                    Val::Int(line.unit_price_minor),
                ]);
            }
        }
    }
    insert_many(
        conn,
        "INSERT INTO orders (id, store_id, number, origin, channel, status, currency, total_minor, holds_reservation,
                             customer, created_at, updated_at)",
        &order_rows,
        " ON CONFLICT (id) DO UPDATE SET status = excluded.status, holds_reservation = excluded.holds_reservation,
             updated_at = excluded.updated_at",
    )
    .await?;
    insert_many(
        conn,
        "INSERT INTO order_lines (order_id, line_no, sku, qty, unit_price_minor)",
        &line_rows,
        "",
    )
    .await
}
