//! `storedesk`: the headless command line over the same core the desktop app uses.
//!
//! Every command opens the store, does one thing and exits. Errors are printed as one line on
//! stderr with a non-zero exit code; `--json` output is one JSON document on stdout.

mod args;
mod orders;
mod output;
mod report;
mod run;
mod staff;
mod sync;

use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _};
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

fn main() -> ExitCode {
    let matches = args::Cli::command().get_matches();
    let args = match args::Cli::from_arg_matches(&matches) {
        Ok(args) => args,
        Err(err) => err.exit(),
    };
    // The command's words as typed (`order create`): the name of its step's span.
    let mut step = Vec::new();
    let mut at = &matches;
    while let Some((name, sub)) = at.subcommand() {
        step.push(name);
        at = sub;
    }
    // Quiet by default: errors reach the operator as the one line below. STOREDESK_LOG=info (or
    // debug) shows what happens underneath, e.g. each call to central with its trace id.
    let otel = match storedesk_telemetry::Otel::from_env("storedesk") {
        Ok(otel) => otel,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("STOREDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off"));
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false);
    tracing_subscriber::registry()
        .with(fmt.with_filter(filter))
        .with(otel.as_ref().map(storedesk_telemetry::Otel::layer))
        .init();
    let result = run::run(args, &step.join(" "));
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
