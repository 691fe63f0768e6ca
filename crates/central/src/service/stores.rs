//! Stores and device tokens. A token is 64 random hex characters after `sdt_`, shown once when
//! issued; central keeps only its SHA-256 hash. A token belongs to one till of one store (see
//! `tills`) and reaches its own store's data and the shared catalog, nothing else.

use sqlx::Row;
use storedesk_domain::{Currency, StoreCode};

use super::tills::{self, NewTill};
pub use super::tokens::{hash_token, new_token};
use super::{DeviceRef, StoreRef};
use crate::db::{Db, now_ms};
use crate::error::{CentralError, Result};

/// Creates a store and its first till, `T1`, whose token and join code are returned once.
pub async fn add_store(
    db: &Db,
    code: &str,
    name: Option<&str>,
    currency: &str,
) -> Result<(StoreRef, NewTill)> {
    let code = StoreCode::parse(code).map_err(|e| CentralError::invalid("code", e.to_string()))?;
    let currency =
        Currency::from_code(currency).map_err(|e| CentralError::invalid("currency", e.to_string()))?;
    let name = name.map(str::trim).filter(|n| !n.is_empty()).unwrap_or(code.as_str()).to_string();
    if name.chars().count() > 100 {
        return Err(CentralError::invalid("name", "at most 100 characters"));
    }
    let mut tx = db.begin().await?;
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM stores WHERE code = $1")
        .bind(code.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(CentralError::Conflict {
            code: "store_exists",
            message: format!("store {code} already exists"),
        });
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO stores (code, name, currency, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(code.as_str())
    .bind(&name)
    .bind(currency.code())
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await?;
    let store = StoreRef { id, code: code.to_string(), name, currency: currency.code().to_string() };
    let till = tills::insert_till(&mut tx, &store, None).await?;
    tx.commit().await?;
    Ok((store, till))
}

/// Revokes a token; requests with it get 401 from then on.
pub async fn revoke_token(db: &Db, token: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    let done = sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(hash_token(token))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    if done.rows_affected() == 0 {
        return Err(CentralError::not_found("active token", "(hidden)"));
    }
    Ok(())
}

/// The till (and store) a device token belongs to; `Unauthorized` for a wrong or revoked token
/// or a revoked till.
pub async fn authenticate(db: &Db, token: &str) -> Result<DeviceRef> {
    let row = sqlx::query(
        "SELECT s.id, s.code, s.name, s.currency, l.id, l.number
         FROM tokens t JOIN stores s ON s.id = t.store_id JOIN tills l ON l.id = t.till_id
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND l.revoked_at IS NULL",
    )
    .bind(hash_token(token))
    .fetch_optional(db.reader())
    .await?
    .ok_or(CentralError::Unauthorized)?;
    Ok(DeviceRef {
        store: store_from_row(&row)?,
        till_id: row.try_get(4)?,
        till: tills::till_code(row.try_get(5)?)?,
    })
}

pub async fn store_by_code(db: &Db, code: &str) -> Result<StoreRef> {
    let code = code.trim().to_ascii_uppercase();
    let row = sqlx::query("SELECT id, code, name, currency FROM stores WHERE code = $1")
        .bind(&code)
        .fetch_optional(db.reader())
        .await?
        .ok_or_else(|| CentralError::not_found("store", code.clone()))?;
    store_from_row(&row)
}

pub async fn list_stores(db: &Db) -> Result<Vec<StoreRef>> {
    let rows = sqlx::query("SELECT id, code, name, currency FROM stores ORDER BY code")
        .fetch_all(db.reader())
        .await?;
    rows.iter().map(store_from_row).collect()
}

fn store_from_row(row: &sqlx::any::AnyRow) -> Result<StoreRef> {
    Ok(StoreRef {
        id: row.try_get(0)?,
        code: row.try_get(1)?,
        name: row.try_get(2)?,
        currency: row.try_get(3)?,
    })
}
