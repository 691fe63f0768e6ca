//! A store's staff and staff policy, managed at central (the admin CLI), read by its tills
//! (`GET /v1/staff`, PIN hashes only) and used to check who made each event a till pushes
//! ([`StaffBook`]).
//!
//! Every change moves the store's `staff_version`; the change feed answers carry it, so a till
//! asks for the list again only when it moved. Central enforces staff from the store's first staff
//! member on: before that a store does not use staff at central, and events' staff codes are kept
//! but not checked.

use std::collections::HashMap;

use sqlx::Row;
use storedesk_domain::staff::{self as rules, Limits};
use storedesk_domain::{Named as _, Permission, Pin, Role, StaffCode};
use storedesk_protocol::pin::PinHash;
use storedesk_protocol::staff::{StaffEntry, StaffListing, StorePolicy};

use super::StoreRef;
use crate::db::{Db, named, now_ms, parsed};
use crate::error::{CentralError, Result};

/// How long events without a staff code are accepted after a store's first staff member is added,
/// unless the store sets its own grace.
pub const DEFAULT_UNSIGNED_GRACE_DAYS: i64 = 30;

/// A staff member as the admin CLI shows one (never the hash).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StaffView {
    pub code: StaffCode,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub locked_until: Option<jiff::Timestamp>,
}

/// A change to a store's policy; `None` keeps what is there.
#[derive(Clone, Debug, Default)]
pub struct PolicyChange {
    pub refund_max_minor: Option<i64>,
    pub discount_max_percent: Option<u8>,
    pub lockout_minutes: Option<i64>,
    pub idle_lock_minutes: Option<i64>,
    /// Days from now during which events without a staff code are accepted (0 ends the grace).
    pub unsigned_grace_days: Option<i64>,
}

fn timestamp(ms: Option<i64>) -> Option<jiff::Timestamp> {
    ms.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
}

/// Adds a person to a store. The PIN is hashed (slowly, off the async workers) before the write.
pub async fn add(
    db: &Db,
    store: &StoreRef,
    code: &str,
    name: &str,
    role: Role,
    pin: Pin,
) -> Result<StaffView> {
    let code = StaffCode::parse(code).map_err(|e| CentralError::invalid("code", e.to_string()))?;
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(CentralError::invalid("name", "1 to 80 characters"));
    }
    let hash = tokio::task::spawn_blocking(move || PinHash::new(&pin))
        .await
        .map_err(|e| CentralError::corrupt("a PIN hash", e))?;
    let now = now_ms();
    let mut tx = db.begin().await?;
    let added = sqlx::query(
        "INSERT INTO staff (store_id, code, name, role, pin_hash, active, updated_at)
         VALUES ($1, $2, $3, $4, $5, 1, $6) ON CONFLICT (store_id, code) DO NOTHING",
    )
    .bind(store.id)
    .bind(code.as_str())
    .bind(&name)
    .bind(role.name())
    .bind(hash.as_str())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if added.rows_affected() == 0 {
        return Err(CentralError::Conflict {
            code: "staff_exists",
            message: format!("{} already has staff {code}", store.code),
        });
    }
    let grace_end = now.saturating_add(DEFAULT_UNSIGNED_GRACE_DAYS * 86_400_000);
    sqlx::query(
        "UPDATE stores SET staff_version = staff_version + 1,
             unsigned_until = COALESCE(unsigned_until, $2) WHERE id = $1",
    )
    .bind(store.id)
    .bind(grace_end)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(StaffView { code, name, role, active: true, locked_until: None })
}

/// Disables a person: they can no longer sign in at any of the store's tills once each has read
/// the list again, and events they make after now are refused.
pub async fn disable(db: &Db, store: &StoreRef, code: &str) -> Result<()> {
    let code = StaffCode::parse(code).map_err(|e| CentralError::invalid("code", e.to_string()))?;
    let now = now_ms();
    let mut tx = db.begin().await?;
    let changed = sqlx::query(
        "UPDATE staff SET active = 0, disabled_at = COALESCE(disabled_at, $3), updated_at = $3
         WHERE store_id = $1 AND code = $2",
    )
    .bind(store.id)
    .bind(code.as_str())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if changed.rows_affected() == 0 {
        return Err(CentralError::not_found("staff", format!("{} of {}", code, store.code)));
    }
    bump(&mut tx, store.id).await?;
    tx.commit().await?;
    Ok(())
}

async fn bump(conn: &mut sqlx::AnyConnection, store_id: i64) -> Result<()> {
    sqlx::query("UPDATE stores SET staff_version = staff_version + 1 WHERE id = $1")
        .bind(store_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Changes a store's staff policy.
pub async fn set_policy(db: &Db, store: &StoreRef, change: &PolicyChange) -> Result<StorePolicy> {
    if change.refund_max_minor.is_some_and(|v| v < 0) {
        return Err(CentralError::invalid("refund-max", "cannot be negative"));
    }
    if change.discount_max_percent.is_some_and(|p| p > 100) {
        return Err(CentralError::invalid("discount-max", "a percent from 0 to 100"));
    }
    for (field, minutes) in
        [("lockout-minutes", change.lockout_minutes), ("idle-lock-minutes", change.idle_lock_minutes)]
    {
        if minutes.is_some_and(|m| !(1..=1440).contains(&m)) {
            return Err(CentralError::invalid(field, "1 to 1440 minutes"));
        }
    }
    let grace = match change.unsigned_grace_days {
        Some(days) if !(0..=3650).contains(&days) => {
            return Err(CentralError::invalid("unsigned-grace-days", "0 to 3650 days"));
        }
        Some(days) => Some(now_ms().saturating_add(days * 86_400_000)),
        None => None,
    };
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE stores SET refund_max_minor = COALESCE($2, refund_max_minor),
             discount_max_percent = COALESCE($3, discount_max_percent),
             lockout_minutes = COALESCE($4, lockout_minutes),
             idle_lock_minutes = COALESCE($5, idle_lock_minutes),
             unsigned_until = COALESCE($6, unsigned_until),
             staff_version = staff_version + 1
         WHERE id = $1",
    )
    .bind(store.id)
    .bind(change.refund_max_minor)
    .bind(change.discount_max_percent.map(i64::from))
    .bind(change.lockout_minutes)
    .bind(change.idle_lock_minutes)
    .bind(grace)
    .execute(&mut *tx)
    .await?;
    let (_, policy, _) = read_store(&mut tx, store.id).await?;
    tx.commit().await?;
    Ok(policy)
}

/// The store's staff version, policy and grace end.
async fn read_store(
    conn: &mut sqlx::AnyConnection,
    store_id: i64,
) -> Result<(i64, StorePolicy, Option<i64>)> {
    let row = sqlx::query(
        "SELECT staff_version, refund_max_minor, discount_max_percent, lockout_minutes, idle_lock_minutes,
                unsigned_until FROM stores WHERE id = $1",
    )
    .bind(store_id)
    .fetch_one(conn)
    .await?;
    let percent: i64 = row.try_get(2)?;
    let policy = StorePolicy {
        refund_max_minor: row.try_get(1)?,
        discount_max_percent: u8::try_from(percent)
            .map_err(|e| CentralError::corrupt("discount_max_percent", e))?,
        lockout_minutes: row.try_get(3)?,
        idle_lock_minutes: row.try_get(4)?,
    };
    Ok((row.try_get(0)?, policy, row.try_get(5)?))
}

/// The store's staff version (what the change feed answers carry).
pub async fn version(db: &Db, store_id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT staff_version FROM stores WHERE id = $1")
        .bind(store_id)
        .fetch_one(db.reader())
        .await?)
}

/// The whole list for a till: PIN hashes included (sign-in works offline), never PINs.
pub async fn listing(db: &Db, store: &StoreRef) -> Result<StaffListing> {
    let mut conn = db.reader().acquire().await?;
    let (version, policy, _) = read_store(&mut conn, store.id).await?;
    let rows = sqlx::query(
        "SELECT code, name, role, pin_hash, active, locked_until FROM staff WHERE store_id = $1 ORDER BY code",
    )
    .bind(store.id)
    .fetch_all(&mut *conn)
    .await?;
    let staff = rows
        .iter()
        .map(|r| {
            let hash: String = r.try_get(3)?;
            Ok(StaffEntry {
                code: parsed(r, 0)?,
                name: r.try_get(1)?,
                role: named(r, 2)?,
                pin_hash: PinHash::parse(&hash).map_err(|e| CentralError::corrupt("a PIN hash", e))?,
                active: r.try_get::<i64, _>(4)? != 0,
                locked_until: timestamp(r.try_get(5)?).filter(|t| t.as_millisecond() > now_ms()),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(StaffListing { version, policy, staff })
}

/// The store's staff for the admin CLI.
pub async fn list(db: &Db, store: &StoreRef) -> Result<Vec<StaffView>> {
    Ok(listing(db, store)
        .await?
        .staff
        .into_iter()
        .map(|s| StaffView {
            code: s.code,
            name: s.name,
            role: s.role,
            active: s.active,
            locked_until: s.locked_until,
        })
        .collect())
}

/// Locks a person out of all the store's tills until `until` (a till reported five wrong PINs).
pub(crate) async fn lock_out(
    conn: &mut sqlx::AnyConnection,
    store_id: i64,
    code: &str,
    until: i64,
) -> Result<()> {
    let changed = sqlx::query(
        "UPDATE staff SET locked_until = $3, updated_at = $4
         WHERE store_id = $1 AND code = $2 AND (locked_until IS NULL OR locked_until < $3)",
    )
    .bind(store_id)
    .bind(code)
    .bind(until)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    if changed.rows_affected() > 0 {
        bump(conn, store_id).await?;
    }
    Ok(())
}

/// The lockout time of a store, in milliseconds.
pub(crate) async fn lockout_ms(conn: &mut sqlx::AnyConnection, store_id: i64) -> Result<i64> {
    Ok(read_store(conn, store_id).await?.1.lockout_minutes.saturating_mul(60_000))
}

/// What central knows of a store's staff while it applies a batch: who may take which step.
pub(crate) struct StaffBook {
    people: HashMap<String, Person>,
    limits: Limits,
    unsigned_until: Option<i64>,
}

struct Person {
    role: Role,
    disabled_at: Option<i64>,
}

/// Why an event's people do not fit: a rejection code and its message.
pub(crate) type Misfit = (&'static str, String);

impl StaffBook {
    /// Reads the store's staff (a store has tens of people) inside the batch's transaction.
    pub async fn read(conn: &mut sqlx::AnyConnection, store_id: i64) -> Result<StaffBook> {
        let (_, policy, unsigned_until) = read_store(conn, store_id).await?;
        let rows = sqlx::query("SELECT code, role, active, disabled_at FROM staff WHERE store_id = $1")
            .bind(store_id)
            .fetch_all(&mut *conn)
            .await?;
        let mut people = HashMap::with_capacity(rows.len());
        for r in &rows {
            let active: i64 = r.try_get(2)?;
            let disabled_at: Option<i64> = r.try_get(3)?;
            let disabled_at = if active == 0 { Some(disabled_at.unwrap_or(0)) } else { None };
            people.insert(r.try_get(0)?, Person { role: named(r, 1)?, disabled_at });
        }
        let limits = Limits {
            refund_max_minor: policy.refund_max_minor,
            discount_max_percent: policy.discount_max_percent,
        };
        Ok(StaffBook { people, limits, unsigned_until })
    }

    /// Whether central checks events' staff for this store (it has staff at central).
    pub fn enforced(&self) -> bool {
        !self.people.is_empty()
    }

    /// Whether `code` is one of the store's staff (active or not).
    pub fn knows(&self, code: &str) -> bool {
        self.people.contains_key(code)
    }

    /// Checks the person (and approver) of a step made at `at` that needs `permission` (for
    /// `amount` where limited). `others` says whether a code belongs to another store.
    pub fn check(
        &self,
        staff: Option<&StaffCode>,
        approved_by: Option<&StaffCode>,
        (permission, amount): (Permission, Option<i64>),
        at: i64,
        others: &dyn Fn(&str) -> bool,
    ) -> Option<Misfit> {
        if !self.enforced() {
            return None;
        }
        let Some(code) = staff else {
            if self.unsigned_until.is_none_or(|until| now_ms() < until) {
                return None;
            }
            return Some((
                storedesk_protocol::api::codes::STAFF_REQUIRED,
                "the event carries no staff code, and the store's grace for tills that predate staff is over"
                    .into(),
            ));
        };
        let person = match self.person(code, at, others) {
            Ok(person) => person,
            Err(misfit) => return Some(misfit),
        };
        let Err(refused) = rules::check(person.role, permission, amount, &self.limits) else { return None };
        let approver = approved_by.map(|a| self.person(a, at, others));
        match approver {
            Some(Err(misfit)) => Some(misfit),
            Some(Ok(a)) if rules::check(a.role, permission, amount, &self.limits).is_ok() => None,
            _ => Some((storedesk_protocol::api::codes::NOT_PERMITTED, format!("{code}: {refused}"))),
        }
    }

    fn person(&self, code: &StaffCode, at: i64, others: &dyn Fn(&str) -> bool) -> Result<&Person, Misfit> {
        use storedesk_protocol::api::codes;
        let Some(person) = self.people.get(code.as_str()) else {
            return Err(if others(code.as_str()) {
                (codes::STAFF_OF_ANOTHER_STORE, format!("{code} is staff of another store, not of this one"))
            } else {
                (codes::UNKNOWN_STAFF, format!("{code} is not one of the store's staff"))
            });
        };
        if person.disabled_at.is_some_and(|disabled| at >= disabled) {
            return Err((codes::STAFF_INACTIVE, format!("{code} was disabled before this step was made")));
        }
        Ok(person)
    }
}

/// Which of `codes` are staff of some store other than `store_id`.
pub(crate) async fn of_other_stores(
    conn: &mut sqlx::AnyConnection,
    store_id: i64,
    codes: &[String],
) -> Result<std::collections::HashSet<String>> {
    let mut found = std::collections::HashSet::new();
    for code in codes {
        let other: Option<i64> =
            sqlx::query_scalar("SELECT store_id FROM staff WHERE code = $1 AND store_id <> $2 LIMIT 1")
                .bind(code)
                .bind(store_id)
                .fetch_optional(&mut *conn)
                .await?;
        if other.is_some() {
            found.insert(code.clone());
        }
    }
    Ok(found)
}
