//! The order state machine and the effects of each transition (the saga's local steps).
//!
//! The whole table lives in [`OrderEvent::rule`]: one arm per event naming the statuses it may
//! leave, the status it leads to and the channel it is limited to. Every `match` in this module
//! is exhaustive (no `_` arm), so adding a status or an event makes the compiler point at each
//! place that has to decide what it means.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::name::Named;
pub use crate::name::UnknownName;

/// Where an order came from and therefore how its stock moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
// The type's name in generated TypeScript (`Channel` is taken there); JSON is unaffected.
#[serde(rename = "SalesChannel", rename_all = "snake_case")]
pub enum Channel {
    /// An in-store sale: the goods leave at hand-over, and central always accepts the sale.
    Counter,
    /// An order to ship or collect later: stock is reserved and central must confirm it.
    Fulfilment,
}

impl Channel {
    pub const ALL: [Channel; 2] = [Channel::Counter, Channel::Fulfilment];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Counter => "counter",
            Channel::Fulfilment => "fulfilment",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Created,
    Paid,
    ReadyToShip,
    OnHold,
    Shipped,
    Delivered,
    Cancelled,
    Refunded,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 8] = [
        OrderStatus::Created,
        OrderStatus::Paid,
        OrderStatus::ReadyToShip,
        OrderStatus::OnHold,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Cancelled,
        OrderStatus::Refunded,
    ];

    /// The snake_case name used in JSON, the database and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Created => "created",
            OrderStatus::Paid => "paid",
            OrderStatus::ReadyToShip => "ready_to_ship",
            OrderStatus::OnHold => "on_hold",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
        }
    }

    /// The status in an operator's words, for messages.
    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::Created => "created",
            OrderStatus::Paid => "paid",
            OrderStatus::ReadyToShip => "ready to ship",
            OrderStatus::OnHold => "on hold",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
        }
    }

    pub fn parse(text: &str) -> Result<Self, UnknownName> {
        Self::from_name(text)
    }

    /// Events an operator may trigger on an order of `channel` in this status (what the UI offers).
    pub fn operator_actions(self, channel: Channel) -> Vec<OrderEvent> {
        OrderEvent::ALL
            .into_iter()
            .filter(|e| e.is_operator_action() && next_status(channel, self, *e).is_ok())
            .collect()
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum OrderEvent {
    Pay,
    Cancel,
    HandOver,
    ConfirmStock,
    Hold,
    Ship,
    Deliver,
    Refund,
}

/// One row group of the transition table: an event, where it may start, where it ends.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub from: &'static [OrderStatus],
    pub to: OrderStatus,
    /// `Some(channel)` when only orders of that channel may take this event.
    pub only: Option<Channel>,
}

impl OrderEvent {
    pub const ALL: [OrderEvent; 8] = [
        OrderEvent::Pay,
        OrderEvent::Cancel,
        OrderEvent::HandOver,
        OrderEvent::ConfirmStock,
        OrderEvent::Hold,
        OrderEvent::Ship,
        OrderEvent::Deliver,
        OrderEvent::Refund,
    ];

    /// The state machine's table (see `design.md`).
    pub fn rule(self) -> Rule {
        use OrderStatus::*;
        match self {
            OrderEvent::Pay => Rule { from: &[Created], to: Paid, only: None },
            OrderEvent::Cancel => {
                Rule { from: &[Created, Paid, OnHold, ReadyToShip], to: Cancelled, only: None }
            }
            OrderEvent::HandOver => Rule { from: &[Paid], to: Delivered, only: Some(Channel::Counter) },
            OrderEvent::ConfirmStock => {
                Rule { from: &[Paid, OnHold], to: ReadyToShip, only: Some(Channel::Fulfilment) }
            }
            // From ready_to_ship too: central can lose a confirmed reservation to a counter sale
            // (a conflict), and the order then waits for an operator's decision.
            OrderEvent::Hold => {
                Rule { from: &[Paid, ReadyToShip], to: OnHold, only: Some(Channel::Fulfilment) }
            }
            OrderEvent::Ship => Rule { from: &[ReadyToShip], to: Shipped, only: None },
            OrderEvent::Deliver => Rule { from: &[Shipped], to: Delivered, only: None },
            OrderEvent::Refund => Rule { from: &[Delivered], to: Refunded, only: None },
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OrderEvent::Pay => "pay",
            OrderEvent::Cancel => "cancel",
            OrderEvent::HandOver => "hand_over",
            OrderEvent::ConfirmStock => "confirm_stock",
            OrderEvent::Hold => "hold",
            OrderEvent::Ship => "ship",
            OrderEvent::Deliver => "deliver",
            OrderEvent::Refund => "refund",
        }
    }

    /// The event as a verb in an operator's words: "cannot {verb} an order that is ...".
    pub fn verb(self) -> &'static str {
        match self {
            OrderEvent::Pay => "pay",
            OrderEvent::Cancel => "cancel",
            OrderEvent::HandOver => "hand over",
            OrderEvent::ConfirmStock => "confirm stock for",
            OrderEvent::Hold => "hold",
            OrderEvent::Ship => "ship",
            OrderEvent::Deliver => "deliver",
            OrderEvent::Refund => "refund",
        }
    }

    /// Operators trigger these; `confirm_stock` and `hold` come from central's answer.
    pub fn is_operator_action(self) -> bool {
        match self {
            OrderEvent::Pay
            | OrderEvent::Cancel
            | OrderEvent::HandOver
            | OrderEvent::Ship
            | OrderEvent::Deliver
            | OrderEvent::Refund => true,
            OrderEvent::ConfirmStock | OrderEvent::Hold => false,
        }
    }

    pub fn parse(text: &str) -> Result<Self, UnknownName> {
        Self::from_name(&text.replace('-', "_"))
    }
}

impl fmt::Display for OrderEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The status an order of `channel` reaches when `event` happens in `status`.
pub fn next_status(
    channel: Channel,
    status: OrderStatus,
    event: OrderEvent,
) -> Result<OrderStatus, TransitionError> {
    let rule = event.rule();
    if let Some(only) = rule.only
        && only != channel
    {
        return Err(TransitionError::WrongChannel { channel, event, only });
    }
    if !rule.from.contains(&status) {
        return Err(TransitionError::NotAllowed { status, event });
    }
    Ok(rule.to)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("cannot {} an order that is {}", event.verb(), status.label())]
    NotAllowed { status: OrderStatus, event: OrderEvent },
    #[error("cannot {} a {} order ({} applies to {} orders only)", event.verb(), channel.as_str(), event.as_str(), only.as_str())]
    WrongChannel { channel: Channel, event: OrderEvent, only: Channel },
}

/// What an event announces to central through the outbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A fulfilment order was placed: central must reserve its stock.
    OrderPlaced,
    OrderPaid,
    /// A counter order was handed over: a fact central always applies.
    CounterSale,
    OrderShipped,
    OrderDelivered,
    OrderCancelled,
    OrderRefunded,
    /// Stock was adjusted on the device (receipt, count, damage).
    StockAdjusted,
}

impl EventKind {
    pub const ALL: [EventKind; 8] = [
        EventKind::OrderPlaced,
        EventKind::OrderPaid,
        EventKind::CounterSale,
        EventKind::OrderShipped,
        EventKind::OrderDelivered,
        EventKind::OrderCancelled,
        EventKind::OrderRefunded,
        EventKind::StockAdjusted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::OrderPlaced => "order_placed",
            EventKind::OrderPaid => "order_paid",
            EventKind::CounterSale => "counter_sale",
            EventKind::OrderShipped => "order_shipped",
            EventKind::OrderDelivered => "order_delivered",
            EventKind::OrderCancelled => "order_cancelled",
            EventKind::OrderRefunded => "order_refunded",
            EventKind::StockAdjusted => "stock_adjusted",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a step moves the order's stock on the device (applied to every line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StockEffect {
    None,
    /// `reserved += qty` (fails cleanly when not available).
    Reserve,
    /// `reserved -= qty`: the compensation of a reservation.
    Release,
    /// The goods left the shop: `on_hand -= qty`, `reserved -= qty`.
    Consume,
    /// Goods came back on a refund, for the lines the operator chose: `on_hand += qty`.
    Restock,
    /// The order holds a reservation someone else took (central, for an order of its platform):
    /// counted from then on, with no movement here (central's stock snapshot brings it).
    Adopt,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentEffect {
    None,
    /// Record the payment of the order's total.
    Capture,
    /// Record a refund of everything paid.
    RefundAll,
}

/// A step of an order's life with every effect it has; the store writes all of it in one
/// transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    /// `None` when the order is being placed.
    pub from: Option<OrderStatus>,
    /// `None` when the order is being placed.
    pub event: Option<OrderEvent>,
    pub to: OrderStatus,
    pub stock: StockEffect,
    pub payment: PaymentEffect,
    /// The outbox event announcing this step to central, if central must know.
    pub announce: Option<EventKind>,
}

impl Transition {
    /// Placing an order: reserve its stock; fulfilment orders ask central to reserve too.
    /// Counter orders stay local until they are handed over.
    pub fn place(channel: Channel) -> Self {
        Transition {
            from: None,
            event: None,
            to: OrderStatus::Created,
            stock: StockEffect::Reserve,
            payment: PaymentEffect::None,
            announce: match channel {
                Channel::Counter => None,
                Channel::Fulfilment => Some(EventKind::OrderPlaced),
            },
        }
    }

    /// An order placed and paid on the central platform and allocated to the store: central has
    /// reserved its stock and taken the payment, so it arrives ready to ship, paid, holding
    /// central's reservation, and announces nothing back.
    pub fn allocated() -> Self {
        Transition {
            from: None,
            event: None,
            to: OrderStatus::ReadyToShip,
            stock: StockEffect::Adopt,
            payment: PaymentEffect::Capture,
            announce: None,
        }
    }

    /// The transition `event` causes on an order of `channel` in `status`, with its effects.
    pub fn of(channel: Channel, status: OrderStatus, event: OrderEvent) -> Result<Self, TransitionError> {
        let to = next_status(channel, status, event)?;
        let fulfilment_only = |kind| match channel {
            Channel::Counter => None,
            Channel::Fulfilment => Some(kind),
        };
        let (stock, payment, announce) = match event {
            OrderEvent::Pay => {
                (StockEffect::None, PaymentEffect::Capture, fulfilment_only(EventKind::OrderPaid))
            }
            OrderEvent::Cancel => (
                // On hold, the reservation was already released by the compensation.
                if status == OrderStatus::OnHold { StockEffect::None } else { StockEffect::Release },
                if status == OrderStatus::Created { PaymentEffect::None } else { PaymentEffect::RefundAll },
                // Central never hears of a counter order before it is handed over.
                fulfilment_only(EventKind::OrderCancelled),
            ),
            OrderEvent::HandOver => (StockEffect::Consume, PaymentEffect::None, Some(EventKind::CounterSale)),
            OrderEvent::ConfirmStock => (
                // From on hold the local reservation was released and must be taken again.
                if status == OrderStatus::OnHold { StockEffect::Reserve } else { StockEffect::None },
                PaymentEffect::None,
                None,
            ),
            OrderEvent::Hold => (StockEffect::Release, PaymentEffect::None, None),
            OrderEvent::Ship => (StockEffect::Consume, PaymentEffect::None, Some(EventKind::OrderShipped)),
            OrderEvent::Deliver => (StockEffect::None, PaymentEffect::None, Some(EventKind::OrderDelivered)),
            OrderEvent::Refund => {
                (StockEffect::Restock, PaymentEffect::RefundAll, Some(EventKind::OrderRefunded))
            }
        };
        Ok(Transition { from: Some(status), event: Some(event), to, stock, payment, announce })
    }
}

/// How a payment was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    Card,
    Other,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 3] = [PaymentMethod::Cash, PaymentMethod::Card, PaymentMethod::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Card => "card",
            PaymentMethod::Other => "other",
        }
    }
}

/// An order's position in the state machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderState {
    pub channel: Channel,
    pub status: OrderStatus,
}

impl OrderState {
    pub fn new(channel: Channel) -> Self {
        Self { channel, status: OrderStatus::Created }
    }

    /// Applies `event`; on error the state is left as it was.
    pub fn apply(&mut self, event: OrderEvent) -> Result<Transition, TransitionError> {
        let transition = Transition::of(self.channel, self.status, event)?;
        self.status = transition.to;
        Ok(transition)
    }
}

crate::named!(Channel, "channel");
crate::named!(OrderStatus, "order status");
crate::named!(OrderEvent, "order event");
crate::named!(EventKind, "event kind");
crate::named!(PaymentMethod, "payment method");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_event_names_the_status_and_the_event() {
        let err = next_status(Channel::Fulfilment, OrderStatus::Created, OrderEvent::Ship).unwrap_err();
        assert_eq!(
            err,
            TransitionError::NotAllowed { status: OrderStatus::Created, event: OrderEvent::Ship }
        );
        assert_eq!(err.to_string(), "cannot ship an order that is created");
        let err = next_status(Channel::Counter, OrderStatus::OnHold, OrderEvent::Refund).unwrap_err();
        assert_eq!(err.to_string(), "cannot refund an order that is on hold");
    }

    #[test]
    fn channel_rules_are_enforced() {
        let err = next_status(Channel::Fulfilment, OrderStatus::Paid, OrderEvent::HandOver).unwrap_err();
        assert!(matches!(err, TransitionError::WrongChannel { only: Channel::Counter, .. }));
        assert_eq!(
            err.to_string(),
            "cannot hand over a fulfilment order (hand_over applies to counter orders only)"
        );
        assert!(next_status(Channel::Counter, OrderStatus::Paid, OrderEvent::Hold).is_err());
        assert!(next_status(Channel::Counter, OrderStatus::Paid, OrderEvent::ConfirmStock).is_err());
        assert_eq!(
            next_status(Channel::Counter, OrderStatus::Paid, OrderEvent::HandOver),
            Ok(OrderStatus::Delivered)
        );
    }

    #[test]
    fn effects_follow_the_saga() {
        let t = Transition::of(Channel::Fulfilment, OrderStatus::Paid, OrderEvent::Hold).expect("allowed");
        assert_eq!((t.stock, t.announce), (StockEffect::Release, None));
        let t =
            Transition::of(Channel::Fulfilment, OrderStatus::OnHold, OrderEvent::Cancel).expect("allowed");
        assert_eq!((t.stock, t.payment), (StockEffect::None, PaymentEffect::RefundAll));
        let t = Transition::of(Channel::Counter, OrderStatus::Created, OrderEvent::Cancel).expect("allowed");
        assert_eq!((t.stock, t.payment, t.announce), (StockEffect::Release, PaymentEffect::None, None));
        let t = Transition::of(Channel::Counter, OrderStatus::Paid, OrderEvent::HandOver).expect("allowed");
        assert_eq!((t.stock, t.announce), (StockEffect::Consume, Some(EventKind::CounterSale)));
        assert_eq!(Transition::place(Channel::Fulfilment).announce, Some(EventKind::OrderPlaced));
        assert_eq!(Transition::place(Channel::Counter).announce, None);
    }

    #[test]
    fn operator_actions_list_only_allowed_events() {
        assert_eq!(
            OrderStatus::Paid.operator_actions(Channel::Counter),
            vec![OrderEvent::Cancel, OrderEvent::HandOver]
        );
        assert_eq!(OrderStatus::Paid.operator_actions(Channel::Fulfilment), vec![OrderEvent::Cancel]);
        assert!(OrderStatus::Refunded.operator_actions(Channel::Counter).is_empty());
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_explained() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Ok(s));
            assert_eq!(serde_json::to_string(&s).ok(), Some(format!("\"{}\"", s.as_str())));
        }
        for e in OrderEvent::ALL {
            assert_eq!(OrderEvent::parse(e.as_str()), Ok(e));
        }
        assert_eq!(OrderEvent::parse("hand-over"), Ok(OrderEvent::HandOver));
        let err = OrderStatus::parse("done").unwrap_err();
        assert!(err.to_string().starts_with("unknown order status \"done\" (expected one of: created, paid"));
    }
}
