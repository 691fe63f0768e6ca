//! The device's store: everything Storedesk keeps on the store's machine, in one SQLite file.
//!
//! Foundations (depend on nothing else here):
//! - [`db`]: opening the database — WAL, foreign keys, busy timeout, `synchronous`, migrations
//!   (from `migrations/device/`), refusal of databases newer than the program.
//! - [`error`]: the one error type; `sql`: enums in and out of columns ([`storedesk_domain::Named`]),
//!   one conversion error.
//! - [`settings`]: the store's identity (code, name, currency, time zone).
//! - [`staff`]: the people who may sign in (PIN hashes only), sign-in and its lockout, approvals,
//!   the store's limits, and [`staff::Actor`] — who every step is recorded as; the permission
//!   check every step a person takes goes through.
//! - [`staff_policy`]: the store's limits, lockout and idle-lock times, set by a manager.
//! - [`audit`]: the tamper-evident trail (a SHA-256 hash chain), appended in each step's
//!   transaction, and its check.
//! - [`actor`]: who takes a step — a signed-in person with their approver, or the program.
//! - [`sync_state`]: the small key/value state (central's URL, the feed cursor, last success and
//!   error, preferences).
//!
//! The store's data:
//! - [`outbox`]: the transactional outbox, the queue of events for central (a leaf: it knows
//!   nothing of what answers do).
//! - [`stock`]: stock levels and the stock ledger; operator adjustments.
//! - [`catalog`]: products with their versions, the in-memory catalog cache and its rules, CSV
//!   import, the catalog search, a product's low-stock threshold.
//! - [`orders`]: placing orders and moving them through the state machine (`model`, `place`,
//!   `step`, `effects`, `payments`, `announce`, `read`). Every step writes its status, timeline
//!   row, stock and ledger rows, payments and outbox row in ONE transaction.
//! - [`attention`]: items an operator has to decide on; [`latency`]: per-minute latency rollups.
//!
//! Talking to central (above the data):
//! - `answer`: central's answer to one pushed event; `saga`: what it does here (confirm, or
//!   compensate and hold).
//! - [`relay`]: the [`relay::Relay`] interface the sync engine implements, pushing due events and
//!   recording the answers: retry with backoff, dead letters, batches refused whole split.
//! - [`feed`]: applying central's change feed (products, stock snapshots, allocated orders,
//!   conflicts); `stock_view`: central's snapshot with the device's uncounted events on top.
//! - [`staff_sync`]: central's staff list and policy applied here, and the audit records still to
//!   upload.
//!
//! Reading for screens and reports:
//! - [`views`]: the dashboard's figures, pages of the orders list, preferences.
//! - [`reporting`]: a read-only snapshot for reports (streams large results).
//!
//! The rules themselves (which transitions exist, what they do to stock) live in
//! `storedesk-domain`; this crate applies them to the database and must not invent its own.
//! No printing: diagnostics go through `tracing`. Blocking work (locks, fsyncs) runs where the
//! caller runs it; async callers use [`Store::in_background`].

pub mod actor;
mod answer;
pub mod attention;
pub mod audit;
pub mod catalog;
pub mod db;
pub mod error;
pub mod feed;
pub mod latency;
pub mod orders;
pub mod outbox;
pub mod relay;
pub mod reporting;
mod saga;
pub mod settings;
mod sql;
pub mod staff;
pub mod staff_policy;
pub mod staff_sync;
pub mod stock;
mod stock_view;
pub mod sync_state;
pub mod views;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use db::{OpenOptions, Synchronous};
pub use error::{Result, StoreError};
pub use settings::StoreSettings;

/// The file name of the device's database inside the data folder.
pub const DB_FILE: &str = "storedesk.db";

/// A handle on the device's database. Cheap to share behind an `Arc`; all writes are serialised
/// through one connection, so the catalog cache can be kept exactly in step with the database.
pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
    catalog: catalog::CatalogCache,
    settings: RwLock<Option<Arc<StoreSettings>>>,
}

impl Store {
    /// Opens the store in `data_dir` (created if missing) with the default options.
    pub fn open_dir(data_dir: &Path) -> Result<Self> {
        Self::open_dir_with(data_dir, OpenOptions::default())
    }

    pub fn open_dir_with(data_dir: &Path, options: OpenOptions) -> Result<Self> {
        std::fs::create_dir_all(data_dir)
            .map_err(|error| StoreError::DataDir { path: data_dir.to_path_buf(), error })?;
        Self::open(&data_dir.join(DB_FILE), options)
    }

    /// Opens the database file at `path`.
    pub fn open(path: &Path, options: OpenOptions) -> Result<Self> {
        let conn = db::open(path, &options)?;
        let settings = settings::load(&conn).map_err(|e| e.at_path(path))?.map(Arc::new);
        tracing::debug!(path = %path.display(), "opened the device database");
        Ok(Self {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
            catalog: catalog::CatalogCache::new(),
            settings: RwLock::new(settings),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on a thread meant for blocking work (tokio's blocking pool), so that the store's
    /// locking and fsyncs never stall an async runtime's workers; for async callers (the relay,
    /// the sync engine).
    pub async fn in_background<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Store) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let store = self.clone();
        // The caller's span goes along: the store transaction's span is its child.
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || span.in_scope(|| f(&store)))
            .await
            .map_err(|e| StoreError::Interrupted(e.to_string()))?
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the connection (for reads).
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.lock();
        f(&conn).map_err(|e| e.at_path(&self.path))
    }

    /// Runs `f` in one IMMEDIATE transaction: everything it writes commits together or not at all.
    /// `after_commit` runs once the commit is durable, still under the connection lock.
    fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T>,
        after_commit: impl FnOnce(&T),
    ) -> Result<T> {
        let span = tracing::info_span!("store transaction");
        let _entered = span.enter();
        let mut conn = self.lock();
        let result = (|| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        })()
        .map_err(|e: StoreError| e.at_path(&self.path))?;
        after_commit(&result);
        Ok(result)
    }
}
