//! `GET /v1/staff`: a store's staff and its staff policy as central holds them, for its tills to
//! sign people in offline. PINs travel only as their slow hashes ([`PinHash`]).

use serde::{Deserialize, Serialize};
use storedesk_domain::{Role, StaffCode};

use crate::pin::PinHash;

/// The answer: everything, each time (a store has tens of people, not thousands).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffListing {
    /// Moves with every change of the list or the policy; the change feed carries the current one
    /// (`staff_version`), so a till asks again only when it moved.
    pub version: i64,
    pub policy: StorePolicy,
    pub staff: Vec<StaffEntry>,
}

/// A store's staff rules, set at central for a store that syncs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StorePolicy {
    /// The largest refund a supervisor may give alone, in minor units.
    #[serde(with = "crate::minor")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub refund_max_minor: i64,
    /// The largest discount a supervisor may give alone, in percent.
    pub discount_max_percent: u8,
    /// How long five wrong PINs in a row lock a person out.
    pub lockout_minutes: i64,
    /// The app locks after this long without input.
    pub idle_lock_minutes: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffEntry {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub code: StaffCode,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub role: Role,
    /// Argon2id, PHC string.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub pin_hash: PinHash,
    pub active: bool,
    /// Locked out after wrong PINs at one of the store's tills, until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub locked_until: Option<jiff::Timestamp>,
}
