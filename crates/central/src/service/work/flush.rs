//! Writing a unit of work back: feed entries with ids taken at the end (stock snapshots, other
//! changes, the snapshot of every changed order, conflicts), orders, conflicts, payments and
//! stock, in a few multi-row statements.

use std::collections::HashMap;

use storedesk_domain::{Currency, Named, OrderId, Sku};
use storedesk_protocol::api::{ChangeBody, ConflictChange, Heads, OrderSnapshot, StockSnapshot};

use super::{OrderRow, Origin, Work};
use crate::db::{Batch, Val};
use crate::error::{CentralError, Result};
use crate::service::feed::{self, Entry};

/// Where the work's changes went in the feed: the id of each touched SKU's snapshot and of each
/// changed order's snapshot.
#[derive(Default)]
pub(crate) struct FeedIds {
    pub stock: HashMap<String, i64>,
    pub orders: HashMap<OrderId, i64>,
}

impl Work<'_> {
    /// Writes everything back and appends the feed entries; says where they went.
    pub async fn flush(self, conn: &mut sqlx::AnyConnection) -> Result<FeedIds> {
        let mut writes = Batch::default();
        let ids = self.flush_into(conn, &mut writes, &HashMap::new()).await?;
        writes.execute(conn).await?;
        Ok(ids)
    }

    /// Takes the feed ids and adds every write to `writes` (run by the caller, with its own);
    /// says where the changes went. `own_heads` are the work's till's heads that `writes` moves
    /// (`aggregate -> last number`): the feed's entries carry them.
    pub async fn flush_into(
        self,
        conn: &mut sqlx::AnyConnection,
        writes: &mut Batch,
        own_heads: &HashMap<String, i64>,
    ) -> Result<FeedIds> {
        let heads = self.feed_heads(conn, own_heads).await?;
        let snapshots = self.order_snapshots(&heads)?;
        let count = self.touched.len() + self.others.len() + snapshots.len() + self.conflicts.len();
        let mut ids = FeedIds::default();
        let mut conflict_rows = Vec::new();
        if count > 0 {
            let first = feed::allocate(&mut *conn, count).await?;
            let (entries, stock_ids, rows) = self.feed_entries(first, snapshots, &heads)?;
            (ids.stock, conflict_rows) = (stock_ids, rows);
            for (entry, id) in entries.iter().zip(first..) {
                if let ChangeBody::Order(o) = &entry.body {
                    ids.orders.insert(o.order_id, id);
                }
            }
            feed::write(writes, conn, first, &entries)?;
        }
        // Orders first: conflicts refer to them.
        write_orders(writes, conn, &self.orders);
        writes.insert_many(
            conn,
            "INSERT INTO conflicts (id, store_id, order_id, sku, shortfall, message, created_at)",
            &conflict_rows,
            "",
        );
        writes.insert_many(
            conn,
            "INSERT INTO payments (order_id, method, amount_minor, at)",
            &self.payments,
            "",
        );
        let stock_rows: Vec<Vec<Val>> = self
            .stock
            .iter()
            .filter(|(_, c)| c.dirty)
            .map(|(sku, c)| {
                vec![
                    Val::Int(self.store.id),
                    Val::Text(sku.clone()),
                    Val::Int(c.on_hand),
                    Val::Int(c.reserved),
                ]
            })
            .collect();
        writes.insert_many(
            conn,
            "INSERT INTO stock (store_id, sku, on_hand, reserved)",
            &stock_rows,
            " ON CONFLICT (store_id, sku) DO UPDATE SET on_hand = excluded.on_hand, reserved = excluded.reserved",
        );
        Ok(ids)
    }

    /// Each till's heads on the aggregates this work changed, its own till's from `own_heads`
    /// (not written yet).
    async fn feed_heads(
        &self,
        conn: &mut sqlx::AnyConnection,
        own_heads: &HashMap<String, i64>,
    ) -> Result<HashMap<String, Heads>> {
        let aggregates: Vec<String> = self
            .touched
            .iter()
            .map(|sku| format!("stock:{sku}"))
            .chain(self.orders.values().filter(|o| o.dirty).map(|o| format!("order:{}", o.id)))
            .collect();
        let missing: Vec<String> =
            aggregates.iter().filter(|a| !self.heads_known.contains(*a)).cloned().collect();
        let mut heads: HashMap<String, Heads> =
            aggregates.iter().filter_map(|a| Some((a.clone(), self.feed_heads.get(a)?.clone()))).collect();
        if !missing.is_empty() {
            heads.extend(feed::heads::of(&mut *conn, self.store.id, &missing).await?);
        }
        if let Some((_, till)) = self.till {
            for aggregate in &aggregates {
                if let Some(last) = own_heads.get(aggregate) {
                    heads.entry(aggregate.clone()).or_default().insert(till.to_string(), *last);
                }
            }
        }
        Ok(heads)
    }

    /// Every order this work changed, as the store's tills see it (a new order of the central
    /// platform goes down as `order_allocated` instead), in a stable order.
    fn order_snapshots(&self, heads: &HashMap<String, Heads>) -> Result<Vec<ChangeBody>> {
        let mut changed: Vec<&OrderRow> =
            self.orders.values().filter(|o| o.dirty && !(o.new && o.origin == Origin::Central)).collect();
        changed.sort_by_key(|o| o.id);
        changed
            .into_iter()
            .map(|o| {
                Ok(ChangeBody::Order(OrderSnapshot {
                    order_id: o.id,
                    number: o.number.clone(),
                    till: o.till,
                    channel: o.channel,
                    status: o.status,
                    reservation: o.reservation,
                    currency: Currency::from_code(&o.currency)
                        .map_err(|e| CentralError::corrupt(format!("the currency of order {}", o.id), e))?,
                    total_minor: o.total_minor,
                    lines: o.lines.clone(),
                    payments: o.payments.clone(),
                    customer: o.customer.clone(),
                    created_at: jiff::Timestamp::from_millisecond(o.created_at)
                        .map_err(|e| CentralError::corrupt(format!("the time of order {}", o.id), e))?,
                    heads: heads.get(&format!("order:{}", o.id)).cloned().unwrap_or_default(),
                }))
            })
            .collect()
    }

    /// The feed entries from `first` on: each touched SKU's snapshot, the other changes, then the
    /// conflicts (whose ids are their feed ids); with the snapshot id per SKU and the conflict rows.
    #[allow(clippy::type_complexity)]
    fn feed_entries(
        &self,
        first: i64,
        snapshots: Vec<ChangeBody>,
        heads: &HashMap<String, Heads>,
    ) -> Result<(Vec<Entry>, HashMap<String, i64>, Vec<Vec<Val>>)> {
        let store_id = Some(self.store.id);
        let mut entries = Vec::with_capacity(self.touched.len() + self.others.len() + self.conflicts.len());
        let mut snapshot_ids = HashMap::new();
        for (sku, id) in self.touched.iter().zip(first..) {
            let cell = &self.stock[sku];
            snapshot_ids.insert(sku.clone(), id);
            let snapshot = StockSnapshot {
                sku: wire_sku(sku)?,
                on_hand: cell.on_hand,
                reserved: cell.reserved,
                heads: heads.get(&format!("stock:{sku}")).cloned().unwrap_or_default(),
            };
            entries.push(Entry { store_id, body: ChangeBody::Stock(snapshot) });
        }
        entries.extend(self.others.iter().map(|body| Entry { store_id, body: body.clone() }));
        entries.extend(snapshots.into_iter().map(|body| Entry { store_id, body }));
        let mut conflict_rows = Vec::new();
        for (id, sku, shortfall, message) in &self.conflicts {
            let conflict_id = first + entries.len() as i64;
            conflict_rows.push(vec![
                Val::Int(conflict_id),
                Val::Int(self.store.id),
                Val::Text(id.to_string()),
                Val::Text(sku.clone()),
                Val::Int(*shortfall),
                Val::Text(message.clone()),
                Val::Int(self.now),
            ]);
            let conflict = ConflictChange {
                conflict_id,
                order_id: *id,
                sku: wire_sku(sku)?,
                shortfall: *shortfall,
                message: message.clone(),
            };
            entries.push(Entry { store_id, body: ChangeBody::Conflict(conflict) });
        }
        Ok((entries, snapshot_ids, conflict_rows))
    }
}

/// A SKU as the feed carries it (the work keys stock by text; every key came from a valid SKU).
fn wire_sku(sku: &str) -> Result<Sku> {
    Sku::parse(sku).map_err(|e| CentralError::corrupt(format!("the SKU {sku:?}"), e))
}

fn write_orders(writes: &mut Batch, conn: &sqlx::AnyConnection, orders: &HashMap<OrderId, OrderRow>) {
    let mut order_rows = Vec::new();
    let mut line_rows = Vec::new();
    for order in orders.values().filter(|o| o.dirty) {
        order_rows.push(vec![
            Val::Text(order.id.to_string()),
            Val::Int(order.store_id),
            Val::Text(order.number.clone()),
            Val::Text(order.origin.name().into()),
            Val::Text(order.channel.name().into()),
            Val::Text(order.status.name().into()),
            Val::Text(order.currency.clone()),
            Val::Int(order.total_minor),
            Val::Int(i64::from(order.holds_reservation)),
            Val::OptText(order.reservation.map(|r| r.name().to_string())),
            Val::OptInt(order.till_id),
            Val::OptText(order.customer.clone()),
            Val::Int(order.created_at),
            Val::Int(jiff::Timestamp::now().as_millisecond()),
        ]);
        if order.new {
            for (i, line) in order.lines.iter().enumerate() {
                line_rows.push(vec![
                    Val::Text(order.id.to_string()),
                    Val::Int(i as i64 + 1),
                    Val::Text(line.sku.to_string()),
                    Val::Int(line.qty.get()),
                    Val::Int(line.unit_price_minor),
                ]);
            }
        }
    }
    writes.insert_many(
        conn,
        "INSERT INTO orders (id, store_id, number, origin, channel, status, currency, total_minor, holds_reservation,
                             reservation, till_id, customer, created_at, updated_at)",
        &order_rows,
        " ON CONFLICT (id) DO UPDATE SET status = excluded.status, holds_reservation = excluded.holds_reservation,
             reservation = excluded.reservation, updated_at = excluded.updated_at",
    );
    writes.insert_many(
        conn,
        "INSERT INTO order_lines (order_id, line_no, sku, qty, unit_price_minor)",
        &line_rows,
        "",
    );
}
