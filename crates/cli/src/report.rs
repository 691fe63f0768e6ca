//! `storedesk report ...`.

use std::path::Path;
use std::time::Instant;

use anyhow::bail;
use storedesk_reports::period::ReportPeriod;
use storedesk_reports::{Control, ExportRequest, Format, Lang, ReportKind, export as run_export};
use storedesk_store::Store;

use crate::args::{FormatArg, ReportKindArg};

/// Set by `storedesk-dev bench report` for the child it measures: print the peak resident memory
/// at the end.
const PRINT_PEAK: &str = "STOREDESK_PRINT_PEAK_RSS";

#[allow(clippy::too_many_arguments)]
pub fn export(
    store: &Store,
    kind: ReportKindArg,
    from: Option<String>,
    to: Option<String>,
    format: FormatArg,
    out: &Path,
    lang: &str,
    bom: bool,
    (till, staff): (Option<String>, Option<String>),
) -> anyhow::Result<()> {
    let kind = match kind {
        ReportKindArg::Sales => ReportKind::Sales,
        ReportKindArg::Stock => ReportKind::Stock,
        ReportKindArg::Orders => ReportKind::Orders,
    };
    let format = match format {
        FormatArg::Csv => Format::Csv,
        FormatArg::Xlsx => Format::Xlsx,
        FormatArg::Pdf => Format::Pdf,
    };
    let today = jiff::Timestamp::now().to_zoned(store.settings()?.tz()).date().to_string();
    let (from, to) = match (from, to) {
        (Some(from), Some(to)) => (from, to),
        (None, None) if kind == ReportKind::Stock => (today.clone(), today),
        _ => bail!("--from and --to are both needed (YYYY-MM-DD)"),
    };
    let period = ReportPeriod::parse(&from, &to)?;
    let request = ExportRequest { kind, format, period, lang: Lang::parse(lang)?, bom, till, staff };
    let started = Instant::now();
    let summary = run_export(store, &request, out, &Control::default())?;
    eprintln!(
        "wrote {} ({} rows, {} bytes) in {:.2} s",
        summary.path.display(),
        summary.rows,
        summary.bytes,
        started.elapsed().as_secs_f64()
    );
    if std::env::var_os(PRINT_PEAK).is_some() {
        eprintln!("peak_rss_kb {}", peak_rss_kb().unwrap_or(0));
    }
    Ok(())
}

/// The process's peak resident memory (Linux: `VmHWM`).
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
