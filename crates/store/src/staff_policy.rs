//! The store's rules for its staff: the limits on what a supervisor may do alone, how long wrong
//! PINs lock a person out, and the app's idle lock. Kept in `settings`; set by a manager on a
//! stand-alone till, and from central's staff list on a till of a store that syncs.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use storedesk_domain::staff::Limits;

use crate::error::{Result, StoreError};

/// The store's rules for its staff.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StaffPolicy {
    pub limits: Limits,
    /// How long wrong PINs lock a person out of a till.
    pub lockout_minutes: i64,
    /// The app locks after this long without input.
    pub idle_lock_minutes: i64,
}

impl Default for StaffPolicy {
    fn default() -> Self {
        StaffPolicy { limits: Limits::default(), lockout_minutes: 15, idle_lock_minutes: 5 }
    }
}

const KEYS: [&str; 4] = ["refund_max_minor", "discount_max_percent", "lockout_minutes", "idle_lock_minutes"];

pub(crate) fn policy(conn: &Connection) -> Result<StaffPolicy> {
    let get = |key: &str| -> Result<Option<i64>> {
        let text: Option<String> =
            conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?;
        text.map(|t| {
            t.parse().map_err(|_| StoreError::Invalid(format!("settings: {key} {t:?} is not a number")))
        })
        .transpose()
    };
    let default = StaffPolicy::default();
    Ok(StaffPolicy {
        limits: Limits {
            refund_max_minor: get(KEYS[0])?.unwrap_or(default.limits.refund_max_minor),
            discount_max_percent: get(KEYS[1])?
                .and_then(|p| u8::try_from(p).ok())
                .unwrap_or(default.limits.discount_max_percent),
        },
        lockout_minutes: get(KEYS[2])?.unwrap_or(default.lockout_minutes),
        idle_lock_minutes: get(KEYS[3])?.unwrap_or(default.idle_lock_minutes),
    })
}

/// Checks a policy's bounds: what a manager types, or what central sends.
pub fn check(policy: &StaffPolicy) -> Result<()> {
    if policy.limits.refund_max_minor < 0 {
        return Err(StoreError::Invalid("the refund limit cannot be negative".into()));
    }
    if policy.limits.discount_max_percent > 100 {
        return Err(StoreError::Invalid("the discount limit is a percent from 0 to 100".into()));
    }
    for (what, minutes) in [("lockout", policy.lockout_minutes), ("idle lock", policy.idle_lock_minutes)] {
        if !(1..=1440).contains(&minutes) {
            return Err(StoreError::Invalid(format!("the {what} time is 1 to 1440 minutes, not {minutes}")));
        }
    }
    Ok(())
}

/// Writes the policy into `settings` inside the caller's transaction.
pub(crate) fn write(tx: &Transaction<'_>, policy: &StaffPolicy) -> Result<()> {
    check(policy)?;
    let mut setting = tx.prepare_cached(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?;
    let values = [
        policy.limits.refund_max_minor,
        i64::from(policy.limits.discount_max_percent),
        policy.lockout_minutes,
        policy.idle_lock_minutes,
    ];
    for (key, value) in KEYS.iter().zip(values) {
        setting.execute(params![key, value.to_string()])?;
    }
    Ok(())
}
