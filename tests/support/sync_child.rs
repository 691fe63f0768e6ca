//! The sync crash test's child: `sync-child DATA_DIR CENTRAL_URL`. Runs sync rounds for the device
//! in DATA_DIR until one completes (exit 0) — or until it is killed.

use std::sync::Arc;

use anyhow::Context;
use storedesk_store::Store;
use storedesk_sync::latency::LatencyRecorder;
use storedesk_sync::{CentralClient, SyncEngine, credentials};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().context("usage: sync-child DATA_DIR CENTRAL_URL")?);
    let url = args.next().context("CENTRAL_URL missing")?;
    let token = credentials::load_token(&dir)?.context("no token")?;
    let store = Arc::new(Store::open_dir(&dir)?);
    let engine = SyncEngine::new(store, CentralClient::new(&url, &token, Arc::new(LatencyRecorder::new()))?);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        loop {
            let report = engine.round(true).await?;
            if report.complete {
                return Ok(());
            }
        }
    })
}
