//! Identifiers: UUID v7 ids (made by the caller, who owns the clock: this crate reads none), store
//! codes and human order numbers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim())
                    .map(Self)
                    .map_err(|_| IdError::NotAnId { what: $what, text: s.to_string() })
            }
        }
    };
}

uuid_id!(
    /// An order's id: its idempotency key from the device to central and back.
    OrderId,
    "order id"
);
uuid_id!(
    /// An outbox event's id: central's inbox deduplicates on it.
    EventId,
    "event id"
);

/// A store's short code, used in order numbers: 2 to 12 characters, `A-Z`, `0-9`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "specta", specta(type = String))]
pub struct StoreCode(String);

impl StoreCode {
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let code = text.trim().to_ascii_uppercase();
        let ok = (2..=12).contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if ok { Ok(Self(code)) } else { Err(IdError::BadStoreCode(text.to_string())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for StoreCode {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<StoreCode> for String {
    fn from(code: StoreCode) -> Self {
        code.0
    }
}

impl fmt::Display for StoreCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The number an operator reads out: `<STORE>-<YYYYMMDD>-<NNNN>`, counting from 1 each day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderNumber(String);

impl OrderNumber {
    /// `day` is the store's local date as `YYYYMMDD`; `seq` is that day's running count.
    pub fn new(store: &StoreCode, year: i16, month: i8, day: i8, seq: u32) -> Self {
        Self(format!("{store}-{year:04}{month:02}{day:02}-{seq:04}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrderNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("{text:?} is not a valid {what} (expected a UUID)")]
    NotAnId { what: &'static str, text: String },
    #[error("store code {0:?} is invalid (2 to 12 letters A-Z or digits)")]
    BadStoreCode(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_numbers_have_store_date_and_four_digit_sequence() {
        let store = StoreCode::parse("sh01").expect("valid");
        assert_eq!(OrderNumber::new(&store, 2026, 11, 7, 42).as_str(), "SH01-20261107-0042");
        assert_eq!(OrderNumber::new(&store, 2026, 1, 1, 12345).as_str(), "SH01-20260101-12345");
    }

    #[test]
    fn store_codes_are_validated() {
        assert!(StoreCode::parse("A").is_err());
        assert!(StoreCode::parse("SH-01").is_err());
        assert!(StoreCode::parse("ABCDEFGHIJKLM").is_err());
        assert_eq!(StoreCode::parse(" bj2 ").expect("valid").as_str(), "BJ2");
    }

    #[test]
    fn ids_read_back_what_they_print_and_refuse_anything_else() {
        let a: OrderId = "01a21b17-303d-744e-bdc7-f36cebb3883c".parse().expect("an id");
        let b: OrderId = " 01a21b17-303d-744e-bdc7-f36cebb38840 ".parse().expect("an id, blanks trimmed");
        assert_eq!(a.0.get_version_num(), 7);
        assert!(a < b, "v7 ids order by their time");
        assert_eq!(a.to_string().parse::<OrderId>(), Ok(a));
        let err = "nope".parse::<OrderId>().unwrap_err();
        assert_eq!(err.to_string(), "\"nope\" is not a valid order id (expected a UUID)");
    }
}
