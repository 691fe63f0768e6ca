//! Tills: a device joins with a one-time code and says which installation it is; an admin adds,
//! lists and revokes a store's tills.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use storedesk_protocol::api::{ClaimRequest, ErrorBody, JoinRequest, Joined, TillInfo};

use super::AppState;
use super::error::ApiError;
use super::extract::{Admin, Body, Device, limit};
use crate::service::stores;
use crate::service::tills::{self, NewTill, TillRow};

type ApiResult<T> = Result<Json<T>, ApiError>;

/// Exchange a one-time join code for the till's token (no credential: the code is it).
#[utoipa::path(post, path = "/v1/join", request_body = JoinRequest,
    responses((status = 200, body = Joined), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn join(State(state): State<AppState>, Body(request): Body<JoinRequest>) -> ApiResult<Joined> {
    // One budget for every join, whoever asks: 60 random bits cannot be guessed at this rate.
    limit(&state, "join", "too many join attempts; wait a moment")?;
    if request.code.is_empty() || request.code.chars().count() > 64 {
        return Err(crate::error::CentralError::invalid("code", "1 to 64 characters").into());
    }
    Ok(Json(tills::join(&state.db, &request.code).await?))
}

/// Who this device is: its store and till. The first installation to ask owns the till; another
/// one is refused (`till_in_use`).
#[utoipa::path(post, path = "/v1/till", request_body = ClaimRequest, security(("device" = [])),
    responses((status = 200, body = TillInfo), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn claim(
    State(state): State<AppState>,
    Device(device): Device,
    Body(request): Body<ClaimRequest>,
) -> ApiResult<TillInfo> {
    Ok(Json(tills::claim(&state.db, &device, &request.installation).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTillRequest {
    /// What the till is called (`Counter 2`); its code when absent.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub name: Option<String>,
}

/// Admin: add a till to a store; answers its code, first token and a one-time join code.
#[utoipa::path(post, path = "/v1/admin/stores/{code}/tills", request_body = NewTillRequest, params(("code" = String, Path)),
    security(("admin" = [])),
    responses((status = 200, body = NewTill), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_till(
    State(state): State<AppState>,
    _: Admin,
    Path(code): Path<String>,
    Body(request): Body<NewTillRequest>,
) -> ApiResult<NewTill> {
    let store = stores::store_by_code(&state.db, &code).await?;
    Ok(Json(tills::add_till(&state.db, &store, request.name.as_deref()).await?))
}

/// Admin: another till for a store, with no name (`token issue`; the same as adding a till).
#[utoipa::path(post, path = "/v1/admin/stores/{code}/tokens", params(("code" = String, Path)), security(("admin" = [])),
    responses((status = 200, body = NewTill), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn issue_token(
    State(state): State<AppState>,
    _: Admin,
    Path(code): Path<String>,
) -> ApiResult<NewTill> {
    let store = stores::store_by_code(&state.db, &code).await?;
    Ok(Json(tills::add_till(&state.db, &store, None).await?))
}

/// Admin: a store's tills.
#[utoipa::path(get, path = "/v1/admin/stores/{code}/tills", params(("code" = String, Path)), security(("admin" = [])),
    responses((status = 200, body = Vec<TillRow>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn list_tills(
    State(state): State<AppState>,
    _: Admin,
    Path(code): Path<String>,
) -> ApiResult<Vec<TillRow>> {
    let store = stores::store_by_code(&state.db, &code).await?;
    Ok(Json(tills::list_tills(&state.db, &store).await?))
}
