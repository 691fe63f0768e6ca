//! Every format read back and reconciled with the database: the totals in each file equal sums
//! computed here by separate SQL on the database file.

use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};
use storedesk_domain::line::parse_line;
use storedesk_domain::{Channel, OrderEvent, PaymentMethod};
use storedesk_reports::period::ReportPeriod;
use storedesk_reports::{Control, ExportRequest, Format, Lang, ReportError, ReportKind, export};
use storedesk_store::orders::{NewOrder, OrderAction, PaymentInput, Restock};
use storedesk_store::settings::StoreSetup;
use storedesk_store::{OpenOptions, Store, Synchronous};

struct Fixture {
    dir: tempfile::TempDir,
    store: Store,
    period: ReportPeriod,
}

/// A store with real orders of today (counter sales, shipped, cancelled, refunded) and seeded
/// orders over the last 30 days.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_dir_with(
        &dir.path().join("data"),
        OpenOptions { synchronous: Synchronous::Normal, ..OpenOptions::default() },
    )
    .expect("open");
    store
        .init(StoreSetup {
            code: "RP".into(),
            name: Some("报表店 Report Store".into()),
            currency: "CNY".into(),
            time_zone: Some("Asia/Shanghai".into()),
        })
        .expect("init");
    store
        .import_catalog_csv(&"test".into(), "sku,name,price,stock\nTEA,龙井茶 Longjing tea,128.00,500\nCUP,青瓷茶杯 Celadon cup,45.50,3\nPOT,紫砂壶 Clay teapot,680.00,40\nOOL,凍頂烏龍 李喆 王堃,88.00,10\n".as_bytes(),
            "catalog.csv",
        )
        .expect("catalog");
    let place = |channel, lines: &[&str]| {
        let lines = lines.iter().map(|l| parse_line(l).expect("line")).collect();
        store
            .place_order(NewOrder { channel, lines, customer: Some("王芳".into()), actor: "test".into() })
            .expect("place")
    };
    let pay = |number: &str, method| {
        store.pay(number, PaymentInput { method, amount_minor: None }, "test").expect("pay");
    };
    let act = |number: &str, event| store.apply(number, OrderAction::new(event, "test")).expect("step");
    for i in 0..5 {
        let o = place(Channel::Counter, &["TEA=1", "CUP=1"][..1 + i % 2]);
        pay(&o.number, if i % 2 == 0 { PaymentMethod::Cash } else { PaymentMethod::Card });
        act(&o.number, OrderEvent::HandOver);
    }
    for _ in 0..2 {
        let o = place(Channel::Fulfilment, &["POT=1"]);
        pay(&o.number, PaymentMethod::Card);
        act(&o.number, OrderEvent::ConfirmStock);
        act(&o.number, OrderEvent::Ship);
    }
    let cancelled = place(Channel::Fulfilment, &["TEA=2"]);
    pay(&cancelled.number, PaymentMethod::Other);
    act(&cancelled.number, OrderEvent::Cancel);
    let returned = place(Channel::Counter, &["TEA=3"]);
    pay(&returned.number, PaymentMethod::Cash);
    act(&returned.number, OrderEvent::HandOver);
    let mut refund = OrderAction::new(OrderEvent::Refund, "test");
    refund.details.restock = Restock::All;
    store.apply(&returned.number, refund).expect("refund");
    storedesk_dev::seed::seed_orders(&store, 300, 30).expect("seed");
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").expect("tz")).date();
    let from = today.checked_sub(jiff::Span::new().days(40)).expect("date");
    let period = ReportPeriod::new(from, today).expect("period");
    Fixture { dir, store, period }
}

impl Fixture {
    fn export(&self, kind: ReportKind, format: Format, lang: Lang, bom: bool) -> PathBuf {
        let out = self.dir.path().join(format!("{kind:?}-{lang:?}-{bom}.{}", format.extension()));
        let request = ExportRequest { kind, format, period: self.period, lang, bom, till: None, staff: None };
        export(&self.store, &request, &out, &Control::default()).expect("export");
        out
    }

    fn sql_i64(&self, sql: &str) -> i64 {
        let conn = rusqlite::Connection::open(self.store.path()).expect("open");
        conn.query_row(sql, [], |r| r.get(0)).expect("query")
    }

    /// (paid orders, gross, refunds) in minor units, by separate SQL.
    fn expected_sales(&self) -> (i64, i64, i64) {
        (
            self.sql_i64("SELECT COUNT(*) FROM payments WHERE kind = 'payment'"),
            self.sql_i64("SELECT SUM(amount_minor) FROM payments WHERE kind = 'payment'"),
            self.sql_i64("SELECT -COALESCE(SUM(amount_minor), 0) FROM payments WHERE kind = 'refund'"),
        )
    }
}

fn money(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).expect("read");
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|r| r.expect("valid CSV").iter().map(str::to_string).collect())
        .collect()
}

/// The PDF's text (amounts print with thousands separators; they are removed here).
fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 text").replace(',', "")
}

#[test]
fn the_sales_csv_reconciles_with_the_database() {
    let f = fixture();
    let (paid, gross, refunds) = f.expected_sales();
    for (lang, bom) in [(Lang::En, false), (Lang::ZhCn, true)] {
        let path = f.export(ReportKind::Sales, Format::Csv, lang, bom);
        assert_eq!(std::fs::read(&path).expect("read").starts_with(b"\xEF\xBB\xBF"), bom);
        let rows = read_csv(&path);
        let totals = &rows[1];
        assert_eq!(totals[3], paid.to_string());
        assert_eq!(totals[5], money(gross));
        assert_eq!(totals[6], money(refunds));
        assert_eq!(totals[7], money(gross - refunds));
        let section = |name: &str| rows.iter().filter(move |r| r[0] == name).cloned().collect::<Vec<_>>();
        let texts = storedesk_reports::text::texts(lang);
        let days = section(texts.by_day);
        assert_eq!(days.len(), 41, "every day of the period");
        let cents = |s: &str| -> i64 { (s.parse::<f64>().expect("amount") * 100.0).round() as i64 };
        assert_eq!(
            days.iter().map(|d| cents(&d[7])).sum::<i64>(),
            gross - refunds,
            "the days add up to the net"
        );
        let skus = section(texts.by_sku);
        let sold = f.sql_i64(
            "SELECT SUM(l.qty * l.unit_price_minor) FROM payments p JOIN order_lines l ON l.order_id = p.order_id WHERE p.kind = 'payment'",
        );
        assert_eq!(skus.iter().map(|r| cents(&r[5])).sum::<i64>(), sold);
        assert!(skus.iter().any(|r| r[2] == "龙井茶 Longjing tea"));
        let methods = section(texts.by_method);
        assert_eq!(methods.iter().map(|r| cents(&r[7])).sum::<i64>(), gross - refunds);
        let cancelled = rows.iter().find(|r| r[1] == texts.cancellations).expect("cancellations row");
        assert_eq!(
            cancelled[3],
            f.sql_i64("SELECT COUNT(*) FROM order_timeline WHERE to_status = 'cancelled'").to_string()
        );
    }
    assert_eq!(read_csv(&f.export(ReportKind::Sales, Format::Csv, Lang::ZhCn, false))[0][0], "部分");
}

#[test]
fn the_sales_xlsx_has_typed_cells_and_totals_that_reconcile() {
    let f = fixture();
    let (paid, gross, refunds) = f.expected_sales();
    let path = f.export(ReportKind::Sales, Format::Xlsx, Lang::ZhCn, false);
    let mut book: Xlsx<_> = open_workbook(&path).expect("open xlsx");
    assert_eq!(book.sheet_names(), vec!["合计", "按日", "按商品", "按渠道", "按支付方式"]);
    let totals = book.worksheet_range("合计").expect("totals sheet");
    let value = |label: &str| -> Data {
        totals
            .rows()
            .find(|r| r.first() == Some(&Data::String(label.into())))
            .and_then(|r| r.get(1).cloned())
            .expect(label)
    };
    assert_eq!(value("已付款订单"), Data::Float(paid as f64));
    assert_eq!(value("销售额"), Data::Float(gross as f64 / 100.0));
    assert_eq!(value("净额"), Data::Float((gross - refunds) as f64 / 100.0));
    let days = book.worksheet_range("按日").expect("days sheet");
    let first = days.rows().nth(1).expect("first day");
    assert!(matches!(first[0], Data::DateTime(_)), "dates are date cells: {:?}", first[0]);
    assert!(matches!(first[2], Data::Float(_)), "money is a number: {:?}", first[2]);
    let total_row = days.rows().next_back().expect("totals row");
    assert_eq!(total_row[0], Data::String("合计".into()));
    assert_eq!(
        total_row[4],
        Data::Float((gross - refunds) as f64 / 100.0),
        "the totals row's SUM equals the database"
    );
    let formulas = book.worksheet_formula("按日").expect("formulas");
    assert!(
        formulas.rows().next_back().is_some_and(|r| r.iter().filter(|c| c.starts_with("SUM(")).count() == 4),
        "the totals row holds SUM formulas"
    );
}

#[test]
fn the_sales_pdf_shows_the_totals_and_chinese_names_on_numbered_pages() {
    let f = fixture();
    let (_, gross, refunds) = f.expected_sales();
    for lang in [Lang::En, Lang::ZhCn] {
        let text = pdf_text(&f.export(ReportKind::Sales, Format::Pdf, lang, false));
        assert!(text.contains(&money(gross)), "gross {} missing", money(gross));
        assert!(text.contains(&money(gross - refunds)), "net missing");
        assert!(text.contains("龙井茶 Longjing tea"), "Chinese product name missing");
        assert!(text.contains("报表店 Report Store"));
        let title = if lang == Lang::En { "Sales report" } else { "销售报表" };
        assert!(text.contains(title));
        // pdftotext drops the spaces around the slash at this size.
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let pages = if lang == Lang::En { "Page1/" } else { "页1/" };
        assert!(compact.contains(pages), "pages are numbered");
    }
}

#[test]
fn the_orders_report_streams_every_line_in_csv_and_xlsx() {
    let f = fixture();
    let lines = f.sql_i64("SELECT COUNT(*) FROM order_lines");
    let amount = f.sql_i64("SELECT SUM(qty * unit_price_minor) FROM order_lines");
    let rows = read_csv(&f.export(ReportKind::Orders, Format::Csv, Lang::En, false));
    assert_eq!(rows.len() as i64 - 1, lines);
    let cents = |s: &str| -> i64 { (s.parse::<f64>().expect("amount") * 100.0).round() as i64 };
    assert_eq!(rows.iter().skip(1).map(|r| cents(&r[9])).sum::<i64>(), amount);
    let path = f.export(ReportKind::Orders, Format::Xlsx, Lang::En, false);
    let mut book: Xlsx<_> = open_workbook(&path).expect("open xlsx");
    let sheet = book.worksheet_range("Orders report").expect("sheet");
    assert_eq!(sheet.rows().count() as i64, lines + 2, "header, lines, totals");
    let row = sheet.rows().nth(1).expect("a line");
    assert!(matches!(row[1], Data::DateTime(_)), "created is a date-time cell");
    assert!(matches!(row[7], Data::Float(_)), "quantity is a number");
    assert_eq!(sheet.rows().next_back().expect("totals")[9], Data::Float(amount as f64 / 100.0));
    let pdf = pdf_text(&f.export(ReportKind::Orders, Format::Pdf, Lang::ZhCn, false));
    assert!(pdf.contains("订单报表") && pdf.contains("王芳"));
}

#[test]
fn the_stock_report_values_stock_and_marks_low_rows() {
    let f = fixture();
    let value =
        f.sql_i64("SELECT SUM(s.on_hand * p.price_minor) FROM stock s JOIN products p ON p.sku = s.sku");
    let rows = read_csv(&f.export(ReportKind::Stock, Format::Csv, Lang::En, false));
    let cup = rows.iter().find(|r| r[0] == "CUP").expect("CUP row");
    assert_eq!(cup[7], "LOW", "CUP has fewer than 5 available");
    let tea = rows.iter().find(|r| r[0] == "TEA").expect("TEA row");
    assert_eq!(tea[7], "");
    assert_eq!(rows.last().expect("totals")[6], money(value));
    let mut book: Xlsx<_> =
        open_workbook(f.export(ReportKind::Stock, Format::Xlsx, Lang::En, false)).expect("xlsx");
    let sheet = book.worksheet_range("Stock report").expect("sheet");
    assert_eq!(sheet.rows().next_back().expect("totals")[6], Data::Float(value as f64 / 100.0));
    let pdf_file = f.export(ReportKind::Stock, Format::Pdf, Lang::ZhCn, false);
    let pdf = pdf_text(&pdf_file);
    assert!(pdf.contains("库存报表") && pdf.contains(&money(value)) && pdf.contains("青瓷茶杯"));
    assert!(pdf.contains("凍頂烏龍 李喆 王堃"), "a Traditional name and name characters outside GB 2312");
    // Drawn, not only extracted: 喆 (U+5586) and 堃 (U+5803) live in the app's slices 01 and 02,
    // which typst embeds only when it draws a glyph from them.
    let fonts = Command::new("pdffonts").arg(&pdf_file).output().expect("pdffonts (poppler-utils) runs");
    let fonts = String::from_utf8_lossy(&fonts.stdout);
    for slice in ["StoredeskHanCommon-Regular", "StoredeskHan01-Regular", "StoredeskHan02-Regular"] {
        assert!(fonts.contains(slice), "{slice} is embedded:\n{fonts}");
    }
}

#[test]
fn a_failed_or_cancelled_export_leaves_no_file() {
    let f = fixture();
    let out = f.dir.path().join("reports");
    std::fs::create_dir(&out).expect("mkdir");
    let target = out.join("sales.xlsx");
    let request = ExportRequest {
        kind: ReportKind::Orders,
        format: Format::Xlsx,
        period: f.period,
        lang: Lang::En,
        bom: false,
        till: None,
        staff: None,
    };
    let control = Control::default();
    control.cancel();
    let err = export(&f.store, &request, &target, &control).unwrap_err();
    assert!(matches!(err, ReportError::Cancelled), "{err}");
    assert_eq!(std::fs::read_dir(&out).expect("list").count(), 0, "no partial file is left");

    let missing = f.dir.path().join("no-such-folder").join("sales.csv");
    let err = export(
        &f.store,
        &ExportRequest { format: Format::Csv, ..request.clone() },
        &missing,
        &Control::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o500)).expect("chmod");
        let can_write = std::fs::write(out.join("probe"), b"x").is_ok();
        if !can_write {
            let err = export(
                &f.store,
                &ExportRequest { format: Format::Csv, ..request.clone() },
                &target,
                &Control::default(),
            )
            .unwrap_err();
            assert!(err.to_string().starts_with("cannot write"), "{err}");
        }
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        let _ = std::fs::remove_file(out.join("probe"));
    }
}
