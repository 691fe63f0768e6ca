//! A unit of work over one store's stock and orders inside one transaction: load what a request
//! touches, apply the changes in memory, write everything back in a few multi-row statements, and
//! append the change-feed entries (stock snapshots, allocated orders, conflicts) with ids taken at
//! the end.
//!
//! Rows are loaded with the dialect's lock (`FOR UPDATE` on PostgreSQL; SQLite holds the database's
//! write lock), so the in-memory arithmetic is exact.

use std::collections::{BTreeMap, HashMap, HashSet};

use storedesk_domain::{
    Channel, Named, OrderId, OrderStatus, PaymentMethod, Reservation, StockDelta, TillCode,
};
use storedesk_protocol::api::{ChangeBody, Heads, PaymentRecord};
use storedesk_protocol::events::LineItem;

use super::StoreRef;
use crate::db::{Db, Val};
use crate::error::{CentralError, Result};

mod conflicts;
mod flush;
mod load;

pub(crate) use flush::FeedIds;

#[derive(Clone, Debug)]
pub(crate) struct StockCell {
    pub on_hand: i64,
    pub reserved: i64,
    dirty: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct OrderRow {
    pub id: OrderId,
    pub store_id: i64,
    pub number: String,
    pub origin: Origin,
    pub channel: Channel,
    pub status: OrderStatus,
    pub currency: String,
    pub total_minor: i64,
    pub holds_reservation: bool,
    /// The till that took the order (`None`: the central platform's, or pushed before tills).
    pub till_id: Option<i64>,
    pub till: Option<TillCode>,
    /// Payments and refunds (negative), oldest first.
    pub payments: Vec<PaymentRecord>,
    /// Central's answer to a fulfilment order's reservation (`None` for counter orders).
    pub reservation: Option<Reservation>,
    pub customer: Option<String>,
    pub created_at: i64,
    pub lines: Vec<LineItem>,
    pub(super) new: bool,
    pub(super) dirty: bool,
}

/// Where an order was placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// At a store's till (pushed by its device).
    Store,
    /// On the central platform, allocated to a store.
    Central,
}

impl Origin {
    pub const ALL: [Origin; 2] = [Origin::Store, Origin::Central];

    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Store => "store",
            Origin::Central => "central",
        }
    }
}

storedesk_domain::named!(Origin, "order origin");

/// A new order: what it is, where it comes from and the state it starts in.
pub(crate) struct NewOrderRow {
    pub id: OrderId,
    pub number: String,
    pub origin: Origin,
    pub channel: Channel,
    pub status: OrderStatus,
    pub currency: String,
    pub total_minor: i64,
    pub customer: Option<String>,
    pub lines: Vec<LineItem>,
}

impl OrderRow {
    pub fn new(store_id: i64, order: NewOrderRow, now: i64) -> Self {
        let NewOrderRow { id, number, origin, channel, status, currency, total_minor, customer, lines } =
            order;
        OrderRow {
            id,
            store_id,
            number,
            origin,
            channel,
            status,
            currency,
            total_minor,
            holds_reservation: false,
            till_id: None,
            till: None,
            payments: Vec::new(),
            reservation: None,
            customer,
            created_at: now,
            lines,
            new: true,
            dirty: true,
        }
    }
}

pub(crate) struct Work<'s> {
    pub store: &'s StoreRef,
    /// The till whose events these are (`None` for admin and central-platform work).
    pub till: Option<(i64, TillCode)>,
    pub now: i64,
    lock: &'static str,
    pub stock: BTreeMap<String, StockCell>,
    pub products: HashSet<String>,
    pub orders: HashMap<OrderId, OrderRow>,
    /// The store's orders by human number, for the numbers this work may give again.
    pub numbers: HashMap<String, OrderId>,
    pub(super) payments: Vec<Vec<Val>>,
    /// SKUs whose stock changed, in first-touch order: their snapshots take feed ids in this order.
    pub(super) touched: Vec<String>,
    pub(super) conflicts: Vec<(OrderId, String, i64, String)>,
    pub(super) others: Vec<ChangeBody>,
    /// The tills' heads read ahead for the feed entries (`Work::ask_feed_heads`), and which
    /// aggregates were asked (an aggregate no till has moved has no row).
    pub(super) feed_heads: HashMap<String, Heads>,
    pub(super) heads_known: HashSet<String>,
}

impl<'s> Work<'s> {
    pub fn new(db: &Db, store: &'s StoreRef, now: i64) -> Self {
        Work {
            store,
            till: None,
            now,
            lock: db.lock_rows(),
            numbers: HashMap::new(),
            stock: BTreeMap::new(),
            products: HashSet::new(),
            orders: HashMap::new(),
            payments: Vec::new(),
            touched: Vec::new(),
            conflicts: Vec::new(),
            others: Vec::new(),
            feed_heads: HashMap::new(),
            heads_known: HashSet::new(),
        }
    }

    pub fn available(&self, sku: &str) -> i64 {
        self.stock.get(sku).map_or(0, |c| c.on_hand.saturating_sub(c.reserved))
    }

    /// Moves stock; arithmetic on what a client sent is checked, so an overflow is refused
    /// (`out_of_range`) before anything is written.
    pub fn apply(&mut self, effects: &[(String, StockDelta)]) -> Result<()> {
        for (sku, delta) in effects {
            let cell =
                self.stock.entry(sku.clone()).or_insert(StockCell { on_hand: 0, reserved: 0, dirty: false });
            let overflow =
                || CentralError::out_of_range(format!("stock of {sku}"), "the stock level would overflow");
            cell.on_hand = cell.on_hand.checked_add(delta.on_hand).ok_or_else(overflow)?;
            cell.reserved = cell.reserved.checked_add(delta.reserved).ok_or_else(overflow)?;
            cell.dirty = true;
            if !self.touched.contains(sku) {
                self.touched.push(sku.clone());
            }
        }
        Ok(())
    }

    pub fn insert_order(&mut self, mut order: OrderRow) {
        if order.origin == Origin::Store {
            order.till_id = self.till.map(|(id, _)| id);
            order.till = self.till.map(|(_, code)| code);
        }
        self.numbers.insert(order.number.clone(), order.id);
        self.orders.insert(order.id, order);
    }

    pub fn update_order(&mut self, id: OrderId, change: impl FnOnce(&mut OrderRow)) {
        if let Some(order) = self.orders.get_mut(&id) {
            change(order);
            order.dirty = true;
        }
    }

    /// Records a payment (or, negative, a refund) of `order` made at `at` (the till's time).
    pub fn add_payment(
        &mut self,
        order: OrderId,
        method: PaymentMethod,
        amount_minor: i64,
        at: jiff::Timestamp,
    ) {
        self.payments.push(vec![
            Val::Text(order.to_string()),
            Val::Text(method.name().into()),
            Val::Int(amount_minor),
            Val::Int(at.as_millisecond()),
        ]);
        if let Some(o) = self.orders.get_mut(&order) {
            o.payments.push(PaymentRecord { method, amount_minor, at });
        }
    }

    /// Refunds everything paid for `order`, method by method (cancel after payment, refund).
    pub fn refund_all(&mut self, order: OrderId, at: jiff::Timestamp) {
        let Some(o) = self.orders.get(&order) else { return };
        let mut by_method: BTreeMap<&str, (PaymentMethod, i64)> = BTreeMap::new();
        for p in &o.payments {
            let entry = by_method.entry(p.method.name()).or_insert((p.method, 0));
            entry.1 = entry.1.saturating_add(p.amount_minor);
        }
        let refunds: Vec<(PaymentMethod, i64)> =
            by_method.into_values().filter(|(_, paid)| *paid > 0).collect();
        for (method, paid) in refunds {
            self.add_payment(order, method, -paid, at);
        }
    }

    pub fn add_change(&mut self, body: ChangeBody) {
        self.others.push(body);
    }
}
