//! The database: one [`Db`] over SQLite or PostgreSQL, chosen by the URL.
//!
//! Queries are written once for both dialects (`$N` parameters, `BIGINT` integers, `ON CONFLICT`,
//! `RETURNING`) and run through sqlx's `Any` driver. The one place the dialects differ at run time
//! is locking: PostgreSQL locks the stock rows a batch reads (`FOR UPDATE`), while SQLite takes the
//! database's write lock up front (`BEGIN IMMEDIATE`) and serialises writers through one
//! connection.

use std::time::Duration;

use sqlx::any::AnyRow;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyPool, Executor, Row, Transaction};
use storedesk_domain::Named;

use crate::error::{CentralError, Result};

mod batch;

pub use batch::{Batch, insert_many};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// The database handle; cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    write: AnyPool,
    read: AnyPool,
    pub dialect: Dialect,
}

/// The embedded default: a SQLite file in the working folder.
pub const DEFAULT_URL: &str = "sqlite://storedesk-central.db";

impl Db {
    /// Connects and brings the schema up to date. A database with migrations this program does not
    /// know (written by a newer version) is refused.
    pub async fn connect(url: &str) -> Result<Db> {
        install_default_drivers();
        let dialect = if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Dialect::Postgres
        } else {
            return Err(CentralError::invalid(
                "database-url",
                format!("{url:?} is neither sqlite:// nor postgres://"),
            ));
        };
        let db = match dialect {
            Dialect::Sqlite => {
                let url = if url.contains('?') || url.contains(":memory:") {
                    url.to_string()
                } else {
                    format!("{url}?mode=rwc")
                };
                // One writer: SQLite has one write lock, and queueing for it in the pool is cheaper
                // than failing over SQLITE_BUSY. Readers go through their own connections (WAL).
                // A connection is not pinged before each use: a ping is one more hand-off to its
                // worker thread, and a broken file fails the statement itself just as clearly.
                let write = AnyPoolOptions::new()
                    .max_connections(1)
                    .test_before_acquire(false)
                    .after_connect(sqlite_pragmas)
                    .connect(&url)
                    .await?;
                let read = AnyPoolOptions::new()
                    .max_connections(4)
                    .test_before_acquire(false)
                    .after_connect(sqlite_pragmas)
                    .connect(&url)
                    .await?;
                Db { write, read, dialect }
            }
            Dialect::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .after_connect(postgres_session)
                    .connect(url)
                    .await?;
                Db { write: pool.clone(), read: pool, dialect }
            }
        };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> Result<()> {
        let migrator = match self.dialect {
            Dialect::Sqlite => sqlx::migrate!("../../migrations/central-sqlite"),
            Dialect::Postgres => sqlx::migrate!("../../migrations/central-postgres"),
        };
        migrator.run(&self.write).await.map_err(|source| {
            let message = match &source {
                sqlx::migrate::MigrateError::VersionMissing(v) => format!(
                    "the database has migration {v}, which this program does not know: it was written by a newer storedesk-central; upgrade"
                ),
                other => format!("schema migration failed: {other}"),
            };
            CentralError::Migration { message, source }
        })
    }

    /// A write transaction (SQLite: with the write lock taken at once).
    pub async fn begin(&self) -> Result<Transaction<'static, Any>> {
        Ok(match self.dialect {
            Dialect::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => self.write.begin().await?,
        })
    }

    /// The pool for reads that need no transaction.
    pub fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// `FOR UPDATE` where the dialect locks rows, nothing where it locks the database.
    pub fn lock_rows(&self) -> &'static str {
        match self.dialect {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE",
        }
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

fn sqlite_pragmas<'c>(
    conn: &'c mut sqlx::AnyConnection,
    _meta: sqlx::pool::PoolConnectionMetadata,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), sqlx::Error>> + Send + 'c>> {
    Box::pin(async move {
        conn.execute(
            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
             PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
        )
        .await?;
        Ok(())
    })
}

/// Statements are prepared once per connection; a generic plan made while a table was small (a
/// sequential scan) would stay in use as the table grows. Each execution is planned for its values.
fn postgres_session<'c>(
    conn: &'c mut sqlx::AnyConnection,
    _meta: sqlx::pool::PoolConnectionMetadata,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), sqlx::Error>> + Send + 'c>> {
    Box::pin(async move {
        conn.execute("SET plan_cache_mode = force_custom_plan").await?;
        Ok(())
    })
}

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// A value bound into a multi-row statement.
#[derive(Clone, Debug)]
pub enum Val {
    Int(i64),
    Text(String),
    OptInt(Option<i64>),
    OptText(Option<String>),
}

fn is_sqlite(conn: &sqlx::AnyConnection) -> bool {
    conn.backend_name().eq_ignore_ascii_case("sqlite")
}

/// Statements built at run time with many parameters use SQLite's plain `?` (bound in order):
/// SQLite looks numbered names up one by one, which makes thousands of `$N` quadratic.
fn push_param(sql: &mut String, sqlite: bool, n: usize) {
    if sqlite {
        sql.push('?');
    } else {
        sql.push('$');
        sql.push_str(&n.to_string());
    }
}

/// The `n`th parameter of a statement built at run time (see [`placeholders`]).
/// The enum named in column `idx`; a name this program does not know is a damaged row.
pub(crate) fn named<T: Named>(row: &AnyRow, idx: usize) -> Result<T> {
    let text: String = row.try_get(idx)?;
    T::from_name(&text).map_err(|e| CentralError::corrupt(format!("column {idx}"), e))
}

/// The value whose text is in column `idx` (an id, a SKU).
pub(crate) fn parsed<T>(row: &AnyRow, idx: usize) -> Result<T>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let text: String = row.try_get(idx)?;
    text.parse().map_err(|e| CentralError::corrupt(format!("column {idx}"), e))
}

pub fn param(conn: &sqlx::AnyConnection, n: usize) -> String {
    let mut sql = String::new();
    push_param(&mut sql, is_sqlite(conn), n);
    sql
}

/// Parameters `first, first+1, ...` for an `IN (...)` list of `count` values. A statement that
/// uses it numbers all its parameters through [`param`] and this, never by hand.
pub fn placeholders(conn: &sqlx::AnyConnection, first: usize, count: usize) -> String {
    let sqlite = is_sqlite(conn);
    let mut sql = String::new();
    for n in first..first + count {
        if n > first {
            sql.push(',');
        }
        push_param(&mut sql, sqlite, n);
    }
    sql
}
