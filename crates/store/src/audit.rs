//! The audit trail: every state change, sign-in, approval, refusal and setting change, appended in
//! the transaction of what it records. Each record holds the SHA-256 of the one before it (a hash
//! chain per till, starting from 64 zeros), over its own fields and that hash, so a record edited,
//! removed or reordered in the database no longer fits ([`Store::verify_audit`] names the first).
//!
//! What the chain cannot show on its own: someone who rewrites every record after the one they
//! changed, recomputing each hash, or who cuts records off the end. Central holds the chain up to
//! the till's last sync and refuses one that does not continue it, which catches both for
//! everything synced.

use rusqlite::{Connection, Transaction, params};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::actor::Actor;
use crate::error::Result;
use crate::{Store, db};

/// The `prev_hash` of a till's first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One record of the trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuditRecord {
    pub seq: i64,
    pub at: jiff::Timestamp,
    /// The staff code, or the program (`central`, ...) for steps no person took.
    pub staff: Option<String>,
    pub approved_by: Option<String>,
    /// `order.pay`, `stock.adjust`, `staff.sign_in`, `staff.locked_out`, `step.refused`, ...
    pub action: String,
    /// What it is about: an order's number, a SKU, a staff code.
    pub subject: Option<String>,
    pub detail: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// What a record says, before it is chained.
pub(crate) struct Entry<'a> {
    pub action: &'a str,
    pub subject: Option<&'a str>,
    pub detail: Option<&'a str>,
}

/// The hash of a record: SHA-256 over its fields and the previous hash, as one JSON array (so no
/// two different records can read the same).
fn digest(record: &AuditRecord) -> String {
    let fields = serde_json::json!([
        record.seq,
        record.at.as_millisecond(),
        record.staff,
        record.approved_by,
        record.action,
        record.subject,
        record.detail,
        record.prev_hash,
    ]);
    let hash = Sha256::digest(fields.to_string().as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends a record inside the caller's transaction.
pub(crate) fn append(tx: &Transaction<'_>, by: &Actor, entry: Entry<'_>, now: i64) -> Result<()> {
    let (seq, prev_hash): (i64, String) = tx
        .prepare_cached(
            "SELECT COALESCE(MAX(seq), 0) + 1, COALESCE((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), ?1)
             FROM audit_log",
        )?
        .query_row([GENESIS], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let mut record = AuditRecord {
        seq,
        at: db::timestamp(now),
        staff: Some(by.recorded().to_string()),
        approved_by: by.approver().map(|c| c.to_string()),
        action: entry.action.to_string(),
        subject: entry.subject.map(str::to_string),
        detail: entry.detail.map(str::to_string),
        prev_hash,
        hash: String::new(),
    };
    record.hash = digest(&record);
    tx.prepare_cached(
        "INSERT INTO audit_log (seq, at, staff, approved_by, action, subject, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        record.seq,
        now,
        record.staff,
        record.approved_by,
        record.action,
        record.subject,
        record.detail,
        record.prev_hash,
        record.hash
    ])?;
    Ok(())
}

/// Which records to list (newest first).
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub staff: Option<String>,
    /// Actions starting with this (`order.`, `staff.sign_in`).
    pub action: Option<String>,
    pub from: Option<jiff::Timestamp>,
    pub to: Option<jiff::Timestamp>,
    pub limit: usize,
}

/// The outcome of checking the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuditCheck {
    pub records: i64,
    /// The hash of the last record (what the next one continues).
    pub head: String,
    /// The first record that does not fit, and how.
    pub first_bad: Option<BadRecord>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BadRecord {
    pub seq: i64,
    pub problem: String,
}

fn record_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRecord> {
    Ok(AuditRecord {
        seq: r.get(0)?,
        at: db::timestamp(r.get(1)?),
        staff: r.get(2)?,
        approved_by: r.get(3)?,
        action: r.get(4)?,
        subject: r.get(5)?,
        detail: r.get(6)?,
        prev_hash: r.get(7)?,
        hash: r.get(8)?,
    })
}

const COLUMNS: &str = "seq, at, staff, approved_by, action, subject, detail, prev_hash, hash";

/// Walks the chain in order: the first record whose hash does not match its fields (edited),
/// whose number skips (removed), or that does not continue the one before it (reordered).
pub(crate) fn verify(conn: &Connection) -> Result<AuditCheck> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    let (mut expected_seq, mut head, mut records) = (1_i64, GENESIS.to_string(), 0_i64);
    while let Some(row) = rows.next()? {
        let record = record_from_row(row)?;
        records += 1;
        let problem = if record.seq != expected_seq {
            Some(format!("records {expected_seq} to {} are missing", record.seq - 1))
        } else if digest(&record) != record.hash {
            Some("it was changed: its hash does not match what it says".to_string())
        } else if record.prev_hash != head {
            Some(format!("it does not follow record {}: records were removed or reordered", record.seq - 1))
        } else {
            None
        };
        if let Some(problem) = problem {
            return Ok(AuditCheck { records, head, first_bad: Some(BadRecord { seq: record.seq, problem }) });
        }
        head = record.hash;
        expected_seq += 1;
    }
    Ok(AuditCheck { records, head, first_bad: None })
}

impl Store {
    /// Checks the whole audit chain.
    pub fn verify_audit(&self) -> Result<AuditCheck> {
        self.read(verify)
    }

    /// Records of the trail, newest first.
    pub fn audit_records(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {COLUMNS} FROM audit_log
                 WHERE (?1 IS NULL OR staff = ?1 OR approved_by = ?1)
                   AND (?2 IS NULL OR substr(action, 1, length(?2)) = ?2)
                   AND (?3 IS NULL OR at >= ?3) AND (?4 IS NULL OR at < ?4)
                 ORDER BY seq DESC LIMIT ?5"
            ))?;
            let rows = stmt.query_map(
                params![
                    filter.staff.as_deref().map(str::to_ascii_uppercase),
                    filter.action,
                    filter.from.map(|t| t.as_millisecond()),
                    filter.to.map(|t| t.as_millisecond()),
                    filter.limit as i64
                ],
                record_from_row,
            )?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }
}
