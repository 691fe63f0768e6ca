//! The events a device announces to central through its outbox.
//!
//! An event travels as an [`Envelope`]: its id (central deduplicates on it), the aggregate it
//! belongs to with its sequence number (central applies one aggregate's events in order), and the
//! [`EventBody`] — the kind and its payload.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use storedesk_domain::{
    AdjustReason, Channel, Currency, EventId, EventKind, OrderId, PaymentMethod, Qty, Sku, StaffCode,
    StockDelta,
};

/// One line of an order as central needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItem {
    pub sku: Sku,
    pub qty: Qty,
    #[serde(with = "crate::minor")]
    pub unit_price_minor: i64,
}

/// A quantity of one SKU (restocked on a refund).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuQty {
    pub sku: Sku,
    pub qty: Qty,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentItem {
    pub method: PaymentMethod,
    #[serde(with = "crate::minor")]
    pub amount_minor: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPlaced {
    pub order_id: OrderId,
    pub number: String,
    pub channel: Channel,
    pub currency: Currency,
    #[serde(with = "crate::minor")]
    pub total_minor: i64,
    pub lines: Vec<LineItem>,
    pub customer: Option<String>,
    pub at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPaid {
    pub order_id: OrderId,
    pub payment: PaymentItem,
    pub at: Timestamp,
}

/// A counter order handed over: the goods left the shop. Central always applies it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterSale {
    pub order_id: OrderId,
    pub number: String,
    pub currency: Currency,
    #[serde(with = "crate::minor")]
    pub total_minor: i64,
    pub lines: Vec<LineItem>,
    pub payments: Vec<PaymentItem>,
    pub customer: Option<String>,
    pub at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderShipped {
    pub order_id: OrderId,
    pub tracking: Option<String>,
    pub at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDelivered {
    pub order_id: OrderId,
    pub at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCancelled {
    pub order_id: OrderId,
    pub reason: Option<String>,
    pub at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRefunded {
    pub order_id: OrderId,
    /// What went back on the shelf; may be empty.
    pub restock: Vec<SkuQty>,
    pub reason: Option<String>,
    pub at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockAdjusted {
    pub sku: Sku,
    pub delta: i64,
    pub reason: AdjustReason,
    pub note: Option<String>,
    pub at: Timestamp,
}

/// An event's kind and payload: `{"kind": "order_placed", "payload": {...}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum EventBody {
    OrderPlaced(OrderPlaced),
    OrderPaid(OrderPaid),
    CounterSale(CounterSale),
    OrderShipped(OrderShipped),
    OrderDelivered(OrderDelivered),
    OrderCancelled(OrderCancelled),
    OrderRefunded(OrderRefunded),
    StockAdjusted(StockAdjusted),
}

impl EventBody {
    pub fn kind(&self) -> EventKind {
        match self {
            EventBody::OrderPlaced(_) => EventKind::OrderPlaced,
            EventBody::OrderPaid(_) => EventKind::OrderPaid,
            EventBody::CounterSale(_) => EventKind::CounterSale,
            EventBody::OrderShipped(_) => EventKind::OrderShipped,
            EventBody::OrderDelivered(_) => EventKind::OrderDelivered,
            EventBody::OrderCancelled(_) => EventKind::OrderCancelled,
            EventBody::OrderRefunded(_) => EventKind::OrderRefunded,
            EventBody::StockAdjusted(_) => EventKind::StockAdjusted,
        }
    }

    /// The order the event belongs to (`None` for stock adjustments).
    pub fn order_id(&self) -> Option<OrderId> {
        match self {
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

    /// The payload alone, as stored in the outbox's `payload` column.
    pub fn payload_json(&self) -> Result<String, serde_json::Error> {
        match self {
            EventBody::OrderPlaced(p) => serde_json::to_string(p),
            EventBody::OrderPaid(p) => serde_json::to_string(p),
            EventBody::CounterSale(p) => serde_json::to_string(p),
            EventBody::OrderShipped(p) => serde_json::to_string(p),
            EventBody::OrderDelivered(p) => serde_json::to_string(p),
            EventBody::OrderCancelled(p) => serde_json::to_string(p),
            EventBody::OrderRefunded(p) => serde_json::to_string(p),
            EventBody::StockAdjusted(p) => serde_json::to_string(p),
        }
    }
}

impl EventBody {
    /// How this event moves central's stock for the store: what central does when it applies it,
    /// and what a device replays on top of central's snapshot until the snapshot includes it.
    ///
    /// `order_lines` are the order's lines (events after `order_placed` do not repeat them);
    /// `holds_reservation` says whether central holds a reservation for the order. For
    /// `order_placed` the result is the reservation to take if central accepts it.
    pub fn stock_effect(
        &self,
        order_lines: &[LineItem],
        holds_reservation: bool,
    ) -> Vec<(String, StockDelta)> {
        let each = |lines: &[LineItem], on_hand: i64, reserved: i64| -> Vec<(String, StockDelta)> {
            lines
                .iter()
                .map(|l| {
                    let qty = l.qty.get();
                    (l.sku.to_string(), StockDelta { on_hand: on_hand * qty, reserved: reserved * qty })
                })
                .collect()
        };
        match self {
            EventBody::OrderPlaced(p) => each(&p.lines, 0, 1),
            EventBody::CounterSale(p) => each(&p.lines, -1, 0),
            EventBody::OrderShipped(_) => each(order_lines, -1, if holds_reservation { -1 } else { 0 }),
            EventBody::OrderCancelled(_) if holds_reservation => each(order_lines, 0, -1),
            EventBody::OrderCancelled(_) | EventBody::OrderPaid(_) | EventBody::OrderDelivered(_) => {
                Vec::new()
            }
            EventBody::OrderRefunded(p) => p
                .restock
                .iter()
                .map(|r| (r.sku.to_string(), StockDelta { on_hand: r.qty.get(), reserved: 0 }))
                .collect(),
            EventBody::StockAdjusted(p) => {
                vec![(p.sku.to_string(), StockDelta { on_hand: p.delta, reserved: 0 })]
            }
        }
    }
}

/// An event as pushed to central.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Envelope {
    pub event_id: EventId,
    /// `order:<uuid>` or `stock:<sku>`.
    pub aggregate: String,
    /// 1, 2, 3, ... within the aggregate.
    pub aggregate_seq: i64,
    pub created_at: Timestamp,
    /// The W3C trace context of the step that made the event at the till (kept with it in the
    /// outbox), when the till exports traces: central links its span for the event to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
    /// Who made the event at the till (a till from before staff sends none): central checks the
    /// person is the store's, active, and may take the step, alone or with `approved_by`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff: Option<StaffCode>,
    /// Who approved a step above `staff`'s role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<StaffCode>,
    #[serde(flatten)]
    pub body: EventBody,
}

impl<'de> Deserialize<'de> for Envelope {
    /// The payload is read for its kind after the envelope, so that a bad field is named by its
    /// path (`payload.lines[0].qty`), which serde's flattened enums would lose.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            event_id: EventId,
            aggregate: String,
            aggregate_seq: i64,
            created_at: Timestamp,
            #[serde(default)]
            traceparent: Option<String>,
            #[serde(default)]
            staff: Option<StaffCode>,
            #[serde(default)]
            approved_by: Option<StaffCode>,
            kind: EventKind,
            payload: Box<serde_json::value::RawValue>,
        }
        let raw = Raw::deserialize(deserializer)?;
        let mut payload = serde_json::Deserializer::from_str(raw.payload.get());
        let body = EventBody::read(raw.kind, &mut payload).map_err(serde::de::Error::custom)?;
        Ok(Envelope {
            event_id: raw.event_id,
            aggregate: raw.aggregate,
            aggregate_seq: raw.aggregate_seq,
            created_at: raw.created_at,
            traceparent: raw.traceparent,
            staff: raw.staff,
            approved_by: raw.approved_by,
            body,
        })
    }
}

impl EventBody {
    /// The body of an event of `kind` from its payload (the outbox keeps the two apart). An error
    /// names the field it is about: `payload.lines[0].qty: quantity "0" is invalid ...`.
    pub fn from_payload(kind: EventKind, payload: serde_json::Value) -> Result<Self, String> {
        Self::read(kind, payload)
    }

    /// The body of `kind` from any JSON deserializer of its payload (a parsed value, or the
    /// request's text itself), an error naming the field's path.
    fn read<'de, D>(kind: EventKind, payload: D) -> Result<Self, String>
    where
        D: serde::Deserializer<'de>,
        D::Error: std::fmt::Display,
    {
        fn read<'de, T: Deserialize<'de>, D>(payload: D) -> Result<T, String>
        where
            D: serde::Deserializer<'de>,
            D::Error: std::fmt::Display,
        {
            serde_path_to_error::deserialize(payload).map_err(|e| match e.path().to_string().as_str() {
                "." => format!("payload: {}", e.inner()),
                path => format!("payload.{path}: {}", e.inner()),
            })
        }
        Ok(match kind {
            EventKind::OrderPlaced => EventBody::OrderPlaced(read(payload)?),
            EventKind::OrderPaid => EventBody::OrderPaid(read(payload)?),
            EventKind::CounterSale => EventBody::CounterSale(read(payload)?),
            EventKind::OrderShipped => EventBody::OrderShipped(read(payload)?),
            EventKind::OrderDelivered => EventBody::OrderDelivered(read(payload)?),
            EventKind::OrderCancelled => EventBody::OrderCancelled(read(payload)?),
            EventKind::OrderRefunded => EventBody::OrderRefunded(read(payload)?),
            EventKind::StockAdjusted => EventBody::StockAdjusted(read(payload)?),
        })
    }
}

/// The aggregate name of an order's events.
pub fn order_aggregate(id: OrderId) -> String {
    format!("order:{id}")
}

/// The aggregate name of a SKU's stock adjustments.
pub fn stock_aggregate(sku: &str) -> String {
    format!("stock:{sku}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_carries_kind_and_payload_side_by_side() {
        let body = EventBody::OrderShipped(OrderShipped {
            order_id: "01a21b17-303d-744e-bdc7-f36cebb3883c".parse().expect("id"),
            tracking: Some("SF123".into()),
            at: Timestamp::UNIX_EPOCH,
        });
        let envelope = Envelope {
            event_id: "01a21b17-303d-744e-bdc7-f36cebb38840".parse().expect("id"),
            aggregate: "order:x".into(),
            aggregate_seq: 3,
            created_at: Timestamp::UNIX_EPOCH,
            traceparent: None,
            staff: None,
            approved_by: None,
            body: body.clone(),
        };
        let json = serde_json::to_value(&envelope).expect("serialize");
        assert_eq!(json["kind"], "order_shipped");
        assert_eq!(json["payload"]["tracking"], "SF123");
        assert_eq!(serde_json::from_value::<Envelope>(json.clone()).expect("round trip").body, body);
        assert_eq!(body.kind().as_str(), "order_shipped");
        let mut unknown = json;
        unknown["kind"] = "order_teleported".into();
        assert!(serde_json::from_value::<Envelope>(unknown).is_err());
    }
}
