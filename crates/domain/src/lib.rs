//! Storedesk's domain: the rules of a store, with no I/O.
//!
//! - [`money`]: amounts in integer minor units with their ISO 4217 currency; parsing and
//!   formatting of major-unit text such as `12.50`.
//! - [`ids`]: UUID v7 ids, store codes and till codes (`T2`) and human
//!   order numbers (`<STORE>-<TILL>-<YYYYMMDD>-<NNNN>`).
//! - [`order`]: the order state machine — statuses, events, channels — and, for every allowed
//!   transition, its effects on stock, payments and the outbox (the saga's steps).
//! - [`stock`]: stock levels and the arithmetic that keeps `0 <= reserved <= on_hand`.
//! - [`barcode`]: barcodes on goods (EAN-13, EAN-8, UPC-A, GTIN-14 with their check digit).
//! - [`line`]: order lines as operators type them (`SKU=QTY`).
//! - [`name`]: the names enums are stored and sent as ([`name::Named`]), one error for an unknown one.
//! - [`tax`]: tax rates, prices with or without tax, discounts split over lines, and the one
//!   rounding rule (per rate, half up) that gives an order's net, tax per rate and gross.
//! - [`staff`]: roles, the one table of what each may do, the store's limits, PINs (never shown).
//!
//! This crate must not touch a database, a file, the network or the clock: callers pass time and
//! ids in. Everything here is deterministic and unit-testable.

pub mod barcode;
pub mod ids;
pub mod line;
pub mod money;
pub mod name;
pub mod order;
pub mod staff;
pub mod stock;
pub mod tax;

pub use barcode::{Barcode, BarcodeError};
pub use ids::{EventId, OrderId, OrderNumber, StaffCode, StoreCode, TillCode};
pub use line::{Qty, Sku};
pub use money::{Currency, Money, MoneyError};
pub use name::{Named, UnknownName};
pub use order::{
    Channel, EventKind, OrderEvent, OrderStatus, PaymentMethod, Reservation, Transition, TransitionError,
};
pub use staff::{Limits, Permission, Pin, Refused, Role};
pub use stock::{AdjustReason, LedgerReason, StockDelta, StockError, StockLevel};
