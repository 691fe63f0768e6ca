//! `storedesk-dev`, run as a command: demo history lands in a device's store, and the saga
//! benchmark prints its figures next to the baseline it measured.

use std::process::Command;

use storedesk_store::Store;
use storedesk_store::settings::StoreSetup;
use storedesk_store::views::OrderQuery;

fn dev(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_storedesk-dev")).args(args).output().expect("storedesk-dev runs")
}

#[test]
fn demo_history_adds_past_orders_to_a_device_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let store = Store::open_dir(dir.path()).expect("open");
        store
            .init(StoreSetup {
                code: "SH01".into(),
                name: None,
                currency: "CNY".into(),
                time_zone: Some("UTC".into()),
            })
            .expect("init");
        store
            .import_catalog_csv(&"test".into(), "sku,name,price\nTEA,Tea,12.50\n".as_bytes(), "c.csv")
            .expect("catalog");
    }
    let path = dir.path().to_string_lossy().to_string();
    let out = dev(&["demo", "history", "--data-dir", &path, "--orders", "40", "--days", "5"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let store = Store::open_dir(dir.path()).expect("reopen");
    let page = store.order_page(&OrderQuery::default(), 0, 100).expect("page");
    assert_eq!(page.total, 40);
    assert!(page.rows.iter().all(|o| o.number.starts_with("SH01-S")));

    let empty = tempfile::tempdir().expect("tempdir");
    let out = dev(&["demo", "history", "--data-dir", &empty.path().to_string_lossy()]);
    assert!(!out.status.success(), "a store that is not set up is refused");
}

#[test]
fn the_saga_benchmark_prints_the_baseline_it_measured() {
    let out = dev(&["bench", "saga", "--orders", "30", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let runs = report["runs"].as_array().expect("runs");
    assert_eq!(
        runs.iter().map(|r| r["synchronous"].as_str()).collect::<Vec<_>>(),
        vec![Some("FULL"), Some("NORMAL")]
    );
    for run in runs {
        let (raw, saga, ratio) =
            (run["raw_tx_per_s"].as_f64(), run["saga_orders_per_s"].as_f64(), run["ratio"].as_f64());
        let (raw, saga, ratio) = (raw.expect("raw"), saga.expect("saga"), ratio.expect("ratio"));
        assert!(raw > 0.0 && saga > 0.0);
        assert!((ratio - saga / raw).abs() < 1e-9, "the ratio is against the baseline of the same run");
    }
    assert!(!dev(&["bench", "saga", "--orders", "0"]).status.success());
}
