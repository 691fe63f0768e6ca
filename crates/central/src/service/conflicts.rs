//! Reservations central could not honour: a counter sale (a fact, always applied) or a damage
//! adjustment left fewer units on hand than are reserved. Central releases the newest reservations
//! of that SKU — orders from the central platform first — until the rest fit, records a conflict
//! for each released order and sends it down the store's change feed, where the device puts the
//! order on hold for an operator's decision. Nothing is dropped silently.

use sqlx::Row;

use super::StoreRef;
use crate::db::Db;
use crate::error::Result;

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ConflictRow {
    pub id: i64,
    pub store: String,
    pub order_id: String,
    pub order_number: String,
    pub sku: String,
    pub shortfall: i64,
    pub message: String,
    pub created_at: i64,
    pub resolved_at: Option<i64>,
}

/// Conflicts, newest first; of one store when `store` is given.
pub async fn list(db: &Db, store: Option<&StoreRef>) -> Result<Vec<ConflictRow>> {
    let rows = sqlx::query(
        "SELECT c.id, s.code, c.order_id, o.number, c.sku, c.shortfall, c.message, c.created_at, c.resolved_at
         FROM conflicts c JOIN stores s ON s.id = c.store_id JOIN orders o ON o.id = c.order_id
         WHERE ($1 = 0 OR c.store_id = $1) ORDER BY c.id DESC",
    )
    .bind(store.map_or(0, |s| s.id))
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ConflictRow {
                id: r.try_get(0)?,
                store: r.try_get(1)?,
                order_id: r.try_get(2)?,
                order_number: r.try_get(3)?,
                sku: r.try_get(4)?,
                shortfall: r.try_get(5)?,
                message: r.try_get(6)?,
                created_at: r.try_get(7)?,
                resolved_at: r.try_get(8)?,
            })
        })
        .collect()
}
