//! The wire types of Storedesk's sync API, shared by the device (`store`, `sync`) and central.
//!
//! - [`audit`]: a till's audit record, its SHA-256 chain and the walk that checks it.
//! - [`api`]: requests and responses of central's HTTP API (push, change feed, errors).
//! - [`catalog_csv`]: catalog files (`sku,name,price[,stock]`), checked row by row.
//! - [`events`]: the outbox events a device pushes, one payload type per [`EventKind`].
//! - [`pin`]: the salted, slow hash of a staff member's PIN that central makes and tills check
//!   (Argon2id, PHC string).
//! - [`staff`]: a store's staff (PIN hashes only) and staff policy, as its tills read them.
//! - [`minor`]: money in minor units travels as a decimal string, because JSON readers (the UI,
//!   JavaScript) cannot hold every `i64`.
//!
//! The v1 evolution rule: fields and kinds are only ever added, never removed or retyped. Readers
//! ignore fields they do not know.
//!
//! [`EventKind`]: storedesk_domain::EventKind

pub mod api;
pub mod audit;
pub mod catalog_csv;
pub mod events;
pub mod minor;
pub mod pin;
pub mod staff;
