//! Orders placed on the central platform and allocated to a store: reserved at central at once,
//! then sent down the store's change feed, where they arrive paid and ready to ship.

use std::collections::HashMap;

use storedesk_domain::{
    Channel, Currency, OrderId, OrderStatus, PaymentMethod, Qty, Reservation, Sku, StockDelta,
};
use storedesk_protocol::api::{AllocatedOrder, ChangeBody};
use storedesk_protocol::events::LineItem;

use super::StoreRef;
use super::work::{NewOrderRow, OrderRow, Origin, Work};
use crate::db::{Db, now_ms};
use crate::error::{CentralError, Result};

/// An order the central platform allocates to a store.
#[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct CentralOrderInput {
    #[schema(min_items = 1)]
    pub lines: Vec<CentralLineInput>,
    #[serde(default)]
    pub customer: Option<String>,
}

#[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct CentralLineInput {
    #[schema(min_length = 1, max_length = 64)]
    pub sku: String,
    /// 1 to 1,000,000 (`MAX_QTY`).
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub qty: i64,
}

/// Places the order, reserving every line in the store's stock; refused as a whole when a line
/// does not fit.
pub async fn place(db: &Db, store: &StoreRef, input: &CentralOrderInput) -> Result<AllocatedOrder> {
    let wanted = wanted_lines(input)?;
    let currency =
        Currency::from_code(&store.currency).map_err(|e| CentralError::corrupt("the store's currency", e))?;
    let mut tx = db.begin().await?;
    let now = now_ms();
    let mut work = Work::new(db, store, now);
    work.load_skus(&mut tx, wanted.iter().map(|(s, _)| s.to_string())).await?;
    if let Some((sku, _)) = wanted.iter().find(|(s, _)| !work.products.contains(s.as_str())) {
        return Err(CentralError::invalid("lines", format!("unknown SKU {sku:?}")));
    }
    let short: Vec<String> = wanted
        .iter()
        .filter(|(sku, qty)| work.available(sku.as_str()) < qty.get())
        .map(|(sku, qty)| {
            format!(
                "{sku}: {qty} requested, {} available",
                work.available(sku.as_str()).max(0),
                qty = qty.get()
            )
        })
        .collect();
    if !short.is_empty() {
        return Err(CentralError::Conflict {
            code: "insufficient_stock",
            message: format!("not enough stock at {}: {}", store.code, short.join("; ")),
        });
    }
    let prices = prices(&mut tx, &wanted).await?;
    let lines: Vec<LineItem> = wanted
        .into_iter()
        .map(|(sku, qty)| {
            let unit_price_minor = prices.get(sku.as_str()).copied().unwrap_or(0);
            LineItem { sku, qty, unit_price_minor }
        })
        .collect();
    let total_minor = lines.iter().try_fold(0i64, |sum, l| {
        l.unit_price_minor.checked_mul(l.qty.get()).and_then(|amount| sum.checked_add(amount))
    });
    let total_minor =
        total_minor.ok_or_else(|| CentralError::out_of_range("lines", "the order's total overflows"))?;
    let allocated = AllocatedOrder {
        order_id: OrderId(uuid::Uuid::now_v7()),
        number: next_number(&mut tx, now).await?,
        currency,
        total_minor,
        lines,
        customer: input.customer.clone(),
    };
    allocate(&mut work, &allocated)?;
    work.flush(&mut tx).await?;
    tx.commit().await?;
    Ok(allocated)
}

/// The order's lines, checked and merged by SKU.
fn wanted_lines(input: &CentralOrderInput) -> Result<Vec<(Sku, Qty)>> {
    if input.lines.is_empty() {
        return Err(CentralError::invalid("lines", "an order needs at least one line"));
    }
    let mut wanted: Vec<(Sku, Qty)> = Vec::new();
    for (i, line) in input.lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        let sku = Sku::parse(&line.sku).map_err(|e| CentralError::invalid(field("sku"), e.to_string()))?;
        let qty = Qty::new(line.qty).map_err(|e| CentralError::invalid(field("qty"), e.to_string()))?;
        match wanted.iter_mut().find(|(s, _)| *s == sku) {
            Some((_, q)) => {
                *q = Qty::new(q.get().saturating_add(qty.get()))
                    .map_err(|e| CentralError::invalid(field("qty"), e.to_string()))?;
            }
            None => wanted.push((sku, qty)),
        }
    }
    Ok(wanted)
}

/// Reserves the order's stock, keeps it (paid, on the platform) and sends it to the store.
fn allocate(work: &mut Work<'_>, allocated: &AllocatedOrder) -> Result<()> {
    let reserve: Vec<(String, StockDelta)> = allocated
        .lines
        .iter()
        .map(|l| (l.sku.to_string(), StockDelta { on_hand: 0, reserved: l.qty.get() }))
        .collect();
    work.apply(&reserve)?;
    let mut order = OrderRow::new(
        work.store.id,
        NewOrderRow {
            id: allocated.order_id,
            number: allocated.number.clone(),
            origin: Origin::Central,
            channel: Channel::Fulfilment,
            status: OrderStatus::ReadyToShip,
            currency: allocated.currency.code().to_string(),
            total_minor: allocated.total_minor,
            customer: allocated.customer.clone(),
            lines: allocated.lines.clone(),
        },
        work.now,
    );
    order.holds_reservation = true;
    order.reservation = Some(Reservation::Accepted);
    work.insert_order(order);
    let at = jiff::Timestamp::from_millisecond(work.now).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    work.add_payment(allocated.order_id, PaymentMethod::Other, allocated.total_minor, at);
    work.add_change(ChangeBody::OrderAllocated(allocated.clone()));
    Ok(())
}

async fn prices(conn: &mut sqlx::AnyConnection, wanted: &[(Sku, Qty)]) -> Result<HashMap<String, i64>> {
    let mut prices = HashMap::new();
    for (sku, _) in wanted {
        let price: Option<i64> = sqlx::query_scalar("SELECT price_minor FROM products WHERE sku = $1")
            .bind(sku.to_string())
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(price) = price {
            prices.insert(sku.to_string(), price);
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
