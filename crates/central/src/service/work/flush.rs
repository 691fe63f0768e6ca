//! Writing a unit of work back: feed entries with ids taken at the end (stock snapshots, other
//! changes, conflicts), orders, conflicts, payments and stock, in a few multi-row statements.

use std::collections::HashMap;

use storedesk_domain::{Named, OrderId, Sku};
use storedesk_protocol::api::{ChangeBody, ConflictChange, StockSnapshot};

use super::{OrderRow, Work};
use crate::db::{Val, insert_many};
use crate::error::{CentralError, Result};
use crate::service::feed::{self, Entry};

impl Work<'_> {
    /// Writes everything back and appends the feed entries. Returns the feed id of each touched
    /// SKU's snapshot.
    pub async fn flush(self, conn: &mut sqlx::AnyConnection) -> Result<HashMap<String, i64>> {
        let count = self.touched.len() + self.others.len() + self.conflicts.len();
        let mut snapshot_ids = HashMap::new();
        let mut conflict_rows = Vec::new();
        if count > 0 {
            let first = feed::allocate(&mut *conn, count).await?;
            let (entries, ids, rows) = self.feed_entries(first)?;
            (snapshot_ids, conflict_rows) = (ids, rows);
            feed::write(&mut *conn, first, &entries).await?;
        }
        // Orders first: conflicts refer to them.
        write_orders(&mut *conn, &self.orders).await?;
        insert_many(
            &mut *conn,
            "INSERT INTO conflicts (id, store_id, order_id, sku, shortfall, message, created_at)",
            &conflict_rows,
            "",
        )
        .await?;
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
                vec![
                    Val::Int(self.store.id),
                    Val::Text(sku.clone()),
                    Val::Int(c.on_hand),
                    Val::Int(c.reserved),
                ]
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

    /// The feed entries from `first` on: each touched SKU's snapshot, the other changes, then the
    /// conflicts (whose ids are their feed ids); with the snapshot id per SKU and the conflict rows.
    #[allow(clippy::type_complexity)]
    fn feed_entries(&self, first: i64) -> Result<(Vec<Entry>, HashMap<String, i64>, Vec<Vec<Val>>)> {
        let store_id = Some(self.store.id);
        let mut entries = Vec::with_capacity(self.touched.len() + self.others.len() + self.conflicts.len());
        let mut snapshot_ids = HashMap::new();
        for (sku, id) in self.touched.iter().zip(first..) {
            let cell = &self.stock[sku];
            snapshot_ids.insert(sku.clone(), id);
            let snapshot =
                StockSnapshot { sku: wire_sku(sku)?, on_hand: cell.on_hand, reserved: cell.reserved };
            entries.push(Entry { store_id, body: ChangeBody::Stock(snapshot) });
        }
        entries.extend(self.others.iter().map(|body| Entry { store_id, body: body.clone() }));
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

async fn write_orders(conn: &mut sqlx::AnyConnection, orders: &HashMap<OrderId, OrderRow>) -> Result<()> {
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
    insert_many(
        conn,
        "INSERT INTO orders (id, store_id, number, origin, channel, status, currency, total_minor, holds_reservation,
                             reservation, till_id, customer, created_at, updated_at)",
        &order_rows,
        " ON CONFLICT (id) DO UPDATE SET status = excluded.status, holds_reservation = excluded.holds_reservation,
             reservation = excluded.reservation, updated_at = excluded.updated_at",
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
