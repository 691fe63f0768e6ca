//! The relay that empties the outbox: a [`Relay`] (the sync engine's HTTP client, or a test
//! double) pushes due events oldest first, in batches; [`push_due`] records what came back, in one
//! transaction with what the answers do (`crate::saga`):
//! - `applied` / `duplicate`: the event is `sent`;
//! - `rejected` (a permanent refusal of that event): the event is `dead` with the reason, and later
//!   events of the same aggregate wait behind it until an operator retries or discards it;
//! - `retry later`, a missing answer, or a transport failure of the whole batch: the event stays
//!   `pending` with exponential backoff and full jitter (honouring `Retry-After`).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use backon::BackoffBuilder;
use rusqlite::{Transaction, params};
use serde::Serialize;
use storedesk_protocol::events::Envelope;

use crate::Store;
pub use crate::answer::{PushOutcome, PushResult};
use crate::error::Result;
use crate::outbox::OutboxEvent;
use crate::saga::{self, Verdict};

/// A push that got no answer per event: what happened to the whole batch.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RelayError {
    /// Central could not be reached, or did not answer in time. Retried with backoff.
    #[error("{message}")]
    Unreachable { message: String },
    /// Central answered the request with an error that is not about its events (5xx, 429, a token
    /// it does not accept). Retried with backoff, no sooner than `retry_after`.
    #[error("{message}")]
    Failed { status: u16, message: String, retry_after: Option<Duration> },
    /// Central refused the request as a whole (422, 413...): something in the batch is wrong.
    /// The relay pushes its events one by one to find which; one refused alone is dead.
    #[error("{message}")]
    Refused { status: u16, message: String },
    /// Central's answer could not be read. Retried with backoff.
    #[error("{message}")]
    Unreadable { message: String },
    /// The device's sync settings cannot work (a central URL that is not http(s)).
    #[error("{message}")]
    Misconfigured { message: String },
}

impl RelayError {
    /// How long central asked to wait (`Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            RelayError::Failed { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
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
    /// Why the batch got no answers (unreachable, failed, refused as a whole, unreadable).
    pub transport_error: Option<String>,
    /// The first answer to an event that could not be read (the event waits and is retried).
    pub answer_error: Option<String>,
}

impl PushReport {
    fn add(&mut self, other: PushReport) {
        self.pushed += other.pushed;
        self.sent += other.sent;
        self.dead += other.dead;
        self.retrying += other.retrying;
        self.transport_error = self.transport_error.take().or(other.transport_error);
        self.answer_error = self.answer_error.take().or(other.answer_error);
    }
}

/// Pushes one batch of due events through `relay` and records the answers.
pub async fn push_due<R: Relay>(
    store: &Arc<Store>,
    relay: &R,
    policy: &RetryPolicy,
    now_ms: i64,
) -> Result<PushReport> {
    push_due_as_of(store, relay, policy, now_ms, now_ms).await
}

/// Like [`push_due`], but takes the events that are due by `due_at` (an operator's "sync now"
/// passes a moment past every backoff); answers are still recorded at `now_ms`.
pub async fn push_due_as_of<R: Relay>(
    store: &Arc<Store>,
    relay: &R,
    policy: &RetryPolicy,
    due_at: i64,
    now_ms: i64,
) -> Result<PushReport> {
    let batch_size = policy.batch_size;
    let due = store.in_background(move |s| s.due_events(due_at, batch_size)).await?;
    if due.is_empty() {
        return Ok(PushReport::default());
    }
    let envelopes = due.iter().map(OutboxEvent::envelope).collect::<Result<Vec<_>>>()?;
    let answer = relay.push(&envelopes).await;
    if matches!(answer, Err(RelayError::Refused { .. })) && due.len() > 1 {
        return push_one_by_one(store, relay, policy, &due, envelopes, now_ms).await;
    }
    record(store, due, answer, policy, now_ms).await
}

/// Records the answers on a blocking thread.
async fn record(
    store: &Arc<Store>,
    batch: Vec<OutboxEvent>,
    answer: std::result::Result<Vec<PushOutcome>, RelayError>,
    policy: &RetryPolicy,
    now_ms: i64,
) -> Result<PushReport> {
    let policy = policy.clone();
    store.in_background(move |s| s.record_push(&batch, answer, &policy, now_ms)).await
}

/// Central refused a batch as a whole: each event goes alone, so the one it refuses is found and
/// dead-lettered while the others go through. An aggregate whose event died sends nothing more.
async fn push_one_by_one<R: Relay>(
    store: &Arc<Store>,
    relay: &R,
    policy: &RetryPolicy,
    due: &[OutboxEvent],
    envelopes: Vec<Envelope>,
    now_ms: i64,
) -> Result<PushReport> {
    let mut report = PushReport::default();
    let mut blocked = std::collections::HashSet::new();
    for (event, envelope) in due.iter().zip(envelopes) {
        if blocked.contains(&event.aggregate) {
            continue;
        }
        let answer = relay.push(std::slice::from_ref(&envelope)).await;
        let single = record(store, vec![event.clone()], answer, policy, now_ms).await?;
        if single.dead > 0 {
            blocked.insert(event.aggregate.clone());
        }
        let stop = single.transport_error.is_some() && single.dead == 0;
        report.add(single);
        if stop {
            break;
        }
    }
    Ok(report)
}

impl Store {
    /// Records the relay's answer for `batch` in one transaction.
    pub fn record_push(
        &self,
        batch: &[OutboxEvent],
        answer: std::result::Result<Vec<PushOutcome>, RelayError>,
        policy: &RetryPolicy,
        now_ms: i64,
    ) -> Result<PushReport> {
        match answer {
            Ok(outcomes) => self.write(|tx| record_answers(tx, batch, &outcomes, policy, now_ms), |_| {}),
            Err(err) => self.write(|tx| record_batch_failure(tx, batch, &err, policy, now_ms), |_| {}),
        }
    }
}

/// The whole batch got no answers: a batch of one that central refused is dead (the refusal is
/// about that event); otherwise every event waits for its next attempt.
fn record_batch_failure(
    tx: &Transaction<'_>,
    batch: &[OutboxEvent],
    err: &RelayError,
    policy: &RetryPolicy,
    now: i64,
) -> Result<PushReport> {
    let message = err.to_string();
    let mut report =
        PushReport { pushed: batch.len(), transport_error: Some(message.clone()), ..PushReport::default() };
    if let ([event], RelayError::Refused { .. }) = (batch, err) {
        mark_dead(tx, event, &format!("central refused it: {message}"))?;
        report.dead = 1;
        return Ok(report);
    }
    for event in batch {
        schedule_retry(tx, event, &message, err.retry_after(), policy, now)?;
    }
    report.retrying = batch.len();
    tracing::warn!(events = batch.len(), error = %message, "push failed; will retry");
    Ok(report)
}

/// Records each event's answer. An event that was not settled holds back its aggregate's later
/// events in this batch too.
fn record_answers(
    tx: &Transaction<'_>,
    batch: &[OutboxEvent],
    outcomes: &[PushOutcome],
    policy: &RetryPolicy,
    now: i64,
) -> Result<PushReport> {
    let mut report = PushReport { pushed: batch.len(), ..PushReport::default() };
    let mut blocked = std::collections::HashSet::new();
    for event in batch {
        let answer = outcomes.iter().find(|o| o.event_id == event.event_id).map(|o| &o.result);
        let settled = match answer {
            Some(answer) if !blocked.contains(&event.aggregate) => match answer {
                PushResult::Applied(result) | PushResult::Duplicate(result) => {
                    Some(saga::on_answer(tx, event, Verdict::Applied(result), now)?)
                }
                PushResult::Rejected { code, message, shortages } => {
                    Some(saga::on_answer(tx, event, Verdict::Rejected { code, message, shortages }, now)?)
                }
                PushResult::RetryLater { .. } | PushResult::Unreadable { .. } => None,
            },
            _ => None,
        };
        match settled {
            Some(saga::Settled::Sent { change_id, kept }) => {
                mark_sent(tx, event, &kept, change_id, now)?;
                report.sent += 1;
            }
            Some(saga::Settled::Dead { reason }) => {
                mark_dead(tx, event, &reason)?;
                blocked.insert(event.aggregate.clone());
                report.dead += 1;
            }
            None => {
                let why = match answer {
                    Some(PushResult::RetryLater { message }) => message.clone(),
                    Some(PushResult::Unreadable { message }) => {
                        tracing::warn!(event = %event.event_id, %message, "central's answer could not be read");
                        report.answer_error.get_or_insert_with(|| message.clone());
                        message.clone()
                    }
                    None => "central did not answer for this event".to_string(),
                    Some(_) => "an earlier event of the same aggregate was not applied".to_string(),
                };
                schedule_retry(tx, event, &why, None, policy, now)?;
                blocked.insert(event.aggregate.clone());
                report.retrying += 1;
            }
        }
    }
    Ok(report)
}

fn mark_sent(
    tx: &Transaction<'_>,
    event: &OutboxEvent,
    kept: &serde_json::Value,
    change_id: Option<i64>,
    now: i64,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE outbox SET status = 'sent', sent_at = ?2, result = ?3, change_id = ?4, last_error = NULL,
             attempts = attempts + 1 WHERE seq = ?1",
    )?
    .execute(params![event.seq, now, kept.to_string(), change_id])?;
    Ok(())
}

fn mark_dead(tx: &Transaction<'_>, event: &OutboxEvent, reason: &str) -> Result<()> {
    tx.prepare_cached(
        "UPDATE outbox SET status = 'dead', last_error = ?2, attempts = attempts + 1 WHERE seq = ?1",
    )?
    .execute(params![event.seq, reason])?;
    tracing::warn!(event = %event.event_id, kind = %event.kind, reason, "event refused by central; dead-lettered");
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
