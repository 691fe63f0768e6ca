//! Traces leave both processes: the real `storedesk-central` and the real `storedesk` CLI (the
//! workspace's debug binaries, next to this test's), configured only by the standard
//! OpenTelemetry environment, export to a small OTLP/HTTP receiver (JSON). A sync's call to
//! central and central's span for that request share one trace, the device's span the parent;
//! central's span for a sale's event links to the till's span that made it, and central's metrics
//! arrive too. With the receiver down, sales and syncs go on and central counts the spans it
//! dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use storedesk_tests::otlp::{Received, Receiver};

/// A binary of this workspace, built next to the test binaries (`cargo test --workspace`).
fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: build the workspace's binaries (cargo test --workspace)",
        path.display()
    );
    path
}

fn run(program: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let output = Command::new(binary(program)).args(args).envs(env.iter().copied()).output().expect("run");
    assert!(output.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits until the received spans satisfy `found`.
async fn wait_for<T>(receiver: &Receiver, what: &str, found: impl Fn(&[Received]) -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(t) = found(&receiver.spans()) {
            return t;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "no {what} in {:#?}", receiver.spans());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A central database with store `OT` (one product, stock) and the store's join code.
fn seed_central(dir: &Path) -> (String, String) {
    let database = format!("sqlite://{}/central.db", dir.display());
    let admin = |args: &[&str]| {
        let mut all = vec!["--database-url", database.as_str()];
        all.extend_from_slice(args);
        run("storedesk-central", &all, &[])
    };
    let added = admin(&["store", "add", "OT", "--name", "Traced", "--currency", "CNY", "--json"]);
    let added: serde_json::Value = serde_json::from_str(&added).expect("store add answer");
    let csv = dir.join("catalog.csv");
    std::fs::write(&csv, "sku,name,price\nTEA,Tea,12.50\n").expect("catalog");
    admin(&["catalog", "import", &csv.display().to_string(), "--currency", "CNY"]);
    admin(&["stock", "receive", "--store", "OT", "TEA", "10"]);
    let code = added["join_code"].as_str().expect("join code").to_string();
    (database, code)
}

/// `storedesk-central serve` on a free loopback port, exporting as `otel` says; its URL.
async fn start_central(dir: &Path, database: &str, otel: &[(&str, &str)]) -> (Killed, String) {
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("address").port();
    let listen = format!("127.0.0.1:{port}");
    let token_file = dir.join("admin-token");
    let central = Command::new(binary("storedesk-central"))
        .args(["--database-url", database, "serve", "--listen", &listen])
        .arg("--admin-token-file")
        .arg(&token_file)
        .envs(otel.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("central");
    let central = Killed(central);
    let url = format!("http://{listen}");
    let start = Instant::now();
    let client = storedesk_tests::api::http();
    while client.get(format!("{url}/healthz")).send().await.is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "central did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (central, url)
}

/// A till joined to central sells one tea at the counter (create, pay, hand over) and syncs.
fn sell_and_sync(dir: &Path, url: &str, code: &str, otel: &[(&str, &str)]) {
    let till = dir.join("till").display().to_string();
    let device: Vec<(&str, &str)> = otel
        .iter()
        .copied()
        .chain([("STOREDESK_DATA_DIR", till.as_str()), ("STOREDESK_NO_KEYCHAIN", "1")])
        .chain([("STOREDESK_STAFF", "MAY"), ("STOREDESK_PIN", "2468")])
        .collect();
    run("storedesk", &["join", "--central", url, "--code", code], &device);
    // The store has no staff at central: the till's first manager, whom the steps are taken as.
    run("storedesk", &["staff", "add", "--code", "MAY", "--name", "May", "--role", "manager"], &device);
    let placed =
        run("storedesk", &["order", "create", "--channel", "counter", "--line", "TEA=1", "--json"], &device);
    let placed: serde_json::Value = serde_json::from_str(&placed).expect("order create answer");
    let number = placed["number"].as_str().expect("number");
    run("storedesk", &["order", "pay", number, "--method", "cash"], &device);
    run("storedesk", &["order", "hand-over", number], &device);
    let synced = run("storedesk", &["sync", "run", "--once", "--json"], &device);
    let synced: serde_json::Value = serde_json::from_str(&synced).expect("sync answer");
    // A counter sale is announced once, when it is handed over: one event.
    assert_eq!(synced["sent"], 1, "the sale reached central: {synced}");
}

fn otel_for(receiver: &Receiver) -> [(&str, &str); 3] {
    [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.url.as_str()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
        // Central's metrics every half second (the standard's default is a minute).
        ("OTEL_METRIC_EXPORT_INTERVAL", "500"),
    ]
}

#[tokio::test]
async fn a_sale_is_followed_from_the_till_to_centrals_commit() {
    let receiver = Receiver::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (database, code) = seed_central(dir.path());
    let otel = otel_for(&receiver);
    let (_central, url) = start_central(dir.path(), &database, &otel).await;
    sell_and_sync(dir.path(), &url, &code, &otel);

    // The till's push, as the till exported it: a client span.
    let push = wait_for(&receiver, "push span from the till", |spans| {
        spans.iter().find(|s| s.service == "storedesk" && s.field("name") == "POST /v1/events").cloned()
    })
    .await;
    let (trace, parent) = (push.field("traceId").to_string(), push.field("spanId").to_string());
    assert_eq!(trace.len(), 32, "{push:?}");
    // Central's span for that request (a server span): the same trace, the till's span its parent.
    let request = wait_for(&receiver, "central's span for the push", |spans| {
        spans
            .iter()
            .find(|s| s.service == "storedesk-central" && s.field("traceId") == trace && s.span["kind"] == 2)
            .cloned()
    })
    .await;
    assert_eq!(request.field("parentSpanId"), parent, "{request:?}");
    assert_eq!(request.field("name"), "POST /v1/events", "{request:?}");

    // The sale was made a step before the push: central's span for its event links to the store
    // transaction of the till's `order hand-over` step (which announces a counter sale).
    let applied = wait_for(&receiver, "central's span for the sale's event", |spans| {
        spans
            .iter()
            .find(|s| s.service == "storedesk-central" && s.field("name") == "apply counter_sale")
            .cloned()
    })
    .await;
    let link = &applied.span["links"][0];
    let (linked_trace, linked_span) = (link["traceId"].as_str(), link["spanId"].as_str());
    let spans = receiver.spans();
    let created = spans
        .iter()
        .find(|s| s.service == "storedesk" && Some(s.field("spanId")) == linked_span)
        .unwrap_or_else(|| panic!("no till span for the link {link} in {spans:#?}"));
    assert_eq!(created.field("name"), "store transaction", "{created:?}");
    assert_eq!(Some(created.field("traceId")), linked_trace);
    let step = spans
        .iter()
        .find(|s| s.field("spanId") == created.field("parentSpanId"))
        .unwrap_or_else(|| panic!("no parent of {created:?}"));
    assert_eq!(step.field("name"), "storedesk order hand-over", "{step:?}");
    assert_ne!(created.field("traceId"), trace, "the sale's step is a trace of its own, before the sync");

    // Central's metrics reach the collector too.
    let start = Instant::now();
    let wanted = ("storedesk-central".to_string(), "storedesk_events_total".to_string());
    while !receiver.metrics().contains(&wanted) {
        assert!(start.elapsed() < Duration::from_secs(20), "no {wanted:?} in {:?}", receiver.metrics());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn with_the_collector_down_sales_and_syncs_go_on_and_drops_are_counted() {
    let mut receiver = Receiver::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (database, code) = seed_central(dir.path());
    let endpoint = receiver.url.clone();
    let otel =
        [("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()), ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")];
    receiver.stop();
    let (_central, url) = start_central(dir.path(), &database, &otel).await;
    sell_and_sync(dir.path(), &url, &code, &otel);
    let client = storedesk_tests::api::http();
    let start = Instant::now();
    loop {
        let metrics = client.get(format!("{url}/metrics")).send().await.expect("metrics");
        let metrics = metrics.text().await.expect("metrics text");
        let dropped = metrics
            .lines()
            .find_map(|l| l.strip_prefix("storedesk_trace_spans_dropped_total "))
            .and_then(|v| v.trim().parse::<f64>().ok());
        if dropped.is_some_and(|d| d > 0.0) {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "no dropped spans counted in:\n{metrics}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(receiver.spans().is_empty(), "nothing was received while the receiver was down");
}
