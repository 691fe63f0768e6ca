//! Each till's last event number on the aggregates a feed entry is about (an order, a store's
//! stock of a SKU), carried in the entry (`heads`): a till set up again on a new machine reads
//! them in the snapshot and numbers its next events after them, never reusing one.

use std::collections::HashMap;

use sqlx::Row;
use storedesk_protocol::api::Heads;

use crate::db::placeholders;
use crate::error::Result;
use crate::service::tills::till_code;

/// `aggregate -> {till code -> last number}` for the store's tills, for each of `aggregates`.
pub async fn of(
    conn: &mut sqlx::AnyConnection,
    store_id: i64,
    aggregates: &[String],
) -> Result<HashMap<String, Heads>> {
    let mut heads: HashMap<String, Heads> = HashMap::new();
    for chunk in aggregates.chunks(500) {
        let sql = format!(
            "SELECT h.aggregate, t.number, h.last_seq FROM till_heads h JOIN tills t ON t.id = h.till_id
             WHERE t.store_id = {} AND h.aggregate IN ({})",
            crate::db::param(conn, 1),
            placeholders(conn, 2, chunk.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(store_id);
        for aggregate in chunk {
            query = query.bind(aggregate.clone());
        }
        for row in query.fetch_all(&mut *conn).await? {
            let till = till_code(row.try_get(1)?)?.to_string();
            heads.entry(row.try_get(0)?).or_default().insert(till, row.try_get(2)?);
        }
    }
    Ok(heads)
}
