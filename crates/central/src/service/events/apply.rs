//! Applying one event to the unit of work, one function per kind. `order_placed` reserves every
//! line or is refused with `insufficient_stock`; `counter_sale` always applies and may raise
//! conflicts; the later steps of an order and stock adjustments move stock as
//! `EventBody::stock_effect` says — the same function the device replays with.

use std::collections::HashMap;

use storedesk_domain::{Channel, OrderId, OrderStatus, StockDelta};
use storedesk_protocol::api::{AppliedResult, Shortage, codes};
use storedesk_protocol::events::{CounterSale, Envelope, EventBody, LineItem, OrderPlaced, StockAdjusted};

use super::super::work::{NewOrderRow, OrderRow, Origin, Work};
use super::validate::order_id;
use crate::error::Result;

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
        EventBody::OrderPlaced(p) => order_placed(work, body, p),
        EventBody::CounterSale(p) => counter_sale(work, conn, body, p).await?,
        EventBody::StockAdjusted(p) => stock_adjusted(work, conn, body, p).await?,
        EventBody::OrderPaid(_)
        | EventBody::OrderShipped(_)
        | EventBody::OrderDelivered(_)
        | EventBody::OrderCancelled(_)
        | EventBody::OrderRefunded(_) => order_step(work, body),
    })
}

/// The first unknown SKU among `skus`, as a refusal.
fn unknown_sku<'a>(work: &Work<'_>, mut skus: impl Iterator<Item = &'a str>) -> Option<Applied> {
    skus.find(|s| !work.products.contains(*s))
        .map(|s| invalid(codes::UNKNOWN_SKU, format!("unknown SKU {s:?}")))
}

/// A new order of this store, unless one with the id exists already.
fn new_order(work: &Work<'_>, id: OrderId, lines: &[LineItem]) -> Option<Applied> {
    if work.orders.contains_key(&id) {
        return Some(invalid(codes::INVALID_EVENT, format!("order {id} already exists")));
    }
    unknown_sku(work, lines.iter().map(|l| l.sku.as_str()))
}

fn order_placed(work: &mut Work<'_>, body: &EventBody, p: &OrderPlaced) -> Applied {
    if let Some(refused) = new_order(work, p.order_id, &p.lines) {
        return refused;
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
        work.now,
    );
    let short = shortages(work, &p.lines);
    if !short.is_empty() {
        // Central could not reserve it: held here, as the device holds it once paid.
        order.status = OrderStatus::OnHold;
        work.insert_order(order);
        let text: Vec<String> = short
            .iter()
            .map(|s| format!("{}: {} requested, {} available", s.sku, s.requested, s.available))
            .collect();
        return Applied::Refused {
            code: codes::INSUFFICIENT_STOCK,
            message: format!("not enough stock: {}", text.join("; ")),
            shortages: short,
        };
    }
    let effects = body.stock_effect(&p.lines, true);
    work.apply(&effects);
    order.holds_reservation = true;
    work.insert_order(order);
    done(&effects, AppliedResult { reservation: Some("accepted".into()), change_id: None })
}

/// Each SKU the lines want more of than is available, sorted by SKU.
fn shortages(work: &Work<'_>, lines: &[LineItem]) -> Vec<Shortage> {
    let mut wanted: HashMap<&str, (&storedesk_domain::Sku, i64)> = HashMap::new();
    for line in lines {
        wanted.entry(line.sku.as_str()).or_insert((&line.sku, 0)).1 += line.qty.get();
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
    short
}

async fn counter_sale(
    work: &mut Work<'_>,
    conn: &mut sqlx::AnyConnection,
    body: &EventBody,
    p: &CounterSale,
) -> Result<Applied> {
    if let Some(refused) = new_order(work, p.order_id, &p.lines) {
        return Ok(refused);
    }
    let effects = body.stock_effect(&p.lines, false);
    work.apply(&effects);
    let order = NewOrderRow {
        id: p.order_id,
        number: p.number.clone(),
        origin: Origin::Store,
        channel: Channel::Counter,
        status: OrderStatus::Delivered,
        currency: p.currency.code().to_string(),
        total_minor: p.total_minor,
        customer: p.customer.clone(),
        lines: p.lines.clone(),
    };
    work.insert_order(OrderRow::new(work.store.id, order, work.now));
    for payment in &p.payments {
        work.add_payment(p.order_id, payment.method.as_str(), payment.amount_minor);
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
    work.apply(&effects);
    if p.delta < 0 {
        work.settle_conflicts(conn, p.sku.as_str()).await?;
    }
    Ok(done(&effects, AppliedResult::default()))
}

/// A later step of one of this store's orders: paid, shipped, delivered, cancelled, refunded.
fn order_step(work: &mut Work<'_>, body: &EventBody) -> Applied {
    let Some(id) = order_id(body) else { return invalid(codes::INVALID_EVENT, "no order id") };
    let Some(order) = work.orders.get(&id).filter(|o| o.store_id == work.store.id).cloned() else {
        return invalid(codes::UNKNOWN_ORDER, format!("unknown order {id}"));
    };
    if let EventBody::OrderRefunded(p) = body {
        for r in &p.restock {
            let sold: i64 = order.lines.iter().filter(|l| l.sku == r.sku).map(|l| l.qty.get()).sum();
            if r.qty.get() > sold {
                return invalid(
                    codes::INVALID_EVENT,
                    format!("cannot restock {} of {}: the order has {sold}", r.qty.get(), r.sku),
                );
            }
        }
    }
    let effects = body.stock_effect(&order.lines, order.holds_reservation);
    work.apply(&effects);
    let (status, holds) = match body {
        EventBody::OrderPaid(p) => {
            work.add_payment(id, p.payment.method.as_str(), p.payment.amount_minor);
            let status = if order.status == OrderStatus::Created { OrderStatus::Paid } else { order.status };
            (status, order.holds_reservation)
        }
        EventBody::OrderShipped(_) => (OrderStatus::Shipped, false),
        EventBody::OrderDelivered(_) => (OrderStatus::Delivered, false),
        EventBody::OrderCancelled(_) => (OrderStatus::Cancelled, false),
        EventBody::OrderRefunded(_) => (OrderStatus::Refunded, false),
        EventBody::OrderPlaced(_) | EventBody::CounterSale(_) | EventBody::StockAdjusted(_) => {
            return invalid(
                codes::INVALID_EVENT,
                format!("{} is not a step of an existing order", body.kind()),
            );
        }
    };
    work.update_order(id, |o| {
        o.status = status;
        o.holds_reservation = holds;
    });
    done(&effects, AppliedResult::default())
}
