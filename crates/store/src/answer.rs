//! Central's answer to one pushed event, as the relay hands it to the saga.

use storedesk_domain::EventId;
use storedesk_protocol::api::{AppliedResult, Shortage};

/// One event's answer from central.
#[derive(Clone, Debug, PartialEq)]
pub enum PushResult {
    /// Central applied the event; its result (the reservation outcome, where its stock shows).
    Applied(AppliedResult),
    /// Central had applied this event id before; the original result.
    Duplicate(AppliedResult),
    /// Central refused this event for good; for `insufficient_stock`, what was short.
    Rejected { code: String, message: String, shortages: Vec<Shortage> },
    /// Central cannot apply it yet (e.g. an earlier event of the order is missing).
    RetryLater { message: String },
    /// Central answered, but not in a way this device can read (a result that does not parse, an
    /// applied event without its result): the event stays pending, with this as its error.
    Unreadable { message: String },
}

#[derive(Clone, Debug, PartialEq)]
pub struct PushOutcome {
    pub event_id: EventId,
    pub result: PushResult,
}
