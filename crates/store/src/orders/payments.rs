//! Money on an order: the payment of its total, and refunds of what was paid, per method.

use rusqlite::{Connection, Transaction, params};
use storedesk_domain::{Currency, Money, PaymentMethod};
use storedesk_protocol::events::PaymentItem;

use super::model::{Header, PaymentInput, PaymentKind};
use crate::error::{Result, StoreError};
use crate::sql::{Name, named};

/// Records the payment of the order's total (a different amount is refused).
pub(super) fn capture(
    tx: &Transaction<'_>,
    header: &Header,
    input: Option<&PaymentInput>,
    staff: Option<&str>,
    now: i64,
) -> Result<PaymentItem> {
    let input =
        input.ok_or_else(|| StoreError::Invalid("paying needs a method: cash, card or other".into()))?;
    let amount = input.amount_minor.unwrap_or(header.total_minor);
    if amount != header.total_minor {
        let currency = Currency::from_code(&header.currency)?;
        return Err(StoreError::PaymentMismatch {
            paid: Money::new(amount, currency).to_string(),
            total: Money::new(header.total_minor, currency).to_string(),
        });
    }
    let payment = Row { kind: PaymentKind::Payment, method: input.method, amount_minor: amount, staff };
    insert(tx, &header.id.to_string(), payment, now)?;
    Ok(PaymentItem { method: input.method, amount_minor: amount })
}

/// Refunds what was paid, per method.
pub(super) fn refund_all(tx: &Transaction<'_>, order_key: &str, staff: Option<&str>, now: i64) -> Result<()> {
    for (method, paid) in by_method(tx, order_key)? {
        if paid > 0 {
            insert(
                tx,
                order_key,
                Row { kind: PaymentKind::Refund, method, amount_minor: -paid, staff },
                now,
            )?;
        }
    }
    Ok(())
}

/// A payments row: a payment (positive) or a refund (negative), and who took or gave it.
pub(crate) struct Row<'a> {
    pub kind: PaymentKind,
    pub method: PaymentMethod,
    pub amount_minor: i64,
    pub staff: Option<&'a str>,
}

pub(crate) fn insert(tx: &Transaction<'_>, order_key: &str, row: Row<'_>, now: i64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO payments (order_id, kind, method, amount_minor, at, staff) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![order_key, Name(row.kind), Name(row.method), row.amount_minor, now, row.staff])?;
    Ok(())
}

/// What was taken per method, refunds subtracted.
pub(super) fn by_method(conn: &Connection, order_key: &str) -> Result<Vec<(PaymentMethod, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT method, SUM(amount_minor) FROM payments WHERE order_id = ?1 GROUP BY method ORDER BY method",
    )?;
    let items = stmt
        .query_map([order_key], |r| Ok((named(r, 0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(items)
}
