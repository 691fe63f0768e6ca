//! The orders report as XLSX: one row per order line, in constant memory, continued on further
//! sheets past Excel's row limit, with totals over every sheet.

use rust_xlsxwriter::{Formula, Workbook, Worksheet};
use storedesk_store::reporting::{OrderLineFact, ReadSnapshot};

use super::{Col, Formats, datetime_cell, finish_table, header, put_count, put_money, save, xlsx};
use crate::model::Context;
use crate::output::AtomicFile;
use crate::{Control, ReportError, text};

/// Excel holds 1,048,576 rows a sheet; a long range continues on "… 2", "… 3".
const ROWS_PER_SHEET: u32 = 1_000_000;

/// One row per order line, in constant memory.
pub fn orders(
    file: &AtomicFile,
    ctx: &Context,
    snapshot: &ReadSnapshot,
    control: &Control,
) -> Result<u64, ReportError> {
    let f = Formats::new(ctx);
    let mut wb = Workbook::new();
    // (sheet name, data rows) of every sheet written so far.
    let mut sheets = vec![(new_sheet(&mut wb, &f, ctx, 1)?, 0_u32)];
    let (mut qty, mut amount) = (0_i64, 0_i64);
    snapshot.order_lines(ctx.period, |l| -> Result<(), ReportError> {
        control.row()?;
        if let Some((full, rows)) = sheets.last().filter(|(_, rows)| *rows == ROWS_PER_SHEET) {
            wb.worksheet_from_name(full).map_err(xlsx)?.autofilter(0, 0, *rows, 11).map_err(xlsx)?;
            let name = new_sheet(&mut wb, &f, ctx, sheets.len() + 1)?;
            sheets.push((name, 0));
        }
        let Some((name, rows)) = sheets.last_mut() else {
            return Err(ReportError::Format("no sheet".into()));
        };
        *rows += 1;
        write_line(wb.worksheet_from_name(name).map_err(xlsx)?, &f, ctx, *rows, l)?;
        qty += l.qty;
        amount += l.qty * l.unit_price_minor;
        Ok(())
    })?;
    write_totals(&mut wb, &f, ctx, &sheets, qty, amount)?;
    save(wb, file)?;
    Ok(control.rows_written())
}

fn new_sheet(wb: &mut Workbook, f: &Formats, ctx: &Context, n: usize) -> Result<String, ReportError> {
    let t = ctx.texts;
    let titles = t.order_line_columns();
    let name = if n == 1 { t.orders_title.to_string() } else { format!("{} {n}", t.orders_title) };
    let ws = wb.add_worksheet_with_constant_memory().map_err(xlsx)?.set_name(&name).map_err(xlsx)?;
    header(ws, f, &titles)?;
    ws.set_column_width(0, 22).map_err(xlsx)?;
    ws.set_column_width(1, 17).map_err(xlsx)?;
    ws.set_column_width(6, 32).map_err(xlsx)?;
    Ok(name)
}

fn write_line(
    ws: &mut Worksheet,
    f: &Formats,
    ctx: &Context,
    r: u32,
    l: &OrderLineFact,
) -> Result<(), ReportError> {
    ws.write_string(r, 0, &l.number).map_err(xlsx)?;
    ws.write_datetime_with_format(r, 1, datetime_cell(ctx.local(l.created_at))?, &f.datetime)
        .map_err(xlsx)?;
    ws.write_string(r, 2, text::channel(ctx.lang, l.channel)).map_err(xlsx)?;
    ws.write_string(r, 3, text::status(ctx.lang, l.status)).map_err(xlsx)?;
    ws.write_string(r, 4, l.customer.as_deref().unwrap_or("")).map_err(xlsx)?;
    ws.write_string(r, 5, &l.sku).map_err(xlsx)?;
    ws.write_string(r, 6, &l.name).map_err(xlsx)?;
    put_count(ws, f, r, 7, l.qty)?;
    put_money(ws, f, ctx, r, 8, l.unit_price_minor)?;
    put_money(ws, f, ctx, r, 9, l.qty * l.unit_price_minor)?;
    put_money(ws, f, ctx, r, 10, l.total_minor)?;
    ws.write_string(r, 11, l.till.as_deref().unwrap_or("")).map_err(xlsx)?;
    Ok(())
}

/// The totals row under the last sheet; with several sheets its SUMs cover them all.
fn write_totals(
    wb: &mut Workbook,
    f: &Formats,
    ctx: &Context,
    sheets: &[(String, u32)],
    qty: i64,
    amount: i64,
) -> Result<(), ReportError> {
    let Some((last_name, last_rows)) = sheets.last() else { return Ok(()) };
    let ws = wb.worksheet_from_name(last_name).map_err(xlsx)?;
    if sheets.len() == 1 {
        let mut cols = [Col::Text; 11];
        cols[7] = Col::Count;
        cols[9] = Col::Money;
        return finish_table(ws, f, ctx, &cols, *last_rows, &[0, 0, 0, 0, 0, 0, 0, qty, 0, amount, 0]);
    }
    let sum = |col: &str| {
        let parts: Vec<String> =
            sheets.iter().map(|(name, rows)| format!("'{name}'!{col}2:{col}{}", rows + 1)).collect();
        format!("=SUM({})", parts.join(","))
    };
    ws.autofilter(0, 0, (*last_rows).max(1), 11).map_err(xlsx)?;
    let total_row = last_rows + 1;
    ws.write_string_with_format(total_row, 0, ctx.texts.total, &f.bold).map_err(xlsx)?;
    ws.write_formula_with_format(
        total_row,
        7,
        Formula::new(sum("H")).set_result(qty.to_string()),
        &f.integer_bold,
    )
    .map_err(xlsx)?;
    let value = ctx.money_value(amount).to_string();
    ws.write_formula_with_format(total_row, 9, Formula::new(sum("J")).set_result(value), &f.money_bold)
        .map_err(xlsx)?;
    Ok(())
}
