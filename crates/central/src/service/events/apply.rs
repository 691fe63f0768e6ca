//! Applying one event to the unit of work, one function per kind. `order_placed` reserves every
//! line or is refused with `insufficient_stock`; `counter_sale` always applies and may raise
//! conflicts; the later steps of an order are taken through the domain's state machine
//! (`apply_announced`: the same `Transition` table the device uses) from central's status, and
//! refused with `invalid_transition` when it forbids them. Stock moves as
//! `EventBody::stock_effect` says — the same function the device replays with.

use std::collections::HashMap;

use storedesk_domain::order::{PaymentEffect, apply_announced};
use storedesk_domain::{
    Channel, OrderEvent, OrderId, OrderStatus, Reservation, StockDelta, Transition, TransitionError,
};
use storedesk_protocol::api::{AppliedResult, Shortage, codes};
use storedesk_protocol::events::{
    CounterSale, Envelope, EventBody, LineItem, OrderPlaced, SkuQty, StockAdjusted,
};

use super::super::work::{NewOrderRow, OrderRow, Origin, Work};
use crate::error::{CentralError, Result};

/// What applying one event came to.
pub(super) enum Applied {
    Done {
        result: AppliedResult,
        skus: Vec<String>,
    },
    /// A business refusal that is stored like a success (the order exists here as refused).
    Refused {
        code: &'static str,
        message: String,
        shortages: Vec<Shortage>,
    },
    /// A permanent refusal that stores nothing.
    Invalid {
        code: &'static str,
        message: String,
    },
}

fn invalid(code: &'static str, message: impl Into<String>) -> Applied {
    Applied::Invalid { code, message: message.into() }
}

fn done(effects: &[(String, StockDelta)], result: AppliedResult) -> Applied {
    Applied::Done { result, skus: effects.iter().map(|(s, _)| s.clone()).collect() }
}

pub(super) async fn apply(
    work: &mut Work<'_>,
    conn: &mut sqlx::AnyConnection,
    event: &Envelope,
) -> Result<Applied> {
    let body = &event.body;
    Ok(match body {
        EventBody::OrderPlaced(p) => order_placed(work, body, p)?,
        EventBody::CounterSale(p) => counter_sale(work, conn, body, p).await?,
        EventBody::StockAdjusted(p) => stock_adjusted(work, conn, body, p).await?,
        EventBody::OrderPaid(_)
        | EventBody::OrderShipped(_)
        | EventBody::OrderDelivered(_)
        | EventBody::OrderCancelled(_)
        | EventBody::OrderRefunded(_) => order_step(work, body)?,
    })
}

/// The first unknown SKU among `skus`, as a refusal.
fn unknown_sku<'a>(work: &Work<'_>, mut skus: impl Iterator<Item = &'a str>) -> Option<Applied> {
    skus.find(|s| !work.products.contains(*s))
        .map(|s| invalid(codes::UNKNOWN_SKU, format!("unknown SKU {s:?}")))
}

/// A new order of this store, unless one with the id exists already or another order of the store
/// has its number.
fn new_order(work: &Work<'_>, id: OrderId, number: &str, lines: &[LineItem]) -> Option<Applied> {
    if work.orders.contains_key(&id) {
        return Some(invalid(codes::INVALID_EVENT, format!("order {id} already exists")));
    }
    if work.numbers.get(number).is_some_and(|other| *other != id) {
        return Some(invalid(
            codes::DUPLICATE_NUMBER,
            format!("another order of store {} already has the number {number}", work.store.code),
        ));
    }
    unknown_sku(work, lines.iter().map(|l| l.sku.as_str()))
}

fn order_placed(work: &mut Work<'_>, body: &EventBody, p: &OrderPlaced) -> Result<Applied> {
    if let Some(refused) = new_order(work, p.order_id, &p.number, &p.lines) {
        return Ok(refused);
    }
    let mut order = OrderRow::new(
        work.store.id,
        NewOrderRow {
            id: p.order_id,
            number: p.number.clone(),
            origin: Origin::Store,
            channel: p.channel,
            status: OrderStatus::Created,
            currency: p.currency.code().to_string(),
            total_minor: p.total_minor,
            customer: p.customer.clone(),
            lines: p.lines.clone(),
        },
        p.at.as_millisecond(),
    );
    let short = shortages(work, &p.lines)?;
    if !short.is_empty() {
        // Central could not reserve it: it is created without a reservation and goes on hold
        // when paid, as on the device.
        order.reservation = Some(Reservation::Rejected);
        work.insert_order(order);
        let text: Vec<String> = short
            .iter()
            .map(|s| format!("{}: {} requested, {} available", s.sku, s.requested, s.available))
            .collect();
        return Ok(Applied::Refused {
            code: codes::INSUFFICIENT_STOCK,
            message: format!("not enough stock: {}", text.join("; ")),
            shortages: short,
        });
    }
    let effects = body.stock_effect(&p.lines, true);
    work.apply(&effects)?;
    order.holds_reservation = true;
    order.reservation = Some(Reservation::Accepted);
    work.insert_order(order);
    let accepted = Reservation::Accepted.as_str().to_string();
    Ok(done(&effects, AppliedResult { reservation: Some(accepted), ..AppliedResult::default() }))
}

/// Each SKU the lines want more of than is available, sorted by SKU.
fn shortages(work: &Work<'_>, lines: &[LineItem]) -> Result<Vec<Shortage>> {
    let mut wanted: HashMap<&str, (&storedesk_domain::Sku, i64)> = HashMap::new();
    for line in lines {
        let sum = &mut wanted.entry(line.sku.as_str()).or_insert((&line.sku, 0)).1;
        *sum = sum
            .checked_add(line.qty.get())
            .ok_or_else(|| CentralError::out_of_range("payload.lines", "the quantities' sum overflows"))?;
    }
    let mut short: Vec<Shortage> = wanted
        .into_values()
        .filter(|(sku, qty)| work.available(sku.as_str()) < *qty)
        .map(|(sku, qty)| Shortage {
            sku: sku.clone(),
            requested: qty,
            available: work.available(sku.as_str()).max(0),
        })
        .collect();
    short.sort_by(|a, b| a.sku.cmp(&b.sku));
    Ok(short)
}

async fn counter_sale(
    work: &mut Work<'_>,
    conn: &mut sqlx::AnyConnection,
    body: &EventBody,
    p: &CounterSale,
) -> Result<Applied> {
    if let Some(refused) = new_order(work, p.order_id, &p.number, &p.lines) {
        return Ok(refused);
    }
    // A new counter order, paid and handed over: the state machine's own steps.
    let status = apply_announced(Channel::Counter, OrderStatus::Created, body.kind(), None)
        .map_err(|e| CentralError::corrupt("the state machine's counter sale", e))?;
    let effects = body.stock_effect(&p.lines, false);
    work.apply(&effects)?;
    let order = NewOrderRow {
        id: p.order_id,
        number: p.number.clone(),
        origin: Origin::Store,
        channel: Channel::Counter,
        status,
        currency: p.currency.code().to_string(),
        total_minor: p.total_minor,
        customer: p.customer.clone(),
        lines: p.lines.clone(),
    };
    work.insert_order(OrderRow::new(work.store.id, order, p.at.as_millisecond()));
    for payment in &p.payments {
        work.add_payment(p.order_id, payment.method, payment.amount_minor, p.at);
    }
    // The sale is a fact; if it leaves reservations uncovered, settle them as conflicts.
    for (sku, _) in &effects {
        work.settle_conflicts(conn, sku).await?;
    }
    Ok(done(&effects, AppliedResult::default()))
}

async fn stock_adjusted(
    work: &mut Work<'_>,
    conn: &mut sqlx::AnyConnection,
    body: &EventBody,
    p: &StockAdjusted,
) -> Result<Applied> {
    if let Some(refused) = unknown_sku(work, std::iter::once(p.sku.as_str())) {
        return Ok(refused);
    }
    let effects = body.stock_effect(&[], false);
    work.apply(&effects)?;
    if p.delta < 0 {
        work.settle_conflicts(conn, p.sku.as_str()).await?;
    }
    Ok(done(&effects, AppliedResult::default()))
}

/// A later step of one of this store's orders: paid, shipped, delivered, cancelled, refunded —
/// applied only when the domain's state machine allows it from central's status of the order.
fn order_step(work: &mut Work<'_>, body: &EventBody) -> Result<Applied> {
    let Some(id) = body.order_id() else { return Ok(invalid(codes::INVALID_EVENT, "no order id")) };
    let Some(order) = work.orders.get(&id).filter(|o| o.store_id == work.store.id).cloned() else {
        return Ok(invalid(codes::UNKNOWN_ORDER, format!("unknown order {id}")));
    };
    let status = match apply_announced(order.channel, order.status, body.kind(), order.reservation) {
        Ok(status) => status,
        Err(error) => return Ok(refused_step(&order, body, &error)),
    };
    if let EventBody::OrderRefunded(p) = body
        && let Some(refused) = restock_beyond_sold(&order, &p.restock)?
    {
        return Ok(refused);
    }
    let effects = body.stock_effect(&order.lines, order.holds_reservation);
    work.apply(&effects)?;
    match body {
        EventBody::OrderPaid(p) => work.add_payment(id, p.payment.method, p.payment.amount_minor, p.at),
        // The money goes back as the state machine says (a cancel after payment, a refund).
        EventBody::OrderCancelled(p) if refunds(&order, OrderEvent::Cancel) => work.refund_all(id, p.at),
        EventBody::OrderRefunded(p) if refunds(&order, OrderEvent::Refund) => work.refund_all(id, p.at),
        _ => {}
    }
    // A reservation is held until the goods leave or the order ends (or central gives it up).
    let holds = order.holds_reservation && matches!(status, OrderStatus::Paid | OrderStatus::ReadyToShip);
    work.update_order(id, |o| {
        o.status = status;
        o.holds_reservation = holds;
    });
    Ok(done(&effects, AppliedResult::default()))
}

/// Whether `event` on `order` gives back what was paid.
fn refunds(order: &OrderRow, event: OrderEvent) -> bool {
    Transition::of(order.channel, order.status, event).is_ok_and(|t| t.payment == PaymentEffect::RefundAll)
}

/// The refusal of a step the state machine forbids from central's status (another till may have
/// taken the order there first): kept like an answer, so the till that sent it settles it and
/// says so, and a replay gets the same refusal.
fn refused_step(order: &OrderRow, body: &EventBody, error: &TransitionError) -> Applied {
    Applied::Refused {
        code: codes::INVALID_TRANSITION,
        message: format!(
            "{} is not a step from {} for order {}: {error}",
            body.kind(),
            order.status,
            order.number
        ),
        shortages: Vec::new(),
    }
}

/// A refund may put back at most what the order sold of each SKU (sums checked).
fn restock_beyond_sold(order: &OrderRow, restock: &[SkuQty]) -> Result<Option<Applied>> {
    let mut back: HashMap<&str, i64> = HashMap::new();
    for r in restock {
        let sum = back.entry(r.sku.as_str()).or_insert(0);
        *sum = sum
            .checked_add(r.qty.get())
            .ok_or_else(|| CentralError::out_of_range("payload.restock", "the quantities' sum overflows"))?;
    }
    for (sku, qty) in back {
        let sold: i64 = order.lines.iter().filter(|l| l.sku.as_str() == sku).map(|l| l.qty.get()).sum();
        if qty > sold {
            return Ok(Some(invalid(
                codes::INVALID_EVENT,
                format!("cannot restock {qty} of {sku}: the order has {sold}"),
            )));
        }
    }
    Ok(None)
}
