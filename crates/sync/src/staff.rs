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
    loop {
        let records = store.in_background(|s| s.audit_unsent(MAX_UPLOAD)).await?;
        let Some(last) = records.last().map(|r| r.seq) else { break };
        let full = records.len() == MAX_UPLOAD;
        match client.upload_audit(records).await {
            Ok(receipt) => {
                let seq = receipt.seq.min(last);
                store.in_background(move |s| s.audit_sent(seq)).await?;
            }
            Err(error) => return Ok(Some(error.to_string())),
        }
        if !full {
            break;
        }
    }
    let held = store.in_background(|s| s.staff_version()).await?;
    if version <= held {
        return Ok(None);
    }
    match client.staff().await {
        Ok(listing) => {
            store.in_background(move |s| s.apply_staff_listing(&listing)).await?;
            Ok(None)
        }
        Err(error) => Ok(Some(error.to_string())),
    }
}
