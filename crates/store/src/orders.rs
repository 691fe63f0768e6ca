//! Orders: placing them and moving them through the state machine.
//!
//! Each step is ONE transaction holding all its effects: the order row's status, a timeline row,
//! stock rows with their ledger rows, payment rows and the outbox event. What a step does comes
//! from [`storedesk_domain::Transition`]; this module only writes it down.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use storedesk_domain::order::{PaymentEffect, StockEffect};
use storedesk_domain::{
    Channel, EventKind, LedgerReason, Money, OrderEvent, OrderId, OrderNumber, OrderStatus, PaymentMethod,
    Qty, Sku, Transition,
};
use storedesk_protocol::events::{
    CounterSale, EventBody, LineItem, OrderCancelled, OrderDelivered, OrderPaid, OrderPlaced, OrderRefunded,
    OrderShipped, PaymentItem, SkuQty, order_aggregate,
};

use crate::error::{Result, StoreError};
use crate::settings::StoreSettings;
use crate::{Store, db, outbox, stock};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderLine {
    pub line_no: i64,
    pub sku: String,
    pub name: String,
    pub qty: i64,
    #[serde(with = "storedesk_protocol::minor")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub unit_price_minor: i64,
    pub restocked_qty: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Order {
    pub id: OrderId,
    pub number: String,
    pub channel: Channel,
    pub status: OrderStatus,
    pub customer: Option<String>,
    pub currency: String,
    #[serde(with = "storedesk_protocol::minor")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub total_minor: i64,
    pub tracking: Option<String>,
    pub hold_reason: Option<String>,
    pub created_at: jiff::Timestamp,
    pub updated_at: jiff::Timestamp,
    pub lines: Vec<OrderLine>,
    /// What an operator may do next (the UI offers exactly these).
    pub actions: Vec<OrderEvent>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Payment {
    /// `payment` or `refund`.
    pub kind: String,
    pub method: String,
    /// Negative for refunds.
    #[serde(with = "storedesk_protocol::minor")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub amount_minor: i64,
    pub at: jiff::Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TimelineEntry {
    pub from: Option<OrderStatus>,
    /// `None` for the placement of the order.
    pub event: Option<OrderEvent>,
    pub to: OrderStatus,
    pub at: jiff::Timestamp,
    pub actor: String,
    pub reason: Option<String>,
}

/// An order with its payments and timeline (`storedesk order show`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderDetail {
    #[serde(flatten)]
    pub order: Order,
    pub payments: Vec<Payment>,
    pub timeline: Vec<TimelineEntry>,
}

/// An order to place.
#[derive(Clone, Debug)]
pub struct NewOrder {
    pub channel: Channel,
    pub lines: Vec<(Sku, Qty)>,
    pub customer: Option<String>,
    /// Who placed it (operator name, `cli`, `sync`...).
    pub actor: String,
}

/// What goes back on the shelf when a delivered order is refunded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Restock {
    #[default]
    Nothing,
    All,
    Lines(Vec<(Sku, Qty)>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentInput {
    pub method: PaymentMethod,
    /// `None`: the order's total.
    pub amount_minor: Option<i64>,
}

/// What a step of an order's life records besides its event.
#[derive(Clone, Debug, Default)]
pub struct StepDetails {
    /// Who did it (operator name, `cli`, `sync`...).
    pub actor: String,
    pub reason: Option<String>,
    pub tracking: Option<String>,
    pub payment: Option<PaymentInput>,
    pub restock: Restock,
}

impl StepDetails {
    pub fn by(actor: &str) -> Self {
        Self { actor: actor.to_string(), ..Self::default() }
    }
}

/// An event applied to an existing order, with what it needs.
#[derive(Clone, Debug)]
pub struct OrderAction {
    pub event: OrderEvent,
    pub details: StepDetails,
}

impl OrderAction {
    pub fn new(event: OrderEvent, actor: &str) -> Self {
        Self { event, details: StepDetails::by(actor) }
    }
}

/// Filters for listing orders; newest first.
#[derive(Clone, Debug)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub channel: Option<Channel>,
    pub limit: usize,
    pub offset: usize,
}

impl Default for OrderFilter {
    fn default() -> Self {
        Self { status: None, channel: None, limit: 100, offset: 0 }
    }
}

/// The order row as the write path needs it.
struct Header {
    id: OrderId,
    number: String,
    channel: Channel,
    status: OrderStatus,
    customer: Option<String>,
    currency: String,
    total_minor: i64,
    event_seq: i64,
    /// Steps taken so far; the next timeline row is `steps + 1`.
    steps: i64,
    /// Whether the store's stock view counts a reservation for this order.
    reservation_held: bool,
    /// Central's answer to the reservation (`accepted`, `rejected`, `released`), if any.
    central_reservation: Option<String>,
}

const MAX_TEXT: usize = 500;

fn check_text(what: &str, value: Option<String>) -> Result<Option<String>> {
    match value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) {
        Some(v) if v.chars().count() > MAX_TEXT => Err(StoreError::Invalid(format!(
            "{what} is too long ({} characters, at most {MAX_TEXT})",
            v.chars().count()
        ))),
        other => Ok(other),
    }
}

fn conversion_error(idx: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
}

impl Store {
    /// Places an order: inserts it with its lines, reserves its stock (refused cleanly when a SKU
    /// lacks stock) and, for fulfilment orders, writes `order_placed` to the outbox.
    pub fn place_order(&self, new: NewOrder) -> Result<Order> {
        let settings = self.settings()?;
        if new.lines.is_empty() {
            return Err(StoreError::Invalid("an order needs at least one line (--line SKU=QTY)".into()));
        }
        let customer = check_text("the customer name", new.customer)?;
        // The same SKU twice is one line with the quantities added.
        let mut merged: Vec<(Sku, i64)> = Vec::with_capacity(new.lines.len());
        for (sku, qty) in new.lines {
            match merged.iter_mut().find(|(s, _)| *s == sku) {
                Some((_, total)) => *total += qty.get(),
                None => merged.push((sku, qty.get())),
            }
        }
        for (sku, qty) in &merged {
            Qty::new(*qty).map_err(|e| StoreError::Invalid(format!("{sku}: {e}")))?;
        }
        self.write(
            |tx| {
                let now = db::now_ms();
                let id = OrderId::new();
                let transition = Transition::place(new.channel);
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
                let number = next_order_number(tx, &settings, now)?;
                let header = Header {
                    id,
                    number: number.to_string(),
                    channel: new.channel,
                    status: OrderStatus::Created,
                    customer: customer.clone(),
                    currency: settings.currency.code().to_string(),
                    total_minor: total.minor,
                    event_seq: 0,
                    steps: 0,
                    reservation_held: false,
                    central_reservation: None,
                };
                // Placement is step 1; its announcement (if any) is event 1 of the order.
                let event_seq = i64::from(transition.announce.is_some());
                tx.prepare_cached(
                    "INSERT INTO orders (id, number, channel, status, customer, currency, total_minor,
                                         event_seq, steps, reservation_held, created_at, updated_at)
                     VALUES (?1, ?2, ?3, 'created', ?4, ?5, ?6, ?7, 1, 1, ?8, ?8)",
                )?
                .execute(params![
                    id.to_string(),
                    header.number,
                    new.channel.as_str(),
                    customer,
                    header.currency,
                    total.minor,
                    event_seq,
                    now
                ])?;
                let mut insert_line = tx.prepare_cached(
                    "INSERT INTO order_lines (order_id, line_no, sku, name, qty, unit_price_minor)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?;
                for line in &lines {
                    insert_line.execute(params![
                        id.to_string(),
                        line.line_no,
                        line.sku,
                        line.name,
                        line.qty,
                        line.unit_price_minor
                    ])?;
                }
                write_effects(tx, &header, &lines, &transition, &StepDetails::by(&new.actor), now)?;
                Ok(Order {
                    id,
                    number: header.number,
                    channel: new.channel,
                    status: OrderStatus::Created,
                    customer,
                    currency: header.currency,
                    total_minor: total.minor,
                    tracking: None,
                    hold_reason: None,
                    created_at: db::timestamp(now),
                    updated_at: db::timestamp(now),
                    lines,
                    actions: OrderStatus::Created.operator_actions(new.channel),
                })
            },
            |_| {},
        )
    }

    /// Applies `action` to the order `reference` (its id or its number).
    pub fn apply(&self, reference: &str, action: OrderAction) -> Result<Order> {
        let id = self.write(
            |tx| {
                let header = resolve(tx, reference)?;
                apply_in(tx, &header, &action, db::now_ms())?;
                Ok(header.id)
            },
            |_| {},
        )?;
        self.read(|conn| load_order(conn, id))
    }

    /// Records a payment of the order's total.
    pub fn pay(&self, reference: &str, payment: PaymentInput, actor: &str) -> Result<Order> {
        let mut action = OrderAction::new(OrderEvent::Pay, actor);
        action.details.payment = Some(payment);
        self.apply(reference, action)
    }

    /// One order with its payments and timeline.
    pub fn order(&self, reference: &str) -> Result<OrderDetail> {
        self.read(|conn| {
            let id = resolve(conn, reference)?.id;
            let order = load_order(conn, id)?;
            let key = id.to_string();
            let mut stmt = conn.prepare(
                "SELECT kind, method, amount_minor, at FROM payments WHERE order_id = ?1 ORDER BY id",
            )?;
            let payments = stmt
                .query_map([&key], |r| {
                    Ok(Payment {
                        kind: r.get(0)?,
                        method: r.get(1)?,
                        amount_minor: r.get(2)?,
                        at: db::timestamp(r.get(3)?),
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut stmt = conn.prepare(
                "SELECT from_status, event, to_status, at, actor, reason FROM order_timeline
                 WHERE order_id = ?1 ORDER BY step",
            )?;
            let timeline = stmt
                .query_map([&key], |r| {
                    let from: Option<String> = r.get(0)?;
                    let event: Option<String> = r.get(1)?;
                    let to: String = r.get(2)?;
                    Ok(TimelineEntry {
                        from: from
                            .map(|s| OrderStatus::parse(&s))
                            .transpose()
                            .map_err(|e| conversion_error(0, e))?,
                        event: event
                            .map(|s| OrderEvent::parse(&s))
                            .transpose()
                            .map_err(|e| conversion_error(1, e))?,
                        to: OrderStatus::parse(&to).map_err(|e| conversion_error(2, e))?,
                        at: db::timestamp(r.get(3)?),
                        actor: r.get(4)?,
                        reason: r.get(5)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(OrderDetail { order, payments, timeline })
        })
    }

    /// Orders, newest first.
    pub fn orders(&self, filter: &OrderFilter) -> Result<Vec<Order>> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT id FROM orders
                 WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR channel = ?2)
                 ORDER BY id DESC LIMIT ?3 OFFSET ?4",
            )?;
            let ids = stmt
                .query_map(
                    params![
                        filter.status.map(OrderStatus::as_str),
                        filter.channel.map(Channel::as_str),
                        filter.limit as i64,
                        filter.offset as i64
                    ],
                    |r| r.get::<_, String>(0),
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            ids.iter()
                .map(|id| {
                    let id = id.parse::<OrderId>().map_err(|e| StoreError::Invalid(e.to_string()))?;
                    load_order(conn, id)
                })
                .collect()
        })
    }
}

/// Finds an order by id or by number.
fn resolve(conn: &Connection, reference: &str) -> Result<Header> {
    let reference = reference.trim();
    let by_id = reference.parse::<OrderId>().ok().map(|id| id.to_string());
    let sql = if by_id.is_some() {
        "SELECT id, number, channel, status, customer, currency, total_minor, event_seq, steps, reservation_held,
                central_reservation FROM orders WHERE id = ?1"
    } else {
        "SELECT id, number, channel, status, customer, currency, total_minor, event_seq, steps, reservation_held,
                central_reservation FROM orders WHERE number = ?1"
    };
    let key = by_id.unwrap_or_else(|| reference.to_ascii_uppercase());
    conn.prepare_cached(sql)?
        .query_row([key], |r| {
            let id: String = r.get(0)?;
            let channel: String = r.get(2)?;
            let status: String = r.get(3)?;
            Ok(Header {
                id: id.parse().map_err(|e| conversion_error(0, e))?,
                number: r.get(1)?,
                channel: Channel::parse(&channel).map_err(|e| conversion_error(2, e))?,
                status: OrderStatus::parse(&status).map_err(|e| conversion_error(3, e))?,
                customer: r.get(4)?,
                currency: r.get(5)?,
                total_minor: r.get(6)?,
                event_seq: r.get(7)?,
                steps: r.get(8)?,
                reservation_held: r.get(9)?,
                central_reservation: r.get(10)?,
            })
        })
        .optional()?
        .ok_or_else(|| StoreError::UnknownOrder(reference.to_string()))
}

fn load_lines(conn: &Connection, id: OrderId) -> Result<Vec<OrderLine>> {
    let mut stmt = conn.prepare_cached(
        "SELECT line_no, sku, name, qty, unit_price_minor, restocked_qty FROM order_lines
         WHERE order_id = ?1 ORDER BY line_no",
    )?;
    let lines = stmt
        .query_map([id.to_string()], |r| {
            Ok(OrderLine {
                line_no: r.get(0)?,
                sku: r.get(1)?,
                name: r.get(2)?,
                qty: r.get(3)?,
                unit_price_minor: r.get(4)?,
                restocked_qty: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(lines)
}

fn load_order(conn: &Connection, id: OrderId) -> Result<Order> {
    let mut order = conn
        .prepare_cached(
            "SELECT number, channel, status, customer, currency, total_minor, tracking, hold_reason,
                    created_at, updated_at FROM orders WHERE id = ?1",
        )?
        .query_row([id.to_string()], |r| {
            let channel: String = r.get(1)?;
            let status: String = r.get(2)?;
            let channel = Channel::parse(&channel).map_err(|e| conversion_error(1, e))?;
            let status = OrderStatus::parse(&status).map_err(|e| conversion_error(2, e))?;
            Ok(Order {
                id,
                number: r.get(0)?,
                channel,
                status,
                customer: r.get(3)?,
                currency: r.get(4)?,
                total_minor: r.get(5)?,
                tracking: r.get(6)?,
                hold_reason: r.get(7)?,
                created_at: db::timestamp(r.get(8)?),
                updated_at: db::timestamp(r.get(9)?),
                lines: Vec::new(),
                actions: status.operator_actions(channel),
            })
        })
        .optional()?
        .ok_or_else(|| StoreError::UnknownOrder(id.to_string()))?;
    order.lines = load_lines(conn, id)?;
    Ok(order)
}

/// `<STORE>-<YYYYMMDD>-<NNNN>` with the day in the store's time zone.
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
        date.year(),
        date.month(),
        date.day(),
        u32::try_from(seq).unwrap_or(u32::MAX),
    ))
}

/// Applies an event to a loaded order inside the caller's transaction, then the saga's follow-up:
/// paying a fulfilment order whose reservation central already answered confirms or holds it.
fn apply_in(tx: &Transaction<'_>, header: &Header, action: &OrderAction, now: i64) -> Result<()> {
    let transition = Transition::of(header.channel, header.status, action.event)
        .map_err(|error| StoreError::Transition { number: header.number.clone(), error })?;
    let lines = load_lines(tx, header.id)?;
    write_effects(tx, header, &lines, &transition, &action.details, now)?;
    if action.event == OrderEvent::Pay && header.channel == Channel::Fulfilment {
        let follow_up = match header.central_reservation.as_deref() {
            Some("accepted") => Some((OrderEvent::ConfirmStock, None)),
            Some(_) => Some((OrderEvent::Hold, Some("central could not reserve the stock".to_string()))),
            None => None,
        };
        if let Some((event, reason)) = follow_up {
            let mut details = StepDetails::by(CENTRAL_ACTOR);
            details.reason = reason;
            step(tx, header.id, event, details, now)?;
        }
    }
    Ok(())
}

/// The actor recorded for steps caused by central's answers.
pub(crate) const CENTRAL_ACTOR: &str = "central";

/// Applies `event` to the order `id` inside the caller's transaction (the saga's steps).
pub(crate) fn step(
    tx: &Transaction<'_>,
    id: OrderId,
    event: OrderEvent,
    details: StepDetails,
    now: i64,
) -> Result<()> {
    let header = resolve(tx, &id.to_string())?;
    apply_in(tx, &header, &OrderAction { event, details }, now)
}

/// What recording central's answer does to the order's local reservation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LocalReservation {
    Keep,
    /// Give it back with ledger rows (the compensation when central refused the reservation).
    Release,
    /// Stop counting it without ledger rows: central's next stock snapshot accounts for it (a
    /// conflict released it at central).
    Forget,
}

/// Records central's answer to the order's reservation (`accepted`, `rejected`, `released`);
/// returns the order's SKUs when the local reservation changed (none for `Keep`).
pub(crate) fn set_central_reservation(
    tx: &Transaction<'_>,
    id: OrderId,
    answer: &str,
    local: LocalReservation,
    now: i64,
) -> Result<Vec<String>> {
    let header = resolve(tx, &id.to_string())?;
    let lines = if local == LocalReservation::Keep { Vec::new() } else { load_lines(tx, id)? };
    if local == LocalReservation::Release && header.reservation_held {
        let key = id.to_string();
        for line in &lines {
            stock::move_stock(tx, &line.sku, LedgerReason::Release, Some(&key), None, now, |l| {
                l.release(line.qty)
            })?;
        }
    }
    tx.prepare_cached(
        "UPDATE orders SET central_reservation = ?2,
             reservation_held = CASE WHEN ?3 THEN 0 ELSE reservation_held END WHERE id = ?1",
    )?
    .execute(params![id.to_string(), answer, local != LocalReservation::Keep])?;
    Ok(lines.into_iter().map(|l| l.sku).collect())
}

/// The order's status and channel (for the saga).
pub(crate) fn status_of(conn: &Connection, id: OrderId) -> Result<(Channel, OrderStatus)> {
    let header = resolve(conn, &id.to_string())?;
    Ok((header.channel, header.status))
}

/// Writes every effect of `transition` on the order: stock + ledger, payments, the order row,
/// the timeline and the outbox. Placement passes a transition without `from`.
fn write_effects(
    tx: &Transaction<'_>,
    header: &Header,
    lines: &[OrderLine],
    transition: &Transition,
    action: &StepDetails,
    now: i64,
) -> Result<()> {
    let order_key = header.id.to_string();
    let reason = check_text("the reason", action.reason.clone())?;
    let tracking = check_text("the tracking number", action.tracking.clone())?;

    // A reservation is taken and given back at most once: after central refused it (or released
    // it in a conflict) there is nothing left to release.
    let stock_effect = match transition.stock {
        StockEffect::Release if !header.reservation_held => StockEffect::None,
        StockEffect::Reserve if header.reservation_held => StockEffect::None,
        other => other,
    };
    let reservation_held = match stock_effect {
        StockEffect::Reserve => true,
        StockEffect::Release | StockEffect::Consume => false,
        StockEffect::None | StockEffect::Restock => header.reservation_held,
    };
    let restocked = restock_quantities(lines, stock_effect, &action.restock)?;
    for (line, qty) in lines.iter().zip(&restocked) {
        let sku = line.sku.as_str();
        let order = Some(order_key.as_str());
        let q = line.qty;
        match stock_effect {
            StockEffect::None => {}
            StockEffect::Reserve => {
                stock::move_stock(tx, sku, LedgerReason::Reservation, order, None, now, |l| l.reserve(q))?;
            }
            StockEffect::Release => {
                stock::move_stock(tx, sku, LedgerReason::Release, order, None, now, |l| l.release(q))?;
            }
            StockEffect::Consume => {
                stock::move_stock(tx, sku, LedgerReason::Sale, order, None, now, |l| l.consume(q))?;
            }
            StockEffect::Restock if *qty > 0 => {
                stock::move_stock(tx, sku, LedgerReason::Return, order, None, now, |l| Ok(l.restock(*qty)))?;
                tx.prepare_cached(
                    "UPDATE order_lines SET restocked_qty = ?3 WHERE order_id = ?1 AND line_no = ?2",
                )?
                .execute(params![order_key, line.line_no, qty])?;
            }
            StockEffect::Restock => {}
        }
    }

    let payment = match transition.payment {
        PaymentEffect::None => None,
        PaymentEffect::Capture => Some(capture_payment(tx, header, action.payment.as_ref(), now)?),
        PaymentEffect::RefundAll => {
            refund_payments(tx, &order_key, now)?;
            None
        }
    };

    let announce_seq = header.event_seq + i64::from(transition.announce.is_some());
    let step = header.steps + 1;
    if transition.from.is_some() {
        tx.prepare_cached(
            "UPDATE orders SET status = ?2, updated_at = ?3, event_seq = ?4, steps = ?5,
                 tracking = COALESCE(?6, tracking),
                 hold_reason = CASE WHEN ?2 = 'on_hold' THEN ?7 WHEN ?2 = 'ready_to_ship' THEN NULL ELSE hold_reason END,
                 reservation_held = ?8
             WHERE id = ?1",
        )?
        .execute(params![
            order_key,
            transition.to.as_str(),
            now,
            announce_seq,
            step,
            tracking,
            reason,
            reservation_held
        ])?;
    }

    tx.prepare_cached(
        "INSERT INTO order_timeline (order_id, step, from_status, event, to_status, at, actor, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        order_key,
        step,
        transition.from.map(OrderStatus::as_str),
        transition.event.map(OrderEvent::as_str),
        transition.to.as_str(),
        now,
        action.actor,
        reason
    ])?;

    // Reaching ready to ship or cancelled settles whatever the order was waiting on.
    if matches!(transition.to, OrderStatus::ReadyToShip | OrderStatus::Cancelled) {
        tx.prepare_cached(
            "UPDATE attention_items SET resolved_at = ?2 WHERE order_id = ?1 AND resolved_at IS NULL",
        )?
        .execute(params![order_key, now])?;
    }

    if let Some(kind) = transition.announce {
        let body = event_body(tx, kind, header, lines, &restocked, payment, tracking, reason, now)?;
        outbox::append(tx, &order_aggregate(header.id), announce_seq, &body, now)?;
    }
    Ok(())
}

/// Per line, how many units go back on the shelf (all zero unless the effect is a restock).
fn restock_quantities(lines: &[OrderLine], effect: StockEffect, restock: &Restock) -> Result<Vec<i64>> {
    if effect != StockEffect::Restock {
        return Ok(vec![0; lines.len()]);
    }
    match restock {
        Restock::Nothing => Ok(vec![0; lines.len()]),
        Restock::All => Ok(lines.iter().map(|l| l.qty).collect()),
        Restock::Lines(chosen) => {
            let mut quantities = vec![0; lines.len()];
            for (sku, qty) in chosen {
                let at = lines.iter().position(|l| l.sku == sku.as_str()).ok_or_else(|| {
                    StoreError::Invalid(format!("cannot restock {sku}: it is not on this order"))
                })?;
                let wanted = quantities[at] + qty.get();
                if wanted > lines[at].qty {
                    return Err(StoreError::Invalid(format!(
                        "cannot restock {wanted} of {sku}: the order has {}",
                        lines[at].qty
                    )));
                }
                quantities[at] = wanted;
            }
            Ok(quantities)
        }
    }
}

fn capture_payment(
    tx: &Transaction<'_>,
    header: &Header,
    input: Option<&PaymentInput>,
    now: i64,
) -> Result<PaymentItem> {
    let input =
        input.ok_or_else(|| StoreError::Invalid("paying needs a method: cash, card or other".into()))?;
    let amount = input.amount_minor.unwrap_or(header.total_minor);
    if amount != header.total_minor {
        let currency = storedesk_domain::Currency::from_code(&header.currency)?;
        return Err(StoreError::PaymentMismatch {
            paid: Money::new(amount, currency).to_string(),
            total: Money::new(header.total_minor, currency).to_string(),
        });
    }
    tx.prepare_cached(
        "INSERT INTO payments (order_id, kind, method, amount_minor, at) VALUES (?1, 'payment', ?2, ?3, ?4)",
    )?
    .execute(params![header.id.to_string(), input.method.as_str(), amount, now])?;
    Ok(PaymentItem { method: input.method.as_str().to_string(), amount_minor: amount })
}

/// Refunds what was paid, per method.
fn refund_payments(tx: &Transaction<'_>, order_key: &str, now: i64) -> Result<()> {
    let paid = payments_by_method(tx, order_key)?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO payments (order_id, kind, method, amount_minor, at) VALUES (?1, 'refund', ?2, ?3, ?4)",
    )?;
    for item in paid.iter().filter(|p| p.amount_minor > 0) {
        insert.execute(params![order_key, item.method, -item.amount_minor, now])?;
    }
    Ok(())
}

fn payments_by_method(conn: &Connection, order_key: &str) -> Result<Vec<PaymentItem>> {
    let mut stmt = conn.prepare_cached(
        "SELECT method, SUM(amount_minor) FROM payments WHERE order_id = ?1 GROUP BY method ORDER BY method",
    )?;
    let items = stmt
        .query_map([order_key], |r| Ok(PaymentItem { method: r.get(0)?, amount_minor: r.get(1)? }))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(items)
}

/// The outbox payload announcing `kind` for this order.
#[allow(clippy::too_many_arguments)]
fn event_body(
    tx: &Transaction<'_>,
    kind: EventKind,
    header: &Header,
    lines: &[OrderLine],
    restocked: &[i64],
    payment: Option<PaymentItem>,
    tracking: Option<String>,
    reason: Option<String>,
    now: i64,
) -> Result<EventBody> {
    let at = db::timestamp(now);
    let order_id = header.id;
    let items = || {
        lines
            .iter()
            .map(|l| LineItem { sku: l.sku.clone(), qty: l.qty, unit_price_minor: l.unit_price_minor })
            .collect::<Vec<_>>()
    };
    Ok(match kind {
        EventKind::OrderPlaced => EventBody::OrderPlaced(OrderPlaced {
            order_id,
            number: header.number.clone(),
            channel: header.channel,
            currency: header.currency.clone(),
            total_minor: header.total_minor,
            lines: items(),
            customer: header.customer.clone(),
            at,
        }),
        EventKind::OrderPaid => EventBody::OrderPaid(OrderPaid {
            order_id,
            payment: payment.ok_or_else(|| StoreError::Invalid("order_paid without a payment".into()))?,
            at,
        }),
        EventKind::CounterSale => EventBody::CounterSale(CounterSale {
            order_id,
            number: header.number.clone(),
            currency: header.currency.clone(),
            total_minor: header.total_minor,
            lines: items(),
            payments: payments_by_method(tx, &order_id.to_string())?,
            customer: header.customer.clone(),
            at,
        }),
        EventKind::OrderShipped => EventBody::OrderShipped(OrderShipped { order_id, tracking, at }),
        EventKind::OrderDelivered => EventBody::OrderDelivered(OrderDelivered { order_id, at }),
        EventKind::OrderCancelled => EventBody::OrderCancelled(OrderCancelled { order_id, reason, at }),
        EventKind::OrderRefunded => EventBody::OrderRefunded(OrderRefunded {
            order_id,
            restock: lines
                .iter()
                .zip(restocked)
                .filter(|(_, q)| **q > 0)
                .map(|(l, q)| SkuQty { sku: l.sku.clone(), qty: *q })
                .collect(),
            reason,
            at,
        }),
        EventKind::StockAdjusted => {
            return Err(StoreError::Invalid("stock_adjusted is not an order event".into()));
        }
    })
}
