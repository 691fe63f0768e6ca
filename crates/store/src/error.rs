//! The store's one error type. Each variant's message is what an operator reads: it says what was
//! wrong and where, in one line, complete on its own. Where a lower error caused it, the variant
//! keeps it as its `source` (for logs and debuggers) without repeating it in the message.

use std::path::PathBuf;

use rusqlite::ErrorCode;
use storedesk_domain::line::LineError;
use storedesk_domain::order::{TransitionError, UnknownName};
use storedesk_domain::{MoneyError, StockError};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the store is not set up yet: run `storedesk init --store CODE` first")]
    NotInitialized,
    #[error("the store is already set up as {0}")]
    AlreadyInitialized(String),
    #[error(
        "this device has taken {orders} orders as till {current}; connect it with {current}'s token (storedesk-central device list), not {offered}'s, or set up a new data folder for {offered}"
    )]
    TillTaken { current: String, offered: String, orders: i64 },
    #[error("unknown SKU {0:?}")]
    UnknownSku(String),
    #[error("unknown order {0:?}")]
    UnknownOrder(String),
    #[error("no dead outbox event {0:?}")]
    UnknownEvent(String),
    /// The signed-in person (and their approver) may not take the step.
    #[error("{staff}: {refused}")]
    Refused { staff: String, refused: storedesk_domain::Refused },
    #[error("unknown staff code {0:?}")]
    UnknownStaff(String),
    #[error("{0} is disabled and cannot sign in")]
    StaffDisabled(String),
    #[error("wrong PIN for {staff} ({left} more before a lockout)")]
    WrongPin { staff: String, left: i64 },
    #[error("{staff} is locked out of this till after wrong PINs, for {minutes} more minutes")]
    LockedOut { staff: String, minutes: i64 },
    #[error(
        "the store has no staff yet: add its first manager (storedesk staff add --code CODE --name NAME --role manager, PIN from STOREDESK_PIN)"
    )]
    NoStaff,
    #[error("sign in first: --staff CODE with the PIN in STOREDESK_PIN")]
    NotSignedIn,
    #[error("order {number}: {error}")]
    Transition { number: String, error: TransitionError },
    #[error("{sku}: {error}")]
    Stock { sku: String, error: StockError },
    #[error(transparent)]
    Money(#[from] MoneyError),
    #[error(transparent)]
    Line(#[from] LineError),
    #[error(transparent)]
    Name(#[from] UnknownName),
    #[error("{0}")]
    Invalid(String),
    #[error("{file}, line {line}, column {column}: {message}")]
    Csv { file: String, line: u64, column: String, message: String },
    #[error("payment of {paid} does not match the order total {total}")]
    PaymentMismatch { paid: String, total: String },
    #[error(
        "the database was written by a newer Storedesk (schema version {found}, this program knows up to {supported}); upgrade Storedesk"
    )]
    SchemaTooNew { found: i64, supported: i64 },
    #[error("the database is busy: another program holds it locked; close it and try again")]
    Locked(#[source] rusqlite::Error),
    #[error("the database file {} is damaged or is not a Storedesk database ({message})", path.display())]
    Corrupt { path: PathBuf, message: String },
    #[error("cannot open the data folder {}: {error}", path.display())]
    DataDir { path: PathBuf, error: std::io::Error },
    #[error("schema migration failed")]
    Migration(#[source] rusqlite_migration::Error),
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    /// A piece of the store's work run in the background did not finish (it panicked).
    #[error("the store's work stopped unexpectedly: {0}")]
    Interrupted(String),
    /// A migration file the program carries could not be read (a build from a damaged checkout).
    #[error("the program's schema migrations cannot be read")]
    MigrationFiles(#[source] rusqlite_migration::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        match err.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked(err),
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                StoreError::Corrupt { path: PathBuf::new(), message: err.to_string() }
            }
            _ => StoreError::Sqlite(err),
        }
    }
}

impl From<storedesk_protocol::catalog_csv::CsvError> for StoreError {
    fn from(e: storedesk_protocol::catalog_csv::CsvError) -> Self {
        StoreError::Csv { file: e.file, line: e.line, column: e.column, message: e.message }
    }
}

impl StoreError {
    pub(crate) fn stock(sku: &str, source: StockError) -> Self {
        StoreError::Stock { sku: sku.to_string(), error: source }
    }

    /// Fills in the database path where the error is about the file itself.
    pub(crate) fn at_path(self, db_path: &std::path::Path) -> Self {
        match self {
            StoreError::Corrupt { message, .. } => {
                StoreError::Corrupt { path: db_path.to_path_buf(), message }
            }
            other => other,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
