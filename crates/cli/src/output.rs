//! Printing results: one JSON document with `--json`, aligned text otherwise.

use std::io::Write;

use serde::Serialize;
use storedesk_domain::Currency;
use storedesk_store::orders::{Order, OrderDetail};
use unicode_width::UnicodeWidthStr;

/// Prints `value` as one JSON document on stdout.
pub fn json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// A text table whose columns line up for CJK text too.
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&'static str]) -> Self {
        Self { headers: headers.to_vec(), rows: Vec::new() }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn print(&self) -> anyhow::Result<()> {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.width()).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.width());
            }
        }
        let mut out = std::io::stdout().lock();
        let mut line = |cells: &mut dyn Iterator<Item = &str>| -> std::io::Result<()> {
            let mut text = String::new();
            for (i, (cell, w)) in cells.zip(&widths).enumerate() {
                if i > 0 {
                    text.push_str("  ");
                }
                text.push_str(cell);
                text.push_str(&" ".repeat(w.saturating_sub(cell.width())));
            }
            writeln!(out, "{}", text.trim_end())
        };
        line(&mut self.headers.iter().copied())?;
        for row in &self.rows {
            line(&mut row.iter().map(String::as_str))?;
        }
        Ok(())
    }
}

/// A moment in the store's time zone, to the second.
pub fn time(at: jiff::Timestamp, tz: &jiff::tz::TimeZone) -> String {
    at.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M:%S").to_string()
}

pub fn money(minor: i64, currency: &str) -> String {
    match Currency::from_code(currency) {
        Ok(c) => format!("{} {}", c.format_minor(minor), c.code()),
        Err(_) => format!("{minor} (minor units of {currency})"),
    }
}

/// A one-line summary and the lines of an order.
pub fn order(order: &Order) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}  {}  {}  {}  {}",
        order.number,
        order.channel.as_str(),
        order.status,
        money(order.total_minor, &order.currency),
        order.id
    )?;
    for line in &order.lines {
        writeln!(
            out,
            "  {} x{}  {}  @ {}",
            line.sku,
            line.qty,
            line.name,
            money(line.unit_price_minor, &order.currency)
        )?;
    }
    if let Some(reason) = &order.hold_reason {
        writeln!(out, "  on hold: {reason}")?;
    }
    if !order.actions.is_empty() {
        let actions: Vec<&str> = order.actions.iter().map(|a| a.as_str()).collect();
        writeln!(out, "  next: {}", actions.join(", "))?;
    }
    Ok(())
}

pub fn order_detail(detail: &OrderDetail, tz: &jiff::tz::TimeZone) -> anyhow::Result<()> {
    order(&detail.order)?;
    let mut out = std::io::stdout().lock();
    if !detail.payments.is_empty() {
        writeln!(out, "payments:")?;
        for p in &detail.payments {
            writeln!(
                out,
                "  {}  {}  {}  {}",
                time(p.at, tz),
                p.kind.as_str(),
                p.method.as_str(),
                money(p.amount_minor, &detail.order.currency)
            )?;
        }
    }
    writeln!(out, "timeline:")?;
    for t in &detail.timeline {
        let step = match (t.from, t.event) {
            (Some(from), Some(event)) => format!("{from} --{event}--> {}", t.to),
            (Some(from), None) => format!("{from} --> {} at central", t.to),
            _ => format!("placed as {}", t.to),
        };
        let reason = match (&t.reason, t.from_central) {
            (Some(r), _) => format!("  ({r})"),
            (None, true) => "  (as central holds it)".to_string(),
            (None, false) => String::new(),
        };
        let approved = t.approved_by.as_ref().map(|a| format!(", approved by {a}")).unwrap_or_default();
        writeln!(out, "  {}  {step}  by {}{approved}{reason}", time(t.at, tz), t.actor)?;
    }
    Ok(())
}
