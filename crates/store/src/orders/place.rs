//! Placing an order: its lines priced from the catalog, its number drawn for the day, its row and
//! lines inserted, and the placement's effects written — all in one transaction. Orders central
//! allocates to the store are placed the same way, with the domain's allocation transition.

use rusqlite::{OptionalExtension, Transaction, params};
use storedesk_domain::{
    Money, OrderId, OrderNumber, OrderStatus, PaymentMethod, Permission, Qty, Sku, Transition,
};
use storedesk_protocol::api::AllocatedOrder;
use storedesk_protocol::events::LineItem;

use super::effects::{check_text, holds_after, write_effects};
use super::model::{CentralReservation, Header, NewOrder, Order, OrderLine, PaymentInput, StepDetails};
use super::step::CENTRAL_ACTOR;
use crate::error::{Result, StoreError};
use crate::settings::StoreSettings;
use crate::sql::Name;
use crate::{Store, db, staff};

impl Store {
    /// Places an order: inserts it with its lines, reserves its stock (refused cleanly when a SKU
    /// lacks stock) and, for fulfilment orders, writes `order_placed` to the outbox.
    pub fn place_order(&self, new: NewOrder) -> Result<Order> {
        let settings = self.settings()?;
        if new.lines.is_empty() {
            return Err(StoreError::Invalid("an order needs at least one line (--line SKU=QTY)".into()));
        }
        let customer = check_text("the customer name", new.customer)?;
        // A barcode typed or scanned in place of a SKU is its product's (then merged with it).
        let lines = self.read(|conn| crate::catalog::barcodes::resolve(conn, new.lines))?;
        let merged = merge_lines(lines)?;
        let by = &new.actor;
        self.refusals_recorded(by, None, || {
            self.write(
                |tx| {
                    staff::allow(tx, by, Permission::Sell, None)?;
                    let now = db::now_ms();
                    let (lines, total) = self.price_lines(tx, &settings, &merged)?;
                    let header = Header {
                        id: OrderId(uuid::Uuid::now_v7()),
                        number: next_order_number(tx, &settings, now)?.to_string(),
                        channel: new.channel,
                        status: OrderStatus::Created,
                        customer,
                        currency: settings.currency.code().to_string(),
                        total_minor: total.minor,
                        event_seq: 0,
                        steps: 0,
                        reservation_held: false,
                        central_reservation: None,
                    };
                    let transition = Transition::place(new.channel);
                    let till = settings.till.to_string();
                    insert_order(tx, &header, &lines, Some(&transition), ("device", Some(&till)), now)?;
                    write_effects(tx, &header, &lines, &transition, &StepDetails::by(by), now)?;
                    Ok(placed(header, lines, (transition.to, Some(till)), now))
                },
                |_| {},
            )
        })
    }

    /// Each line's product at its current price and name; the order's total.
    fn price_lines(
        &self,
        tx: &Transaction<'_>,
        settings: &StoreSettings,
        merged: &[(Sku, i64)],
    ) -> Result<(Vec<OrderLine>, Money)> {
        let mut lines = Vec::with_capacity(merged.len());
        let mut total = Money::new(0, settings.currency);
        for (i, (sku, qty)) in merged.iter().enumerate() {
            let product = self.product_in(tx, sku.as_str())?;
            if !product.active {
                return Err(StoreError::Invalid(format!("{sku} is no longer for sale")));
            }
            total = total.plus(Money::new(product.price_minor, settings.currency).times(*qty)?)?;
            lines.push(OrderLine {
                line_no: i as i64 + 1,
                sku: product.sku.clone(),
                name: product.name.clone(),
                qty: *qty,
                unit_price_minor: product.price_minor,
                restocked_qty: 0,
            });
        }
        Ok((lines, total))
    }
}

/// The same SKU twice is one line with the quantities added.
fn merge_lines(lines: Vec<(Sku, Qty)>) -> Result<Vec<(Sku, i64)>> {
    let mut merged: Vec<(Sku, i64)> = Vec::with_capacity(lines.len());
    for (sku, qty) in lines {
        match merged.iter_mut().find(|(s, _)| *s == sku) {
            Some((_, total)) => *total = total.saturating_add(qty.get()),
            None => merged.push((sku, qty.get())),
        }
    }
    for (sku, qty) in &merged {
        Qty::new(*qty).map_err(|e| StoreError::Invalid(format!("{sku}: {e}")))?;
    }
    Ok(merged)
}

/// Places an order central allocated to this store; `false` when it is already here.
pub(crate) fn place_allocated(tx: &Transaction<'_>, order: &AllocatedOrder, now: i64) -> Result<bool> {
    let exists: Option<i64> = tx
        .prepare_cached("SELECT 1 FROM orders WHERE id = ?1")?
        .query_row([order.order_id.to_string()], |r| r.get(0))
        .optional()?;
    if exists.is_some() {
        return Ok(false);
    }
    let lines = lines_from_wire(tx, &order.lines)?;
    let header = Header {
        id: order.order_id,
        number: order.number.clone(),
        channel: storedesk_domain::Channel::Fulfilment,
        status: OrderStatus::Created,
        customer: order.customer.clone(),
        currency: order.currency.code().to_string(),
        total_minor: order.total_minor,
        event_seq: 0,
        steps: 0,
        reservation_held: false,
        central_reservation: Some(CentralReservation::Accepted),
    };
    let transition = Transition::allocated();
    insert_order(tx, &header, &lines, Some(&transition), ("central", None), now)?;
    let mut details = StepDetails::by(CENTRAL_ACTOR);
    details.reason = Some("placed and paid on the central platform".into());
    details.payment = Some(PaymentInput { method: PaymentMethod::Other, amount_minor: None });
    write_effects(tx, &header, &lines, &transition, &details, now)?;
    Ok(true)
}

/// An order's lines as central sent them, named from the local catalog (the SKU when unknown).
pub(super) fn lines_from_wire(tx: &Transaction<'_>, wire: &[LineItem]) -> Result<Vec<OrderLine>> {
    let mut lines = Vec::with_capacity(wire.len());
    for (i, line) in wire.iter().enumerate() {
        let name: Option<String> = tx
            .prepare_cached("SELECT name FROM products WHERE sku = ?1")?
            .query_row([line.sku.as_str()], |r| r.get(0))
            .optional()?;
        lines.push(OrderLine {
            line_no: i as i64 + 1,
            sku: line.sku.to_string(),
            name: name.unwrap_or_else(|| line.sku.to_string()),
            qty: line.qty.get(),
            unit_price_minor: line.unit_price_minor,
            restocked_qty: 0,
        });
    }
    Ok(lines)
}

/// Inserts the order row (as the placement leaves it, or as `header` says when there is no
/// transition: an order mirrored from central) and its lines.
pub(super) fn insert_order(
    tx: &Transaction<'_>,
    header: &Header,
    lines: &[OrderLine],
    transition: Option<&Transition>,
    (origin, till): (&str, Option<&str>),
    now: i64,
) -> Result<()> {
    // Placement is step 1; its announcement (if any) is event 1 of the order.
    let event_seq = i64::from(transition.is_some_and(|t| t.announce.is_some()));
    let (status, held) = match transition {
        Some(t) => (t.to, holds_after(header, t.stock)),
        None => (header.status, header.reservation_held),
    };
    tx.prepare_cached(
        "INSERT INTO orders (id, number, channel, status, customer, currency, total_minor, origin,
                             event_seq, steps, reservation_held, central_reservation, created_at, updated_at, till)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10, ?11, ?12, ?12, ?13)",
    )?
    .execute(params![
        header.id.to_string(),
        header.number,
        Name(header.channel),
        Name(status),
        header.customer,
        header.currency,
        header.total_minor,
        origin,
        event_seq,
        held,
        header.central_reservation.map(Name),
        now,
        till
    ])?;
    let mut insert_line = tx.prepare_cached(
        "INSERT INTO order_lines (order_id, line_no, sku, name, qty, unit_price_minor) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for line in lines {
        insert_line.execute(params![
            header.id.to_string(),
            line.line_no,
            line.sku,
            line.name,
            line.qty,
            line.unit_price_minor
        ])?;
    }
    Ok(())
}

fn placed(
    header: Header,
    lines: Vec<OrderLine>,
    (status, till): (OrderStatus, Option<String>),
    now: i64,
) -> Order {
    Order {
        id: header.id,
        number: header.number,
        channel: header.channel,
        status,
        till,
        customer: header.customer,
        currency: header.currency,
        total_minor: header.total_minor,
        tracking: None,
        hold_reason: None,
        created_at: db::timestamp(now),
        updated_at: db::timestamp(now),
        lines,
        actions: status.operator_actions(header.channel),
    }
}

/// `<STORE>-<TILL>-<YYYYMMDD>-<NNNN>` with the day in the store's time zone, counted on this till.
fn next_order_number(tx: &Transaction<'_>, settings: &StoreSettings, now: i64) -> Result<OrderNumber> {
    let date = db::timestamp(now).to_zoned(settings.tz()).date();
    let day = i64::from(date.year()) * 10_000 + i64::from(date.month()) * 100 + i64::from(date.day());
    let seq: i64 = tx
        .prepare_cached(
            "INSERT INTO order_number_days (day, last) VALUES (?1, 1)
             ON CONFLICT (day) DO UPDATE SET last = last + 1 RETURNING last",
        )?
        .query_row([day], |r| r.get(0))?;
    Ok(OrderNumber::new(
        &settings.code,
        settings.till,
        (date.year(), date.month(), date.day()),
        u32::try_from(seq).unwrap_or(u32::MAX),
    ))
}
