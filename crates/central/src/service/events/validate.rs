//! What can be checked in a push without the database; a bad field fails the whole request (422)
//! and names where it is (`events[2].payload.lines[0].qty`). SKUs, quantities, currencies and
//! payment methods are already valid: their types refuse anything else when the JSON is read.

use std::collections::BTreeSet;

use storedesk_domain::OrderId;
use storedesk_protocol::events::{Envelope, EventBody, order_aggregate, stock_aggregate};

use crate::error::{CentralError, Result};

/// The most events one push may carry.
pub const MAX_BATCH: usize = 1_000;

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
        validate_body(&e.body, &at)?;
        let expected = match &e.body {
            EventBody::StockAdjusted(p) => stock_aggregate(p.sku.as_str()),
            other => order_id(other).map(order_aggregate).unwrap_or_default(),
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
        EventBody::OrderPlaced(p) if p.lines.is_empty() => {
            Err(CentralError::invalid(at("payload.lines"), "an order needs at least one line"))
        }
        EventBody::CounterSale(p) if p.lines.is_empty() => {
            Err(CentralError::invalid(at("payload.lines"), "an order needs at least one line"))
        }
        EventBody::OrderPlaced(p) => non_negative_prices(&p.lines, at),
        EventBody::CounterSale(p) => non_negative_prices(&p.lines, at),
        EventBody::StockAdjusted(p) if p.delta == 0 => {
            Err(CentralError::invalid(at("payload.delta"), "cannot be 0"))
        }
        EventBody::OrderPaid(_)
        | EventBody::OrderShipped(_)
        | EventBody::OrderDelivered(_)
        | EventBody::OrderCancelled(_)
        | EventBody::OrderRefunded(_)
        | EventBody::StockAdjusted(_) => Ok(()),
    }
}

fn non_negative_prices(
    lines: &[storedesk_protocol::events::LineItem],
    at: &dyn Fn(&str) -> String,
) -> Result<()> {
    match lines.iter().position(|l| l.unit_price_minor < 0) {
        Some(j) => Err(CentralError::invalid(
            at(&format!("payload.lines[{j}].unit_price_minor")),
            "cannot be negative",
        )),
        None => Ok(()),
    }
}

/// The order an event belongs to (`None` for stock adjustments).
pub fn order_id(body: &EventBody) -> Option<OrderId> {
    match body {
        EventBody::OrderPlaced(p) => Some(p.order_id),
        EventBody::OrderPaid(p) => Some(p.order_id),
        EventBody::CounterSale(p) => Some(p.order_id),
        EventBody::OrderShipped(p) => Some(p.order_id),
        EventBody::OrderDelivered(p) => Some(p.order_id),
        EventBody::OrderCancelled(p) => Some(p.order_id),
        EventBody::OrderRefunded(p) => Some(p.order_id),
        EventBody::StockAdjusted(_) => None,
    }
}
