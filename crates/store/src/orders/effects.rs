//! Writing down a transition: every effect the domain's [`Transition`] names, in the transaction
//! of the step — stock and ledger rows, payments, the order row, the timeline, the attention items
//! it settles, and the outbox event it announces.

use rusqlite::{Transaction, params};
use storedesk_domain::order::{PaymentEffect, StockEffect};
use storedesk_domain::{LedgerReason, OrderStatus, StaffCode, Transition};
use storedesk_protocol::events::order_aggregate;

use super::announce::{StepFacts, event_body};
use super::model::{Header, OrderLine, Restock, StepDetails};
use super::payments;
use crate::actor::Actor;
use crate::error::{Result, StoreError};
use crate::sql::Name;
use crate::{audit, outbox, stock};

const MAX_TEXT: usize = 500;

pub(super) fn check_text(what: &str, value: Option<String>) -> Result<Option<String>> {
    match value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) {
        Some(v) if v.chars().count() > MAX_TEXT => Err(StoreError::Invalid(format!(
            "{what} is too long ({} characters, at most {MAX_TEXT})",
            v.chars().count()
        ))),
        other => Ok(other),
    }
}

/// Writes every effect of `transition` on the order. Placement passes a transition without `from`.
pub(super) fn write_effects(
    tx: &Transaction<'_>,
    header: &Header,
    lines: &[OrderLine],
    transition: &Transition,
    details: &StepDetails,
    now: i64,
) -> Result<()> {
    let reason = check_text("the reason", details.reason.clone())?;
    let tracking = check_text("the tracking number", details.tracking.clone())?;
    let staff = details.actor.staff().map(StaffCode::as_str);
    let effect = stock_effect(header, transition.stock);
    let restocked = restock_quantities(lines, effect, &details.restock)?;
    move_stock(tx, header, lines, (effect, &restocked), staff, now)?;
    let payment = match transition.payment {
        PaymentEffect::None => None,
        PaymentEffect::Capture => Some(payments::capture(tx, header, details.payment.as_ref(), staff, now)?),
        PaymentEffect::RefundAll => {
            payments::refund_all(tx, &header.id.to_string(), staff, now)?;
            None
        }
    };
    let announce_seq = header.event_seq + i64::from(transition.announce.is_some());
    if transition.from.is_some() {
        let row = OrderRowUpdate { announce_seq, tracking: tracking.as_deref(), reason: reason.as_deref() };
        update_order_row(tx, header, transition, effect, row, now)?;
    }
    write_timeline(tx, header, transition, &details.actor, reason.as_deref(), now)?;
    audit_step(tx, header, transition, details, reason.as_deref(), now)?;
    if matches!(transition.to, OrderStatus::ReadyToShip | OrderStatus::Cancelled) {
        settle_attention(tx, header, now)?;
    }
    if let Some(kind) = transition.announce {
        let facts = StepFacts { restocked, payment, tracking, reason };
        let body = event_body(tx, kind, header, lines, facts, now)?;
        outbox::append(tx, &details.actor, &order_aggregate(header.id), announce_seq, &body, now)?;
    }
    Ok(())
}

/// The transition's stock effect on this order: a reservation is taken and given back at most
/// once (after central refused it, or released it in a conflict, there is nothing to release).
fn stock_effect(header: &Header, effect: StockEffect) -> StockEffect {
    match effect {
        StockEffect::Release if !header.reservation_held => StockEffect::None,
        StockEffect::Reserve if header.reservation_held => StockEffect::None,
        other => other,
    }
}

/// Whether the order holds a reservation after `effect`.
pub(super) fn holds_after(header: &Header, effect: StockEffect) -> bool {
    match effect {
        StockEffect::Reserve | StockEffect::Adopt => true,
        StockEffect::Release | StockEffect::Consume => false,
        StockEffect::None | StockEffect::Restock => header.reservation_held,
    }
}

/// The stock and ledger rows of the effect (with the quantities restocked per line), line by line.
fn move_stock(
    tx: &Transaction<'_>,
    header: &Header,
    lines: &[OrderLine],
    (effect, restocked): (StockEffect, &[i64]),
    staff: Option<&str>,
    now: i64,
) -> Result<()> {
    let key = header.id.to_string();
    let why = stock::Why { order_id: Some(key.as_str()), note: None, staff };
    for (line, back) in lines.iter().zip(restocked) {
        let (sku, q, back) = (line.sku.as_str(), line.qty, *back);
        match effect {
            StockEffect::None | StockEffect::Adopt => {}
            StockEffect::Reserve => {
                stock::move_stock(tx, sku, LedgerReason::Reservation, why, now, |l| l.reserve(q))?;
            }
            StockEffect::Release => {
                stock::move_stock(tx, sku, LedgerReason::Release, why, now, |l| l.release(q))?;
            }
            StockEffect::Consume => {
                stock::move_stock(tx, sku, LedgerReason::Sale, why, now, |l| l.consume(q))?;
            }
            StockEffect::Restock if back > 0 => {
                stock::move_stock(tx, sku, LedgerReason::Return, why, now, |l| Ok(l.restock(back)))?;
                tx.prepare_cached(
                    "UPDATE order_lines SET restocked_qty = ?3 WHERE order_id = ?1 AND line_no = ?2",
                )?
                .execute(params![key, line.line_no, back])?;
            }
            StockEffect::Restock => {}
        }
    }
    Ok(())
}

/// Per line, how many units go back on the shelf (all zero unless the effect is a restock).
fn restock_quantities(lines: &[OrderLine], effect: StockEffect, restock: &Restock) -> Result<Vec<i64>> {
    if effect != StockEffect::Restock {
        return Ok(vec![0; lines.len()]);
    }
    match restock {
        Restock::Nothing => Ok(vec![0; lines.len()]),
        Restock::All => Ok(lines.iter().map(|l| l.qty).collect()),
        Restock::Lines(chosen) => {
            let mut quantities = vec![0; lines.len()];
            for (sku, qty) in chosen {
                let at = lines.iter().position(|l| l.sku == sku.as_str()).ok_or_else(|| {
                    StoreError::Invalid(format!("cannot restock {sku}: it is not on this order"))
                })?;
                let wanted = quantities[at] + qty.get();
                if wanted > lines[at].qty {
                    return Err(StoreError::Invalid(format!(
                        "cannot restock {wanted} of {sku}: the order has {}",
                        lines[at].qty
                    )));
                }
                quantities[at] = wanted;
            }
            Ok(quantities)
        }
    }
}

/// What the order row takes from a step besides its status.
struct OrderRowUpdate<'a> {
    announce_seq: i64,
    tracking: Option<&'a str>,
    reason: Option<&'a str>,
}

fn update_order_row(
    tx: &Transaction<'_>,
    header: &Header,
    transition: &Transition,
    effect: StockEffect,
    row: OrderRowUpdate<'_>,
    now: i64,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE orders SET status = ?2, updated_at = ?3, event_seq = ?4, steps = ?5,
             tracking = COALESCE(?6, tracking),
             hold_reason = CASE WHEN ?2 = 'on_hold' THEN ?7 WHEN ?2 = 'ready_to_ship' THEN NULL ELSE hold_reason END,
             reservation_held = ?8
         WHERE id = ?1",
    )?
    .execute(params![
        header.id.to_string(),
        Name(transition.to),
        now,
        row.announce_seq,
        header.steps + 1,
        row.tracking,
        row.reason,
        holds_after(header, effect)
    ])?;
    Ok(())
}

fn write_timeline(
    tx: &Transaction<'_>,
    header: &Header,
    transition: &Transition,
    actor: &Actor,
    reason: Option<&str>,
    now: i64,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO order_timeline (order_id, step, from_status, event, to_status, at, actor, reason, approved_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        header.id.to_string(),
        header.steps + 1,
        transition.from.map(Name),
        transition.event.map(Name),
        Name(transition.to),
        now,
        actor.recorded(),
        reason,
        actor.approver().map(StaffCode::as_str)
    ])?;
    Ok(())
}

/// The step on the audit trail: `order.place`, `order.pay`, ... with the order's number.
fn audit_step(
    tx: &Transaction<'_>,
    header: &Header,
    transition: &Transition,
    details: &StepDetails,
    reason: Option<&str>,
    now: i64,
) -> Result<()> {
    let action = format!("order.{}", transition.event.map_or("place", |e| e.as_str()));
    let mut detail =
        format!("{} -> {}", transition.from.map_or("new", |s| s.as_str()), transition.to.as_str());
    if let Some(reason) = reason {
        detail.push_str(": ");
        detail.push_str(reason);
    }
    let entry = audit::Entry { action: &action, subject: Some(&header.number), detail: Some(&detail) };
    audit::append(tx, &details.actor, entry, now)
}

/// Reaching ready to ship or cancelled settles whatever the order was waiting on.
fn settle_attention(tx: &Transaction<'_>, header: &Header, now: i64) -> Result<()> {
    tx.prepare_cached(
        "UPDATE attention_items SET resolved_at = ?2 WHERE order_id = ?1 AND resolved_at IS NULL",
    )?
    .execute(params![header.id.to_string(), now])?;
    Ok(())
}
