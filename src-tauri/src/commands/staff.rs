//! Staff at this till: who is signed in, signing in and out, a first manager for a store without
//! staff, another person's approval for the next step, and the audit trail (list, check, CSV).
//! PINs go to the store and no further; no answer carries a PIN or its hash.

use serde::Serialize;
use storedesk_domain::{Pin, Role, StaffCode};
use storedesk_store::audit::{AuditCheck, AuditFilter, AuditRecord};
use storedesk_store::staff::{Actor, NewStaff, StaffMember, StaffPolicy, parse_code, parse_pin};

use super::State;
use crate::error::AppResult;
use crate::state::AppState;

/// The person signed in, as the window shows them.
#[derive(Clone, Debug, Serialize, specta::Type)]
pub struct SignedIn {
    pub code: String,
    pub name: String,
    pub role: Role,
}

/// What the window needs to know about staff: whether the store has any (else it asks for the
/// first manager), who is signed in (else the PIN pad), who may sign in, and the store's policy.
#[derive(Clone, Debug, Serialize, specta::Type)]
pub struct StaffStatus {
    pub has_staff: bool,
    /// A till of a store that syncs, before its first sync: its staff come from central, so it
    /// waits for them rather than asking for a first manager.
    pub waiting_for_central: bool,
    pub signed_in: Option<SignedIn>,
    /// Who may sign in (the active people).
    pub people: Vec<StaffMember>,
    /// Everyone, disabled people too (the filters and the staff list in Settings).
    pub everyone: Vec<StaffMember>,
    /// The store syncs: its staff are managed at central, not here.
    pub managed_at_central: bool,
    pub policy: StaffPolicy,
}

fn shown(actor: &Actor) -> Option<SignedIn> {
    match actor {
        Actor::Staff(s) => {
            Some(SignedIn { code: s.code().to_string(), name: s.name().to_string(), role: s.role() })
        }
        Actor::System(_) => None,
    }
}

#[tauri::command]
#[specta::specta]
pub async fn staff_status(state: State<'_>) -> AppResult<StaffStatus> {
    state
        .timed("staff_status", |state| {
            let people = state.store.staff()?;
            let syncing = state.store.central_url()?.is_some();
            let synced =
                state.store.sync_value(storedesk_store::sync_state::keys::LAST_SUCCESS_AT)?.is_some();
            Ok(StaffStatus {
                has_staff: !people.is_empty(),
                waiting_for_central: people.is_empty() && syncing && !synced,
                signed_in: state.signed_in().as_ref().and_then(shown),
                people: people.iter().filter(|p| p.active).cloned().collect(),
                everyone: people,
                managed_at_central: syncing,
                policy: state.store.staff_policy()?,
            })
        })
        .await
}

/// Checks the PIN and makes the person the one signed in at this till.
fn sign_in_as(state: &AppState, code: &StaffCode, pin: &Pin) -> AppResult<SignedIn> {
    let actor = state.store.sign_in(code, pin)?;
    let signed_in = shown(&actor);
    state.set_signed_in(Some(actor));
    signed_in.ok_or_else(|| crate::error::AppError::new("internal", "sign-in gave no person"))
}

#[tauri::command]
#[specta::specta]
pub async fn sign_in(state: State<'_>, code: String, pin: String) -> AppResult<SignedIn> {
    state.timed("sign_in", move |state| sign_in_as(state, &parse_code(&code)?, &parse_pin(&pin)?)).await
}

/// Signs the person out (the lock, and "switch person").
#[tauri::command]
#[specta::specta]
pub async fn sign_out(state: State<'_>) -> AppResult<()> {
    state.set_signed_in(None);
    Ok(())
}

/// The store's first manager, for a store without staff (then signed in).
#[tauri::command]
#[specta::specta]
pub async fn add_first_manager(
    state: State<'_>,
    code: String,
    name: String,
    pin: String,
) -> AppResult<SignedIn> {
    state
        .timed("add_first_manager", move |state| {
            let code: StaffCode = parse_code(&code)?;
            let pin = parse_pin(&pin)?;
            let new = NewStaff { code: code.clone(), name, role: Role::Manager, pin: pin.clone() };
            state.store.add_staff(None, new)?;
            sign_in_as(state, &code, &pin)
        })
        .await
}

/// Another person's PIN approves the signed-in person's next step (within a minute).
#[tauri::command]
#[specta::specta]
pub async fn approve(state: State<'_>, code: String, pin: String) -> AppResult<SignedIn> {
    state
        .timed("approve", move |state| {
            let signed_in = state.actor()?;
            let approver = parse_code(&code)?;
            let approved = state.store.approve(&signed_in, &approver, &parse_pin(&pin)?)?;
            state.set_approval(approved);
            let member = state.store.staff()?.into_iter().find(|m| m.code == approver);
            Ok(SignedIn {
                code: approver.to_string(),
                name: member.as_ref().map(|m| m.name.clone()).unwrap_or_default(),
                role: member.map_or(Role::Cashier, |m| m.role),
            })
        })
        .await
}

/// Audit records, newest first: by person (actor or approver), action prefix, period (RFC 3339).
#[tauri::command]
#[specta::specta]
pub async fn audit_records(
    state: State<'_>,
    staff: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> AppResult<Vec<AuditRecord>> {
    state
        .timed("audit_records", move |state| {
            Ok(state.store.audit_records(&filter(staff, action, from, to)?)?)
        })
        .await
}

fn filter(
    staff: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> AppResult<AuditFilter> {
    let time = |text: Option<String>, what: &str| -> AppResult<Option<jiff::Timestamp>> {
        text.filter(|t| !t.trim().is_empty())
            .map(|t| {
                t.trim()
                    .parse::<jiff::Timestamp>()
                    .map_err(|e| crate::error::AppError::new("invalid_input", format!("{what} {t:?}: {e}")))
            })
            .transpose()
    };
    let nonempty = |text: Option<String>| text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    Ok(AuditFilter {
        staff: nonempty(staff),
        action: nonempty(action),
        from: time(from, "from")?,
        to: time(to, "to")?,
        limit: 5_000,
    })
}

#[tauri::command]
#[specta::specta]
pub async fn verify_audit(state: State<'_>) -> AppResult<AuditCheck> {
    state.timed("verify_audit", |state| Ok(state.store.verify_audit()?)).await
}

/// Writes the records the filter selects to `path` as CSV; returns how many.
#[tauri::command]
#[specta::specta]
pub async fn export_audit(
    state: State<'_>,
    path: String,
    staff: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> AppResult<u32> {
    state
        .timed("export_audit", move |state| {
            let mut filter = filter(staff, action, from, to)?;
            filter.limit = usize::MAX >> 1;
            let records = state.store.audit_records(&filter)?;
            storedesk_store::audit::write_csv(&records, std::path::Path::new(&path))?;
            Ok(u32::try_from(records.len()).unwrap_or(u32::MAX))
        })
        .await
}

/// A manager adds a person (a stand-alone store; a store that syncs manages its staff at central).
#[tauri::command]
#[specta::specta]
pub async fn add_staff(
    state: State<'_>,
    code: String,
    name: String,
    role: Role,
    pin: String,
) -> AppResult<StaffMember> {
    state
        .timed("add_staff", move |state| {
            let new = NewStaff { code: parse_code(&code)?, name, role, pin: parse_pin(&pin)? };
            Ok(state.store.add_staff(Some(&state.actor()?), new)?)
        })
        .await
}

/// A manager disables a person: they can no longer sign in at this till.
#[tauri::command]
#[specta::specta]
pub async fn disable_staff(state: State<'_>, code: String) -> AppResult<()> {
    state
        .timed("disable_staff", move |state| {
            Ok(state.store.disable_staff(&state.actor()?, &parse_code(&code)?)?)
        })
        .await
}
