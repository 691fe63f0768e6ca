//! `storedesk-telemetry`: OpenTelemetry traces for every Storedesk process (central, the app, the
//! CLI), and central's metrics ([`Otel::metrics_recorder`]), exported over OTLP/HTTP to a
//! collector — only when the standard environment names one.
//!
//! - Off by default: without `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`)
//!   [`Otel::from_env`] gives `None`, no layer is installed, and spans cost what `tracing` costs.
//! - Configured by the standard variables, read by the OpenTelemetry SDK itself:
//!   `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf`, the default, or `http/json`),
//!   `OTEL_SERVICE_NAME` (else the process's own name), `OTEL_TRACES_SAMPLER` and
//!   `OTEL_TRACES_SAMPLER_ARG` (for example `parentbased_traceidratio` and `0.01`),
//!   `OTEL_SDK_DISABLED=true` turns it off again.
//! - A collector that is down or slow never slows the process: spans wait in the SDK's bounded
//!   queue and are exported in batches from its own thread; a batch the collector does not take is
//!   dropped and counted ([`spans_dropped`]: the SDK keeps no count of its own that a program can
//!   read, so the exporter is wrapped).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, SdkTracerProvider, SpanData, SpanExporter,
};

/// Why tracing could not be set up as configured.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error(
        "OTEL_EXPORTER_OTLP_PROTOCOL={0:?}: Storedesk exports over HTTP only: use http/protobuf or http/json"
    )]
    Protocol(String),
    #[error("the OTLP exporter cannot be built: {0}")]
    Exporter(String),
}

/// The spans most waiting for export; beyond it new spans are dropped, never waited for.
pub const MAX_QUEUE: usize = 4_096;

/// The longest a process waits at exit for its last spans to be sent.
pub const SHUTDOWN_WAIT: Duration = Duration::from_secs(2);

/// Trace export to a collector; shut it down on exit to send what is queued.
pub struct Otel {
    provider: SdkTracerProvider,
    service: String,
    meters: Option<opentelemetry_sdk::metrics::SdkMeterProvider>,
}

/// The process's count of spans dropped, set when its export starts.
static DROPPED: OnceLock<Arc<AtomicU64>> = OnceLock::new();

/// The spans this process dropped so far (a batch the collector did not take, or the queue was
/// full), or `None` when it exports no traces.
pub fn spans_dropped() -> Option<u64> {
    DROPPED.get().map(|d| d.load(Ordering::Relaxed))
}

impl Otel {
    /// Export as the standard environment says, or `None` when it names no collector.
    pub fn from_env(service: &str) -> Result<Option<Otel>, TelemetryError> {
        let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.trim().is_empty());
        let disabled =
            std::env::var("OTEL_SDK_DISABLED").is_ok_and(|v| v.trim().eq_ignore_ascii_case("true"));
        if disabled || !(set("OTEL_EXPORTER_OTLP_ENDPOINT") || set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) {
            return Ok(None);
        }
        for name in ["OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] {
            if let Ok(protocol) = std::env::var(name)
                && !matches!(protocol.trim(), "http/protobuf" | "http/json")
            {
                return Err(TelemetryError::Protocol(protocol));
            }
        }
        // reqwest is built with rustls and no default crypto provider (as the sync client is).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let built = off_runtime(|| opentelemetry_otlp::SpanExporter::builder().with_http().build())?;
        let name = std::env::var("OTEL_SERVICE_NAME").ok().filter(|n| !n.trim().is_empty());
        Ok(Some(Otel::with_exporter(built, &name.unwrap_or_else(|| service.to_string()))))
    }

    /// Export to `exporter` in batches from the SDK's own thread, drops counted; the sampler is
    /// the SDK's, as `OTEL_TRACES_SAMPLER` says (parent-based, all sampled, when unset).
    fn with_exporter(exporter: impl SpanExporter + 'static, service: &str) -> Otel {
        let dropped = DROPPED.get_or_init(Arc::default).clone();
        let exporter = Counted { inner: exporter, dropped };
        let batches = BatchConfigBuilder::default()
            .with_max_queue_size(MAX_QUEUE)
            .with_scheduled_delay(Duration::from_secs(1))
            .build();
        let processor = BatchSpanProcessor::builder(exporter).with_batch_config(batches).build();
        let resource = Resource::builder().with_service_name(service.to_string()).build();
        let provider =
            SdkTracerProvider::builder().with_span_processor(processor).with_resource(resource).build();
        Otel { provider, service: service.to_string(), meters: None }
    }

    /// A `metrics` recorder whose counters and histograms go to the same collector over
    /// OTLP/HTTP, every `OTEL_METRIC_EXPORT_INTERVAL` milliseconds (60 s when unset); central
    /// installs it beside its Prometheus `/metrics`.
    pub fn metrics_recorder(&mut self) -> Result<metrics_exporter_opentelemetry::Recorder, TelemetryError> {
        use opentelemetry::metrics::MeterProvider as _;
        let exporter = off_runtime(|| opentelemetry_otlp::MetricExporter::builder().with_http().build())?;
        let reader = opentelemetry_sdk::metrics::PeriodicReader::builder(exporter).build();
        let resource = Resource::builder().with_service_name(self.service.clone()).build();
        let meters = opentelemetry_sdk::metrics::SdkMeterProvider::builder()
            .with_reader(reader)
            .with_resource(resource)
            .build();
        let recorder = metrics_exporter_opentelemetry::Recorder::with_meter(meters.meter("storedesk"));
        self.meters = Some(meters);
        Ok(recorder)
    }

    /// The `tracing` layer that turns spans (`info` and above, whatever the log filter says) into
    /// OpenTelemetry spans for this export.
    pub fn layer<S>(&self) -> impl tracing_subscriber::Layer<S> + use<S>
    where
        S: tracing::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
    {
        use tracing_subscriber::Layer as _;
        // The layer builds every span it sees, sampled or not (the sampler decides at the end):
        // what it would add to each — busy/idle times, the source file and line, the thread, the
        // target — is left out, and so is making each span the current OpenTelemetry context on
        // every enter (nothing here reads it: trace context is taken from the span itself).
        tracing_opentelemetry::layer()
            .with_tracer(self.provider.tracer("storedesk"))
            .with_tracked_inactivity(false)
            .with_location(false)
            .with_threads(false)
            .with_target(false)
            .with_context_activation(false)
            .with_filter(tracing_subscriber::filter::LevelFilter::INFO)
    }

    /// Sends what is queued and stops, waiting at most [`SHUTDOWN_WAIT`] (a collector that does
    /// not answer never holds up a command's exit longer).
    pub fn shutdown(&self) {
        let _ = self.provider.shutdown_with_timeout(SHUTDOWN_WAIT);
        if let Some(meters) = &self.meters {
            let _ = meters.shutdown_with_timeout(SHUTDOWN_WAIT);
        }
    }
}

/// Builds an exporter on a thread of its own: its blocking HTTP client may not be made inside an
/// async runtime (the app and central build theirs from within one).
fn off_runtime<E, B>(build: B) -> Result<E, TelemetryError>
where
    E: Send + 'static,
    B: FnOnce() -> Result<E, opentelemetry_otlp::ExporterBuildError> + Send + 'static,
{
    std::thread::spawn(build)
        .join()
        .map_err(|_| TelemetryError::Exporter("its builder panicked".into()))?
        .map_err(|e| TelemetryError::Exporter(e.to_string()))
}

/// The exporter, counting the spans of every batch it could not deliver.
#[derive(Debug)]
struct Counted<E> {
    inner: E,
    dropped: Arc<AtomicU64>,
}

impl<E: SpanExporter> SpanExporter for Counted<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let spans = batch.len() as u64;
        let result = self.inner.export(batch).await;
        if result.is_err() {
            self.dropped.fetch_add(spans, Ordering::Relaxed);
            // Central's /metrics (a no-op where no recorder is installed: the app, the CLI).
            metrics::counter!("storedesk_trace_spans_dropped_total").increment(spans);
        }
        result
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// The W3C `traceparent` to send with a call made inside `span`: the span's own trace and span
/// ids when it is exported, else fresh random ids (the call is still followable in the logs of
/// both sides).
pub fn traceparent(span: &tracing::Span) -> String {
    use opentelemetry::trace::TraceContextExt as _;
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    let context = span.context();
    let span_context = context.span().span_context().clone();
    if span_context.is_valid() {
        let flags = if span_context.is_sampled() { "01" } else { "00" };
        return format!("00-{}-{}-{flags}", span_context.trace_id(), span_context.span_id());
    }
    let trace = uuid::Uuid::new_v4().simple().to_string();
    let span_id = uuid::Uuid::new_v4().simple().to_string();
    format!("00-{trace}-{}-01", &span_id[..16])
}

/// The `traceparent` of the span being run, when it is exported (else `None`: nothing to keep).
pub fn current_traceparent() -> Option<String> {
    let span = tracing::Span::current();
    trace_id(&span).map(|_| traceparent(&span))
}

/// The remote context a W3C `traceparent` names, when it is well formed (a malformed one is
/// ignored, as the W3C recommendation says).
fn remote(traceparent: &str) -> Option<opentelemetry::Context> {
    use opentelemetry::propagation::TextMapPropagator as _;
    use opentelemetry::trace::TraceContextExt as _;
    let carrier = std::collections::HashMap::from([("traceparent".to_string(), traceparent.to_string())]);
    let context = opentelemetry_sdk::propagation::TraceContextPropagator::new().extract(&carrier);
    context.span().span_context().is_valid().then_some(context)
}

/// Makes the caller's `traceparent` the parent of `span` (only where spans are exported).
pub fn adopt(span: &tracing::Span, traceparent: &str) {
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    if let Some(parent) = remote(traceparent) {
        let _ = span.set_parent(parent);
    }
}

/// Links `span` to the span a `traceparent` names: where a piece of work began, in another trace
/// (a sale made at the till, applied at central in a later push with others).
pub fn link(span: &tracing::Span, traceparent: &str) {
    use opentelemetry::trace::TraceContextExt as _;
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    if let Some(origin) = remote(traceparent) {
        span.add_link(origin.span().span_context().clone());
    }
}

/// The trace id of `span` when it is exported (32 hex digits).
pub fn trace_id(span: &tracing::Span) -> Option<String> {
    use opentelemetry::trace::TraceContextExt as _;
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    let context = span.context();
    let span_context = context.span().span_context().clone();
    span_context.is_valid().then(|| span_context.trace_id().to_string())
}

#[cfg(test)]
mod tests {
    use opentelemetry::trace::{Tracer as _, TracerProvider as _};
    use opentelemetry_sdk::error::OTelSdkError;

    use super::*;

    /// A collector that takes nothing.
    #[derive(Debug)]
    struct Down;

    impl SpanExporter for Down {
        async fn export(&self, _batch: Vec<SpanData>) -> OTelSdkResult {
            Err(OTelSdkError::InternalFailure("connection refused".into()))
        }
    }

    #[test]
    fn spans_a_collector_does_not_take_are_counted_as_dropped() {
        let before = DROPPED.get().map_or(0, |d| d.load(Ordering::Relaxed));
        let otel = Otel::with_exporter(Down, "test");
        let tracer = otel.provider.tracer("test");
        for _ in 0..5 {
            tracer.in_span("sale", |_| {});
        }
        let _ = otel.provider.force_flush();
        assert_eq!(spans_dropped(), Some(before + 5));
        otel.shutdown();
    }

    #[test]
    fn a_traceparent_is_read_only_when_well_formed() {
        use opentelemetry::trace::TraceContextExt as _;
        let good = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let context = remote(good).expect("well formed");
        assert_eq!(context.span().span_context().trace_id().to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
        for bad in
            ["", "00-xyz-00f067aa0ba902b7-01", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"]
        {
            assert!(remote(bad).is_none(), "{bad:?}");
        }
    }
}
