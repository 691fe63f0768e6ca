//! Reports: sales, stock and orders for a date range in the store's time zone, in English or
//! 简体中文, written as CSV, XLSX or PDF.
//!
//! - [`period`]: dates as operators type them, and the period they stand for in the store's zone.
//! - [`model`]: the figures — built once from a read-only snapshot of the store, then written by
//!   every format, so all formats show the same numbers.
//! - [`text`]: every label in both languages.
//! - `csv_out`, `xlsx_out`, `pdf_out`: the writers (`csv`, `rust_xlsxwriter`, typst).
//! - [`fonts`]: the fonts the PDFs embed, the same files the UI loads (`fonts/`).
//! - `output`: a report is written to a temporary file next to the target and renamed when
//!   complete; a failed or cancelled export leaves nothing behind.
//!
//! Orders stream row by row (constant memory for CSV and XLSX); the other reports are small.

mod csv_out;
pub mod fonts;
pub mod model;
mod output;
mod pdf_out;
pub mod period;
pub mod text;
mod xlsx_out;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde::Serialize;
use storedesk_store::{Store, StoreError};

pub use period::ReportPeriod;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    Sales,
    Stock,
    Orders,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Csv,
    Xlsx,
    Pdf,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Pdf => "pdf",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Lang {
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Lang {
    pub fn parse(text: &str) -> Result<Self, ReportError> {
        match text.trim() {
            "en" | "en-US" | "en-GB" => Ok(Lang::En),
            "zh-CN" | "zh" | "zh-Hans" => Ok(Lang::ZhCn),
            other => Err(ReportError::Invalid(format!("unknown language {other:?} (expected en or zh-CN)"))),
        }
    }
}

/// What to export.
#[derive(Clone, Debug)]
pub struct ExportRequest {
    pub kind: ReportKind,
    pub format: Format,
    pub period: ReportPeriod,
    pub lang: Lang,
    /// CSV only: start with a UTF-8 byte order mark so that Excel reads Chinese text right.
    pub bom: bool,
    /// Narrow the order figures to the orders this till took (`T2`); `None`: the whole store.
    /// The stock report is the store's either way.
    pub till: Option<String>,
    /// Narrow the order figures to the orders this person took a step in or approved; `None`:
    /// everyone's.
    pub staff: Option<String>,
}

/// Cancel a running export, and watch its progress (rows written), from another thread.
#[derive(Debug, Default)]
pub struct Control {
    cancel: AtomicBool,
    rows: AtomicU64,
}

impl Control {
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn rows_written(&self) -> u64 {
        self.rows.load(Ordering::Relaxed)
    }

    /// Counts a row; fails once cancelled (checked every row: an atomic load is cheap).
    pub(crate) fn row(&self) -> Result<(), ReportError> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(ReportError::Cancelled);
        }
        self.rows.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExportSummary {
    pub path: PathBuf,
    pub rows: u64,
    pub bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write {}: {error}", path.display())]
    Io { path: PathBuf, error: std::io::Error },
    #[error("the export was cancelled; no file was written")]
    Cancelled,
    #[error("{0}")]
    Format(String),
}

/// The PDF of the orders report lists every order; past this many, use CSV or XLSX.
pub const PDF_ORDERS_LIMIT: i64 = 20_000;

/// Builds the report and writes it to `out` (all or nothing).
pub fn export(
    store: &Store,
    request: &ExportRequest,
    out: &Path,
    control: &Control,
) -> Result<ExportSummary, ReportError> {
    let snapshot = store
        .read_snapshot()?
        .narrowed_to(request.till.as_deref())
        .narrowed_to_staff(request.staff.as_deref());
    let file = output::AtomicFile::create(out)?;
    let context = model::Context::new(&snapshot, request);
    let rows = match (request.kind, request.format) {
        (ReportKind::Sales, format) => {
            let sales = model::SalesReport::build(&snapshot, &context)?;
            match format {
                Format::Csv => csv_out::sales(&file, &context, &sales, request.bom, control)?,
                Format::Xlsx => xlsx_out::sales(&file, &context, &sales, control)?,
                Format::Pdf => pdf_out::sales(&file, &context, &sales, control)?,
            }
        }
        (ReportKind::Stock, format) => {
            let stock = model::StockReport::build(&snapshot)?;
            match format {
                Format::Csv => csv_out::stock(&file, &context, &stock, request.bom, control)?,
                Format::Xlsx => xlsx_out::stock(&file, &context, &stock, control)?,
                Format::Pdf => pdf_out::stock(&file, &context, &stock, control)?,
            }
        }
        (ReportKind::Orders, Format::Csv) => {
            csv_out::orders(&file, &context, &snapshot, request.bom, control)?
        }
        (ReportKind::Orders, Format::Xlsx) => xlsx_out::orders(&file, &context, &snapshot, control)?,
        (ReportKind::Orders, Format::Pdf) => {
            let count = snapshot.order_count(context.period)?;
            if count > PDF_ORDERS_LIMIT {
                return Err(ReportError::Invalid(format!(
                    "{count} orders are too many for a PDF (at most {PDF_ORDERS_LIMIT}); choose CSV or XLSX, or a shorter range"
                )));
            }
            pdf_out::orders(&file, &context, &snapshot, control)?
        }
    };
    let bytes = file.commit()?;
    Ok(ExportSummary { path: out.to_path_buf(), rows, bytes })
}
