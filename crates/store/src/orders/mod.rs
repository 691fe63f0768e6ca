//! Orders: placing them and moving them through the state machine.
//!
//! Each step is ONE transaction holding all its effects: the order row's status, a timeline row,
//! stock rows with their ledger rows, payment rows and the outbox event. What a step does comes
//! from [`storedesk_domain::Transition`]; this module only writes it down.
//!
//! - `model`: the types (orders, lines, payments, timeline, what a step takes).
//! - `place`: placement — pricing, the day's number, the rows; orders central allocates.
//! - `step`: an operator's step and the saga's steps (central's answers).
//! - `effects`: a transition's effects, written in the step's transaction.
//! - `payments`, `announce`: money on the order; the outbox payload a step announces.
//! - `mirror`: the store's orders as central holds them (every till's), from the change feed.
//! - `read`: orders read back.

mod announce;
mod effects;
mod mirror;
mod model;
mod payments;
mod place;
mod read;
mod step;

pub(crate) use announce::wire_lines;
pub(crate) use mirror::{mirror, saw_central_change};
pub(crate) use model::CentralReservation;
pub use model::{
    NewOrder, Order, OrderAction, OrderDetail, OrderFilter, OrderLine, Payment, PaymentInput, PaymentKind,
    Restock, StepDetails, TimelineEntry,
};
pub(crate) use place::place_allocated;
pub(crate) use step::{CENTRAL_ACTOR, LocalReservation, set_central_reservation, status_of, step};
