//! The store's orders as central holds them (`ChangeBody::Order` in the feed): every till sees
//! every order of its store, whichever till took it.
//!
//! - An order this device does not have is inserted as central holds it: status, lines,
//!   payments and refunds (with the times the till that took them gave), no stock movement here
//!   (central's stock snapshots count it) and nothing to announce.
//! - An order this device has follows central's status once nothing of it is unsettled here
//!   (pending or dead in the outbox): what this till sent is judged by central first. A
//!   snapshot older than the one central's answer to this till's last step named
//!   (`order_change_id`) is ignored, so a copy never steps back to an earlier status. So when
//!   another till won a race on the order (both refunded it, one shipped what the other
//!   cancelled), this till's copy ends as central decided; what was done here stays on record
//!   (the attention item, the local refund). Another till's order also takes central's payments.

use rusqlite::{OptionalExtension, Transaction, params};
use storedesk_domain::{Named, OrderId, OrderStatus};
use storedesk_protocol::api::OrderSnapshot;
use storedesk_protocol::events::order_aggregate;

use super::model::{Header, PaymentKind};
use super::place::{insert_order, lines_from_wire};
use super::read::resolve;
use crate::error::Result;
use crate::sql::Name;

/// Who the snapshot says took the order, as the timeline's actor.
fn source(snapshot: &OrderSnapshot) -> String {
    snapshot.till.map_or_else(|| "central".to_string(), |t| format!("till {t}"))
}

/// Central's answer to one of this device's events put the order's snapshot at feed id `change`.
pub(crate) fn saw_central_change(tx: &Transaction<'_>, id: OrderId, change: i64) -> Result<()> {
    tx.prepare_cached(
        "UPDATE orders SET central_change_id = MAX(COALESCE(central_change_id, 0), ?2) WHERE id = ?1",
    )?
    .execute(params![id.to_string(), change])?;
    Ok(())
}

/// Applies the snapshot at feed id `change`; `true` when it changed something here.
pub(crate) fn mirror(
    tx: &Transaction<'_>,
    snapshot: &OrderSnapshot,
    change: i64,
    my_till: &str,
    now: i64,
) -> Result<bool> {
    let id = snapshot.order_id.to_string();
    let known: Option<(String, Option<String>, Option<i64>)> = tx
        .prepare_cached("SELECT status, till, central_change_id FROM orders WHERE id = ?1")?
        .query_row([&id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((status, till, seen)) = known else {
        insert_mirrored(tx, snapshot, now)?;
        saw_central_change(tx, snapshot.order_id, change)?;
        go_on_after(tx, snapshot, my_till)?;
        return Ok(true);
    };
    go_on_after(tx, snapshot, my_till)?;
    // A snapshot older than one this device already knows of (its own step's, applied since).
    if seen.is_some_and(|seen| change <= seen) {
        return Ok(false);
    }
    let unsettled: i64 = tx
        .prepare_cached("SELECT COUNT(*) FROM outbox WHERE aggregate = ?1 AND status IN ('pending', 'dead')")?
        .query_row([order_aggregate(snapshot.order_id)], |r| r.get(0))?;
    if unsettled > 0 {
        return Ok(false);
    }
    saw_central_change(tx, snapshot.order_id, change)?;
    let foreign = till.as_deref() != Some(my_till);
    if foreign {
        write_payments(tx, snapshot)?;
    }
    if status == snapshot.status.name() {
        return Ok(foreign);
    }
    let header = resolve(tx, &id)?;
    let step = header.steps + 1;
    let ended = matches!(
        snapshot.status,
        OrderStatus::Shipped | OrderStatus::Delivered | OrderStatus::Cancelled | OrderStatus::Refunded
    );
    tx.prepare_cached(
        "UPDATE orders SET status = ?2, steps = ?3, updated_at = ?4, central_reservation = ?5,
             reservation_held = CASE WHEN ?6 THEN 0 ELSE reservation_held END WHERE id = ?1",
    )?
    .execute(params![id, Name(snapshot.status), step, now, snapshot.reservation.map(Name), ended])?;
    timeline(tx, &id, (step, Some(header.status), snapshot.status), &source(snapshot), now)?;
    Ok(true)
}

/// What central holds of this till's numbers, so that a till set up again on a new machine never
/// reuses one: its last event number on the order, and — for an order it took — the day's order
/// number (`SH01-T2-20261201-0007` makes the day's next one 0008).
fn go_on_after(tx: &Transaction<'_>, snapshot: &OrderSnapshot, my_till: &str) -> Result<()> {
    let id = snapshot.order_id.to_string();
    if let Some(head) = snapshot.heads.get(my_till) {
        tx.prepare_cached("UPDATE orders SET event_seq = MAX(event_seq, ?2) WHERE id = ?1")?
            .execute(params![id, head])?;
    }
    if snapshot.till.is_some_and(|t| t.to_string() == my_till) {
        let mut parts = snapshot.number.rsplitn(3, '-');
        let seq = parts.next().and_then(|s| s.parse::<i64>().ok());
        let day = parts.next().and_then(|d| d.parse::<i64>().ok());
        if let (Some(seq), Some(day)) = (seq, day) {
            tx.prepare_cached(
                "INSERT INTO order_number_days (day, last) VALUES (?1, ?2)
                 ON CONFLICT (day) DO UPDATE SET last = MAX(last, excluded.last)",
            )?
            .execute(params![day, seq])?;
        }
    }
    Ok(())
}

fn insert_mirrored(tx: &Transaction<'_>, snapshot: &OrderSnapshot, now: i64) -> Result<()> {
    let lines = lines_from_wire(tx, &snapshot.lines)?;
    let header = Header {
        id: snapshot.order_id,
        number: snapshot.number.clone(),
        channel: snapshot.channel,
        status: snapshot.status,
        customer: snapshot.customer.clone(),
        currency: snapshot.currency.code().to_string(),
        total_minor: snapshot.total_minor,
        event_seq: 0,
        steps: 1,
        reservation_held: false,
        central_reservation: snapshot.reservation,
    };
    let origin = if snapshot.till.is_some() { "device" } else { "central" };
    let till = snapshot.till.map(|t| t.to_string());
    let created = snapshot.created_at.as_millisecond();
    insert_order(tx, &header, &lines, None, (origin, till.as_deref()), created)?;
    tx.prepare_cached("UPDATE orders SET updated_at = ?2 WHERE id = ?1")?
        .execute(params![header.id.to_string(), now])?;
    write_payments(tx, snapshot)?;
    timeline(tx, &header.id.to_string(), (1, None, snapshot.status), &source(snapshot), created)
}

/// Another till's order takes central's payments and refunds as they are.
fn write_payments(tx: &Transaction<'_>, snapshot: &OrderSnapshot) -> Result<()> {
    let id = snapshot.order_id.to_string();
    tx.prepare_cached("DELETE FROM payments WHERE order_id = ?1")?.execute([&id])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO payments (order_id, kind, method, amount_minor, at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for p in &snapshot.payments {
        let kind = if p.amount_minor < 0 { PaymentKind::Refund } else { PaymentKind::Payment };
        insert.execute(params![id, Name(kind), Name(p.method), p.amount_minor, p.at.as_millisecond()])?;
    }
    Ok(())
}

fn timeline(
    tx: &Transaction<'_>,
    id: &str,
    (step, from, to): (i64, Option<OrderStatus>, OrderStatus),
    actor: &str,
    at: i64,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO order_timeline (order_id, step, from_status, event, to_status, at, actor, reason)
         VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![id, step, from.map(Name), Name(to), at, actor, super::model::MIRRORED])?;
    Ok(())
}
