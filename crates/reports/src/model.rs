//! The figures of each report, computed once and written by every format.

use std::collections::BTreeMap;

use jiff::civil::Date;
use storedesk_domain::{Channel, Currency, OrderStatus};
use storedesk_store::orders::PaymentKind;
use storedesk_store::reporting::{PaymentFact, Period, ReadSnapshot, SkuSold};

use crate::period::ReportPeriod;
use crate::text::{self, Texts};
use crate::{ExportRequest, Lang, ReportError, ReportKind};

/// The low-stock threshold where a product has none of its own.
pub const DEFAULT_LOW_STOCK: i64 = 5;

/// What every report prints in its heading, and how it formats money and time.
pub struct Context {
    pub kind: ReportKind,
    pub lang: Lang,
    pub texts: &'static Texts,
    pub store_code: String,
    pub store_name: String,
    /// The till the order figures are narrowed to (not for the stock report: stock is the store's).
    pub till: Option<String>,
    /// The person the order figures are narrowed to (not for the stock report either).
    pub staff: Option<String>,
    pub currency: Currency,
    pub tz: jiff::tz::TimeZone,
    pub dates: ReportPeriod,
    pub period: Period,
    pub generated_at: jiff::Zoned,
}

impl Context {
    pub fn new(snapshot: &ReadSnapshot, request: &ExportRequest) -> Self {
        let settings = snapshot.settings();
        let tz = settings.tz();
        let period = request.period.in_zone(&tz).unwrap_or(Period { from_ms: 0, to_ms: 0 });
        Context {
            kind: request.kind,
            lang: request.lang,
            texts: text::texts(request.lang),
            store_code: settings.code.to_string(),
            store_name: settings.name.clone(),
            till: snapshot.till().filter(|_| request.kind != ReportKind::Stock).map(str::to_string),
            staff: snapshot.staff().filter(|_| request.kind != ReportKind::Stock).map(str::to_string),
            currency: settings.currency,
            generated_at: jiff::Timestamp::now().to_zoned(tz.clone()),
            tz,
            dates: request.period,
            period,
        }
    }

    /// `12.50`: money in major units with the currency's decimals.
    pub fn money(&self, minor: i64) -> String {
        self.currency.format_minor(minor)
    }

    /// `1,353,027.70`: money for reading, with thousands separators.
    pub fn money_grouped(&self, minor: i64) -> String {
        group_thousands(&self.money(minor))
    }

    /// Money as a number of major units (for spreadsheet cells).
    pub fn money_value(&self, minor: i64) -> f64 {
        minor as f64 / 10_f64.powi(i32::from(self.currency.decimals()))
    }

    pub fn local(&self, ms: i64) -> jiff::civil::DateTime {
        jiff::Timestamp::from_millisecond(ms)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .to_zoned(self.tz.clone())
            .datetime()
    }

    pub fn local_text(&self, ms: i64) -> String {
        self.local(ms).strftime("%Y-%m-%d %H:%M").to_string()
    }

    /// The period's label and text: a date range, or for stock the moment it was taken.
    pub fn period_line(&self) -> (&'static str, String) {
        match self.kind {
            ReportKind::Stock => (self.texts.as_of, self.generated_at.strftime("%Y-%m-%d %H:%M").to_string()),
            _ => (self.texts.period, format!("{} – {}", self.dates.from, self.dates.to)),
        }
    }

    /// `SH01 · Main Street`, and `· Till T2` when the figures are one till's.
    pub fn store_text(&self) -> String {
        let mut text = format!("{} · {}", self.store_code, self.store_name);
        if let Some(till) = &self.till {
            text.push_str(&format!(" · {} {till}", self.texts.till));
        }
        if let Some(staff) = &self.staff {
            text.push_str(&format!(" · {} {staff}", self.texts.staff));
        }
        text
    }

    pub fn generated_text(&self) -> String {
        format!("{} ({})", self.generated_at.strftime("%Y-%m-%d %H:%M"), self.tz.iana_name().unwrap_or("UTC"))
    }

    pub fn title(&self) -> &'static str {
        self.texts.title(self.kind)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SalesTotals {
    pub paid_orders: i64,
    pub gross_minor: i64,
    /// Positive: what was paid back.
    pub refunds_minor: i64,
    pub net_minor: i64,
    pub refunds_for_cancellations_minor: i64,
    pub refunds_for_returns_minor: i64,
    pub cancelled_orders: i64,
    pub cancelled_value_minor: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayRow {
    pub date: Date,
    pub paid_orders: i64,
    pub gross_minor: i64,
    pub refunds_minor: i64,
    pub net_minor: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelRow {
    pub channel: Channel,
    pub paid_orders: i64,
    pub gross_minor: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodRow {
    pub method: String,
    pub payments: i64,
    pub gross_minor: i64,
    pub refunds_minor: i64,
    pub net_minor: i64,
}

/// Sales are payments taken in the period; refunds (for cancellations and for returns) and
/// cancellations are shown apart from them.
#[derive(Clone, Debug)]
pub struct SalesReport {
    pub totals: SalesTotals,
    /// Every day of the period, also days without sales.
    pub by_day: Vec<DayRow>,
    pub by_sku: Vec<SkuSold>,
    pub by_channel: Vec<ChannelRow>,
    pub by_method: Vec<MethodRow>,
}

impl SalesReport {
    pub fn build(snapshot: &ReadSnapshot, ctx: &Context) -> Result<Self, ReportError> {
        let mut tally = Tally::every_day_of(ctx);
        snapshot.payments(ctx.period, |p| -> Result<(), ReportError> {
            tally.add(ctx.local(p.at).date(), &p);
            Ok(())
        })?;
        let Tally { mut totals, days, channels, methods } = tally;
        totals.net_minor = totals.gross_minor - totals.refunds_minor;
        let (cancelled, value) = snapshot.cancellations(ctx.period)?;
        totals.cancelled_orders = cancelled;
        totals.cancelled_value_minor = value;
        Ok(SalesReport {
            totals,
            by_day: days
                .into_values()
                .map(|d| DayRow { net_minor: d.gross_minor - d.refunds_minor, ..d })
                .collect(),
            by_sku: snapshot.sold_by_sku(ctx.period)?,
            by_channel: channels.into_values().collect(),
            by_method: methods
                .into_values()
                .map(|m| MethodRow { net_minor: m.gross_minor - m.refunds_minor, ..m })
                .collect(),
        })
    }
}

/// The sales report's sums as the payments stream by.
struct Tally {
    totals: SalesTotals,
    days: BTreeMap<Date, DayRow>,
    channels: BTreeMap<&'static str, ChannelRow>,
    methods: BTreeMap<&'static str, MethodRow>,
}

impl Tally {
    /// Every day of the period is a row, also days without sales.
    fn every_day_of(ctx: &Context) -> Tally {
        let mut days = BTreeMap::new();
        let mut day = ctx.dates.from;
        while day <= ctx.dates.to {
            days.insert(day, DayRow::empty(day));
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        Tally { totals: SalesTotals::default(), days, channels: BTreeMap::new(), methods: BTreeMap::new() }
    }

    fn add(&mut self, date: Date, p: &PaymentFact) {
        let row = self.days.entry(date).or_insert_with(|| DayRow::empty(date));
        let method = self.methods.entry(p.method.as_str()).or_insert_with(|| MethodRow {
            method: p.method.as_str().to_string(),
            payments: 0,
            gross_minor: 0,
            refunds_minor: 0,
            net_minor: 0,
        });
        if p.kind == PaymentKind::Refund {
            let refund = -p.amount_minor;
            self.totals.refunds_minor += refund;
            if p.order_status == OrderStatus::Cancelled {
                self.totals.refunds_for_cancellations_minor += refund;
            } else {
                self.totals.refunds_for_returns_minor += refund;
            }
            row.refunds_minor += refund;
            method.refunds_minor += refund;
            return;
        }
        self.totals.paid_orders += 1;
        self.totals.gross_minor += p.amount_minor;
        row.paid_orders += 1;
        row.gross_minor += p.amount_minor;
        method.payments += 1;
        method.gross_minor += p.amount_minor;
        let channel = self.channels.entry(p.channel.as_str()).or_insert(ChannelRow {
            channel: p.channel,
            paid_orders: 0,
            gross_minor: 0,
        });
        channel.paid_orders += 1;
        channel.gross_minor += p.amount_minor;
    }
}

impl DayRow {
    fn empty(date: Date) -> DayRow {
        DayRow { date, paid_orders: 0, gross_minor: 0, refunds_minor: 0, net_minor: 0 }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StockRow {
    pub sku: String,
    pub name: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
    pub price_minor: i64,
    pub value_minor: i64,
    pub low: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StockTotals {
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
    pub value_minor: i64,
    pub low: i64,
}

/// Stock as of the report's making (the period does not apply).
#[derive(Clone, Debug)]
pub struct StockReport {
    pub rows: Vec<StockRow>,
    pub totals: StockTotals,
}

impl StockReport {
    pub fn build(snapshot: &ReadSnapshot) -> Result<Self, ReportError> {
        let mut totals = StockTotals::default();
        let rows: Vec<StockRow> = snapshot
            .stock_values()?
            .into_iter()
            .map(|s| {
                let available = s.on_hand - s.reserved;
                let low = available <= s.low_stock_threshold.unwrap_or(DEFAULT_LOW_STOCK);
                let value_minor = s.on_hand.max(0) * s.price_minor;
                totals.on_hand += s.on_hand;
                totals.reserved += s.reserved;
                totals.available += available;
                totals.value_minor += value_minor;
                totals.low += i64::from(low);
                StockRow {
                    sku: s.sku,
                    name: s.name,
                    on_hand: s.on_hand,
                    reserved: s.reserved,
                    available,
                    price_minor: s.price_minor,
                    value_minor,
                    low,
                }
            })
            .collect();
        Ok(StockReport { rows, totals })
    }
}

/// `-1353027.70` -> `-1,353,027.70`.
fn group_thousands(plain: &str) -> String {
    let (sign, digits) = plain.strip_prefix('-').map_or(("", plain), |d| ("-", d));
    let (whole, fraction) = digits.split_once('.').map_or((digits, None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::group_thousands;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands("1353027.70"), "1,353,027.70");
        assert_eq!(group_thousands("-1000"), "-1,000");
        assert_eq!(group_thousands("999.5"), "999.5");
        assert_eq!(group_thousands("0.07"), "0.07");
    }
}
