//! Where an order is: its channel, its status, the events that move it and the table of which
//! event leads where ([`OrderEvent::rule`]).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::name::{Named, UnknownName};

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

crate::named!(Channel, "channel");
crate::named!(OrderStatus, "order status");
crate::named!(OrderEvent, "order event");
