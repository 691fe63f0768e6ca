//! Per-store authoritative stock and receipts.

use sqlx::Row;
use storedesk_domain::Sku;
use storedesk_domain::stock::MAX_ADJUST;
use storedesk_protocol::api::{ChangeBody, StockSnapshot};

use super::StoreRef;
use super::feed::{self, Entry};
use crate::db::Db;
use crate::error::{CentralError, Result};

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct StockRow {
    pub sku: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
}

/// Goods arrived at a store: `on_hand += qty`.
pub async fn receive(db: &Db, store: &StoreRef, sku: &str, qty: i64) -> Result<StockRow> {
    if qty <= 0 {
        return Err(CentralError::invalid("qty", "a receipt must add at least one unit"));
    }
    if qty > MAX_ADJUST {
        return Err(CentralError::out_of_range("qty", format!("a receipt adds at most {MAX_ADJUST} units")));
    }
    let sku = Sku::parse(sku).map_err(|e| CentralError::invalid("sku", e.to_string()))?;
    let sku = sku.as_str();
    let mut tx = db.begin().await?;
    let known: Option<String> = sqlx::query_scalar("SELECT sku FROM products WHERE sku = $1")
        .bind(sku)
        .fetch_optional(&mut *tx)
        .await?;
    if known.is_none() {
        return Err(CentralError::invalid("sku", format!("unknown SKU {sku:?}")));
    }
    let row = sqlx::query(
        "INSERT INTO stock (store_id, sku, on_hand, reserved) VALUES ($1, $2, $3, 0)
         ON CONFLICT (store_id, sku) DO UPDATE SET on_hand = stock.on_hand + excluded.on_hand
         RETURNING on_hand, reserved",
    )
    .bind(store.id)
    .bind(sku)
    .bind(qty)
    .fetch_one(&mut *tx)
    .await?;
    let (on_hand, reserved): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
    let mut heads = feed::heads::of(&mut tx, store.id, &[format!("stock:{sku}")]).await?;
    let snapshot = StockSnapshot {
        sku: Sku::parse(sku).map_err(|e| CentralError::invalid("sku", e.to_string()))?,
        on_hand,
        reserved,
        heads: heads.remove(&format!("stock:{sku}")).unwrap_or_default(),
    };
    feed::append(&mut tx, &[Entry { store_id: Some(store.id), body: ChangeBody::Stock(snapshot) }]).await?;
    tx.commit().await?;
    Ok(StockRow { sku: sku.to_string(), on_hand, reserved, available: on_hand - reserved })
}

/// A store's stock, ordered by SKU.
pub async fn list(db: &Db, store: &StoreRef) -> Result<Vec<StockRow>> {
    let rows = sqlx::query("SELECT sku, on_hand, reserved FROM stock WHERE store_id = $1 ORDER BY sku")
        .bind(store.id)
        .fetch_all(db.reader())
        .await?;
    rows.iter()
        .map(|r| {
            let (on_hand, reserved): (i64, i64) = (r.try_get(1)?, r.try_get(2)?);
            Ok(StockRow { sku: r.try_get(0)?, on_hand, reserved, available: on_hand - reserved })
        })
        .collect()
}
