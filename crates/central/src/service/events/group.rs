//! Group commit of concurrent pushes on SQLite.
//!
//! SQLite has one writer: concurrent pushes wait for it anyway, each then paying its own commit
//! (a WAL fsync). Here they share one: a committer task takes every push waiting (up to
//! [`MAX_GROUP`]), applies each inside its own savepoint of one transaction, commits once, and
//! only then answers them all — an answer still means "durable". A push that fails inside the
//! group is rolled back to its savepoint alone (the savepoint rides in the push's first and last
//! round trips, so it costs no hand-off of its own); when the group's transaction cannot be had or
//! committed, each of its pushes is applied again on its own ([`super::push`], with its retries),
//! so a group never turns one push's trouble into another's error.
//!
//! PostgreSQL runs pushes in concurrent transactions instead: its WAL flush already serves the
//! commits that arrive together, and one transaction over several stores' rows would only widen
//! what concurrent replicas lock.

use std::sync::{Arc, OnceLock};

use storedesk_protocol::api::EventOutcome;
use storedesk_protocol::events::Envelope;
use tokio::sync::{mpsc, oneshot};
use tracing::Instrument as _;

use super::super::DeviceRef;
use super::{apply_batch, count_applied, push, validate};
use crate::db::{Batch, Db, Dialect};
use crate::error::{CentralError, Result};

/// The most pushes one commit carries.
pub const MAX_GROUP: usize = 64;

struct Job {
    device: DeviceRef,
    events: Vec<Envelope>,
    reply: oneshot::Sender<Result<Vec<EventOutcome>>>,
    /// The request's span: the push's transaction span is its child, the group's commit follows
    /// from it.
    span: tracing::Span,
}

/// Where the HTTP API sends pushes; cheap to clone. The committer starts with the first push.
#[derive(Clone, Default)]
pub struct Pushes {
    committer: Arc<OnceLock<mpsc::Sender<Job>>>,
}

impl Pushes {
    /// As [`super::push`]: validates, applies exactly once, answers once durable.
    pub async fn push(
        &self,
        db: &Db,
        device: &DeviceRef,
        events: Vec<Envelope>,
    ) -> Result<Vec<EventOutcome>> {
        if db.dialect == Dialect::Postgres {
            return push(db, device, &events).await;
        }
        validate(&events)?;
        let committer = self.committer.get_or_init(|| start_committer(db.clone()));
        let (reply, answer) = oneshot::channel();
        if let Err(mpsc::error::SendError(job)) = committer
            .send(Job { device: device.clone(), events, reply, span: tracing::Span::current() })
            .await
        {
            return push(db, device, &job.events).await;
        }
        answer.await.map_err(|_| CentralError::Database(sqlx::Error::WorkerCrashed))?
    }
}

/// The committer runs on a thread of its own: as a task among the HTTP connections' it would wait
/// behind them in the run queue at every one of its round trips to the database (measured: a group
/// of ten pushes took 8.7 ms, most of it waiting to be polled again), and every push waits for it.
fn start_committer(db: Db) -> mpsc::Sender<Job> {
    let (send, receive) = mpsc::channel(1024);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
    match runtime {
        Ok(runtime) => {
            let spawned = std::thread::Builder::new()
                .name("push-committer".into())
                .spawn(move || runtime.block_on(commit_groups(db, receive)));
            if let Err(err) = spawned {
                // The receiver is gone with the closure: every push then runs on its own.
                tracing::warn!(%err, "no thread for the push committer; pushes commit one by one");
            }
        }
        Err(err) => {
            tracing::warn!(%err, "no runtime for the push committer; it runs as a task");
            tokio::spawn(commit_groups(db, receive));
        }
    }
    send
}

async fn commit_groups(db: Db, mut jobs: mpsc::Receiver<Job>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while jobs.recv_many(&mut group, MAX_GROUP).await > 0 {
        metrics::histogram!("storedesk_push_group_size").record(group.len() as f64);
        commit_group(&db, std::mem::take(&mut group)).await;
    }
}

async fn commit_group(db: &Db, group: Vec<Job>) {
    let mut alone = Vec::new();
    let mut done = Vec::with_capacity(group.len());
    match db.begin().await {
        Err(_) => alone = group,
        Ok(mut tx) => {
            let mut jobs = group.into_iter();
            let mut sound = true;
            for job in jobs.by_ref() {
                let span =
                    tracing::info_span!(parent: &job.span, "push transaction", events = job.events.len());
                let applied = apply_batch(db, &mut tx, &job.device, &job.events, Some(SAVEPOINT));
                match applied.instrument(span).await {
                    Ok(outcomes) => done.push((job, outcomes)),
                    Err(err) => {
                        sound = undo(&mut tx).await.is_ok();
                        if err.is_retryable() || !sound {
                            alone.push(job);
                        } else {
                            let _ = job.reply.send(Err(err));
                        }
                        if !sound {
                            break;
                        }
                    }
                }
            }
            alone.extend(jobs);
            // A group whose savepoint could not be undone is rolled back whole (dropped).
            let commit = tracing::info_span!("group commit", pushes = done.len());
            for (job, _) in &done {
                commit.follows_from(&job.span);
            }
            if sound && tx.commit().instrument(commit).await.is_ok() {
                for (job, outcomes) in done {
                    count_applied(&job.device, job.events.len());
                    let _ = job.reply.send(Ok(outcomes));
                }
            } else {
                alone.extend(done.into_iter().map(|(job, _)| job));
            }
        }
    }
    for job in alone {
        let _ = job.reply.send(push(db, &job.device, &job.events).instrument(job.span.clone()).await);
    }
}

/// Each push of a group runs inside this savepoint (taken and released in its first and last
/// round trips: see [`apply_batch`]).
const SAVEPOINT: &str = "push";

/// Undoes the push that failed inside its savepoint, keeping the group's earlier pushes.
async fn undo(conn: &mut sqlx::AnyConnection) -> Result<()> {
    let mut batch = Batch::default();
    batch.add(format!("ROLLBACK TO {SAVEPOINT}"), Vec::new());
    batch.add(format!("RELEASE {SAVEPOINT}"), Vec::new());
    batch.execute(conn).await
}
