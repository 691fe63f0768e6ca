//! What each command does: parse the operator's input, call the store, print the result.

use std::path::PathBuf;

use anyhow::Context;
use storedesk_store::outbox::OutboxStatus;
use storedesk_store::settings::StoreSetup;
use storedesk_store::{OpenOptions, Store};

use storedesk_domain::Permission;

use crate::args::*;
use crate::output::{self, Table};
use crate::staff::SignIn;

/// Runs one command inside its step's span (`storedesk order create`, ...): the store
/// transaction's and the sync's spans are its children, and the events it makes carry it to
/// central.
pub fn run(cli: Cli, step: &str) -> anyhow::Result<()> {
    tracing::info_span!("step", otel.name = %format!("storedesk {step}")).in_scope(|| run_command(cli))
}

fn run_command(cli: Cli) -> anyhow::Result<()> {
    let data_dir = data_dir(cli.data_dir)?;
    let store = || open(&data_dir);
    let sign_in = &cli.sign_in;
    match cli.command {
        Command::Sync(command) => {
            let store = store()?;
            if matches!(command, SyncCommand::Configure { .. }) {
                sign_in.allow_setting(&store)?;
            }
            crate::sync::run(&data_dir, store, command)
        }
        Command::Join { central, code } => crate::sync::join(&data_dir, store()?, central.as_deref(), &code),
        Command::Report { kind, from, to, format, out, lang, bom, till, staff } => {
            let store = store()?;
            store.check_permission(&sign_in.actor(&store)?, Permission::ViewReports)?;
            crate::report::export(&store, kind, from, to, format, &out, &lang, bom, (till, staff))
        }
        Command::Attention(AttentionCommand::List { all, json }) => attention(&store()?, all, json),
        Command::Init { store: code, name, currency, time_zone, manager, manager_name } => {
            let first = crate::staff::first_manager(&manager, &manager_name)?;
            let store = store()?;
            let settings = store.init(StoreSetup { code, name, currency, time_zone })?;
            store.add_staff(None, first)?;
            eprintln!(
                "set up store {} ({}) in {}, currency {}, time zone {}",
                settings.code,
                settings.name,
                data_dir.display(),
                settings.currency,
                settings.time_zone
            );
            Ok(())
        }
        Command::Catalog(command) => catalog(&store()?, sign_in, command),
        Command::Stock(command) => stock(&store()?, sign_in, command),
        Command::Order(command) => crate::orders::run(&store()?, sign_in, command),
        Command::Staff(command) => crate::staff::staff(&store()?, sign_in, command),
        Command::Audit(command) => crate::staff::audit(&store()?, command),
        Command::Outbox(command) => {
            let store = store()?;
            if matches!(command, OutboxCommand::Discard { .. }) {
                sign_in.allow_setting(&store)?;
            }
            outbox(&store, command)
        }
    }
}

fn attention(store: &Store, all: bool, json: bool) -> anyhow::Result<()> {
    let items = store.attention_items(!all)?;
    if json {
        return output::json(&items);
    }
    let tz = store.settings()?.tz();
    let mut table = Table::new(&["ID", "KIND", "ORDER", "SINCE", "MESSAGE"]);
    for item in items {
        table.row(vec![
            item.id.to_string(),
            item.kind,
            item.order_number.unwrap_or_default(),
            output::time(item.created_at, &tz),
            item.message,
        ]);
    }
    table.print()
}

fn catalog(store: &Store, sign_in: &SignIn, command: CatalogCommand) -> anyhow::Result<()> {
    match command {
        CatalogCommand::Import { file } => {
            let reader =
                std::fs::File::open(&file).with_context(|| format!("cannot open {}", file.display()))?;
            let summary = store.import_catalog_csv(
                &sign_in.actor(store)?,
                std::io::BufReader::new(reader),
                &file.display().to_string(),
            )?;
            eprintln!(
                "imported {}: {} added, {} updated, {} unchanged, {} stock counts applied",
                file.display(),
                summary.added,
                summary.updated,
                summary.unchanged,
                summary.stock_adjusted
            );
            Ok(())
        }
        CatalogCommand::List { json } => {
            let products = store.products()?;
            if json {
                return output::json(&products);
            }
            let currency = store.settings()?.currency;
            let mut table = Table::new(&["SKU", "NAME", "PRICE", "VERSION", "ACTIVE"]);
            for p in products {
                let active = if p.active { "yes" } else { "no" };
                table.row(vec![
                    p.sku,
                    p.name,
                    output::money(p.price_minor, currency.code()),
                    p.version.to_string(),
                    active.into(),
                ]);
            }
            table.print()
        }
    }
}

fn stock(store: &Store, sign_in: &SignIn, command: StockCommand) -> anyhow::Result<()> {
    match command {
        StockCommand::List { json } => {
            let rows = store.stock_levels()?;
            if json {
                return output::json(&rows);
            }
            let mut table = Table::new(&["SKU", "NAME", "ON HAND", "RESERVED", "AVAILABLE"]);
            for r in rows {
                table.row(vec![
                    r.sku,
                    r.name,
                    r.on_hand.to_string(),
                    r.reserved.to_string(),
                    r.available.to_string(),
                ]);
            }
            table.print()
        }
        StockCommand::Adjust { sku, delta, reason, note, json } => {
            let row =
                store.adjust_stock(&sign_in.actor(store)?, &sku, delta, reason.into(), note.as_deref())?;
            if json {
                return output::json(&row);
            }
            eprintln!(
                "{}: on hand {}, reserved {}, available {}",
                row.sku, row.on_hand, row.reserved, row.available
            );
            Ok(())
        }
        StockCommand::Ledger { sku, limit, json } => {
            let entries = store.ledger(&sku, limit)?;
            if json {
                return output::json(&entries);
            }
            let tz = store.settings()?.tz();
            let mut table = Table::new(&["AT", "ON HAND", "RESERVED", "REASON", "ORDER", "NOTE"]);
            for e in entries {
                table.row(vec![
                    output::time(e.at, &tz),
                    format!("{:+}", e.delta_on_hand),
                    format!("{:+}", e.delta_reserved),
                    e.reason,
                    e.order_id.unwrap_or_default(),
                    e.note.unwrap_or_default(),
                ]);
            }
            table.print()
        }
    }
}

fn outbox(store: &Store, command: OutboxCommand) -> anyhow::Result<()> {
    match command {
        OutboxCommand::Retry { id } => {
            let event = store.retry_dead_event(&id)?;
            eprintln!("{} ({} #{}) will be sent again", event.event_id, event.aggregate, event.aggregate_seq);
            Ok(())
        }
        OutboxCommand::Discard { id } => {
            let n = store.discard_dead_event(&id)?;
            eprintln!("discarded {n} event(s); central will not get them");
            Ok(())
        }
        OutboxCommand::List { status, limit, json } => {
            let events = store.outbox(status.map(OutboxStatus::from), limit)?;
            if json {
                return output::json(&events);
            }
            let mut table =
                Table::new(&["EVENT", "KIND", "AGGREGATE", "SEQ", "STATUS", "ATTEMPTS", "LAST ERROR"]);
            for e in events {
                table.row(vec![
                    e.event_id.to_string(),
                    e.kind.to_string(),
                    e.aggregate,
                    e.aggregate_seq.to_string(),
                    e.status.as_str().into(),
                    e.attempts.to_string(),
                    e.last_error.unwrap_or_default(),
                ]);
            }
            table.print()
        }
    }
}

fn open(data_dir: &std::path::Path) -> anyhow::Result<Store> {
    let mut options = OpenOptions::default();
    // Tests shorten the wait for a locked database.
    if let Some(ms) = std::env::var("STOREDESK_BUSY_TIMEOUT_MS").ok().and_then(|v| v.parse().ok()) {
        options.busy_timeout = std::time::Duration::from_millis(ms);
    }
    Store::open_dir_with(data_dir, options).with_context(|| format!("{}", data_dir.display()))
}

/// `--data-dir`, else `STOREDESK_DATA_DIR` (clap reads both), else the app's data folder: the
/// same folder the desktop app uses (its identifier under the OS's per-user data folder).
fn data_dir(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(dir) = given {
        return Ok(dir);
    }
    let base =
        directories::BaseDirs::new().context("cannot find this user's data folder; pass --data-dir")?;
    Ok(base.data_dir().join("app.storedesk.desktop"))
}
