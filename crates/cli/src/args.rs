//! The command line, as scripts and tests depend on it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(name = "storedesk", version, about = "Storedesk: the store's back office, headless")]
pub struct Cli {
    /// The store's data folder [default: the app's data folder for this user]
    #[arg(long, global = true, env = "STOREDESK_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    #[command(flatten)]
    pub sign_in: crate::staff::SignIn,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Set the store up (once)
    Init {
        /// Short store code used in order numbers, e.g. SH01
        #[arg(long, value_name = "CODE")]
        store: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, default_value = "CNY")]
        currency: String,
        /// IANA time zone [default: this machine's]
        #[arg(long, value_name = "TZ")]
        time_zone: Option<String>,
        /// The store's first manager's staff code; the PIN is read from STOREDESK_PIN
        #[arg(long, value_name = "CODE")]
        manager: String,
        #[arg(long, value_name = "NAME")]
        manager_name: String,
    },
    /// Join an existing store as a till, with the one-time code `storedesk-central device add`
    /// printed; the till fills itself from central before it sells
    Join {
        /// Central's URL (may be left out when --code is a join link, which carries it)
        #[arg(long, value_name = "URL")]
        central: Option<String>,
        /// The one-time join code, or the join link of its QR code (storedesk://join?central=...&code=...)
        #[arg(long, value_name = "JOIN_CODE")]
        code: String,
    },
    /// Products and prices
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Stock levels and adjustments
    #[command(subcommand)]
    Stock(StockCommand),
    /// Take and handle orders
    #[command(subcommand)]
    Order(OrderCommand),
    /// Events waiting for (or sent to) central
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Export a sales, stock or orders report as CSV, XLSX or PDF
    Report {
        #[arg(value_enum)]
        kind: ReportKindArg,
        /// First day, YYYY-MM-DD in the store's time zone [stock: not needed]
        #[arg(long)]
        from: Option<String>,
        /// Last day (inclusive), YYYY-MM-DD
        #[arg(long)]
        to: Option<String>,
        #[arg(long, value_enum)]
        format: FormatArg,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// en or zh-CN
        #[arg(long, default_value = "en")]
        lang: String,
        /// CSV: start with a UTF-8 byte order mark (for Excel)
        #[arg(long)]
        bom: bool,
        /// Only the orders this till of the store took (T2) [sales, orders; stock is the store's]
        #[arg(long, value_name = "TILL")]
        till: Option<String>,
        /// Only the orders this person took a step in or approved [sales, orders]
        #[arg(long, value_name = "STAFF")]
        staff: Option<String>,
    },
    /// Sync with central
    #[command(subcommand)]
    Sync(SyncCommand),
    /// What an operator has to decide on
    #[command(subcommand)]
    Attention(AttentionCommand),
    /// The people who may sign in at this till
    #[command(subcommand)]
    Staff(crate::staff::StaffCommand),
    /// The tamper-evident audit trail
    #[command(subcommand)]
    Audit(crate::staff::AuditCommand),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ReportKindArg {
    Sales,
    Stock,
    Orders,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormatArg {
    Csv,
    Xlsx,
    Pdf,
}

#[derive(Subcommand, Debug)]
pub enum SyncCommand {
    /// Point this device at central (the token is kept in a file only you can read)
    Configure {
        #[arg(long, value_name = "URL")]
        central: String,
        #[arg(long)]
        token: String,
    },
    /// Push the outbox and pull central's changes; keeps running unless --once
    Run {
        /// One round: exit 0 only when nothing pending could be pushed and the feed is read to its end
        #[arg(long)]
        once: bool,
        #[arg(long)]
        json: bool,
    },
    /// Online/offline, pending and dead events, last success and error, cursor
    Status {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum AttentionCommand {
    /// Open items (with --all, resolved ones too)
    List {
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum CatalogCommand {
    /// Import products from CSV with the header sku,name,price,stock (price in major units, 12.50)
    Import { file: PathBuf },
    /// List products
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum AdjustReasonArg {
    Receipt,
    Count,
    Damage,
}

#[derive(Subcommand, Debug)]
pub enum StockCommand {
    /// Stock per SKU: on hand, reserved, available
    List {
        #[arg(long)]
        json: bool,
    },
    /// Adjust a SKU's stock on hand by DELTA (negative to remove)
    #[command(allow_negative_numbers = true)]
    Adjust {
        sku: String,
        delta: i64,
        #[arg(long, value_enum)]
        reason: AdjustReasonArg,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Every stock movement of one SKU, newest first
    Ledger {
        sku: String,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ChannelArg {
    Counter,
    Fulfilment,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum MethodArg {
    Cash,
    Card,
    Other,
}

/// Options every order command shares.
#[derive(Args, Debug)]
pub struct OrderRef {
    /// The order's id or number (e.g. SH01-T1-20261127-0001)
    pub id: String,
    /// Print the order as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum OrderCommand {
    /// Take a new order
    Create {
        #[arg(long, value_enum)]
        channel: ChannelArg,
        /// A line as SKU=QTY; repeat for more lines
        #[arg(long = "line", value_name = "SKU=QTY", required = true)]
        lines: Vec<String>,
        #[arg(long)]
        customer: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Record the payment of the order's total
    Pay {
        #[command(flatten)]
        order: OrderRef,
        #[arg(long, value_enum)]
        method: MethodArg,
        /// The amount received in major units; must equal the total [default: the total]
        #[arg(long, value_name = "MAJOR")]
        amount: Option<String>,
    },
    /// Hand a paid counter order over to the customer
    HandOver {
        #[command(flatten)]
        order: OrderRef,
    },
    /// Ship an order that is ready to ship
    Ship {
        #[command(flatten)]
        order: OrderRef,
        #[arg(long, value_name = "T")]
        tracking: Option<String>,
    },
    /// Mark a shipped order delivered
    Deliver {
        #[command(flatten)]
        order: OrderRef,
    },
    /// Cancel an order (refunds what was paid, releases its stock)
    Cancel {
        #[command(flatten)]
        order: OrderRef,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Refund a delivered order
    Refund {
        #[command(flatten)]
        order: OrderRef,
        #[arg(long)]
        reason: Option<String>,
        /// Put every line back on the shelf
        #[arg(long)]
        restock: bool,
    },
    /// List orders, newest first
    List {
        #[arg(long, value_name = "S")]
        status: Option<String>,
        #[arg(long, value_enum)]
        channel: Option<ChannelArg>,
        /// Only the orders this till of the store took (T2)
        #[arg(long, value_name = "TILL")]
        till: Option<String>,
        /// Only the orders this person took a step in or approved
        #[arg(long, value_name = "STAFF")]
        staff: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// One order with its lines, payments and timeline
    Show {
        #[command(flatten)]
        order: OrderRef,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OutboxStatusArg {
    Pending,
    Sent,
    Dead,
    Discarded,
}

#[derive(Subcommand, Debug)]
pub enum OutboxCommand {
    /// List outbox events, oldest first
    List {
        #[arg(long, value_enum)]
        status: Option<OutboxStatusArg>,
        #[arg(long, default_value_t = 1000)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Send a dead event again (after fixing what central refused)
    Retry { id: String },
    /// Give up on a dead event and the later events of its order; the store's stock then follows central's
    Discard { id: String },
}

// The arguments as the core's own types, in one place.

impl From<ChannelArg> for storedesk_domain::Channel {
    fn from(arg: ChannelArg) -> Self {
        match arg {
            ChannelArg::Counter => Self::Counter,
            ChannelArg::Fulfilment => Self::Fulfilment,
        }
    }
}

impl From<MethodArg> for storedesk_domain::PaymentMethod {
    fn from(arg: MethodArg) -> Self {
        match arg {
            MethodArg::Cash => Self::Cash,
            MethodArg::Card => Self::Card,
            MethodArg::Other => Self::Other,
        }
    }
}

impl From<AdjustReasonArg> for storedesk_domain::AdjustReason {
    fn from(arg: AdjustReasonArg) -> Self {
        match arg {
            AdjustReasonArg::Receipt => Self::Receipt,
            AdjustReasonArg::Count => Self::Count,
            AdjustReasonArg::Damage => Self::Damage,
        }
    }
}

impl From<OutboxStatusArg> for storedesk_store::outbox::OutboxStatus {
    fn from(arg: OutboxStatusArg) -> Self {
        match arg {
            OutboxStatusArg::Pending => Self::Pending,
            OutboxStatusArg::Sent => Self::Sent,
            OutboxStatusArg::Dead => Self::Dead,
            OutboxStatusArg::Discarded => Self::Discarded,
        }
    }
}
