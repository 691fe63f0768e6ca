//! The events a device announces, read back as steps of the state machine — what central (the
//! authority) applies to its own copy of an order — and the saga's follow-up after a payment,
//! which the device and central take alike.

use serde::{Deserialize, Serialize};

use super::{Channel, EventKind, OrderEvent, OrderStatus, Transition, TransitionError};

/// Central's answer to an order's reservation, as both sides record it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Reservation {
    /// Central reserved the order's stock.
    Accepted,
    /// Central had too little available when the order was placed.
    Rejected,
    /// Central reserved it, then lost it to a counter sale or a count (a conflict).
    Released,
}

impl Reservation {
    pub const ALL: [Reservation; 3] = [Reservation::Accepted, Reservation::Rejected, Reservation::Released];

    pub fn as_str(self) -> &'static str {
        match self {
            Reservation::Accepted => "accepted",
            Reservation::Rejected => "rejected",
            Reservation::Released => "released",
        }
    }
}

crate::named!(Reservation, "reservation");

impl EventKind {
    /// The state machine's steps this announcement stands for, in order, from the status the
    /// order has when it is sent: a `counter_sale` is a new counter order paid and handed over in
    /// one; `order_placed` (the placement) and `stock_adjusted` (no order) take none.
    pub fn order_events(self) -> &'static [OrderEvent] {
        match self {
            EventKind::OrderPlaced | EventKind::StockAdjusted => &[],
            EventKind::OrderPaid => &[OrderEvent::Pay],
            EventKind::CounterSale => &[OrderEvent::Pay, OrderEvent::HandOver],
            EventKind::OrderShipped => &[OrderEvent::Ship],
            EventKind::OrderDelivered => &[OrderEvent::Deliver],
            EventKind::OrderCancelled => &[OrderEvent::Cancel],
            EventKind::OrderRefunded => &[OrderEvent::Refund],
        }
    }
}

/// The step that follows paying a fulfilment order once central's answer to its reservation is
/// known: confirmed stock makes it ready to ship, a refused or lost reservation puts it on hold.
/// `None`: nothing follows (a counter order, or no answer yet).
pub fn after_payment(channel: Channel, reservation: Option<Reservation>) -> Option<OrderEvent> {
    match (channel, reservation?) {
        (Channel::Counter, _) => None,
        (Channel::Fulfilment, Reservation::Accepted) => Some(OrderEvent::ConfirmStock),
        (Channel::Fulfilment, Reservation::Rejected | Reservation::Released) => Some(OrderEvent::Hold),
    }
}

/// Where an order in `status` ends when the announcement `kind` is applied to it: each of the
/// kind's steps through [`Transition::of`], then the follow-up after a payment. The first step
/// the table forbids is the error.
pub fn apply_announced(
    channel: Channel,
    status: OrderStatus,
    kind: EventKind,
    reservation: Option<Reservation>,
) -> Result<OrderStatus, TransitionError> {
    let mut status = status;
    for &event in kind.order_events() {
        status = Transition::of(channel, status, event)?.to;
        if event == OrderEvent::Pay
            && let Some(follow) = after_payment(channel, reservation)
        {
            status = Transition::of(channel, status, follow)?.to;
        }
    }
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_announcing_step_is_read_back_as_itself() {
        for channel in Channel::ALL {
            for status in OrderStatus::ALL {
                for event in OrderEvent::ALL {
                    let Ok(t) = Transition::of(channel, status, event) else { continue };
                    if let Some(kind) = t.announce {
                        assert_eq!(kind.order_events().last(), Some(&event), "{kind} from {status}");
                    }
                }
            }
        }
    }

    #[test]
    fn central_follows_the_table_and_refuses_what_it_forbids() {
        use EventKind::*;
        use OrderStatus::*;
        let f = Channel::Fulfilment;
        let accepted = Some(Reservation::Accepted);
        assert_eq!(apply_announced(f, Created, OrderPaid, accepted), Ok(ReadyToShip));
        assert_eq!(apply_announced(f, Created, OrderPaid, Some(Reservation::Rejected)), Ok(OnHold));
        assert_eq!(apply_announced(f, Created, OrderPaid, None), Ok(Paid));
        assert_eq!(apply_announced(Channel::Counter, Created, CounterSale, None), Ok(Delivered));
        let err = apply_announced(f, Cancelled, OrderShipped, accepted).unwrap_err();
        assert_eq!(err.to_string(), "cannot ship an order that is cancelled");
        assert!(apply_announced(f, Refunded, OrderRefunded, None).is_err());
        assert!(apply_announced(Channel::Counter, Delivered, CounterSale, None).is_err());
    }
}
