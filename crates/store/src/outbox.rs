//! The transactional outbox ("local message table") and the relay that empties it.
//!
//! Events are appended in the same transaction as the change they announce ([`append`]). A
//! [`Relay`] (the sync engine's HTTP client, or a test double) pushes due events oldest first, in
//! batches; [`push_due`] records what came back:
//! - `applied` / `duplicate`: the event is `sent`;
//! - `rejected` (a permanent refusal of that event): the event is `dead` with the reason, and later
//!   events of the same aggregate wait behind it until an operator retries or discards it;
//! - `retry later`, a missing answer, or a transport failure of the whole batch: the event stays
//!   `pending` with exponential backoff and full jitter (honouring `Retry-After`).

use std::future::Future;
use std::time::Duration;

use backon::BackoffBuilder;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use storedesk_domain::EventId;
use storedesk_protocol::events::{Envelope, EventBody};

use crate::error::{Result, StoreError};
use crate::{Store, db, saga};

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
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Dead => "dead",
            OutboxStatus::Discarded => "discarded",
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        match text.trim() {
            "pending" => Ok(OutboxStatus::Pending),
            "sent" => Ok(OutboxStatus::Sent),
            "dead" => Ok(OutboxStatus::Dead),
            "discarded" => Ok(OutboxStatus::Discarded),
            other => Err(StoreError::Invalid(format!(
                "unknown outbox status {other:?} (expected one of: pending, sent, dead, discarded)"
            ))),
        }
    }
}

/// One row of the outbox.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OutboxEvent {
    pub seq: i64,
    pub event_id: EventId,
    pub aggregate: String,
    pub aggregate_seq: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub status: OutboxStatus,
    pub attempts: i64,
    pub next_attempt_at: jiff::Timestamp,
    pub last_error: Option<String>,
    pub result: Option<serde_json::Value>,
    pub created_at: jiff::Timestamp,
    pub sent_at: Option<jiff::Timestamp>,
}

impl OutboxEvent {
    /// The event as it travels to central.
    pub fn envelope(&self) -> Result<Envelope> {
        let body = serde_json::from_value::<EventBody>(
            serde_json::json!({ "kind": self.kind, "payload": self.payload }),
        )
        .map_err(|e| StoreError::Invalid(format!("outbox event {} cannot be read: {e}", self.event_id)))?;
        Ok(Envelope {
            event_id: self.event_id,
            aggregate: self.aggregate.clone(),
            aggregate_seq: self.aggregate_seq,
            created_at: self.created_at,
            body,
        })
    }
}

const EVENT_COLUMNS: &str = "seq, event_id, aggregate, aggregate_seq, kind, payload, status, attempts,
     next_attempt_at, last_error, result, created_at, sent_at";

pub(crate) fn event_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxEvent> {
    let text_error = |idx: usize, e: Box<dyn std::error::Error + Send + Sync>| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, e)
    };
    let event_id: String = row.get(1)?;
    let payload: String = row.get(5)?;
    let status: String = row.get(6)?;
    let result: Option<String> = row.get(10)?;
    Ok(OutboxEvent {
        seq: row.get(0)?,
        event_id: event_id.parse().map_err(|e| text_error(1, Box::new(e)))?,
        aggregate: row.get(2)?,
        aggregate_seq: row.get(3)?,
        kind: row.get(4)?,
        payload: serde_json::from_str(&payload).map_err(|e| text_error(5, Box::new(e)))?,
        status: OutboxStatus::parse(&status).map_err(|e| text_error(6, Box::new(e)))?,
        attempts: row.get(7)?,
        next_attempt_at: db::timestamp(row.get(8)?),
        last_error: row.get(9)?,
        result: result
            .map(|r| serde_json::from_str(&r))
            .transpose()
            .map_err(|e| text_error(10, Box::new(e)))?,
        created_at: db::timestamp(row.get(11)?),
        sent_at: row.get::<_, Option<i64>>(12)?.map(db::timestamp),
    })
}

/// Appends an event to the outbox inside the caller's transaction.
pub(crate) fn append(
    tx: &Transaction<'_>,
    aggregate: &str,
    aggregate_seq: i64,
    body: &EventBody,
    now: i64,
) -> Result<EventId> {
    let event_id = EventId::new();
    let payload =
        body.payload_json().map_err(|e| StoreError::Invalid(format!("cannot encode event: {e}")))?;
    tx.prepare_cached(
        "INSERT INTO outbox (event_id, aggregate, aggregate_seq, kind, payload, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![
        event_id.to_string(),
        aggregate,
        aggregate_seq,
        body.kind().as_str(),
        payload,
        now
    ])?;
    Ok(event_id)
}

/// The next sequence number for an aggregate that does not track its own (stock adjustments).
pub(crate) fn next_aggregate_seq(conn: &Connection, aggregate: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT COALESCE(MAX(aggregate_seq), 0) + 1 FROM outbox WHERE aggregate = ?1")?
        .query_row([aggregate], |r| r.get(0))?)
}

/// One event's answer from central.
#[derive(Clone, Debug, PartialEq)]
pub enum PushResult {
    /// Central applied the event; its result (e.g. the reservation outcome).
    Applied(serde_json::Value),
    /// Central had applied this event id before; the original result.
    Duplicate(serde_json::Value),
    /// Central refused this event for good; for `insufficient_stock`, what was short.
    Rejected { code: String, message: String, shortages: Vec<storedesk_protocol::api::Shortage> },
    /// Central cannot apply it yet (e.g. an earlier event of the order is missing).
    RetryLater { message: String },
}

#[derive(Clone, Debug, PartialEq)]
pub struct PushOutcome {
    pub event_id: EventId,
    pub result: PushResult,
}

/// The whole batch failed in transport (connection refused, timeout, 5xx, 429...).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct RelayError {
    pub message: String,
    /// What the server asked for with `Retry-After`.
    pub retry_after: Option<Duration>,
}

/// Carries outbox events to central. The sync engine implements it over HTTP.
pub trait Relay {
    /// Pushes `batch` (oldest first). `Ok` holds an answer per event, matched by event id.
    fn push(
        &self,
        batch: &[Envelope],
    ) -> impl Future<Output = std::result::Result<Vec<PushOutcome>, RelayError>> + Send;
}

/// How hard the relay tries.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    pub batch_size: usize,
    /// The backoff ceiling after the first failure; it doubles per attempt up to `max_delay`.
    pub min_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { batch_size: 200, min_delay: Duration::from_secs(1), max_delay: Duration::from_secs(300) }
    }
}

impl RetryPolicy {
    /// The wait before the next attempt after `attempts` failures: uniformly random between zero
    /// and the exponential ceiling ("full jitter"), but never sooner than `retry_after`.
    pub fn delay(&self, attempts: u32, retry_after: Option<Duration>) -> Duration {
        let ceiling = backon::ExponentialBuilder::new()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_factor(2.0)
            .without_max_times()
            .build()
            .nth(attempts.saturating_sub(1).min(64) as usize)
            .unwrap_or(self.max_delay);
        let jittered = Duration::from_millis(fastrand::u64(0..=ceiling.as_millis() as u64));
        retry_after.map_or(jittered, |wait| wait.max(jittered))
    }
}

/// What one [`push_due`] round did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PushReport {
    pub pushed: usize,
    pub sent: usize,
    pub dead: usize,
    pub retrying: usize,
    pub transport_error: Option<String>,
}

/// Counts for status lines.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OutboxStats {
    pub pending: i64,
    pub dead: i64,
    pub oldest_pending_at: Option<jiff::Timestamp>,
}

/// Pushes one batch of due events through `relay` and records the answers.
pub async fn push_due<R: Relay>(
    store: &Store,
    relay: &R,
    policy: &RetryPolicy,
    now_ms: i64,
) -> Result<PushReport> {
    push_due_as_of(store, relay, policy, now_ms, now_ms).await
}

/// Like [`push_due`], but takes the events that are due by `due_at` (an operator's "sync now"
/// passes a moment past every backoff); answers are still recorded at `now_ms`.
pub async fn push_due_as_of<R: Relay>(
    store: &Store,
    relay: &R,
    policy: &RetryPolicy,
    due_at: i64,
    now_ms: i64,
) -> Result<PushReport> {
    let due = store.due_events(due_at, policy.batch_size)?;
    if due.is_empty() {
        return Ok(PushReport::default());
    }
    let envelopes = due.iter().map(OutboxEvent::envelope).collect::<Result<Vec<_>>>()?;
    let answer = relay.push(&envelopes).await;
    store.record_push(&due, answer, policy, now_ms)
}

impl Store {
    /// Outbox rows, oldest first, optionally of one status.
    pub fn outbox(&self, status: Option<OutboxStatus>, limit: usize) -> Result<Vec<OutboxEvent>> {
        self.read(|conn| {
            let sql = format!(
                "SELECT {EVENT_COLUMNS} FROM outbox WHERE (?1 IS NULL OR status = ?1) ORDER BY seq LIMIT ?2"
            );
            let mut stmt = conn.prepare(&sql)?;
            let rows =
                stmt.query_map(params![status.map(OutboxStatus::as_str), limit as i64], event_from_row)?;
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

    /// Records the relay's answer for `batch` in one transaction.
    pub fn record_push(
        &self,
        batch: &[OutboxEvent],
        answer: std::result::Result<Vec<PushOutcome>, RelayError>,
        policy: &RetryPolicy,
        now_ms: i64,
    ) -> Result<PushReport> {
        let mut report = PushReport { pushed: batch.len(), ..PushReport::default() };
        let outcomes = match answer {
            Ok(outcomes) => outcomes,
            Err(err) => {
                report.transport_error = Some(err.message.clone());
                report.retrying = batch.len();
                self.write(
                    |tx| {
                        for event in batch {
                            schedule_retry(tx, event, &err.message, err.retry_after, policy, now_ms)?;
                        }
                        Ok(())
                    },
                    |_| {},
                )?;
                tracing::warn!(events = batch.len(), error = %err.message, "push failed; will retry");
                return Ok(report);
            }
        };
        self.write(
            |tx| {
                // An earlier failure in an aggregate holds back its later events in this batch too.
                let mut blocked = std::collections::HashSet::new();
                for event in batch {
                    let answer = outcomes.iter().find(|o| o.event_id == event.event_id).map(|o| &o.result);
                    match answer {
                        Some(
                            answer @ (PushResult::Applied(_)
                            | PushResult::Duplicate(_)
                            | PushResult::Rejected { .. }),
                        ) if !blocked.contains(&event.aggregate) => {
                            match saga::on_answer(tx, event, answer, now_ms)? {
                                saga::Settled::Sent { change_id } => {
                                    mark_sent(tx, event, answer, change_id, now_ms)?;
                                    report.sent += 1;
                                }
                                saga::Settled::Dead { reason } => {
                                    mark_dead(tx, event, &reason)?;
                                    blocked.insert(event.aggregate.clone());
                                    report.dead += 1;
                                }
                            }
                        }
                        other => {
                            let why = match other {
                                Some(PushResult::RetryLater { message }) => message.clone(),
                                None => "central did not answer for this event".to_string(),
                                Some(_) => {
                                    "an earlier event of the same aggregate was not applied".to_string()
                                }
                            };
                            schedule_retry(tx, event, &why, None, policy, now_ms)?;
                            blocked.insert(event.aggregate.clone());
                            report.retrying += 1;
                        }
                    }
                }
                Ok(())
            },
            |_| {},
        )?;
        Ok(report)
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

fn mark_sent(
    tx: &Transaction<'_>,
    event: &OutboxEvent,
    answer: &PushResult,
    change_id: Option<i64>,
    now: i64,
) -> Result<()> {
    let result = match answer {
        PushResult::Applied(result) | PushResult::Duplicate(result) => result.clone(),
        PushResult::Rejected { code, message, .. } => {
            serde_json::json!({ "rejected": code, "message": message })
        }
        PushResult::RetryLater { message } => serde_json::json!({ "retry_later": message }),
    };
    tx.prepare_cached(
        "UPDATE outbox SET status = 'sent', sent_at = ?2, result = ?3, change_id = ?4, last_error = NULL,
             attempts = attempts + 1 WHERE seq = ?1",
    )?
    .execute(params![event.seq, now, result.to_string(), change_id])?;
    Ok(())
}

fn mark_dead(tx: &Transaction<'_>, event: &OutboxEvent, reason: &str) -> Result<()> {
    tx.prepare_cached(
        "UPDATE outbox SET status = 'dead', last_error = ?2, attempts = attempts + 1 WHERE seq = ?1",
    )?
    .execute(params![event.seq, reason])?;
    tracing::warn!(event = %event.event_id, kind = event.kind, reason, "event refused by central; dead-lettered");
    Ok(())
}

fn schedule_retry(
    tx: &Transaction<'_>,
    event: &OutboxEvent,
    error: &str,
    retry_after: Option<Duration>,
    policy: &RetryPolicy,
    now: i64,
) -> Result<()> {
    let attempts = event.attempts + 1;
    let delay = policy.delay(u32::try_from(attempts).unwrap_or(u32::MAX), retry_after);
    let next = now.saturating_add(delay.as_millis() as i64);
    tx.prepare_cached(
        "UPDATE outbox SET attempts = ?2, next_attempt_at = ?3, last_error = ?4 WHERE seq = ?1",
    )?
    .execute(params![event.seq, attempts, next, error])?;
    Ok(())
}
