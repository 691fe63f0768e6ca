//! The crash test's child: `crash-child DATA_DIR START_INDEX`. Places orders and takes them through
//! their planned steps forever, printing `saved <order id> <status>` after each commit, until it is
//! killed. Restocks (a receipt) when a SKU runs low.

use std::io::Write;

use anyhow::Context;
use storedesk_domain::PaymentMethod;
use storedesk_domain::line::parse_line;
use storedesk_domain::stock::AdjustReason;
use storedesk_store::Store;
use storedesk_store::orders::{NewOrder, OrderAction, PaymentInput};
use storedesk_tests::plan;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().context("usage: crash-child DATA_DIR START_INDEX")?;
    let start: u64 = args.next().context("START_INDEX missing")?.parse()?;
    let store = Store::open_dir(std::path::Path::new(&dir))?;
    let mut out = std::io::stdout().lock();
    for index in start.. {
        let sku = ["TEA", "CUP", "POT"][(index % 3) as usize];
        if store.stock_level(sku)?.available < 5 {
            store.adjust_stock(&"test".into(), sku, 50, AdjustReason::Receipt, Some("crash test restock"))?;
        }
        let (channel, steps) = plan(index);
        let lines = vec![parse_line(&format!("{sku}=2"))?];
        let order = store.place_order(NewOrder { channel, lines, customer: None, actor: "crash".into() })?;
        writeln!(out, "saved {} {}", order.id, order.status)?;
        out.flush()?;
        for event in steps {
            let mut action = OrderAction::new(event, "crash");
            action.details.payment = Some(PaymentInput { method: PaymentMethod::Card, amount_minor: None });
            let order = store.apply(&order.id.to_string(), action)?;
            writeln!(out, "saved {} {}", order.id, order.status)?;
            out.flush()?;
        }
    }
    Ok(())
}
