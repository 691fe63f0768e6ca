//! Who made each event: central checks the staff code (and approver) an event carries against the
//! store's staff at central — unknown, of another store, disabled before the step, or a role that
//! may not take it — as it would a stranger's claim (a tampered till can write any code). Nothing
//! is stored for a refused event; its aggregate waits, as for any permanent refusal.

use std::collections::HashSet;

use storedesk_domain::Permission;
use storedesk_protocol::events::{Envelope, EventBody};

use super::super::staff::{Misfit, StaffBook, of_other_stores};
use super::super::work::Work;
use crate::error::Result;

pub(super) struct Who {
    book: StaffBook,
    /// Codes the events name that belong to other stores' staff.
    others: HashSet<String>,
}

impl Who {
    /// Reads the store's staff, and which unknown codes the events name belong to other stores.
    pub async fn read(conn: &mut sqlx::AnyConnection, store_id: i64, events: &[Envelope]) -> Result<Who> {
        let book = StaffBook::read(conn, store_id).await?;
        let mut others = HashSet::new();
        if book.enforced() {
            let mut named: Vec<String> = events
                .iter()
                .flat_map(|e| e.staff.iter().chain(e.approved_by.iter()))
                .map(|c| c.to_string())
                .collect();
            named.sort();
            named.dedup();
            named.retain(|c| !book.knows(c));
            others = of_other_stores(conn, store_id, &named).await?;
        }
        Ok(Who { book, others })
    }

    /// Why the event's people may not have made it, if they may not.
    pub fn misfit(&self, work: &Work<'_>, event: &Envelope) -> Option<Misfit> {
        let step = step(work, &event.body);
        let at = event.created_at.as_millisecond();
        self.book
            .check(event.staff.as_ref(), event.approved_by.as_ref(), step, at, &|c| self.others.contains(c))
    }
}

/// What an event's step needs, and the amount a limit bounds (a refund gives back the order's total).
fn step(work: &Work<'_>, body: &EventBody) -> (Permission, Option<i64>) {
    match body {
        EventBody::OrderPlaced(_) | EventBody::CounterSale(_) => (Permission::Sell, None),
        EventBody::OrderPaid(_) => (Permission::TakePayment, None),
        EventBody::OrderShipped(_) | EventBody::OrderDelivered(_) => (Permission::Fulfil, None),
        EventBody::OrderCancelled(_) => (Permission::Cancel, None),
        EventBody::OrderRefunded(p) => {
            (Permission::Refund, Some(work.orders.get(&p.order_id).map_or(0, |o| o.total_minor)))
        }
        EventBody::StockAdjusted(_) => (Permission::AdjustStock, None),
    }
}
