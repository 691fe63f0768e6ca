//! The `storedesk` binary as scripts use it: JSON shapes, and one clear error line with a non-zero
//! exit for every kind of bad input, with nothing half-written.

mod common;

use std::process::Command;

use common::{Cli, MANAGER, count};

#[test]
fn a_session_from_init_to_hand_over_prints_the_documented_json() {
    let cli = Cli::new();
    cli.set_up();
    let order = cli.json(&[
        "order",
        "create",
        "--channel",
        "counter",
        "--line",
        "TEA=2",
        "--line",
        "CUP=1",
        "--customer",
        "Li",
        "--json",
    ]);
    for field in ["id", "number", "channel", "status", "total_minor", "currency", "lines"] {
        assert!(order.get(field).is_some(), "order JSON lacks {field}: {order}");
    }
    assert_eq!(order["status"], "created");
    assert_eq!(order["channel"], "counter");
    assert_eq!(order["total_minor"], "2800", "money travels as a string");
    assert_eq!(order["currency"], "CNY");
    assert_eq!(order["lines"][0]["sku"], "TEA");
    assert_eq!(order["lines"][0]["qty"], 2);
    assert_eq!(order["lines"][0]["unit_price_minor"], "1250");
    let number = order["number"].as_str().expect("number").to_string();
    assert!(number.starts_with("T1-") && number.ends_with("-0001"), "{number}");

    cli.ok(&["order", "pay", &number, "--method", "cash", "--amount", "28.00"]);
    let done = cli.json(&["order", "hand-over", &number, "--json"]);
    assert_eq!(done["status"], "delivered");

    let stock = cli.json(&["stock", "list", "--json"]);
    let tea = stock.as_array().expect("array").iter().find(|r| r["sku"] == "TEA").expect("TEA row").clone();
    assert_eq!(
        (tea["on_hand"].as_i64(), tea["reserved"].as_i64(), tea["available"].as_i64()),
        (Some(8), Some(0), Some(8))
    );

    let shown = cli.json(&["order", "show", &number, "--json"]);
    assert_eq!(shown["timeline"].as_array().map(Vec::len), Some(3));
    assert_eq!(shown["payments"][0]["amount_minor"], "2800");
    let listed = cli.json(&["order", "list", "--status", "delivered", "--json"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    let outbox = cli.json(&["outbox", "list", "--status", "pending", "--json"]);
    assert!(outbox.as_array().expect("array").iter().any(|e| e["kind"] == "counter_sale"));
    let products = cli.json(&["catalog", "list", "--json"]);
    assert_eq!(products[1]["name"], "龙井茶 Longjing");
    assert!(cli.ok(&["stock", "list"]).contains("龙井茶 Longjing"));
}

#[test]
fn bad_order_input_is_one_clear_line_and_writes_nothing() {
    let cli = Cli::new();
    cli.set_up();
    let before = count(&cli.db(), "orders");
    let cases: &[(&[&str], &str)] = &[
        (&["--line", "NOPE=1"], "unknown SKU \"NOPE\""),
        (&["--line", "TEA=0"], "quantity \"0\" is invalid (a whole number from 1 to 1000000)"),
        (&["--line", "TEA=-1"], "quantity \"-1\" is invalid (a whole number from 1 to 1000000)"),
        (&["--line", "TEA=two"], "quantity \"two\" is invalid (a whole number from 1 to 1000000)"),
        (&["--line", "TEA"], "line \"TEA\" is not SKU=QTY"),
        (&["--line", "CUP=1", "--line", "TEA=11"], "TEA: not enough stock: 11 requested, 10 available"),
    ];
    for (lines, message) in cases {
        let mut args = vec!["order", "create", "--channel", "fulfilment"];
        args.extend_from_slice(lines);
        assert_eq!(cli.fails(&args), *message);
    }
    assert_eq!(count(&cli.db(), "orders"), before);
    assert_eq!(count(&cli.db(), "stock_ledger"), 2, "only the import's stock counts");
}

#[test]
fn bad_steps_and_unknown_orders_are_refused() {
    let cli = Cli::new();
    cli.set_up();
    let order = cli.json(&["order", "create", "--channel", "fulfilment", "--line", "TEA=1", "--json"]);
    let number = order["number"].as_str().expect("number");
    assert_eq!(
        cli.fails(&["order", "ship", number]),
        format!("order {number}: cannot ship an order that is created")
    );
    assert_eq!(
        cli.fails(&["order", "pay", number, "--method", "card", "--amount", "12.505"]),
        "\"12.505\" has more decimals than CNY allows (2)"
    );
    assert_eq!(
        cli.fails(&["order", "pay", number, "--method", "card", "--amount", "10"]),
        "payment of 10.00 CNY does not match the order total 12.50 CNY"
    );
    assert_eq!(cli.fails(&["order", "show", "T1-19990101-0001"]), "unknown order \"T1-19990101-0001\"");
    assert_eq!(
        cli.fails(&["order", "cancel", "0190f5c2-0000-7000-8000-000000000000"]),
        "unknown order \"0190f5c2-0000-7000-8000-000000000000\""
    );
    assert_eq!(
        cli.fails(&["order", "list", "--status", "done"]).split(" (").next(),
        Some("unknown order status \"done\"")
    );
    assert_eq!(
        cli.fails(&["stock", "adjust", "TEA", "-10", "--reason", "damage"]),
        "TEA: the adjustment would leave 0 on hand, below the 1 reserved for orders"
    );
    let shown = cli.json(&["order", "show", number, "--json"]);
    assert_eq!(shown["status"], "created");
    assert_eq!(shown["payments"].as_array().map(Vec::len), Some(0));
}

#[test]
fn a_malformed_csv_names_file_line_and_column_and_imports_nothing() {
    let cli = Cli::new();
    cli.set_up();
    let csv = cli.file("bad.csv", b"sku,name,price,stock\nNEW,New,1.00,3\nTEA,Tea,1.999,1\n");
    let message = cli.fails(&["catalog", "import", csv.to_str().expect("path")]);
    assert_eq!(
        message,
        format!("{}, line 3, column price: \"1.999\" has more decimals than CNY allows (2)", csv.display())
    );
    let products = cli.json(&["catalog", "list", "--json"]);
    assert_eq!(products.as_array().map(Vec::len), Some(2), "NEW from line 2 was rolled back");
    let missing = cli.dir.path().join("missing.csv");
    assert!(cli.fails(&["catalog", "import", missing.to_str().expect("path")]).starts_with("cannot open"));
}

#[test]
fn commands_before_init_say_how_to_set_up() {
    let cli = Cli::new();
    assert_eq!(
        cli.fails(&["order", "create", "--channel", "counter", "--line", "TEA=1"]),
        "the store is not set up yet: run `storedesk init --store CODE` first"
    );
    cli.set_up();
    assert_eq!(
        cli.fails(&["init", "--store", "T2", MANAGER[0], MANAGER[1], MANAGER[2], MANAGER[3]]),
        "the store is already set up as T1"
    );
    let other = Cli::new();
    assert_eq!(
        other.fails(&["init", "--store", "X", MANAGER[0], MANAGER[1], MANAGER[2], MANAGER[3]]),
        "store code \"X\" is invalid (2 to 12 letters A-Z or digits)"
    );
    assert!(
        other
            .fails(&[
                "init",
                "--store",
                "AB",
                "--currency",
                "ZZZ",
                MANAGER[0],
                MANAGER[1],
                MANAGER[2],
                MANAGER[3]
            ])
            .starts_with("unknown currency code \"ZZZ\"")
    );
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let cli = Cli::new();
    cli.set_up();
    let conn = rusqlite::Connection::open(cli.db()).expect("open");
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
    conn.pragma_update(None, "user_version", version + 5).expect("bump");
    drop(conn);
    let message = cli.fails(&["stock", "list"]);
    assert!(message.contains("written by a newer Storedesk"), "{message}");
    assert!(message.contains("upgrade Storedesk"), "{message}");
}

#[test]
fn a_locked_database_is_reported_and_the_order_is_not_half_written() {
    let cli = Cli::new();
    cli.set_up();
    let conn = rusqlite::Connection::open(cli.db()).expect("open");
    conn.execute_batch("BEGIN EXCLUSIVE").expect("lock");
    let message = cli.fails(&["order", "create", "--channel", "counter", "--line", "TEA=1"]);
    assert!(
        message.contains("the database is busy: another program holds it locked; close it and try again")
            && message.contains("database is locked")
            && !message.contains('\n'),
        "{message}"
    );
    conn.execute_batch("COMMIT").expect("unlock");
    drop(conn);
    assert_eq!(count(&cli.db(), "orders"), 0);
}

#[test]
fn a_corrupt_database_file_is_reported() {
    let cli = Cli::new();
    std::fs::create_dir_all(cli.data()).expect("mkdir");
    std::fs::write(cli.db(), vec![0x5a; 16384]).expect("garbage");
    let message = cli.fails(&["stock", "list"]);
    assert!(message.contains("is damaged or is not a Storedesk database"), "{message}");
    assert!(message.contains("storedesk.db"), "{message}");
}

#[test]
fn the_data_dir_comes_from_the_environment_when_not_given() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_storedesk"))
        .args(["init", "--store", "ENV1", MANAGER[0], MANAGER[1], MANAGER[2], MANAGER[3]])
        .env("STOREDESK_DATA_DIR", dir.path())
        .env("STOREDESK_PIN", "2468")
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("storedesk.db").exists());
}

/// `report KIND --from FROM [--to TO] --format FORMAT --out OUT [more...]` as arguments.
fn report_args<'a>(
    kind: &'a str,
    from: &'a str,
    to: Option<&'a str>,
    format: &'a str,
    out: &'a str,
    more: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec!["report", kind, "--from", from];
    if let Some(to) = to {
        args.extend(["--to", to]);
    }
    args.extend(["--format", format, "--out", out]);
    args.extend_from_slice(more);
    args
}

#[test]
fn report_input_errors_are_one_line_and_write_nothing() {
    let cli = Cli::new();
    cli.set_up();
    let out = cli.dir.path().join("r.csv");
    let out = out.to_str().expect("path");
    let sales =
        |from, to, more: &[&'static str]| cli.fails(&report_args("sales", from, Some(to), "csv", out, more));
    assert_eq!(sales("2026-12-01", "2026-11-01", &[]), "--from 2026-12-01 is after --to 2026-11-01");
    assert_eq!(
        sales("2026-02-30", "2026-03-01", &[]),
        "--from \"2026-02-30\" is not a date (expected YYYY-MM-DD, e.g. 2026-11-27)"
    );
    assert!(
        cli.fails(&report_args("orders", "2026-11-01", None, "csv", out, &[])).contains("--from and --to")
    );
    assert!(sales("2026-11-01", "2026-11-02", &["--lang", "fr"]).contains("unknown language"));
    let nowhere = cli.dir.path().join("missing").join("r.csv");
    let nowhere = nowhere.to_str().expect("path");
    let message = cli.fails(&report_args("sales", "2026-11-01", Some("2026-11-02"), "csv", nowhere, &[]));
    assert!(message.contains("does not exist"), "{message}");
    // An unknown format is refused by the argument parser, with a usage error.
    let bad = cli.run(&report_args("sales", "2026-11-01", Some("2026-11-02"), "docx", out, &[]));
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("invalid value 'docx'"));
    assert!(!std::path::Path::new(out).exists());
    let leftovers: Vec<_> = std::fs::read_dir(cli.dir.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty());
    cli.ok(&["report", "stock", "--format", "csv", "--out", out]);
    assert!(std::fs::read_to_string(out).expect("report").starts_with("SKU,Name,On hand"));
}
