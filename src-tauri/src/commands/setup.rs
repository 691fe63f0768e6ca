//! The store's identity and the operator's preferences.

use serde::Serialize;
use storedesk_store::StoreSettings;
use storedesk_store::settings::StoreSetup;
use storedesk_store::views::Dashboard;

use super::State;
use crate::credentials::TokenStorage;
use crate::error::AppResult;

#[derive(Clone, Debug, Serialize, specta::Type)]
pub struct AppInfo {
    /// `None` until the store is set up.
    pub store: Option<StoreSettings>,
    /// The store's currency's decimals (ISO 4217): what the UI formats its money with.
    pub currency_decimals: Option<i32>,
    pub language: Option<String>,
    pub low_stock_threshold: i32,
    pub central_url: Option<String>,
    pub has_token: bool,
    pub token_storage: TokenStorage,
    pub data_dir: String,
    pub log_dir: String,
    pub version: String,
}

#[tauri::command]
#[specta::specta]
pub async fn app_info(state: State<'_>) -> AppResult<AppInfo> {
    state
        .timed("app_info", move |state| {
            let store = state.store.settings().ok().map(|s| (*s).clone());
            Ok(AppInfo {
                currency_decimals: store.as_ref().map(|s| i32::from(s.currency.decimals())),
                store,
                language: state.store.language()?,
                low_stock_threshold: state.store.low_stock_threshold()? as i32,
                central_url: state.store.central_url()?,
                has_token: state.credentials.load().is_some(),
                token_storage: state.credentials.storage(),
                data_dir: state.data_dir.display().to_string(),
                log_dir: state.log_dir.display().to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
            })
        })
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn setup_store(
    state: State<'_>,
    code: String,
    name: Option<String>,
    currency: String,
) -> AppResult<StoreSettings> {
    state
        .timed("setup_store", move |state| {
            Ok((*state.store.init(StoreSetup { code, name, currency, time_zone: None })?).clone())
        })
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn set_language(state: State<'_>, language: String) -> AppResult<()> {
    state.timed("set_language", move |state| Ok(state.store.set_language(&language)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_low_stock_threshold(state: State<'_>, threshold: i32) -> AppResult<()> {
    state
        .timed("set_low_stock_threshold", move |state| {
            state.allow(storedesk_domain::Permission::ChangeSettings)?;
            Ok(state.store.set_low_stock_threshold(i64::from(threshold))?)
        })
        .await
}

/// The dashboard's figures: the whole store's, or narrowed to one till's orders.
#[tauri::command]
#[specta::specta]
pub async fn dashboard(state: State<'_>, till: Option<String>) -> AppResult<Dashboard> {
    state.timed("dashboard", move |state| Ok(state.store.dashboard(till.as_deref())?)).await
}

/// The tills the figures can be narrowed to: every till that has taken an order here, and this one.
#[tauri::command]
#[specta::specta]
pub async fn store_tills(state: State<'_>) -> AppResult<Vec<String>> {
    state.timed("store_tills", move |state| Ok(state.store.tills()?)).await
}
