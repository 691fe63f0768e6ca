//! Moving an order through the state machine: an operator's step, and the steps the saga takes
//! when central answers.

use rusqlite::{Connection, Transaction, params};
use storedesk_domain::order::after_payment;
use storedesk_domain::{Channel, LedgerReason, OrderEvent, OrderId, OrderStatus, Permission, Transition};

use super::effects::write_effects;
use super::model::{CentralReservation, Header, Order, OrderAction, PaymentInput, StepDetails};
use super::read::{load_lines, load_order, resolve};
use crate::actor::Actor;
use crate::error::{Result, StoreError};
use crate::sql::Name;
use crate::{Store, db, staff, stock};

/// The actor recorded for steps caused by central's answers.
pub(crate) const CENTRAL_ACTOR: &str = "central";

impl Store {
    /// Applies `action` to the order `reference` (its id or its number), when its actor may take
    /// the step (a refund above a supervisor's limit needs a manager, or a manager's approval).
    pub fn apply(&self, reference: &str, action: OrderAction) -> Result<Order> {
        let by = &action.details.actor;
        let id = self.refusals_recorded(by, Some(reference), || {
            self.write(
                |tx| {
                    let header = resolve(tx, reference)?;
                    let amount = (action.event == OrderEvent::Refund).then_some(header.total_minor);
                    staff::allow(tx, by, Permission::for_step(action.event), amount)?;
                    apply_in(tx, &header, &action, db::now_ms())?;
                    Ok(header.id)
                },
                |_| {},
            )
        })?;
        self.read(|conn| load_order(conn, id))
    }

    /// Records a payment of the order's total.
    pub fn pay(&self, reference: &str, payment: PaymentInput, actor: impl Into<Actor>) -> Result<Order> {
        let mut action = OrderAction::new(OrderEvent::Pay, actor);
        action.details.payment = Some(payment);
        self.apply(reference, action)
    }
}

/// Applies an event to a loaded order inside the caller's transaction, then the saga's follow-up:
/// paying a fulfilment order whose reservation central already answered confirms or holds it.
fn apply_in(tx: &Transaction<'_>, header: &Header, action: &OrderAction, now: i64) -> Result<()> {
    let transition = Transition::of(header.channel, header.status, action.event)
        .map_err(|error| StoreError::Transition { number: header.number.clone(), error })?;
    let lines = load_lines(tx, header.id)?;
    write_effects(tx, header, &lines, &transition, &action.details, now)?;
    if action.event == OrderEvent::Pay
        && let Some(event) = after_payment(header.channel, header.central_reservation)
    {
        let mut details = StepDetails::by(CENTRAL_ACTOR);
        if event == OrderEvent::Hold {
            details.reason = Some("central could not reserve the stock".to_string());
        }
        step(tx, header.id, event, details, now)?;
    }
    Ok(())
}

/// Applies `event` to the order `id` inside the caller's transaction (the saga's steps).
pub(crate) fn step(
    tx: &Transaction<'_>,
    id: OrderId,
    event: OrderEvent,
    details: StepDetails,
    now: i64,
) -> Result<()> {
    let header = resolve(tx, &id.to_string())?;
    apply_in(tx, &header, &OrderAction { event, details }, now)
}

/// What recording central's answer does to the order's local reservation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LocalReservation {
    Keep,
    /// Give it back with ledger rows (the compensation when central refused the reservation).
    Release,
    /// Stop counting it without ledger rows: central's next stock snapshot accounts for it (a
    /// conflict released it at central).
    Forget,
}

/// Records central's answer to the order's reservation; returns the order's SKUs when the local
/// reservation changed (none for `Keep`).
pub(crate) fn set_central_reservation(
    tx: &Transaction<'_>,
    id: OrderId,
    answer: CentralReservation,
    local: LocalReservation,
    now: i64,
) -> Result<Vec<String>> {
    let header = resolve(tx, &id.to_string())?;
    let lines = if local == LocalReservation::Keep { Vec::new() } else { load_lines(tx, id)? };
    if local == LocalReservation::Release && header.reservation_held {
        let key = id.to_string();
        for line in &lines {
            let why = stock::Why { order_id: Some(&key), ..stock::Why::default() };
            stock::move_stock(tx, &line.sku, LedgerReason::Release, why, now, |l| l.release(line.qty))?;
        }
    }
    tx.prepare_cached(
        "UPDATE orders SET central_reservation = ?2,
             reservation_held = CASE WHEN ?3 THEN 0 ELSE reservation_held END WHERE id = ?1",
    )?
    .execute(params![id.to_string(), Name(answer), local != LocalReservation::Keep])?;
    Ok(lines.into_iter().map(|l| l.sku).collect())
}

/// The order's status and channel (for the saga).
pub(crate) fn status_of(conn: &Connection, id: OrderId) -> Result<(Channel, OrderStatus)> {
    let header = resolve(conn, &id.to_string())?;
    Ok((header.channel, header.status))
}
