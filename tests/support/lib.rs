//! Helpers shared by the cross-process tests in this folder.
//!
//! - `crash-child` (`support/crash_child.rs`): a process that takes orders through their lives in a
//!   loop and reports each committed step on stdout, for `crash.rs` to kill at random moments.

/// The steps the crash child takes an order through, by index of the order: counter orders are
/// paid and handed over; fulfilment orders are paid, confirmed, shipped and delivered; every fifth
/// order is cancelled after payment.
pub fn plan(index: u64) -> (storedesk_domain::Channel, Vec<storedesk_domain::OrderEvent>) {
    use storedesk_domain::{Channel, OrderEvent::*};
    let channel = if index.is_multiple_of(2) { Channel::Counter } else { Channel::Fulfilment };
    let steps = match (channel, index % 5 == 4) {
        (_, true) => vec![Pay, Cancel],
        (Channel::Counter, false) => vec![Pay, HandOver],
        (Channel::Fulfilment, false) => vec![Pay, ConfirmStock, Ship, Deliver],
    };
    (channel, steps)
}
