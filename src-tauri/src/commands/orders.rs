//! Orders: the list, one order, taking an order, and the steps of its life.

use serde::Deserialize;
use storedesk_domain::{Channel, OrderEvent, PaymentMethod, Qty, Sku};
use storedesk_store::orders::{NewOrder, Order, OrderAction, OrderDetail, PaymentInput, Restock};
use storedesk_store::views::{OrderPage, OrderQuery};

use super::State;
use crate::error::{AppError, AppResult};

#[tauri::command]
#[specta::specta]
pub async fn list_orders(
    state: State<'_>,
    query: OrderQuery,
    offset: i32,
    limit: i32,
) -> AppResult<OrderPage> {
    state
        .timed("list_orders", move |state| {
            Ok(state.store.order_page(&query, i64::from(offset), i64::from(limit))?)
        })
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn get_order(state: State<'_>, reference: String) -> AppResult<OrderDetail> {
    state.timed("get_order", move |state| Ok(state.store.order(&reference)?)).await
}

#[derive(Clone, Debug, Deserialize, specta::Type)]
pub struct LineInput {
    pub sku: String,
    pub qty: i32,
}

#[tauri::command]
#[specta::specta]
pub async fn place_order(
    state: State<'_>,
    channel: Channel,
    lines: Vec<LineInput>,
    customer: Option<String>,
) -> AppResult<Order> {
    state
        .timed("place_order", move |state| {
            let lines = lines
                .iter()
                .map(|l| Ok((Sku::parse(&l.sku)?, Qty::new(i64::from(l.qty))?)))
                .collect::<Result<Vec<_>, storedesk_domain::line::LineError>>()
                .map_err(|e| AppError::new("invalid_line", e.to_string()))?;
            Ok(state.store.place_order(NewOrder { channel, lines, customer, actor: state.actor()? })?)
        })
        .await
}

/// An operator's step on an order, with what it needs.
#[derive(Clone, Debug, Deserialize, specta::Type)]
pub struct ActionInput {
    pub event: OrderEvent,
    pub method: Option<PaymentMethod>,
    /// Major units as typed (`12.50`); the total when absent.
    pub amount: Option<String>,
    pub tracking: Option<String>,
    pub reason: Option<String>,
    /// Refund: put every line back on the shelf.
    pub restock: bool,
}

#[tauri::command]
#[specta::specta]
pub async fn order_action(state: State<'_>, reference: String, action: ActionInput) -> AppResult<Order> {
    state
        .timed("order_action", move |state| {
            if !action.event.is_operator_action() {
                return Err(AppError::new(
                    "invalid_input",
                    format!("{} is not an operator's step", action.event),
                ));
            }
            let mut step = OrderAction::new(action.event, state.actor()?);
            if action.event == OrderEvent::Pay {
                let currency = state.store.settings()?.currency;
                let amount_minor = action
                    .amount
                    .as_deref()
                    .filter(|a| !a.trim().is_empty())
                    .map(|a| currency.parse_major(a))
                    .transpose()
                    .map_err(storedesk_store::StoreError::from)?;
                step.details.payment =
                    Some(PaymentInput { method: action.method.unwrap_or(PaymentMethod::Cash), amount_minor });
            }
            step.details.tracking = action.tracking;
            step.details.reason = action.reason;
            step.details.restock = if action.restock { Restock::All } else { Restock::Nothing };
            Ok(state.store.apply(&reference, step)?)
        })
        .await
}
