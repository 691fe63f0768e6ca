//! Random sequences of orders, payments, hand-overs, shipments, cancels, refunds and adjustments
//! never break the stock invariants: reserved >= 0, reserved <= on_hand, stock equals the ledger's
//! sums, every ledger row has an order or a reason. A model of the expected on_hand/reserved per
//! SKU is kept alongside and compared after every step.

mod common;

use std::collections::HashMap;

use common::*;
use proptest::prelude::*;
use storedesk_domain::stock::AdjustReason;
use storedesk_domain::{Channel, OrderEvent, OrderStatus, PaymentMethod};
use storedesk_store::orders::{NewOrder, OrderAction, PaymentInput, Restock};

const SKUS: [&str; 3] = ["TEA", "CUP", "POT"];

#[derive(Clone, Debug)]
enum Op {
    Place {
        channel: Channel,
        lines: Vec<(usize, i64)>,
    },
    /// Applies an event to the n-th order (modulo the number of orders).
    Act {
        order: usize,
        event: OrderEvent,
        restock: bool,
    },
    Adjust {
        sku: usize,
        delta: i64,
        reason: AdjustReason,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let channel = prop::sample::select(Channel::ALL.to_vec());
    let lines = prop::collection::vec((0..SKUS.len(), 1..4_i64), 1..3);
    let event = prop::sample::select(OrderEvent::ALL.to_vec());
    let reason = prop::sample::select(vec![AdjustReason::Receipt, AdjustReason::Count, AdjustReason::Damage]);
    prop_oneof![
        3 => (channel, lines).prop_map(|(channel, lines)| Op::Place { channel, lines }),
        6 => (any::<usize>(), event, any::<bool>()).prop_map(|(order, event, restock)| Op::Act { order, event, restock }),
        1 => (0..SKUS.len(), -4..6_i64, reason).prop_map(|(sku, delta, reason)| Op::Adjust { sku, delta, reason }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn stock_invariants_hold_after_every_step(ops in prop::collection::vec(op(), 1..40)) {
        let (_dir, store) = store();
        let mut model: HashMap<&str, (i64, i64)> = SKUS.iter().map(|s| (*s, level(&store, s))).collect();
        let mut orders: Vec<String> = Vec::new();
        for op in ops {
            match op {
                Op::Place { channel, lines } => {
                    let spec: Vec<String> = lines.iter().map(|(s, q)| format!("{}={q}", SKUS[*s])).collect();
                    let spec: Vec<&str> = spec.iter().map(String::as_str).collect();
                    let mut wanted: HashMap<&str, i64> = HashMap::new();
                    for (s, q) in &lines { *wanted.entry(SKUS[*s]).or_default() += q; }
                    let fits = wanted.iter().all(|(sku, q)| model[sku].0 - model[sku].1 >= *q);
                    let placed = store.place_order(NewOrder { channel, lines: common::lines(&spec), customer: None, actor: "prop".into() });
                    prop_assert_eq!(placed.is_ok(), fits, "placement accepted iff stock was available: {:?}", placed.as_ref().err());
                    if let Ok(order) = placed {
                        for (sku, q) in wanted { if let Some(m) = model.get_mut(sku) { m.1 += q; } }
                        orders.push(order.number);
                    }
                }
                Op::Act { order, event, restock } => {
                    if orders.is_empty() { continue; }
                    let number = orders[order % orders.len()].clone();
                    let before = store.order(&number).expect("order").order;
                    let mut action = OrderAction::new(event, "prop");
                    action.details.payment = Some(PaymentInput { method: PaymentMethod::Cash, amount_minor: None });
                    action.details.restock = if restock { Restock::All } else { Restock::Nothing };
                    match store.apply(&number, action) {
                        Ok(after) => {
                            for line in &before.lines {
                                let m = model.get_mut(line.sku.as_str()).expect("sku");
                                match (before.status, after.status) {
                                    (_, OrderStatus::Cancelled) if before.status != OrderStatus::OnHold => m.1 -= line.qty,
                                    (OrderStatus::Paid | OrderStatus::ReadyToShip, OrderStatus::OnHold) => m.1 -= line.qty,
                                    (OrderStatus::OnHold, OrderStatus::ReadyToShip) => m.1 += line.qty,
                                    (OrderStatus::Paid, OrderStatus::Delivered) | (OrderStatus::ReadyToShip, OrderStatus::Shipped) => {
                                        m.0 -= line.qty;
                                        m.1 -= line.qty;
                                    }
                                    (OrderStatus::Delivered, OrderStatus::Refunded) if restock => m.0 += line.qty,
                                    _ => {}
                                }
                            }
                        }
                        Err(_) => {
                            prop_assert_eq!(store.order(&number).expect("order").order, before, "a refused step changed the order");
                        }
                    }
                }
                Op::Adjust { sku, delta, reason } => {
                    let sku = SKUS[sku];
                    let (on_hand, reserved) = model[sku];
                    let ok = match reason { AdjustReason::Receipt => delta > 0, AdjustReason::Damage => delta < 0, AdjustReason::Count => delta != 0 }
                        && on_hand + delta >= reserved;
                    let result = store.adjust_stock(&"test".into(), sku, delta, reason, Some("prop"));
                    prop_assert_eq!(result.is_ok(), ok, "adjust {} {} {:?}: {:?}", sku, delta, reason, result.as_ref().err());
                    if ok && let Some(m) = model.get_mut(sku) { m.0 += delta; }
                }
            }
            for sku in SKUS {
                prop_assert_eq!(level(&store, sku), model[sku], "{} differs from the model", sku);
            }
            assert_stock_invariants(&store);
        }
    }
}
