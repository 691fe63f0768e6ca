//! The sales report (a totals sheet and one per section) and the stock report, as XLSX.

use rust_xlsxwriter::{Workbook, Worksheet};

use super::{Col, Formats, finish_table, header, heading, put_count, put_money, save, xlsx};
use crate::model::{Context, SalesReport, StockReport};
use crate::output::AtomicFile;
use crate::{Control, ReportError, text};

pub fn sales(
    file: &AtomicFile,
    ctx: &Context,
    s: &SalesReport,
    control: &Control,
) -> Result<u64, ReportError> {
    let f = Formats::new(ctx);
    let mut wb = Workbook::new();
    totals_sheet(&mut wb, &f, ctx, s, control)?;
    by_day_sheet(&mut wb, &f, ctx, s, control)?;
    by_sku_sheet(&mut wb, &f, ctx, s, control)?;
    by_channel_sheet(&mut wb, &f, ctx, s, control)?;
    by_method_sheet(&mut wb, &f, ctx, s, control)?;
    save(wb, file)?;
    Ok(control.rows_written())
}

fn sheet<'w>(wb: &'w mut Workbook, name: &str) -> Result<&'w mut Worksheet, ReportError> {
    wb.add_worksheet().set_name(name).map_err(xlsx)
}

fn totals_sheet(
    wb: &mut Workbook,
    f: &Formats,
    ctx: &Context,
    s: &SalesReport,
    control: &Control,
) -> Result<(), ReportError> {
    let t = ctx.texts;
    let ws = sheet(wb, t.totals)?;
    let first = heading(ws, f, ctx)?;
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
        if money { put_money(ws, f, ctx, r, 1, value)? } else { put_count(ws, f, r, 1, value)? }
    }
    Ok(())
}

const MONEY_TABLE: [Col; 5] = [Col::Text, Col::Count, Col::Money, Col::Money, Col::Money];

fn by_day_sheet(
    wb: &mut Workbook,
    f: &Formats,
    ctx: &Context,
    s: &SalesReport,
    control: &Control,
) -> Result<(), ReportError> {
    let t = ctx.texts;
    let ws = sheet(wb, t.by_day)?;
    header(ws, f, &[t.date, t.paid_orders, t.gross, t.refunds, t.net])?;
    for (r, d) in (1..).zip(&s.by_day) {
        control.row()?;
        ws.write_datetime_with_format(r, 0, super::date_cell(d.date)?, &f.date).map_err(xlsx)?;
        put_count(ws, f, r, 1, d.paid_orders)?;
        put_flows(ws, f, ctx, r, [d.gross_minor, d.refunds_minor, d.net_minor])?;
    }
    let tot = &s.totals;
    let sums = [0, tot.paid_orders, tot.gross_minor, tot.refunds_minor, tot.net_minor];
    finish_table(ws, f, ctx, &MONEY_TABLE, s.by_day.len() as u32, &sums)
}

fn by_sku_sheet(
    wb: &mut Workbook,
    f: &Formats,
    ctx: &Context,
    s: &SalesReport,
    control: &Control,
) -> Result<(), ReportError> {
    let t = ctx.texts;
    let ws = sheet(wb, t.by_sku)?;
    header(ws, f, &[t.sku, t.name, t.quantity, t.gross])?;
    ws.set_column_width(1, 36).map_err(xlsx)?;
    for (r, k) in (1..).zip(&s.by_sku) {
        control.row()?;
        ws.write_string(r, 0, &k.sku).map_err(xlsx)?;
        ws.write_string(r, 1, &k.name).map_err(xlsx)?;
        put_count(ws, f, r, 2, k.qty)?;
        put_money(ws, f, ctx, r, 3, k.amount_minor)?;
    }
    let qty: i64 = s.by_sku.iter().map(|k| k.qty).sum();
    let amount: i64 = s.by_sku.iter().map(|k| k.amount_minor).sum();
    let cols = [Col::Text, Col::Text, Col::Count, Col::Money];
    finish_table(ws, f, ctx, &cols, s.by_sku.len() as u32, &[0, 0, qty, amount])
}

fn by_channel_sheet(
    wb: &mut Workbook,
    f: &Formats,
    ctx: &Context,
    s: &SalesReport,
    control: &Control,
) -> Result<(), ReportError> {
    let t = ctx.texts;
    let ws = sheet(wb, t.by_channel)?;
    header(ws, f, &[t.channel, t.paid_orders, t.gross])?;
    for (r, c) in (1..).zip(&s.by_channel) {
        control.row()?;
        ws.write_string(r, 0, text::channel(ctx.lang, c.channel)).map_err(xlsx)?;
        put_count(ws, f, r, 1, c.paid_orders)?;
        put_money(ws, f, ctx, r, 2, c.gross_minor)?;
    }
    let sums = [0, s.totals.paid_orders, s.totals.gross_minor];
    finish_table(ws, f, ctx, &[Col::Text, Col::Count, Col::Money], s.by_channel.len() as u32, &sums)
}

fn by_method_sheet(
    wb: &mut Workbook,
    f: &Formats,
    ctx: &Context,
    s: &SalesReport,
    control: &Control,
) -> Result<(), ReportError> {
    let t = ctx.texts;
    let ws = sheet(wb, t.by_method)?;
    header(ws, f, &[t.method, t.paid_orders, t.gross, t.refunds, t.net])?;
    for (r, m) in (1..).zip(&s.by_method) {
        control.row()?;
        ws.write_string(r, 0, text::method(ctx.lang, &m.method)).map_err(xlsx)?;
        put_count(ws, f, r, 1, m.payments)?;
        put_flows(ws, f, ctx, r, [m.gross_minor, m.refunds_minor, m.net_minor])?;
    }
    let tot = &s.totals;
    let sums = [0, tot.paid_orders, tot.gross_minor, tot.refunds_minor, tot.net_minor];
    finish_table(ws, f, ctx, &MONEY_TABLE, s.by_method.len() as u32, &sums)
}

/// Gross, refunds and net in columns 2 to 4 of row `r`.
fn put_flows(
    ws: &mut Worksheet,
    f: &Formats,
    ctx: &Context,
    r: u32,
    flows: [i64; 3],
) -> Result<(), ReportError> {
    for (c, minor) in (2..).zip(flows) {
        put_money(ws, f, ctx, r, c, minor)?;
    }
    Ok(())
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
    let ws = sheet(&mut wb, t.stock_title)?;
    header(ws, &f, &t.stock_columns())?;
    ws.set_column_width(1, 36).map_err(xlsx)?;
    for (r, row) in (1..).zip(&s.rows) {
        control.row()?;
        ws.write_string(r, 0, &row.sku).map_err(xlsx)?;
        ws.write_string(r, 1, &row.name).map_err(xlsx)?;
        put_count(ws, &f, r, 2, row.on_hand)?;
        put_count(ws, &f, r, 3, row.reserved)?;
        put_count(ws, &f, r, 4, row.available)?;
        put_money(ws, &f, ctx, r, 5, row.price_minor)?;
        put_money(ws, &f, ctx, r, 6, row.value_minor)?;
        if row.low {
            ws.write_string_with_format(r, 7, t.low_stock_mark, &f.low).map_err(xlsx)?;
        }
    }
    let tot = &s.totals;
    let cols = [Col::Text, Col::Text, Col::Count, Col::Count, Col::Count, Col::Text, Col::Money, Col::Text];
    let sums = [0, 0, tot.on_hand, tot.reserved, tot.available, 0, tot.value_minor, 0];
    finish_table(ws, &f, ctx, &cols, s.rows.len() as u32, &sums)?;
    save(wb, file)?;
    Ok(control.rows_written())
}
