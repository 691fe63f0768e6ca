//! Who the command acts as, and `storedesk staff ...` / `storedesk audit ...`.
//!
//! A command that changes the store signs in first: `--staff CODE` with the PIN in
//! `STOREDESK_PIN` (never on the command line, where `ps` shows it), and for a step above that
//! person's role `--approved-by CODE` with `STOREDESK_APPROVER_PIN`. The store checks both PINs
//! (wrong ones count towards the lockout) and the permission of the step.

use std::io::BufRead as _;

use anyhow::Context as _;
use clap::{Args, Subcommand, ValueEnum};
use storedesk_domain::{Pin, Role};
use storedesk_store::audit::AuditFilter;
use storedesk_store::staff::{Actor, NewStaff, parse_code, parse_pin};
use storedesk_store::{Store, StoreError};

use crate::output::{self, Table};

/// Who a command acts as (global options).
#[derive(Args, Debug, Clone, Default)]
pub struct SignIn {
    /// Act as this staff member; the PIN is read from STOREDESK_PIN
    #[arg(long, global = true, env = "STOREDESK_STAFF", value_name = "CODE")]
    pub staff: Option<String>,
    /// A step above --staff's role, approved by this staff member; the PIN is read from STOREDESK_APPROVER_PIN
    #[arg(long, global = true, value_name = "CODE")]
    pub approved_by: Option<String>,
}

/// The PIN typed in `text`; an error names where it came from, never what it was.
fn pin_text(text: &str, source: &str) -> anyhow::Result<Pin> {
    parse_pin(text).with_context(|| source.to_string())
}

/// A PIN from the environment variable `var`.
fn pin_from_env(var: &str, whose: &str) -> anyhow::Result<Pin> {
    let text = std::env::var(var).map_err(|_| anyhow::anyhow!("the PIN of {whose}: set {var}"))?;
    pin_text(&text, var)
}

impl SignIn {
    /// A setting changed from the command line (central's address, discarding an event): a
    /// manager's step once the store has staff; before its first manager, setting the store up.
    pub fn allow_setting(&self, store: &Store) -> anyhow::Result<()> {
        if store.has_staff()? {
            store.check_permission(&self.actor(store)?, storedesk_domain::Permission::ChangeSettings)?;
        }
        Ok(())
    }

    /// The signed-in person (and approver) for a command that changes the store. A store with
    /// no staff yet refuses: its first manager comes first (`storedesk staff add`).
    pub fn actor(&self, store: &Store) -> anyhow::Result<Actor> {
        store.settings()?;
        let Some(code) = &self.staff else {
            if !store.has_staff()? {
                return Err(StoreError::NoStaff.into());
            }
            return Err(StoreError::NotSignedIn.into());
        };
        let code = parse_code(code)?;
        let actor = store.sign_in(&code, &pin_from_env("STOREDESK_PIN", code.as_str())?)?;
        let Some(approver) = &self.approved_by else { return Ok(actor) };
        let approver = parse_code(approver)?;
        Ok(store.approve(&actor, &approver, &pin_from_env("STOREDESK_APPROVER_PIN", approver.as_str())?)?)
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RoleArg {
    Cashier,
    Supervisor,
    Manager,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Cashier => Role::Cashier,
            RoleArg::Supervisor => Role::Supervisor,
            RoleArg::Manager => Role::Manager,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum StaffCommand {
    /// Add a person (a manager's step; the store's first manager needs no one signed in). The new
    /// PIN is read from STOREDESK_NEW_PIN, else from the first line of stdin (for the first
    /// manager, STOREDESK_PIN too)
    Add {
        #[arg(long, value_name = "STAFF")]
        code: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// The store's staff (never a PIN or its hash)
    List {
        #[arg(long)]
        json: bool,
    },
    /// Stop a person signing in at this till (a manager's step)
    Disable {
        #[arg(long, value_name = "STAFF")]
        code: String,
    },
    /// The store's staff policy; with any option, a manager changes it (a stand-alone store: a
    /// store that syncs sets it at central)
    Policy {
        /// The largest refund a supervisor may give alone (major units: 500.00)
        #[arg(long, value_name = "AMOUNT")]
        refund_max: Option<String>,
        /// The largest discount a supervisor may give alone, in percent
        #[arg(long, value_name = "PERCENT")]
        discount_max: Option<u8>,
        #[arg(long)]
        lockout_minutes: Option<i64>,
        #[arg(long)]
        idle_lock_minutes: Option<i64>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check the audit trail's hash chain; names the first record that does not fit
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// Records of the trail, newest first
    List {
        /// Only this person's (as actor or approver)
        #[arg(long = "by", value_name = "STAFF")]
        by: Option<String>,
        /// Actions starting with this: order., staff.sign_in, step.refused ...
        #[arg(long)]
        action: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
}

/// The new person's PIN: STOREDESK_NEW_PIN, else (first manager) STOREDESK_PIN, else stdin.
fn new_pin(first: bool) -> anyhow::Result<Pin> {
    for var in ["STOREDESK_NEW_PIN", "STOREDESK_PIN"].into_iter().take(if first { 2 } else { 1 }) {
        if let Ok(text) = std::env::var(var) {
            return pin_text(&text, var);
        }
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("cannot read the new PIN from stdin")?;
    pin_text(&line, "the new PIN (stdin)")
}

/// The store's first manager for `init --manager`, checked before the store is set up (so a
/// missing PIN leaves nothing half-made).
pub fn first_manager(code: &str, name: &str) -> anyhow::Result<NewStaff> {
    let code = parse_code(code)?;
    let pin = pin_from_env("STOREDESK_PIN", code.as_str())?;
    if name.trim().is_empty() {
        anyhow::bail!("--manager-name is empty");
    }
    Ok(NewStaff { code, name: name.to_string(), role: Role::Manager, pin })
}

pub fn staff(store: &Store, sign_in: &SignIn, command: StaffCommand) -> anyhow::Result<()> {
    match command {
        StaffCommand::Add { code, name, role } => {
            let first = !store.has_staff()?;
            let by = if first { None } else { Some(sign_in.actor(store)?) };
            let new = NewStaff { code: parse_code(&code)?, name, role: role.into(), pin: new_pin(first)? };
            let added = store.add_staff(by.as_ref(), new)?;
            eprintln!("added {} ({}, {})", added.code, added.name, added.role.as_str());
            Ok(())
        }
        StaffCommand::Disable { code } => {
            store.disable_staff(&sign_in.actor(store)?, &parse_code(&code)?)?;
            eprintln!("disabled {}", code.to_ascii_uppercase());
            Ok(())
        }
        StaffCommand::Policy { refund_max, discount_max, lockout_minutes, idle_lock_minutes, json } => {
            let change = PolicyArgs { refund_max, discount_max, lockout_minutes, idle_lock_minutes };
            policy(store, sign_in, change, json)
        }
        StaffCommand::List { json } => {
            let staff = store.staff()?;
            if json {
                return output::json(&staff);
            }
            let tz = store.settings()?.tz();
            let mut table = Table::new(&["CODE", "NAME", "ROLE", "ACTIVE", "LOCKED UNTIL"]);
            for s in staff {
                table.row(vec![
                    s.code.to_string(),
                    s.name,
                    s.role.as_str().into(),
                    if s.active { "yes" } else { "no" }.into(),
                    s.locked_until.map(|t| output::time(t, &tz)).unwrap_or_default(),
                ]);
            }
            table.print()
        }
    }
}

struct PolicyArgs {
    refund_max: Option<String>,
    discount_max: Option<u8>,
    lockout_minutes: Option<i64>,
    idle_lock_minutes: Option<i64>,
}

/// Shows the staff policy; with any change given, a manager sets it first.
fn policy(store: &Store, sign_in: &SignIn, change: PolicyArgs, json: bool) -> anyhow::Result<()> {
    let currency = store.settings()?.currency;
    let mut policy = store.staff_policy()?;
    let PolicyArgs { refund_max, discount_max, lockout_minutes, idle_lock_minutes } = change;
    let changes = refund_max.is_some()
        || discount_max.is_some()
        || lockout_minutes.is_some()
        || idle_lock_minutes.is_some();
    if let Some(text) = refund_max {
        policy.limits.refund_max_minor = currency.parse_major(&text).context("--refund-max")?;
    }
    policy.limits.discount_max_percent = discount_max.unwrap_or(policy.limits.discount_max_percent);
    policy.lockout_minutes = lockout_minutes.unwrap_or(policy.lockout_minutes);
    policy.idle_lock_minutes = idle_lock_minutes.unwrap_or(policy.idle_lock_minutes);
    if changes {
        policy = store.set_staff_policy(&sign_in.actor(store)?, policy)?;
    }
    if json {
        return output::json(&policy);
    }
    println!(
        "a supervisor refunds up to {} and discounts up to {}% alone; lockout {} min; idle lock {} min",
        currency.format_minor(policy.limits.refund_max_minor),
        policy.limits.discount_max_percent,
        policy.lockout_minutes,
        policy.idle_lock_minutes
    );
    Ok(())
}

pub fn audit(store: &Store, command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify { json } => {
            let check = store.verify_audit()?;
            if json {
                output::json(&check)?;
            }
            match &check.first_bad {
                None => {
                    if !json {
                        eprintln!("the audit trail holds: {} records, head {}", check.records, check.head);
                    }
                    Ok(())
                }
                Some(bad) => anyhow::bail!("audit record {} does not fit: {}", bad.seq, bad.problem),
            }
        }
        AuditCommand::List { by, action, limit, json } => {
            let records =
                store.audit_records(&AuditFilter { staff: by, action, limit, ..AuditFilter::default() })?;
            if json {
                return output::json(&records);
            }
            let tz = store.settings()?.tz();
            let mut table = Table::new(&["SEQ", "AT", "BY", "APPROVED BY", "ACTION", "SUBJECT", "DETAIL"]);
            for r in records {
                table.row(vec![
                    r.seq.to_string(),
                    output::time(r.at, &tz),
                    r.staff.unwrap_or_default(),
                    r.approved_by.unwrap_or_default(),
                    r.action,
                    r.subject.unwrap_or_default(),
                    r.detail.unwrap_or_default(),
                ]);
            }
            table.print()
        }
    }
}
