//! `storedesk order ...`: creating, listing and showing orders, and the steps of their lives.

use storedesk_domain::line::parse_line;
use storedesk_domain::{Channel, OrderEvent, OrderStatus};
use storedesk_store::Store;
use storedesk_store::orders::{NewOrder, OrderAction, OrderFilter, PaymentInput, Restock};

use crate::args::OrderCommand;
use crate::output::{self, Table};
use crate::staff::SignIn;

/// Runs an order command: creating, listing or showing orders, or a step of one (as the person
/// signed in with `--staff`).
pub fn run(store: &Store, sign_in: &SignIn, command: OrderCommand) -> anyhow::Result<()> {
    let actor = || sign_in.actor(store);
    let (reference, json, action) = match command {
        OrderCommand::Create { channel, lines, customer, json } => {
            let lines = lines.iter().map(|l| parse_line(l)).collect::<Result<Vec<_>, _>>()?;
            let order =
                store.place_order(NewOrder { channel: channel.into(), lines, customer, actor: actor()? })?;
            return if json { output::json(&order) } else { output::order(&order) };
        }
        OrderCommand::List { status, channel, till, staff, limit, json } => {
            let status = status.map(|s| OrderStatus::parse(&s)).transpose()?;
            let channel = channel.map(Channel::from);
            let filter = OrderFilter { status, channel, till, staff, limit, offset: 0 };
            return list(store, &filter, json);
        }
        OrderCommand::Show { order } => {
            let detail = store.order(&order.id)?;
            return if order.json {
                output::json(&detail)
            } else {
                output::order_detail(&detail, &store.settings()?.tz())
            };
        }
        OrderCommand::Pay { order, method, amount } => {
            let currency = store.settings()?.currency;
            let amount_minor = amount.map(|a| currency.parse_major(&a)).transpose()?;
            let mut action = OrderAction::new(OrderEvent::Pay, actor()?);
            action.details.payment = Some(PaymentInput { method: method.into(), amount_minor });
            (order.id, order.json, action)
        }
        OrderCommand::HandOver { order } => {
            (order.id, order.json, OrderAction::new(OrderEvent::HandOver, actor()?))
        }
        OrderCommand::Ship { order, tracking } => {
            let mut action = OrderAction::new(OrderEvent::Ship, actor()?);
            action.details.tracking = tracking;
            (order.id, order.json, action)
        }
        OrderCommand::Deliver { order } => {
            (order.id, order.json, OrderAction::new(OrderEvent::Deliver, actor()?))
        }
        OrderCommand::Cancel { order, reason } => {
            let mut action = OrderAction::new(OrderEvent::Cancel, actor()?);
            action.details.reason = reason;
            (order.id, order.json, action)
        }
        OrderCommand::Refund { order, reason, restock } => {
            let mut action = OrderAction::new(OrderEvent::Refund, actor()?);
            action.details.reason = reason;
            action.details.restock = if restock { Restock::All } else { Restock::Nothing };
            (order.id, order.json, action)
        }
    };
    let order = store.apply(&reference, action)?;
    if json { output::json(&order) } else { output::order(&order) }
}

fn list(store: &Store, filter: &OrderFilter, json: bool) -> anyhow::Result<()> {
    let orders = store.orders(filter)?;
    if json {
        return output::json(&orders);
    }
    let tz = store.settings()?.tz();
    let mut table = Table::new(&["NUMBER", "TILL", "CHANNEL", "STATUS", "TOTAL", "CUSTOMER", "CREATED"]);
    for o in orders {
        table.row(vec![
            o.number,
            o.till.unwrap_or_else(|| "-".into()),
            o.channel.as_str().into(),
            o.status.as_str().into(),
            output::money(o.total_minor, &o.currency),
            o.customer.unwrap_or_default(),
            output::time(o.created_at, &tz),
        ]);
    }
    table.print()
}
