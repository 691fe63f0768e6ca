//! The HTTP API. [`router`] builds it; [`serve`] runs it until shutdown, finishing requests in
//! flight.
//!
//! Every request gets a trace id — from the caller's W3C `traceparent` header when there is one —
//! recorded on its log lines and echoed in the `traceparent` response header, so a slow call seen
//! on a device can be found in central's logs.

pub mod api;
pub mod devices;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod staff;

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tracing::Instrument;

use crate::db::Db;
use crate::service::stores;

/// Shared by all handlers.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// SHA-256 of the admin credential.
    pub admin_hash: String,
    pub limiter: Arc<DefaultKeyedRateLimiter<String>>,
    /// Pushes, committed in groups on SQLite.
    pub pushes: crate::service::events::Pushes,
    metrics: PrometheusHandle,
}

/// The admin credential: never empty, so no request can present "nothing" and be let in.
#[derive(Clone)]
pub struct AdminToken(String);

impl AdminToken {
    /// At least 16 characters, no surrounding blanks counted.
    pub fn new(text: &str) -> Result<AdminToken, crate::error::CentralError> {
        let token = text.trim();
        if token.chars().count() < 16 {
            return Err(crate::error::CentralError::invalid(
                "admin token",
                "must be at least 16 characters (an empty or short admin credential is refused)",
            ));
        }
        Ok(AdminToken(token.to_string()))
    }
}

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminToken(…)")
    }
}

/// How the server behaves.
#[derive(Clone, Debug)]
pub struct Settings {
    pub admin_token: AdminToken,
    /// Requests per second per device token (bursts of twice that).
    pub rate_limit_per_second: u32,
    /// The largest request body, in bytes.
    pub max_body_bytes: usize,
}

impl Settings {
    /// The defaults (200 requests per second per token, 2 MiB bodies) with the admin credential.
    pub fn new(admin_token: AdminToken) -> Settings {
        Settings { admin_token, rate_limit_per_second: 200, max_body_bytes: 2 * 1024 * 1024 }
    }
}

/// Installs the process's `metrics` recorder: Prometheus for `/metrics`, and `also` beside it
/// (central's OTLP export) when given. The first call decides; a second server in the same
/// process (tests) shares the first one's recorder.
pub fn install_metrics(also: Option<Box<dyn metrics::Recorder + Send + Sync>>) -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let prometheus = PrometheusBuilder::new().build_recorder();
            let handle = prometheus.handle();
            let installed = match also {
                Some(other) => metrics::set_global_recorder(
                    metrics_util::layers::FanoutBuilder::default()
                        .add_recorder(prometheus)
                        .add_recorder(other)
                        .build(),
                )
                .is_ok(),
                None => metrics::set_global_recorder(prometheus).is_ok(),
            };
            if !installed {
                tracing::debug!("a metrics recorder was installed before; /metrics stays empty");
            }
            handle
        })
        .clone()
}

fn metrics_handle() -> PrometheusHandle {
    install_metrics(None)
}

pub fn router(db: Db, settings: &Settings) -> Router {
    let per_second = NonZeroU32::new(settings.rate_limit_per_second.max(1)).unwrap_or(NonZeroU32::MIN);
    let burst = per_second.saturating_mul(NonZeroU32::new(2).unwrap_or(NonZeroU32::MIN));
    let state = AppState {
        db,
        admin_hash: stores::hash_token(&settings.admin_token.0),
        limiter: Arc::new(RateLimiter::keyed(Quota::per_second(per_second).allow_burst(burst))),
        pushes: Default::default(),
        metrics: metrics_handle(),
    };
    let v1 = Router::new()
        .route("/events", post(api::push_events))
        .route("/changes", get(api::changes))
        .route("/snapshot", get(api::snapshot))
        .route("/staff", get(staff::listing))
        .route("/audit", post(staff::upload))
        .route("/admin/stores", post(api::add_store))
        .route("/join", post(devices::join))
        .route("/till", post(devices::claim))
        .route("/admin/stores/{code}/tokens", post(devices::issue_token))
        .route("/admin/stores/{code}/tills", post(devices::add_till).get(devices::list_tills))
        .route("/admin/stores/{code}/receipts", post(api::receive_stock))
        .route("/admin/stores/{code}/stock", get(api::list_stock))
        .route("/admin/stores/{code}/orders", post(api::place_order))
        .route("/admin/products", put(api::upsert_products))
        .route("/admin/conflicts", get(api::list_conflicts));
    Router::new()
        .nest("/v1", v1)
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi_json))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(settings.max_body_bytes))
        .layer(middleware::from_fn(trace))
        .with_state(state)
}

async fn healthz(State(state): State<AppState>) -> Response {
    match sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(state.db.reader()).await {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(err) => {
            tracing::error!(%err, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()).into_response()
}

async fn openapi_json() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], openapi::document()).into_response()
}

async fn not_found() -> error::ApiError {
    error::ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

async fn method_not_allowed() -> error::ApiError {
    error::ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take that method",
    )
}

/// The trace id of a W3C `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`), or a new one.
pub fn trace_id(traceparent: Option<&str>) -> String {
    let given = traceparent.and_then(|tp| {
        let parts: Vec<&str> = tp.trim().split('-').collect();
        (parts.len() == 4
            && parts[1].len() == 32
            && parts[1].bytes().all(|b| b.is_ascii_hexdigit())
            && parts[1] != "0".repeat(32))
        .then(|| parts[1].to_ascii_lowercase())
    });
    given.unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string())
}

/// A request's span: `info` (exported when traces are), but `debug` for the probes (`/healthz`,
/// `/metrics`), which a load balancer and Prometheus call every few seconds: they would fill a
/// collector with nothing to follow, and cost the tracing layer's work on the cheapest requests.
fn request_span(method: &axum::http::Method, endpoint: &str) -> tracing::Span {
    macro_rules! span {
        ($level:expr) => {
            tracing::span!(
                $level,
                "request",
                otel.name = %format!("{method} {endpoint}"),
                otel.kind = "server",
                trace_id = tracing::field::Empty,
                %method,
                endpoint = %endpoint
            )
        };
    }
    if matches!(endpoint, "/healthz" | "/metrics") {
        span!(tracing::Level::DEBUG)
    } else {
        span!(tracing::Level::INFO)
    }
}

async fn trace(request: Request, next: Next) -> Response {
    let given = request.headers().get("traceparent").and_then(|v| v.to_str().ok()).map(str::to_string);
    let endpoint = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = request.method().clone();
    let span = request_span(&method, &endpoint);
    // Exported spans continue the caller's trace; either way the logs carry its trace id.
    if let Some(parent) = &given {
        storedesk_telemetry::adopt(&span, parent);
    }
    let exported = storedesk_telemetry::trace_id(&span);
    let trace_id = exported.clone().unwrap_or_else(|| trace_id(given.as_deref()));
    span.record("trace_id", trace_id.as_str());
    let start = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    let elapsed = start.elapsed();
    let status = response.status().as_u16();
    span.in_scope(|| tracing::info!(status, latency_ms = elapsed.as_secs_f64() * 1000.0, "handled"));
    let labels = [("endpoint", endpoint), ("status", status.to_string())];
    metrics::histogram!("storedesk_http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());
    metrics::counter!("storedesk_http_requests_total", &labels).increment(1);
    let echoed = match exported {
        Some(_) => storedesk_telemetry::traceparent(&span),
        None => format!("00-{trace_id}-{}-01", &uuid::Uuid::new_v4().simple().to_string()[..16]),
    };
    if let Ok(value) = HeaderValue::from_str(&echoed) {
        response.headers_mut().insert("traceparent", value);
    }
    response
}

/// Serves until `shutdown` resolves, then stops accepting and finishes the requests in flight.
pub async fn serve(
    db: Db,
    listener: tokio::net::TcpListener,
    settings: Settings,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(db, &settings);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

#[cfg(test)]
mod tests {
    use super::AdminToken;

    #[test]
    fn an_empty_or_short_admin_credential_is_refused() {
        for bad in ["", "   ", "short", " 123456789012345 "] {
            let err = AdminToken::new(bad).expect_err(bad);
            assert!(err.to_string().contains("at least 16 characters"), "{err}");
        }
        assert!(AdminToken::new(" sda_0123456789abcdef ").is_ok());
        assert_eq!(format!("{:?}", AdminToken::new("sda_0123456789abcdef").expect("valid")), "AdminToken(…)");
    }
}
