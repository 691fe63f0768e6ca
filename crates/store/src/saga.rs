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
//! - any other refusal: the event is dead and holds back the order's later events.

use rusqlite::Transaction;
use storedesk_domain::{EventKind, OrderEvent, OrderId, OrderStatus};
use storedesk_protocol::api::{AppliedResult, codes};
use storedesk_protocol::events::{EventBody, OrderPlaced};

use crate::attention;
use crate::error::Result;
use crate::orders::{self, CENTRAL_ACTOR, LocalReservation, StepDetails};
use crate::outbox::{OutboxEvent, PushResult};

/// What becomes of an event after central's answer.
pub(crate) enum Settled {
    /// Done; `change_id` is where central's stock snapshots start to include it.
    Sent { change_id: Option<i64> },
    /// Refused for good.
    Dead { reason: String },
}

pub(crate) fn on_answer(
    tx: &Transaction<'_>,
    event: &OutboxEvent,
    answer: &PushResult,
    now: i64,
) -> Result<Settled> {
    let placed = || -> Option<OrderId> {
        match event.envelope().ok()?.body {
            EventBody::OrderPlaced(OrderPlaced { order_id, .. }) => Some(order_id),
            _ => None,
        }
    };
    match answer {
        PushResult::Applied(result) | PushResult::Duplicate(result) => {
            let result: AppliedResult = serde_json::from_value(result.clone()).unwrap_or_default();
            if let (Some(order_id), Some("accepted")) = (placed(), result.reservation.as_deref()) {
                orders::set_central_reservation(tx, order_id, "accepted", LocalReservation::Keep, now)?;
                if orders::status_of(tx, order_id)?.1 == OrderStatus::Paid {
                    orders::step(
                        tx,
                        order_id,
                        OrderEvent::ConfirmStock,
                        StepDetails::by(CENTRAL_ACTOR),
                        now,
                    )?;
                }
            }
            Ok(Settled::Sent { change_id: result.change_id })
        }
        PushResult::Rejected { code, message, shortages }
            if code == codes::INSUFFICIENT_STOCK && event.kind == EventKind::OrderPlaced.as_str() =>
        {
            let Some(order_id) = placed() else {
                return Ok(Settled::Dead { reason: format!("{code}: {message}") });
            };
            orders::set_central_reservation(tx, order_id, "rejected", LocalReservation::Release, now)?;
            let status = orders::status_of(tx, order_id)?.1;
            if status == OrderStatus::Paid {
                let mut details = StepDetails::by(CENTRAL_ACTOR);
                details.reason = Some(message.clone());
                orders::step(tx, order_id, OrderEvent::Hold, details, now)?;
            }
            if matches!(status, OrderStatus::Created | OrderStatus::Paid) {
                let detail =
                    serde_json::json!({ "code": code, "event_id": event.event_id, "shortages": shortages });
                attention::raise(
                    tx,
                    "reservation_rejected",
                    Some(&order_id.to_string()),
                    &format!("central could not reserve the stock: {message}"),
                    Some(&detail),
                    now,
                )?;
            }
            Ok(Settled::Sent { change_id: None })
        }
        PushResult::Rejected { code, message, .. } => {
            Ok(Settled::Dead { reason: format!("{code}: {message}") })
        }
        PushResult::RetryLater { .. } => unreachable_retry(),
    }
}

/// `RetryLater` never reaches the saga: the relay schedules a retry instead.
fn unreachable_retry() -> Result<Settled> {
    Err(crate::error::StoreError::Invalid("a retry-later answer has no saga step".into()))
}
