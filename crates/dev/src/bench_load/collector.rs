//! A stand-in OpenTelemetry collector for the load test's traced run: it takes every OTLP/HTTP
//! export (protobuf, central's default) on a loopback port, answers as a collector does, and counts
//! the requests and bytes it got.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;

#[derive(Default)]
struct Counts {
    exports: AtomicU64,
    bytes: AtomicU64,
}

pub struct Collector {
    pub url: String,
    counts: Arc<Counts>,
    server: tokio::task::JoinHandle<()>,
}

impl Collector {
    pub async fn start() -> anyhow::Result<Collector> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let counts = Arc::new(Counts::default());
        let app = Router::new().route("/v1/traces", post(export)).with_state(counts.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Collector { url, counts, server })
    }

    /// The exports and bytes received so far.
    pub fn received(&self) -> (u64, u64) {
        (self.counts.exports.load(Ordering::Relaxed), self.counts.bytes.load(Ordering::Relaxed))
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn export(State(counts): State<Arc<Counts>>, body: Bytes) -> &'static [u8] {
    counts.exports.fetch_add(1, Ordering::Relaxed);
    counts.bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
    // An empty ExportTraceServiceResponse, as protobuf: nothing rejected.
    b""
}
