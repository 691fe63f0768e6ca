//! The change feed: what a device pulls after its cursor. Product changes are global; stock
//! snapshots, allocated orders and conflicts belong to one store.
//!
//! - `latest`: the newest entry of every thing (`feed_latest`, kept as entries are written): the
//!   snapshot a new till reads instead of the whole history.
//! - `heads`: each till's last event number on an entry's aggregate, carried in the entry.
//! - `compact`: removes what newer entries superseded once it is older than the retention window,
//!   and trims the inbox's stored answers.
//!
//! Ids come from `feed_head`, taken when the writing transaction is about to commit: on
//! PostgreSQL the head row's lock is held until commit, so ids increase in commit order and a
//! reader that has seen id N will never later find a committed change below N.

use sqlx::Row;
use storedesk_protocol::api::{Change, ChangeBody, ChangesResponse};

use crate::db::{Batch, Db, Val, now_ms};
use crate::error::{CentralError, Result};

pub mod compact;
pub mod heads;
pub mod latest;

/// The most changes one read returns.
pub const MAX_PAGE: i64 = 5_000;

/// An entry to append; `store_id` `None` for global (product) changes.
pub struct Entry {
    pub store_id: Option<i64>,
    pub body: ChangeBody,
}

/// Takes `count` ids from the head; returns the first. Call right before the commit.
pub async fn allocate(conn: &mut sqlx::AnyConnection, count: usize) -> Result<i64> {
    let last: i64 = sqlx::query_scalar("UPDATE feed_head SET last = last + $1 WHERE id = 1 RETURNING last")
        .bind(count as i64)
        .fetch_one(&mut *conn)
        .await?;
    Ok(last - count as i64 + 1)
}

/// Adds the writes of entries with the ids `first, first + 1, ...` to `batch`.
pub fn write(batch: &mut Batch, conn: &sqlx::AnyConnection, first: i64, entries: &[Entry]) -> Result<()> {
    let now = now_ms();
    let mut rows = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let (kind, payload) = split(&entry.body)?;
        rows.push(vec![
            Val::Int(first + i as i64),
            Val::OptInt(entry.store_id),
            Val::Text(kind),
            Val::Text(payload),
            Val::Int(now),
        ]);
    }
    batch.insert_many(conn, "INSERT INTO changes (id, store_id, kind, payload, created_at)", &rows, "");
    latest::keep(batch, conn, first, entries);
    Ok(())
}

/// Allocates ids and writes `entries`; returns the first id.
pub async fn append(conn: &mut sqlx::AnyConnection, entries: &[Entry]) -> Result<Option<i64>> {
    if entries.is_empty() {
        return Ok(None);
    }
    let first = allocate(conn, entries.len()).await?;
    let mut batch = Batch::default();
    write(&mut batch, conn, first, entries)?;
    batch.execute(conn).await?;
    Ok(Some(first))
}

fn split(body: &ChangeBody) -> Result<(String, String)> {
    let value = serde_json::to_value(body).map_err(|e| CentralError::corrupt("a change for the feed", e))?;
    let kind = value.get("kind").and_then(|k| k.as_str()).unwrap_or_default().to_string();
    let data = value.get("data").cloned().unwrap_or_default();
    Ok((kind, data.to_string()))
}

/// Changes for `store_id` (and global ones) after `cursor`, at most `limit`.
#[tracing::instrument(name = "feed read", skip(db))]
pub async fn read(db: &Db, store_id: i64, cursor: i64, limit: i64) -> Result<ChangesResponse> {
    if cursor < 0 {
        return Err(CentralError::invalid("after", "the cursor cannot be negative"));
    }
    check_limit(limit)?;
    if cursor > 0 {
        let floor = compact::floor(db).await?;
        if cursor < floor {
            return Err(CentralError::CursorTooOld { cursor, floor });
        }
    }
    // Two index range scans (the store's, the global one) merged; one more row than asked tells
    // whether more are waiting.
    let rows = sqlx::query(
        "SELECT id, kind, payload FROM (
             SELECT id, kind, payload FROM (SELECT id, kind, payload FROM changes
                 WHERE store_id = $1 AND id > $2 ORDER BY id LIMIT $3) mine
             UNION ALL
             SELECT id, kind, payload FROM (SELECT id, kind, payload FROM changes
                 WHERE store_id IS NULL AND id > $2 ORDER BY id LIMIT $3) global
         ) merged ORDER BY id LIMIT $3",
    )
    .bind(store_id)
    .bind(cursor)
    .bind(limit + 1)
    .fetch_all(db.reader())
    .await?;
    let has_more = rows.len() as i64 > limit;
    let changes = decode(&rows[..rows.len().min(limit as usize)])?;
    let next_cursor = changes.last().map_or(cursor, |c| c.id);
    Ok(ChangesResponse { changes, next_cursor, has_more, staff_version: None })
}

fn check_limit(limit: i64) -> Result<()> {
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(CentralError::invalid("limit", format!("must be between 1 and {MAX_PAGE}")));
    }
    Ok(())
}

/// Rows of `(id, kind, payload)` as the feed's entries.
fn decode(rows: &[sqlx::any::AnyRow]) -> Result<Vec<Change>> {
    let mut changes = Vec::with_capacity(rows.len());
    for row in rows {
        let id: i64 = row.try_get(0)?;
        let kind: String = row.try_get(1)?;
        let payload: String = row.try_get(2)?;
        let data: serde_json::Value =
            serde_json::from_str(&payload).map_err(|e| CentralError::corrupt(format!("change {id}"), e))?;
        let body: ChangeBody = serde_json::from_value(serde_json::json!({ "kind": kind, "data": data }))
            .map_err(|e| CentralError::corrupt(format!("change {id}"), e))?;
        changes.push(Change { id, body });
    }
    Ok(changes)
}
