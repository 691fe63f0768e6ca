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
use storedesk_protocol::audit::MAX_FIELD;
pub use storedesk_protocol::audit::{AuditCheck, AuditRecord, BadRecord, GENESIS};

use crate::actor::Actor;
use crate::error::Result;
use crate::{Store, db};

/// What a record says, before it is chained.
pub(crate) struct Entry<'a> {
    pub action: &'a str,
    pub subject: Option<&'a str>,
    pub detail: Option<&'a str>,
}

/// A field as the trail keeps it: at most [`MAX_FIELD`] bytes (cut at a character), what central
/// accepts of a record.
fn capped(text: &str) -> String {
    if text.len() <= MAX_FIELD {
        return text.to_string();
    }
    let mut end = MAX_FIELD - '…'.len_utf8();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
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
        action: capped(entry.action),
        subject: entry.subject.map(capped),
        detail: entry.detail.map(capped),
        prev_hash,
        hash: String::new(),
    };
    record.hash = record.digest();
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

/// Walks the chain from its start (see [`storedesk_protocol::audit::check`]).
pub(crate) fn verify(conn: &Connection) -> Result<AuditCheck> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"))?;
    let rows = stmt.query_map([], record_from_row)?;
    Ok(storedesk_protocol::audit::check(1, GENESIS, rows)?)
}

/// Records after `seq`, oldest first, at most `limit` (what to upload to central).
pub(crate) fn records_after(conn: &Connection, seq: i64, limit: usize) -> Result<Vec<AuditRecord>> {
    let mut stmt = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2"))?;
    let rows = stmt.query_map(params![seq, limit as i64], record_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
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

/// Writes records as CSV (a header, then one row per record) to `path`, through a temporary file
/// renamed into place, so a failed export leaves nothing half-written.
pub fn write_csv(records: &[AuditRecord], path: &std::path::Path) -> Result<()> {
    let fail = |e: &dyn std::fmt::Display| {
        crate::StoreError::Invalid(format!("cannot write {}: {e}", path.display()))
    };
    let partial = path.with_extension("partial");
    {
        let mut out = csv::Writer::from_path(&partial).map_err(|e| fail(&e))?;
        out.write_record(["seq", "at", "staff", "approved_by", "action", "subject", "detail", "hash"])
            .map_err(|e| fail(&e))?;
        for r in records {
            let at = r.at.to_string();
            let seq = r.seq.to_string();
            let field = |f: &Option<String>| f.clone().unwrap_or_default();
            out.write_record([
                seq,
                at,
                field(&r.staff),
                field(&r.approved_by),
                r.action.clone(),
                field(&r.subject),
                field(&r.detail),
                r.hash.clone(),
            ])
            .map_err(|e| fail(&e))?;
        }
        out.flush().map_err(|e| fail(&e))?;
    }
    std::fs::rename(&partial, path).map_err(|e| fail(&e))
}
