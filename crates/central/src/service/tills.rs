//! Tills: each device of a store is a till (`T1`, `T2`, ...) with its own tokens. `device add`
//! makes a till with a first token and a one-time join code; a join exchanges the code for a new
//! token of that till, so no long-lived secret is typed or shown at the till. The first
//! installation that claims a till (`POST /v1/till`) owns it: another machine with the same
//! till's token is refused (`till_in_use`), so two machines never draw numbers as one till.

use sqlx::Row;
use storedesk_domain::TillCode;
use storedesk_protocol::api::{Joined, TillInfo};

use super::tokens::{hash_token, new_token};
use super::{DeviceRef, StoreRef};
use crate::db::{Db, now_ms};
use crate::error::{CentralError, Result};

/// How long a join code works (15 minutes).
pub const JOIN_CODE_TTL_MS: i64 = 15 * 60 * 1000;

/// A till as `device list` shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct TillRow {
    #[schema(value_type = String, example = "T2")]
    pub till: TillCode,
    pub name: String,
    pub created_at: i64,
    /// Whether an installation has claimed it.
    pub claimed: bool,
    pub revoked: bool,
}

/// A new till: its code, its first token and a join code (each shown once).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct NewTill {
    pub store: String,
    #[schema(value_type = String, example = "T2")]
    pub till: TillCode,
    pub name: String,
    /// Shown once; central keeps only its hash.
    pub token: String,
    /// One-time, short-lived: `storedesk join --code ...` or the app's first screen.
    pub join_code: String,
    pub join_expires_at: i64,
}

/// Adds a till to a store, with its first token and a join code.
pub async fn add_till(db: &Db, store: &StoreRef, name: Option<&str>) -> Result<NewTill> {
    let mut tx = db.begin().await?;
    let till = insert_till(&mut tx, store, name).await?;
    tx.commit().await?;
    Ok(till)
}

/// Inserts the store's next till with a token and a join code (inside the caller's transaction).
pub(crate) async fn insert_till(
    conn: &mut sqlx::AnyConnection,
    store: &StoreRef,
    name: Option<&str>,
) -> Result<NewTill> {
    // Numbers are never reused: the next one is past every till the store ever had, revoked too.
    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(number) FROM tills WHERE store_id = $1")
        .bind(store.id)
        .fetch_one(&mut *conn)
        .await?;
    let number = last.unwrap_or(0) + 1;
    let till = u32::try_from(number).ok().and_then(|n| TillCode::new(n).ok()).ok_or_else(|| {
        CentralError::out_of_range("till", format!("a store has at most {} tills", TillCode::MAX))
    })?;
    let name = name.map(str::trim).filter(|n| !n.is_empty()).map_or_else(|| till.to_string(), str::to_string);
    if name.chars().count() > 100 {
        return Err(CentralError::invalid("name", "at most 100 characters"));
    }
    let now = now_ms();
    let till_id: i64 = sqlx::query_scalar(
        "INSERT INTO tills (store_id, number, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(store.id)
    .bind(number)
    .bind(&name)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let token = insert_token(conn, store.id, till_id).await?;
    let (join_code, join_expires_at) = insert_join_code(conn, till_id, now).await?;
    Ok(NewTill { store: store.code.clone(), till, name, token, join_code, join_expires_at })
}

async fn insert_token(conn: &mut sqlx::AnyConnection, store_id: i64, till_id: i64) -> Result<String> {
    let token = new_token("sdt_");
    sqlx::query("INSERT INTO tokens (store_id, till_id, token_hash, created_at) VALUES ($1, $2, $3, $4)")
        .bind(store_id)
        .bind(till_id)
        .bind(hash_token(&token))
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    Ok(token)
}

/// A join code: 12 characters of Crockford's base32 (60 random bits) in groups of four,
/// `7KQ4-M2XD-9PRT`; typed in any case, with or without the dashes.
fn new_join_code() -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bits = uuid::Uuid::new_v4().as_u128();
    let chars: Vec<char> = (0..12).map(|i| char::from(ALPHABET[((bits >> (5 * i)) & 31) as usize])).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// The code as it is hashed: upper case, no dashes or blanks, Crockford's look-alikes read as
/// digits (`O` as 0, `I`/`L` as 1).
fn normal_join_code(code: &str) -> String {
    code.chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

async fn insert_join_code(conn: &mut sqlx::AnyConnection, till_id: i64, now: i64) -> Result<(String, i64)> {
    let code = new_join_code();
    let expires_at = now + JOIN_CODE_TTL_MS;
    sqlx::query("INSERT INTO join_codes (code_hash, till_id, expires_at) VALUES ($1, $2, $3)")
        .bind(hash_token(&normal_join_code(&code)))
        .bind(till_id)
        .bind(expires_at)
        .execute(&mut *conn)
        .await?;
    Ok((code, expires_at))
}

/// Exchanges a one-time join code for a new token of its till. A wrong, used or expired code is
/// refused alike (`join_refused`), so a guess learns nothing.
pub async fn join(db: &Db, code: &str) -> Result<Joined> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    let refused = || CentralError::Conflict {
        code: "join_refused",
        message: "this join code is wrong, used or expired; ask for a new one (storedesk-central device add)"
            .into(),
    };
    let row = sqlx::query(
        "SELECT j.till_id FROM join_codes j JOIN tills t ON t.id = j.till_id
         WHERE j.code_hash = $1 AND j.used_at IS NULL AND j.expires_at > $2 AND t.revoked_at IS NULL",
    )
    .bind(hash_token(&normal_join_code(code)))
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(refused)?;
    let till_id: i64 = row.try_get(0)?;
    let used = sqlx::query("UPDATE join_codes SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL")
        .bind(now)
        .bind(hash_token(&normal_join_code(code)))
        .execute(&mut *tx)
        .await?;
    if used.rows_affected() != 1 {
        return Err(refused());
    }
    let info = till_info(&mut tx, till_id).await?;
    let store_id: i64 = sqlx::query_scalar("SELECT store_id FROM tills WHERE id = $1")
        .bind(till_id)
        .fetch_one(&mut *tx)
        .await?;
    let token = insert_token(&mut tx, store_id, till_id).await?;
    tx.commit().await?;
    Ok(Joined { till: info, token })
}

async fn till_info(conn: &mut sqlx::AnyConnection, till_id: i64) -> Result<TillInfo> {
    let row = sqlx::query(
        "SELECT s.code, s.name, s.currency, t.number, t.name FROM tills t JOIN stores s ON s.id = t.store_id
         WHERE t.id = $1",
    )
    .bind(till_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(TillInfo {
        store: row.try_get(0)?,
        store_name: row.try_get(1)?,
        currency: row.try_get(2)?,
        till: till_code(row.try_get(3)?)?,
        till_name: row.try_get(4)?,
    })
}

pub(crate) fn till_code(number: i64) -> Result<TillCode> {
    u32::try_from(number)
        .ok()
        .and_then(|n| TillCode::new(n).ok())
        .ok_or_else(|| CentralError::corrupt("a till's number", std::fmt::Error))
}

/// The device says which installation it is; the first to ask owns the till. Another one is
/// refused with `till_in_use` (409).
pub async fn claim(db: &Db, device: &DeviceRef, installation: &str) -> Result<TillInfo> {
    let installation = installation.trim();
    if installation.is_empty() || installation.chars().count() > 100 {
        return Err(CentralError::invalid("installation", "1 to 100 characters"));
    }
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE tills SET installation = $1 WHERE id = $2 AND installation IS NULL")
        .bind(installation)
        .bind(device.till_id)
        .execute(&mut *tx)
        .await?;
    let owner: Option<String> = sqlx::query_scalar("SELECT installation FROM tills WHERE id = $1")
        .bind(device.till_id)
        .fetch_one(&mut *tx)
        .await?;
    if owner.as_deref() != Some(installation) {
        return Err(CentralError::Conflict {
            code: "till_in_use",
            message: format!(
                "till {} of {} is in use on another machine; add a till for this one (storedesk-central device add)",
                device.till, device.store.code
            ),
        });
    }
    let info = till_info(&mut tx, device.till_id).await?;
    tx.commit().await?;
    Ok(info)
}

/// The store's tills, oldest first.
pub async fn list_tills(db: &Db, store: &StoreRef) -> Result<Vec<TillRow>> {
    let rows = sqlx::query(
        "SELECT number, name, created_at, CASE WHEN installation IS NULL THEN 0 ELSE 1 END,
                CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END
         FROM tills WHERE store_id = $1 ORDER BY number",
    )
    .bind(store.id)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TillRow {
                till: till_code(r.try_get(0)?)?,
                name: r.try_get(1)?,
                created_at: r.try_get(2)?,
                claimed: r.try_get::<i64, _>(3)? != 0,
                revoked: r.try_get::<i64, _>(4)? != 0,
            })
        })
        .collect()
}

/// Revokes a till and every token of it: its requests get 401 from then on.
pub async fn revoke_till(db: &Db, store: &StoreRef, till: &str) -> Result<()> {
    let till = TillCode::parse(till).map_err(|e| CentralError::invalid("till", e.to_string()))?;
    let now = now_ms();
    let mut tx = db.begin().await?;
    let till_id: i64 =
        sqlx::query_scalar("SELECT id FROM tills WHERE store_id = $1 AND number = $2 AND revoked_at IS NULL")
            .bind(store.id)
            .bind(i64::from(till.number()))
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| CentralError::not_found("active till", format!("{} {till}", store.code)))?;
    sqlx::query("UPDATE tills SET revoked_at = $1 WHERE id = $2")
        .bind(now)
        .bind(till_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE till_id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(till_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A till whose machine is gone, set up again elsewhere as the same till: its tokens are revoked,
/// its installation forgotten (the next machine to claim it owns it), and a new token and join code
/// issued. Its code, numbers and sequence heads stay: the new machine reads its orders and heads in
/// the snapshot and goes on after them.
pub async fn replace_till(db: &Db, store: &StoreRef, till: &str) -> Result<NewTill> {
    let till = TillCode::parse(till).map_err(|e| CentralError::invalid("till", e.to_string()))?;
    let now = now_ms();
    let mut tx = db.begin().await?;
    let row =
        sqlx::query("SELECT id, name FROM tills WHERE store_id = $1 AND number = $2 AND revoked_at IS NULL")
            .bind(store.id)
            .bind(i64::from(till.number()))
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| CentralError::not_found("active till", format!("{} {till}", store.code)))?;
    let (till_id, name): (i64, String) = (row.try_get(0)?, row.try_get(1)?);
    sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE till_id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(till_id)
        .execute(&mut *tx)
        .await?;
    // The new machine's audit chain starts again: it is kept as the till's next generation.
    sqlx::query(
        "UPDATE tills SET installation = NULL, audit_generation = audit_generation + 1 WHERE id = $1",
    )
    .bind(till_id)
    .execute(&mut *tx)
    .await?;
    let token = insert_token(&mut tx, store.id, till_id).await?;
    let (join_code, join_expires_at) = insert_join_code(&mut tx, till_id, now).await?;
    tx.commit().await?;
    Ok(NewTill { store: store.code.clone(), till, name, token, join_code, join_expires_at })
}
