//! Attention items: what an operator has to decide on (an order central put on hold, a conflict,
//! a step central refused because another till acted first). They are written in the same
//! transaction as the change that raised them. Discrepancies: money handed back here in such a
//! refused step, kept as it happened.

use rusqlite::{Transaction, params};
use serde::Serialize;

use crate::error::Result;
use crate::{Store, db};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AttentionItem {
    pub id: i64,
    /// e.g. `reservation_rejected`, `conflict`.
    pub kind: String,
    pub order_id: Option<String>,
    pub order_number: Option<String>,
    pub message: String,
    pub detail: Option<serde_json::Value>,
    pub created_at: jiff::Timestamp,
    pub resolved_at: Option<jiff::Timestamp>,
}

/// Raises an item inside the caller's transaction.
pub(crate) fn raise(
    tx: &Transaction<'_>,
    kind: &str,
    order_id: Option<&str>,
    message: &str,
    detail: Option<&serde_json::Value>,
    now: i64,
) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO attention_items (kind, order_id, message, detail, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![kind, order_id, message, detail.map(|d| d.to_string()), now])?;
    Ok(tx.last_insert_rowid())
}

impl Store {
    /// Items, open ones first then newest first; `open_only` hides resolved ones.
    pub fn attention_items(&self, open_only: bool) -> Result<Vec<AttentionItem>> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT a.id, a.kind, a.order_id, o.number, a.message, a.detail, a.created_at, a.resolved_at
                 FROM attention_items a LEFT JOIN orders o ON o.id = a.order_id
                 WHERE (?1 = 0 OR a.resolved_at IS NULL)
                 ORDER BY a.resolved_at IS NOT NULL, a.id DESC",
            )?;
            let rows = stmt.query_map([open_only], |r| {
                let detail: Option<String> = r.get(5)?;
                Ok(AttentionItem {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    order_id: r.get(2)?,
                    order_number: r.get(3)?,
                    message: r.get(4)?,
                    detail: detail.and_then(|d| serde_json::from_str(&d).ok()),
                    created_at: db::timestamp(r.get(6)?),
                    resolved_at: r.get::<_, Option<i64>>(7)?.map(db::timestamp),
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Money this till handed back in a step central refused (another till acted first), newest
    /// first: `(order number, method, amount in minor units, negative)`.
    pub fn discrepancies(&self) -> Result<Vec<(String, Option<String>, i64)>> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT o.number, d.method, d.amount_minor FROM discrepancies d JOIN orders o ON o.id = d.order_id
                 ORDER BY d.id DESC",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }
}
