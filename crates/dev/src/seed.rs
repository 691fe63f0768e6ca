//! Synthetic order history for demos and benchmarks.

use anyhow::{Result, bail};
use rusqlite::params;
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
    let now = db::now_ms();
    let span = days.max(1) * 86_400_000;
    let mut rng = fastrand::Rng::with_seed(42);
    let mut done = 0;
    while done < n {
        let chunk = (n - done).min(20_000);
        {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            {
                let mut order = tx.prepare_cached(
                    "INSERT INTO orders (id, number, channel, status, customer, currency, total_minor, steps,
                                         reservation_held, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?10, 0, ?8, ?9)",
                )?;
                let mut line = tx.prepare_cached(
                    "INSERT INTO order_lines (order_id, line_no, sku, name, qty, unit_price_minor) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?;
                let mut payment = tx.prepare_cached(
                    "INSERT INTO payments (order_id, kind, method, amount_minor, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?;
                let mut step = tx.prepare_cached(
                    "INSERT INTO order_timeline (order_id, step, from_status, event, to_status, at, actor, reason)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'seed', NULL)",
                )?;
                for i in done..done + chunk {
                    // Spread evenly over the span, oldest first, so ids follow creation time.
                    let created = now - span + (span as i128 * i as i128 / n.max(1) as i128) as i64;
                    let id = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
                        uuid::NoContext,
                        (created / 1000) as u64,
                        ((created % 1000) * 1_000_000) as u32,
                    ))
                    .to_string();
                    let (channel, status) = match rng.u8(..100) {
                        0..80 => ("counter", "delivered"),
                        80..90 => ("fulfilment", "shipped"),
                        90..95 => ("fulfilment", "cancelled"),
                        _ => ("counter", "refunded"),
                    };
                    // The timeline the state machine would have written.
                    let steps: &[(&str, &str, &str)] = match status {
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
                    };
                    let lines: Vec<(usize, i64)> =
                        (0..rng.usize(1..4)).map(|_| (rng.usize(..products.len()), rng.i64(1..4))).collect();
                    let total: i64 = lines.iter().map(|(p, qty)| qty * products[*p].price_minor).sum();
                    let method = ["cash", "card", "other"][rng.usize(..3)];
                    let number = format!("{}-S{:07}", settings.code, i + 1);
                    let updated = created + 60_000;
                    let customer =
                        if channel == "fulfilment" { Some(format!("Customer {}", i % 5000)) } else { None };
                    order.execute(params![
                        id,
                        number,
                        channel,
                        status,
                        customer,
                        settings.currency.code(),
                        total,
                        created,
                        updated,
                        steps.len() as i64 + 1
                    ])?;
                    for (l, (p, qty)) in lines.iter().enumerate() {
                        let p = &products[*p];
                        line.execute(params![id, l as i64 + 1, p.sku, p.name, qty, p.price_minor])?;
                    }
                    payment.execute(params![id, "payment", method, total, created + 1_000])?;
                    step.execute(params![id, 1, None::<String>, None::<String>, "created", created])?;
                    for (k, (from, event, to)) in steps.iter().enumerate() {
                        let at =
                            if k + 1 == steps.len() { updated } else { created + 1_000 * (k as i64 + 1) };
                        step.execute(params![id, k as i64 + 2, from, event, to, at])?;
                    }
                    if matches!(status, "cancelled" | "refunded") {
                        payment.execute(params![id, "refund", method, -total, updated])?;
                    }
                }
            }
            tx.commit()?;
        }
        done += chunk;
    }
    Ok(())
}
