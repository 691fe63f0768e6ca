//! Catalog import and the versioned catalog cache.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use common::*;
use storedesk_store::StoreError;
use storedesk_store::catalog::ProductVersion;

fn import(
    store: &storedesk_store::Store,
    csv: &str,
) -> Result<storedesk_store::catalog::ImportSummary, StoreError> {
    store.import_catalog_csv(&"test".into(), csv.as_bytes(), "prices.csv")
}

#[test]
fn import_adds_updates_and_counts_stock() {
    let (_dir, store) = store();
    let summary = import(
        &store,
        "\u{feff}SKU,Name,Price,Stock\nTEA,Tea 茶,13.00,\nCUP,Cup,3,7\nMUG,Mug 马克杯,8.8,2\n",
    )
    .expect("import");
    assert_eq!((summary.added, summary.updated, summary.unchanged, summary.stock_adjusted), (1, 1, 1, 2));
    let tea = store.product("TEA").expect("tea");
    assert_eq!((tea.price_minor, tea.version), (1300, 2));
    assert_eq!(store.product("MUG").expect("mug").name, "Mug 马克杯");
    assert_eq!(level(&store, "TEA"), (10, 0), "an empty stock cell leaves stock alone");
    assert_eq!(level(&store, "CUP"), (7, 0));
    assert_eq!(level(&store, "MUG"), (2, 0));
    assert_stock_invariants(&store);
}

#[test]
fn a_bad_row_names_file_line_and_column_and_imports_nothing() {
    let (_dir, store) = store();
    let cases = [
        (
            "sku,name,price,stock\nNEW,New,1.00,1\nTEA,Tea,12.505,1\n",
            "prices.csv, line 3, column price: \"12.505\" has more decimals than CNY allows (2)",
        ),
        (
            "sku,name,price,stock\nNEW,New,1.00,1\nBAD,Bad,abc,1\n",
            "prices.csv, line 3, column price: \"abc\" is not an amount (expected digits with an optional decimal point, e.g. 12.50)",
        ),
        (
            "sku,name,price,stock\nNEW,New,1.00,1\nTEA,Tea,1.00\n",
            "prices.csv, line 3, column -: expected 4 fields, found 3",
        ),
        (
            "sku,name,price,stock\nNEW,New,1.00,-1\n",
            "prices.csv, line 2, column stock: \"-1\" is not a whole number of units (0 or more)",
        ),
        (
            "sku,name,price,stock\nNEW,New,1.00,1\nNEW,Again,1.00,1\n",
            "prices.csv, line 3, column sku: SKU NEW appears more than once",
        ),
        (
            "sku,name,stock\nNEW,New,1\n",
            "prices.csv, line 1, column header: the header must name sku, name, price and optionally stock (found: sku,name,stock)",
        ),
        ("sku,name,price,stock\nNEW,,1.00,1\n", "prices.csv, line 2, column name: the name is empty"),
    ];
    for (csv, message) in cases {
        let err = import(&store, csv).unwrap_err();
        assert!(matches!(err, StoreError::Csv { .. }), "{err:?}");
        assert_eq!(err.to_string(), message);
    }
    let bytes = b"sku,name,price,stock\nNEW,New \xff\xfe,1.00,1\n";
    let err = store.import_catalog_csv(&"test".into(), &bytes[..], "latin1.csv").unwrap_err();
    assert_eq!(
        err.to_string(),
        "latin1.csv, line 2, column -: the text is not valid UTF-8 (save the file as UTF-8)"
    );
    assert!(
        matches!(store.product("NEW"), Err(StoreError::UnknownSku(_))),
        "nothing of a failed import is kept"
    );
}

#[test]
fn a_stock_count_below_the_reserved_quantity_rolls_back_the_whole_import() {
    let (_dir, store) = store();
    place(&store, storedesk_domain::Channel::Fulfilment, &["CUP=4"]);
    let err = import(&store, "sku,name,price,stock\nTEA,Tea renamed,12.50,3\nCUP,Cup,3,2\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "prices.csv, line 3, column stock: CUP: the adjustment would leave 2 on hand, below the 4 reserved for orders"
    );
    assert_eq!(store.product("TEA").expect("tea").name, "Tea 茶", "line 2's rename was rolled back");
    assert_eq!(level(&store, "TEA"), (10, 0));
}

#[test]
fn an_older_version_never_replaces_a_newer_one() {
    let (_dir, store) = store();
    let newer =
        ProductVersion { sku: "TEA".into(), name: "Tea".into(), price_minor: 1500, version: 5, active: true };
    assert_eq!(store.apply_product_versions(std::slice::from_ref(&newer)).expect("apply"), 1);
    assert_eq!(store.product("TEA").expect("tea").price_minor, 1500);
    let older = ProductVersion { price_minor: 900, version: 4, ..newer };
    assert_eq!(store.apply_product_versions(&[older]).expect("apply"), 0);
    assert_eq!(store.product("TEA").expect("tea").price_minor, 1500);
    assert_eq!(store.products().expect("list").iter().find(|p| p.sku == "TEA").map(|p| p.version), Some(5));
}

#[test]
fn a_threshold_keeps_the_version_and_never_brings_back_an_older_price() {
    let (_dir, store) = store();
    let before = store.product("TEA").expect("tea");
    store.set_product_threshold("TEA", Some(8)).expect("threshold");
    let after = store.product("TEA").expect("tea");
    assert_eq!(
        (after.version, after.price_minor, after.low_stock_threshold),
        (before.version, before.price_minor, Some(8))
    );
    // A newer version from central keeps the operator's threshold.
    let newer = ProductVersion {
        sku: "TEA".into(),
        name: "Tea".into(),
        price_minor: 1500,
        version: before.version + 1,
        active: true,
    };
    store.apply_product_versions(&[newer]).expect("apply");
    let latest = store.product("TEA").expect("tea");
    assert_eq!((latest.price_minor, latest.low_stock_threshold), (1500, Some(8)));
    // A threshold set afterwards changes the threshold only: the cache still has the new price.
    store.set_product_threshold("TEA", None).expect("threshold");
    let cached = store.product("TEA").expect("tea");
    assert_eq!(
        (cached.version, cached.price_minor, cached.low_stock_threshold),
        (before.version + 1, 1500, None)
    );
    assert_eq!(store.search_catalog("TEA", 5)[0].price_minor, 1500, "the search reads the same cache");
}

/// Readers race a writer that keeps raising the price. Every read that starts after a write has
/// returned must see that write's version (or a newer one), never an older price.
#[test]
fn no_read_after_a_write_sees_the_older_price() {
    let (_dir, store) = store();
    let store = Arc::new(store);
    let written = Arc::new(AtomicI64::new(1));
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let (store, written, done) = (store.clone(), written.clone(), done.clone());
            std::thread::spawn(move || {
                let mut reads = 0_u64;
                while !done.load(Ordering::Acquire) {
                    let floor = written.load(Ordering::Acquire);
                    let product = store.product("TEA").expect("read");
                    assert!(
                        product.version >= floor,
                        "read version {} after version {floor} was written",
                        product.version
                    );
                    if product.version >= 2 {
                        assert_eq!(
                            product.price_minor,
                            product.version * 100,
                            "price and version travel together"
                        );
                    }
                    reads += 1;
                }
                reads
            })
        })
        .collect();
    for version in 2..=300 {
        let update = ProductVersion {
            sku: "TEA".into(),
            name: "Tea".into(),
            price_minor: version * 100,
            version,
            active: true,
        };
        store.apply_product_versions(&[update]).expect("write");
        written.store(version, Ordering::Release);
    }
    done.store(true, Ordering::Release);
    let reads: u64 = readers.into_iter().map(|r| r.join().expect("reader thread")).sum();
    assert!(reads > 300, "the readers ran alongside the writer ({reads} reads)");
    assert_eq!(store.product("TEA").expect("tea").version, 300);
}

#[test]
fn barcodes_come_with_the_catalog_are_checked_and_sell_as_their_product() {
    let (_dir, store) = store();
    import(&store, "sku,name,price,barcodes\nTEA,Tea,13.00,4006381333931|tea-box\nCUP,Cup,3,96385074\n")
        .expect("import");
    assert_eq!(store.barcodes_of("TEA").expect("codes"), vec!["4006381333931", "TEA-BOX"]);
    assert_eq!(store.sku_for_barcode(" 96385074 ").expect("lookup").as_deref(), Some("CUP"));
    assert_eq!(store.sku_for_barcode("0000").expect("lookup"), None);

    // A scanned code is its product; the same product scanned and typed is one line.
    let order =
        place(&store, storedesk_domain::Channel::Counter, &["4006381333931=1", "TEA=2", "96385074=1"]);
    let got: Vec<(String, i64)> = order.lines.iter().map(|l| (l.sku.to_string(), l.qty)).collect();
    assert_eq!(got, vec![("TEA".to_string(), 3), ("CUP".to_string(), 1)]);

    // A wrong check digit names the file, line and column; nothing is imported.
    let err =
        import(&store, "sku,name,price,barcodes\nVASE,Vase,9,4006381333932\n").expect_err("check digit");
    assert_eq!(
        err.to_string(),
        "prices.csv, line 2, column barcodes: barcode \"4006381333932\": the check digit should be 1 for an EAN-13"
    );
    assert!(store.product("VASE").is_err());
    // A code another product carries is refused, the whole file with it.
    let err = import(&store, "sku,name,price,barcodes\nVASE,Vase,9,96385074\n").expect_err("taken");
    assert!(err.to_string().contains("96385074 is already CUP's"), "{err}");
    assert!(store.product("VASE").is_err());
    // A file without the column leaves the barcodes as they are; an empty cell clears them.
    import(&store, "sku,name,price\nTEA,Tea,14.00\n").expect("import");
    assert_eq!(store.barcodes_of("TEA").expect("codes").len(), 2);
    import(&store, "sku,name,price,barcodes\nTEA,Tea,14.00,\n").expect("import");
    assert!(store.barcodes_of("TEA").expect("codes").is_empty());
}
