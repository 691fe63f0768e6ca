//! Requests and responses of central's HTTP API (`/v1`), shared by the device's sync engine and
//! the server, so that the two cannot drift.

use serde::{Deserialize, Serialize};
use storedesk_domain::{Currency, EventId, Sku, TillCode};

use crate::events::Envelope;

/// `POST /v1/events`: a batch of outbox events, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub events: Vec<Envelope>,
}

/// How central answered one event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// Applied now; `result` holds what happened.
    Applied,
    /// Applied before (same event id); `result` is the original result.
    Duplicate,
    /// Refused; `code` and `message` say why. Permanent unless `code` is a business outcome the
    /// saga handles (e.g. `insufficient_stock` for `order_placed`).
    Rejected,
    /// Not applied yet (an earlier event of the same aggregate is missing): send it again later.
    RetryLater,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventOutcome {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub event_id: EventId,
    pub status: EventStatus,
    /// The stored result of an applied (or duplicate) event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub result: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// For `insufficient_stock`: each SKU central could not reserve, with the figures (the
    /// message says the same in English; a device shows these in its operator's language).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shortages: Vec<Shortage>,
}

/// One SKU an order wanted more of than central had available.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shortage {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub sku: Sku,
    pub requested: i64,
    pub available: i64,
}

/// `POST /v1/events` answer: one outcome per pushed event, in the same order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    pub results: Vec<EventOutcome>,
}

/// The result central stores for an applied event.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppliedResult {
    /// For `order_placed`: `accepted` (central reserved the stock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation: Option<String>,
    /// The first change-feed id whose stock snapshots include this event's effect; a device's stock
    /// snapshot at or after this id already counts the event. `None`: the event moved no stock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_id: Option<i64>,
    /// The change-feed id of the order's snapshot after this event: older snapshots of the order
    /// in the feed predate the event, and a device that saw it applied ignores them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_change_id: Option<i64>,
}

/// Rejection codes with a meaning the device acts on.
pub mod codes {
    /// `order_placed` could not be reserved; the outcome's `shortages` say what was short.
    pub const INSUFFICIENT_STOCK: &str = "insufficient_stock";
    pub const UNKNOWN_SKU: &str = "unknown_sku";
    pub const UNKNOWN_ORDER: &str = "unknown_order";
    pub const INVALID_EVENT: &str = "invalid_event";
    pub const WRONG_STORE: &str = "wrong_store";
    pub const SEQUENCE_GAP: &str = "sequence_gap";
    /// The event is not a step the state machine allows from central's status of the order (the
    /// message names both); kept like an answer, so a replay gets the same refusal.
    pub const INVALID_TRANSITION: &str = "invalid_transition";
    /// Another order of the store already has this human number.
    pub const DUPLICATE_NUMBER: &str = "duplicate_number";
    /// A quantity, delta or sum beyond its bounds (422).
    pub const OUT_OF_RANGE: &str = "out_of_range";
    /// The event's staff code is not one of the store's staff at central.
    pub const UNKNOWN_STAFF: &str = "unknown_staff";
    /// The event's staff code belongs to another store's staff.
    pub const STAFF_OF_ANOTHER_STORE: &str = "staff_of_another_store";
    /// The person was disabled at central before the event was made.
    pub const STAFF_INACTIVE: &str = "staff_inactive";
    /// The person's role (and the approver's, if any) does not allow the step; the message names
    /// the permission.
    pub const NOT_PERMITTED: &str = "not_permitted";
    /// The event carries no staff code and the store's grace for tills that predate staff is over.
    pub const STAFF_REQUIRED: &str = "staff_required";
    /// An audit upload does not continue the chain central holds of the till (409); flagged.
    pub const AUDIT_CHAIN_BROKEN: &str = "audit_chain_broken";
    /// The feed was compacted past the device's cursor (410): read `/v1/snapshot` from it.
    pub const CURSOR_TOO_OLD: &str = "cursor_too_old";
}

/// `GET /v1/changes?after=CURSOR&limit=N` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangesResponse {
    pub changes: Vec<Change>,
    /// The cursor to ask with next time (the last change's id, or the one asked with).
    pub next_cursor: i64,
    /// More changes are waiting after `next_cursor`.
    pub has_more: bool,
    /// The version of the store's staff list (`GET /v1/staff`); a till whose copy is older asks
    /// for it. Absent from centrals that predate staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_version: Option<i64>,
}

/// `GET /v1/snapshot?after=ID&limit=N` answer: the newest feed entry of every thing of the reader's
/// store and of the catalog, in feed order after `after` — the feed without what later entries
/// superseded. A new till reads it from 0 instead of the whole history, then follows the feed from
/// the larger of `head` (of its first page) and the last id it read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotResponse {
    pub changes: Vec<Change>,
    /// The feed's last id when this page was read.
    pub head: i64,
    /// More entries are waiting after the last one of this page.
    pub has_more: bool,
    /// How many entries the whole snapshot after `after` holds (for progress).
    pub total: i64,
}

/// One entry of the change feed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub id: i64,
    #[serde(flatten)]
    pub body: ChangeBody,
}

/// What changed: `{"kind": "...", "data": {...}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum ChangeBody {
    /// A product was added or changed (global to all stores).
    Product(ProductChange),
    /// Central's stock of one SKU for the reader's store.
    Stock(StockSnapshot),
    /// An order placed on the central platform and allocated to the reader's store, already paid
    /// and with its stock reserved.
    OrderAllocated(AllocatedOrder),
    /// Central can no longer honour an order's reservation (a counter sale took the stock).
    Conflict(ConflictChange),
    /// An order of the reader's store as central holds it now, whichever till took it: every till
    /// sees the whole store.
    Order(OrderSnapshot),
}

/// One of the store's orders as central holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderSnapshot {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub order_id: storedesk_domain::OrderId,
    pub number: String,
    /// The till that took it; `None` for the central platform's orders and for orders pushed
    /// before tills existed.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub till: Option<TillCode>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub channel: storedesk_domain::Channel,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: storedesk_domain::OrderStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub reservation: Option<storedesk_domain::Reservation>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub currency: Currency,
    #[serde(with = "crate::minor")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub total_minor: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub lines: Vec<crate::events::LineItem>,
    /// Payments (positive) and refunds (negative), as central recorded them.
    pub payments: Vec<PaymentRecord>,
    pub customer: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: jiff::Timestamp,
    /// Each till's last event number on this order (`{"T2": 4}`): a till set up again on a new
    /// machine goes on after it.
    #[serde(default, skip_serializing_if = "Heads::is_empty")]
    pub heads: Heads,
}

/// The last event number each till used on one aggregate, by till code.
pub type Heads = std::collections::BTreeMap<String, i64>;

/// A payment or refund of an order as central recorded it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentRecord {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub method: storedesk_domain::PaymentMethod,
    /// Negative for a refund.
    #[serde(with = "crate::minor")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub amount_minor: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub at: jiff::Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductChange {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub sku: Sku,
    pub name: String,
    #[serde(with = "crate::minor")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub price_minor: i64,
    pub version: i64,
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockSnapshot {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub sku: Sku,
    pub on_hand: i64,
    pub reserved: i64,
    /// Each till's last adjustment number of this SKU (`stock:<sku>`), by till code.
    #[serde(default, skip_serializing_if = "Heads::is_empty")]
    pub heads: Heads,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AllocatedOrder {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub order_id: storedesk_domain::OrderId,
    pub number: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub currency: Currency,
    #[serde(with = "crate::minor")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub total_minor: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub lines: Vec<crate::events::LineItem>,
    pub customer: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConflictChange {
    pub conflict_id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub order_id: storedesk_domain::OrderId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub sku: Sku,
    /// Units central allocated to the order but no longer has on hand.
    pub shortfall: i64,
    pub message: String,
}

/// `POST /v1/till`: the device says which installation it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    /// The device's own installation id; the first to claim a till owns it.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub installation: String,
}

/// Who a till is: its store and code, as a device learns them before it sells.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TillInfo {
    pub store: String,
    pub store_name: String,
    pub currency: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "T2"))]
    pub till: TillCode,
    pub till_name: String,
}

/// `POST /v1/join`: a one-time join code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    /// The code `device add` printed (`7KQ4-M2XD-9PRT`; any case, dashes optional).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub code: String,
}

/// What a join hands the till: who it is and its token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Joined {
    #[serde(flatten)]
    pub till: TillInfo,
    /// Given once; central keeps only its hash.
    pub token: String,
}

/// Every error body: `{"code": "...", "message": "..."}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}
