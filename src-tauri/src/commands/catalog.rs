//! Stock and the catalog.

use storedesk_domain::Permission;
use storedesk_domain::stock::AdjustReason;
use storedesk_store::catalog::Product;
use storedesk_store::stock::{LedgerEntry, StockRow};

use super::State;
use crate::error::AppResult;

#[tauri::command]
#[specta::specta]
pub async fn stock_levels(state: State<'_>) -> AppResult<Vec<StockRow>> {
    state.timed("stock_levels", move |state| Ok(state.store.stock_levels()?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn adjust_stock(
    state: State<'_>,
    sku: String,
    delta: i32,
    reason: AdjustReason,
    note: Option<String>,
) -> AppResult<StockRow> {
    state
        .timed("adjust_stock", move |state| {
            Ok(state.store.adjust_stock(&state.actor()?, &sku, i64::from(delta), reason, note.as_deref())?)
        })
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn stock_ledger(state: State<'_>, sku: String) -> AppResult<Vec<LedgerEntry>> {
    state.timed("stock_ledger", move |state| Ok(state.store.ledger(&sku, 200)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn catalog(state: State<'_>) -> AppResult<Vec<Product>> {
    state.timed("catalog", move |state| Ok(state.store.products()?)).await
}

/// SKU or name search for the new-order form, from the in-memory catalog cache.
#[tauri::command]
#[specta::specta]
pub async fn search_catalog(state: State<'_>, text: String) -> AppResult<Vec<Product>> {
    state.timed("search_catalog", move |state| Ok(state.store.search_catalog(&text, 20))).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_product_threshold(state: State<'_>, sku: String, threshold: Option<i32>) -> AppResult<()> {
    state
        .timed("set_product_threshold", move |state| {
            state.allow(Permission::ChangeSettings)?;
            Ok(state.store.set_product_threshold(&sku, threshold.map(i64::from))?)
        })
        .await
}
