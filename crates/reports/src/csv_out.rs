//! CSV (RFC 4180, UTF-8; optionally with a byte order mark for Excel).

use std::io::Write;

use storedesk_store::reporting::ReadSnapshot;

use crate::model::{Context, SalesReport, StockReport};
use crate::output::AtomicFile;
use crate::{Control, ReportError, text};

type Writer = csv::Writer<std::io::BufWriter<std::fs::File>>;

fn open(file: &AtomicFile, bom: bool) -> Result<Writer, ReportError> {
    let mut out = file.writer()?;
    if bom {
        out.write_all("\u{feff}".as_bytes()).map_err(|e| file.io(e))?;
    }
    Ok(csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out))
}

fn csv_error(e: csv::Error) -> ReportError {
    ReportError::Format(format!("CSV: {e}"))
}

fn row(w: &mut Writer, control: &Control, cells: &[&str]) -> Result<(), ReportError> {
    control.row()?;
    w.write_record(cells).map_err(csv_error)
}

fn finish(w: Writer, file: &AtomicFile) -> Result<(), ReportError> {
    let mut inner = w.into_inner().map_err(|e| ReportError::Format(format!("CSV: {e}")))?;
    inner.flush().map_err(|e| file.io(e))
}

/// One table: `section, key, name, orders, quantity, sales, refunds, net`.
pub fn sales(
    file: &AtomicFile,
    ctx: &Context,
    s: &SalesReport,
    bom: bool,
    control: &Control,
) -> Result<u64, ReportError> {
    let t = ctx.texts;
    let mut w = open(file, bom)?;
    row(&mut w, control, &[t.section, t.key, t.name, t.orders, t.quantity, t.gross, t.refunds, t.net])?;
    for cells in totals_rows(ctx, s).into_iter().chain(section_rows(ctx, s)) {
        row(&mut w, control, &cells.each_ref().map(String::as_str))?;
    }
    let rows = control.rows_written();
    finish(w, file)?;
    Ok(rows)
}

type SalesRow = [String; 8];

fn sales_row(cells: [&str; 8]) -> SalesRow {
    cells.map(str::to_string)
}

/// The totals, the refunds for cancellations and for returns, and the cancellations.
fn totals_rows(ctx: &Context, s: &SalesReport) -> Vec<SalesRow> {
    let (t, tot) = (ctx.texts, &s.totals);
    let m = |minor: i64| ctx.money(minor);
    vec![
        sales_row([
            t.totals,
            t.paid_orders,
            "",
            &tot.paid_orders.to_string(),
            "",
            &m(tot.gross_minor),
            &m(tot.refunds_minor),
            &m(tot.net_minor),
        ]),
        sales_row([
            t.totals,
            t.refunds_cancellations,
            "",
            "",
            "",
            "",
            &m(tot.refunds_for_cancellations_minor),
            "",
        ]),
        sales_row([t.totals, t.refunds_returns, "", "", "", "", &m(tot.refunds_for_returns_minor), ""]),
        sales_row([
            t.totals,
            t.cancellations,
            "",
            &tot.cancelled_orders.to_string(),
            "",
            &m(tot.cancelled_value_minor),
            "",
            "",
        ]),
    ]
}

/// By day, by SKU, by channel and by payment method.
fn section_rows(ctx: &Context, s: &SalesReport) -> Vec<SalesRow> {
    let t = ctx.texts;
    let m = |minor: i64| ctx.money(minor);
    let days = s.by_day.iter().map(|d| {
        let (date, orders) = (d.date.to_string(), d.paid_orders.to_string());
        sales_row([t.by_day, &date, "", &orders, "", &m(d.gross_minor), &m(d.refunds_minor), &m(d.net_minor)])
    });
    let skus = s
        .by_sku
        .iter()
        .map(|k| sales_row([t.by_sku, &k.sku, &k.name, "", &k.qty.to_string(), &m(k.amount_minor), "", ""]));
    let channels = s.by_channel.iter().map(|c| {
        let name = text::channel(ctx.lang, c.channel);
        sales_row([
            t.by_channel,
            c.channel.as_str(),
            name,
            &c.paid_orders.to_string(),
            "",
            &m(c.gross_minor),
            "",
            "",
        ])
    });
    let methods = s.by_method.iter().map(|p| {
        let name = text::method(ctx.lang, &p.method);
        let payments = p.payments.to_string();
        sales_row([
            t.by_method,
            &p.method,
            &name,
            &payments,
            "",
            &m(p.gross_minor),
            &m(p.refunds_minor),
            &m(p.net_minor),
        ])
    });
    days.chain(skus).chain(channels).chain(methods).collect()
}

pub fn stock(
    file: &AtomicFile,
    ctx: &Context,
    s: &StockReport,
    bom: bool,
    control: &Control,
) -> Result<u64, ReportError> {
    let t = ctx.texts;
    let mut w = open(file, bom)?;
    row(&mut w, control, &t.stock_columns())?;
    for r in &s.rows {
        let mark = if r.low { t.low_stock_mark } else { "" };
        row(
            &mut w,
            control,
            &[
                &r.sku,
                &r.name,
                &r.on_hand.to_string(),
                &r.reserved.to_string(),
                &r.available.to_string(),
                &ctx.money(r.price_minor),
                &ctx.money(r.value_minor),
                mark,
            ],
        )?;
    }
    let tot = &s.totals;
    row(
        &mut w,
        control,
        &[
            t.total,
            "",
            &tot.on_hand.to_string(),
            &tot.reserved.to_string(),
            &tot.available.to_string(),
            "",
            &ctx.money(tot.value_minor),
            &tot.low.to_string(),
        ],
    )?;
    let rows = control.rows_written();
    finish(w, file)?;
    Ok(rows)
}

/// One row per order line, streamed.
pub fn orders(
    file: &AtomicFile,
    ctx: &Context,
    snapshot: &ReadSnapshot,
    bom: bool,
    control: &Control,
) -> Result<u64, ReportError> {
    let t = ctx.texts;
    let mut w = open(file, bom)?;
    row(&mut w, control, &t.order_line_columns())?;
    snapshot.order_lines(ctx.period, |l| {
        row(
            &mut w,
            control,
            &[
                &l.number,
                &ctx.local_text(l.created_at),
                text::channel(ctx.lang, l.channel),
                text::status(ctx.lang, l.status),
                l.customer.as_deref().unwrap_or(""),
                &l.sku,
                &l.name,
                &l.qty.to_string(),
                &ctx.money(l.unit_price_minor),
                &ctx.money(l.qty * l.unit_price_minor),
                &ctx.money(l.total_minor),
                l.till.as_deref().unwrap_or(""),
            ],
        )
    })?;
    let rows = control.rows_written();
    finish(w, file)?;
    Ok(rows)
}
