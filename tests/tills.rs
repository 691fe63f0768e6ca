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

/// Today's sales report as CSV, from `device` (narrowed to `till` when given).
fn sales_csv(device: &Device, till: Option<&str>) -> String {
    report_csv(device, storedesk_reports::ReportKind::Sales, till)
}

fn report_csv(device: &Device, kind: storedesk_reports::ReportKind, till: Option<&str>) -> String {
    use storedesk_reports::{Control, ExportRequest, Format, Lang, period::ReportPeriod};
    let today = jiff::Timestamp::now().to_zoned(device.store.settings().expect("settings").tz()).date();
    let request = ExportRequest {
        kind,
        format: Format::Csv,
        period: ReportPeriod::new(today, today).expect("period"),
        lang: Lang::En,
        bom: false,
        till: till.map(str::to_string),
        staff: None,
    };
    let out = device.dir.path().join(format!("{kind:?}-{}.csv", till.unwrap_or("all")));
    storedesk_reports::export(&device.store, &request, &out, &Control::default()).expect("export");
    std::fs::read_to_string(out).expect("read")
}

#[tokio::test]
async fn every_till_shows_the_same_store_and_narrows_it_to_one_till() {
    let central = TestCentral::start(Backend::Sqlite).await.expect("central");
    let t1 = central.add_store("AA").await;
    let t2 = central.add_till("AA").await.token;
    central.products(&[("TEA", "Tea", 1250), ("CUP", "Cup", 300)]).await;
    central.receive("AA", "TEA", 20).await;
    central.receive("AA", "CUP", 20).await;
    let a = Device::connected("AA", &central.url, &t1).await;
    let b = Device::connected("AA", &central.url, &t2).await;
    a.sync_until_complete(5).await;
    b.sync_until_complete(5).await;

    // T1 sells two orders, T2 one.
    for lines in [&["TEA=2"][..], &["CUP=1"][..]] {
        let sale = a.order(Channel::Counter, lines).expect("place");
        a.pay(&sale.number);
        a.act(&sale.number, OrderEvent::HandOver).expect("hand over");
    }
    let sale = b.order(Channel::Counter, &["TEA=1", "CUP=3"]).expect("place");
    b.pay(&sale.number);
    b.act(&sale.number, OrderEvent::HandOver).expect("hand over");
    for _ in 0..2 {
        a.sync_until_complete(5).await;
        b.sync_until_complete(5).await;
    }

    for device in [&a, &b] {
        assert_figures(device, &sale.number);
    }
    // T2's copy of T1's order is central's (its timeline says so); its own sale is its own.
    let theirs = b
        .store
        .orders(&storedesk_store::orders::OrderFilter { till: Some("T1".into()), ..Default::default() });
    let theirs = b.store.order(&theirs.expect("orders")[0].number).expect("detail");
    assert!(theirs.timeline.iter().all(|e| e.from_central && e.reason.is_none()), "{:?}", theirs.timeline);
    assert!(b.store.order(&sale.number).expect("detail").timeline.iter().all(|e| !e.from_central));
    assert_reports_agree(&a, &b);
    central.stop().await;
}

/// One device's figures of the store (T1 sold 28.00 in two orders, T2 21.50 in one): the whole
/// store's, and each till's.
fn assert_figures(device: &Device, t2_sale: &str) {
    assert_eq!(device.store.tills().expect("tills"), vec!["T1", "T2"], "till {}", device.till());
    let store = device.store.dashboard(None).expect("dashboard");
    assert_eq!((store.orders_today, store.revenue_today_minor), (3, 2500 + 300 + 1250 + 900));
    let one = device.store.dashboard(Some("t1")).expect("dashboard");
    assert_eq!((one.till.as_deref(), one.orders_today, one.revenue_today_minor), (Some("T1"), 2, 2800));
    let two = device.store.dashboard(Some("T2")).expect("dashboard");
    assert_eq!((two.orders_today, two.revenue_today_minor), (1, 2150));
    // Stock is the store's, narrowed or not.
    assert_eq!(one.stock, store.stock);
    let listed = |till: &str| {
        let filter = storedesk_store::orders::OrderFilter { till: Some(till.into()), ..Default::default() };
        device.store.orders(&filter).expect("orders").into_iter().map(|o| o.number).collect::<Vec<_>>()
    };
    assert_eq!(listed("T2"), vec![t2_sale.to_string()]);
    assert!(listed("T1").iter().all(|n| n.starts_with("AA-T1-")) && listed("T1").len() == 2);
}

/// The same report, whichever till prints it; a till's report holds only its figures.
fn assert_reports_agree(a: &Device, b: &Device) {
    for till in [None, Some("T1"), Some("T2")] {
        assert_eq!(sales_csv(a, till), sales_csv(b, till), "the {till:?} sales report differs between tills");
    }
    let store_report = sales_csv(a, None);
    let t2_report = sales_csv(a, Some("T2"));
    assert!(
        store_report.contains("49.50") && !t2_report.contains("49.50"),
        "{store_report}\n---\n{t2_report}"
    );
    assert!(t2_report.contains("21.50"), "{t2_report}");
    // The orders report names each order's till; narrowed, it holds that till's lines only.
    let orders = report_csv(b, storedesk_reports::ReportKind::Orders, Some("T2"));
    let tills: Vec<&str> = orders.lines().skip(1).filter_map(|l| l.rsplit(',').next()).collect();
    assert_eq!(tills, vec!["T2", "T2"], "{orders}");
    let all = report_csv(b, storedesk_reports::ReportKind::Orders, None);
    assert_eq!(all.lines().skip(1).filter(|l| l.ends_with(",T1")).count(), 2, "{all}");
}
