//! The inbox: every event central applied (or refused as a business answer), keyed by its id,
//! with the answer it got. A known id is answered from here, never applied again.

use std::collections::HashMap;
use std::ops::Range;

use sqlx::Row;
use sqlx::any::AnyRow;
use storedesk_domain::{EventId, Named};
use storedesk_protocol::api::{AppliedResult, EventOutcome, EventStatus, Shortage, codes};
use storedesk_protocol::events::Envelope;

use super::super::work::FeedIds;
use super::super::{DeviceRef, StoreRef};
use crate::db::{Batch, Val, named, parsed, placeholders};
use crate::error::{CentralError, Result};

/// What the inbox keeps of an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kept {
    Applied,
    /// A business refusal (the order exists here as refused).
    Rejected,
}

impl Kept {
    pub const ALL: [Kept; 2] = [Kept::Applied, Kept::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Kept::Applied => "applied",
            Kept::Rejected => "rejected",
        }
    }
}

storedesk_domain::named!(Kept, "inbox status");

/// A stored answer.
pub(super) struct Stored {
    store_id: i64,
    status: Kept,
    result: Option<String>,
    code: Option<String>,
    message: Option<String>,
}

/// What the inbox keeps in `result` for a refused event.
#[derive(serde::Serialize, serde::Deserialize)]
struct RefusalDetail {
    shortages: Vec<Shortage>,
}

/// An answer to keep, once the batch's feed ids are known.
pub(super) struct Answer {
    pub index: usize,
    pub status: Kept,
    /// Without its `change_id` yet.
    pub result: Option<AppliedResult>,
    pub code: Option<&'static str>,
    pub message: Option<String>,
    /// The SKUs whose stock the event moved.
    pub skus: Vec<String>,
    pub shortages: Vec<Shortage>,
}

/// Asks for the stored answers to `events`' ids.
pub(super) fn ask(batch: &mut Batch, conn: &sqlx::AnyConnection, events: &[Envelope]) -> Range<usize> {
    let start = batch.len();
    for chunk in events.chunks(500) {
        let sql = format!(
            "SELECT event_id, store_id, status, result, code, message FROM inbox WHERE event_id IN ({})",
            placeholders(conn, 1, chunk.len())
        );
        batch.add(sql, chunk.iter().map(|e| Val::Text(e.event_id.to_string())).collect());
    }
    start..batch.len()
}

pub(super) fn take(rows: &[Vec<AnyRow>]) -> Result<HashMap<EventId, Stored>> {
    let mut stored = HashMap::new();
    for row in rows.iter().flatten() {
        let answer = Stored {
            store_id: row.try_get(1)?,
            status: named(row, 2)?,
            result: row.try_get(3)?,
            code: row.try_get(4)?,
            message: row.try_get(5)?,
        };
        stored.insert(parsed(row, 0)?, answer);
    }
    Ok(stored)
}

/// The stored answer to a repeated event id.
pub(super) fn replay(event_id: EventId, stored: &Stored, store: &StoreRef) -> Result<EventOutcome> {
    if stored.store_id != store.id {
        // Never reveal another store's events.
        return Ok(outcome(
            event_id,
            EventStatus::Rejected,
            Some(codes::WRONG_STORE),
            Some("this event id belongs to another store".into()),
        ));
    }
    let result: Option<serde_json::Value> = stored
        .result
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| CentralError::corrupt(format!("the kept answer to event {event_id}"), e))?;
    Ok(match stored.status {
        Kept::Rejected => EventOutcome {
            event_id,
            status: EventStatus::Rejected,
            result: None,
            code: stored.code.clone(),
            message: stored.message.clone(),
            // A refusal's `result` holds its shortages (`{"shortages": [...]}`), when it had any.
            shortages: result
                .and_then(|r| serde_json::from_value::<RefusalDetail>(r).ok())
                .map(|d| d.shortages)
                .unwrap_or_default(),
        },
        Kept::Applied => EventOutcome { result, ..outcome(event_id, EventStatus::Duplicate, None, None) },
    })
}

pub(super) fn outcome(
    event_id: EventId,
    status: EventStatus,
    code: Option<&str>,
    message: Option<String>,
) -> EventOutcome {
    EventOutcome {
        event_id,
        status,
        result: None,
        code: code.map(str::to_string),
        message,
        shortages: Vec::new(),
    }
}

/// Keeps the batch's answers, each applied result completed with the feed id at which its stock
/// effect became visible (the smallest snapshot id of the SKUs it moved); the outcomes sent back
/// get the same result.
#[allow(clippy::too_many_arguments)]
pub(super) fn keep(
    writes: &mut Batch,
    conn: &sqlx::AnyConnection,
    device: &DeviceRef,
    events: &[Envelope],
    answers: Vec<Answer>,
    feed_ids: &FeedIds,
    outcomes: &mut [EventOutcome],
    now: i64,
) -> Result<()> {
    let mut rows = Vec::with_capacity(answers.len());
    for Answer { index, status, result, code, message, skus, shortages } in answers {
        let event = &events[index];
        let encode = |v: serde_json::Result<serde_json::Value>| {
            v.map_err(|e| CentralError::corrupt(format!("the answer to event {}", event.event_id), e))
        };
        let result = result.map(|mut r| {
            r.change_id = skus.iter().filter_map(|s| feed_ids.stock.get(s)).min().copied();
            r.order_change_id = event.body.order_id().and_then(|id| feed_ids.orders.get(&id)).copied();
            r
        });
        let json = match (&result, shortages.is_empty()) {
            (Some(r), _) => Some(encode(serde_json::to_value(r))?),
            (None, false) => Some(encode(serde_json::to_value(RefusalDetail { shortages }))?),
            (None, true) => None,
        };
        if result.is_some() {
            outcomes[index].result = json.clone();
        }
        rows.push(vec![
            Val::Text(event.event_id.to_string()),
            Val::Int(device.store.id),
            Val::Int(device.till_id),
            Val::Text(event.aggregate.clone()),
            Val::Int(event.aggregate_seq),
            Val::Text(event.body.kind().as_str().into()),
            Val::Text(status.name().into()),
            Val::OptText(json.map(|j| j.to_string())),
            Val::OptText(code.map(str::to_string)),
            Val::OptText(message),
            Val::Int(now),
            Val::OptText(event.staff.as_ref().map(|c| c.to_string())),
            Val::OptText(event.approved_by.as_ref().map(|c| c.to_string())),
        ]);
    }
    // A concurrent delivery of the same events makes this insert fail on the primary key; the
    // whole transaction is then retried and answers them as duplicates.
    writes.insert_many(
        conn,
        "INSERT INTO inbox (event_id, store_id, till_id, aggregate, aggregate_seq, kind, status, result, code, message, received_at, staff, approved_by)",
        &rows,
        "",
    );
    Ok(())
}
