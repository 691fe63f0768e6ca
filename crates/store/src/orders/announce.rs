//! What a step tells central: the outbox payload for each event kind an order announces.

use rusqlite::Transaction;
use storedesk_domain::{Currency, EventKind, Qty, Sku};
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
    let items = || lines.iter().map(line_item).collect::<Result<Vec<_>>>();
    let currency = Currency::from_code(&header.currency)?;
    let StepFacts { restocked, payment, tracking, reason } = facts;
    Ok(match kind {
        EventKind::OrderPlaced => EventBody::OrderPlaced(OrderPlaced {
            order_id,
            number: header.number.clone(),
            channel: header.channel,
            currency,
            total_minor: header.total_minor,
            lines: items()?,
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
            currency,
            total_minor: header.total_minor,
            lines: items()?,
            payments: payments::by_method(tx, &order_id.to_string())?
                .into_iter()
                .map(|(method, amount_minor)| PaymentItem { method, amount_minor })
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
                .map(|(l, q)| Ok(SkuQty { sku: Sku::parse(&l.sku)?, qty: Qty::new(*q)? }))
                .collect::<Result<Vec<_>>>()?,
            reason,
            at,
        }),
        EventKind::StockAdjusted => {
            return Err(StoreError::Invalid("stock_adjusted is not an order event".into()));
        }
    })
}

/// An order line as the wire carries it: a SKU and quantity the domain accepts.
pub(crate) fn line_item(line: &OrderLine) -> Result<LineItem> {
    Ok(LineItem {
        sku: Sku::parse(&line.sku)?,
        qty: Qty::new(line.qty)?,
        unit_price_minor: line.unit_price_minor,
    })
}

/// The order's lines as the wire carries them (the stock view replays events with them).
pub(crate) fn wire_lines(
    conn: &rusqlite::Connection,
    id: storedesk_domain::OrderId,
) -> Result<Vec<LineItem>> {
    super::read::load_lines(conn, id)?.iter().map(line_item).collect()
}
