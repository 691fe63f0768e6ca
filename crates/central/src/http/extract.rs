//! Extractors: the JSON body (rejections become JSON errors naming the problem), the device's
//! bearer token (its store, rate-limited per token) and the admin credential.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::AppState;
use super::error::ApiError;
use crate::service::{DeviceRef, stores};

/// `axum::Json` with our error answers: 413 too large, 415 not JSON, 400 malformed, 422 a field of
/// the wrong type or an unknown value (the message names the field's path).
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Body(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    let status = rejection.status();
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "not_json",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid",
        _ => "malformed_json",
    };
    let message = match &rejection {
        JsonRejection::JsonDataError(e) => {
            e.body_text().replace("Failed to deserialize the JSON body into the target type: ", "")
        }
        other => other.body_text(),
    };
    ApiError::new(status, code, message)
}

/// Query parameters with a JSON error naming the parameter.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Params(value)),
            Err(rejection) => Err(query_rejection(rejection)),
        }
    }
}

fn query_rejection(rejection: QueryRejection) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", rejection.body_text())
}

/// The bearer token of the request, or a 401 that says which credential is missing.
fn bearer<'p>(parts: &'p Parts, which: &str) -> Result<&'p str, ApiError> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                format!("{which} is required (Authorization: Bearer ...)"),
            )
        })
}

/// The till (and store) of the device token in `Authorization: Bearer ...`.
pub struct Device(pub DeviceRef);

impl FromRequestParts<AppState> for Device {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts, "a device token")?;
        limit(state, &stores::hash_token(token), "too many requests for this token; slow down")?;
        let device = stores::authenticate(&state.db, token).await.map_err(ApiError::from)?;
        Ok(Device(device))
    }
}

/// The rate limit on `key`: a 429 with `Retry-After` when it is spent.
pub fn limit(state: &AppState, key: &str, message: &str) -> Result<(), ApiError> {
    let Err(not_until) = state.limiter.check_key(&key.to_string()) else { return Ok(()) };
    let wait =
        not_until.wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
    let mut err = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message);
    err.retry_after = Some(wait.as_secs().max(1));
    Err(err)
}

/// The admin credential; a device token here is forbidden (403), anything else unauthorised (401).
pub struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts, "the admin credential")?;
        if stores::hash_token(token) == state.admin_hash {
            return Ok(Admin);
        }
        if stores::authenticate(&state.db, token).await.is_ok() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "a device token cannot do admin operations",
            ));
        }
        Err(ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "wrong admin credential"))
    }
}
