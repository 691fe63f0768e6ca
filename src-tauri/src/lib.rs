//! The Storedesk desktop shell: thin Tauri commands and events over the core crates.
//!
//! - [`commands`]: one module per screen's needs; each command resolves the state, calls the core
//!   and returns. Local commands' latency is recorded (they show on the dashboard next to central's).
//! - [`events`]: the sync status and latency snapshots pushed every second; export progress.
//! - [`error`]: the one error type at the IPC boundary, `{code, message}`.
//! - [`state`]: the store, the latency recorder, the background sync loop, exports.
//! - [`credentials`]: the central token in the OS keychain, or a private file where none exists.
//! - [`bindings`]: the TypeScript bindings (`ui/src/bindings.ts`) are generated from these types.
//!
//! Nothing here owns business logic: the rules live in `crates/`, where the CLI uses them too.

pub mod bindings;
pub mod commands;
pub mod credentials;
pub mod error;
pub mod events;
pub mod state;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use storedesk_store::{OpenOptions, Store};
use tauri::Manager;

use crate::state::AppState;

/// What keeps logging and trace export going while the app runs.
struct Logging {
    _guard: tracing_appender::non_blocking::WorkerGuard,
    _otel: Option<storedesk_telemetry::Otel>,
}

/// Logs go to the OS's log folder for the app, one file a day, the last 7 kept; spans go to an
/// OpenTelemetry collector too when the standard environment names one (a wrong setting is logged
/// and the app runs without it).
fn start_logging(log_dir: &Path) -> Option<Logging> {
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("storedesk")
        .filename_suffix("log")
        .max_log_files(7)
        .build(log_dir)
        .ok()?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("STOREDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let (otel, otel_error) = match storedesk_telemetry::Otel::from_env("storedesk-app") {
        Ok(otel) => (otel, None),
        Err(err) => (None, Some(err)),
    };
    let fmt = tracing_subscriber::fmt::layer().with_writer(writer).with_ansi(false);
    tracing_subscriber::registry()
        .with(fmt.with_filter(filter))
        .with(otel.as_ref().map(storedesk_telemetry::Otel::layer))
        .try_init()
        .ok()?;
    if let Some(err) = otel_error {
        tracing::warn!(%err, "traces are not exported");
    }
    Some(Logging { _guard: guard, _otel: otel })
}

/// `STOREDESK_DATA_DIR` (tests, demos), else the OS's app data folder.
fn data_dir(app: &tauri::AppHandle) -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("STOREDESK_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    app.path().app_data_dir().map_err(|e| format!("cannot find the app's data folder: {e}"))
}

fn set_up(app: &mut tauri::App) -> Result<(), Box<dyn std::error::Error>> {
    let handle = app.handle().clone();
    let data_dir = data_dir(&handle)?;
    let log_dir = handle.path().app_log_dir().unwrap_or_else(|_| data_dir.join("logs"));
    std::fs::create_dir_all(&log_dir)?;
    if let Some(logging) = start_logging(&log_dir) {
        app.manage(logging);
    }
    tracing::info!(data = %data_dir.display(), "Storedesk starting");
    let store = Arc::new(Store::open_dir_with(&data_dir, OpenOptions::default())?);
    if let Err(err) = store.warm_catalog() {
        tracing::warn!(%err, "could not load the catalog into the cache");
    }
    let state = Arc::new(AppState::new(store, data_dir, log_dir));
    if let Err(err) = state.restart_sync() {
        tracing::warn!(?err, "sync not started");
    }
    app.manage(state);
    events::start_ticker(handle);
    Ok(())
}

/// Builds and runs the app; `main.rs` only calls this.
pub fn run() {
    let specta = bindings::builder();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            // A second launch brings the running window forward instead.
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .invoke_handler(specta.invoke_handler())
        .setup(move |app| {
            specta.mount_events(app);
            set_up(app)
        })
        .run(tauri::generate_context!());
    if let Err(err) = result {
        eprintln!("Storedesk could not start: {err}");
        std::process::exit(1);
    }
}
