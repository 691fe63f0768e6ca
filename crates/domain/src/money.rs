//! Money: integer minor units with an ISO 4217 currency. Never floating point.
//!
//! Amounts cross process boundaries (JSON, the UI) as decimal strings, because JavaScript numbers
//! cannot hold every `i64`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An ISO 4217 currency with a fixed number of decimals (its exponent). Serialised as its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(type = String))]
pub struct Currency {
    iso: iso_currency::Currency,
    decimals: u8,
}

impl Currency {
    /// Looks a currency up by its three-letter code (`CNY`, `JPY`, ...). Currencies without
    /// decimal minor units (gold, SDR, ...) are refused: a store cannot price goods in them.
    pub fn from_code(code: &str) -> Result<Self, MoneyError> {
        let unknown = || MoneyError::UnknownCurrency(code.to_string());
        let iso = iso_currency::Currency::from_code(&code.to_ascii_uppercase()).ok_or_else(unknown)?;
        let decimals = iso.exponent().ok_or_else(unknown)?;
        let decimals = u8::try_from(decimals).map_err(|_| unknown())?;
        if decimals > 4 {
            return Err(unknown());
        }
        Ok(Self { iso, decimals })
    }

    pub fn code(&self) -> &'static str {
        self.iso.code()
    }

    /// Digits after the decimal point: 2 for CNY, 0 for JPY, 3 for KWD.
    pub fn decimals(&self) -> u8 {
        self.decimals
    }

    fn scale(&self) -> i64 {
        10_i64.pow(u32::from(self.decimals))
    }

    /// Parses a major-unit amount such as `12.50` into minor units (`1250` for CNY).
    ///
    /// Accepts an optional leading `-`, digits, and at most [`Self::decimals`] digits after a `.`.
    /// Anything else is an error that says what was wrong.
    pub fn parse_major(&self, text: &str) -> Result<i64, MoneyError> {
        let invalid = || MoneyError::Invalid(text.to_string());
        let trimmed = text.trim();
        let (negative, digits) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let (whole, fraction) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return Err(invalid());
        }
        if digits.contains('.') && fraction.is_empty() {
            return Err(invalid());
        }
        if fraction.len() > usize::from(self.decimals) {
            return Err(MoneyError::TooManyDecimals {
                text: text.to_string(),
                currency: self.code(),
                decimals: self.decimals,
            });
        }
        let overflow = || MoneyError::Overflow(text.to_string());
        let whole: i64 = whole.parse().map_err(|_| overflow())?;
        let padded = format!("{fraction:0<width$}", width = usize::from(self.decimals));
        let fraction: i64 = if padded.is_empty() { 0 } else { padded.parse().map_err(|_| invalid())? };
        let minor =
            whole.checked_mul(self.scale()).and_then(|m| m.checked_add(fraction)).ok_or_else(overflow)?;
        Ok(if negative { -minor } else { minor })
    }

    /// Formats minor units as a major-unit decimal string: `1250` -> `12.50` (CNY).
    pub fn format_minor(&self, minor: i64) -> String {
        if self.decimals == 0 {
            return minor.to_string();
        }
        let scale = self.scale().unsigned_abs();
        let abs = minor.unsigned_abs();
        let sign = if minor < 0 { "-" } else { "" };
        format!("{sign}{}.{:0width$}", abs / scale, abs % scale, width = usize::from(self.decimals))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Currency::from_code(&code).map_err(serde::de::Error::custom)
    }
}

/// An amount in minor units of one currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// `price * qty`, refusing amounts that do not fit in an `i64`.
    pub fn times(self, qty: i64) -> Result<Self, MoneyError> {
        let minor =
            self.minor.checked_mul(qty).ok_or_else(|| MoneyError::Overflow(format!("{} x {qty}", self)))?;
        Ok(Self::new(minor, self.currency))
    }

    pub fn plus(self, other: Money) -> Result<Self, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency.code(), other.currency.code()));
        }
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or_else(|| MoneyError::Overflow(format!("{self} + {other}")))?;
        Ok(Self::new(minor, self.currency))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.currency.format_minor(self.minor), self.currency)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("unknown currency code {0:?} (expected an ISO 4217 code such as CNY, USD, JPY)")]
    UnknownCurrency(String),
    #[error("{0:?} is not an amount (expected digits with an optional decimal point, e.g. 12.50)")]
    Invalid(String),
    #[error("{text:?} has more decimals than {currency} allows ({decimals})")]
    TooManyDecimals { text: String, currency: &'static str, decimals: u8 },
    #[error("amount {0} is too large")]
    Overflow(String),
    #[error("cannot add amounts in {0} and {1}")]
    CurrencyMismatch(&'static str, &'static str),
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cny() -> Currency {
        Currency::from_code("CNY").expect("CNY is ISO 4217")
    }

    #[test]
    fn parses_major_units_into_minor_units() {
        let cny = cny();
        assert_eq!(cny.parse_major("12.50"), Ok(1250));
        assert_eq!(cny.parse_major("12.5"), Ok(1250));
        assert_eq!(cny.parse_major("12"), Ok(1200));
        assert_eq!(cny.parse_major("0.07"), Ok(7));
        assert_eq!(cny.parse_major("-3.10"), Ok(-310));
        let jpy = Currency::from_code("jpy").expect("JPY");
        assert_eq!(jpy.parse_major("980"), Ok(980));
        let kwd = Currency::from_code("KWD").expect("KWD");
        assert_eq!(kwd.parse_major("1.234"), Ok(1234));
    }

    #[test]
    fn refuses_more_decimals_than_the_currency_has() {
        let err = cny().parse_major("12.505").unwrap_err();
        assert!(matches!(err, MoneyError::TooManyDecimals { decimals: 2, .. }));
        assert_eq!(err.to_string(), "\"12.505\" has more decimals than CNY allows (2)");
        let jpy = Currency::from_code("JPY").expect("JPY");
        assert!(matches!(jpy.parse_major("1.5"), Err(MoneyError::TooManyDecimals { .. })));
    }

    #[test]
    fn refuses_text_that_is_not_an_amount() {
        for bad in ["", "abc", "1,50", "1.", ".5", "1.2.3", "--1", "1e3", "+1", " 1 2"] {
            assert!(matches!(cny().parse_major(bad), Err(MoneyError::Invalid(_))), "{bad:?}");
        }
        assert!(matches!(cny().parse_major("99999999999999999999"), Err(MoneyError::Overflow(_))));
    }

    #[test]
    fn unknown_currencies_are_refused() {
        assert!(matches!(Currency::from_code("XXX"), Err(MoneyError::UnknownCurrency(_))));
        assert!(matches!(Currency::from_code("ABC"), Err(MoneyError::UnknownCurrency(_))));
    }

    #[test]
    fn money_arithmetic_checks_overflow_and_currency() {
        let cny = cny();
        let usd = Currency::from_code("USD").expect("USD");
        assert_eq!(Money::new(250, cny).times(3), Ok(Money::new(750, cny)));
        assert!(Money::new(i64::MAX, cny).times(2).is_err());
        assert!(Money::new(1, cny).plus(Money::new(1, usd)).is_err());
        assert_eq!(Money::new(1250, cny).to_string(), "12.50 CNY");
    }

    proptest! {
        #[test]
        fn format_then_parse_is_identity(minor in -1_000_000_000_000_i64..1_000_000_000_000, code in prop::sample::select(vec!["CNY", "JPY", "KWD", "USD"])) {
            let currency = Currency::from_code(code).expect("known");
            prop_assert_eq!(currency.parse_major(&currency.format_minor(minor)), Ok(minor));
        }
    }
}
