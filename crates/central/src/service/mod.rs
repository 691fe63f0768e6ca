//! What central does, independent of HTTP. The admin CLI and the handlers both call these.
//!
//! - [`stores`]: stores, device tokens (shown once, stored as SHA-256), authentication.
//! - [`tokens`]: new random secrets and the hashes kept of them.
//! - [`staff`]: a store's staff (PIN hashes), staff policy, and who may take each step.
//! - [`audit`]: each till's audit chain, checked as it arrives.
//! - [`tills`]: a store's tills (`T1`, `T2`, ...), join codes, the installation that owns a till.
//! - [`catalog`]: the shared product catalog with versions.
//! - [`stock`]: per-store authoritative stock; receipts.
//! - [`orders`]: orders placed on the central platform and allocated to a store.
//! - [`events`]: applying a store's pushed events, exactly once, in order per aggregate
//!   (`validate`, `inbox`, `sequence`, `apply`: one function per event kind).
//! - [`feed`]: the change feed and its cursor.
//! - [`conflicts`]: reservations central could not honour.
//! - `work`: a unit of work over one store's stock and orders inside one transaction (orders keep
//!   the domain's `OrderStatus` and `Channel`), its conflicts and its write-back.

pub mod audit;
pub mod catalog;
pub mod conflicts;
pub mod events;
pub mod feed;
pub mod orders;
pub mod staff;
pub mod stock;
pub mod stores;
pub mod tills;
pub mod tokens;
mod work;

/// A store as the services need it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StoreRef {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub currency: String,
}

/// An authenticated device: the till of a store its token belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceRef {
    pub store: StoreRef,
    pub till_id: i64,
    pub till: storedesk_domain::TillCode,
}
