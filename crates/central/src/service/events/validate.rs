//! What can be checked in a push without the database; a bad field fails the whole request (422)
//! and names where it is (`events[2].payload.lines[0].qty`). SKUs, quantities (1 to
//! `MAX_QTY`), currencies and payment methods are already valid: their types refuse anything else
//! when the JSON is read. Here: adjustments' direction and bound (`MAX_ADJUST`), totals that are
//! exactly their lines' sum and payments that add up to them, every sum checked — an overflow is
//! `out_of_range`, never a wrapped number.

use std::collections::BTreeSet;

use storedesk_domain::StockError;
use storedesk_domain::stock::check_adjust;
use storedesk_protocol::events::{
    Envelope, EventBody, LineItem, PaymentItem, order_aggregate, stock_aggregate,
};

use crate::error::{CentralError, Result};

/// The most events one push may carry.
pub const MAX_BATCH: usize = 1_000;

/// The longest `traceparent` an event may carry (a W3C version 00 one is exactly this long; a
/// malformed one that fits is ignored, not refused).
pub const MAX_TRACEPARENT: usize = 55;

pub fn validate(events: &[Envelope]) -> Result<()> {
    if events.is_empty() {
        return Err(CentralError::invalid("events", "at least one event"));
    }
    if events.len() > MAX_BATCH {
        return Err(CentralError::invalid("events", format!("at most {MAX_BATCH} events per push")));
    }
    let mut seen = BTreeSet::new();
    for (i, e) in events.iter().enumerate() {
        let at = |field: &str| format!("events[{i}].{field}");
        if !seen.insert(e.event_id) {
            return Err(CentralError::invalid(at("event_id"), "the same event id twice in one push"));
        }
        if e.aggregate_seq < 1 {
            return Err(CentralError::invalid(at("aggregate_seq"), "must be 1 or more"));
        }
        if e.traceparent.as_ref().is_some_and(|t| t.len() > MAX_TRACEPARENT) {
            return Err(CentralError::invalid(
                at("traceparent"),
                format!("at most {MAX_TRACEPARENT} characters (a W3C traceparent)"),
            ));
        }
        validate_body(&e.body, &at)?;
        let expected = match &e.body {
            EventBody::StockAdjusted(p) => stock_aggregate(p.sku.as_str()),
            other => other.order_id().map(order_aggregate).unwrap_or_default(),
        };
        if e.aggregate != expected {
            return Err(CentralError::invalid(
                at("aggregate"),
                format!("must be {expected:?} for a {} event", e.body.kind()),
            ));
        }
    }
    Ok(())
}

fn validate_body(body: &EventBody, at: &dyn Fn(&str) -> String) -> Result<()> {
    match body {
        EventBody::OrderPlaced(p) => order_lines(&p.lines, p.total_minor, at),
        EventBody::CounterSale(p) => {
            order_lines(&p.lines, p.total_minor, at)?;
            payments(&p.payments, p.total_minor, at)
        }
        EventBody::OrderPaid(p) if p.payment.amount_minor < 0 => {
            Err(CentralError::invalid(at("payload.payment.amount_minor"), "cannot be negative"))
        }
        EventBody::StockAdjusted(p) => check_adjust(p.delta, p.reason).map_err(|e| match e {
            StockError::AdjustTooLarge { .. } => {
                CentralError::out_of_range(at("payload.delta"), e.to_string())
            }
            other => CentralError::invalid(at("payload.delta"), other.to_string()),
        }),
        EventBody::OrderPaid(_)
        | EventBody::OrderShipped(_)
        | EventBody::OrderDelivered(_)
        | EventBody::OrderCancelled(_)
        | EventBody::OrderRefunded(_) => Ok(()),
    }
}

/// An order's lines: at least one, no negative price, and a total that is exactly their sum
/// (quantities are bounded by their type; the sum is checked, so an overflow is refused).
fn order_lines(lines: &[LineItem], total_minor: i64, at: &dyn Fn(&str) -> String) -> Result<()> {
    if lines.is_empty() {
        return Err(CentralError::invalid(at("payload.lines"), "an order needs at least one line"));
    }
    let mut sum: i64 = 0;
    for (j, l) in lines.iter().enumerate() {
        if l.unit_price_minor < 0 {
            return Err(CentralError::invalid(
                at(&format!("payload.lines[{j}].unit_price_minor")),
                "cannot be negative",
            ));
        }
        sum = l
            .unit_price_minor
            .checked_mul(l.qty.get())
            .and_then(|amount| sum.checked_add(amount))
            .ok_or_else(|| {
                CentralError::out_of_range(
                    at(&format!("payload.lines[{j}]")),
                    "the order's total overflows (quantity x price summed over the lines)",
                )
            })?;
    }
    if sum != total_minor {
        return Err(CentralError::invalid(
            at("payload.total_minor"),
            format!("is {total_minor}, but the lines add up to {sum}"),
        ));
    }
    Ok(())
}

/// A counter sale's payments: none negative, adding up (checked) to the total.
fn payments(payments: &[PaymentItem], total_minor: i64, at: &dyn Fn(&str) -> String) -> Result<()> {
    let mut sum: i64 = 0;
    for (j, p) in payments.iter().enumerate() {
        let field = || at(&format!("payload.payments[{j}].amount_minor"));
        if p.amount_minor < 0 {
            return Err(CentralError::invalid(field(), "cannot be negative"));
        }
        sum = sum
            .checked_add(p.amount_minor)
            .ok_or_else(|| CentralError::out_of_range(field(), "the payments' sum overflows"))?;
    }
    if sum != total_minor {
        return Err(CentralError::invalid(
            at("payload.payments"),
            format!("add up to {sum}, but the order's total is {total_minor}"),
        ));
    }
    Ok(())
}
