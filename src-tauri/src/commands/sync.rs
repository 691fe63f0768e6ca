//! Sync with central: status, "sync now", dead events, attention items, configuration.

use storedesk_store::attention::AttentionItem;
use storedesk_store::latency::Rollup;
use storedesk_store::outbox::{OutboxEvent, OutboxStatus};
use storedesk_store::sync_state::keys;
use storedesk_sync::{RoundReport, SyncStatus};

use super::State;
use crate::error::{AppError, AppResult};

#[tauri::command]
#[specta::specta]
pub async fn sync_status(state: State<'_>) -> AppResult<SyncStatus> {
    state.timed("sync_status", move |state| Ok(storedesk_sync::engine::status(&state.store)?)).await
}

/// One round now, past every backoff.
#[tauri::command]
#[specta::specta]
pub async fn sync_now(state: State<'_>) -> AppResult<RoundReport> {
    let engine =
        state.engine()?.ok_or_else(|| AppError::new("not_configured", "no central is configured"))?;
    Ok(engine.round(true).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn outbox(state: State<'_>, status: Option<OutboxStatus>) -> AppResult<Vec<OutboxEvent>> {
    state.timed("outbox", move |state| Ok(state.store.outbox(status, 500)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn retry_event(state: State<'_>, event_id: String) -> AppResult<()> {
    state
        .timed("retry_event", move |state| {
            state.store.retry_dead_event(&event_id)?;
            Ok(())
        })
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn discard_event(state: State<'_>, event_id: String) -> AppResult<i32> {
    state
        .timed("discard_event", move |state| {
            state.allow(storedesk_domain::Permission::ChangeSettings)?;
            Ok(state.store.discard_dead_event(&event_id)? as i32)
        })
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn attention_items(state: State<'_>) -> AppResult<Vec<AttentionItem>> {
    state.timed("attention_items", move |state| Ok(state.store.attention_items(true)?)).await
}

/// Saves central's URL and the device token (keychain or private file), and (re)starts sync. With
/// a token, central is asked first which till this device is, and the device becomes it (nothing
/// is saved when central refuses).
#[tauri::command]
#[specta::specta]
pub async fn configure_central(
    state: State<'_>,
    url: String,
    token: Option<String>,
) -> AppResult<SyncStatus> {
    state
        .timed("configure_central", |state| state.allow(storedesk_domain::Permission::ChangeSettings))
        .await?;
    let url = url.trim().trim_end_matches('/').to_string();
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(AppError::new("invalid_url", format!("{url:?} must start with http:// or https://")));
    }
    let token = token.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    if let Some(token) = &token {
        let client = storedesk_sync::CentralClient::new(&url, token, state.latency.clone())?;
        storedesk_sync::connect::adopt(&state.store, &client).await?;
    }
    keep_connection(&state, url, token).await?;
    state.timed("sync_status", |state| Ok(storedesk_sync::engine::status(&state.store)?)).await
}

/// Joins an existing store as a till with the one-time code (or the join link of its QR code,
/// which carries central's URL): the code is exchanged for the till's token, which goes to the
/// keychain and is never shown; then one sync round fills the till from central before it sells.
#[tauri::command]
#[specta::specta]
pub async fn join_store(state: State<'_>, central: Option<String>, code: String) -> AppResult<SyncStatus> {
    let (url, code) = storedesk_sync::connect::join_target(central.as_deref(), &code)?;
    let (_, token) = storedesk_sync::connect::join(&state.store, &url, &code, state.latency.clone()).await?;
    keep_connection(&state, url, Some(token)).await?;
    if let Some(engine) = state.engine()? {
        // A failed first round is in the status (last error); the background loop goes on trying.
        engine.round(true).await?;
    }
    state.timed("sync_status", |state| Ok(storedesk_sync::engine::status(&state.store)?)).await
}

/// Keeps central's URL and the token (when given), and (re)starts the background sync.
async fn keep_connection(state: &State<'_>, url: String, token: Option<String>) -> AppResult<()> {
    state
        .timed("configure_central", move |state| {
            if let Some(token) = &token {
                state.credentials.save(token).map_err(|e| AppError::new("keychain", e))?;
            }
            state.store.set_sync_value(keys::CENTRAL_URL, &url)?;
            Ok(())
        })
        .await?;
    state.restart_sync()
}

/// Stored per-minute latency since `since_ms` (the dashboard's 1 h and 24 h ranges).
#[tauri::command]
#[specta::specta]
pub async fn latency_history(state: State<'_>, since_ms: f64) -> AppResult<Vec<Rollup>> {
    state
        .timed("latency_history", move |state| {
            // The minutes not saved yet count too.
            state.store.save_rollups(&state.latency.take_rollups())?;
            Ok(state.store.rollups_since(since_ms as i64)?)
        })
        .await
}
