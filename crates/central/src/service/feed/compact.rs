//! Keeping central's storage bounded over years. Past the retention window:
//! - feed entries that a newer entry of the same thing supersedes are removed (the newest entry of
//!   every thing stays forever: `feed_latest`), and `feed_floor` records the highest id removed —
//!   a device reading from below it is told `cursor_too_old` and reads the snapshot instead;
//! - the inbox's stored answers are removed, after `till_heads.trimmed_seq` records how far each
//!   (till, aggregate)'s answers went: a replay at or below it is answered as a duplicate and never
//!   applied again (the heads themselves are kept forever).

use std::time::Duration;

use serde::Serialize;

use crate::db::{Db, now_ms};
use crate::error::Result;

/// What one compaction removed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Compacted {
    pub feed_entries: u64,
    pub inbox_answers: u64,
    /// The highest feed id removed so far (0: none).
    pub floor: i64,
}

/// The highest feed id compaction has removed.
pub async fn floor(db: &Db) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT floor FROM feed_floor WHERE id = 1").fetch_one(db.reader()).await?)
}

/// Removes what is older than `keep` and superseded (feed) or answered (inbox), in one transaction.
pub async fn compact(db: &Db, keep: Duration) -> Result<Compacted> {
    let cutoff = now_ms().saturating_sub(i64::try_from(keep.as_millis()).unwrap_or(i64::MAX));
    let mut tx = db.begin().await?;
    let superseded = "FROM changes WHERE created_at < $1 AND NOT EXISTS (
             SELECT 1 FROM feed_latest l WHERE l.store_id = COALESCE(changes.store_id, 0) AND l.change_id = changes.id)";
    let highest: Option<i64> =
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT MAX(id) {superseded}")))
            .bind(cutoff)
            .fetch_one(&mut *tx)
            .await?;
    let feed_entries = sqlx::query(sqlx::AssertSqlSafe(format!("DELETE {superseded}")))
        .bind(cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if let Some(highest) = highest {
        sqlx::query("UPDATE feed_floor SET floor = $1 WHERE id = 1 AND floor < $1")
            .bind(highest)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "INSERT INTO till_heads (till_id, aggregate, last_seq, trimmed_seq)
         SELECT till_id, aggregate, MAX(aggregate_seq), MAX(aggregate_seq) FROM inbox
         WHERE received_at < $1 AND till_id IS NOT NULL GROUP BY till_id, aggregate
         ON CONFLICT (till_id, aggregate) DO UPDATE SET trimmed_seq = excluded.trimmed_seq",
    )
    .bind(cutoff)
    .execute(&mut *tx)
    .await?;
    // Answers of events from before tills existed have no till to record their numbers on: kept.
    let inbox_answers = sqlx::query("DELETE FROM inbox WHERE received_at < $1 AND till_id IS NOT NULL")
        .bind(cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let floor: i64 =
        sqlx::query_scalar("SELECT floor FROM feed_floor WHERE id = 1").fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(Compacted { feed_entries, inbox_answers, floor })
}
