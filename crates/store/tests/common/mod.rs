//! Shared set-up for the store's integration tests.
#![allow(dead_code)]

use storedesk_domain::line::parse_line;
use storedesk_domain::{Channel, Qty, Sku};
use storedesk_store::orders::{NewOrder, Order};
use storedesk_store::settings::StoreSetup;
use storedesk_store::{OpenOptions, Store};
use tempfile::TempDir;

/// A fresh store `T1` (CNY, UTC) with three products: TEA 12.50 x 10, CUP 3.00 x 5, POT 99.99 x 1.
pub fn store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_dir_with(dir.path(), OpenOptions::default()).expect("open");
    store
        .init(StoreSetup {
            code: "T1".into(),
            name: None,
            currency: "CNY".into(),
            time_zone: Some("UTC".into()),
        })
        .expect("init");
    store
        .import_catalog_csv(
            "sku,name,price,stock\nTEA,Tea 茶,12.50,10\nCUP,Cup,3,5\nPOT,Pot,99.99,1\n".as_bytes(),
            "seed.csv",
        )
        .expect("seed catalog");
    (dir, store)
}

pub fn lines(spec: &[&str]) -> Vec<(Sku, Qty)> {
    spec.iter().map(|l| parse_line(l).expect("line")).collect()
}

pub fn place(store: &Store, channel: Channel, spec: &[&str]) -> Order {
    store
        .place_order(NewOrder { channel, lines: lines(spec), customer: None, actor: "test".into() })
        .expect("place order")
}

/// (on_hand, reserved) of a SKU.
pub fn level(store: &Store, sku: &str) -> (i64, i64) {
    let row = store.stock_level(sku).expect("stock level");
    (row.on_hand, row.reserved)
}

/// Checks the stock invariants against the database file itself: reserved >= 0, reserved <=
/// on_hand, stock equals the ledger's sums, and every ledger row names an order or a reason.
pub fn assert_stock_invariants(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).expect("open db");
    let bad: Vec<(String, i64, i64, i64, i64)> = conn
        .prepare(
            "SELECT s.sku, s.on_hand, s.reserved, COALESCE(SUM(l.delta_on_hand), 0), COALESCE(SUM(l.delta_reserved), 0)
             FROM stock s LEFT JOIN stock_ledger l ON l.sku = s.sku GROUP BY s.sku
             HAVING s.reserved < 0 OR s.reserved > s.on_hand
                 OR s.on_hand <> COALESCE(SUM(l.delta_on_hand), 0) OR s.reserved <> COALESCE(SUM(l.delta_reserved), 0)",
        )
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert!(
        bad.is_empty(),
        "stock rows break the invariants (sku, on_hand, reserved, ledger on_hand, ledger reserved): {bad:?}"
    );
    let orphans: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM stock_ledger l LEFT JOIN orders o ON o.id = l.order_id
             WHERE l.reason IS NULL OR (l.order_id IS NOT NULL AND o.id IS NULL)
                OR (l.order_id IS NULL AND l.reason NOT IN ('receipt', 'count', 'damage', 'sync'))",
            [],
            |r| r.get(0),
        )
        .expect("orphans");
    assert_eq!(orphans, 0, "ledger rows without an order or a reason");
}

/// Counts rows of a table in the database file.
pub fn count(path: &std::path::Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(path).expect("open db");
    conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).expect("count")
}
