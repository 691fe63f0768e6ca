//! Helpers shared by the cross-process tests in this folder.
//!
//! - [`api`]: central's HTTP API spoken as raw JSON, as a stranger would.
//! - [`contract`]: what in a new OpenAPI document would break v1's clients.
//! - [`central`]: a real `storedesk-central` on a loopback port, on SQLite or on a fresh PostgreSQL
//!   database (`STOREDESK_TEST_POSTGRES_URL`; a missing PostgreSQL fails the test unless
//!   `STOREDESK_SKIP_POSTGRES=1` says to skip it on purpose).
//! - [`device`]: a device — its own data folder, store and sync engine.
//! - [`proxy`]: an HTTP proxy between devices and central that injects network faults.
//! - [`fake_central`]: a stand-in for central answering pushes as a test scripts them.
//! - `crash-child` (`crash_child.rs`): takes orders through their lives until it is killed.
//! - `sync-child` (`sync_child.rs`): runs sync rounds for a device folder until done (or killed).

pub mod api;
pub mod central;
pub mod contract;
pub mod device;
pub mod fake_central;
pub mod otlp;
pub mod proxy;

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
