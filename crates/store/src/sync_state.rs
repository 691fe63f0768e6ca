//! The device's small key/value settings (`sync_state`): where central is, the feed cursor, the
//! last success and error of sync, and the operator's preferences.

use rusqlite::{Connection, OptionalExtension, params};

use crate::Store;
use crate::error::Result;

/// Keys of the sync engine's state.
pub mod keys {
    pub const CENTRAL_URL: &str = "central_url";
    pub const CURSOR: &str = "cursor";
    pub const LAST_SUCCESS_AT: &str = "last_success_at";
    pub const LAST_ERROR: &str = "last_error";
    pub const LAST_ERROR_AT: &str = "last_error_at";
    /// While the till reads central's snapshot: `DONE/TOTAL` entries; empty when not.
    pub const PREPARING: &str = "preparing";
}

/// Keys of the operator's preferences.
pub mod prefs {
    pub const LOW_STOCK_THRESHOLD: &str = "pref_low_stock_threshold";
    pub const LANGUAGE: &str = "pref_language";
}

pub(crate) fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM sync_state WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

pub(crate) fn set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}

impl Store {
    /// A value of the sync state or a preference (see [`keys`], [`prefs`]).
    pub fn sync_value(&self, key: &str) -> Result<Option<String>> {
        self.read(|conn| get(conn, key))
    }

    pub fn set_sync_value(&self, key: &str, value: &str) -> Result<()> {
        self.write(|tx| set(tx, key, value), |_| {})
    }

    /// The feed cursor: the id of the last change applied (0 before the first pull).
    pub fn feed_cursor(&self) -> Result<i64> {
        match self.sync_value(keys::CURSOR)? {
            None => Ok(0),
            Some(text) => text.parse().map_err(|_| {
                crate::StoreError::Invalid(format!("the stored feed cursor {text:?} is not a number"))
            }),
        }
    }

    /// The central URL this device syncs with, if configured.
    pub fn central_url(&self) -> Result<Option<String>> {
        self.sync_value(keys::CENTRAL_URL)
    }
}
