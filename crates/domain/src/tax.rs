//! Taxes and discounts on an order, in integer minor units — one rule, documented here and used by
//! the till and by central (which recomputes every event's figures from its prices and rates).
//!
//! - A rate is kept in basis points ([`TaxRate`]: `13` % is 1300, `5.5` % is 550).
//! - A store's prices either include tax or not ([`Prices`]).
//! - Discounts come off the price first: a line's discount off that line, then the order's
//!   discount split over the lines in proportion to what they come to (the largest remainders
//!   take the odd minor units, so the parts add up exactly to the discount).
//! - **Rounding: per rate, half up.** The discounted amounts of all lines of one rate are added,
//!   and that sum's tax is rounded once, half away from zero: with prices including tax,
//!   `tax = round(gross × r / (10000 + r))`; without, `tax = round(net × r / 10000)`. Each line's
//!   own tax (for receipts) is its proportional share of its rate's tax, split the same exact way,
//!   so line taxes add up to the tax per rate.
//! - Every sum is checked: an overflow is an error, never a wrapped number.

use std::collections::BTreeMap;
use std::fmt;

/// A tax rate in basis points (hundredths of a percent), 0 to 100 %.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(try_from = "u32", into = "u32")]
pub struct TaxRate(u32);

impl TaxRate {
    pub const ZERO: TaxRate = TaxRate(0);
    pub const MAX_BASIS_POINTS: u32 = 10_000;

    pub fn from_basis_points(bp: u32) -> Result<TaxRate, TaxError> {
        if bp > Self::MAX_BASIS_POINTS {
            return Err(TaxError::BadRate(format!("{bp} basis points")));
        }
        Ok(TaxRate(bp))
    }

    /// A percent as typed: `13`, `9`, `5.5`, `0`, `6.25` (at most two decimals, at most 100).
    pub fn parse_percent(text: &str) -> Result<TaxRate, TaxError> {
        let t = text.trim().trim_end_matches('%').trim();
        let bad = || TaxError::BadRate(format!("{text:?} (a percent from 0 to 100, at most two decimals)"));
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        if t.ends_with('.')
            || whole.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || frac.len() > 2
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let whole: u32 = whole.parse().map_err(|_| bad())?;
        let frac: u32 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(frac))
            .filter(|bp| *bp <= Self::MAX_BASIS_POINTS)
            .map(TaxRate)
            .ok_or_else(bad)
    }

    pub fn basis_points(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for TaxRate {
    type Error = TaxError;
    fn try_from(bp: u32) -> Result<Self, Self::Error> {
        TaxRate::from_basis_points(bp)
    }
}

impl From<TaxRate> for u32 {
    fn from(rate: TaxRate) -> u32 {
        rate.0
    }
}

impl fmt::Display for TaxRate {
    /// `13%`, `5.5%`, `6.25%`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, frac) = (self.0 / 100, self.0 % 100);
        match frac {
            0 => write!(f, "{whole}%"),
            f10 if f10 % 10 == 0 => write!(f, "{whole}.{}%", f10 / 10),
            _ => write!(f, "{whole}.{frac:02}%"),
        }
    }
}

/// Whether a store's prices include tax.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Prices {
    IncludeTax,
    ExcludeTax,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TaxError {
    #[error("tax rate {0} is not a rate")]
    BadRate(String),
    #[error("{0} overflows")]
    Overflow(&'static str),
    #[error("a discount of {discount} is more than the {what} it comes off ({amount})")]
    DiscountTooLarge { what: &'static str, discount: i64, amount: i64 },
    #[error("{0} cannot be negative")]
    Negative(&'static str),
}

/// One line as priced: unit price (as the store shows prices), quantity, rate, and the line's own
/// discount in minor units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PricedLine {
    pub unit_price_minor: i64,
    pub qty: i64,
    pub rate: TaxRate,
    pub discount_minor: i64,
}

/// What one line comes to after both discounts, and its share of its rate's tax.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LineTotals {
    /// Price × quantity, before discounts.
    pub amount_minor: i64,
    /// The line's discount and its share of the order's.
    pub discount_minor: i64,
    pub net_minor: i64,
    pub tax_minor: i64,
    pub gross_minor: i64,
}

/// One rate's figures on an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RateTotals {
    pub rate: TaxRate,
    pub net_minor: i64,
    pub tax_minor: i64,
    pub gross_minor: i64,
}

/// An order's figures: per line, per rate, and in all.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct OrderTotals {
    pub lines: Vec<LineTotals>,
    /// By rate, lowest first.
    pub rates: Vec<RateTotals>,
    pub discount_minor: i64,
    pub net_minor: i64,
    pub tax_minor: i64,
    pub gross_minor: i64,
}

/// `value × num / den`, rounded half away from zero (`den` > 0).
fn mul_div_round(value: i64, num: i64, den: i64) -> Result<i64, TaxError> {
    let product = i128::from(value) * i128::from(num);
    let den = i128::from(den);
    let (q, r) = (product / den, product % den);
    let q = if 2 * r.abs() >= den { q + product.signum() } else { q };
    i64::try_from(q).map_err(|_| TaxError::Overflow("a tax"))
}

/// Splits `total` over `weights` in proportion, exactly: the floor of each share, then the odd
/// units one by one to the largest remainders (earlier lines first on ties).
pub fn split_in_proportion(total: i64, weights: &[i64]) -> Result<Vec<i64>, TaxError> {
    let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if sum == 0 {
        let mut parts = vec![0; weights.len()];
        if let Some(first) = parts.first_mut() {
            *first = total;
        }
        return Ok(parts);
    }
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let product = i128::from(total) * i128::from(*w);
        parts.push(i64::try_from(product.div_euclid(sum)).map_err(|_| TaxError::Overflow("a share"))?);
        remainders.push((product.rem_euclid(sum), i));
    }
    let given: i128 = parts.iter().map(|p| i128::from(*p)).sum();
    let mut left = i128::from(total) - given;
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders {
        if left <= 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    Ok(parts)
}

/// An order's figures under the store's `prices` rule, with an order discount in minor units.
pub fn order_totals(
    prices: Prices,
    lines: &[PricedLine],
    order_discount_minor: i64,
) -> Result<OrderTotals, TaxError> {
    let (amounts, discounted) = discounted_amounts(lines, order_discount_minor)?;
    let (rates, line_tax) = rate_totals(prices, lines, &discounted)?;
    let lines: Vec<LineTotals> = (0..lines.len())
        .map(|i| {
            let (net, gross) = match prices {
                Prices::IncludeTax => (discounted[i] - line_tax[i], discounted[i]),
                Prices::ExcludeTax => (discounted[i], discounted[i] + line_tax[i]),
            };
            LineTotals {
                amount_minor: amounts[i],
                discount_minor: amounts[i] - discounted[i],
                net_minor: net,
                tax_minor: line_tax[i],
                gross_minor: gross,
            }
        })
        .collect();
    Ok(OrderTotals {
        discount_minor: checked_sum(lines.iter().map(|l| l.discount_minor))?,
        net_minor: checked_sum(rates.iter().map(|r| r.net_minor))?,
        tax_minor: checked_sum(rates.iter().map(|r| r.tax_minor))?,
        gross_minor: checked_sum(rates.iter().map(|r| r.gross_minor))?,
        lines,
        rates,
    })
}

fn checked_sum(values: impl IntoIterator<Item = i64>) -> Result<i64, TaxError> {
    values.into_iter().try_fold(0_i64, i64::checked_add).ok_or(TaxError::Overflow("the order's totals"))
}

/// Each line's amount (price x quantity), and what it comes to after its own discount and its
/// share of the order's.
fn discounted_amounts(
    lines: &[PricedLine],
    order_discount_minor: i64,
) -> Result<(Vec<i64>, Vec<i64>), TaxError> {
    if order_discount_minor < 0 {
        return Err(TaxError::Negative("the order's discount"));
    }
    let mut amounts = Vec::with_capacity(lines.len());
    let mut after_line = Vec::with_capacity(lines.len());
    for l in lines {
        if l.unit_price_minor < 0 || l.qty < 0 || l.discount_minor < 0 {
            return Err(TaxError::Negative("a line's price, quantity or discount"));
        }
        let amount = l.unit_price_minor.checked_mul(l.qty).ok_or(TaxError::Overflow("a line's amount"))?;
        if l.discount_minor > amount {
            return Err(TaxError::DiscountTooLarge { what: "line", discount: l.discount_minor, amount });
        }
        amounts.push(amount);
        after_line.push(amount - l.discount_minor);
    }
    let subtotal = after_line
        .iter()
        .try_fold(0_i64, |s, a| s.checked_add(*a))
        .ok_or(TaxError::Overflow("the order's amount"))?;
    if order_discount_minor > subtotal {
        return Err(TaxError::DiscountTooLarge {
            what: "order",
            discount: order_discount_minor,
            amount: subtotal,
        });
    }
    let shares = split_in_proportion(order_discount_minor, &after_line)?;
    let discounted = after_line.iter().zip(&shares).map(|(a, s)| a - s).collect();
    Ok((amounts, discounted))
}

/// Per rate: the discounted amounts summed, their tax rounded once (half up); and each line's
/// share of its rate's tax.
fn rate_totals(
    prices: Prices,
    lines: &[PricedLine],
    discounted: &[i64],
) -> Result<(Vec<RateTotals>, Vec<i64>), TaxError> {
    let mut by_rate: BTreeMap<TaxRate, Vec<usize>> = BTreeMap::new();
    for (i, l) in lines.iter().enumerate() {
        by_rate.entry(l.rate).or_default().push(i);
    }
    let mut line_tax = vec![0_i64; lines.len()];
    let mut rates = Vec::with_capacity(by_rate.len());
    for (rate, members) in &by_rate {
        let weights: Vec<i64> = members.iter().map(|i| discounted[*i]).collect();
        let base = weights
            .iter()
            .try_fold(0_i64, |s, w| s.checked_add(*w))
            .ok_or(TaxError::Overflow("a rate's amount"))?;
        let r = i64::from(rate.basis_points());
        let tax = match prices {
            Prices::IncludeTax => mul_div_round(base, r, 10_000 + r)?,
            Prices::ExcludeTax => mul_div_round(base, r, 10_000)?,
        };
        for (i, t) in members.iter().zip(split_in_proportion(tax, &weights)?) {
            line_tax[*i] = t;
        }
        let (net, gross) = match prices {
            Prices::IncludeTax => (base - tax, base),
            Prices::ExcludeTax => (base, base.checked_add(tax).ok_or(TaxError::Overflow("a rate's gross"))?),
        };
        rates.push(RateTotals { rate: *rate, net_minor: net, tax_minor: tax, gross_minor: gross });
    }
    Ok((rates, line_tax))
}
