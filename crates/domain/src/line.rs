//! Order lines as an operator types them: `SKU=QTY`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The largest quantity one line may carry; a guard against typos such as `SKU=10000000`.
pub const MAX_QTY: i64 = 1_000_000;

/// A product's stock-keeping unit: non-empty, at most 64 characters, no whitespace or `=`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "specta", specta(type = String))]
pub struct Sku(String);

impl Sku {
    pub fn parse(text: &str) -> Result<Self, LineError> {
        let sku = text.trim();
        if sku.is_empty() || sku.chars().count() > 64 || sku.chars().any(|c| c.is_whitespace() || c == '=') {
            return Err(LineError::BadSku(text.to_string()));
        }
        Ok(Self(sku.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Sku {
    type Err = LineError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl TryFrom<String> for Sku {
    type Error = LineError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Sku> for String {
    fn from(sku: Sku) -> Self {
        sku.0
    }
}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A positive quantity of units, at most [`MAX_QTY`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(try_from = "i64", into = "i64")]
#[cfg_attr(feature = "specta", specta(type = i32))]
pub struct Qty(i64);

impl Qty {
    pub fn new(units: i64) -> Result<Self, LineError> {
        if units <= 0 || units > MAX_QTY {
            return Err(LineError::BadQty(units.to_string()));
        }
        Ok(Self(units))
    }

    pub fn parse(text: &str) -> Result<Self, LineError> {
        let units: i64 = text.trim().parse().map_err(|_| LineError::BadQty(text.to_string()))?;
        Self::new(units)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl TryFrom<i64> for Qty {
    type Error = LineError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Qty> for i64 {
    fn from(qty: Qty) -> Self {
        qty.0
    }
}

/// Parses `SKU=QTY` as typed on the command line.
pub fn parse_line(text: &str) -> Result<(Sku, Qty), LineError> {
    let (sku, qty) = text.split_once('=').ok_or_else(|| LineError::BadLine(text.to_string()))?;
    Ok((Sku::parse(sku)?, Qty::parse(qty)?))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("line {0:?} is not SKU=QTY")]
    BadLine(String),
    #[error("SKU {0:?} is invalid (1 to 64 characters, no spaces or '=')")]
    BadSku(String),
    #[error("quantity {0:?} is invalid (a whole number from 1 to {MAX_QTY})")]
    BadQty(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sku_equals_qty() {
        let (sku, qty) = parse_line("TEA-001=3").expect("valid");
        assert_eq!(sku.as_str(), "TEA-001");
        assert_eq!(qty.get(), 3);
    }

    #[test]
    fn refuses_zero_negative_and_non_numbers() {
        for bad in ["TEA=0", "TEA=-2", "TEA=two", "TEA=1.5", "TEA=", "TEA=1000001"] {
            assert!(matches!(parse_line(bad), Err(LineError::BadQty(_))), "{bad}");
        }
        assert!(matches!(parse_line("TEA"), Err(LineError::BadLine(_))));
        assert!(matches!(parse_line("=3"), Err(LineError::BadSku(_))));
        assert_eq!(
            parse_line("TEA=0").unwrap_err().to_string(),
            "quantity \"0\" is invalid (a whole number from 1 to 1000000)"
        );
    }
}
