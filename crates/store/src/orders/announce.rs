//! What a step tells central: the outbox payload for each event kind an order announces.

use rusqlite::Transaction;
use storedesk_domain::EventKind;
use storedesk_protocol::events::{
    CounterSale, EventBody, LineItem, OrderCancelled, OrderDelivered, OrderPaid, OrderPlaced, OrderRefunded,
    OrderShipped, PaymentItem, SkuQty,
};

use super::model::{Header, OrderLine};
use super::payments;
use crate::db;
use crate::error::{Result, StoreError};

/// What a step adds to its announcement besides the order itself.
pub(super) struct StepFacts {
    /// Per line, the units put back on the shelf (refunds).
    pub restocked: Vec<i64>,
    /// The payment the step took.
    pub payment: Option<PaymentItem>,
    pub tracking: Option<String>,
    pub reason: Option<String>,
}

/// The outbox payload announcing `kind` for this order.
pub(super) fn event_body(
    tx: &Transaction<'_>,
    kind: EventKind,
    header: &Header,
    lines: &[OrderLine],
    facts: StepFacts,
    now: i64,
) -> Result<EventBody> {
    let at = db::timestamp(now);
    let order_id = header.id;
    let items = || {
        lines
            .iter()
            .map(|l| LineItem { sku: l.sku.clone(), qty: l.qty, unit_price_minor: l.unit_price_minor })
            .collect::<Vec<_>>()
    };
    let StepFacts { restocked, payment, tracking, reason } = facts;
    Ok(match kind {
        EventKind::OrderPlaced => EventBody::OrderPlaced(OrderPlaced {
            order_id,
            number: header.number.clone(),
            channel: header.channel,
            currency: header.currency.clone(),
            total_minor: header.total_minor,
            lines: items(),
            customer: header.customer.clone(),
            at,
        }),
        EventKind::OrderPaid => EventBody::OrderPaid(OrderPaid {
            order_id,
            payment: payment.ok_or_else(|| StoreError::Invalid("order_paid without a payment".into()))?,
            at,
        }),
        EventKind::CounterSale => EventBody::CounterSale(CounterSale {
            order_id,
            number: header.number.clone(),
            currency: header.currency.clone(),
            total_minor: header.total_minor,
            lines: items(),
            payments: payments::by_method(tx, &order_id.to_string())?
                .into_iter()
                .map(|(method, amount_minor)| PaymentItem {
                    method: method.as_str().to_string(),
                    amount_minor,
                })
                .collect(),
            customer: header.customer.clone(),
            at,
        }),
        EventKind::OrderShipped => EventBody::OrderShipped(OrderShipped { order_id, tracking, at }),
        EventKind::OrderDelivered => EventBody::OrderDelivered(OrderDelivered { order_id, at }),
        EventKind::OrderCancelled => EventBody::OrderCancelled(OrderCancelled { order_id, reason, at }),
        EventKind::OrderRefunded => EventBody::OrderRefunded(OrderRefunded {
            order_id,
            restock: lines
                .iter()
                .zip(&restocked)
                .filter(|(_, q)| **q > 0)
                .map(|(l, q)| SkuQty { sku: l.sku.clone(), qty: *q })
                .collect(),
            reason,
            at,
        }),
        EventKind::StockAdjusted => {
            return Err(StoreError::Invalid("stock_adjusted is not an order event".into()));
        }
    })
}
