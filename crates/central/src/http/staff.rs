//! Staff and audit handlers for tills: the store's staff list (PIN hashes, for offline sign-in)
//! and the upload of a till's audit chain.

use axum::Json;
use axum::extract::State;
use storedesk_protocol::api::ErrorBody;
use storedesk_protocol::audit::{AuditReceipt, AuditUpload};
use storedesk_protocol::staff::StaffListing;

use super::AppState;
use super::error::ApiError;
use super::extract::{Body, Device};
use crate::service::{audit, staff};

/// The device's store's staff (PIN hashes only) and staff policy. The change feed's answers carry
/// `staff_version`; a till asks again when it moved.
#[utoipa::path(get, path = "/v1/staff", security(("device" = [])),
    responses((status = 200, body = StaffListing), (status = 401, body = ErrorBody)))]
pub async fn listing(
    State(state): State<AppState>,
    Device(device): Device,
) -> Result<Json<StaffListing>, ApiError> {
    Ok(Json(staff::listing(&state.db, &device.store).await?))
}

/// The till's next audit records, oldest first. They must continue the chain central holds of
/// this till; what does not is flagged and answered 409 `audit_chain_broken`.
#[utoipa::path(post, path = "/v1/audit", request_body = AuditUpload, security(("device" = [])),
    responses((status = 200, body = AuditReceipt), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`audit_chain_broken`: the records do not continue the chain central holds"),
        (status = 422, body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    Device(device): Device,
    Body(upload): Body<AuditUpload>,
) -> Result<Json<AuditReceipt>, ApiError> {
    Ok(Json(audit::receive(&state.db, &device, &upload.records).await?))
}
