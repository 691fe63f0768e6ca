//! Connecting a device to central as a till: with a till's token (`sync configure`), central is
//! asked who the device is before anything else, and the device becomes that till; with a
//! one-time join code (`storedesk join`, the app's first screen), the code is exchanged for the
//! till's token first. The caller keeps the token (a file for the CLI, the keychain for the app).

use std::sync::Arc;

use storedesk_protocol::api::TillInfo;
use storedesk_store::{Store, StoreError};

use crate::client::{CallError, CentralClient};
use crate::latency::LatencyRecorder;

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Central(#[from] CallError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The join link or code cannot be read; says what is wrong with it.
    #[error("{0}")]
    JoinLink(String),
}

/// The scheme of a join link: what the QR code of `storedesk-central device add --url` holds.
pub const JOIN_LINK_PREFIX: &str = "storedesk://join?";

/// Where to join and with which code, from what the operator typed or scanned: a join link
/// (`storedesk://join?central=URL&code=CODE`, whose URL wins) or the code alone with central's URL.
/// Returns central's base URL (no trailing slash) and the code.
pub fn join_target(central: Option<&str>, code_or_link: &str) -> Result<(String, String), ConnectError> {
    let text = code_or_link.trim();
    let (central, code) = match text.strip_prefix(JOIN_LINK_PREFIX) {
        Some(query) => {
            let mut link_central = None;
            let mut link_code = None;
            for (key, value) in reqwest::Url::parse(&format!("storedesk://join?{query}"))
                .map_err(|e| ConnectError::JoinLink(format!("the join link {text:?} cannot be read: {e}")))?
                .query_pairs()
            {
                match key.as_ref() {
                    "central" => link_central = Some(value.into_owned()),
                    "code" => link_code = Some(value.into_owned()),
                    _ => {}
                }
            }
            let code = link_code
                .ok_or_else(|| ConnectError::JoinLink(format!("the join link {text:?} has no code")))?;
            (link_central.or_else(|| central.map(str::to_string)), code)
        }
        None => (central.map(str::to_string), text.to_string()),
    };
    let central = central.map(|c| c.trim().trim_end_matches('/').to_string()).unwrap_or_default();
    if central.is_empty() {
        return Err(ConnectError::JoinLink("central's URL is missing (give it, or scan a join link)".into()));
    }
    if !(central.starts_with("http://") || central.starts_with("https://")) {
        return Err(ConnectError::JoinLink(format!(
            "central's URL {central:?} must start with http:// or https://"
        )));
    }
    let code = code.trim().to_string();
    if code.is_empty() {
        return Err(ConnectError::JoinLink("the join code is empty".into()));
    }
    Ok((central, code))
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
pub async fn join(
    store: &Arc<Store>,
    base: &str,
    code: &str,
    latency: Arc<LatencyRecorder>,
) -> Result<(TillInfo, String), ConnectError> {
    let joined = CentralClient::join(base, code).await?;
    let client = CentralClient::new(base, &joined.token, latency)?;
    let info = adopt(store, &client).await?;
    Ok((info, joined.token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_join_link_carries_central_and_the_code() {
        let (central, code) =
            join_target(None, " storedesk://join?central=http://127.0.0.1:8080/&code=ABCD-2345 ")
                .expect("link");
        assert_eq!((central.as_str(), code.as_str()), ("http://127.0.0.1:8080", "ABCD-2345"));
        // The link's URL wins over a typed one; a bare code needs the typed one.
        let (central, _) =
            join_target(Some("http://other"), "storedesk://join?central=https://c.example&code=X")
                .expect("link");
        assert_eq!(central, "https://c.example");
        let (central, code) = join_target(Some(" http://c:1/ "), " K7 ").expect("code");
        assert_eq!((central.as_str(), code.as_str()), ("http://c:1", "K7"));
    }

    #[test]
    fn a_bad_join_target_says_what_is_wrong() {
        let message = |central: Option<&str>, code: &str| match join_target(central, code) {
            Err(ConnectError::JoinLink(m)) => m,
            other => panic!("expected a join link error, got {other:?}"),
        };
        assert!(message(None, "ABCD").contains("URL is missing"));
        assert!(message(Some("ftp://c"), "ABCD").contains("must start with http"));
        assert!(message(Some("http://c"), "  ").contains("code is empty"));
        assert!(message(None, "storedesk://join?central=http://c").contains("has no code"));
    }
}
