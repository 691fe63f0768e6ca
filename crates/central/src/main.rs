//! `storedesk-central`: see the crate documentation (`lib.rs`).

use std::process::ExitCode;

use clap::Parser;
use storedesk_central::cli::{Cli, Command};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::Registry;
use tracing_subscriber::util::SubscriberInitExt as _;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json_logs = matches!(cli.command, Command::Serve { json_logs: true, .. });
    let filter = tracing_subscriber::EnvFilter::try_from_env("STOREDESK_LOG").unwrap_or_else(|_| {
        let level = if matches!(cli.command, Command::Serve { .. }) { "info" } else { "warn" };
        tracing_subscriber::EnvFilter::new(level)
    });
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let otel = match storedesk_telemetry::Otel::from_env("storedesk-central").and_then(with_metrics) {
        Ok(otel) => otel,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let fmt =
        tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_target(false).with_ansi(ansi);
    let fmt: Box<dyn Layer<Registry> + Send + Sync> =
        if json_logs { fmt.json().with_current_span(true).boxed() } else { fmt.boxed() };
    tracing_subscriber::registry()
        .with(fmt.with_filter(filter))
        .with(otel.as_ref().map(storedesk_telemetry::Otel::layer))
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(storedesk_central::cli::run(cli));
    // What is still queued goes to the collector before the process ends.
    if let Some(otel) = &otel {
        otel.shutdown();
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Central's metrics go to the collector too, beside `/metrics`, when traces do.
fn with_metrics(
    otel: Option<storedesk_telemetry::Otel>,
) -> Result<Option<storedesk_telemetry::Otel>, storedesk_telemetry::TelemetryError> {
    let Some(mut otel) = otel else { return Ok(None) };
    let recorder = otel.metrics_recorder()?;
    storedesk_central::http::install_metrics(Some(Box::new(recorder)));
    Ok(Some(otel))
}
