//! Each till's last event number on the aggregates a feed entry is about (an order, a store's
//! stock of a SKU), carried in the entry (`heads`): a till set up again on a new machine reads
//! them in the snapshot and numbers its next events after them, never reusing one.

use std::collections::HashMap;
use std::ops::Range;

use sqlx::Row;
use sqlx::any::AnyRow;
use storedesk_protocol::api::Heads;

use crate::db::{Batch, Val, placeholders};
use crate::error::Result;
use crate::service::tills::till_code;

/// Asks for each till's heads on `aggregates` (the store's tills): see [`take`].
pub fn ask(
    batch: &mut Batch,
    conn: &sqlx::AnyConnection,
    store_id: i64,
    aggregates: &[String],
) -> Range<usize> {
    let start = batch.len();
    for chunk in aggregates.chunks(500) {
        let sql = format!(
            "SELECT h.aggregate, t.number, h.last_seq FROM till_heads h JOIN tills t ON t.id = h.till_id
             WHERE t.store_id = {} AND h.aggregate IN ({})",
            crate::db::param(conn, 1),
            placeholders(conn, 2, chunk.len())
        );
        let mut args = vec![Val::Int(store_id)];
        args.extend(chunk.iter().map(|a| Val::Text(a.clone())));
        batch.add(sql, args);
    }
    start..batch.len()
}

/// `aggregate -> {till code -> last number}` from [`ask`]'s rows.
pub fn take(rows: &[Vec<AnyRow>]) -> Result<HashMap<String, Heads>> {
    let mut heads: HashMap<String, Heads> = HashMap::new();
    for row in rows.iter().flatten() {
        let till = till_code(row.try_get(1)?)?.to_string();
        heads.entry(row.try_get(0)?).or_default().insert(till, row.try_get(2)?);
    }
    Ok(heads)
}

/// `aggregate -> {till code -> last number}` for the store's tills, for each of `aggregates`.
pub async fn of(
    conn: &mut sqlx::AnyConnection,
    store_id: i64,
    aggregates: &[String],
) -> Result<HashMap<String, Heads>> {
    let mut batch = Batch::default();
    let asked = ask(&mut batch, conn, store_id, aggregates);
    let rows = batch.fetch(conn).await?;
    take(&rows[asked])
}
