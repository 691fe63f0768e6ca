//! Sync rounds and the background loop.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use storedesk_store::relay::{RetryPolicy, push_due_as_of};
use storedesk_store::sync_state::keys;
use storedesk_store::{Store, StoreError};

use crate::bootstrap::{self, Preparing};
use crate::client::{CallError, CentralClient};

/// What one round did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RoundReport {
    pub pushed: usize,
    pub sent: usize,
    pub dead: usize,
    pub retrying: usize,
    pub pulled: usize,
    pub cursor: i64,
    /// The first failure of the round (transport, central's refusal of a whole request).
    pub error: Option<String>,
    /// Everything pushable was pushed and settled, and the feed was read to its end.
    pub complete: bool,
}

/// What the UI's status bar and `storedesk sync status` show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SyncStatus {
    /// This device's till of its store (`T2`); `None` before the store is set up.
    pub till: Option<String>,
    pub configured: bool,
    pub central_url: Option<String>,
    /// The last round reached central.
    pub online: bool,
    pub pending: i64,
    pub dead: i64,
    pub oldest_pending_age_s: Option<i64>,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    pub cursor: i64,
    /// While the till fills itself from central's snapshot: how far it is.
    pub preparing: Option<Preparing>,
}

/// The sync status from the device's database (no network).
pub fn status(store: &Store) -> Result<SyncStatus, StoreError> {
    let stats = store.outbox_stats()?;
    let now = jiff::Timestamp::now();
    let last_success_at = store.sync_value(keys::LAST_SUCCESS_AT)?;
    let last_error_at = store.sync_value(keys::LAST_ERROR_AT)?;
    let central_url = store.sync_value(keys::CENTRAL_URL)?;
    let online = match (&last_success_at, &last_error_at) {
        (Some(ok), Some(err)) => ok > err,
        (Some(_), None) => true,
        _ => false,
    };
    let till = match store.settings() {
        Ok(settings) => Some(settings.till.to_string()),
        Err(StoreError::NotInitialized) => None,
        Err(other) => return Err(other),
    };
    Ok(SyncStatus {
        till,
        configured: central_url.is_some(),
        central_url,
        online,
        pending: stats.pending,
        dead: stats.dead,
        oldest_pending_age_s: stats.oldest_pending_at.map(|t| (now.as_second() - t.as_second()).max(0)),
        last_success_at,
        last_error: if online { None } else { store.sync_value(keys::LAST_ERROR)? },
        last_error_at,
        cursor: store.feed_cursor()?,
        preparing: store.sync_value(keys::PREPARING)?.as_deref().and_then(Preparing::parse),
    })
}

/// How stale "last success" may get while rounds find nothing to do.
pub const IDLE_SUCCESS_REFRESH: jiff::SignedDuration = jiff::SignedDuration::from_secs(30);

/// Whether a successful round is written down as the last success. An idle device polls every
/// second; writing each time would write (and fsync) the database every second, forever. So it is
/// written when the round moved something, after a failure (the status turns online at once), and
/// otherwise every [`IDLE_SUCCESS_REFRESH`] (the UI shows the time to the minute).
pub fn success_worth_recording(
    report: &RoundReport,
    last_success: Option<jiff::Timestamp>,
    last_error: Option<jiff::Timestamp>,
    now: jiff::Timestamp,
) -> bool {
    let Some(last_success) = last_success else { return true };
    report.pushed > 0
        || report.pulled > 0
        || last_error.is_some_and(|e| e >= last_success)
        || now.duration_since(last_success) >= IDLE_SUCCESS_REFRESH
}

/// How often a round saves the central endpoints' latency rollups (finished minutes wait in memory
/// until then, the minute in progress is saved as it stands).
pub const ROLLUP_SAVE_INTERVAL: Duration = Duration::from_secs(60);

pub struct SyncEngine {
    store: Arc<Store>,
    client: CentralClient,
    policy: RetryPolicy,
    page_size: i64,
    rollups_saved_at: std::sync::Mutex<Option<std::time::Instant>>,
}

impl SyncEngine {
    pub fn new(store: Arc<Store>, client: CentralClient) -> Self {
        SyncEngine {
            store,
            client,
            policy: RetryPolicy::default(),
            page_size: 2_000,
            rollups_saved_at: std::sync::Mutex::new(None),
        }
    }

    pub fn with_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    pub fn client(&self) -> &CentralClient {
        &self.client
    }

    /// One round: push every due event (`now` = also those waiting for their backoff), then read
    /// the feed to its end. Network problems end up in the report; only local database errors are
    /// returned as errors. The store's work runs on blocking threads, never on the runtime's.
    #[tracing::instrument(name = "sync round", skip(self))]
    pub async fn round(&self, now: bool) -> Result<RoundReport, StoreError> {
        let mut report = RoundReport {
            cursor: self.store.in_background(|s| s.feed_cursor()).await?,
            ..RoundReport::default()
        };
        self.push_all(now, &mut report).await?;
        if report.error.is_none()
            && let Some(version) = self.pull_all(&mut report).await?
            && let Some(error) = crate::staff::sync_staff(&self.store, &self.client, version).await?
        {
            report.error = Some(error);
        }
        self.record_outcome(&report).await?;
        let due_at = if now { i64::MAX / 2 } else { jiff::Timestamp::now().as_millisecond() };
        let pending_due = self.store.in_background(move |s| s.due_events(due_at, 1)).await?;
        report.complete = report.error.is_none() && report.retrying == 0 && pending_due.is_empty();
        self.save_rollups_now_and_then().await?;
        Ok(report)
    }

    /// Pushes batch after batch until nothing due is left or a batch makes no progress.
    async fn push_all(&self, now: bool, report: &mut RoundReport) -> Result<(), StoreError> {
        loop {
            let clock = jiff::Timestamp::now().as_millisecond();
            let due_at = if now { i64::MAX / 2 } else { clock };
            let push = push_due_as_of(&self.store, &self.client, &self.policy, due_at, clock).await?;
            report.pushed += push.pushed;
            report.sent += push.sent;
            report.dead += push.dead;
            report.retrying += push.retrying;
            if let Some(error) = push.transport_error {
                report.error.get_or_insert(error);
                return Ok(());
            }
            if let Some(error) = push.answer_error {
                report.error.get_or_insert(error);
            }
            // Stop when a batch made no progress (everything in it must wait), or nothing was due.
            if push.pushed == 0 || push.sent + push.dead == 0 {
                return Ok(());
            }
        }
    }

    /// Reads the change feed to its end, one page and its cursor per transaction; a new till, and
    /// one whose cursor central compacted past, read the snapshot first (`crate::bootstrap`).
    /// Returns the store's staff version central reported, if it did.
    async fn pull_all(&self, report: &mut RoundReport) -> Result<Option<i64>, StoreError> {
        let mut staff_version = None;
        let mut cursor = self.store.in_background(|s| s.feed_cursor()).await?;
        let (mut from_snapshot, mut snapshot_read) = (cursor == 0, false);
        loop {
            if std::mem::take(&mut from_snapshot) {
                snapshot_read = true;
                let read =
                    bootstrap::from_snapshot(&self.store, &self.client, self.page_size, cursor).await?;
                report.pulled += read.pulled;
                match read.cursor {
                    Ok(after) => cursor = after,
                    Err(error) => {
                        report.error = Some(error);
                        break;
                    }
                }
            }
            match self.client.changes(cursor, self.page_size).await {
                Err(CallError::Refused { status: 410, .. }) if !snapshot_read => {
                    tracing::info!(
                        cursor,
                        "central compacted the feed past this cursor: reading its snapshot"
                    );
                    from_snapshot = true;
                }
                Ok(page) => {
                    report.pulled += page.changes.len();
                    staff_version = page.staff_version.or(staff_version);
                    let has_more = page.has_more;
                    let applied = self
                        .store
                        .in_background(move |s| s.apply_changes(&page.changes, page.next_cursor))
                        .await?;
                    cursor = applied.cursor;
                    if !has_more {
                        break;
                    }
                }
                Err(err) => {
                    report.error = Some(err.to_string());
                    break;
                }
            }
        }
        report.cursor = cursor;
        Ok(if report.error.is_none() { staff_version } else { None })
    }

    /// Writes down the last success (now and then, see [`success_worth_recording`]) or error.
    async fn record_outcome(&self, report: &RoundReport) -> Result<(), StoreError> {
        let clock = jiff::Timestamp::now();
        let report = report.clone();
        self.store
            .in_background(move |store| {
                let when = clock.to_string();
                match &report.error {
                    None => {
                        let stamp = |key| -> Result<Option<jiff::Timestamp>, StoreError> {
                            Ok(store.sync_value(key)?.and_then(|v| v.parse().ok()))
                        };
                        let (last_success, last_error) =
                            (stamp(keys::LAST_SUCCESS_AT)?, stamp(keys::LAST_ERROR_AT)?);
                        if success_worth_recording(&report, last_success, last_error, clock) {
                            store.set_sync_value(keys::LAST_SUCCESS_AT, &when)?;
                        }
                    }
                    Some(error) => {
                        store.set_sync_value(keys::LAST_ERROR, error)?;
                        store.set_sync_value(keys::LAST_ERROR_AT, &when)?;
                    }
                }
                Ok(())
            })
            .await
    }

    /// Saves the latency rollups on the first round and then every [`ROLLUP_SAVE_INTERVAL`], not
    /// every second: the minute in progress changes with each call, so each save is a write.
    async fn save_rollups_now_and_then(&self) -> Result<(), StoreError> {
        {
            let saved_at = self.rollups_saved_at.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if saved_at.is_some_and(|at| at.elapsed() < ROLLUP_SAVE_INTERVAL) {
                return Ok(());
            }
        }
        let rollups = self.client.latency().take_rollups();
        self.store.in_background(move |s| s.save_rollups(&rollups)).await?;
        *self.rollups_saved_at.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some(std::time::Instant::now());
        Ok(())
    }

    /// Runs rounds until `stop` turns true: every second when all is well, and as the backoff of
    /// the waiting events allows after a failure. The first round that reaches central after an
    /// outage pushes every pending event at once.
    pub async fn run(&self, mut stop: tokio::sync::watch::Receiver<bool>) -> Result<(), StoreError> {
        loop {
            let before = self.store.in_background(status).await?;
            let was_offline = before.configured && !before.online;
            let mut report = self.round(false).await?;
            if was_offline && report.error.is_none() {
                // Back online: what waited out its backoff during the outage goes now, instead of
                // minutes later (the backoff protects central while it is down or overloaded).
                tracing::info!("central reachable again; pushing what waited");
                report = self.round(true).await?;
            }
            if let Some(error) = &report.error {
                tracing::info!(%error, "sync round did not finish; retrying");
            }
            let pause = if report.error.is_some() { Duration::from_secs(2) } else { Duration::from_secs(1) };
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                changed = stop.changed() => {
                    if changed.is_err() || *stop.borrow() {
                        return Ok(());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_round_refreshes_the_last_success_only_now_and_then() {
        let t0: jiff::Timestamp = "2026-11-27T10:00:00Z".parse().expect("time");
        let at = |s: i64| t0 + jiff::SignedDuration::from_secs(s);
        let idle = RoundReport::default();
        assert!(success_worth_recording(&idle, None, None, t0), "the first success");
        assert!(!success_worth_recording(&idle, Some(t0), None, at(1)), "idle, a second later");
        assert!(!success_worth_recording(&idle, Some(t0), None, at(29)));
        assert!(success_worth_recording(&idle, Some(t0), None, at(30)), "idle, refreshed");
        let pulled = RoundReport { pulled: 1, ..RoundReport::default() };
        let pushed = RoundReport { pushed: 2, ..RoundReport::default() };
        assert!(success_worth_recording(&pulled, Some(t0), None, at(1)), "something came down");
        assert!(success_worth_recording(&pushed, Some(t0), None, at(1)), "something went up");
        // Back online after a failure: written at once, so the status turns online.
        assert!(success_worth_recording(&idle, Some(t0), Some(at(5)), at(6)));
        assert!(!success_worth_recording(&idle, Some(at(6)), Some(at(5)), at(7)));
    }
}
