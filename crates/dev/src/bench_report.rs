//! `storedesk-dev bench report`: rows per second and peak memory of each export over N synthetic
//! orders, each export run by the `storedesk` command (next to this one) in its own process, next
//! to the baseline measured in the same run: the orders report's own read of every line.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use serde::Serialize;
use storedesk_reports::period::ReportPeriod;
use storedesk_store::settings::StoreSetup;
use storedesk_store::staff::{NewStaff, parse_code, parse_pin};
use storedesk_store::{OpenOptions, Store, Synchronous};

/// The store's manager (code, PIN) the exports sign in as.
const MANAGER: (&str, &str) = ("BENCH", "2468");

/// What `storedesk report` prints its peak memory under when this is set.
const PRINT_PEAK: &str = "STOREDESK_PRINT_PEAK_RSS";

#[derive(Debug, Serialize)]
struct FormatFigures {
    report: &'static str,
    format: &'static str,
    /// What the export read: order lines for the orders report, orders for the sales report.
    input_rows: u64,
    /// Rows the file holds.
    rows_written: u64,
    seconds: f64,
    /// Input rows per second.
    rows_per_s: f64,
    peak_rss_mb: f64,
    bytes: u64,
}

#[derive(Debug, Serialize)]
struct ReportBench {
    orders: usize,
    order_lines: u64,
    /// The baseline: every order line read the way the orders report reads them, nothing written.
    baseline_read_rows_per_s: f64,
    runs: Vec<FormatFigures>,
}

/// Order lines per second through the report's own streaming read, formatting and writing nothing.
fn read_baseline(data: &Path, from: &str, to: &str) -> anyhow::Result<f64> {
    let store = Store::open_dir(data)?;
    let snapshot = store.read_snapshot()?;
    let period = ReportPeriod::parse(from, to)?.in_zone(&snapshot.settings().tz())?;
    let started = Instant::now();
    let mut lines = 0_u64;
    snapshot.order_lines::<anyhow::Error>(period, |_| {
        lines += 1;
        Ok(())
    })?;
    Ok(lines as f64 / started.elapsed().as_secs_f64())
}

pub fn bench(orders: usize, json: bool) -> anyhow::Result<()> {
    if orders == 0 {
        bail!("--orders must be at least 1");
    }
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    prepare_store(&data, orders)?;
    let today = jiff::Zoned::now().date();
    let from = today.checked_sub(jiff::Span::new().days(31)).context("date")?.to_string();
    let to = today.tomorrow().context("date")?.to_string();
    let baseline = read_baseline(&data, &from, &to)?;
    let mut runs = Vec::new();
    let mut order_lines = 0;
    // The orders report streams every line; a PDF of a million orders is not a printable
    // document, so the PDF run is the sales report over the same orders.
    for (report, format) in [("orders", "csv"), ("orders", "xlsx"), ("sales", "pdf"), ("sales", "xlsx")] {
        let out = dir.path().join(format!("{report}.{format}"));
        let (rows, seconds, peak_kb) = export(&data, report, format, (&from, &to), &out)?;
        if (report, format) == ("orders", "csv") {
            order_lines = rows.saturating_sub(1);
        }
        let input_rows = if report == "orders" { order_lines } else { orders as u64 };
        runs.push(FormatFigures {
            report,
            format,
            input_rows,
            rows_written: rows,
            seconds,
            rows_per_s: input_rows as f64 / seconds,
            peak_rss_mb: peak_kb / 1024.0,
            bytes: std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0),
        });
    }
    let bench = ReportBench { orders, order_lines, baseline_read_rows_per_s: baseline, runs };
    if json {
        println!("{}", serde_json::to_string_pretty(&bench)?);
    } else {
        print!("{bench}");
    }
    Ok(())
}

/// A store with 500 products and `orders` synthetic orders over 30 days.
fn prepare_store(data: &Path, orders: usize) -> anyhow::Result<()> {
    let store = Store::open_dir_with(
        data,
        OpenOptions { synchronous: Synchronous::Normal, ..OpenOptions::default() },
    )?;
    store.init(StoreSetup {
        code: "BENCH".into(),
        name: Some("Bench store 基准".into()),
        currency: "CNY".into(),
        time_zone: Some("Asia/Shanghai".into()),
    })?;
    let mut csv = String::from("sku,name,price,stock\n");
    for i in 0..500 {
        csv.push_str(&format!("SKU-{i:04},商品 {i} Product,{}.{:02},1000\n", 5 + i % 300, i % 100));
    }
    store.import_catalog_csv(&"bench".into(), csv.as_bytes(), "bench")?;
    // The manager the exports run as (a report is a manager's).
    let manager = NewStaff {
        code: parse_code(MANAGER.0)?,
        name: "Bench manager".into(),
        role: storedesk_domain::Role::Manager,
        pin: parse_pin(MANAGER.1)?,
    };
    store.add_staff(None, manager)?;
    let seeding = Instant::now();
    storedesk_dev::seed::seed_orders(&store, orders, 30)?;
    eprintln!("seeded {orders} orders in {:.1} s", seeding.elapsed().as_secs_f64());
    Ok(())
}

/// One export by `storedesk report` (the shop's own command, built next to this one) in its own
/// process: the rows it wrote, the seconds it took and its peak resident memory in kB.
fn export(
    data: &Path,
    report: &str,
    format: &str,
    (from, to): (&str, &str),
    out: &Path,
) -> anyhow::Result<(u64, f64, f64)> {
    let exe = std::env::current_exe()?.with_file_name(format!("storedesk{}", std::env::consts::EXE_SUFFIX));
    let started = Instant::now();
    let result = Command::new(&exe)
        .args(["--data-dir"])
        .arg(data)
        .args(["report", report, "--from", from, "--to", to, "--format", format, "--out"])
        .arg(out)
        .env(PRINT_PEAK, "1")
        .env("STOREDESK_STAFF", MANAGER.0)
        .env("STOREDESK_PIN", MANAGER.1)
        .output()
        .with_context(|| format!("cannot run {}", exe.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&result.stderr);
    if !result.status.success() {
        bail!("the {report} {format} export failed: {stderr}");
    }
    let rows: u64 = stderr
        .split(" rows")
        .next()
        .and_then(|s| s.rsplit('(').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    let peak_kb: f64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak_rss_kb "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0);
    Ok((rows, seconds, peak_kb))
}

impl std::fmt::Display for ReportBench {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "report benchmark: {} orders ({} order lines), each export in its own process; input rows are order lines for the orders report, orders for the sales report",
            self.orders, self.order_lines
        )?;
        writeln!(
            f,
            "baseline: the orders report's read of every line alone, nothing written: {:.0} lines/s",
            self.baseline_read_rows_per_s
        )?;
        writeln!(
            f,
            "{:<8} {:<6} {:>12} {:>9} {:>12} {:>14} {:>12} {:>18}",
            "report",
            "format",
            "input rows",
            "seconds",
            "rows/s",
            "peak RSS (MB)",
            "file (MB)",
            "vs read baseline"
        )?;
        for r in &self.runs {
            let ratio = if r.report == "orders" {
                format!("{:.2}", r.rows_per_s / self.baseline_read_rows_per_s)
            } else {
                "-".to_string()
            };
            writeln!(
                f,
                "{:<8} {:<6} {:>12} {:>9.2} {:>12.0} {:>14.1} {:>12.1} {:>18}",
                r.report,
                r.format,
                r.input_rows,
                r.seconds,
                r.rows_per_s,
                r.peak_rss_mb,
                r.bytes as f64 / 1e6,
                ratio
            )?;
        }
        Ok(())
    }
}
