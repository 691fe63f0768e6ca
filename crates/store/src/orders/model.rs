//! What an order is, as the store keeps it and the screens read it, and what its steps take.

use serde::Serialize;

use crate::actor::Actor;
use storedesk_domain::{Channel, OrderEvent, OrderId, OrderStatus, PaymentMethod, Qty, Sku};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderLine {
    pub line_no: i64,
    pub sku: String,
    pub name: String,
    pub qty: i64,
    #[serde(with = "storedesk_protocol::minor")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub unit_price_minor: i64,
    pub restocked_qty: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Order {
    pub id: OrderId,
    pub number: String,
    pub channel: Channel,
    pub status: OrderStatus,
    /// The till of the store that took it (`T2`); `None` for the central platform's orders.
    pub till: Option<String>,
    pub customer: Option<String>,
    pub currency: String,
    #[serde(with = "storedesk_protocol::minor")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub total_minor: i64,
    pub tracking: Option<String>,
    pub hold_reason: Option<String>,
    pub created_at: jiff::Timestamp,
    pub updated_at: jiff::Timestamp,
    pub lines: Vec<OrderLine>,
    /// What an operator may do next (the UI offers exactly these).
    pub actions: Vec<OrderEvent>,
}

/// Money in, or money back out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    Payment,
    Refund,
}

impl PaymentKind {
    pub const ALL: [PaymentKind; 2] = [PaymentKind::Payment, PaymentKind::Refund];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentKind::Payment => "payment",
            PaymentKind::Refund => "refund",
        }
    }
}

storedesk_domain::named!(PaymentKind, "payment kind");

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Payment {
    pub kind: PaymentKind,
    pub method: PaymentMethod,
    /// Negative for refunds.
    #[serde(with = "storedesk_protocol::minor")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub amount_minor: i64,
    pub at: jiff::Timestamp,
}

/// The reason a mirrored timeline row carries in the table: read back as
/// [`TimelineEntry::from_central`].
pub(crate) const MIRRORED: &str = "as central holds it";

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TimelineEntry {
    pub from: Option<OrderStatus>,
    /// `None` for the placement of the order.
    pub event: Option<OrderEvent>,
    pub to: OrderStatus,
    pub at: jiff::Timestamp,
    pub actor: String,
    /// Who approved the step, when it was above the actor's role.
    pub approved_by: Option<String>,
    pub reason: Option<String>,
    /// The step is central's: the order as central holds it, mirrored from the feed (another
    /// till's order, or one whose status central decided).
    pub from_central: bool,
}

/// An order with its payments and timeline (`storedesk order show`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderDetail {
    #[serde(flatten)]
    pub order: Order,
    pub payments: Vec<Payment>,
    pub timeline: Vec<TimelineEntry>,
}

/// An order to place.
#[derive(Clone, Debug)]
pub struct NewOrder {
    pub channel: Channel,
    pub lines: Vec<(Sku, Qty)>,
    pub customer: Option<String>,
    /// Who placed it: a signed-in person, or the program (`sync`, a benchmark).
    pub actor: Actor,
}

/// What goes back on the shelf when a delivered order is refunded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Restock {
    #[default]
    Nothing,
    All,
    Lines(Vec<(Sku, Qty)>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentInput {
    pub method: PaymentMethod,
    /// `None`: the order's total.
    pub amount_minor: Option<i64>,
}

/// What a step of an order's life records besides its event.
#[derive(Clone, Debug, Default)]
pub struct StepDetails {
    /// Who did it: a signed-in person (and their approver), or the program (`central`...).
    pub actor: Actor,
    pub reason: Option<String>,
    pub tracking: Option<String>,
    pub payment: Option<PaymentInput>,
    pub restock: Restock,
}

impl StepDetails {
    pub fn by(actor: impl Into<Actor>) -> Self {
        Self { actor: actor.into(), ..Self::default() }
    }
}

/// An event applied to an existing order, with what it needs.
#[derive(Clone, Debug)]
pub struct OrderAction {
    pub event: OrderEvent,
    pub details: StepDetails,
}

impl OrderAction {
    pub fn new(event: OrderEvent, actor: impl Into<Actor>) -> Self {
        Self { event, details: StepDetails::by(actor) }
    }
}

/// Filters for listing orders; newest first.
#[derive(Clone, Debug)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub channel: Option<Channel>,
    /// Only the orders this till took (`T2`; see [`crate::views::till_filter`]).
    pub till: Option<String>,
    /// Only the orders this person took a step in or approved (a staff code).
    pub staff: Option<String>,
    pub limit: usize,
    pub offset: usize,
}

impl Default for OrderFilter {
    fn default() -> Self {
        Self { status: None, channel: None, till: None, staff: None, limit: 100, offset: 0 }
    }
}

/// Central's answer to an order's reservation (the domain's, shared with central).
pub(crate) use storedesk_domain::Reservation as CentralReservation;

/// The order row as the write path needs it.
pub(crate) struct Header {
    pub id: OrderId,
    pub number: String,
    pub channel: Channel,
    pub status: OrderStatus,
    pub customer: Option<String>,
    pub currency: String,
    pub total_minor: i64,
    pub event_seq: i64,
    /// Steps taken so far; the next timeline row is `steps + 1`.
    pub steps: i64,
    /// Whether the store's stock view counts a reservation for this order.
    pub reservation_held: bool,
    /// Central's answer to the reservation, if any.
    pub central_reservation: Option<CentralReservation>,
}
