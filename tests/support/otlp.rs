//! A small OTLP/HTTP receiver (JSON encoding) on a loopback port: it keeps every span it is sent,
//! with the service that sent it, and the names of the metrics it is sent, as a collector would.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use serde_json::Value;

/// A span as received: the sender's `service.name` and the span's OTLP JSON.
#[derive(Clone, Debug)]
pub struct Received {
    pub service: String,
    pub span: Value,
}

impl Received {
    pub fn field(&self, name: &str) -> &str {
        self.span[name].as_str().unwrap_or_default()
    }
}

#[derive(Clone, Default)]
struct Kept {
    spans: Arc<Mutex<Vec<Received>>>,
    /// `(service, metric name)`.
    metrics: Arc<Mutex<Vec<(String, String)>>>,
}

pub struct Receiver {
    pub url: String,
    kept: Kept,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let kept = Kept::default();
        let app = Router::new()
            .route("/v1/traces", post(receive))
            .route("/v1/metrics", post(receive_metrics))
            .with_state(kept.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Receiver { url, kept, stop: Some(stop) }
    }

    pub fn spans(&self) -> Vec<Received> {
        self.kept.spans.lock().expect("spans").clone()
    }

    /// The `(service, metric name)` of every metric received.
    pub fn metrics(&self) -> Vec<(String, String)> {
        self.kept.metrics.lock().expect("metrics").clone()
    }

    /// Stops listening: exports to it then fail, as to a collector that is down.
    pub fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn service(resource: &Value) -> String {
    resource["resource"]["attributes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["key"] == "service.name")
        .and_then(|a| a["value"]["stringValue"].as_str())
        .unwrap_or_default()
        .to_string()
}

async fn receive_metrics(State(kept): State<Kept>, body: String) -> &'static str {
    let Ok(request) = serde_json::from_str::<Value>(&body) else { return "{}" };
    let mut metrics = kept.metrics.lock().expect("metrics");
    for resource in request["resourceMetrics"].as_array().into_iter().flatten() {
        let service = service(resource);
        for scope in resource["scopeMetrics"].as_array().into_iter().flatten() {
            for metric in scope["metrics"].as_array().into_iter().flatten() {
                metrics.push((service.clone(), metric["name"].as_str().unwrap_or_default().to_string()));
            }
        }
    }
    "{}"
}

async fn receive(State(kept): State<Kept>, body: String) -> &'static str {
    let Ok(request) = serde_json::from_str::<Value>(&body) else { return "{}" };
    let mut kept = kept.spans.lock().expect("spans");
    for resource in request["resourceSpans"].as_array().into_iter().flatten() {
        let service = service(resource);
        for scope in resource["scopeSpans"].as_array().into_iter().flatten() {
            for span in scope["spans"].as_array().into_iter().flatten() {
                kept.push(Received { service: service.clone(), span: span.clone() });
            }
        }
    }
    "{}"
}
