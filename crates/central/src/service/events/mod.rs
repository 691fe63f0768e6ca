//! Applying a store's pushed events: the saga's central side.
//!
//! One transaction per batch (on SQLite, concurrent batches share one: `group`). Each event is,
//! in order:
//! 1. deduplicated by its id against the inbox (`inbox`): a known id returns the stored answer;
//! 2. checked against its till's sequence of the aggregate (`sequence`): a gap answers "retry
//!    later" (nothing is stored), a reused number is refused;
//! 3. checked for who made it (`who`): the staff code and approver against the store's staff;
//! 4. applied (`apply`), one function per kind.
//!
//! What can be checked without the database is checked first (`validate`), for the whole request.
//! Permanent refusals (unknown SKU, unknown order, malformed) are answered without storing
//! anything, so an operator can fix the cause and send the event again. Answers are stored in the
//! inbox with the feed id at which the event's stock effect became visible (`change_id`).

mod apply;
mod group;
mod inbox;
mod sequence;
mod validate;
mod who;

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
pub use group::Pushes;
use storedesk_domain::OrderId;
use storedesk_protocol::api::{EventOutcome, EventStatus, codes};
use storedesk_protocol::events::{Envelope, EventBody};
use tracing::Instrument as _;
pub use validate::{MAX_BATCH, validate};

use self::apply::{Applied, apply};
use self::inbox::{Answer, Kept, outcome};
use self::sequence::{Heads, Place};
use super::DeviceRef;
use super::work::Work;
use crate::db::{Batch, Db, now_ms};
use crate::error::{CentralError, Result};

/// Applies a batch, retrying the whole transaction when the database asks for it (deadlock,
/// serialization failure, a concurrent delivery of the same events).
pub async fn push(db: &Db, device: &DeviceRef, events: &[Envelope]) -> Result<Vec<EventOutcome>> {
    validate(events)?;
    (|| push_once(db, device, events))
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

async fn push_once(db: &Db, device: &DeviceRef, events: &[Envelope]) -> Result<Vec<EventOutcome>> {
    async {
        let mut tx = db.begin().await?;
        let outcomes = apply_batch(db, &mut tx, device, events, None).await?;
        tx.commit().await?;
        count_applied(device, events.len());
        Ok(outcomes)
    }
    .instrument(tracing::info_span!("push transaction", events = events.len()))
    .await
}

fn count_applied(device: &DeviceRef, events: usize) {
    metrics::counter!("storedesk_events_total", "store" => device.store.code.clone())
        .increment(events as u64);
}

/// Applies a validated batch inside the caller's transaction — inside a savepoint of it when
/// `savepoint` names one (taken with the first reads, released with the writes; the caller rolls
/// back to it on an error).
///
/// A new order's push asks the database three times: the reads (one batch: heads, orders,
/// numbers, stock, the tills' heads the feed entries carry, the inbox), the feed ids, and every
/// write (one batch). Events naming stored orders add two reads (their lines and payments, then
/// their lines' stock and the inbox again).
async fn apply_batch(
    db: &Db,
    tx: &mut sqlx::AnyConnection,
    device: &DeviceRef,
    events: &[Envelope],
    savepoint: Option<&str>,
) -> Result<Vec<EventOutcome>> {
    let store = &device.store;
    let now = now_ms();
    let mut work = Work::new(db, store, now);
    work.till = Some((device.till_id, device.till));
    let (mut heads, stored) = read_what_events_touch(&mut work, &mut *tx, device, events, savepoint).await?;
    let who = who::Who::read(&mut *tx, store.id, events).await?;

    let mut outcomes = Vec::with_capacity(events.len());
    let mut answers: Vec<Answer> = Vec::new();
    let mut blocked: BTreeSet<&str> = BTreeSet::new();
    for (i, event) in events.iter().enumerate() {
        let span = event_span(event);
        if let Some(s) = stored.get(&event.event_id) {
            outcomes.push(inbox::replay(event.event_id, s, store)?);
            continue;
        }
        let place = if blocked.contains(event.aggregate.as_str()) { Place::Gap } else { heads.place(event) };
        let (outcome, answer) = match place {
            Place::Gap => (gap(event, &heads), None),
            Place::Taken => (taken(event), None),
            Place::Forgotten => (forgotten(event), None),
            Place::Next => match who.misfit(&work, event) {
                Some((code, message)) => {
                    (outcome(event.event_id, EventStatus::Rejected, Some(code), Some(message)), None)
                }
                None => {
                    let applied = apply(&mut work, &mut *tx, event).instrument(span.clone()).await?;
                    judge(i, event, applied, &mut heads)
                }
            },
        };
        span.record("outcome", tracing::field::debug(&outcome.status));
        if !matches!(outcome.status, EventStatus::Applied | EventStatus::Duplicate) && answer.is_none() {
            blocked.insert(&event.aggregate);
        }
        outcomes.push(outcome);
        answers.extend(answer);
    }
    let mut writes = Batch::default();
    // The heads first: the feed's snapshots carry them.
    heads.write(&mut writes, tx, device);
    let feed_ids = work.flush_into(&mut *tx, &mut writes, &heads.moved()).await?;
    inbox::keep(&mut writes, tx, device, events, answers, &feed_ids, &mut outcomes, now)?;
    if let Some(name) = savepoint {
        writes.add(format!("RELEASE {name}"), Vec::new());
    }
    writes.execute(tx).await?;
    Ok(outcomes)
}

/// The span of one event applied: linked to the span of the step that made it at the till, when
/// the event carries its trace context (it was made earlier, in another trace).
fn event_span(event: &Envelope) -> tracing::Span {
    let span = tracing::info_span!(
        "event",
        otel.name = %format!("apply {}", event.body.kind()),
        aggregate = %event.aggregate,
        aggregate_seq = event.aggregate_seq,
        outcome = tracing::field::Empty,
    );
    if let Some(origin) = &event.traceparent {
        storedesk_telemetry::link(&span, origin);
    }
    span
}

/// Reads (and locks) the heads of the events' aggregates, the orders they name, the numbers they
/// give, the stock of every SKU they may move, and the inbox's answers to their ids.
///
/// The inbox is read last: on PostgreSQL each statement sees what was committed before it, so an
/// event that any earlier read (heads, orders, stock) already reflects is certainly in the inbox
/// read, and is answered as a duplicate rather than judged again on half-fresh state.
async fn read_what_events_touch(
    work: &mut Work<'_>,
    conn: &mut sqlx::AnyConnection,
    device: &DeviceRef,
    events: &[Envelope],
    savepoint: Option<&str>,
) -> Result<(Heads, HashMap<storedesk_domain::EventId, inbox::Stored>)> {
    let mut reads = Batch::default();
    if let Some(name) = savepoint {
        reads.add(format!("SAVEPOINT {name}"), Vec::new());
    }
    let heads = Heads::ask(&mut reads, conn, device, events);
    let order_ids: Vec<OrderId> = events.iter().filter_map(|e| e.body.order_id()).collect();
    let orders = work.ask_orders(&mut reads, conn, &order_ids);
    let numbers: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::OrderPlaced(p) => Some(p.number.clone()),
            EventBody::CounterSale(p) => Some(p.number.clone()),
            _ => None,
        })
        .collect();
    let numbers = work.ask_numbers(&mut reads, conn, &numbers);
    let skus: Vec<String> = events.iter().flat_map(event_skus).collect();
    let aggregates =
        skus.iter().map(|s| format!("stock:{s}")).chain(order_ids.iter().map(|o| format!("order:{o}")));
    let feed_heads = work.ask_feed_heads(&mut reads, conn, aggregates.collect::<Vec<_>>());
    let skus = work.ask_skus(&mut reads, conn, skus);
    let stored = inbox::ask(&mut reads, conn, events);
    let rows = reads.fetch(&mut *conn).await?;
    let heads = Heads::take(&rows[heads])?;
    let found = work.take_orders(&rows[orders])?;
    work.take_numbers(&rows[numbers])?;
    work.take_feed_heads(&rows[feed_heads])?;
    work.take_skus(skus, &rows)?;
    let mut stored = inbox::take(&rows[stored])?;
    if !found.is_empty() {
        work.load_details(conn, &found).await?;
        let lines: Vec<String> =
            work.orders.values().flat_map(|o| o.lines.iter().map(|l| l.sku.to_string())).collect();
        let mut again = Batch::default();
        let feed_heads = work.ask_feed_heads(&mut again, conn, lines.iter().map(|s| format!("stock:{s}")));
        let skus = work.ask_skus(&mut again, conn, lines);
        let asked = inbox::ask(&mut again, conn, events);
        let rows = again.fetch(&mut *conn).await?;
        work.take_feed_heads(&rows[feed_heads])?;
        work.take_skus(skus, &rows)?;
        stored = inbox::take(&rows[asked])?;
    }
    Ok((heads, stored))
}

/// The SKUs whose stock an event may move by itself (an order's lines come with the order).
fn event_skus(event: &Envelope) -> Vec<String> {
    match &event.body {
        EventBody::OrderPlaced(p) => p.lines.iter().map(|l| l.sku.to_string()).collect(),
        EventBody::CounterSale(p) => p.lines.iter().map(|l| l.sku.to_string()).collect(),
        EventBody::OrderRefunded(p) => p.restock.iter().map(|l| l.sku.to_string()).collect(),
        EventBody::StockAdjusted(p) => vec![p.sku.to_string()],
        EventBody::OrderPaid(_)
        | EventBody::OrderShipped(_)
        | EventBody::OrderDelivered(_)
        | EventBody::OrderCancelled(_) => Vec::new(),
    }
}

fn gap(event: &Envelope, heads: &Heads) -> EventOutcome {
    let message = format!(
        "{} expects event {} next, got {}",
        event.aggregate,
        heads.next_for(&event.aggregate),
        event.aggregate_seq
    );
    outcome(event.event_id, EventStatus::RetryLater, Some(codes::SEQUENCE_GAP), Some(message))
}

/// A replay of an event applied so long ago that its answer was trimmed: a duplicate, applied
/// again never; its result is empty (central's feed has long included what it did).
fn forgotten(event: &Envelope) -> EventOutcome {
    let mut answer = outcome(
        event.event_id,
        EventStatus::Duplicate,
        None,
        Some(format!("{} event {} was applied long ago", event.aggregate, event.aggregate_seq)),
    );
    answer.result = Some(serde_json::json!({}));
    answer
}

fn taken(event: &Envelope) -> EventOutcome {
    let message =
        format!("{} already has event {} (a different event id)", event.aggregate, event.aggregate_seq);
    outcome(event.event_id, EventStatus::Rejected, Some(codes::INVALID_EVENT), Some(message))
}

/// The outcome of an applied event, and the answer to keep in the inbox (none for a refusal that
/// stores nothing).
fn judge(
    index: usize,
    event: &Envelope,
    applied: Applied,
    heads: &mut Heads,
) -> (EventOutcome, Option<Answer>) {
    let id = event.event_id;
    match applied {
        Applied::Done { result, skus } => {
            heads.advance(event);
            let answer = Answer {
                index,
                status: Kept::Applied,
                result: Some(result),
                code: None,
                message: None,
                skus,
                shortages: Vec::new(),
            };
            (outcome(id, EventStatus::Applied, None, None), Some(answer))
        }
        Applied::Refused { code, message, shortages } => {
            heads.advance(event);
            let mut refused = outcome(id, EventStatus::Rejected, Some(code), Some(message.clone()));
            refused.shortages = shortages.clone();
            let answer = Answer {
                index,
                status: Kept::Rejected,
                result: None,
                code: Some(code),
                message: Some(message),
                skus: Vec::new(),
                shortages,
            };
            (refused, Some(answer))
        }
        Applied::Invalid { code, message } => {
            (outcome(id, EventStatus::Rejected, Some(code), Some(message)), None)
        }
    }
}
