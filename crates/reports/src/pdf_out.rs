//! PDF through typst, used as a library.
//!
//! Why typst: it is a complete layout engine — tables that break across pages with repeated
//! headers, Chinese line breaking, page numbers, drawing for the chart — driven by a readable
//! template (`templates/report.typ`), and it embeds only the glyphs used (subset fonts), so the
//! PDF renders on any machine. The fonts are the UI's own slices of Noto Sans CJK SC
//! ([`crate::fonts`]) compiled into the program: no system font is needed to make the report
//! either, and what the screen can show, the paper can print.
//!
//! The report's figures go to the template as `data.json`, already formatted in the report's
//! language; the template never formats a number itself.

use serde_json::{Value, json};
use storedesk_store::reporting::ReadSnapshot;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::fonts::report_fonts;
use crate::model::{Context, SalesReport, StockReport};
use crate::output::{AtomicFile, write_all};
use crate::{Control, Lang, ReportError, text};

const TEMPLATE: &str = include_str!("../templates/report.typ");

struct ReportWorld {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: FileId,
    data_id: FileId,
    source: Source,
    data: Bytes,
}

fn file_id(path: &str) -> FileId {
    // The paths are constants, so they are valid.
    RootedPath::new(VirtualRoot::Project, VirtualPath::new(path).expect("a valid constant path")).intern()
}

impl ReportWorld {
    fn new(mut data: Value) -> Result<Self, ReportError> {
        let embedded = report_fonts().map_err(ReportError::Format)?;
        let fonts = embedded.fonts.clone();
        data["fonts"] = json!(embedded.families);
        let main = file_id("/report.typ");
        Ok(ReportWorld {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
            main,
            data_id: file_id("/data.json"),
            source: Source::new(main, TEMPLATE.to_string()),
            data: Bytes::new(data.to_string().into_bytes()),
        })
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main { Ok(self.source.clone()) } else { Err(FileError::NotSource) }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id { Ok(self.data.clone()) } else { Err(FileError::AccessDenied) }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        let now = jiff::Zoned::now();
        Datetime::from_ymd(now.year().into(), now.month() as u8, now.day() as u8)
    }
}

fn describe(diagnostics: &[SourceDiagnostic]) -> String {
    diagnostics.iter().map(|d| d.message.to_string()).collect::<Vec<_>>().join("; ")
}

/// Lays the document out and writes the PDF.
fn render(
    file: &AtomicFile,
    ctx: &Context,
    body: (&str, Value),
    control: &Control,
) -> Result<(), ReportError> {
    control.row()?;
    let t = ctx.texts;
    let labels = json!({
        "store": t.store, "period": t.period, "generated": t.generated, "page": t.page, "totals": t.totals,
        "by_day": t.by_day, "by_sku": t.by_sku, "by_channel": t.by_channel, "by_method": t.by_method,
        "daily_sales": t.daily_sales, "date": t.date, "sku": t.sku, "name": t.name, "channel": t.channel,
        "method": t.method, "quantity": t.quantity, "gross": t.gross, "refunds": t.refunds, "net": t.net,
        "paid_orders": t.paid_orders, "on_hand": t.on_hand, "reserved": t.reserved, "available": t.available,
        "price": t.price, "value": t.value, "low_stock": t.low_stock, "number": t.number, "created": t.created,
        "status": t.status, "customer": t.customer, "order_total": t.order_total, "none": t.none,
    });
    let mut data = json!({
        "lang": match ctx.lang { Lang::En => "en", Lang::ZhCn => "zh" },
        "title": ctx.title(),
        "store": format!("{} ({})", ctx.store_text(), ctx.currency),
        "period_label": ctx.period_line().0,
        "period": ctx.period_line().1,
        "generated": ctx.generated_text(),
        "labels": labels,
        "kind": body.0,
    });
    data[body.0] = body.1;
    let world = ReportWorld::new(data)?;
    let document = typst::compile::<typst_layout::PagedDocument>(&world)
        .output
        .map_err(|errors| ReportError::Format(format!("PDF layout failed: {}", describe(&errors))))?;
    control.row()?;
    let pdf = typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|errors| ReportError::Format(format!("PDF export failed: {}", describe(&errors))))?;
    write_all(file, &pdf)
}

pub fn sales(
    file: &AtomicFile,
    ctx: &Context,
    s: &SalesReport,
    control: &Control,
) -> Result<u64, ReportError> {
    let t = ctx.texts;
    let m = |minor: i64| ctx.money_grouped(minor);
    let tot = &s.totals;
    let max_net = s.by_day.iter().map(|d| d.net_minor).max().unwrap_or(0).max(0);
    let body = json!({
        "cards": [
            [t.gross, m(tot.gross_minor)],
            [t.refunds, m(tot.refunds_minor)],
            [t.net, m(tot.net_minor)],
            [t.paid_orders, tot.paid_orders.to_string()],
            [t.refunds_cancellations, m(tot.refunds_for_cancellations_minor)],
            [t.refunds_returns, m(tot.refunds_for_returns_minor)],
            [t.cancellations, tot.cancelled_orders.to_string()],
            [t.cancelled_value, m(tot.cancelled_value_minor)],
        ],
        "max_label": format!("{} {}", m(max_net), ctx.currency),
        "days": s.by_day.iter().map(|d| json!({ "date": d.date.to_string(), "net_value": ctx.money_value(d.net_minor) })).collect::<Vec<_>>(),
        "day_rows": s.by_day.iter().map(|d| vec![d.date.to_string(), d.paid_orders.to_string(), m(d.gross_minor), m(d.refunds_minor), m(d.net_minor)]).collect::<Vec<_>>(),
        "sku_rows": s.by_sku.iter().map(|k| vec![k.sku.clone(), k.name.clone(), k.qty.to_string(), m(k.amount_minor)]).collect::<Vec<_>>(),
        "channel_rows": s.by_channel.iter().map(|c| vec![text::channel(ctx.lang, c.channel).to_string(), c.paid_orders.to_string(), m(c.gross_minor)]).collect::<Vec<_>>(),
        "method_rows": s.by_method.iter().map(|p| vec![text::method(ctx.lang, &p.method), p.payments.to_string(), m(p.gross_minor), m(p.refunds_minor), m(p.net_minor)]).collect::<Vec<_>>(),
    });
    render(file, ctx, ("sales", body), control)?;
    Ok(control.rows_written())
}

pub fn stock(
    file: &AtomicFile,
    ctx: &Context,
    s: &StockReport,
    control: &Control,
) -> Result<u64, ReportError> {
    let t = ctx.texts;
    let m = |minor: i64| ctx.money_grouped(minor);
    let tot = &s.totals;
    let body = json!({
        "totals": [
            [t.on_hand, tot.on_hand.to_string()],
            [t.reserved, tot.reserved.to_string()],
            [t.available, tot.available.to_string()],
            [t.value, format!("{} {}", m(tot.value_minor), ctx.currency)],
            [t.low_stock, tot.low.to_string()],
        ],
        "rows": s.rows.iter().map(|r| json!({
            "low": r.low,
            "cells": [r.sku, r.name, r.on_hand.to_string(), r.reserved.to_string(), r.available.to_string(), m(r.price_minor), m(r.value_minor), if r.low { t.low_stock_mark } else { "" }],
        })).collect::<Vec<_>>(),
    });
    render(file, ctx, ("stock", body), control)?;
    Ok(control.rows_written())
}

/// One row per order (its lines summarised), for ranges small enough to print.
pub fn orders(
    file: &AtomicFile,
    ctx: &Context,
    snapshot: &ReadSnapshot,
    control: &Control,
) -> Result<u64, ReportError> {
    let t = ctx.texts;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut current: Option<String> = None;
    let (mut orders, mut value) = (0_i64, 0_i64);
    snapshot.order_lines(ctx.period, |l| -> Result<(), ReportError> {
        let item = format!("{} ×{}", l.name, l.qty);
        if current.as_deref() == Some(l.order_id.as_str()) {
            if let Some(row) = rows.last_mut() {
                row[5].push_str(", ");
                row[5].push_str(&item);
            }
            return Ok(());
        }
        current = Some(l.order_id.clone());
        orders += 1;
        value += l.total_minor;
        rows.push(vec![
            l.number.clone(),
            ctx.local_text(l.created_at),
            text::channel(ctx.lang, l.channel).to_string(),
            text::status(ctx.lang, l.status).to_string(),
            l.customer.clone().unwrap_or_default(),
            item,
            ctx.money_grouped(l.total_minor),
        ]);
        Ok(())
    })?;
    let body = json!({
        "totals": [[t.orders, orders.to_string()], [t.amount, format!("{} {}", ctx.money_grouped(value), ctx.currency)]],
        "rows": rows,
    });
    render(file, ctx, ("orders", body), control)?;
    Ok(control.rows_written())
}
