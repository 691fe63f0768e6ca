//! Connecting a device to central as a till: with a till's token (`sync configure`), central is
//! asked who the device is before anything else, and the device becomes that till; with a
//! one-time join code (`storedesk join`, the app's first screen), the code is exchanged for the
//! till's token first. The caller keeps the token (a file for the CLI, the keychain for the app).

use std::sync::Arc;

use storedesk_protocol::api::TillInfo;
use storedesk_store::{Store, StoreError};

use crate::client::{CallError, CentralClient};

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Central(#[from] CallError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Claims the till for this installation and becomes it (a device not set up yet is set up as
/// central's store). Nothing is saved when central refuses or the device cannot become that till.
pub async fn adopt(store: &Arc<Store>, client: &CentralClient) -> Result<TillInfo, ConnectError> {
    let installation = store.in_background(|s| s.installation()).await?;
    let info = client.claim(&installation).await?;
    let adopted = info.clone();
    store.in_background(move |s| s.adopt_till(&adopted)).await?;
    Ok(info)
}

/// Joins central at `base` with a one-time code: the till's token comes back, and the device
/// becomes that till. Returns who it is and the token to keep.
pub async fn join(store: &Arc<Store>, base: &str, code: &str) -> Result<(TillInfo, String), ConnectError> {
    let joined = CentralClient::join(base, code).await?;
    let client = CentralClient::new(base, &joined.token, Arc::new(crate::latency::LatencyRecorder::new()))?;
    let info = adopt(store, &client).await?;
    Ok((info, joined.token))
}
