//! The device's sync engine.
//!
//! - [`client`]: the HTTP client for central (`reqwest`, rustls): pushes event batches, reads the
//!   change feed, sends a W3C `traceparent` with every request, records every call's latency, and
//!   turns transport failures, timeouts, 5xx and 429 (with `Retry-After`) into retryable errors.
//! - [`engine`]: one sync round (push every due event, then pull the feed to its end) and the
//!   background loop; the status the UI and `storedesk sync status` show.
//! - [`latency`]: HDR histograms per endpoint — one-second snapshots for the live view, per-minute
//!   rollups stored in the device's database.
//! - [`bootstrap`]: a new till (or one whose cursor central compacted past) reads central's
//!   snapshot instead of the whole history, with progress.
//! - [`connect`]: becoming a till of a store — with a till's token (central is asked who the
//!   device is first) or a one-time join code.
//! - `staff`: the audit chain uploaded and the store's staff list read, each round.
//! - [`credentials`]: where the device token is kept when no OS keychain is available.
//!
//! The outbox rules (order, backoff, dead letters) and what central's answers do belong to
//! `storedesk-store`; this crate only carries events and changes over the network, and reads
//! central's answers into types: an answer it cannot read is an error (`RelayError::Unreadable`,
//! `PushResult::Unreadable`), never a default. The store's work runs off the async workers
//! (`Store::in_background`).

pub mod bootstrap;
pub mod client;
pub mod connect;
pub mod credentials;
pub mod engine;
pub mod latency;
mod staff;

pub use client::CentralClient;
pub use engine::{RoundReport, SyncEngine, SyncStatus};
