//! Each till's events of an aggregate are applied in order: the heads (the last sequence number
//! applied per till and aggregate) say which number comes next. Heads are per till, so two tills'
//! independent events on the same SKU or order never collide; what two tills do to one order is
//! ordered by central's state machine, not by their numbers. A gap answers "retry later" (nothing is stored); a
//! number already used by another event id is refused. Heads are kept forever, the inbox's stored
//! answers only for a window: `trimmed_seq` says up to which number the answers are gone, and an
//! event at or below it that the inbox no longer knows was applied long ago (a duplicate).

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use sqlx::Row;
use sqlx::any::AnyRow;
use storedesk_protocol::events::Envelope;

use super::super::DeviceRef;
use crate::db::{Batch, Val, param, placeholders};
use crate::error::Result;

/// Where each aggregate of a batch stands, and which ones the batch moved.
pub(super) struct Heads {
    last: HashMap<String, i64>,
    /// Up to which number the aggregate's answers were trimmed from the inbox.
    trimmed: HashMap<String, i64>,
    /// Only the heads this batch moves are written back: a stale loaded value must never overwrite
    /// what a concurrent batch committed.
    moved: BTreeSet<String>,
}

/// What an event's sequence number means against its aggregate's head.
pub(super) enum Place {
    Next,
    /// An earlier event of the aggregate has not arrived (or was not applied).
    Gap,
    /// The number is taken by another event id.
    Taken,
    /// The number was applied long ago and its answer trimmed from the inbox: a replay.
    Forgotten,
}

impl Heads {
    /// Asks for the heads of the aggregates `events` name.
    pub fn ask(
        batch: &mut Batch,
        conn: &sqlx::AnyConnection,
        device: &DeviceRef,
        events: &[Envelope],
    ) -> Range<usize> {
        let aggregates: Vec<String> =
            events.iter().map(|e| e.aggregate.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        let start = batch.len();
        for chunk in aggregates.chunks(500) {
            let sql = format!(
                "SELECT aggregate, last_seq, trimmed_seq FROM till_heads WHERE till_id = {} AND aggregate IN ({})",
                param(conn, 1),
                placeholders(conn, 2, chunk.len())
            );
            let mut args = vec![Val::Int(device.till_id)];
            args.extend(chunk.iter().map(|a| Val::Text(a.clone())));
            batch.add(sql, args);
        }
        start..batch.len()
    }

    pub fn take(rows: &[Vec<AnyRow>]) -> Result<Heads> {
        let mut last = HashMap::new();
        let mut trimmed = HashMap::new();
        for row in rows.iter().flatten() {
            let aggregate: String = row.try_get(0)?;
            trimmed.insert(aggregate.clone(), row.try_get(2)?);
            last.insert(aggregate, row.try_get(1)?);
        }
        Ok(Heads { last, trimmed, moved: BTreeSet::new() })
    }

    pub fn place(&self, event: &Envelope) -> Place {
        let head = self.last.get(&event.aggregate).copied().unwrap_or(0);
        if event.aggregate_seq > head + 1 {
            Place::Gap
        } else if event.aggregate_seq <= self.trimmed.get(&event.aggregate).copied().unwrap_or(0) {
            Place::Forgotten
        } else if event.aggregate_seq <= head {
            Place::Taken
        } else {
            Place::Next
        }
    }

    /// The event took its place: the aggregate's head moves to it.
    pub fn advance(&mut self, event: &Envelope) {
        self.last.insert(event.aggregate.clone(), event.aggregate_seq);
        self.moved.insert(event.aggregate.clone());
    }

    pub fn next_for(&self, aggregate: &str) -> i64 {
        self.last.get(aggregate).copied().unwrap_or(0) + 1
    }

    /// The heads this batch moved: `aggregate -> last number`.
    pub fn moved(&self) -> HashMap<String, i64> {
        self.moved.iter().filter_map(|a| Some((a.clone(), *self.last.get(a)?))).collect()
    }

    /// Adds the write of the moved heads to `writes`.
    pub fn write(&self, writes: &mut Batch, conn: &sqlx::AnyConnection, device: &DeviceRef) {
        let rows: Vec<Vec<Val>> = self
            .moved()
            .into_iter()
            .map(|(a, s)| vec![Val::Int(device.till_id), Val::Text(a), Val::Int(s)])
            .collect();
        writes.insert_many(
            conn,
            "INSERT INTO till_heads (till_id, aggregate, last_seq)",
            &rows,
            " ON CONFLICT (till_id, aggregate) DO UPDATE SET last_seq = excluded.last_seq",
        );
    }
}
