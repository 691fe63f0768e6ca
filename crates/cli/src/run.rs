//! What each command does: parse the operator's input, call the store, print the result.

use std::path::PathBuf;

use anyhow::Context;
use storedesk_domain::line::parse_line;
use storedesk_domain::stock::AdjustReason;
use storedesk_domain::{Channel, OrderEvent, OrderStatus, PaymentMethod};
use storedesk_store::orders::{NewOrder, OrderAction, OrderFilter, PaymentInput, Restock};
use storedesk_store::outbox::OutboxStatus;
use storedesk_store::settings::StoreSetup;
use storedesk_store::{OpenOptions, Store};

use crate::args::*;
use crate::output::{self, Table};

/// Who the store records as the actor of CLI commands.
const ACTOR: &str = "cli";

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let data_dir = data_dir(cli.data_dir)?;
    let store = || open(&data_dir);
    match cli.command {
        Command::Sync(command) => crate::sync::run(&data_dir, store()?, command)?,
        Command::Report { kind, from, to, format, out, lang, bom } => {
            crate::report::export(&store()?, kind, from, to, format, &out, &lang, bom)?
        }
        Command::Attention(AttentionCommand::List { all, json }) => {
            let store = store()?;
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
            table.print()?;
        }
        Command::Init { store: code, name, currency, time_zone } => {
            let settings = store()?.init(StoreSetup { code, name, currency, time_zone })?;
            eprintln!(
                "set up store {} ({}) in {}, currency {}, time zone {}",
                settings.code,
                settings.name,
                data_dir.display(),
                settings.currency,
                settings.time_zone
            );
        }
        Command::Catalog(CatalogCommand::Import { file }) => {
            let reader =
                std::fs::File::open(&file).with_context(|| format!("cannot open {}", file.display()))?;
            let summary =
                store()?.import_catalog_csv(std::io::BufReader::new(reader), &file.display().to_string())?;
            eprintln!(
                "imported {}: {} added, {} updated, {} unchanged, {} stock counts applied",
                file.display(),
                summary.added,
                summary.updated,
                summary.unchanged,
                summary.stock_adjusted
            );
        }
        Command::Catalog(CatalogCommand::List { json }) => {
            let store = store()?;
            let products = store.products()?;
            if json {
                return output::json(&products);
            }
            let currency = store.settings()?.currency;
            let mut table = Table::new(&["SKU", "NAME", "PRICE", "VERSION", "ACTIVE"]);
            for p in products {
                table.row(vec![
                    p.sku,
                    p.name,
                    output::money(p.price_minor, currency.code()),
                    p.version.to_string(),
                    if p.active { "yes" } else { "no" }.into(),
                ]);
            }
            table.print()?;
        }
        Command::Stock(StockCommand::List { json }) => {
            let rows = store()?.stock_levels()?;
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
            table.print()?;
        }
        Command::Stock(StockCommand::Adjust { sku, delta, reason, note, json }) => {
            let reason = match reason {
                AdjustReasonArg::Receipt => AdjustReason::Receipt,
                AdjustReasonArg::Count => AdjustReason::Count,
                AdjustReasonArg::Damage => AdjustReason::Damage,
            };
            let row = store()?.adjust_stock(&sku, delta, reason, note.as_deref())?;
            if json {
                return output::json(&row);
            }
            eprintln!(
                "{}: on hand {}, reserved {}, available {}",
                row.sku, row.on_hand, row.reserved, row.available
            );
        }
        Command::Stock(StockCommand::Ledger { sku, limit, json }) => {
            let store = store()?;
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
            table.print()?;
        }
        Command::Order(command) => order_command(&store()?, command)?,
        Command::Outbox(OutboxCommand::Retry { id }) => {
            let event = store()?.retry_dead_event(&id)?;
            eprintln!("{} ({} #{}) will be sent again", event.event_id, event.aggregate, event.aggregate_seq);
        }
        Command::Outbox(OutboxCommand::Discard { id }) => {
            let n = store()?.discard_dead_event(&id)?;
            eprintln!("discarded {n} event(s); central will not get them");
        }
        Command::Outbox(OutboxCommand::List { status, limit, json }) => {
            let status = status.map(|s| match s {
                OutboxStatusArg::Pending => OutboxStatus::Pending,
                OutboxStatusArg::Sent => OutboxStatus::Sent,
                OutboxStatusArg::Dead => OutboxStatus::Dead,
                OutboxStatusArg::Discarded => OutboxStatus::Discarded,
            });
            let events = store()?.outbox(status, limit)?;
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
            table.print()?;
        }
    }
    Ok(())
}

fn order_command(store: &Store, command: OrderCommand) -> anyhow::Result<()> {
    let (reference, json, action) = match command {
        OrderCommand::Create { channel, lines, customer, json } => {
            let lines = lines.iter().map(|l| parse_line(l)).collect::<Result<Vec<_>, _>>()?;
            let channel = match channel {
                ChannelArg::Counter => Channel::Counter,
                ChannelArg::Fulfilment => Channel::Fulfilment,
            };
            let order = store.place_order(NewOrder { channel, lines, customer, actor: ACTOR.into() })?;
            return if json { output::json(&order) } else { output::order(&order) };
        }
        OrderCommand::List { status, channel, limit, json } => {
            let filter = OrderFilter {
                status: status.map(|s| OrderStatus::parse(&s)).transpose()?,
                channel: channel.map(|c| match c {
                    ChannelArg::Counter => Channel::Counter,
                    ChannelArg::Fulfilment => Channel::Fulfilment,
                }),
                limit,
                offset: 0,
            };
            let orders = store.orders(&filter)?;
            if json {
                return output::json(&orders);
            }
            let tz = store.settings()?.tz();
            let mut table = Table::new(&["NUMBER", "CHANNEL", "STATUS", "TOTAL", "CUSTOMER", "CREATED"]);
            for o in orders {
                table.row(vec![
                    o.number,
                    o.channel.as_str().into(),
                    o.status.as_str().into(),
                    output::money(o.total_minor, &o.currency),
                    o.customer.unwrap_or_default(),
                    output::time(o.created_at, &tz),
                ]);
            }
            return table.print();
        }
        OrderCommand::Show { order } => {
            let detail = store.order(&order.id)?;
            return if order.json {
                output::json(&detail)
            } else {
                output::order_detail(&detail, &store.settings()?.tz())
            };
        }
        OrderCommand::Pay { order, method, amount } => {
            let currency = store.settings()?.currency;
            let amount_minor = amount.map(|a| currency.parse_major(&a)).transpose()?;
            let method = match method {
                MethodArg::Cash => PaymentMethod::Cash,
                MethodArg::Card => PaymentMethod::Card,
                MethodArg::Other => PaymentMethod::Other,
            };
            let mut action = OrderAction::new(OrderEvent::Pay, ACTOR);
            action.details.payment = Some(PaymentInput { method, amount_minor });
            (order.id, order.json, action)
        }
        OrderCommand::HandOver { order } => {
            (order.id, order.json, OrderAction::new(OrderEvent::HandOver, ACTOR))
        }
        OrderCommand::Ship { order, tracking } => {
            let mut action = OrderAction::new(OrderEvent::Ship, ACTOR);
            action.details.tracking = tracking;
            (order.id, order.json, action)
        }
        OrderCommand::Deliver { order } => {
            (order.id, order.json, OrderAction::new(OrderEvent::Deliver, ACTOR))
        }
        OrderCommand::Cancel { order, reason } => {
            let mut action = OrderAction::new(OrderEvent::Cancel, ACTOR);
            action.details.reason = reason;
            (order.id, order.json, action)
        }
        OrderCommand::Refund { order, reason, restock } => {
            let mut action = OrderAction::new(OrderEvent::Refund, ACTOR);
            action.details.reason = reason;
            action.details.restock = if restock { Restock::All } else { Restock::Nothing };
            (order.id, order.json, action)
        }
    };
    let order = store.apply(&reference, action)?;
    if json { output::json(&order) } else { output::order(&order) }
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
