//! The newest feed entry of every thing: a product (by SKU, global), a store's stock of a SKU, an
//! order, a conflict. Kept in `feed_latest` in the transaction that writes the entries, so it is
//! exactly the feed without what later entries superseded — what a new till needs, whose size
//! follows the state and not the history.

use std::collections::BTreeMap;

use storedesk_protocol::api::{ChangeBody, SnapshotResponse};

use super::{Entry, check_limit, decode};
use crate::db::{Batch, Db, Val};
use crate::error::{CentralError, Result};

/// What an entry is about: its kind and the thing's key.
pub fn subject(body: &ChangeBody) -> (&'static str, String) {
    match body {
        ChangeBody::Product(p) => ("product", p.sku.to_string()),
        ChangeBody::Stock(s) => ("stock", s.sku.to_string()),
        ChangeBody::OrderAllocated(o) => ("order_allocated", o.order_id.to_string()),
        ChangeBody::Order(o) => ("order", o.order_id.to_string()),
        ChangeBody::Conflict(c) => ("conflict", c.conflict_id.to_string()),
    }
}

/// Records the entries written with ids `first, first + 1, ...` as the newest of their things.
pub fn keep(batch: &mut Batch, conn: &sqlx::AnyConnection, first: i64, entries: &[Entry]) {
    // One row per thing (the last entry wins): an upsert may not touch a row twice.
    let mut newest: BTreeMap<(i64, &'static str, String), i64> = BTreeMap::new();
    for (i, entry) in entries.iter().enumerate() {
        let (kind, key) = subject(&entry.body);
        newest.insert((entry.store_id.unwrap_or(0), kind, key), first + i as i64);
    }
    let rows: Vec<Vec<Val>> = newest
        .into_iter()
        .map(|((store, kind, key), id)| {
            vec![Val::Int(store), Val::Text(kind.into()), Val::Text(key), Val::Int(id)]
        })
        .collect();
    batch.insert_many(
        conn,
        "INSERT INTO feed_latest (store_id, kind, subject, change_id)",
        &rows,
        " ON CONFLICT (store_id, kind, subject) DO UPDATE SET change_id = excluded.change_id",
    );
}

/// The newest entries of the store's things and the catalog's, in feed order after `after`, at
/// most `limit`.
#[tracing::instrument(name = "snapshot read", skip(db))]
pub async fn snapshot(db: &Db, store_id: i64, after: i64, limit: i64) -> Result<SnapshotResponse> {
    if after < 0 {
        return Err(CentralError::invalid("after", "cannot be negative"));
    }
    check_limit(limit)?;
    let head: i64 =
        sqlx::query_scalar("SELECT last FROM feed_head WHERE id = 1").fetch_one(db.reader()).await?;
    let rows = sqlx::query(
        "SELECT c.id, c.kind, c.payload FROM (
             SELECT change_id FROM (SELECT change_id FROM feed_latest
                 WHERE store_id = $1 AND change_id > $2 ORDER BY change_id LIMIT $3) mine
             UNION ALL
             SELECT change_id FROM (SELECT change_id FROM feed_latest
                 WHERE store_id = 0 AND change_id > $2 ORDER BY change_id LIMIT $3) global
         ) l JOIN changes c ON c.id = l.change_id ORDER BY c.id LIMIT $3",
    )
    .bind(store_id)
    .bind(after)
    .bind(limit + 1)
    .fetch_all(db.reader())
    .await?;
    let total: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM feed_latest WHERE store_id = $1 AND change_id > $2)
              + (SELECT COUNT(*) FROM feed_latest WHERE store_id = 0 AND change_id > $2)",
    )
    .bind(store_id)
    .bind(after)
    .fetch_one(db.reader())
    .await?;
    let has_more = rows.len() as i64 > limit;
    let changes = decode(&rows[..rows.len().min(limit as usize)])?;
    Ok(SnapshotResponse { changes, head, has_more, total })
}
