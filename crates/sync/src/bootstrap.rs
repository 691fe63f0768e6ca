//! Filling a till from central's snapshot instead of the whole history: a new till (no cursor)
//! and a till central tells `cursor_too_old` (the feed was compacted past it) read
//! `GET /v1/snapshot` — the newest entry of every thing, in feed order — page by page, each page
//! and the cursor after it in one transaction, as the feed's pages are. An interrupted read goes on
//! from its cursor (the normal feed from there is correct too, only longer). At the end the cursor
//! moves to the first page's `head` when that is further: every entry up to it that was not read
//! is one a later entry supersedes. Local events are untouched: the round pushed them before, and
//! pushes what is left after.

use std::sync::Arc;

use storedesk_store::sync_state::keys;
use storedesk_store::{Store, StoreError};

use crate::client::CentralClient;

/// Progress of a snapshot read, as the status shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Preparing {
    pub done: i64,
    pub total: i64,
}

impl Preparing {
    pub(crate) fn parse(text: &str) -> Option<Preparing> {
        let (done, total) = text.split_once('/')?;
        Some(Preparing { done: done.parse().ok()?, total: total.parse().ok()? })
    }
}

/// What a snapshot read did: how many entries it applied, and the cursor to follow the feed from
/// (or why a call failed).
pub(crate) struct Read {
    pub pulled: usize,
    pub cursor: Result<i64, String>,
}

/// Reads the snapshot after `from`, page by page.
pub(crate) async fn from_snapshot(
    store: &Arc<Store>,
    client: &CentralClient,
    page_size: i64,
    from: i64,
) -> Result<Read, StoreError> {
    let (mut after, mut first, mut done) = (from, None, 0_i64);
    let mut pulled = 0;
    loop {
        let page = match client.snapshot(after, page_size).await {
            Ok(page) => page,
            Err(err) => return Ok(Read { pulled, cursor: Err(err.to_string()) }),
        };
        let (head, total) = *first.get_or_insert((page.head, page.total));
        done += page.changes.len() as i64;
        pulled += page.changes.len();
        let last = page.changes.last().map_or(after, |c| c.id);
        let next = if page.has_more { last } else { last.max(head) };
        let progress = if page.has_more { format!("{done}/{}", total.max(done)) } else { String::new() };
        store
            .in_background(move |s| {
                s.apply_changes(&page.changes, next)?;
                s.set_sync_value(keys::PREPARING, &progress)
            })
            .await?;
        after = next;
        if !page.has_more {
            return Ok(Read { pulled, cursor: Ok(after) });
        }
    }
}
