//! The admin command line. Admin commands work on the database directly (the same service
//! functions the HTTP API calls); `serve` runs the API.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand};
use storedesk_domain::Currency;
use storedesk_domain::line::parse_line;
use storedesk_protocol::catalog_csv;

use crate::db::{DEFAULT_URL, Db};
use crate::http::{self, AdminToken, Settings};
use crate::service::catalog::ProductInput;
use crate::service::orders::{CentralLineInput, CentralOrderInput};
use crate::service::{catalog, conflicts, orders, stock, stores, tills};

mod credential;
mod devices;
mod history;
mod staff;
use credential::admin_credential;
pub use devices::DeviceCommand;

#[derive(Parser, Debug)]
#[command(name = "storedesk-central", version, about = "Storedesk's central API and its admin commands")]
pub struct Cli {
    /// sqlite://FILE (the default, created if missing) or postgres://USER@HOST/DB
    #[arg(long, global = true, env = "STOREDESK_CENTRAL_DATABASE_URL", default_value = DEFAULT_URL)]
    pub database_url: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the HTTP API
    Serve {
        #[arg(long, default_value = "127.0.0.1:8700")]
        listen: SocketAddr,
        /// Where the admin credential is kept when STOREDESK_CENTRAL_ADMIN_TOKEN is not set
        /// (created with a new credential at first start)
        #[arg(long, default_value = "storedesk-central.admin-token")]
        admin_token_file: PathBuf,
        /// Requests per second per device token (bursts of twice that)
        #[arg(long, default_value_t = 200)]
        rate_limit: u32,
        /// Compact every hour what is older than this (30d, 12h, ...; see `compact`)
        #[arg(long, default_value = "30d")]
        retention: String,
        /// Log lines as JSON (for log collectors) instead of text
        #[arg(long)]
        json_logs: bool,
    },
    #[command(subcommand)]
    Store(StoreCommand),
    /// A store's tills (devices)
    #[command(subcommand)]
    Device(DeviceCommand),
    #[command(subcommand)]
    Token(TokenCommand),
    #[command(subcommand)]
    Catalog(CatalogCommand),
    #[command(subcommand)]
    Stock(StockCommand),
    #[command(subcommand)]
    Order(OrderCommand),
    #[command(subcommand)]
    Conflicts(ConflictsCommand),
    /// A store's staff and staff policy
    #[command(subcommand)]
    Staff(staff::StaffCommand),
    /// A store's tills' audit chains
    #[command(subcommand)]
    Audit(staff::AuditCommand),
    /// Remove feed entries newer ones supersede and stored answers, older than the window
    Compact {
        /// The retention window (30d, 12h, ...)
        #[arg(long, default_value = "30d")]
        keep: String,
        #[arg(long)]
        json: bool,
    },
    /// Print the OpenAPI document
    Openapi,
}

#[derive(Subcommand, Debug)]
pub enum StoreCommand {
    /// Add a store; prints its first device token (shown once)
    Add {
        code: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, default_value = "CNY")]
        currency: String,
        #[arg(long)]
        json: bool,
    },
    /// List stores
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Another till for a store, as `device add` (its token and join code are shown once)
    Issue {
        #[arg(long)]
        store: String,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a device token
    Revoke { token: String },
}

#[derive(Subcommand, Debug)]
pub enum CatalogCommand {
    /// Import products from CSV with the header sku,name,price (price in major units)
    Import {
        file: PathBuf,
        #[arg(long, default_value = "CNY")]
        currency: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum StockCommand {
    /// Goods received at a store
    Receive {
        #[arg(long)]
        store: String,
        sku: String,
        qty: i64,
    },
    /// A store's stock
    List {
        #[arg(long)]
        store: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum OrderCommand {
    /// Place an order from the central platform for a store
    Place {
        #[arg(long)]
        store: String,
        #[arg(long = "line", value_name = "SKU=QTY", required = true)]
        lines: Vec<String>,
        #[arg(long)]
        customer: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ConflictsCommand {
    List {
        #[arg(long)]
        store: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let Cli { database_url, command } = cli;
    if let Command::Openapi = command {
        print!("{}", http::openapi::document());
        return Ok(());
    }
    let db = Db::connect(&database_url).await.with_context(|| format!("cannot open {database_url}"))?;
    match command {
        Command::Openapi => Ok(()),
        Command::Serve { listen, admin_token_file, rate_limit, retention, .. } => {
            history::every_hour(db.clone(), history::parse_keep(&retention)?);
            serve(&db, &database_url, listen, &admin_token_file, rate_limit).await
        }
        Command::Compact { keep, json } => history::run(&db, history::parse_keep(&keep)?, json).await,
        Command::Store(command) => store_command(&db, command).await,
        Command::Device(command) => devices::run(&db, command).await,
        Command::Token(command) => token_command(&db, command).await,
        Command::Catalog(CatalogCommand::Import { file, currency }) => {
            import_catalog(&db, &file, &currency).await
        }
        Command::Stock(command) => stock_command(&db, command).await,
        Command::Order(OrderCommand::Place { store, lines, customer, json }) => {
            place_order(&db, &store, &lines, customer, json).await
        }
        Command::Conflicts(ConflictsCommand::List { store, json }) => list_conflicts(&db, store, json).await,
        Command::Staff(command) => staff::run(&db, command).await,
        Command::Audit(command) => staff::audit(&db, command).await,
    }
}

async fn serve(
    db: &Db,
    url: &str,
    listen: SocketAddr,
    token_file: &Path,
    rate_limit: u32,
) -> anyhow::Result<()> {
    let admin_token = AdminToken::new(&admin_credential(token_file)?).context("the admin credential")?;
    let listener =
        tokio::net::TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, database = %redact(url), "storedesk-central listening");
    eprintln!("storedesk-central listening on http://{address}");
    let settings = Settings { rate_limit_per_second: rate_limit, ..Settings::new(admin_token) };
    http::serve(db.clone(), listener, settings, shutdown_signal()).await?;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn store_command(db: &Db, command: StoreCommand) -> anyhow::Result<()> {
    match command {
        StoreCommand::Add { code, name, currency, json } => {
            let (store, till) = stores::add_store(db, &code, name.as_deref(), &currency).await?;
            if json {
                return print_json(&serde_json::json!({
                    "store": store.code, "name": store.name, "currency": store.currency,
                    "till": till.till, "token": till.token,
                    "join_code": till.join_code, "join_expires_at": till.join_expires_at,
                }));
            }
            eprintln!(
                "added store {} ({}), currency {}; its first till is {}, whose token follows (shown once):",
                store.code, store.name, store.currency, till.till
            );
            println!("{}", till.token);
            eprintln!(
                "or join a device as {} with the one-time code {} (15 minutes)",
                till.till, till.join_code
            );
        }
        StoreCommand::List { json } => {
            let list = stores::list_stores(db).await?;
            if json {
                return print_json(&list);
            }
            for s in list {
                println!("{}  {}  {}", s.code, s.currency, s.name);
            }
        }
    }
    Ok(())
}

async fn token_command(db: &Db, command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Issue { store, json } => {
            let till = tills::add_till(db, &stores::store_by_code(db, &store).await?, None).await?;
            if json {
                return print_json(&till);
            }
            eprintln!("added till {} to {}; its token (shown once):", till.till, till.store);
            println!("{}", till.token);
        }
        TokenCommand::Revoke { token } => {
            stores::revoke_token(db, &token).await?;
            eprintln!("revoked");
        }
    }
    Ok(())
}

async fn import_catalog(db: &Db, file: &Path, currency: &str) -> anyhow::Result<()> {
    let currency = Currency::from_code(currency)?;
    let reader = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let rows =
        catalog_csv::parse(reader, &file.display().to_string(), currency, catalog_csv::Stock::Ignored)?;
    let products: Vec<ProductInput> = rows
        .into_iter()
        .map(|r| ProductInput {
            sku: r.sku.to_string(),
            name: r.name,
            price_minor: r.price_minor,
            active: true,
        })
        .collect();
    let summary = catalog::upsert_products(db, &products).await?;
    eprintln!(
        "imported {}: {} added, {} updated, {} unchanged",
        file.display(),
        summary.added,
        summary.updated,
        summary.unchanged
    );
    Ok(())
}

async fn stock_command(db: &Db, command: StockCommand) -> anyhow::Result<()> {
    match command {
        StockCommand::Receive { store, sku, qty } => {
            let store = stores::store_by_code(db, &store).await?;
            let row = stock::receive(db, &store, &sku, qty).await?;
            eprintln!(
                "{} at {}: on hand {}, reserved {}, available {}",
                row.sku, store.code, row.on_hand, row.reserved, row.available
            );
        }
        StockCommand::List { store, json } => {
            let store = stores::store_by_code(db, &store).await?;
            let rows = stock::list(db, &store).await?;
            if json {
                return print_json(&rows);
            }
            println!("SKU  ON HAND  RESERVED  AVAILABLE");
            for r in rows {
                println!("{}  {}  {}  {}", r.sku, r.on_hand, r.reserved, r.available);
            }
        }
    }
    Ok(())
}

async fn place_order(
    db: &Db,
    store: &str,
    lines: &[String],
    customer: Option<String>,
    json: bool,
) -> anyhow::Result<()> {
    let store = stores::store_by_code(db, store).await?;
    let lines = lines
        .iter()
        .map(|l| parse_line(l).map(|(sku, qty)| CentralLineInput { sku: sku.to_string(), qty: qty.get() }))
        .collect::<Result<Vec<_>, _>>()?;
    let order = orders::place(db, &store, &CentralOrderInput { lines, customer }).await?;
    if json {
        return print_json(&order);
    }
    println!("{}  {}  {}", order.number, order.order_id, order.total_minor);
    Ok(())
}

async fn list_conflicts(db: &Db, store: Option<String>, json: bool) -> anyhow::Result<()> {
    let store = match store {
        Some(code) => Some(stores::store_by_code(db, &code).await?),
        None => None,
    };
    let rows = conflicts::list(db, store.as_ref()).await?;
    if json {
        return print_json(&rows);
    }
    for c in rows {
        println!(
            "{}  {}  {}  {}  short {}  {}",
            c.id, c.store, c.order_number, c.sku, c.shortfall, c.message
        );
    }
    Ok(())
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://***{}", &url[..scheme], &url[at..]),
        _ => url.to_string(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}
