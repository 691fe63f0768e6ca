//! The load test's tills: seeded at central through its service layer (stores, tills with their
//! tokens, the catalog, stock), and each till's own state as traffic goes on — its next order
//! number, its open orders and their event sequences, its feed cursor.
//!
//! A till repeats a fixed round of ten steps, so the mix is the same at every rate:
//! four counter sales, an order placed, paid and shipped (three pushes), a push of five counter
//! sales at once (a till catching up after a short outage), and two feed pulls.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

use storedesk_central::Db;
use storedesk_central::service::catalog::{self, ProductInput};
use storedesk_central::service::{stock, stores, tills};
use storedesk_domain::{Channel, Currency, EventId, OrderId, PaymentMethod, Qty, Sku};
use storedesk_protocol::events::{
    CounterSale, Envelope, EventBody, LineItem, OrderPaid, OrderPlaced, OrderShipped, PaymentItem,
    order_aggregate,
};

/// What a till does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    CounterSale,
    Place,
    Pay,
    Ship,
    /// Five counter sales in one push.
    Backlog,
    Pull,
}

const ROUND: [Step; 10] = [
    Step::CounterSale,
    Step::Place,
    Step::CounterSale,
    Step::Pay,
    Step::Pull,
    Step::CounterSale,
    Step::Ship,
    Step::CounterSale,
    Step::Backlog,
    Step::Pull,
];

/// How many products the stores sell, and the stock each store starts with of each.
pub const PRODUCTS: usize = 60;
const OPENING_STOCK: i64 = 1_000_000;

/// A placed order the till will pay and ship.
struct OpenOrder {
    id: OrderId,
    total_minor: i64,
    /// Its last event's sequence number.
    seq: i64,
}

/// One till: its credential and what it has done so far.
pub struct Till {
    token: String,
    prefix: String,
    number: u64,
    open: VecDeque<OpenOrder>,
    paid: VecDeque<OpenOrder>,
    round: usize,
    pub cursor: i64,
    rng: fastrand::Rng,
}

/// Counters shared by every till of a run.
#[derive(Default)]
pub struct Counters {
    /// Events central answered `applied`.
    pub applied: AtomicU64,
}

impl Counters {
    pub fn take_applied(&self) -> u64 {
        self.applied.swap(0, Ordering::Relaxed)
    }
}

/// Seeds `stores` stores of `tills_per_store` tills each, the catalog and every store's stock.
pub async fn seed(db: &Db, stores_n: usize, tills_per_store: usize) -> anyhow::Result<Vec<Till>> {
    let catalog: Vec<ProductInput> = (0..PRODUCTS)
        .map(|i| ProductInput {
            sku: sku(i),
            name: format!("Load item {i}"),
            price_minor: price(i),
            active: true,
        })
        .collect();
    catalog::upsert_products(db, &catalog).await?;
    let day = jiff::Zoned::now().strftime("%Y%m%d").to_string();
    let mut fleet = Vec::with_capacity(stores_n * tills_per_store);
    for s in 0..stores_n {
        let (store, first) = stores::add_store(db, &format!("L{s:03}"), None, "CNY").await?;
        for i in 0..PRODUCTS {
            stock::receive(db, &store, &sku(i), OPENING_STOCK).await?;
        }
        let mut tokens = vec![(first.till, first.token)];
        for _ in 1..tills_per_store {
            let till = tills::add_till(db, &store, None).await?;
            tokens.push((till.till, till.token));
        }
        for (till, token) in tokens {
            fleet.push(Till {
                token,
                prefix: format!("{}-{till}-{day}", store.code),
                number: 0,
                open: VecDeque::new(),
                paid: VecDeque::new(),
                round: 0,
                cursor: 0,
                rng: fastrand::Rng::with_seed(fleet.len() as u64),
            });
        }
    }
    Ok(fleet)
}

fn sku(i: usize) -> String {
    format!("LOAD-{i:03}")
}

fn price(i: usize) -> i64 {
    500 + 25 * i as i64
}

impl Till {
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The next step of the round; a pay or ship step with no order waiting for it sells instead.
    pub fn next_step(&mut self) -> Step {
        let step = ROUND[self.round % ROUND.len()];
        self.round += 1;
        match step {
            Step::Pay if self.open.is_empty() => Step::CounterSale,
            Step::Ship if self.paid.is_empty() => Step::CounterSale,
            other => other,
        }
    }

    /// The events a push step sends (none for a pull).
    pub fn events(&mut self, step: Step) -> Vec<Envelope> {
        match step {
            Step::CounterSale => vec![self.counter_sale()],
            Step::Backlog => (0..5).map(|_| self.counter_sale()).collect(),
            Step::Place => vec![self.place()],
            Step::Pay => self.pay().into_iter().collect(),
            Step::Ship => self.ship().into_iter().collect(),
            Step::Pull => Vec::new(),
        }
    }

    /// Central refused or did not answer a push: the orders it was about are given up (the next
    /// steps sell instead), so a till never builds on an event central may not hold.
    pub fn forget(&mut self, step: Step) {
        match step {
            Step::Place => {
                self.open.pop_back();
            }
            Step::Pay => {
                self.paid.pop_back();
            }
            _ => {}
        }
    }

    fn lines(&mut self) -> (Vec<LineItem>, i64) {
        let count = self.rng.usize(1..=3);
        let mut total = 0;
        let lines = (0..count)
            .map(|_| {
                let i = self.rng.usize(0..PRODUCTS);
                let qty = self.rng.i64(1..=2);
                total += price(i) * qty;
                LineItem {
                    sku: Sku::parse(&sku(i)).unwrap_or_else(|_| unreachable!("a valid SKU")),
                    qty: Qty::new(qty).unwrap_or_else(|_| unreachable!("1 or 2")),
                    unit_price_minor: price(i),
                }
            })
            .collect();
        (lines, total)
    }

    fn next_number(&mut self) -> String {
        self.number += 1;
        format!("{}-{:04}", self.prefix, self.number)
    }

    fn counter_sale(&mut self) -> Envelope {
        let (lines, total_minor) = self.lines();
        let order_id = OrderId(uuid::Uuid::now_v7());
        let body = EventBody::CounterSale(CounterSale {
            order_id,
            number: self.next_number(),
            currency: cny(),
            total_minor,
            lines,
            payments: vec![PaymentItem { method: PaymentMethod::Cash, amount_minor: total_minor }],
            customer: None,
            at: jiff::Timestamp::now(),
        });
        envelope(order_id, 1, body)
    }

    fn place(&mut self) -> Envelope {
        let (lines, total_minor) = self.lines();
        let order_id = OrderId(uuid::Uuid::now_v7());
        let body = EventBody::OrderPlaced(OrderPlaced {
            order_id,
            number: self.next_number(),
            channel: Channel::Fulfilment,
            currency: cny(),
            total_minor,
            lines,
            customer: Some("Load test".into()),
            at: jiff::Timestamp::now(),
        });
        self.open.push_back(OpenOrder { id: order_id, total_minor, seq: 1 });
        envelope(order_id, 1, body)
    }

    fn pay(&mut self) -> Option<Envelope> {
        let mut order = self.open.pop_front()?;
        order.seq += 1;
        let body = EventBody::OrderPaid(OrderPaid {
            order_id: order.id,
            payment: PaymentItem { method: PaymentMethod::Card, amount_minor: order.total_minor },
            at: jiff::Timestamp::now(),
        });
        let event = envelope(order.id, order.seq, body);
        self.paid.push_back(order);
        Some(event)
    }

    fn ship(&mut self) -> Option<Envelope> {
        let mut order = self.paid.pop_front()?;
        order.seq += 1;
        let body = EventBody::OrderShipped(OrderShipped {
            order_id: order.id,
            tracking: None,
            at: jiff::Timestamp::now(),
        });
        Some(envelope(order.id, order.seq, body))
    }
}

fn cny() -> Currency {
    Currency::from_code("CNY").unwrap_or_else(|_| unreachable!("CNY is a currency"))
}

fn envelope(order_id: OrderId, seq: i64, body: EventBody) -> Envelope {
    Envelope {
        event_id: EventId(uuid::Uuid::now_v7()),
        aggregate: order_aggregate(order_id),
        aggregate_seq: seq,
        created_at: jiff::Timestamp::now(),
        traceparent: None,
        staff: None,
        approved_by: None,
        body,
    }
}
