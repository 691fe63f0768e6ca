//! What every command resolves: the store, the latency recorder, the sync supervisor, the token,
//! and exports in progress.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use storedesk_reports::Control;
use storedesk_store::Store;
use storedesk_store::staff::Actor;
use storedesk_sync::latency::{Call, LatencyRecorder};
use storedesk_sync::{CentralClient, SyncEngine};

use crate::credentials::Credentials;
use crate::error::{AppError, AppResult};

pub struct AppState {
    pub store: Arc<Store>,
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
    pub latency: Arc<LatencyRecorder>,
    pub credentials: Credentials,
    sync: Mutex<Option<tokio::sync::watch::Sender<bool>>>,
    pub exports: Mutex<HashMap<u32, Arc<Control>>>,
    next_export: AtomicU32,
    /// The person signed in at this till (their PIN checked by the store).
    signed_in: Mutex<Option<Actor>>,
    /// Another person's approval of the signed-in person's next step, and when it was given.
    approval: Mutex<Option<(Actor, Instant)>>,
}

/// How long an approval waits for the step it approves.
const APPROVAL_LIFETIME: std::time::Duration = std::time::Duration::from_secs(60);

impl AppState {
    pub fn new(store: Arc<Store>, data_dir: PathBuf, log_dir: PathBuf) -> Self {
        let credentials = Credentials::new(&data_dir);
        AppState {
            store,
            data_dir,
            log_dir,
            latency: Arc::new(LatencyRecorder::new()),
            credentials,
            sync: Mutex::new(None),
            exports: Mutex::new(HashMap::new()),
            next_export: AtomicU32::new(1),
            signed_in: Mutex::new(None),
            approval: Mutex::new(None),
        }
    }

    pub fn signed_in(&self) -> Option<Actor> {
        self.signed_in.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Signs a person in (or out, with `None`); an approval given for the last person goes.
    pub fn set_signed_in(&self, actor: Option<Actor>) {
        *self.signed_in.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = actor;
        *self.approval.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    /// Keeps another person's approval for the signed-in person's next step.
    pub fn set_approval(&self, approved: Actor) {
        *self.approval.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some((approved, Instant::now()));
    }

    /// Who the app's next step is recorded as: the signed-in person, with the approval given for
    /// it (used up by this step). A store from before staff (no one to sign in yet) records
    /// `operator`, as it did.
    pub fn actor(&self) -> AppResult<Actor> {
        let approval = self.approval.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        if let Some((approved, at)) = approval
            && at.elapsed() < APPROVAL_LIFETIME
        {
            return Ok(approved);
        }
        if let Some(actor) = self.signed_in() {
            return Ok(actor);
        }
        if self.store.has_staff()? {
            return Err(storedesk_store::StoreError::NotSignedIn.into());
        }
        Ok(Actor::System("operator".into()))
    }

    /// Whether the person at the till may do `permission` (a setting changed, an event discarded):
    /// the store checks, and records a refusal.
    pub fn allow(&self, permission: storedesk_domain::Permission) -> AppResult<()> {
        let actor = self.actor()?;
        Ok(self.store.check_permission(&actor, permission)?)
    }

    /// Runs a local command on a blocking thread (the store locks and fsyncs; tokio's workers must
    /// never wait on a disk) and records its latency (endpoint `local <name>`).
    pub async fn timed<T: Send + 'static>(
        self: &Arc<Self>,
        name: &'static str,
        f: impl FnOnce(&AppState) -> AppResult<T> + Send + 'static,
    ) -> AppResult<T> {
        let state = self.clone();
        // The command's span: the store transaction's and the sync's spans are its children, and
        // the events it makes carry it to central.
        let span = tracing::info_span!("command", otel.name = name);
        let start = Instant::now();
        let run = span.clone();
        let result = tauri::async_runtime::spawn_blocking(move || run.in_scope(|| f(&state)))
            .await
            .unwrap_or_else(|e| Err(AppError::new("internal", format!("the command {name} stopped: {e}"))));
        self.record(name, start.elapsed(), result.is_ok(), &span);
        result
    }

    /// A local command's latency, with its trace id when traces are exported.
    fn record(&self, name: &str, elapsed: std::time::Duration, ok: bool, span: &tracing::Span) {
        let trace = storedesk_telemetry::trace_id(span);
        let call = Call { elapsed, ok, trace: trace.as_deref() };
        self.latency.record(&format!("local {name}"), call);
    }

    /// Like [`AppState::timed`], for work already on a blocking thread (an export).
    pub fn timed_here<T>(&self, name: &str, f: impl FnOnce() -> AppResult<T>) -> AppResult<T> {
        let span = tracing::info_span!("command", otel.name = name);
        let start = Instant::now();
        let result = span.in_scope(f);
        self.record(name, start.elapsed(), result.is_ok(), &span);
        result
    }

    /// The engine for the configured central, if there is one and a token.
    pub fn engine(&self) -> AppResult<Option<SyncEngine>> {
        let Some(url) = self.store.central_url()? else { return Ok(None) };
        let Some(token) = self.credentials.load() else { return Ok(None) };
        let client = CentralClient::new(&url, &token, self.latency.clone())?;
        Ok(Some(SyncEngine::new(self.store.clone(), client)))
    }

    /// (Re)starts the background sync loop when central is configured.
    pub fn restart_sync(&self) -> AppResult<()> {
        let mut running =
            self.sync.lock().map_err(|_| AppError::new("internal", "sync supervisor poisoned"))?;
        if let Some(stop) = running.take() {
            let _ = stop.send(true);
        }
        let Some(engine) = self.engine()? else { return Ok(()) };
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tauri::async_runtime::spawn(async move {
            if let Err(err) = engine.run(stopped).await {
                tracing::error!(%err, "the sync loop stopped");
            }
        });
        *running = Some(stop);
        tracing::info!("background sync started");
        Ok(())
    }

    pub fn new_export(&self) -> (u32, Arc<Control>) {
        let id = self.next_export.fetch_add(1, Ordering::Relaxed);
        let control = Arc::new(Control::default());
        if let Ok(mut exports) = self.exports.lock() {
            exports.insert(id, control.clone());
        }
        (id, control)
    }
}
