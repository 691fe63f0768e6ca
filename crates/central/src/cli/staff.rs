//! `storedesk-central staff add|list|disable|policy` and `audit verify`: a store's staff, its staff
//! policy, and its tills' audit chains.

use std::io::BufRead as _;

use anyhow::Context as _;
use clap::Subcommand;
use storedesk_domain::{Named as _, Pin, Role};

use super::print_json;
use crate::db::Db;
use crate::service::staff::{self, PolicyChange};
use crate::service::{StoreRef, audit, stores};

#[derive(Subcommand, Debug)]
pub enum StaffCommand {
    /// Add a person to a store; the PIN (4 to 8 digits) is read from STOREDESK_PIN, else from the
    /// first line of stdin, and kept only as a slow salted hash
    Add {
        #[arg(long)]
        store: String,
        #[arg(long, value_name = "STAFF")]
        code: String,
        #[arg(long)]
        name: String,
        /// cashier, supervisor or manager
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// A store's staff (never a PIN or its hash)
    List {
        #[arg(long)]
        store: String,
        #[arg(long)]
        json: bool,
    },
    /// Disable a person: no sign-in at any of the store's tills after their next sync, and their
    /// events made from now on are refused
    Disable {
        #[arg(long)]
        store: String,
        #[arg(long, value_name = "STAFF")]
        code: String,
    },
    /// A store's staff policy: limits, lockout, idle lock, and the grace for tills that predate
    /// staff (prints the policy)
    Policy {
        #[arg(long)]
        store: String,
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
        /// Accept events without a staff code (tills that predate staff) for this many more days
        /// (0: from now on refuse them)
        #[arg(long)]
        unsigned_grace_days: Option<i64>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check every till's audit chain as central holds it; names the first record that does not
    /// fit, and every upload that did not continue the chain. Exits 1 when any does not fit
    Verify {
        #[arg(long)]
        store: String,
        #[arg(long)]
        json: bool,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::from_name(text).map_err(|e| e.to_string())
}

/// The new person's PIN: STOREDESK_PIN, else the first line of stdin.
fn new_pin() -> anyhow::Result<Pin> {
    let (text, source) = match std::env::var("STOREDESK_PIN") {
        Ok(text) => (text, "STOREDESK_PIN"),
        Err(_) => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).context("cannot read the PIN from stdin")?;
            (line, "the PIN (stdin)")
        }
    };
    Pin::parse(text.trim()).map_err(|e| anyhow::anyhow!("{source}: {e}"))
}

pub async fn run(db: &Db, command: StaffCommand) -> anyhow::Result<()> {
    match command {
        StaffCommand::Add { store, code, name, role } => {
            let store = stores::store_by_code(db, &store).await?;
            let pin = new_pin()?;
            let added = staff::add(db, &store, &code, &name, role, pin).await?;
            eprintln!("added {} ({}, {}) to {}", added.code, added.name, added.role.as_str(), store.code);
        }
        StaffCommand::List { store, json } => {
            let store = stores::store_by_code(db, &store).await?;
            let list = staff::list(db, &store).await?;
            if json {
                return print_json(&list);
            }
            for s in list {
                let state = match (s.active, s.locked_until) {
                    (false, _) => "disabled".to_string(),
                    (true, Some(until)) => format!("locked out until {until}"),
                    (true, None) => "active".to_string(),
                };
                println!("{}  {}  {}  {state}", s.code, s.role.as_str(), s.name);
            }
        }
        StaffCommand::Disable { store, code } => {
            let store = stores::store_by_code(db, &store).await?;
            staff::disable(db, &store, &code).await?;
            eprintln!("disabled {} at {}", code.to_ascii_uppercase(), store.code);
        }
        StaffCommand::Policy {
            store,
            refund_max,
            discount_max,
            lockout_minutes,
            idle_lock_minutes,
            unsigned_grace_days,
            json,
        } => {
            let store = stores::store_by_code(db, &store).await?;
            let currency = storedesk_domain::Currency::from_code(&store.currency)?;
            let refund_max_minor =
                refund_max.map(|text| currency.parse_major(&text).context("--refund-max")).transpose()?;
            let change = PolicyChange {
                refund_max_minor,
                discount_max_percent: discount_max,
                lockout_minutes,
                idle_lock_minutes,
                unsigned_grace_days,
            };
            policy(db, &store, &change, json).await?;
        }
    }
    Ok(())
}

async fn policy(db: &Db, store: &StoreRef, change: &PolicyChange, json: bool) -> anyhow::Result<()> {
    let currency = storedesk_domain::Currency::from_code(&store.currency)?;
    let policy = staff::set_policy(db, store, change).await?;
    if json {
        return print_json(&policy);
    }
    println!(
        "{}: a supervisor refunds up to {} and discounts up to {}%; lockout {} min; idle lock {} min",
        store.code,
        currency.format_minor(policy.refund_max_minor),
        policy.discount_max_percent,
        policy.lockout_minutes,
        policy.idle_lock_minutes
    );
    Ok(())
}

pub async fn audit(db: &Db, command: AuditCommand) -> anyhow::Result<()> {
    let AuditCommand::Verify { store, json } = command;
    let store = stores::store_by_code(db, &store).await?;
    let chains = audit::verify(db, &store).await?;
    let fits = chains.iter().all(audit::TillChain::fits);
    if json {
        print_json(&serde_json::json!({ "store": store.code, "fits": fits, "tills": chains }))?;
    } else {
        for chain in &chains {
            match (&chain.check.first_bad, chain.breaks.first()) {
                (Some(bad), _) => {
                    println!("{}: audit record {} does not fit: {}", chain.till, bad.seq, bad.problem)
                }
                (None, Some(broken)) => println!(
                    "{}: an upload did not continue the chain at record {}: {}",
                    chain.till, broken.seq, broken.problem
                ),
                (None, None) => println!(
                    "{}: {} records, the chain is intact (head {})",
                    chain.till,
                    chain.check.records,
                    &chain.check.head[..12]
                ),
            }
        }
    }
    if !fits {
        std::process::exit(1);
    }
    Ok(())
}
