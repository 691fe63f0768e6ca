//! Opening the device's database: pragmas, durability, schema migrations.
//!
//! Durability: the money path runs with `synchronous=FULL` by default. In WAL mode `NORMAL` already
//! survives a crash of the process, but a commit may be lost on an OS crash or a power cut; an order
//! the operator was told is saved must survive both, so `FULL` (an fsync per commit) is the default.
//! `NORMAL` stays available for bulk tools and is measured next to `FULL` by `storedesk bench saga`.

use std::path::Path;
use std::time::Duration;

use include_dir::{Dir, include_dir};
use rusqlite::Connection;
use rusqlite_migration::Migrations;

use crate::error::{Result, StoreError};

static MIGRATIONS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../migrations/device");

/// How long a write waits for another connection's lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// SQLite's `synchronous` setting for the device's database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Synchronous {
    /// fsync on every commit: survives process crashes, OS crashes and power loss.
    Full,
    /// fsync at checkpoints only: survives process crashes; an OS crash may lose recent commits.
    Normal,
}

impl Synchronous {
    pub fn as_str(self) -> &'static str {
        match self {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct OpenOptions {
    pub synchronous: Synchronous,
    pub busy_timeout: Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self { synchronous: Synchronous::Full, busy_timeout: BUSY_TIMEOUT }
    }
}

/// The schema version this program migrates to.
pub fn schema_version() -> i64 {
    MIGRATIONS.dirs().count() as i64
}

/// Sets the pragmas every connection to a Storedesk database uses.
pub fn configure(conn: &Connection, options: &OpenOptions) -> Result<()> {
    conn.busy_timeout(options.busy_timeout)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(mode, "WAL journal mode is not available; continuing with {mode}");
    }
    conn.pragma_update(None, "synchronous", options.synchronous.as_str())?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// Opens (creating if needed) the database at `path`, configures it and migrates it to the latest
/// schema. A database written by a newer program is refused, untouched.
pub fn open(path: &Path, options: &OpenOptions) -> Result<Connection> {
    let mut conn = Connection::open(path).map_err(|e| StoreError::from(e).at_path(path))?;
    configure(&conn, options).map_err(|e| e.at_path(path))?;
    migrate(&mut conn).map_err(|e| e.at_path(path))?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let supported = schema_version();
    if found > supported {
        return Err(StoreError::SchemaTooNew { found, supported });
    }
    if found == supported {
        return Ok(());
    }
    let migrations = Migrations::from_directory(&MIGRATIONS).map_err(StoreError::MigrationFiles)?;
    migrations.to_latest(conn).map_err(|e| match e {
        rusqlite_migration::Error::RusqliteError { err, .. } => StoreError::from(err),
        other => StoreError::Migration(other),
    })?;
    tracing::info!(from = found, to = supported, "migrated the device database");
    Ok(())
}

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// Unix milliseconds as a timestamp (out-of-range values clamp to the epoch).
pub fn timestamp(ms: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_found_and_applied() {
        assert!(schema_version() >= 1);
        let dir = tempfile::tempdir().expect("tempdir");
        let conn = open(&dir.path().join("t.db"), &OpenOptions::default()).expect("open");
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
        assert_eq!(version, schema_version());
        let fk: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).expect("fk");
        assert_eq!(fk, 1);
        let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).expect("sync");
        assert_eq!(sync, 2, "FULL is 2");
    }

    #[test]
    fn a_database_from_a_newer_program_is_refused_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.db");
        drop(open(&path, &OpenOptions::default()).expect("open"));
        let conn = Connection::open(&path).expect("raw open");
        conn.pragma_update(None, "user_version", schema_version() + 1).expect("bump");
        drop(conn);
        let err = open(&path, &OpenOptions::default()).unwrap_err();
        assert!(matches!(err, StoreError::SchemaTooNew { .. }), "{err}");
        assert!(err.to_string().contains("newer Storedesk"), "{err}");
        let conn = Connection::open(&path).expect("raw open");
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
        assert_eq!(version, schema_version() + 1);
    }

    #[test]
    fn a_file_that_is_not_a_database_is_reported_as_damaged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.db");
        std::fs::write(&path, vec![0x42; 8192]).expect("write garbage");
        let err = open(&path, &OpenOptions::default()).unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
        assert!(err.to_string().contains("t.db"), "{err}");
    }
}
