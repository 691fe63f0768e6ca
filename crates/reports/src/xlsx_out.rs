//! XLSX: numbers and dates as typed cells, money formats, a frozen header row, an autofilter and a
//! totals row on every table sheet, one sheet per section. The orders sheet is written in
//! constant-memory mode, row by row.

use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet, XlsxError};
use storedesk_store::reporting::ReadSnapshot;

use crate::model::{Context, SalesReport, StockReport};
use crate::output::AtomicFile;
use crate::{Control, ReportError, text};

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
    ws.write_string(1, 1, format!("{} {}", ctx.store_code, ctx.store_name)).map_err(xlsx)?;
    let (label, period) = ctx.period_line();
    ws.write_string(2, 0, label).map_err(xlsx)?;
    ws.write_string(2, 1, period).map_err(xlsx)?;
    ws.write_string(3, 0, t.generated).map_err(xlsx)?;
    ws.write_string(3, 1, ctx.generated_text()).map_err(xlsx)?;
    ws.set_column_width(0, 28).map_err(xlsx)?;
    ws.set_column_width(1, 26).map_err(xlsx)?;
    Ok(5)
}

pub fn sales(
    file: &AtomicFile,
    ctx: &Context,
    s: &SalesReport,
    control: &Control,
) -> Result<u64, ReportError> {
    let t = ctx.texts;
    let f = Formats::new(ctx);
    let mut wb = Workbook::new();

    let ws = wb.add_worksheet().set_name(t.totals).map_err(xlsx)?;
    let first = heading(ws, &f, ctx)?;
    let tot = &s.totals;
    let lines: [(&str, i64, bool); 8] = [
        (t.paid_orders, tot.paid_orders, false),
        (t.gross, tot.gross_minor, true),
        (t.refunds, tot.refunds_minor, true),
        (t.net, tot.net_minor, true),
        (t.refunds_cancellations, tot.refunds_for_cancellations_minor, true),
        (t.refunds_returns, tot.refunds_for_returns_minor, true),
        (t.cancellations, tot.cancelled_orders, false),
        (t.cancelled_value, tot.cancelled_value_minor, true),
    ];
    for (r, (label, value, money)) in (first..).zip(lines) {
        control.row()?;
        ws.write_string(r, 0, label).map_err(xlsx)?;
        if money {
            ws.write_number_with_format(r, 1, ctx.money_value(value), &f.money).map_err(xlsx)?;
        } else {
            ws.write_number_with_format(r, 1, value as f64, &f.integer).map_err(xlsx)?;
        }
    }

    let ws = wb.add_worksheet().set_name(t.by_day).map_err(xlsx)?;
    header(ws, &f, &[t.date, t.paid_orders, t.gross, t.refunds, t.net])?;
    for (i, d) in s.by_day.iter().enumerate() {
        control.row()?;
        let r = i as u32 + 1;
        ws.write_datetime_with_format(r, 0, date_cell(d.date)?, &f.date).map_err(xlsx)?;
        ws.write_number_with_format(r, 1, d.paid_orders as f64, &f.integer).map_err(xlsx)?;
        ws.write_number_with_format(r, 2, ctx.money_value(d.gross_minor), &f.money).map_err(xlsx)?;
        ws.write_number_with_format(r, 3, ctx.money_value(d.refunds_minor), &f.money).map_err(xlsx)?;
        ws.write_number_with_format(r, 4, ctx.money_value(d.net_minor), &f.money).map_err(xlsx)?;
    }
    let sums = [0, tot.paid_orders, tot.gross_minor, tot.refunds_minor, tot.net_minor];
    finish_table(
        ws,
        &f,
        ctx,
        &[Col::Text, Col::Count, Col::Money, Col::Money, Col::Money],
        s.by_day.len() as u32,
        &sums,
    )?;

    let ws = wb.add_worksheet().set_name(t.by_sku).map_err(xlsx)?;
    header(ws, &f, &[t.sku, t.name, t.quantity, t.gross])?;
    ws.set_column_width(1, 36).map_err(xlsx)?;
    for (i, k) in s.by_sku.iter().enumerate() {
        control.row()?;
        let r = i as u32 + 1;
        ws.write_string(r, 0, &k.sku).map_err(xlsx)?;
        ws.write_string(r, 1, &k.name).map_err(xlsx)?;
        ws.write_number_with_format(r, 2, k.qty as f64, &f.integer).map_err(xlsx)?;
        ws.write_number_with_format(r, 3, ctx.money_value(k.amount_minor), &f.money).map_err(xlsx)?;
    }
    let qty: i64 = s.by_sku.iter().map(|k| k.qty).sum();
    let amount: i64 = s.by_sku.iter().map(|k| k.amount_minor).sum();
    finish_table(
        ws,
        &f,
        ctx,
        &[Col::Text, Col::Text, Col::Count, Col::Money],
        s.by_sku.len() as u32,
        &[0, 0, qty, amount],
    )?;

    let ws = wb.add_worksheet().set_name(t.by_channel).map_err(xlsx)?;
    header(ws, &f, &[t.channel, t.paid_orders, t.gross])?;
    for (i, c) in s.by_channel.iter().enumerate() {
        control.row()?;
        let r = i as u32 + 1;
        ws.write_string(r, 0, text::channel(ctx.lang, c.channel)).map_err(xlsx)?;
        ws.write_number_with_format(r, 1, c.paid_orders as f64, &f.integer).map_err(xlsx)?;
        ws.write_number_with_format(r, 2, ctx.money_value(c.gross_minor), &f.money).map_err(xlsx)?;
    }
    finish_table(
        ws,
        &f,
        ctx,
        &[Col::Text, Col::Count, Col::Money],
        s.by_channel.len() as u32,
        &[0, tot.paid_orders, tot.gross_minor],
    )?;

    let ws = wb.add_worksheet().set_name(t.by_method).map_err(xlsx)?;
    header(ws, &f, &[t.method, t.paid_orders, t.gross, t.refunds, t.net])?;
    for (i, m) in s.by_method.iter().enumerate() {
        control.row()?;
        let r = i as u32 + 1;
        ws.write_string(r, 0, text::method(ctx.lang, &m.method)).map_err(xlsx)?;
        ws.write_number_with_format(r, 1, m.payments as f64, &f.integer).map_err(xlsx)?;
        ws.write_number_with_format(r, 2, ctx.money_value(m.gross_minor), &f.money).map_err(xlsx)?;
        ws.write_number_with_format(r, 3, ctx.money_value(m.refunds_minor), &f.money).map_err(xlsx)?;
        ws.write_number_with_format(r, 4, ctx.money_value(m.net_minor), &f.money).map_err(xlsx)?;
    }
    let sums = [0, tot.paid_orders, tot.gross_minor, tot.refunds_minor, tot.net_minor];
    finish_table(
        ws,
        &f,
        ctx,
        &[Col::Text, Col::Count, Col::Money, Col::Money, Col::Money],
        s.by_method.len() as u32,
        &sums,
    )?;

    save(wb, file)?;
    Ok(control.rows_written())
}

pub fn stock(
    file: &AtomicFile,
    ctx: &Context,
    s: &StockReport,
    control: &Control,
) -> Result<u64, ReportError> {
    let t = ctx.texts;
    let f = Formats::new(ctx);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name(t.stock_title).map_err(xlsx)?;
    header(ws, &f, &[t.sku, t.name, t.on_hand, t.reserved, t.available, t.price, t.value, t.low_stock])?;
    ws.set_column_width(1, 36).map_err(xlsx)?;
    for (i, row) in s.rows.iter().enumerate() {
        control.row()?;
        let r = i as u32 + 1;
        ws.write_string(r, 0, &row.sku).map_err(xlsx)?;
        ws.write_string(r, 1, &row.name).map_err(xlsx)?;
        ws.write_number_with_format(r, 2, row.on_hand as f64, &f.integer).map_err(xlsx)?;
        ws.write_number_with_format(r, 3, row.reserved as f64, &f.integer).map_err(xlsx)?;
        ws.write_number_with_format(r, 4, row.available as f64, &f.integer).map_err(xlsx)?;
        ws.write_number_with_format(r, 5, ctx.money_value(row.price_minor), &f.money).map_err(xlsx)?;
        ws.write_number_with_format(r, 6, ctx.money_value(row.value_minor), &f.money).map_err(xlsx)?;
        if row.low {
            ws.write_string_with_format(r, 7, t.low_stock_mark, &f.low).map_err(xlsx)?;
        }
    }
    let tot = &s.totals;
    let cols = [Col::Text, Col::Text, Col::Count, Col::Count, Col::Count, Col::Text, Col::Money, Col::Text];
    finish_table(
        ws,
        &f,
        ctx,
        &cols,
        s.rows.len() as u32,
        &[0, 0, tot.on_hand, tot.reserved, tot.available, 0, tot.value_minor, 0],
    )?;
    save(wb, file)?;
    Ok(control.rows_written())
}

/// Excel holds 1,048,576 rows a sheet; a long range continues on "… 2", "… 3".
const ROWS_PER_SHEET: u32 = 1_000_000;

/// One row per order line, in constant memory.
pub fn orders(
    file: &AtomicFile,
    ctx: &Context,
    snapshot: &ReadSnapshot,
    control: &Control,
) -> Result<u64, ReportError> {
    let t = ctx.texts;
    let f = Formats::new(ctx);
    let mut wb = Workbook::new();
    let titles = [
        t.number,
        t.created,
        t.channel,
        t.status,
        t.customer,
        t.sku,
        t.name,
        t.quantity,
        t.unit_price,
        t.line_amount,
        t.order_total,
    ];
    let new_sheet = |wb: &mut Workbook, n: usize| -> Result<String, ReportError> {
        let name = if n == 1 { t.orders_title.to_string() } else { format!("{} {n}", t.orders_title) };
        let ws = wb.add_worksheet_with_constant_memory().map_err(xlsx)?.set_name(&name).map_err(xlsx)?;
        header(ws, &f, &titles)?;
        ws.set_column_width(0, 22).map_err(xlsx)?;
        ws.set_column_width(1, 17).map_err(xlsx)?;
        ws.set_column_width(6, 32).map_err(xlsx)?;
        Ok(name)
    };
    // (sheet name, data rows) of every sheet written so far.
    let mut sheets = vec![(new_sheet(&mut wb, 1)?, 0_u32)];
    let (mut qty, mut amount) = (0_i64, 0_i64);
    snapshot.order_lines(ctx.period, |l| -> Result<(), ReportError> {
        control.row()?;
        if let Some((full, rows)) = sheets.last().filter(|(_, rows)| *rows == ROWS_PER_SHEET) {
            wb.worksheet_from_name(full).map_err(xlsx)?.autofilter(0, 0, *rows, 10).map_err(xlsx)?;
            let name = new_sheet(&mut wb, sheets.len() + 1)?;
            sheets.push((name, 0));
        }
        let (name, rows) = sheets.last_mut().expect("a sheet exists");
        *rows += 1;
        let r = *rows;
        let ws = wb.worksheet_from_name(name).map_err(xlsx)?;
        ws.write_string(r, 0, &l.number).map_err(xlsx)?;
        ws.write_datetime_with_format(r, 1, datetime_cell(ctx.local(l.created_at))?, &f.datetime)
            .map_err(xlsx)?;
        ws.write_string(r, 2, text::channel(ctx.lang, l.channel)).map_err(xlsx)?;
        ws.write_string(r, 3, text::status(ctx.lang, l.status)).map_err(xlsx)?;
        ws.write_string(r, 4, l.customer.as_deref().unwrap_or("")).map_err(xlsx)?;
        ws.write_string(r, 5, &l.sku).map_err(xlsx)?;
        ws.write_string(r, 6, &l.name).map_err(xlsx)?;
        ws.write_number_with_format(r, 7, l.qty as f64, &f.integer).map_err(xlsx)?;
        ws.write_number_with_format(r, 8, ctx.money_value(l.unit_price_minor), &f.money).map_err(xlsx)?;
        ws.write_number_with_format(r, 9, ctx.money_value(l.qty * l.unit_price_minor), &f.money)
            .map_err(xlsx)?;
        ws.write_number_with_format(r, 10, ctx.money_value(l.total_minor), &f.money).map_err(xlsx)?;
        qty += l.qty;
        amount += l.qty * l.unit_price_minor;
        Ok(())
    })?;
    let (last_name, last_rows) = sheets.last().cloned().expect("a sheet exists");
    let ws = wb.worksheet_from_name(&last_name).map_err(xlsx)?;
    if sheets.len() == 1 {
        let cols = [
            Col::Text,
            Col::Text,
            Col::Text,
            Col::Text,
            Col::Text,
            Col::Text,
            Col::Text,
            Col::Count,
            Col::Text,
            Col::Money,
            Col::Text,
        ];
        finish_table(ws, &f, ctx, &cols, last_rows, &[0, 0, 0, 0, 0, 0, 0, qty, 0, amount, 0])?;
    } else {
        // The totals cover every sheet.
        let sum = |col: &str| {
            let parts: Vec<String> =
                sheets.iter().map(|(name, rows)| format!("'{name}'!{col}2:{col}{}", rows + 1)).collect();
            format!("=SUM({})", parts.join(","))
        };
        ws.autofilter(0, 0, last_rows.max(1), 10).map_err(xlsx)?;
        let total_row = last_rows + 1;
        ws.write_string_with_format(total_row, 0, t.total, &f.bold).map_err(xlsx)?;
        ws.write_formula_with_format(
            total_row,
            7,
            Formula::new(sum("H")).set_result(qty.to_string()),
            &f.integer_bold,
        )
        .map_err(xlsx)?;
        ws.write_formula_with_format(
            total_row,
            9,
            Formula::new(sum("J")).set_result(ctx.money_value(amount).to_string()),
            &f.money_bold,
        )
        .map_err(xlsx)?;
    }
    save(wb, file)?;
    Ok(control.rows_written())
}
