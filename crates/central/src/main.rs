//! `storedesk-central`: see the crate documentation (`lib.rs`).

use std::process::ExitCode;

use clap::Parser;
use storedesk_central::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json_logs = matches!(cli.command, Command::Serve { json_logs: true, .. });
    let filter = tracing_subscriber::EnvFilter::try_from_env("STOREDESK_LOG").unwrap_or_else(|_| {
        let level = if matches!(cli.command, Command::Serve { .. }) { "info" } else { "warn" };
        tracing_subscriber::EnvFilter::new(level)
    });
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi);
    if json_logs {
        builder.json().with_current_span(true).init();
    } else {
        builder.init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(storedesk_central::cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
