//! Two tills of one store against a real central: one sees the other's orders, and when both
//! refund the same order (one of them offline), central's state decides — the order is refunded
//! once in central's books and stock, the second refund is kept as a discrepancy, and the till
//! that lost is told.

use storedesk_domain::{Channel, OrderEvent, OrderStatus};
use storedesk_store::orders::{OrderAction, Restock};
use storedesk_tests::central::{Backend, TestCentral};
use storedesk_tests::device::Device;

fn refund(device: &Device, number: &str) -> storedesk_store::orders::Order {
    let mut action = OrderAction::new(OrderEvent::Refund, "test");
    action.details.restock = Restock::All;
    device.store.apply(number, action).expect("refund")
}

#[tokio::test]
async fn two_tills_refund_the_same_order_and_central_counts_it_once() {
    let central = TestCentral::start(Backend::Sqlite).await.expect("central");
    let t1 = central.add_store("AA").await;
    let t2 = central.add_till("AA").await.token;
    central.products(&[("TEA", "Tea", 1250)]).await;
    central.receive("AA", "TEA", 20).await;
    let a = Device::connected("AA", &central.url, &t1).await;
    let b = Device::connected("AA", &central.url, &t2).await;
    assert_eq!((a.till(), b.till()), ("T1".to_string(), "T2".to_string()));
    a.sync_until_complete(5).await;
    b.sync_until_complete(5).await;

    // T1 sells 3; T2 sees the order, with its till.
    let sale = a.order(Channel::Counter, &["TEA=3"]).expect("place");
    assert!(sale.number.starts_with("AA-T1-"), "{}", sale.number);
    a.pay(&sale.number);
    a.act(&sale.number, OrderEvent::HandOver).expect("hand over");
    a.sync_until_complete(5).await;
    b.sync_until_complete(5).await;
    let seen = b.store.order(&sale.number).expect("T2 has T1's order").order;
    assert_eq!((seen.status, seen.till.as_deref()), (OrderStatus::Delivered, Some("T1")));
    assert_eq!(b.level("TEA"), (17, 0));

    // Both refund it, restocking: T1 online first, T2 offline (it syncs later).
    refund(&a, &sale.number);
    a.sync_until_complete(5).await;
    refund(&b, &sale.number);
    b.sync_until_complete(5).await;
    a.sync_until_complete(5).await;

    assert_eq!(central.level("AA", "TEA").await, (20, 0), "restocked once at central");
    for device in [&a, &b] {
        assert_eq!(device.level("TEA"), (20, 0), "till {} follows central's stock", device.till());
        assert_eq!(device.store.order(&sale.number).expect("order").order.status, OrderStatus::Refunded);
        assert!(device.store.audit_stock().expect("audit").is_empty());
        let stats = device.store.outbox_stats().expect("stats");
        assert_eq!((stats.pending, stats.dead), (0, 0));
    }
    // The till that lost is told, and the money it handed back is on record.
    let told: Vec<_> = b
        .store
        .attention_items(true)
        .expect("items")
        .into_iter()
        .filter(|i| i.kind == "step_refused")
        .collect();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].message.contains("order_refunded"), "{}", told[0].message);
    assert_eq!(
        b.store.discrepancies().expect("discrepancies"),
        vec![(sale.number.clone(), Some("card".into()), -3750)]
    );
    assert!(a.store.attention_items(true).expect("items").iter().all(|i| i.kind != "step_refused"));
    // Central's books: paid once, refunded once.
    let amounts: Vec<i64> =
        sqlx::query_scalar("SELECT amount_minor FROM payments WHERE order_id = $1 ORDER BY id")
            .bind(sale.id.to_string())
            .fetch_all(central.db.reader())
            .await
            .expect("payments");
    assert_eq!(amounts, vec![3750, -3750]);
    // Both tills' copies of the order carry central's payments: the figures add up alike.
    let paid = |d: &Device| -> i64 {
        d.store.order(&sale.number).expect("order").payments.iter().map(|p| p.amount_minor).sum()
    };
    assert_eq!((paid(&a), paid(&b)), (0, 0));
    central.stop().await;
}
