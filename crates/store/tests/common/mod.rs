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
            &"test".into(),
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

/// Asserts the stock invariants hold (see `Store::audit_stock`).
pub fn assert_stock_invariants(store: &Store) {
    let problems = store.audit_stock().expect("audit");
    assert!(problems.is_empty(), "stock invariants broken: {problems:?}");
}

/// Counts rows of a table in the database file.
pub fn count(path: &std::path::Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(path).expect("open db");
    conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).expect("count")
}
