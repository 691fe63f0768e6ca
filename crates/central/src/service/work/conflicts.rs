//! Conflicts: a counter sale or a count took stock that central had reserved for orders.

use sqlx::Row;
use storedesk_domain::{OrderEvent, OrderId, Reservation, StockDelta, Transition};

use super::Work;
use crate::error::Result;

impl Work<'_> {
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
                && order.lines.iter().any(|l| l.sku.as_str() == sku)
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
            .flat_map(|o| o.lines.iter().map(|l| l.sku.to_string()))
            .collect();
        self.load_skus(conn, skus).await?;
        for id in candidates {
            if !short(self) {
                break;
            }
            self.release_for(id, sku)?;
        }
        Ok(())
    }

    /// Releases the order `id`'s reservation because `sku` is short, and records the conflict.
    fn release_for(&mut self, id: OrderId, sku: &str) -> Result<()> {
        let Some(order) = self.orders.get(&id).filter(|o| o.holds_reservation) else { return Ok(()) };
        let lines = order.lines.clone();
        let number = order.number.clone();
        let (order_channel, order_status) = (order.channel, order.status);
        let (on_hand, reserved) = self.stock.get(sku).map_or((0, 0), |c| (c.on_hand, c.reserved));
        let shortfall = (reserved - on_hand)
            .min(lines.iter().filter(|l| l.sku.as_str() == sku).map(|l| l.qty.get()).sum());
        let release: Vec<(String, StockDelta)> = lines
            .iter()
            .map(|l| (l.sku.to_string(), StockDelta { on_hand: 0, reserved: -l.qty.get() }))
            .collect();
        self.apply(&release)?;
        // A paid order goes on hold (the state machine's `hold`); an unpaid one stays created
        // and goes on hold when paid, as on the device.
        let status = match Transition::of(order_channel, order_status, OrderEvent::Hold) {
            Ok(t) => t.to,
            Err(_) => order_status,
        };
        self.update_order(id, |o| {
            o.holds_reservation = false;
            o.reservation = Some(Reservation::Released);
            o.status = status;
        });
        let message = format!(
            "order {number}: central has {on_hand} of {sku} on hand but {reserved} reserved; its reservation was released \
             (short by {shortfall}); receive stock and retry, or cancel"
        );
        self.conflicts.push((id, sku.to_string(), shortfall, message));
        Ok(())
    }
}
