//! The transactional outbox ("local message table"): the queue of events waiting for central.
//!
//! Events are appended in the same transaction as the change they announce ([`append`]); the
//! queries here say which are due (oldest first, one aggregate's events in order, none behind a
//! dead one), and operators retry or discard dead ones. What central's answers do is the relay's
//! business (`crate::relay`); this module depends on nothing above it.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use storedesk_domain::{EventId, EventKind, StaffCode};
use storedesk_protocol::events::{Envelope, EventBody, stock_aggregate};

use crate::actor::Actor;
use crate::error::{Result, StoreError};
use crate::sql::{Name, json, named, parsed};
use crate::{Store, db};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    Pending,
    Sent,
    Dead,
    /// An operator gave up on it: central will never get it.
    Discarded,
}

impl OutboxStatus {
    pub const ALL: [OutboxStatus; 4] =
        [OutboxStatus::Pending, OutboxStatus::Sent, OutboxStatus::Dead, OutboxStatus::Discarded];

    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Dead => "dead",
            OutboxStatus::Discarded => "discarded",
        }
    }
}

storedesk_domain::named!(OutboxStatus, "outbox status");

/// One row of the outbox.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OutboxEvent {
    pub seq: i64,
    pub event_id: EventId,
    pub aggregate: String,
    pub aggregate_seq: i64,
    pub kind: EventKind,
    pub payload: serde_json::Value,
    pub status: OutboxStatus,
    pub attempts: i64,
    pub next_attempt_at: jiff::Timestamp,
    pub last_error: Option<String>,
    pub result: Option<serde_json::Value>,
    pub created_at: jiff::Timestamp,
    pub sent_at: Option<jiff::Timestamp>,
    /// The step's trace context (see [`append`]); for central, not for screens.
    #[serde(skip)]
    pub traceparent: Option<String>,
    /// Who made it, and who approved it.
    pub staff: Option<String>,
    pub approved_by: Option<String>,
}

impl OutboxEvent {
    /// The event as it travels to central.
    pub fn envelope(&self) -> Result<Envelope> {
        let bad =
            |e: String| StoreError::Invalid(format!("outbox event {} cannot be read: {e}", self.event_id));
        let body = EventBody::from_payload(self.kind, self.payload.clone()).map_err(bad)?;
        let bad = |e: storedesk_domain::ids::IdError| bad(e.to_string());
        Ok(Envelope {
            event_id: self.event_id,
            aggregate: self.aggregate.clone(),
            aggregate_seq: self.aggregate_seq,
            created_at: self.created_at,
            traceparent: self.traceparent.clone(),
            staff: self.staff.as_deref().map(StaffCode::parse).transpose().map_err(bad)?,
            approved_by: self.approved_by.as_deref().map(StaffCode::parse).transpose().map_err(bad)?,
            body,
        })
    }
}

const EVENT_COLUMNS: &str = "seq, event_id, aggregate, aggregate_seq, kind, payload, status, attempts,
     next_attempt_at, last_error, result, created_at, sent_at, traceparent, staff, approved_by";

pub(crate) fn event_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxEvent> {
    Ok(OutboxEvent {
        seq: row.get(0)?,
        event_id: parsed(row, 1)?,
        aggregate: row.get(2)?,
        aggregate_seq: row.get(3)?,
        kind: named(row, 4)?,
        payload: json(row, 5)?,
        status: named(row, 6)?,
        attempts: row.get(7)?,
        next_attempt_at: db::timestamp(row.get(8)?),
        last_error: row.get(9)?,
        result: row.get::<_, Option<String>>(10)?.map(|_| json(row, 10)).transpose()?,
        created_at: db::timestamp(row.get(11)?),
        sent_at: row.get::<_, Option<i64>>(12)?.map(db::timestamp),
        traceparent: row.get(13)?,
        staff: row.get(14)?,
        approved_by: row.get(15)?,
    })
}

/// Events whose stock effect central may not count in a snapshot taken at `since` or later:
/// pending and dead ones, and sent ones that took effect after it; with the change id at which
/// each sent one took effect.
pub(crate) fn uncounted_by_central(conn: &Connection, since: i64) -> Result<Vec<(OutboxEvent, Option<i64>)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS}, change_id FROM outbox
         WHERE status IN ('pending', 'dead') OR (status = 'sent' AND change_id > ?1) ORDER BY seq"
    ))?;
    let rows = stmt.query_map([since], |r| Ok((event_from_row(r)?, r.get::<_, Option<i64>>(16)?)))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Appends an event to the outbox inside the caller's transaction, with the trace context of the
/// span it is made in (the store transaction, a child of the step's span) when traces are exported.
pub(crate) fn append(
    tx: &Transaction<'_>,
    by: &Actor,
    aggregate: &str,
    aggregate_seq: i64,
    body: &EventBody,
    now: i64,
) -> Result<EventId> {
    let event_id = EventId(uuid::Uuid::now_v7());
    let payload =
        body.payload_json().map_err(|e| StoreError::Invalid(format!("cannot encode event: {e}")))?;
    tx.prepare_cached(
        "INSERT INTO outbox (event_id, aggregate, aggregate_seq, kind, payload, next_attempt_at, created_at,
                             traceparent, staff, approved_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        event_id.to_string(),
        aggregate,
        aggregate_seq,
        Name(body.kind()),
        payload,
        now,
        storedesk_telemetry::current_traceparent(),
        by.staff().map(StaffCode::as_str),
        by.approver().map(StaffCode::as_str)
    ])?;
    Ok(event_id)
}

/// The next sequence number of a SKU's stock adjustments (`stock:<sku>`): after this till's last in
/// the outbox and after the last central holds of this till (a till set up again on a new machine
/// has an empty outbox).
pub(crate) fn next_stock_seq(conn: &Connection, sku: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT MAX(COALESCE((SELECT MAX(aggregate_seq) FROM outbox WHERE aggregate = ?1), 0),
                        COALESCE((SELECT till_seq FROM central_stock WHERE sku = ?2), 0)) + 1",
        )?
        .query_row(params![stock_aggregate(sku), sku], |r| r.get(0))?)
}

/// Counts for status lines.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OutboxStats {
    pub pending: i64,
    pub dead: i64,
    pub oldest_pending_at: Option<jiff::Timestamp>,
}

impl Store {
    /// Outbox rows, oldest first, optionally of one status.
    pub fn outbox(&self, status: Option<OutboxStatus>, limit: usize) -> Result<Vec<OutboxEvent>> {
        self.read(|conn| {
            let sql = format!(
                "SELECT {EVENT_COLUMNS} FROM outbox WHERE (?1 IS NULL OR status = ?1) ORDER BY seq LIMIT ?2"
            );
            let mut stmt = conn.prepare(&sql)?;
            let rows = stmt.query_map(params![status.map(Name), limit as i64], event_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// A dead event by id (what operators retry or discard).
    pub fn dead_event(&self, event_id: &str) -> Result<OutboxEvent> {
        self.read(|conn| {
            conn.prepare(&format!(
                "SELECT {EVENT_COLUMNS} FROM outbox WHERE status = 'dead' AND event_id = ?1"
            ))?
            .query_row([event_id.trim()], event_from_row)
            .optional()?
            .ok_or_else(|| StoreError::UnknownEvent(event_id.to_string()))
        })
    }

    pub fn outbox_stats(&self) -> Result<OutboxStats> {
        self.read(|conn| {
            Ok(conn.query_row(
                "SELECT COALESCE(SUM(status = 'pending'), 0), COALESCE(SUM(status = 'dead'), 0),
                        MIN(CASE WHEN status = 'pending' THEN created_at END)
                 FROM outbox WHERE status <> 'sent'",
                [],
                |r| {
                    Ok(OutboxStats {
                        pending: r.get(0)?,
                        dead: r.get(1)?,
                        oldest_pending_at: r.get::<_, Option<i64>>(2)?.map(db::timestamp),
                    })
                },
            )?)
        })
    }

    /// Pending events whose time has come, oldest first. An event waits while an earlier event of
    /// its aggregate is dead or is itself still waiting for its retry time, so central always sees
    /// one aggregate's events in order.
    pub fn due_events(&self, now_ms: i64, limit: usize) -> Result<Vec<OutboxEvent>> {
        self.read(|conn| {
            let sql = format!(
                "SELECT {EVENT_COLUMNS} FROM outbox o
                 WHERE o.status = 'pending' AND o.next_attempt_at <= ?1
                   AND NOT EXISTS (
                       SELECT 1 FROM outbox e
                       WHERE e.aggregate = o.aggregate AND e.aggregate_seq < o.aggregate_seq
                         AND (e.status = 'dead' OR (e.status = 'pending' AND e.next_attempt_at > ?1)))
                 ORDER BY o.seq LIMIT ?2"
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![now_ms, limit as i64], event_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// An operator sends a dead event again (after fixing what central refused).
    pub fn retry_dead_event(&self, event_id: &str) -> Result<OutboxEvent> {
        let event = self.dead_event(event_id)?;
        self.write(
            |tx| {
                tx.execute(
                    "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?2 WHERE seq = ?1",
                    params![event.seq, db::now_ms()],
                )?;
                // The events held behind it go right after it, without the backoff they gathered.
                tx.execute(
                    "UPDATE outbox SET attempts = 0, next_attempt_at = ?3
                     WHERE aggregate = ?1 AND aggregate_seq > ?2 AND status = 'pending'",
                    params![event.aggregate, event.aggregate_seq, db::now_ms()],
                )?;
                Ok(())
            },
            |_| {},
        )?;
        Ok(OutboxEvent { status: OutboxStatus::Pending, attempts: 0, ..event })
    }
}

impl Store {
    /// An operator gives up on a dead event: it and the later events of its aggregate (which
    /// central could not apply without it) are discarded. Returns how many events were discarded.
    pub fn discard_dead_event(&self, event_id: &str) -> Result<usize> {
        let event = self.dead_event(event_id)?;
        self.write(
            |tx| {
                let n = tx.execute(
                    "UPDATE outbox SET status = 'discarded', last_error = COALESCE(last_error, '') || ' (discarded by an operator)'
                     WHERE aggregate = ?1 AND aggregate_seq >= ?2 AND status IN ('pending', 'dead')",
                    params![event.aggregate, event.aggregate_seq],
                )?;
                Ok(n)
            },
            |_| {},
        )
    }
}
