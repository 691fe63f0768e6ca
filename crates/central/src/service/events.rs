//! Applying a store's pushed events: the saga's central side.
//!
//! One transaction per batch. Each event is, in order:
//! 1. deduplicated by its id against the inbox: a known id returns the stored answer;
//! 2. checked against its aggregate's sequence: a gap answers "retry later" (nothing is stored),
//!    a reused number is refused;
//! 3. applied: `order_placed` reserves every line or is refused with `insufficient_stock` and the
//!    available quantity (a stored business answer: the order exists here as refused);
//!    `counter_sale` always applies and may raise conflicts; ship, cancel, refund and adjust move
//!    stock as `EventBody::stock_effect` says — the same function the device replays with.
//!
//! Permanent refusals (unknown SKU, unknown order, malformed) are answered without storing
//! anything, so an operator can fix the cause and send the event again. Answers are stored in the
//! inbox with the feed id at which the event's stock effect became visible (`change_id`).

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use sqlx::Row;
use storedesk_domain::{EventId, OrderId, StockDelta};
use storedesk_protocol::api::{AppliedResult, EventOutcome, EventStatus, Shortage, codes};
use storedesk_protocol::events::{Envelope, EventBody, LineItem};

use super::StoreRef;
use super::work::{OrderRow, Work};
use crate::db::{Db, Val, insert_many, now_ms, param, placeholders};
use crate::error::{CentralError, Result};

/// The most events one push may carry.
pub const MAX_BATCH: usize = 1_000;

/// Applies a batch, retrying the whole transaction when the database asks for it (deadlock,
/// serialization failure, a concurrent delivery of the same events).
pub async fn push(db: &Db, store: &StoreRef, events: &[Envelope]) -> Result<Vec<EventOutcome>> {
    validate(events)?;
    (|| push_once(db, store, events))
        .retry(
            ExponentialBuilder::new()
                .with_min_delay(Duration::from_millis(5))
                .with_max_delay(Duration::from_millis(200))
                .with_max_times(8)
                .with_jitter(),
        )
        .when(CentralError::is_retryable)
        .await
}

/// Checks what can be checked without the database; a bad field fails the whole request (422).
pub fn validate(events: &[Envelope]) -> Result<()> {
    if events.is_empty() {
        return Err(CentralError::invalid("events", "at least one event"));
    }
    if events.len() > MAX_BATCH {
        return Err(CentralError::invalid("events", format!("at most {MAX_BATCH} events per push")));
    }
    let mut seen = BTreeSet::new();
    for (i, e) in events.iter().enumerate() {
        let at = |field: &str| format!("events[{i}].{field}");
        if !seen.insert(e.event_id) {
            return Err(CentralError::invalid(at("event_id"), "the same event id twice in one push"));
        }
        if e.aggregate_seq < 1 {
            return Err(CentralError::invalid(at("aggregate_seq"), "must be 1 or more"));
        }
        let lines: &[LineItem] = match &e.body {
            EventBody::OrderPlaced(p) => &p.lines,
            EventBody::CounterSale(p) => &p.lines,
            _ => &[],
        };
        if matches!(e.body, EventBody::OrderPlaced(_) | EventBody::CounterSale(_)) && lines.is_empty() {
            return Err(CentralError::invalid(at("payload.lines"), "an order needs at least one line"));
        }
        for (j, line) in lines.iter().enumerate() {
            if line.qty <= 0 {
                return Err(CentralError::invalid(
                    at(&format!("payload.lines[{j}].qty")),
                    "must be 1 or more",
                ));
            }
            if line.unit_price_minor < 0 {
                return Err(CentralError::invalid(
                    at(&format!("payload.lines[{j}].unit_price_minor")),
                    "cannot be negative",
                ));
            }
        }
        match &e.body {
            EventBody::OrderRefunded(p) => {
                for (j, r) in p.restock.iter().enumerate() {
                    if r.qty <= 0 {
                        return Err(CentralError::invalid(
                            at(&format!("payload.restock[{j}].qty")),
                            "must be 1 or more",
                        ));
                    }
                }
            }
            EventBody::StockAdjusted(p) if p.delta == 0 => {
                return Err(CentralError::invalid(at("payload.delta"), "cannot be 0"));
            }
            _ => {}
        }
        let expected = match &e.body {
            EventBody::StockAdjusted(p) => format!("stock:{}", p.sku),
            other => format!("order:{}", order_id(other).map(|id| id.to_string()).unwrap_or_default()),
        };
        if e.aggregate != expected {
            return Err(CentralError::invalid(
                at("aggregate"),
                format!("must be {expected:?} for a {} event", e.body.kind()),
            ));
        }
    }
    Ok(())
}

fn order_id(body: &EventBody) -> Option<OrderId> {
    match body {
        EventBody::OrderPlaced(p) => Some(p.order_id),
        EventBody::OrderPaid(p) => Some(p.order_id),
        EventBody::CounterSale(p) => Some(p.order_id),
        EventBody::OrderShipped(p) => Some(p.order_id),
        EventBody::OrderDelivered(p) => Some(p.order_id),
        EventBody::OrderCancelled(p) => Some(p.order_id),
        EventBody::OrderRefunded(p) => Some(p.order_id),
        EventBody::StockAdjusted(_) => None,
    }
}

/// A stored answer from the inbox.
struct Stored {
    store_id: i64,
    status: String,
    result: Option<String>,
    code: Option<String>,
    message: Option<String>,
}

/// An answer to store in the inbox once the batch's feed ids are known.
struct Answer {
    index: usize,
    status: &'static str,
    /// Without its `change_id` yet.
    result: Option<AppliedResult>,
    code: Option<&'static str>,
    message: Option<String>,
    /// The SKUs whose stock the event moved.
    skus: Vec<String>,
    /// A refusal's shortages, stored in the inbox's `result` column as a [`RefusalDetail`].
    shortages: Vec<Shortage>,
}

/// What the inbox keeps in `result` for a refused event.
#[derive(serde::Serialize, serde::Deserialize)]
struct RefusalDetail {
    shortages: Vec<Shortage>,
}

/// What applying one event came to.
enum Applied {
    Done {
        result: AppliedResult,
        skus: Vec<String>,
    },
    /// A business refusal that is stored like a success (the order exists here as refused).
    Refused {
        code: &'static str,
        message: String,
        shortages: Vec<Shortage>,
    },
    /// A permanent refusal that stores nothing.
    Invalid {
        code: &'static str,
        message: String,
    },
}

async fn push_once(db: &Db, store: &StoreRef, events: &[Envelope]) -> Result<Vec<EventOutcome>> {
    let mut tx = db.begin().await?;
    let now = now_ms();
    // The inbox is read last: on PostgreSQL each statement sees what was committed before it, so
    // an event that any earlier read (heads, orders, stock) already reflects is certainly in the
    // inbox read, and is answered as a duplicate rather than judged again on half-fresh state.
    let mut heads = load_heads(&mut tx, store, events).await?;
    // Only the heads this batch moves are written back: a stale loaded value must never overwrite
    // what a concurrent batch committed.
    let mut moved: BTreeSet<String> = BTreeSet::new();

    let mut work = Work::new(db, store, now);
    let order_ids: Vec<OrderId> = events.iter().filter_map(|e| order_id(&e.body)).collect();
    work.load_orders(&mut tx, &order_ids).await?;
    let mut skus: Vec<String> =
        work.orders.values().flat_map(|o| o.lines.iter().map(|l| l.sku.clone())).collect();
    for e in events {
        match &e.body {
            EventBody::OrderPlaced(p) => skus.extend(p.lines.iter().map(|l| l.sku.clone())),
            EventBody::CounterSale(p) => skus.extend(p.lines.iter().map(|l| l.sku.clone())),
            EventBody::OrderRefunded(p) => skus.extend(p.restock.iter().map(|l| l.sku.clone())),
            EventBody::StockAdjusted(p) => skus.push(p.sku.clone()),
            _ => {}
        }
    }
    work.load_skus(&mut tx, skus).await?;
    let stored = load_inbox(&mut tx, events).await?;

    let mut outcomes = Vec::with_capacity(events.len());
    let mut to_store: Vec<Answer> = Vec::new();
    let mut blocked: BTreeSet<&str> = BTreeSet::new();
    for (i, event) in events.iter().enumerate() {
        let id = event.event_id;
        if let Some(s) = stored.get(&id) {
            outcomes.push(replay_answer(id, s, store));
            continue;
        }
        let head = heads.get(&event.aggregate).copied().unwrap_or(0);
        if blocked.contains(event.aggregate.as_str()) || event.aggregate_seq > head + 1 {
            outcomes.push(outcome(
                id,
                EventStatus::RetryLater,
                None,
                Some(codes::SEQUENCE_GAP),
                Some(format!(
                    "{} expects event {} next, got {}",
                    event.aggregate,
                    head + 1,
                    event.aggregate_seq
                )),
            ));
            blocked.insert(&event.aggregate);
            continue;
        }
        if event.aggregate_seq <= head {
            outcomes.push(outcome(
                id,
                EventStatus::Rejected,
                None,
                Some(codes::INVALID_EVENT),
                Some(format!(
                    "{} already has event {} (a different event id)",
                    event.aggregate, event.aggregate_seq
                )),
            ));
            blocked.insert(&event.aggregate);
            continue;
        }
        match apply(&mut work, &mut tx, event).await? {
            Applied::Done { result, skus } => {
                heads.insert(event.aggregate.clone(), event.aggregate_seq);
                moved.insert(event.aggregate.clone());
                to_store.push(Answer {
                    index: i,
                    status: "applied",
                    result: Some(result),
                    code: None,
                    message: None,
                    skus,
                    shortages: Vec::new(),
                });
                outcomes.push(outcome(id, EventStatus::Applied, None, None, None));
            }
            Applied::Refused { code, message, shortages } => {
                heads.insert(event.aggregate.clone(), event.aggregate_seq);
                moved.insert(event.aggregate.clone());
                to_store.push(Answer {
                    index: i,
                    status: "rejected",
                    result: None,
                    code: Some(code),
                    message: Some(message.clone()),
                    skus: Vec::new(),
                    shortages: shortages.clone(),
                });
                let mut refused = outcome(id, EventStatus::Rejected, None, Some(code), Some(message));
                refused.shortages = shortages;
                outcomes.push(refused);
            }
            Applied::Invalid { code, message } => {
                blocked.insert(&event.aggregate);
                outcomes.push(outcome(id, EventStatus::Rejected, None, Some(code), Some(message)));
            }
        }
    }

    let snapshot_ids = work.flush(&mut tx).await?;
    let mut inbox_rows = Vec::with_capacity(to_store.len());
    for Answer { index: i, status, result, code, message, skus, shortages } in to_store {
        let event = &events[i];
        let result = result.map(|mut r| {
            r.change_id = skus.iter().filter_map(|s| snapshot_ids.get(s)).min().copied();
            r
        });
        let json = result.as_ref().map(|r| serde_json::to_value(r).unwrap_or_default());
        if let Some(json) = &json {
            outcomes[i].result = Some(json.clone());
        }
        let json = json.or_else(|| {
            (!shortages.is_empty())
                .then(|| serde_json::to_value(RefusalDetail { shortages }).unwrap_or_default())
        });
        inbox_rows.push(vec![
            Val::Text(event.event_id.to_string()),
            Val::Int(store.id),
            Val::Text(event.aggregate.clone()),
            Val::Int(event.aggregate_seq),
            Val::Text(event.body.kind().as_str().into()),
            Val::Text(status.into()),
            Val::OptText(json.map(|j| j.to_string())),
            Val::OptText(code.map(str::to_string)),
            Val::OptText(message),
            Val::Int(now),
        ]);
    }
    // A concurrent delivery of the same events makes this insert fail on the primary key; the
    // whole transaction is then retried and answers them as duplicates.
    insert_many(
        &mut tx,
        "INSERT INTO inbox (event_id, store_id, aggregate, aggregate_seq, kind, status, result, code, message, received_at)",
        &inbox_rows,
        "",
    )
    .await?;
    let head_rows: Vec<Vec<Val>> = heads
        .iter()
        .filter(|(a, _)| moved.contains(*a))
        .map(|(a, s)| vec![Val::Int(store.id), Val::Text(a.clone()), Val::Int(*s)])
        .collect();
    insert_many(
        &mut tx,
        "INSERT INTO aggregate_heads (store_id, aggregate, last_seq)",
        &head_rows,
        " ON CONFLICT (store_id, aggregate) DO UPDATE SET last_seq = excluded.last_seq",
    )
    .await?;
    tx.commit().await?;
    metrics::counter!("storedesk_events_total", "store" => store.code.clone()).increment(events.len() as u64);
    Ok(outcomes)
}

fn outcome(
    event_id: EventId,
    status: EventStatus,
    result: Option<serde_json::Value>,
    code: Option<&str>,
    message: Option<String>,
) -> EventOutcome {
    EventOutcome { event_id, status, result, code: code.map(str::to_string), message, shortages: Vec::new() }
}

/// The stored answer to a repeated event id.
fn replay_answer(event_id: EventId, stored: &Stored, store: &StoreRef) -> EventOutcome {
    if stored.store_id != store.id {
        // Never reveal another store's events.
        return outcome(
            event_id,
            EventStatus::Rejected,
            None,
            Some(codes::WRONG_STORE),
            Some("this event id belongs to another store".into()),
        );
    }
    if stored.status == "rejected" {
        // A refusal's `result` holds its shortages (`{"shortages": [...]}`), when it had any.
        let shortages = stored
            .result
            .as_deref()
            .and_then(|r| serde_json::from_str::<RefusalDetail>(r).ok())
            .map(|d| d.shortages)
            .unwrap_or_default();
        return EventOutcome {
            event_id,
            status: EventStatus::Rejected,
            result: None,
            code: stored.code.clone(),
            message: stored.message.clone(),
            shortages,
        };
    }
    let result = stored.result.as_deref().and_then(|r| serde_json::from_str(r).ok());
    outcome(event_id, EventStatus::Duplicate, result, None, None)
}

async fn load_inbox(conn: &mut sqlx::AnyConnection, events: &[Envelope]) -> Result<HashMap<EventId, Stored>> {
    let mut stored = HashMap::new();
    for chunk in events.chunks(500) {
        let sql = format!(
            "SELECT event_id, store_id, status, result, code, message FROM inbox WHERE event_id IN ({})",
            placeholders(conn, 1, chunk.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for e in chunk {
            query = query.bind(e.event_id.to_string());
        }
        for row in query.fetch_all(&mut *conn).await? {
            let id: String = row.try_get(0)?;
            if let Ok(id) = id.parse::<EventId>() {
                stored.insert(
                    id,
                    Stored {
                        store_id: row.try_get(1)?,
                        status: row.try_get(2)?,
                        result: row.try_get(3)?,
                        code: row.try_get(4)?,
                        message: row.try_get(5)?,
                    },
                );
            }
        }
    }
    Ok(stored)
}

async fn load_heads(
    conn: &mut sqlx::AnyConnection,
    store: &StoreRef,
    events: &[Envelope],
) -> Result<HashMap<String, i64>> {
    let aggregates: Vec<String> =
        events.iter().map(|e| e.aggregate.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let mut heads = HashMap::new();
    for chunk in aggregates.chunks(500) {
        let sql = format!(
            "SELECT aggregate, last_seq FROM aggregate_heads WHERE store_id = {} AND aggregate IN ({})",
            param(conn, 1),
            placeholders(conn, 2, chunk.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(store.id);
        for a in chunk {
            query = query.bind(a.clone());
        }
        for row in query.fetch_all(&mut *conn).await? {
            heads.insert(row.try_get(0)?, row.try_get(1)?);
        }
    }
    Ok(heads)
}

fn effect_skus(effects: &[(String, StockDelta)]) -> Vec<String> {
    effects.iter().map(|(s, _)| s.clone()).collect()
}

fn invalid(code: &'static str, message: impl Into<String>) -> Applied {
    Applied::Invalid { code, message: message.into() }
}

fn unknown_sku<'a>(work: &Work<'_>, mut skus: impl Iterator<Item = &'a str>) -> Option<Applied> {
    skus.find(|s| !work.products.contains(*s))
        .map(|s| invalid(codes::UNKNOWN_SKU, format!("unknown SKU {s:?}")))
}

/// Applies one event to the unit of work.
async fn apply(work: &mut Work<'_>, conn: &mut sqlx::AnyConnection, event: &Envelope) -> Result<Applied> {
    let store = work.store;
    // The order an event after `order_placed`/`counter_sale` refers to, if it is this store's.
    let existing =
        |work: &Work<'_>, id: OrderId| work.orders.get(&id).filter(|o| o.store_id == store.id).cloned();
    let body = &event.body;
    Ok(match body {
        EventBody::OrderPlaced(p) => {
            if work.orders.contains_key(&p.order_id) {
                return Ok(invalid(codes::INVALID_EVENT, format!("order {} already exists", p.order_id)));
            }
            if let Some(bad) = unknown_sku(work, p.lines.iter().map(|l| l.sku.as_str())) {
                return Ok(bad);
            }
            let mut wanted: HashMap<&str, i64> = HashMap::new();
            for line in &p.lines {
                *wanted.entry(&line.sku).or_default() += line.qty;
            }
            let short: Vec<Shortage> = wanted
                .iter()
                .filter(|(sku, qty)| work.available(sku) < **qty)
                .map(|(sku, qty)| Shortage {
                    sku: sku.to_string(),
                    requested: *qty,
                    available: work.available(sku).max(0),
                })
                .collect();
            let mut order = OrderRow::new(
                p.order_id,
                store.id,
                p.number.clone(),
                "store",
                p.channel.as_str(),
                "placed",
                p.currency.clone(),
                p.total_minor,
                p.customer.clone(),
                p.lines.clone(),
                work.now,
            );
            if !short.is_empty() {
                order.status = "rejected".into();
                work.insert_order(order);
                let mut short = short;
                short.sort_by(|a, b| a.sku.cmp(&b.sku));
                let text: Vec<String> = short
                    .iter()
                    .map(|s| format!("{}: {} requested, {} available", s.sku, s.requested, s.available))
                    .collect();
                return Ok(Applied::Refused {
                    code: codes::INSUFFICIENT_STOCK,
                    message: format!("not enough stock: {}", text.join("; ")),
                    shortages: short,
                });
            }
            let effects = body.stock_effect(&p.lines, true);
            work.apply(&effects);
            order.holds_reservation = true;
            work.insert_order(order);
            Applied::Done {
                result: AppliedResult { reservation: Some("accepted".into()), change_id: None },
                skus: effect_skus(&effects),
            }
        }
        EventBody::CounterSale(p) => {
            if work.orders.contains_key(&p.order_id) {
                return Ok(invalid(codes::INVALID_EVENT, format!("order {} already exists", p.order_id)));
            }
            if let Some(bad) = unknown_sku(work, p.lines.iter().map(|l| l.sku.as_str())) {
                return Ok(bad);
            }
            let effects = body.stock_effect(&p.lines, false);
            work.apply(&effects);
            work.insert_order(OrderRow::new(
                p.order_id,
                store.id,
                p.number.clone(),
                "store",
                "counter",
                "delivered",
                p.currency.clone(),
                p.total_minor,
                p.customer.clone(),
                p.lines.clone(),
                work.now,
            ));
            for payment in &p.payments {
                work.add_payment(p.order_id, &payment.method, payment.amount_minor);
            }
            // The sale is a fact; if it leaves reservations uncovered, settle them as conflicts.
            for sku in effect_skus(&effects) {
                work.settle_conflicts(conn, &sku).await?;
            }
            Applied::Done { result: AppliedResult::default(), skus: effect_skus(&effects) }
        }
        EventBody::StockAdjusted(p) => {
            if let Some(bad) = unknown_sku(work, std::iter::once(p.sku.as_str())) {
                return Ok(bad);
            }
            let effects = body.stock_effect(&[], false);
            work.apply(&effects);
            if p.delta < 0 {
                work.settle_conflicts(conn, &p.sku).await?;
            }
            Applied::Done { result: AppliedResult::default(), skus: effect_skus(&effects) }
        }
        EventBody::OrderPaid(_)
        | EventBody::OrderShipped(_)
        | EventBody::OrderDelivered(_)
        | EventBody::OrderCancelled(_)
        | EventBody::OrderRefunded(_) => {
            let Some(id) = order_id(body) else { return Ok(invalid(codes::INVALID_EVENT, "no order id")) };
            let Some(order) = existing(work, id) else {
                return Ok(invalid(codes::UNKNOWN_ORDER, format!("unknown order {id}")));
            };
            if let EventBody::OrderRefunded(p) = body {
                for r in &p.restock {
                    let sold: i64 = order.lines.iter().filter(|l| l.sku == r.sku).map(|l| l.qty).sum();
                    if r.qty > sold {
                        return Ok(invalid(
                            codes::INVALID_EVENT,
                            format!("cannot restock {} of {}: the order has {sold}", r.qty, r.sku),
                        ));
                    }
                }
            }
            let effects = body.stock_effect(&order.lines, order.holds_reservation);
            work.apply(&effects);
            let (status, holds) = match body {
                EventBody::OrderPaid(p) => {
                    work.add_payment(id, &p.payment.method, p.payment.amount_minor);
                    (
                        if order.status == "placed" { "paid" } else { order.status.as_str() }.to_string(),
                        order.holds_reservation,
                    )
                }
                EventBody::OrderShipped(_) => ("shipped".into(), false),
                EventBody::OrderDelivered(_) => ("delivered".into(), false),
                EventBody::OrderCancelled(_) => ("cancelled".into(), false),
                _ => ("refunded".into(), false),
            };
            work.update_order(id, |o| {
                o.status = status;
                o.holds_reservation = holds;
            });
            Applied::Done { result: AppliedResult::default(), skus: effect_skus(&effects) }
        }
    })
}
