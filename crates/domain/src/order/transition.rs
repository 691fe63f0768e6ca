//! What a step does besides its status: how stock moves, what happens to payments, and what is
//! announced to central ([`Transition`]); and an order stepping through them ([`OrderState`]).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Channel, OrderEvent, OrderStatus, TransitionError, next_status};

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

crate::named!(EventKind, "event kind");
crate::named!(PaymentMethod, "payment method");
