//! Every error answer is JSON `{"code": "...", "message": "..."}` with the right status. Database
//! and internal errors are logged and answered as a bare 500.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use storedesk_protocol::api::{ErrorBody, codes};

use crate::error::CentralError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    /// For 429: seconds to wait.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError { status, code: code.into(), message: message.into(), retry_after: None }
    }
}

impl From<CentralError> for ApiError {
    fn from(err: CentralError) -> Self {
        match err {
            CentralError::NotFound { .. } => {
                ApiError::new(StatusCode::NOT_FOUND, "not_found", err.to_string())
            }
            CentralError::Invalid { .. } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", err.to_string())
            }
            CentralError::OutOfRange { .. } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, codes::OUT_OF_RANGE, err.to_string())
            }
            CentralError::Conflict { code, ref message } => {
                ApiError::new(StatusCode::CONFLICT, code, message.clone())
            }
            CentralError::Unauthorized => {
                ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", err.to_string())
            }
            CentralError::CursorTooOld { .. } => {
                ApiError::new(StatusCode::GONE, codes::CURSOR_TOO_OLD, err.to_string())
            }
            CentralError::Database(_) | CentralError::Migration { .. } | CentralError::Corrupt { .. } => {
                let chain: Vec<String> =
                    std::iter::successors(Some(&err as &dyn std::error::Error), |e| e.source())
                        .map(ToString::to_string)
                        .collect();
                tracing::error!(error = chain.join(": "), "request failed");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody { code: self.code, message: self.message };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}
