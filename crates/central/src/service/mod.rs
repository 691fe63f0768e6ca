//! What central does, independent of HTTP. The admin CLI and the handlers both call these.
//!
//! - [`stores`]: stores, device tokens (shown once, stored as SHA-256), authentication.
//! - [`catalog`]: the shared product catalog with versions.
//! - [`stock`]: per-store authoritative stock; receipts.
//! - [`orders`]: orders placed on the central platform and allocated to a store.
//! - [`events`]: applying a store's pushed events, exactly once, in order per aggregate
//!   (`validate`, `inbox`, `sequence`, `apply`: one function per event kind).
//! - [`feed`]: the change feed and its cursor.
//! - [`conflicts`]: reservations central could not honour.
//! - `work`: a unit of work over one store's stock and orders inside one transaction (orders keep
//!   the domain's `OrderStatus` and `Channel`), its conflicts and its write-back.

pub mod catalog;
pub mod conflicts;
pub mod events;
pub mod feed;
pub mod orders;
pub mod stock;
pub mod stores;
mod work;

/// A store as the services need it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StoreRef {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub currency: String,
}
