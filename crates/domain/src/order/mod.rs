//! The order state machine and the effects of each transition (the saga's local steps).
//!
//! The whole table lives in [`OrderEvent::rule`]: one arm per event naming the statuses it may
//! leave, the status it leads to and the channel it is limited to. Every `match` in this module
//! is exhaustive (no `_` arm), so adding a status or an event makes the compiler point at each
//! place that has to decide what it means.

mod announced;
mod states;
mod transition;

pub use crate::name::UnknownName;
pub use announced::{Reservation, after_payment, apply_announced};
pub use states::{Channel, OrderEvent, OrderStatus, Rule, TransitionError, next_status};
pub use transition::{EventKind, OrderState, PaymentEffect, PaymentMethod, StockEffect, Transition};

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
