//! The device's stock view: central's snapshot of a SKU plus everything central does not count
//! yet — the device's events it has not applied (or whose effect lies past the snapshot),
//! replayed with the same [`EventBody::stock_effect`] central uses, and counter orders not yet
//! handed over. The difference to the current numbers is written as a `sync` ledger row, so the
//! ledger still explains every number.
//!
//! [`EventBody::stock_effect`]: storedesk_protocol::events::EventBody::stock_effect

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{Connection, OptionalExtension, Transaction};
use storedesk_domain::{LedgerReason, OrderId, StockDelta};
use storedesk_protocol::events::LineItem;

use crate::error::{Result, StoreError};
use crate::orders::{self, CentralReservation};
use crate::outbox::{self, OutboxStatus};
use crate::sql::named_opt;
use crate::stock;

/// Per SKU: the stock it should have, and the feed id of the snapshot it starts from.
type Targets = BTreeMap<String, (StockDelta, i64)>;

/// Sets the stock view of `skus` to central's snapshot plus what central does not count yet.
pub(crate) fn recompute(tx: &Transaction<'_>, skus: &BTreeSet<String>, now: i64) -> Result<()> {
    if skus.is_empty() {
        return Ok(());
    }
    let mut target = snapshots(tx, skus)?;
    replay_uncounted_events(tx, &mut target)?;
    add_counter_reservations(tx, &mut target)?;
    for (sku, (want, snapshot_id)) in target {
        if want.reserved < 0 {
            return Err(StoreError::Invalid(format!(
                "central's stock of {sku} (change {snapshot_id}) with this device's unsent changes on top gives a negative reservation ({}); the change feed and the outbox disagree",
                want.reserved
            )));
        }
        let have = stock::level(tx, &sku)?;
        let delta =
            StockDelta { on_hand: want.on_hand - have.on_hand, reserved: want.reserved - have.reserved };
        if delta != StockDelta::default() {
            let why = stock::Why { note: Some("central's stock"), ..stock::Why::default() };
            stock::move_stock(tx, &sku, LedgerReason::Sync, why, now, |_| Ok(delta))?;
        }
    }
    Ok(())
}

fn snapshots(tx: &Transaction<'_>, skus: &BTreeSet<String>) -> Result<Targets> {
    let mut target = Targets::new();
    for sku in skus {
        let snapshot = tx
            .prepare_cached("SELECT on_hand, reserved, change_id FROM central_stock WHERE sku = ?1")?
            .query_row([sku], |r| {
                Ok((StockDelta { on_hand: r.get(0)?, reserved: r.get(1)? }, r.get::<_, i64>(2)?))
            })
            .optional()?;
        if let Some(snapshot) = snapshot {
            target.insert(sku.clone(), snapshot);
        }
    }
    Ok(target)
}

/// The device's events central may not count yet: pending and dead ones, and sent ones whose
/// effect lies past the snapshot. (Sent events without a change id moved no stock at central;
/// discarded ones will never reach it.)
fn replay_uncounted_events(tx: &Transaction<'_>, target: &mut Targets) -> Result<()> {
    let oldest_snapshot = target.values().map(|(_, change_id)| *change_id).min().unwrap_or(0);
    for (event, change_id) in outbox::uncounted_by_central(tx, oldest_snapshot)? {
        let body = event.envelope()?.body;
        let (lines, holds) =
            match event.aggregate.strip_prefix("order:").and_then(|id| id.parse::<OrderId>().ok()) {
                Some(id) => order_context(tx, id)?,
                None => (Vec::new(), false),
            };
        for (sku, delta) in body.stock_effect(&lines, holds) {
            if let Some((sum, snapshot_id)) = target.get_mut(&sku) {
                let counted =
                    event.status == OutboxStatus::Sent && change_id.is_some_and(|c| c <= *snapshot_id);
                if !counted {
                    sum.on_hand += delta.on_hand;
                    sum.reserved += delta.reserved;
                }
            }
        }
    }
    Ok(())
}

/// Counter orders reserve locally and tell central only when handed over.
fn add_counter_reservations(tx: &Transaction<'_>, target: &mut Targets) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "SELECT l.sku, SUM(l.qty) FROM order_lines l JOIN orders o ON o.id = l.order_id
         WHERE o.channel = 'counter' AND o.reservation_held = 1 GROUP BY l.sku",
    )?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
        let (sku, qty) = row?;
        if let Some((sum, _)) = target.get_mut(&sku) {
            sum.reserved += qty;
        }
    }
    Ok(())
}

/// An order's lines (as central sees them) and whether central holds its reservation.
fn order_context(conn: &Connection, id: OrderId) -> Result<(Vec<LineItem>, bool)> {
    let central: Option<Option<CentralReservation>> = conn
        .prepare_cached("SELECT central_reservation FROM orders WHERE id = ?1")?
        .query_row([id.to_string()], |r| named_opt(r, 0))
        .optional()?;
    let Some(central) = central else { return Ok((Vec::new(), false)) };
    // Not answered yet: the device replays `order_placed` as accepted, so the rest follows suit.
    let holds = matches!(central, None | Some(CentralReservation::Accepted));
    let lines = orders::wire_lines(conn, id)?;
    Ok((lines, holds))
}
