//! `storedesk`: the headless command line over the same core the desktop app uses.
//!
//! Every command opens the store, does one thing and exits. Errors are printed as one line on
//! stderr with a non-zero exit code; `--json` output is one JSON document on stdout.

mod args;
mod orders;
mod output;
mod report;
mod run;
mod sync;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = args::Cli::parse();
    // Quiet by default: errors reach the operator as the one line below. STOREDESK_LOG=info (or
    // debug) shows what happens underneath, e.g. each call to central with its trace id.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("STOREDESK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off")),
        )
        .with_target(false)
        .init();
    match run::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
