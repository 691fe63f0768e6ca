//! Staff at this till: the people who may sign in (their PINs only as hashes), signing in with the
//! lockout after wrong PINs, another person's approval, the store's limits, and who a step is
//! recorded as ([`Actor`]). Every step a person takes is checked here against the domain's one
//! table ([`storedesk_domain::staff`]) — the screens only mirror it.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use storedesk_domain::staff as rules;
use storedesk_domain::{Named as _, Permission, Pin, Role, StaffCode};
use storedesk_protocol::pin::PinHash;

pub use crate::actor::{Actor, Signed};
use crate::audit::{self, Entry};
use crate::error::{Result, StoreError};
use crate::sql::{named, parsed};
pub use crate::staff_policy::StaffPolicy;
use crate::staff_policy::policy;
use crate::{Store, db};

/// Wrong PINs in a row before a person is locked out of this till.
pub const MAX_FAILURES: i64 = 5;

/// A staff member as screens and `staff list` show one: never the PIN or its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StaffMember {
    pub code: StaffCode,
    pub name: String,
    pub role: Role,
    pub active: bool,
    /// Managed at central (a till of a store that syncs).
    pub from_central: bool,
    /// Locked out of this till after wrong PINs, until then.
    pub locked_until: Option<jiff::Timestamp>,
}

/// A person to add.
#[derive(Clone, Debug)]
pub struct NewStaff {
    pub code: StaffCode,
    pub name: String,
    pub role: Role,
    pub pin: Pin,
}

const MEMBER_COLUMNS: &str = "s.code, s.name, s.role, s.active, s.from_central, l.locked_until";

fn member_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StaffMember> {
    Ok(StaffMember {
        code: parsed(r, 0)?,
        name: r.get(1)?,
        role: named(r, 2)?,
        active: r.get(3)?,
        from_central: r.get(4)?,
        locked_until: r.get::<_, Option<i64>>(5)?.filter(|t| *t > db::now_ms()).map(db::timestamp),
    })
}

fn member(conn: &Connection, code: &StaffCode) -> Result<Option<(StaffMember, String)>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {MEMBER_COLUMNS}, s.pin_hash FROM staff s LEFT JOIN staff_sign_in l ON l.code = s.code
             WHERE s.code = ?1"
        ))?
        .query_row([code.as_str()], |r| Ok((member_from_row(r)?, r.get(6)?)))
        .optional()?)
}

/// Whether `by` may do `permission` (for `amount`, where limited), on their own or with their
/// approver's role; [`StoreError::Refused`] names the permission missing.
pub(crate) fn allow(
    conn: &Connection,
    by: &Actor,
    permission: Permission,
    amount: Option<i64>,
) -> Result<()> {
    let Actor::Staff(signed) = by else { return Ok(()) };
    let limits = policy(conn)?.limits;
    // The role as the store holds it now, not as it was at sign-in: a person disabled or given
    // another role (at central, by the last sync) takes no step on the old one.
    let role = current_role(conn, signed.code().as_str())?;
    let Err(refused) = rules::check(role, permission, amount, &limits) else { return Ok(()) };
    if let Some(approver) = signed.approver_code()
        && rules::check(current_role(conn, approver.as_str())?, permission, amount, &limits).is_ok()
    {
        return Ok(());
    }
    Err(StoreError::Refused { staff: signed.code().to_string(), refused })
}

/// A person's role now; a person no longer active (or gone) is refused.
fn current_role(conn: &Connection, code: &str) -> Result<Role> {
    let row: Option<(String, bool)> = conn
        .prepare_cached("SELECT role, active FROM staff WHERE code = ?1")?
        .query_row([code], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        Some((role, true)) => Role::from_name(&role).map_err(|e| StoreError::Invalid(e.to_string())),
        _ => Err(StoreError::StaffDisabled(code.to_string())),
    }
}

/// A store that syncs has its staff managed at central (a person added here would be unknown
/// there, and its events refused); only a stand-alone store's are managed at the till.
fn managed_here(conn: &Connection) -> Result<()> {
    if crate::sync_state::get(conn, crate::sync_state::keys::CENTRAL_URL)?.is_some() {
        return Err(StoreError::Invalid(
            "this store syncs: its staff are managed at central (storedesk-central staff add|disable --store ...)"
                .into(),
        ));
    }
    Ok(())
}

/// Records a step that was refused (in its own transaction: the step's rolled back).
fn record_refusal(tx: &Transaction<'_>, by: &Actor, subject: Option<&str>, error: &StoreError) -> Result<()> {
    let detail = error.to_string();
    audit::append(tx, by, Entry { action: "step.refused", subject, detail: Some(&detail) }, db::now_ms())
}

/// Whole minutes from now until `until` (ms), at least 1.
fn minutes_left(until: i64) -> i64 {
    (until.saturating_sub(db::now_ms()).max(0) + 59_999) / 60_000
}

/// The digits typed, as a [`Pin`], or a refusal that does not repeat them.
pub fn parse_pin(text: &str) -> Result<Pin> {
    Pin::parse(text).map_err(|e| StoreError::Invalid(e.to_string()))
}

/// A staff code as typed, or the error naming it.
pub fn parse_code(text: &str) -> Result<StaffCode> {
    StaffCode::parse(text).map_err(|e| StoreError::Invalid(e.to_string()))
}

impl Store {
    /// Runs `step`; when it is refused for a missing permission, the refusal goes on the trail.
    pub(crate) fn refusals_recorded<T>(
        &self,
        by: &Actor,
        subject: Option<&str>,
        step: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        let result = step();
        if let Err(error @ StoreError::Refused { .. }) = &result {
            self.write(|tx| record_refusal(tx, by, subject, error), |_| {})?;
        }
        result
    }

    /// Whether `by` may do `permission` (no amount), for steps outside the store's own
    /// (exporting a report, changing a setting); a refusal goes on the trail.
    pub fn check_permission(&self, by: &Actor, permission: Permission) -> Result<()> {
        self.refusals_recorded(by, Some(permission.as_str()), || {
            self.read(|conn| allow(conn, by, permission, None))
        })
    }

    /// The store's staff, by code.
    pub fn staff(&self) -> Result<Vec<StaffMember>> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {MEMBER_COLUMNS} FROM staff s LEFT JOIN staff_sign_in l ON l.code = s.code ORDER BY s.code"
            ))?;
            let rows = stmt.query_map([], member_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Whether the store has staff at all (a store from before staff has no one until its first
    /// manager; until then no one signs in).
    pub fn has_staff(&self) -> Result<bool> {
        self.read(|conn| Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM staff)", [], |r| r.get(0))?))
    }

    /// The store's staff rules.
    pub fn staff_policy(&self) -> Result<StaffPolicy> {
        self.read(policy)
    }

    /// Adds a person at this till. `by` must be a manager, except for the store's first manager
    /// (`by` is `None` only while the store has no staff). The PIN is hashed here, slowly, before
    /// the write.
    pub fn add_staff(&self, by: Option<&Actor>, new: NewStaff) -> Result<StaffMember> {
        let name = new.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(StoreError::Invalid("a staff member's name is 1 to 80 characters".into()));
        }
        let hash = PinHash::new(&new.pin);
        let first = by.is_none();
        let by = by.cloned().unwrap_or_else(|| Actor::System("setup".into()));
        self.refusals_recorded(&by, Some(new.code.as_str()), || {
            self.write(
                |tx| {
                    let has_staff: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM staff)", [], |r| r.get(0))?;
                    if first && has_staff {
                        return Err(StoreError::Invalid(
                            "the store has staff: sign in as a manager (--staff CODE) to add someone".into(),
                        ));
                    }
                    if first && new.role != Role::Manager {
                        return Err(StoreError::Invalid("a store's first staff member is its manager (--role manager)".into()));
                    }
                    allow(tx, &by, Permission::ManageStaff, None)?;
                    if !first {
                        managed_here(tx)?;
                    }
                    let added = tx
                        .prepare_cached(
                            "INSERT INTO staff (code, name, role, pin_hash, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
                             ON CONFLICT (code) DO NOTHING",
                        )?
                        .execute(params![new.code.as_str(), name, new.role.name(), hash.as_str(), db::now_ms()])?;
                    if added == 0 {
                        return Err(StoreError::Invalid(format!("staff code {} is taken", new.code)));
                    }
                    let detail = format!("{name}, {}", new.role.as_str());
                    let entry = Entry { action: "staff.add", subject: Some(new.code.as_str()), detail: Some(&detail) };
                    audit::append(tx, &by, entry, db::now_ms())?;
                    member(tx, &new.code)?.map(|(m, _)| m).ok_or_else(|| StoreError::Invalid("staff row vanished".into()))
                },
                |_| {},
            )
        })
    }

    /// Disables a person at this till (a manager's step); they can no longer sign in.
    pub fn disable_staff(&self, by: &Actor, code: &StaffCode) -> Result<()> {
        self.refusals_recorded(by, Some(code.as_str()), || {
            self.write(
                |tx| {
                    allow(tx, by, Permission::ManageStaff, None)?;
                    managed_here(tx)?;
                    if by.staff() == Some(code) {
                        return Err(StoreError::Invalid("a manager cannot disable themself".into()));
                    }
                    let changed = tx
                        .prepare_cached("UPDATE staff SET active = 0, updated_at = ?2 WHERE code = ?1")?
                        .execute(params![code.as_str(), db::now_ms()])?;
                    if changed == 0 {
                        return Err(StoreError::UnknownStaff(code.to_string()));
                    }
                    let entry = Entry { action: "staff.disable", subject: Some(code.as_str()), detail: None };
                    audit::append(tx, by, entry, db::now_ms())
                },
                |_| {},
            )
        })
    }

    /// Checks `pin` for the person `code` at this till. Wrong PINs count; the fifth in a row
    /// locks the person out of this till for the store's lockout time. Every attempt is on the
    /// trail.
    pub fn sign_in(&self, code: &StaffCode, pin: &Pin) -> Result<Actor> {
        let Some((member, hash)) = self.read(|conn| member(conn, code))? else {
            let nobody = Actor::System("unknown".into());
            let entry = Entry {
                action: "staff.refused",
                subject: Some(code.as_str()),
                detail: Some("unknown staff code"),
            };
            self.write(|tx| audit::append(tx, &nobody, entry, db::now_ms()), |_| {})?;
            return Err(StoreError::UnknownStaff(code.to_string()));
        };
        let signed = Signed::new(code.clone(), member.name.clone(), member.role);
        let actor = Actor::Staff(signed);
        self.check_pin(&actor, &member, &hash, pin, "staff.sign_in")?;
        Ok(actor)
    }

    /// `signed_in`'s step approved by the person `code` with their PIN (a step above
    /// `signed_in`'s role). The approver's wrong PINs count as theirs.
    pub fn approve(&self, signed_in: &Actor, code: &StaffCode, pin: &Pin) -> Result<Actor> {
        let Actor::Staff(signed) = signed_in else {
            return Err(StoreError::Invalid("only a signed-in person's step can be approved".into()));
        };
        if signed.code() == code {
            return Err(StoreError::Invalid(format!("{code} cannot approve their own step")));
        }
        let (member, hash) = self
            .read(|conn| member(conn, code))?
            .ok_or_else(|| StoreError::UnknownStaff(code.to_string()))?;
        let approved = Actor::Staff(signed.approved_by(code.clone(), member.role));
        self.check_pin(&approved, &member, &hash, pin, "staff.approve")?;
        Ok(approved)
    }

    /// The PIN check itself: the hash is checked outside the write lock (it takes tens of
    /// milliseconds), then the outcome is written with its audit record.
    fn check_pin(
        &self,
        actor: &Actor,
        member: &StaffMember,
        hash: &str,
        pin: &Pin,
        action: &str,
    ) -> Result<()> {
        let code = member.code.as_str();
        let refused = if !member.active {
            Some(("disabled", StoreError::StaffDisabled(code.to_string())))
        } else {
            member.locked_until.map(|until| {
                let minutes = minutes_left(until.as_millisecond());
                ("locked out", StoreError::LockedOut { staff: code.to_string(), minutes })
            })
        };
        if let Some((reason, error)) = refused {
            self.write(|tx| note(tx, actor, "staff.refused", code, Some(reason)), |_| {})?;
            return Err(error);
        }
        let right = PinHash::parse(hash).is_ok_and(|h| h.verify(pin));
        let lockout_ms = self.read(policy)?.lockout_minutes.saturating_mul(60_000);
        self.write(|tx| record_attempt(tx, actor, code, right, (action, lockout_ms)), |_| {})?
    }
}

/// One audit record about the person `code`.
fn note(tx: &Transaction<'_>, actor: &Actor, action: &str, code: &str, detail: Option<&str>) -> Result<()> {
    audit::append(tx, actor, Entry { action, subject: Some(code), detail }, db::now_ms())
}

/// Writes the outcome of a PIN check: a right PIN clears the count of wrong ones; a wrong one
/// counts, and the fifth in a row locks the person out for `lockout_ms`. The inner result is the
/// check's answer, the outer one the database's.
fn record_attempt(
    tx: &Transaction<'_>,
    actor: &Actor,
    code: &str,
    right: bool,
    (action, lockout_ms): (&str, i64),
) -> Result<Result<()>> {
    // Checked again here, under the write lock: PINs tried at the same moment (or while another
    // attempt locked the person out) do not get past the lockout.
    let locked: Option<i64> = tx
        .prepare_cached("SELECT locked_until FROM staff_sign_in WHERE code = ?1 AND locked_until > ?2")?
        .query_row(params![code, db::now_ms()], |r| r.get(0))
        .optional()?;
    if let Some(until) = locked {
        note(tx, actor, "staff.refused", code, Some("locked out"))?;
        return Ok(Err(StoreError::LockedOut { staff: code.to_string(), minutes: minutes_left(until) }));
    }
    if right {
        tx.prepare_cached(
            "INSERT INTO staff_sign_in (code, failures) VALUES (?1, 0)
             ON CONFLICT (code) DO UPDATE SET failures = 0, locked_until = NULL",
        )?
        .execute([code])?;
        return note(tx, actor, action, code, None).map(Ok);
    }
    let failures: i64 = tx
        .prepare_cached(
            "INSERT INTO staff_sign_in (code, failures) VALUES (?1, 1)
             ON CONFLICT (code) DO UPDATE SET failures = failures + 1 RETURNING failures",
        )?
        .query_row([code], |r| r.get(0))?;
    if failures < MAX_FAILURES {
        note(tx, actor, "staff.refused", code, Some(&format!("wrong PIN ({failures} of {MAX_FAILURES})")))?;
        return Ok(Err(StoreError::WrongPin { staff: code.to_string(), left: MAX_FAILURES - failures }));
    }
    let until = db::now_ms().saturating_add(lockout_ms);
    tx.prepare_cached("UPDATE staff_sign_in SET failures = 0, locked_until = ?2 WHERE code = ?1")?
        .execute(params![code, until])?;
    note(tx, actor, "staff.locked_out", code, Some(&format!("{MAX_FAILURES} wrong PINs in a row")))?;
    Ok(Err(StoreError::LockedOut { staff: code.to_string(), minutes: minutes_left(until) }))
}

impl Store {
    /// A manager sets the store's staff policy (a stand-alone store: a store that syncs takes it
    /// from central). The change goes on the audit trail.
    pub fn set_staff_policy(&self, by: &Actor, new: StaffPolicy) -> Result<StaffPolicy> {
        self.refusals_recorded(by, Some("staff_policy"), || {
            self.write(
                |tx| {
                    allow(tx, by, Permission::ChangeSettings, None)?;
                    if crate::sync_state::get(tx, crate::sync_state::keys::CENTRAL_URL)?.is_some() {
                        return Err(StoreError::Invalid(
                            "this store syncs: its staff policy is set at central (storedesk-central staff policy)".into(),
                        ));
                    }
                    crate::staff_policy::write(tx, &new)?;
                    let detail = format!(
                        "refund up to {}, discount up to {}%, lockout {} min, idle lock {} min",
                        new.limits.refund_max_minor,
                        new.limits.discount_max_percent,
                        new.lockout_minutes,
                        new.idle_lock_minutes
                    );
                    let entry = Entry { action: "settings.staff_policy", subject: None, detail: Some(&detail) };
                    audit::append(tx, by, entry, db::now_ms())?;
                    Ok(new)
                },
                |_| {},
            )
        })
    }
}
