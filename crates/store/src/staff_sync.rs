//! Staff and the audit trail between this till and central: the store's staff list and policy as
//! central holds them (applied whole when its version moves), and the audit records not yet
//! uploaded (central checks that they continue the chain it holds).
//!
//! A till of a store that syncs takes its staff from central: people central lists replace the
//! local rows of the same code (`from_central`), anyone central does not list is disabled here,
//! and a lockout central reports (from another till) applies here too — offline from then on.

use rusqlite::{Transaction, params};
use storedesk_domain::Named as _;
use storedesk_domain::staff::Limits;
use storedesk_protocol::audit::AuditRecord;
use storedesk_protocol::staff::StaffListing;

use crate::audit::{self, Entry};
use crate::error::Result;
use crate::staff::Actor;
use crate::staff_policy::{self, StaffPolicy};
use crate::{Store, db, sync_state};

/// Sync-state keys: the version of central's staff list applied here, and the last audit record
/// central confirmed.
pub mod keys {
    pub const STAFF_VERSION: &str = "staff_version";
    pub const AUDIT_SENT: &str = "audit_sent_seq";
}

fn number(text: Option<String>) -> i64 {
    text.and_then(|t| t.parse().ok()).unwrap_or(0)
}

impl Store {
    /// The version of central's staff list this till holds (0: none yet).
    pub fn staff_version(&self) -> Result<i64> {
        Ok(number(self.sync_value(keys::STAFF_VERSION)?))
    }

    /// Applies central's staff list and policy in one transaction, with one audit record.
    pub fn apply_staff_listing(&self, listing: &StaffListing) -> Result<()> {
        self.write(|tx| apply_listing(tx, listing), |_| {})
    }

    /// Audit records central has not confirmed yet, oldest first, at most `limit`.
    pub fn audit_unsent(&self, limit: usize) -> Result<Vec<AuditRecord>> {
        self.read(|conn| {
            let after = number(sync_state::get(conn, keys::AUDIT_SENT)?);
            audit::records_after(conn, after, limit)
        })
    }

    /// Central confirmed the chain up to `seq`.
    pub fn audit_sent(&self, seq: i64) -> Result<()> {
        self.write(|tx| sync_state::set(tx, keys::AUDIT_SENT, &seq.to_string()), |_| {})
    }
}

fn apply_listing(tx: &Transaction<'_>, listing: &StaffListing) -> Result<()> {
    let now = db::now_ms();
    // Once central lists anyone, its list is the store's staff: people only this till knew (a
    // first manager made before central had staff) are disabled too — central would refuse their
    // steps. An empty list (a store that does not use staff at central) leaves the till's own.
    let stale = if listing.staff.is_empty() {
        "UPDATE staff SET active = 0, updated_at = ?1 WHERE from_central = 1"
    } else {
        "UPDATE staff SET active = 0, updated_at = ?1"
    };
    tx.execute(stale, [now])?;
    let mut upsert = tx.prepare_cached(
        "INSERT INTO staff (code, name, role, pin_hash, active, from_central, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, role = excluded.role,
             pin_hash = excluded.pin_hash, active = excluded.active, from_central = 1,
             updated_at = excluded.updated_at",
    )?;
    let mut lock = tx.prepare_cached(
        "INSERT INTO staff_sign_in (code, failures, locked_until) VALUES (?1, 0, ?2)
         ON CONFLICT (code) DO UPDATE SET locked_until = MAX(COALESCE(locked_until, 0), excluded.locked_until)",
    )?;
    for person in &listing.staff {
        let code = person.code.as_str();
        upsert.execute(params![
            code,
            person.name,
            person.role.name(),
            person.pin_hash.as_str(),
            person.active,
            now
        ])?;
        if let Some(until) = person.locked_until {
            lock.execute(params![code, until.as_millisecond()])?;
        }
    }
    let policy = &listing.policy;
    let policy = StaffPolicy {
        limits: Limits {
            refund_max_minor: policy.refund_max_minor,
            discount_max_percent: policy.discount_max_percent,
        },
        lockout_minutes: policy.lockout_minutes,
        idle_lock_minutes: policy.idle_lock_minutes,
    };
    staff_policy::write(tx, &policy)?;
    sync_state::set(tx, keys::STAFF_VERSION, &listing.version.to_string())?;
    let detail = format!("{} people, version {}", listing.staff.len(), listing.version);
    let entry = Entry { action: "staff.from_central", subject: None, detail: Some(&detail) };
    audit::append(tx, &Actor::System("central".into()), entry, now)
}
