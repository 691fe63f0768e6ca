//! XLSX: numbers and dates as typed cells, money formats, a frozen header row, an autofilter and a
//! totals row on every table sheet, one sheet per section. The orders sheet is written in
//! constant-memory mode, row by row.

//!
//! `sales` and `stock` write the small reports, a sheet per section; `orders` streams the lines.

mod orders;
mod sales;

use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet, XlsxError};

use crate::ReportError;
use crate::model::Context;
use crate::output::AtomicFile;

pub use orders::orders;
pub use sales::{sales, stock};

fn xlsx(e: XlsxError) -> ReportError {
    ReportError::Format(format!("XLSX: {e}"))
}

struct Formats {
    header: Format,
    money: Format,
    money_bold: Format,
    integer: Format,
    integer_bold: Format,
    date: Format,
    datetime: Format,
    bold: Format,
    low: Format,
}

impl Formats {
    fn new(ctx: &Context) -> Self {
        let decimals = usize::from(ctx.currency.decimals());
        let money =
            if decimals == 0 { "#,##0".to_string() } else { format!("#,##0.{}", "0".repeat(decimals)) };
        Formats {
            header: Format::new().set_bold().set_background_color("#E8EEF4"),
            money: Format::new().set_num_format(&money),
            money_bold: Format::new().set_num_format(&money).set_bold(),
            integer: Format::new().set_num_format("#,##0"),
            integer_bold: Format::new().set_num_format("#,##0").set_bold(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            bold: Format::new().set_bold(),
            low: Format::new().set_bold().set_font_color("#B42318"),
        }
    }
}

/// What a column holds, for the totals row.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Col {
    Text,
    Count,
    Money,
}

/// Writes a header row, freezes it and sets column widths.
fn header(ws: &mut Worksheet, f: &Formats, titles: &[&str]) -> Result<(), ReportError> {
    for (c, title) in titles.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *title, &f.header).map_err(xlsx)?;
        ws.set_column_width(c as u16, (title.chars().count() as f64 * 1.6).max(12.0)).map_err(xlsx)?;
    }
    ws.set_freeze_panes(1, 0).map_err(xlsx)?;
    Ok(())
}

fn column_letter(c: u16) -> String {
    let mut n = u32::from(c) + 1;
    let mut s = String::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        s.insert(0, char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    s
}

/// The autofilter over the table and, below it, a totals row: SUM formulas (with their values
/// cached, so readers that do not calculate see them) for the count and money columns.
fn finish_table(
    ws: &mut Worksheet,
    f: &Formats,
    ctx: &Context,
    cols: &[Col],
    rows: u32,
    sums: &[i64],
) -> Result<(), ReportError> {
    let last = cols.len() as u16 - 1;
    ws.autofilter(0, 0, rows.max(1), last).map_err(xlsx)?;
    let total_row = rows + 1;
    ws.write_string_with_format(total_row, 0, ctx.texts.total, &f.bold).map_err(xlsx)?;
    for (c, (col, sum)) in cols.iter().zip(sums).enumerate().skip(1) {
        let letter = column_letter(c as u16);
        let formula = format!("=SUM({letter}2:{letter}{})", rows + 1);
        match col {
            Col::Text => {}
            Col::Count => {
                ws.write_formula_with_format(
                    total_row,
                    c as u16,
                    Formula::new(formula).set_result(sum.to_string()),
                    &f.integer_bold,
                )
                .map_err(xlsx)?;
            }
            Col::Money => {
                let value = ctx.money_value(*sum);
                ws.write_formula_with_format(
                    total_row,
                    c as u16,
                    Formula::new(formula).set_result(value.to_string()),
                    &f.money_bold,
                )
                .map_err(xlsx)?;
            }
        }
    }
    Ok(())
}

fn date_cell(d: jiff::civil::Date) -> Result<ExcelDateTime, ReportError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).map_err(xlsx)
}

fn datetime_cell(dt: jiff::civil::DateTime) -> Result<ExcelDateTime, ReportError> {
    date_cell(dt.date())?.and_hms(dt.hour() as u16, dt.minute() as u8, f64::from(dt.second())).map_err(xlsx)
}

fn save(mut workbook: Workbook, file: &AtomicFile) -> Result<(), ReportError> {
    workbook.save(file.path()).map_err(xlsx)
}

/// Title, store, period and generated-at at the top of the totals sheet.
fn heading(ws: &mut Worksheet, f: &Formats, ctx: &Context) -> Result<u32, ReportError> {
    let t = ctx.texts;
    ws.write_string_with_format(0, 0, ctx.title(), &f.bold).map_err(xlsx)?;
    ws.write_string(1, 0, t.store).map_err(xlsx)?;
    ws.write_string(1, 1, ctx.store_text()).map_err(xlsx)?;
    let (label, period) = ctx.period_line();
    ws.write_string(2, 0, label).map_err(xlsx)?;
    ws.write_string(2, 1, period).map_err(xlsx)?;
    ws.write_string(3, 0, t.generated).map_err(xlsx)?;
    ws.write_string(3, 1, ctx.generated_text()).map_err(xlsx)?;
    ws.set_column_width(0, 28).map_err(xlsx)?;
    ws.set_column_width(1, 26).map_err(xlsx)?;
    Ok(5)
}

/// A money cell in the report's currency format.
fn put_money(
    ws: &mut Worksheet,
    f: &Formats,
    ctx: &Context,
    r: u32,
    c: u16,
    minor: i64,
) -> Result<(), ReportError> {
    ws.write_number_with_format(r, c, ctx.money_value(minor), &f.money).map_err(xlsx)?;
    Ok(())
}

/// A whole-number cell.
fn put_count(ws: &mut Worksheet, f: &Formats, r: u32, c: u16, n: i64) -> Result<(), ReportError> {
    ws.write_number_with_format(r, c, n as f64, &f.integer).map_err(xlsx)?;
    Ok(())
}
