//! Each till's audit chain as central receives it (`POST /v1/audit`): an upload must continue the
//! chain central holds of that till — the next number, after the last hash — and every record's
//! hash must match what it says. What fits is kept; the first record that does not is flagged
//! (`audit_breaks`) and answered `audit_chain_broken`, so a till whose trail was rewritten or cut
//! short after its last sync is caught. A lockout a till records locks the person out of the
//! store's other tills too (with the store's lockout time, from the record's time).

use std::convert::Infallible;

use sqlx::Row;
use storedesk_domain::TillCode;
use storedesk_protocol::api::codes;
use storedesk_protocol::audit::{
    self, AuditCheck, AuditReceipt, AuditRecord, BadRecord, GENESIS, MAX_FIELD, MAX_UPLOAD,
};

use super::{DeviceRef, StoreRef, staff, tills};
use crate::db::{Db, now_ms};
use crate::error::{CentralError, Result};

fn record_from_row(r: &sqlx::any::AnyRow) -> Result<AuditRecord> {
    let at: i64 = r.try_get(1)?;
    Ok(AuditRecord {
        seq: r.try_get(0)?,
        at: jiff::Timestamp::from_millisecond(at)
            .map_err(|e| CentralError::corrupt("an audit record's time", e))?,
        staff: r.try_get(2)?,
        approved_by: r.try_get(3)?,
        action: r.try_get(4)?,
        subject: r.try_get(5)?,
        detail: r.try_get(6)?,
        prev_hash: r.try_get(7)?,
        hash: r.try_get(8)?,
    })
}

/// Bounds on what a till sends, checked before anything is read.
fn validate(records: &[AuditRecord]) -> Result<()> {
    if records.len() > MAX_UPLOAD {
        return Err(CentralError::invalid("records", format!("at most {MAX_UPLOAD} records per upload")));
    }
    for (i, r) in records.iter().enumerate() {
        let fields = [
            Some(&r.action),
            r.subject.as_ref(),
            r.detail.as_ref(),
            r.staff.as_ref(),
            r.approved_by.as_ref(),
        ];
        if fields.iter().flatten().any(|f| f.len() > MAX_FIELD) {
            return Err(CentralError::invalid(
                format!("records[{i}]"),
                format!("a field is over {MAX_FIELD} bytes"),
            ));
        }
        if r.hash.len() != 64 || r.prev_hash.len() != 64 {
            return Err(CentralError::invalid(format!("records[{i}].hash"), "a SHA-256 in 64 hex digits"));
        }
    }
    Ok(())
}

/// The till's current chain (its generation), and the last record central holds of it
/// (`(0, GENESIS)` before the first).
async fn head(conn: &mut sqlx::AnyConnection, till_id: i64, lock: &str) -> Result<(i64, i64, String)> {
    // The till's row is locked (PostgreSQL; SQLite's write lock is already held), so two uploads
    // of one till at once take turns rather than fail on each other's records.
    let sql = format!("SELECT audit_generation FROM tills WHERE id = $1{lock}");
    let generation: i64 =
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(till_id).fetch_one(&mut *conn).await?;
    let row = sqlx::query(
        "SELECT seq, hash FROM audit_records WHERE till_id = $1 AND generation = $2 ORDER BY seq DESC LIMIT 1",
    )
    .bind(till_id)
    .bind(generation)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(r) => (generation, r.try_get(0)?, r.try_get(1)?),
        None => (generation, 0, GENESIS.to_string()),
    })
}

/// Receives a till's next records. Records central already holds (an upload whose answer was
/// lost) are skipped when they are the same; anything else must continue the chain.
pub async fn receive(db: &Db, device: &DeviceRef, records: &[AuditRecord]) -> Result<AuditReceipt> {
    validate(records)?;
    let mut tx = db.begin().await?;
    let (generation, held_seq, held_hash) = head(&mut tx, device.till_id, db.lock_rows()).await?;
    let at = Chain { till_id: device.till_id, generation };
    let mut fresh = records;
    while let Some((first, rest)) = fresh.split_first() {
        if first.seq > held_seq {
            break;
        }
        let stored: Option<String> = sqlx::query_scalar(
            "SELECT hash FROM audit_records WHERE till_id = $1 AND generation = $2 AND seq = $3",
        )
        .bind(at.till_id)
        .bind(at.generation)
        .bind(first.seq)
        .fetch_optional(&mut *tx)
        .await?;
        if stored.as_deref() != Some(first.hash.as_str()) {
            break;
        }
        fresh = rest;
    }
    let Ok(check) = audit::check::<Infallible>(held_seq + 1, &held_hash, fresh.iter().cloned().map(Ok));
    let fits = check.first_bad.as_ref().map_or(fresh.len(), |_| (check.records - 1) as usize);
    let now = now_ms();
    for record in &fresh[..fits] {
        keep(&mut tx, device, at, record, now).await?;
    }
    let (seq, hash) = fresh[..fits].last().map_or((held_seq, held_hash), |r| (r.seq, r.hash.clone()));
    if let Some(bad) = check.first_bad {
        // A till that sends the same misfit again (each round) is flagged once.
        sqlx::query(
            "INSERT INTO audit_breaks (till_id, generation, seq, problem, received_at)
             SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (
                 SELECT 1 FROM audit_breaks WHERE till_id = $1 AND generation = $2 AND seq = $3)",
        )
        .bind(at.till_id)
        .bind(at.generation)
        .bind(bad.seq)
        .bind(&bad.problem)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::warn!(store = %device.store.code, till = %device.till, seq = bad.seq, problem = %bad.problem, "audit chain broken");
        return Err(CentralError::Conflict {
            code: codes::AUDIT_CHAIN_BROKEN,
            message: format!(
                "audit record {} of till {} does not fit the chain central holds (up to record {seq}): {}",
                bad.seq, device.till, bad.problem
            ),
        });
    }
    tx.commit().await?;
    Ok(AuditReceipt { seq, hash })
}

/// Which chain of which till.
#[derive(Clone, Copy, Debug)]
struct Chain {
    till_id: i64,
    generation: i64,
}

async fn keep(
    conn: &mut sqlx::AnyConnection,
    device: &DeviceRef,
    at_chain: Chain,
    r: &AuditRecord,
    now: i64,
) -> Result<()> {
    let at = r.at.as_millisecond();
    sqlx::query(
        "INSERT INTO audit_records (till_id, generation, seq, at, staff, approved_by, action, subject, detail,
             prev_hash, hash, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(at_chain.till_id)
    .bind(at_chain.generation)
    .bind(r.seq)
    .bind(at)
    .bind(&r.staff)
    .bind(&r.approved_by)
    .bind(&r.action)
    .bind(&r.subject)
    .bind(&r.detail)
    .bind(&r.prev_hash)
    .bind(&r.hash)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if r.action == "staff.locked_out"
        && let Some(code) = &r.subject
    {
        // From the record's time, but never later than from now: a till's clock (or a tampered
        // record) cannot lock a person out for longer than the store's lockout time.
        let lockout = staff::lockout_ms(conn, device.store.id).await?;
        let until = at.min(now).saturating_add(lockout);
        staff::lock_out(conn, device.store.id, code, until).await?;
    }
    Ok(())
}

/// One till's chain as central holds it, checked again from its start, and the breaks flagged.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TillChain {
    pub till: TillCode,
    /// 0 for the till's first machine, then one more each time it was set up again.
    pub generation: i64,
    pub check: AuditCheck,
    /// Uploads that did not continue the chain, as flagged when they arrived.
    pub breaks: Vec<BadRecord>,
}

impl TillChain {
    pub fn fits(&self) -> bool {
        self.check.first_bad.is_none() && self.breaks.is_empty()
    }
}

/// Checks every chain of every till of a store (a till set up again has one per machine).
pub async fn verify(db: &Db, store: &StoreRef) -> Result<Vec<TillChain>> {
    let tills =
        sqlx::query("SELECT id, number, audit_generation FROM tills WHERE store_id = $1 ORDER BY number")
            .bind(store.id)
            .fetch_all(db.reader())
            .await?;
    let mut chains = Vec::with_capacity(tills.len());
    for t in &tills {
        let till_id: i64 = t.try_get(0)?;
        let till = tills::till_code(t.try_get(1)?)?;
        let current: i64 = t.try_get(2)?;
        for generation in 0..=current {
            let chain = Chain { till_id, generation };
            chains.push(TillChain {
                till,
                generation,
                check: check_chain(db, chain).await?,
                breaks: breaks(db, chain).await?,
            });
        }
    }
    Ok(chains)
}

async fn check_chain(db: &Db, chain: Chain) -> Result<AuditCheck> {
    let rows = sqlx::query(
        "SELECT seq, at, staff, approved_by, action, subject, detail, prev_hash, hash
         FROM audit_records WHERE till_id = $1 AND generation = $2 ORDER BY seq",
    )
    .bind(chain.till_id)
    .bind(chain.generation)
    .fetch_all(db.reader())
    .await?;
    audit::check(1, GENESIS, rows.iter().map(record_from_row))
}

async fn breaks(db: &Db, chain: Chain) -> Result<Vec<BadRecord>> {
    sqlx::query("SELECT seq, problem FROM audit_breaks WHERE till_id = $1 AND generation = $2 ORDER BY id")
        .bind(chain.till_id)
        .bind(chain.generation)
        .fetch_all(db.reader())
        .await?
        .iter()
        .map(|r| Ok(BadRecord { seq: r.try_get(0)?, problem: r.try_get(1)? }))
        .collect()
}
