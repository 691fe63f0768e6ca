//! The HTTP client for central.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use storedesk_protocol::api::{ChangesResponse, ErrorBody, EventStatus, PushRequest, PushResponse};
use storedesk_protocol::events::Envelope;
use storedesk_store::outbox::{PushOutcome, PushResult, Relay, RelayError};

use crate::latency::LatencyRecorder;

pub const PUSH_ENDPOINT: &str = "POST /v1/events";
pub const CHANGES_ENDPOINT: &str = "GET /v1/changes";

/// A failed call: the message for the operator and, for 429/503, how long central asked to wait.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct CallError {
    pub message: String,
    pub retry_after: Option<Duration>,
}

impl From<CallError> for RelayError {
    fn from(e: CallError) -> Self {
        RelayError { message: e.message, retry_after: e.retry_after }
    }
}

#[derive(Clone)]
pub struct CentralClient {
    http: reqwest::Client,
    base: String,
    token: String,
    latency: Arc<LatencyRecorder>,
}

impl CentralClient {
    /// A client for central at `base` (`http://host:port`) with a device token.
    pub fn new(base: &str, token: &str, latency: Arc<LatencyRecorder>) -> Result<Self, CallError> {
        // rustls with the ring provider (no aws-lc build); installing twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(15))
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(concat!("storedesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| CallError {
                message: format!("cannot create the HTTP client: {e}"),
                retry_after: None,
            })?;
        let base = base.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(CallError {
                message: format!("central URL {base:?} must start with http:// or https://"),
                retry_after: None,
            });
        }
        Ok(CentralClient { http, base, token: token.trim().to_string(), latency })
    }

    pub fn latency(&self) -> &Arc<LatencyRecorder> {
        &self.latency
    }

    /// Pushes a batch of events; one outcome per event.
    pub async fn push(&self, events: &[Envelope]) -> Result<PushResponse, CallError> {
        let request =
            self.http.post(format!("{}/v1/events", self.base)).json(&PushRequest { events: events.to_vec() });
        self.call(PUSH_ENDPOINT, request).await
    }

    /// Reads the change feed after `cursor`.
    pub async fn changes(&self, cursor: i64, limit: i64) -> Result<ChangesResponse, CallError> {
        let request =
            self.http.get(format!("{}/v1/changes", self.base)).query(&[("after", cursor), ("limit", limit)]);
        self.call(CHANGES_ENDPOINT, request).await
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        endpoint: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<T, CallError> {
        let trace_id = uuid::Uuid::new_v4().simple().to_string();
        let span_id = &uuid::Uuid::new_v4().simple().to_string()[..16];
        let request =
            request.bearer_auth(&self.token).header("traceparent", format!("00-{trace_id}-{span_id}-01"));
        let start = Instant::now();
        let result = self.send(request).await;
        let elapsed = start.elapsed();
        self.latency.record(endpoint, elapsed, result.is_ok());
        match &result {
            Ok(_) => tracing::debug!(endpoint, trace_id, ms = elapsed.as_millis() as u64, "central call"),
            Err(e) => {
                tracing::warn!(endpoint, trace_id, ms = elapsed.as_millis() as u64, error = %e, "central call failed")
            }
        }
        result
    }

    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, CallError> {
        let fail = |message: String, retry_after: Option<Duration>| CallError { message, retry_after };
        let response = request.send().await.map_err(|e| {
            let what = if e.is_timeout() {
                "timed out"
            } else if e.is_connect() {
                "cannot connect"
            } else {
                "transport error"
            };
            fail(format!("central unreachable ({what}): {e}"), None)
        })?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body =
            response.bytes().await.map_err(|e| fail(format!("central's answer was cut off: {e}"), None))?;
        if status.is_success() {
            return serde_json::from_slice(&body)
                .map_err(|e| fail(format!("central's answer could not be read ({e})"), None));
        }
        let detail = serde_json::from_slice::<ErrorBody>(&body)
            .map(|b| format!("{}: {}", b.code, b.message))
            .unwrap_or_else(|_| String::from_utf8_lossy(&body).chars().take(200).collect());
        let message = match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                format!("central refused the device token ({status}): {detail}")
            }
            StatusCode::TOO_MANY_REQUESTS => format!("central is busy ({status}), waiting: {detail}"),
            s if s.is_server_error() => format!("central failed ({status}): {detail}"),
            _ => format!("central refused the request ({status}): {detail}"),
        };
        Err(fail(message, retry_after))
    }
}

impl Relay for CentralClient {
    async fn push(&self, batch: &[Envelope]) -> Result<Vec<PushOutcome>, RelayError> {
        let response = CentralClient::push(self, batch).await?;
        Ok(response
            .results
            .into_iter()
            .map(|o| {
                let result = match o.status {
                    EventStatus::Applied => PushResult::Applied(o.result.unwrap_or_default()),
                    EventStatus::Duplicate => PushResult::Duplicate(o.result.unwrap_or_default()),
                    EventStatus::Rejected => PushResult::Rejected {
                        code: o.code.unwrap_or_else(|| "rejected".into()),
                        message: o.message.unwrap_or_default(),
                        shortages: o.shortages,
                    },
                    EventStatus::RetryLater => {
                        PushResult::RetryLater { message: o.message.unwrap_or_else(|| "retry later".into()) }
                    }
                };
                PushOutcome { event_id: o.event_id, result }
            })
            .collect())
    }
}
