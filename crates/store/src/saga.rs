//! The inventory saga's device side: what central's answer to an outbox event does here.
//!
//! Runs inside the transaction that records the answer, so an answer and its consequences commit
//! together (a crash in between replays the push, and central answers `duplicate` with the same
//! result).
//!
//! - `order_placed` accepted: the order's reservation is confirmed; a paid order becomes ready to
//!   ship (an unpaid one when it is paid).
//! - `order_placed` rejected for `insufficient_stock`: compensation — the local reservation is
//!   released, a paid order goes on hold with central's reason, and an attention item asks the
//!   operator to decide. The event is settled (`sent`), not dead: the refusal is a business answer.
//! - a step refused with `invalid_transition` (another till acted on the order first): settled as
//!   lost — central's state stands, an attention item says what happened, and what was done here
//!   at the counter stays on record as a discrepancy.
//! - any other refusal: the event is dead and holds back the order's later events.

use rusqlite::Transaction;
use storedesk_domain::{EventKind, OrderEvent, OrderId, OrderStatus};
use storedesk_protocol::api::{AppliedResult, Shortage, codes};
use storedesk_protocol::events::{EventBody, OrderPlaced};

use crate::attention;
use crate::error::{Result, StoreError};
use crate::orders::{self, CENTRAL_ACTOR, CentralReservation, LocalReservation, StepDetails};
use crate::outbox::OutboxEvent;

/// What becomes of an event after central's answer.
pub(crate) enum Settled {
    /// Done; `change_id` is where central's stock snapshots start to include it; `kept` is the
    /// answer the outbox row keeps.
    Sent { change_id: Option<i64>, kept: serde_json::Value },
    /// Refused for good.
    Dead { reason: String },
}

/// A final answer from central (the relay handles "retry later" and unreadable answers itself).
pub(crate) enum Verdict<'a> {
    Applied(&'a AppliedResult),
    Rejected { code: &'a str, message: &'a str, shortages: &'a [Shortage] },
}

pub(crate) fn on_answer(
    tx: &Transaction<'_>,
    event: &OutboxEvent,
    verdict: Verdict<'_>,
    now: i64,
) -> Result<Settled> {
    let placed = match event.envelope()?.body {
        EventBody::OrderPlaced(OrderPlaced { order_id, .. }) => Some(order_id),
        _ => None,
    };
    let applied = |result: &AppliedResult| -> Result<Settled> {
        if let (Some(change), Some(order_id)) = (result.order_change_id, event.envelope()?.body.order_id()) {
            orders::saw_central_change(tx, order_id, change)?;
        }
        let kept = serde_json::to_value(result)
            .map_err(|e| StoreError::Invalid(format!("cannot keep central's answer: {e}")))?;
        Ok(Settled::Sent { change_id: result.change_id, kept })
    };
    match (verdict, placed) {
        (Verdict::Applied(result), Some(order_id)) if result.reservation.as_deref() == Some("accepted") => {
            reservation_accepted(tx, order_id, now)?;
            applied(result)
        }
        (Verdict::Applied(result), _) => applied(result),
        (Verdict::Rejected { code, message, shortages }, Some(order_id))
            if code == codes::INSUFFICIENT_STOCK && event.kind == EventKind::OrderPlaced =>
        {
            reservation_refused(tx, event, order_id, (code, message, shortages), now)?;
            let kept = serde_json::json!({ "rejected": code, "message": message });
            Ok(Settled::Sent { change_id: None, kept })
        }
        (Verdict::Rejected { code, message, .. }, _) if code == codes::INVALID_TRANSITION => {
            step_lost(tx, event, message, now)?;
            let kept = serde_json::json!({ "rejected": code, "message": message });
            Ok(Settled::Sent { change_id: None, kept })
        }
        (Verdict::Rejected { code, message, .. }, _) => {
            Ok(Settled::Dead { reason: format!("{code}: {message}") })
        }
    }
}

/// Central reserved the order's stock: a paid order is ready to ship (an unpaid one when paid).
fn reservation_accepted(tx: &Transaction<'_>, order_id: OrderId, now: i64) -> Result<()> {
    orders::set_central_reservation(tx, order_id, CentralReservation::Accepted, LocalReservation::Keep, now)?;
    if orders::status_of(tx, order_id)?.1 == OrderStatus::Paid {
        orders::step(tx, order_id, OrderEvent::ConfirmStock, StepDetails::by(CENTRAL_ACTOR), now)?;
    }
    Ok(())
}

/// Central refused a step of an order because its own state of the order forbids it: another
/// till acted on the order first (both refunded it, or one shipped what the other cancelled).
/// Central's state stands — the order follows it from the change feed, and the stock view counts
/// only what central applied, so nothing is counted twice in stock. What happened here at the
/// counter cannot be undone (money handed back stays on record here): the manager is told, and
/// the step is kept as a discrepancy.
fn step_lost(tx: &Transaction<'_>, event: &OutboxEvent, message: &str, now: i64) -> Result<()> {
    let order_id = event.envelope()?.body.order_id();
    // The money this step handed back here (its refund rows): a discrepancy, kept as it happened.
    let mut refunded = 0;
    if let Some(id) = order_id
        && matches!(event.kind, EventKind::OrderRefunded | EventKind::OrderCancelled)
    {
        refunded = tx.execute(
            "INSERT INTO discrepancies (order_id, event_id, kind, method, amount_minor, message, at)
             SELECT order_id, ?2, ?3, method, amount_minor, ?4, at FROM payments
             WHERE order_id = ?1 AND kind = 'refund'",
            rusqlite::params![id.to_string(), event.event_id.to_string(), event.kind.as_str(), message],
        )?;
    }
    let detail = serde_json::json!({
        "code": codes::INVALID_TRANSITION, "event_id": event.event_id, "kind": event.kind, "refunds_kept": refunded,
    });
    attention::raise(
        tx,
        "step_refused",
        order_id.map(|id| id.to_string()).as_deref(),
        &format!("central refused this till's {}: {message}", event.kind),
        Some(&detail),
        now,
    )?;
    Ok(())
}

/// The compensation: the local reservation goes back, a paid order goes on hold with central's
/// reason, and an operator is asked to decide.
fn reservation_refused(
    tx: &Transaction<'_>,
    event: &OutboxEvent,
    order_id: OrderId,
    (code, message, shortages): (&str, &str, &[Shortage]),
    now: i64,
) -> Result<()> {
    orders::set_central_reservation(
        tx,
        order_id,
        CentralReservation::Rejected,
        LocalReservation::Release,
        now,
    )?;
    let status = orders::status_of(tx, order_id)?.1;
    if status == OrderStatus::Paid {
        let mut details = StepDetails::by(CENTRAL_ACTOR);
        details.reason = Some(message.to_string());
        orders::step(tx, order_id, OrderEvent::Hold, details, now)?;
    }
    if matches!(status, OrderStatus::Created | OrderStatus::Paid) {
        let detail = serde_json::json!({ "code": code, "event_id": event.event_id, "shortages": shortages });
        attention::raise(
            tx,
            "reservation_rejected",
            Some(&order_id.to_string()),
            &format!("central could not reserve the stock: {message}"),
            Some(&detail),
            now,
        )?;
    }
    Ok(())
}
