//! Staff and the audit trail in a sync round: the till uploads the audit records central has not
//! confirmed (central checks they continue the chain it holds; a lockout recorded here reaches the
//! store's other tills that way), then reads the store's staff list when its version moved.
//! Both happen only with a central that reports a staff version (one that predates staff has
//! neither endpoint).

use storedesk_protocol::audit::MAX_UPLOAD;
use storedesk_store::{Store, StoreError};

use crate::client::CentralClient;

/// Uploads what central has not confirmed of the audit chain, then reads the staff list if
/// central's `version` is newer than this till's. A failed call is returned as the round's
/// error text; only local database errors are errors.
pub(crate) async fn sync_staff(
    store: &std::sync::Arc<Store>,
    client: &CentralClient,
    version: i64,
) -> Result<Option<String>, StoreError> {
    // The staff list is read whatever the upload's answer: a chain central refuses must not keep
    // a disabling or a lockout from reaching this till.
    let uploaded = upload_audit(store, client).await?;
    let held = store.in_background(|s| s.staff_version()).await?;
    let read = if version <= held {
        None
    } else {
        match client.staff().await {
            Ok(listing) => {
                store.in_background(move |s| s.apply_staff_listing(&listing)).await?;
                None
            }
            Err(error) => Some(error.to_string()),
        }
    };
    Ok(uploaded.or(read))
}

/// Uploads the unconfirmed audit records, 1,000 at a time; the first failed call's error text.
async fn upload_audit(
    store: &std::sync::Arc<Store>,
    client: &CentralClient,
) -> Result<Option<String>, StoreError> {
    loop {
        let records = store.in_background(|s| s.audit_unsent(MAX_UPLOAD)).await?;
        let Some(last) = records.last().map(|r| r.seq) else { return Ok(None) };
        let full = records.len() == MAX_UPLOAD;
        match client.upload_audit(records).await {
            Ok(receipt) => {
                let seq = receipt.seq.min(last);
                store.in_background(move |s| s.audit_sent(seq)).await?;
            }
            Err(error) => return Ok(Some(error.to_string())),
        }
        if !full {
            return Ok(None);
        }
    }
}
