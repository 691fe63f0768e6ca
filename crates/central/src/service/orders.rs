//! Orders placed on the central platform and allocated to a store: reserved at central at once,
//! then sent down the store's change feed, where they arrive paid and ready to ship.

use std::collections::HashMap;

use storedesk_domain::{OrderId, Qty, Sku};
use storedesk_protocol::api::{AllocatedOrder, ChangeBody};
use storedesk_protocol::events::LineItem;

use super::StoreRef;
use super::work::{OrderRow, Work};
use crate::db::{Db, now_ms};
use crate::error::{CentralError, Result};

/// An order the central platform allocates to a store.
#[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct CentralOrderInput {
    pub lines: Vec<CentralLineInput>,
    #[serde(default)]
    pub customer: Option<String>,
}

#[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct CentralLineInput {
    pub sku: String,
    pub qty: i64,
}

/// Places the order, reserving every line in the store's stock; refused as a whole when a line
/// does not fit.
pub async fn place(db: &Db, store: &StoreRef, input: &CentralOrderInput) -> Result<AllocatedOrder> {
    if input.lines.is_empty() {
        return Err(CentralError::invalid("lines", "an order needs at least one line"));
    }
    let mut wanted: Vec<(String, i64)> = Vec::new();
    for (i, line) in input.lines.iter().enumerate() {
        let sku = Sku::parse(&line.sku)
            .map_err(|e| CentralError::invalid(format!("lines[{i}].sku"), e.to_string()))?;
        let qty = Qty::new(line.qty)
            .map_err(|e| CentralError::invalid(format!("lines[{i}].qty"), e.to_string()))?;
        match wanted.iter_mut().find(|(s, _)| s == sku.as_str()) {
            Some((_, q)) => *q += qty.get(),
            None => wanted.push((sku.to_string(), qty.get())),
        }
    }
    let mut tx = db.begin().await?;
    let now = now_ms();
    let mut work = Work::new(db, store, now);
    work.load_skus(&mut tx, wanted.iter().map(|(s, _)| s.clone())).await?;
    if let Some((sku, _)) = wanted.iter().find(|(s, _)| !work.products.contains(s)) {
        return Err(CentralError::invalid("lines", format!("unknown SKU {sku:?}")));
    }
    let prices = prices(&mut tx, &wanted).await?;
    let short: Vec<String> = wanted
        .iter()
        .filter(|(sku, qty)| work.available(sku) < *qty)
        .map(|(sku, qty)| format!("{sku}: {qty} requested, {} available", work.available(sku).max(0)))
        .collect();
    if !short.is_empty() {
        return Err(CentralError::Conflict {
            code: "insufficient_stock",
            message: format!("not enough stock at {}: {}", store.code, short.join("; ")),
        });
    }
    let lines: Vec<LineItem> = wanted
        .iter()
        .map(|(sku, qty)| LineItem {
            sku: sku.clone(),
            qty: *qty,
            unit_price_minor: prices.get(sku).copied().unwrap_or(0),
        })
        .collect();
    let total_minor = lines.iter().map(|l| l.qty * l.unit_price_minor).sum();
    let number = next_number(&mut tx, now).await?;
    let id = OrderId::new();
    let reserve: Vec<_> = lines
        .iter()
        .map(|l| (l.sku.clone(), storedesk_domain::StockDelta { on_hand: 0, reserved: l.qty }))
        .collect();
    work.apply(&reserve);
    let mut order = OrderRow::new(
        id,
        store.id,
        number.clone(),
        "central",
        "fulfilment",
        "allocated",
        store.currency.clone(),
        total_minor,
        input.customer.clone(),
        lines.clone(),
        now,
    );
    order.holds_reservation = true;
    work.insert_order(order);
    work.add_payment(id, "other", total_minor);
    let allocated = AllocatedOrder {
        order_id: id,
        number,
        currency: store.currency.clone(),
        total_minor,
        lines,
        customer: input.customer.clone(),
    };
    work.add_change(ChangeBody::OrderAllocated(allocated.clone()));
    work.flush(&mut tx).await?;
    tx.commit().await?;
    Ok(allocated)
}

async fn prices(conn: &mut sqlx::AnyConnection, wanted: &[(String, i64)]) -> Result<HashMap<String, i64>> {
    let mut prices = HashMap::new();
    for (sku, _) in wanted {
        let price: Option<i64> = sqlx::query_scalar("SELECT price_minor FROM products WHERE sku = $1")
            .bind(sku)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(price) = price {
            prices.insert(sku.clone(), price);
        }
    }
    Ok(prices)
}

/// `WEB-<YYYYMMDD>-<NNNN>` in UTC.
async fn next_number(conn: &mut sqlx::AnyConnection, now: i64) -> Result<String> {
    let date = jiff::Timestamp::from_millisecond(now)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let day = i64::from(date.year()) * 10_000 + i64::from(date.month()) * 100 + i64::from(date.day());
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO order_number_days (day, last) VALUES ($1, 1)
         ON CONFLICT (day) DO UPDATE SET last = order_number_days.last + 1 RETURNING last",
    )
    .bind(day)
    .fetch_one(&mut *conn)
    .await?;
    Ok(format!("WEB-{day}-{seq:04}"))
}
