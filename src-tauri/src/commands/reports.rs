//! Report exports: started in the background, with progress events and cancel.

use std::sync::Arc;
use std::time::Duration;

use storedesk_reports::period::ReportPeriod;
use storedesk_reports::{ExportRequest, Format, Lang, ReportKind};
use tauri_specta::Event;

use super::State;
use crate::error::{AppError, AppResult};
use crate::events::ExportProgress;
use crate::state::AppState;

/// Starts an export to `path` (chosen in the native save dialog); returns its id. Progress and
/// the end arrive as `ExportProgress` events.
/// Which orders a report's figures cover: one till's, one person's, or (both `None`) the store's.
#[derive(Clone, Debug, Default, serde::Deserialize, specta::Type)]
pub struct Narrow {
    pub till: Option<String>,
    pub staff: Option<String>,
}

#[tauri::command]
#[specta::specta]
#[allow(clippy::too_many_arguments)]
pub async fn start_export(
    app: tauri::AppHandle,
    state: State<'_>,
    kind: ReportKind,
    format: Format,
    from: String,
    to: String,
    lang: Lang,
    bom: bool,
    path: String,
    narrow: Narrow,
) -> AppResult<u32> {
    state.timed("start_export", |state| state.allow(storedesk_domain::Permission::ViewReports)).await?;
    let period = ReportPeriod::parse(&from, &to)?;
    let Narrow { till, staff } = narrow;
    let request = ExportRequest { kind, format, period, lang, bom, till, staff };
    let (id, control) = state.new_export();
    let state: Arc<AppState> = state.inner().clone();
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    {
        // Progress every 200 ms while the export runs.
        let (app, control, done) = (app.clone(), control.clone(), done.clone());
        tauri::async_runtime::spawn(async move {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let rows = control.rows_written().min(u64::from(u32::MAX)) as u32;
                let _ = ExportProgress { id, rows, done: false, path: None, error: None }.emit(&app);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
    }
    tauri::async_runtime::spawn_blocking(move || {
        let target = std::path::PathBuf::from(&path);
        let result = state.timed_here("export", || {
            Ok(storedesk_reports::export(&state.store, &request, &target, &control)?)
        });
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut exports) = state.exports.lock() {
            exports.remove(&id);
        }
        let rows = control.rows_written().min(u64::from(u32::MAX)) as u32;
        let event = match result {
            Ok(summary) => ExportProgress {
                id,
                rows,
                done: true,
                path: Some(summary.path.display().to_string()),
                error: None,
            },
            Err(error) => ExportProgress { id, rows, done: true, path: None, error: Some(error) },
        };
        let _ = event.emit(&app);
    });
    Ok(id)
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_export(state: State<'_>, id: u32) -> AppResult<()> {
    let exports = state.exports.lock().map_err(|_| AppError::new("internal", "exports poisoned"))?;
    match exports.get(&id) {
        Some(control) => {
            control.cancel();
            Ok(())
        }
        None => Err(AppError::new("unknown_export", format!("no export {id} is running"))),
    }
}
