//! Stores and device tokens. A token is 64 random hex characters after `sdt_`, shown once when
//! issued; central keeps only its SHA-256 hash. A token reaches its own store's data and the
//! shared catalog, nothing else.

use sha2::{Digest, Sha256};
use sqlx::Row;
use storedesk_domain::{Currency, StoreCode};

use super::StoreRef;
use crate::db::{Db, now_ms};
use crate::error::{CentralError, Result};

/// A new random token (two v4 UUIDs: 244 random bits from the OS's generator).
pub fn new_token(prefix: &str) -> String {
    format!("{prefix}{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Creates a store and its first device token (returned once).
pub async fn add_store(
    db: &Db,
    code: &str,
    name: Option<&str>,
    currency: &str,
) -> Result<(StoreRef, String)> {
    let code = StoreCode::parse(code).map_err(|e| CentralError::invalid("code", e.to_string()))?;
    let currency =
        Currency::from_code(currency).map_err(|e| CentralError::invalid("currency", e.to_string()))?;
    let name = name.map(str::trim).filter(|n| !n.is_empty()).unwrap_or(code.as_str()).to_string();
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
    let token = insert_token(&mut tx, id).await?;
    tx.commit().await?;
    Ok((StoreRef { id, code: code.to_string(), name, currency: currency.code().to_string() }, token))
}

async fn insert_token(conn: &mut sqlx::AnyConnection, store_id: i64) -> Result<String> {
    let token = new_token("sdt_");
    sqlx::query("INSERT INTO tokens (store_id, token_hash, created_at) VALUES ($1, $2, $3)")
        .bind(store_id)
        .bind(hash_token(&token))
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    Ok(token)
}

/// Issues another device token for a store.
pub async fn issue_token(db: &Db, code: &str) -> Result<String> {
    let store = store_by_code(db, code).await?;
    let mut tx = db.begin().await?;
    let token = insert_token(&mut tx, store.id).await?;
    tx.commit().await?;
    Ok(token)
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

/// The store a device token belongs to; `Unauthorized` for a wrong or revoked token.
pub async fn authenticate(db: &Db, token: &str) -> Result<StoreRef> {
    let row = sqlx::query(
        "SELECT s.id, s.code, s.name, s.currency FROM tokens t JOIN stores s ON s.id = t.store_id
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
    )
    .bind(hash_token(token))
    .fetch_optional(db.reader())
    .await?
    .ok_or(CentralError::Unauthorized)?;
    store_from_row(&row)
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
