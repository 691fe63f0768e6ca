//! Events the shell pushes to the UI, and the one-second ticker that sends them.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use storedesk_sync::SyncStatus;
use storedesk_sync::latency::SecondSnapshot;
use tauri::Manager;
use tauri_specta::Event;

use crate::state::AppState;

/// Online/offline, pending and dead events, last success and error — every second.
#[derive(Clone, Debug, Serialize, specta::Type, Event)]
pub struct SyncStatusChanged(pub SyncStatus);

/// The last complete second's latency per endpoint (central calls and local commands), and the
/// spans a collector did not take (`None` when traces are not exported).
#[derive(Clone, Debug, Serialize, specta::Type, Event)]
pub struct LatencyTick {
    pub seconds: Vec<SecondSnapshot>,
    pub spans_dropped: Option<u64>,
}

/// An export's progress; `done` with either `path` or `error` at the end.
#[derive(Clone, Debug, Serialize, specta::Type, Event)]
pub struct ExportProgress {
    pub id: u32,
    pub rows: u32,
    pub done: bool,
    pub path: Option<String>,
    pub error: Option<crate::error::AppError>,
}

/// Emits the status and the latency snapshot every second; saves latency rollups every minute.
pub fn start_ticker(app: tauri::AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let mut seconds = 0_u64;
        loop {
            tick.tick().await;
            seconds += 1;
            let state = app.state::<Arc<AppState>>();
            // The store's reads and writes go to a blocking thread, as every command's do.
            if let Ok(status) = state.store.in_background(storedesk_sync::engine::status).await {
                let _ = SyncStatusChanged(status).emit(&app);
            }
            let tick = LatencyTick {
                seconds: state.latency.snapshot(),
                spans_dropped: storedesk_telemetry::spans_dropped(),
            };
            let _ = tick.emit(&app);
            if seconds.is_multiple_of(60) {
                let rollups = state.latency.take_rollups();
                if let Err(err) = state.store.in_background(move |s| s.save_rollups(&rollups)).await {
                    tracing::warn!(%err, "could not save latency rollups");
                }
            }
        }
    });
}
