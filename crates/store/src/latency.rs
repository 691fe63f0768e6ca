//! Per-minute latency rollups of central calls and local commands, kept so that history survives
//! restarts (the live per-second view is the sync engine's, in memory).

use rusqlite::params;
use serde::Serialize;

use crate::Store;
use crate::error::Result;

/// One endpoint's latency over one minute, in microseconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Rollup {
    /// The minute's start, Unix milliseconds.
    pub minute: i64,
    pub endpoint: String,
    pub count: i64,
    pub errors: i64,
    pub p50_us: i64,
    pub p95_us: i64,
    pub p99_us: i64,
    pub max_us: i64,
}

impl Store {
    /// Stores rollups; a minute recorded twice (two engines, a restart) keeps the larger count.
    pub fn save_rollups(&self, rollups: &[Rollup]) -> Result<()> {
        if rollups.is_empty() {
            return Ok(());
        }
        self.write(
            |tx| {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO latency_rollups (minute, endpoint, count, errors, p50_us, p95_us, p99_us, max_us)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                     ON CONFLICT (minute, endpoint) DO UPDATE SET count = excluded.count, errors = excluded.errors,
                         p50_us = excluded.p50_us, p95_us = excluded.p95_us, p99_us = excluded.p99_us,
                         max_us = excluded.max_us
                     WHERE excluded.count >= latency_rollups.count",
                )?;
                for r in rollups {
                    insert.execute(params![r.minute, r.endpoint, r.count, r.errors, r.p50_us, r.p95_us, r.p99_us, r.max_us])?;
                }
                Ok(())
            },
            |_| {},
        )
    }

    /// Rollups from `since` (Unix milliseconds) on, oldest first.
    pub fn rollups_since(&self, since: i64) -> Result<Vec<Rollup>> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT minute, endpoint, count, errors, p50_us, p95_us, p99_us, max_us FROM latency_rollups
                 WHERE minute >= ?1 ORDER BY minute, endpoint",
            )?;
            let rows = stmt.query_map([since], |r| {
                Ok(Rollup {
                    minute: r.get(0)?,
                    endpoint: r.get(1)?,
                    count: r.get(2)?,
                    errors: r.get(3)?,
                    p50_us: r.get(4)?,
                    p95_us: r.get(5)?,
                    p99_us: r.get(6)?,
                    max_us: r.get(7)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }
}
