//! The `/v1` handlers. Each one: extract, authorise, call a service function, answer.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use storedesk_protocol::api::{
    AllocatedOrder, ChangesResponse, ErrorBody, PushRequest, PushResponse, SnapshotResponse,
};

use super::AppState;
use super::error::ApiError;
use super::extract::{Admin, Body, Device, Params};
use crate::service::catalog::{ProductInput, UpsertSummary};
use crate::service::conflicts::ConflictRow;
use crate::service::orders::CentralOrderInput;
use crate::service::stock::StockRow;
use crate::service::tills::NewTill;
use crate::service::{StoreRef, catalog, conflicts, feed, orders, staff, stock, stores};

type ApiResult<T> = Result<Json<T>, ApiError>;

/// Push a batch of the store's outbox events (oldest first). Each event is answered `applied`,
/// `duplicate` (with the original result), `rejected` (with `code` and `message`) or
/// `retry_later`.
#[utoipa::path(post, path = "/v1/events", request_body = PushRequest, security(("device" = [])),
    responses((status = 200, body = PushResponse), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn push_events(
    State(state): State<AppState>,
    Device(device): Device,
    Body(request): Body<PushRequest>,
) -> ApiResult<PushResponse> {
    let results = state.pushes.push(&state.db, &device, request.events).await?;
    Ok(Json(PushResponse { results }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// The cursor: the last change id already applied (0 at first).
    #[serde(default)]
    #[param(minimum = 0, default = 0)]
    pub after: i64,
    /// At most this many changes (1 to 5000).
    #[serde(default = "default_limit")]
    #[param(minimum = 1, maximum = 5000, default = 1000)]
    pub limit: i64,
}

fn default_limit() -> i64 {
    1000
}

/// Read the change feed after a cursor: product changes, and the store's stock snapshots,
/// allocated orders and conflicts.
#[utoipa::path(get, path = "/v1/changes", params(ChangesQuery), security(("device" = [])),
    responses((status = 200, body = ChangesResponse), (status = 401, body = ErrorBody), (status = 410, body = ErrorBody,
        description = "`cursor_too_old`: the feed was compacted past this cursor; read /v1/snapshot from it"),
        (status = 422, body = ErrorBody)))]
pub async fn changes(
    State(state): State<AppState>,
    Device(device): Device,
    Params(query): Params<ChangesQuery>,
) -> ApiResult<ChangesResponse> {
    let mut answer = feed::read(&state.db, device.store.id, query.after, query.limit).await?;
    answer.staff_version = Some(staff::version(&state.db, device.store.id).await?);
    Ok(Json(answer))
}

/// The newest entry of every thing of the device's store and of the catalog, in feed order after
/// `after`: what a new till reads instead of the whole history (then it follows the feed from the
/// larger of the first page's `head` and the last id it read). Also the answer to a 410
/// `cursor_too_old` from the feed: read this from the same cursor.
#[utoipa::path(get, path = "/v1/snapshot", params(ChangesQuery), security(("device" = [])),
    responses((status = 200, body = SnapshotResponse)))]
pub async fn snapshot(
    State(state): State<AppState>,
    Device(device): Device,
    Params(query): Params<ChangesQuery>,
) -> ApiResult<SnapshotResponse> {
    Ok(Json(feed::latest::snapshot(&state.db, device.store.id, query.after, query.limit).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewStore {
    /// 2 to 12 letters or digits (kept in capitals), used in order numbers.
    #[schema(pattern = r"^\s*[A-Za-z0-9]{2,12}\s*$", example = "SH01")]
    pub code: String,
    /// Its code when absent.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub name: Option<String>,
    /// ISO 4217.
    #[serde(default = "default_currency")]
    #[schema(pattern = "^[A-Za-z]{3}$", default = "CNY")]
    pub currency: String,
}

fn default_currency() -> String {
    "CNY".into()
}

/// Admin: create a store with its first till, `T1`; answers that till's token and join code.
#[utoipa::path(post, path = "/v1/admin/stores", request_body = NewStore, security(("admin" = [])),
    responses((status = 200, body = NewTill), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn add_store(
    State(state): State<AppState>,
    _: Admin,
    Body(input): Body<NewStore>,
) -> ApiResult<NewTill> {
    let (_, till) = stores::add_store(&state.db, &input.code, input.name.as_deref(), &input.currency).await?;
    Ok(Json(till))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ProductsInput {
    pub products: Vec<ProductInput>,
}

/// Admin: add or change products (each change raises the product's version).
#[utoipa::path(put, path = "/v1/admin/products", request_body = ProductsInput, security(("admin" = [])),
    responses((status = 200, body = UpsertSummary), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upsert_products(
    State(state): State<AppState>,
    _: Admin,
    Body(input): Body<ProductsInput>,
) -> ApiResult<UpsertSummary> {
    Ok(Json(catalog::upsert_products(&state.db, &input.products).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Receipt {
    #[schema(min_length = 1, max_length = 64)]
    pub sku: String,
    /// Units received: 1 to 1,000,000 (`MAX_ADJUST`).
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub qty: i64,
}

/// Admin: goods received at a store.
#[utoipa::path(post, path = "/v1/admin/stores/{code}/receipts", request_body = Receipt, params(("code" = String, Path)),
    security(("admin" = [])), responses((status = 200, body = StockRow), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn receive_stock(
    State(state): State<AppState>,
    _: Admin,
    Path(code): Path<String>,
    Body(input): Body<Receipt>,
) -> ApiResult<StockRow> {
    let store = stores::store_by_code(&state.db, &code).await?;
    Ok(Json(stock::receive(&state.db, &store, &input.sku, input.qty).await?))
}

/// Admin: a store's stock.
#[utoipa::path(get, path = "/v1/admin/stores/{code}/stock", params(("code" = String, Path)), security(("admin" = [])),
    responses((status = 200, body = Vec<StockRow>), (status = 404, body = ErrorBody)))]
pub async fn list_stock(
    State(state): State<AppState>,
    _: Admin,
    Path(code): Path<String>,
) -> ApiResult<Vec<StockRow>> {
    let store = stores::store_by_code(&state.db, &code).await?;
    Ok(Json(stock::list(&state.db, &store).await?))
}

/// Admin: place an order from the central platform for a store (reserved at once).
#[utoipa::path(post, path = "/v1/admin/stores/{code}/orders", request_body = CentralOrderInput, params(("code" = String, Path)),
    security(("admin" = [])), responses((status = 200, body = AllocatedOrder), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn place_order(
    State(state): State<AppState>,
    _: Admin,
    Path(code): Path<String>,
    Body(input): Body<CentralOrderInput>,
) -> ApiResult<AllocatedOrder> {
    let store = stores::store_by_code(&state.db, &code).await?;
    Ok(Json(orders::place(&state.db, &store, &input).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConflictsQuery {
    /// Only this store's conflicts.
    pub store: Option<String>,
}

/// Admin: reservations central could not honour.
#[utoipa::path(get, path = "/v1/admin/conflicts", params(ConflictsQuery), security(("admin" = [])),
    responses((status = 200, body = Vec<ConflictRow>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_conflicts(
    State(state): State<AppState>,
    _: Admin,
    Params(query): Params<ConflictsQuery>,
) -> ApiResult<Vec<ConflictRow>> {
    let store: Option<StoreRef> = match query.store {
        Some(code) => Some(stores::store_by_code(&state.db, &code).await?),
        None => None,
    };
    Ok(Json(conflicts::list(&state.db, store.as_ref()).await?))
}
