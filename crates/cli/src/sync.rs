//! `storedesk sync ...`.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use storedesk_protocol::api::TillInfo;
use storedesk_store::Store;
use storedesk_store::sync_state::keys;
use storedesk_sync::latency::LatencyRecorder;
use storedesk_sync::{CentralClient, SyncEngine, connect, credentials, engine};

use crate::args::SyncCommand;
use crate::output;

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// The engine for the configured central, or an error that says how to configure it.
pub fn engine(data_dir: &Path, store: Arc<Store>) -> anyhow::Result<SyncEngine> {
    let url = store
        .sync_value(keys::CENTRAL_URL)?
        .context("no central configured: run `storedesk sync configure --central URL --token TOKEN`")?;
    let token = credentials::load_token(data_dir)
        .with_context(|| format!("cannot read {}", credentials::token_path(data_dir).display()))?
        .context("no device token saved: run `storedesk sync configure --central URL --token TOKEN`")?;
    let client = CentralClient::new(&url, &token, Arc::new(LatencyRecorder::new()))?;
    Ok(SyncEngine::new(store, client))
}

pub fn run(data_dir: &Path, store: Store, command: SyncCommand) -> anyhow::Result<()> {
    let store = Arc::new(store);
    match command {
        SyncCommand::Configure { central, token } => configure(data_dir, &store, &central, &token),
        SyncCommand::Status { json } => status(&store, json),
        SyncCommand::Run { once: true, json } => run_once(&engine(data_dir, store.clone())?, json),
        SyncCommand::Run { once: false, .. } => {
            let engine = engine(data_dir, store.clone())?;
            let (stop, stopped) = tokio::sync::watch::channel(false);
            runtime()?.block_on(async {
                let ctrl_c = async {
                    let _ = tokio::signal::ctrl_c().await;
                    let _ = stop.send(true);
                };
                let (result, ()) = tokio::join!(engine.run(stopped), ctrl_c);
                result
            })?;
            Ok(())
        }
    }
}

/// Connects with a till's token: central says which till this is before anything is saved.
fn configure(data_dir: &Path, store: &Arc<Store>, central: &str, token: &str) -> anyhow::Result<()> {
    if token.trim().is_empty() {
        bail!("the token is empty");
    }
    let client = CentralClient::new(central, token, Arc::new(LatencyRecorder::new()))?;
    let info = runtime()?.block_on(connect::adopt(store, &client))?;
    keep_connection(data_dir, store, central, token, &info)
}

/// Joins a store with a one-time code, then fills the till from central before it sells.
pub fn join(data_dir: &Path, store: Store, central: Option<&str>, code: &str) -> anyhow::Result<()> {
    let (central, code) = connect::join_target(central, code)?;
    let store = Arc::new(store);
    let runtime = runtime()?;
    let latency = Arc::new(LatencyRecorder::new());
    let (info, token) = runtime.block_on(connect::join(&store, &central, &code, latency))?;
    keep_connection(data_dir, &store, &central, &token, &info)?;
    let report = runtime.block_on(engine(data_dir, store.clone())?.round(true))?;
    if let Some(error) = report.error {
        bail!("joined, but the first sync did not finish: {error} (run `storedesk sync run --once`)");
    }
    eprintln!("filled from central: {} changes, cursor {}", report.pulled, report.cursor);
    Ok(())
}

fn keep_connection(
    data_dir: &Path,
    store: &Store,
    central: &str,
    token: &str,
    info: &TillInfo,
) -> anyhow::Result<()> {
    credentials::save_token(data_dir, token)
        .with_context(|| format!("cannot save the token in {}", data_dir.display()))?;
    store.set_sync_value(keys::CENTRAL_URL, central.trim().trim_end_matches('/'))?;
    eprintln!(
        "this device is till {} of {} ({}) and syncs with {} (token saved in {})",
        info.till,
        info.store,
        info.store_name,
        central.trim(),
        credentials::token_path(data_dir).display()
    );
    Ok(())
}

fn status(store: &Store, json: bool) -> anyhow::Result<()> {
    let status = engine::status(store)?;
    if json {
        return output::json(&status);
    }
    println!("till:            {}", status.till.as_deref().unwrap_or("(not set up)"));
    println!("central:         {}", status.central_url.as_deref().unwrap_or("(not configured)"));
    println!("online:          {}", if status.online { "yes" } else { "no" });
    println!("pending events:  {}", status.pending);
    println!("dead events:     {}", status.dead);
    if let Some(age) = status.oldest_pending_age_s {
        println!("oldest pending:  {age} s ago");
    }
    println!("last success:    {}", status.last_success_at.as_deref().unwrap_or("never"));
    if let Some(error) = &status.last_error {
        println!("last error:      {error}");
    }
    println!("feed cursor:     {}", status.cursor);
    Ok(())
}

/// One round past every backoff; an error exit when it did not finish.
fn run_once(engine: &SyncEngine, json: bool) -> anyhow::Result<()> {
    let report = runtime()?.block_on(engine.round(true))?;
    if json {
        output::json(&report)?;
    } else {
        eprintln!(
            "pushed {} ({} settled, {} dead, {} to retry), pulled {} changes, cursor {}",
            report.pushed, report.sent, report.dead, report.retrying, report.pulled, report.cursor
        );
    }
    if let Some(error) = report.error {
        bail!("sync did not finish: {error}");
    }
    if !report.complete {
        bail!("sync did not finish: some events are waiting to be retried (see `storedesk outbox list`)");
    }
    Ok(())
}
