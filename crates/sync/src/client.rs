//! The HTTP client for central.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use storedesk_protocol::api::{
    AppliedResult, ChangesResponse, ClaimRequest, ErrorBody, EventOutcome, EventStatus, JoinRequest, Joined,
    PushRequest, PushResponse, SnapshotResponse, TillInfo,
};
use storedesk_protocol::audit::{AuditReceipt, AuditRecord, AuditUpload};
use storedesk_protocol::events::Envelope;
use storedesk_protocol::staff::StaffListing;
use storedesk_store::relay::{PushOutcome, PushResult, Relay, RelayError};
use tracing::Instrument as _;

use crate::latency::{Call, LatencyRecorder};

pub const PUSH_ENDPOINT: &str = "POST /v1/events";
pub const CHANGES_ENDPOINT: &str = "GET /v1/changes";
pub const TILL_ENDPOINT: &str = "POST /v1/till";
pub const JOIN_ENDPOINT: &str = "POST /v1/join";
pub const SNAPSHOT_ENDPOINT: &str = "GET /v1/snapshot";
pub const STAFF_ENDPOINT: &str = "GET /v1/staff";
pub const AUDIT_ENDPOINT: &str = "POST /v1/audit";

/// A failed call: unreachable, failed (retry), refused as a whole (a 4xx about the request), or
/// an answer that could not be read. The relay's error type, so the engine and the outbox tell a
/// 422 from a timeout the same way.
pub type CallError = RelayError;

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
            .map_err(|e| CallError::Misconfigured {
                message: format!("cannot create the HTTP client: {e}"),
            })?;
        let base = base.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(CallError::Misconfigured {
                message: format!("central URL {base:?} must start with http:// or https://"),
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

    /// Says which installation this device is and learns its store and till; the first
    /// installation to claim a till owns it (another is refused with `till_in_use`).
    pub async fn claim(&self, installation: &str) -> Result<TillInfo, CallError> {
        let request = self
            .http
            .post(format!("{}/v1/till", self.base))
            .json(&ClaimRequest { installation: installation.to_string() });
        self.call(TILL_ENDPOINT, request).await
    }

    /// Exchanges a one-time join code for a till's token (this client's own token is not sent).
    pub async fn join(base: &str, code: &str) -> Result<Joined, CallError> {
        let client = CentralClient::new(base, "", Arc::new(LatencyRecorder::new()))?;
        let request = client
            .http
            .post(format!("{}/v1/join", client.base))
            .json(&JoinRequest { code: code.trim().to_string() });
        client.call(JOIN_ENDPOINT, request).await
    }

    /// Reads the change feed after `cursor`.
    pub async fn changes(&self, cursor: i64, limit: i64) -> Result<ChangesResponse, CallError> {
        let request =
            self.http.get(format!("{}/v1/changes", self.base)).query(&[("after", cursor), ("limit", limit)]);
        self.call(CHANGES_ENDPOINT, request).await
    }

    /// Reads central's snapshot (the newest entry of every thing) after `after`.
    pub async fn snapshot(&self, after: i64, limit: i64) -> Result<SnapshotResponse, CallError> {
        let request =
            self.http.get(format!("{}/v1/snapshot", self.base)).query(&[("after", after), ("limit", limit)]);
        self.call(SNAPSHOT_ENDPOINT, request).await
    }

    /// Reads the store's staff list (PIN hashes) and staff policy.
    pub async fn staff(&self) -> Result<StaffListing, CallError> {
        self.call(STAFF_ENDPOINT, self.http.get(format!("{}/v1/staff", self.base))).await
    }

    /// Uploads the till's next audit records (they must continue the chain central holds).
    pub async fn upload_audit(&self, records: Vec<AuditRecord>) -> Result<AuditReceipt, CallError> {
        let request = self.http.post(format!("{}/v1/audit", self.base)).json(&AuditUpload { records });
        self.call(AUDIT_ENDPOINT, request).await
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        endpoint: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<T, CallError> {
        // The call's span: exported, it is the parent of central's span for the request.
        let span = tracing::info_span!(
            "central call",
            otel.name = endpoint,
            otel.kind = "client",
            otel.status_code = tracing::field::Empty
        );
        let traceparent = storedesk_telemetry::traceparent(&span);
        let trace_id = traceparent.get(3..35).unwrap_or_default().to_string();
        let request = request.header("traceparent", traceparent);
        let request = if self.token.is_empty() { request } else { request.bearer_auth(&self.token) };
        let start = Instant::now();
        let result = self.send(request).instrument(span.clone()).await;
        if result.is_err() {
            span.record("otel.status_code", "error");
        }
        let elapsed = start.elapsed();
        let call = Call { elapsed, ok: result.is_ok(), trace: Some(&trace_id) };
        self.latency.record(endpoint, call);
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
        let response = request.send().await.map_err(|e| {
            let what = if e.is_timeout() {
                "timed out"
            } else if e.is_connect() {
                "cannot connect"
            } else {
                "transport error"
            };
            CallError::Unreachable { message: format!("central unreachable ({what}): {e}") }
        })?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = response
            .bytes()
            .await
            .map_err(|e| CallError::Unreachable { message: format!("central's answer was cut off: {e}") })?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| CallError::Unreadable {
                message: format!("central's answer could not be read ({e})"),
            });
        }
        Err(http_error(status, &body, retry_after))
    }
}

/// What an error status means for the request: a refusal of the request itself, or a failure
/// worth trying again.
fn http_error(status: StatusCode, body: &[u8], retry_after: Option<Duration>) -> CallError {
    let detail = serde_json::from_slice::<ErrorBody>(body)
        .map(|b| format!("{}: {}", b.code, b.message))
        .unwrap_or_else(|_| String::from_utf8_lossy(body).chars().take(200).collect());
    let code = status.as_u16();
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => CallError::Failed {
            status: code,
            message: format!("central refused the device token ({status}): {detail}"),
            retry_after,
        },
        StatusCode::TOO_MANY_REQUESTS | StatusCode::REQUEST_TIMEOUT => CallError::Failed {
            status: code,
            message: format!("central is busy ({status}), waiting: {detail}"),
            retry_after,
        },
        s if s.is_server_error() => CallError::Failed {
            status: code,
            message: format!("central failed ({status}): {detail}"),
            retry_after,
        },
        _ => CallError::Refused {
            status: code,
            message: format!("central refused the request ({status}): {detail}"),
        },
    }
}

/// One event's outcome as the outbox records it; a result that does not read is not "applied".
fn push_result(o: EventOutcome) -> PushResult {
    let applied = |result: Option<serde_json::Value>| -> PushResult {
        let Some(value) = result else {
            return PushResult::Unreadable { message: "central applied the event but sent no result".into() };
        };
        match serde_json::from_value::<AppliedResult>(value) {
            Ok(result) if o.status == EventStatus::Duplicate => PushResult::Duplicate(result),
            Ok(result) => PushResult::Applied(result),
            Err(e) => PushResult::Unreadable {
                message: format!("central's result for the event could not be read ({e})"),
            },
        }
    };
    match o.status {
        EventStatus::Applied | EventStatus::Duplicate => applied(o.result),
        EventStatus::Rejected => PushResult::Rejected {
            code: o.code.unwrap_or_else(|| "rejected".into()),
            message: o.message.unwrap_or_default(),
            shortages: o.shortages,
        },
        EventStatus::RetryLater => {
            PushResult::RetryLater { message: o.message.unwrap_or_else(|| "retry later".into()) }
        }
    }
}

impl Relay for CentralClient {
    async fn push(&self, batch: &[Envelope]) -> Result<Vec<PushOutcome>, RelayError> {
        let response = CentralClient::push(self, batch).await?;
        Ok(response
            .results
            .into_iter()
            .map(|o| PushOutcome { event_id: o.event_id, result: push_result(o) })
            .collect())
    }
}
