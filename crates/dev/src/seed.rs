//! Synthetic order history for demos and benchmarks.

use anyhow::{Result, bail};
use rusqlite::{Transaction, params};
use storedesk_store::catalog::Product;
use storedesk_store::{OpenOptions, Store, db};

/// Fills the store with `n` synthetic orders spread over the last `days` days, in bulk
/// transactions (a fixture for the report and list benchmarks: it bypasses the saga and writes no
/// stock ledger). Most are counter sales handed over; some are shipped, cancelled or refunded,
/// with their payments, refunds and timeline rows. Needs products in the catalog.
pub fn seed_orders(store: &Store, n: usize, days: i64) -> Result<()> {
    let settings = store.settings()?;
    let products = store.products()?;
    if products.is_empty() {
        bail!("seeding orders needs products in the catalog");
    }
    // Its own connection to the store's file: the fixture writes rows the store's API would not.
    let mut conn = db::open(store.path(), &OpenOptions::default())?;
    let history = History {
        store_code: settings.code.to_string(),
        currency: settings.currency.code(),
        products,
        n,
        now: db::now_ms(),
        span: days.max(1) * 86_400_000,
    };
    let mut rng = fastrand::Rng::with_seed(42);
    let mut done = 0;
    while done < n {
        let chunk = (n - done).min(20_000);
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for i in done..done + chunk {
            history.order(i, &mut rng).write(&tx)?;
        }
        tx.commit()?;
        done += chunk;
    }
    Ok(())
}

/// What every synthetic order is drawn from.
struct History {
    store_code: String,
    currency: &'static str,
    products: Vec<Product>,
    n: usize,
    now: i64,
    span: i64,
}

/// One synthetic order with the timeline the state machine would have written.
struct Synthetic<'h> {
    id: String,
    number: String,
    channel: &'static str,
    status: &'static str,
    customer: Option<String>,
    currency: &'static str,
    lines: Vec<(&'h Product, i64)>,
    total: i64,
    method: &'static str,
    steps: &'static [(&'static str, &'static str, &'static str)],
    created: i64,
    updated: i64,
}

impl History {
    fn order(&self, i: usize, rng: &mut fastrand::Rng) -> Synthetic<'_> {
        // Spread evenly over the span, oldest first, so ids follow creation time.
        let created = self.now - self.span + (self.span as i128 * i as i128 / self.n.max(1) as i128) as i64;
        let id = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
            uuid::NoContext,
            (created / 1000) as u64,
            ((created % 1000) * 1_000_000) as u32,
        ));
        let (channel, status) = match rng.u8(..100) {
            0..80 => ("counter", "delivered"),
            80..90 => ("fulfilment", "shipped"),
            90..95 => ("fulfilment", "cancelled"),
            _ => ("counter", "refunded"),
        };
        let lines: Vec<(&Product, i64)> = (0..rng.usize(1..4))
            .map(|_| (&self.products[rng.usize(..self.products.len())], rng.i64(1..4)))
            .collect();
        Synthetic {
            id: id.to_string(),
            number: format!("{}-S{:07}", self.store_code, i + 1),
            channel,
            status,
            customer: (channel == "fulfilment").then(|| format!("Customer {}", i % 5000)),
            currency: self.currency,
            total: lines.iter().map(|(p, qty)| qty * p.price_minor).sum(),
            lines,
            method: ["cash", "card", "other"][rng.usize(..3)],
            steps: steps_to(status),
            created,
            updated: created + 60_000,
        }
    }
}

/// The timeline from `created` to `status`.
fn steps_to(status: &str) -> &'static [(&'static str, &'static str, &'static str)] {
    match status {
        "delivered" => &[("created", "pay", "paid"), ("paid", "hand_over", "delivered")],
        "shipped" => &[
            ("created", "pay", "paid"),
            ("paid", "confirm_stock", "ready_to_ship"),
            ("ready_to_ship", "ship", "shipped"),
        ],
        "cancelled" => &[("created", "pay", "paid"), ("paid", "cancel", "cancelled")],
        _ => &[
            ("created", "pay", "paid"),
            ("paid", "hand_over", "delivered"),
            ("delivered", "refund", "refunded"),
        ],
    }
}

impl Synthetic<'_> {
    fn write(&self, tx: &Transaction<'_>) -> Result<()> {
        let id = &self.id;
        tx.prepare_cached(
            "INSERT INTO orders (id, number, channel, status, customer, currency, total_minor, steps,
                                 reservation_held, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?10, 0, ?8, ?9)",
        )?
        .execute(params![
            id,
            self.number,
            self.channel,
            self.status,
            self.customer,
            self.currency,
            self.total,
            self.created,
            self.updated,
            self.steps.len() as i64 + 1
        ])?;
        let mut line = tx.prepare_cached(
            "INSERT INTO order_lines (order_id, line_no, sku, name, qty, unit_price_minor) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (l, (p, qty)) in self.lines.iter().enumerate() {
            line.execute(params![id, l as i64 + 1, p.sku, p.name, qty, p.price_minor])?;
        }
        let mut payment = tx.prepare_cached(
            "INSERT INTO payments (order_id, kind, method, amount_minor, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        payment.execute(params![id, "payment", self.method, self.total, self.created + 1_000])?;
        if matches!(self.status, "cancelled" | "refunded") {
            payment.execute(params![id, "refund", self.method, -self.total, self.updated])?;
        }
        let mut step = tx.prepare_cached(
            "INSERT INTO order_timeline (order_id, step, from_status, event, to_status, at, actor, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'seed', NULL)",
        )?;
        step.execute(params![id, 1, None::<String>, None::<String>, "created", self.created])?;
        for (k, (from, event, to)) in self.steps.iter().enumerate() {
            let last = k + 1 == self.steps.len();
            let at = if last { self.updated } else { self.created + 1_000 * (k as i64 + 1) };
            step.execute(params![id, k as i64 + 2, from, event, to, at])?;
        }
        Ok(())
    }
}
