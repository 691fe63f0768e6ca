//! The audit chain: what a till's audit record holds, its hash, and the walk that checks a run of
//! records continues a known head. The device keeps and checks its own chain with these; central
//! checks each upload with the same code, so the two cannot disagree on what a record's hash is.
//!
//! Each record's `hash` is the SHA-256 of one JSON array of its fields and `prev_hash` (so no two
//! different records read the same); the first record of a till follows [`GENESIS`].

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// The `prev_hash` of a till's first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The most records one upload may carry.
pub const MAX_UPLOAD: usize = 1_000;

/// The longest text a record's `action`, `subject` or `detail` may hold (central refuses longer).
pub const MAX_FIELD: usize = 1_000;

/// One record of a till's trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRecord {
    pub seq: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub at: jiff::Timestamp,
    /// The staff code, or the program (`central`, `setup`, ...) for steps no person took.
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

impl AuditRecord {
    /// The hash this record's fields and `prev_hash` give (what `hash` must be).
    pub fn digest(&self) -> String {
        let fields = serde_json::json!([
            self.seq,
            self.at.as_millisecond(),
            self.staff,
            self.approved_by,
            self.action,
            self.subject,
            self.detail,
            self.prev_hash,
        ]);
        let hash = Sha256::digest(fields.to_string().as_bytes());
        hash.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The outcome of checking a chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditCheck {
    pub records: i64,
    /// The hash of the last record that fits (what the next one continues).
    pub head: String,
    /// The first record that does not fit, and how.
    pub first_bad: Option<BadRecord>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BadRecord {
    pub seq: i64,
    pub problem: String,
}

/// Walks records in order from a known point — the record numbered `next_seq` must follow `head`
/// — and stops at the first whose number skips (removed), whose hash does not match its fields
/// (edited), or that does not continue the one before (reordered, or a chain that is not the one
/// held). A chain checked from its start begins at `(1, GENESIS)`.
pub fn check<E>(
    next_seq: i64,
    head: &str,
    records: impl IntoIterator<Item = Result<AuditRecord, E>>,
) -> Result<AuditCheck, E> {
    let (mut expected_seq, mut head, mut count) = (next_seq, head.to_string(), 0_i64);
    for record in records {
        let record = record?;
        count += 1;
        let problem = if record.seq != expected_seq {
            Some(if record.seq > expected_seq {
                format!("records {expected_seq} to {} are missing", record.seq - 1)
            } else {
                format!("record {} comes again where {expected_seq} was expected", record.seq)
            })
        } else if record.digest() != record.hash {
            Some("it was changed: its hash does not match what it says".to_string())
        } else if record.prev_hash != head {
            Some(format!(
                "it does not follow record {}: records were removed or reordered, or the chain was replaced",
                record.seq - 1
            ))
        } else {
            None
        };
        if let Some(problem) = problem {
            return Ok(AuditCheck {
                records: count,
                head,
                first_bad: Some(BadRecord { seq: record.seq, problem }),
            });
        }
        head = record.hash;
        expected_seq += 1;
    }
    Ok(AuditCheck { records: count, head, first_bad: None })
}

/// `POST /v1/audit`: the till's next records, oldest first, continuing what central holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditUpload {
    pub records: Vec<AuditRecord>,
}

/// `POST /v1/audit` answer: the last record central holds of this till's chain after the upload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditReceipt {
    pub seq: i64,
    pub hash: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut r = AuditRecord {
                    seq,
                    at: jiff::Timestamp::from_millisecond(1_000 * seq).expect("a time"),
                    staff: Some("ANN".into()),
                    approved_by: None,
                    action: "order.pay".into(),
                    subject: Some(format!("T1-{seq}")),
                    detail: None,
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                r.hash = r.digest();
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    fn walk(records: Vec<AuditRecord>) -> AuditCheck {
        check::<()>(1, GENESIS, records.into_iter().map(Ok)).expect("no read error")
    }

    #[test]
    fn an_intact_chain_fits_and_ends_at_its_last_hash() {
        let records = chain(3);
        let head = records[2].hash.clone();
        assert_eq!(walk(records), AuditCheck { records: 3, head, first_bad: None });
    }

    #[test]
    fn an_edited_removed_or_swapped_record_is_named() {
        let mut edited = chain(3);
        edited[1].detail = Some("changed".into());
        assert_eq!(walk(edited).first_bad.map(|b| b.seq), Some(2));

        let mut removed = chain(3);
        removed.remove(1);
        let bad = walk(removed).first_bad.expect("a gap");
        assert_eq!((bad.seq, bad.problem.contains("missing")), (3, true));

        let mut swapped = chain(3);
        swapped.swap(1, 2);
        assert_eq!(walk(swapped).first_bad.map(|b| b.seq), Some(3));
    }

    #[test]
    fn a_run_must_continue_the_head_it_is_checked_against() {
        let records = chain(4);
        let tail = records[2..].to_vec();
        let from_head = check::<()>(3, &records[1].hash, tail.clone().into_iter().map(Ok)).expect("walk");
        assert_eq!(from_head.first_bad, None);
        let other_head = check::<()>(3, &records[0].hash, tail.into_iter().map(Ok)).expect("walk");
        assert_eq!(other_head.first_bad.map(|b| b.seq), Some(3));
    }
}
