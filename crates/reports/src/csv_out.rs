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
    let m = |minor: i64| ctx.money(minor);
    let tot = &s.totals;
    row(
        &mut w,
        control,
        &[
            t.totals,
            t.paid_orders,
            "",
            &tot.paid_orders.to_string(),
            "",
            &m(tot.gross_minor),
            &m(tot.refunds_minor),
            &m(tot.net_minor),
        ],
    )?;
    row(
        &mut w,
        control,
        &[t.totals, t.refunds_cancellations, "", "", "", "", &m(tot.refunds_for_cancellations_minor), ""],
    )?;
    row(
        &mut w,
        control,
        &[t.totals, t.refunds_returns, "", "", "", "", &m(tot.refunds_for_returns_minor), ""],
    )?;
    row(
        &mut w,
        control,
        &[
            t.totals,
            t.cancellations,
            "",
            &tot.cancelled_orders.to_string(),
            "",
            &m(tot.cancelled_value_minor),
            "",
            "",
        ],
    )?;
    for d in &s.by_day {
        let date = d.date.to_string();
        row(
            &mut w,
            control,
            &[
                t.by_day,
                &date,
                "",
                &d.paid_orders.to_string(),
                "",
                &m(d.gross_minor),
                &m(d.refunds_minor),
                &m(d.net_minor),
            ],
        )?;
    }
    for k in &s.by_sku {
        row(
            &mut w,
            control,
            &[t.by_sku, &k.sku, &k.name, "", &k.qty.to_string(), &m(k.amount_minor), "", ""],
        )?;
    }
    for c in &s.by_channel {
        let name = text::channel(ctx.lang, c.channel);
        row(
            &mut w,
            control,
            &[
                t.by_channel,
                c.channel.as_str(),
                name,
                &c.paid_orders.to_string(),
                "",
                &m(c.gross_minor),
                "",
                "",
            ],
        )?;
    }
    for p in &s.by_method {
        let name = text::method(ctx.lang, &p.method);
        row(
            &mut w,
            control,
            &[
                t.by_method,
                &p.method,
                &name,
                &p.payments.to_string(),
                "",
                &m(p.gross_minor),
                &m(p.refunds_minor),
                &m(p.net_minor),
            ],
        )?;
    }
    let rows = control.rows_written();
    finish(w, file)?;
    Ok(rows)
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
    row(
        &mut w,
        control,
        &[t.sku, t.name, t.on_hand, t.reserved, t.available, t.price, t.value, t.low_stock],
    )?;
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
    row(
        &mut w,
        control,
        &[
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
        ],
    )?;
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
            ],
        )
    })?;
    let rows = control.rows_written();
    finish(w, file)?;
    Ok(rows)
}
