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

/// A staff member's code within a store, as recorded on every step: 1 to 16 characters, `A-Z`,
/// `0-9`, `-`, `_` (typed in any case, kept in upper case).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "specta", specta(type = String))]
pub struct StaffCode(String);

impl StaffCode {
    /// The most characters of a code.
    pub const MAX_LEN: usize = 16;

    pub fn parse(text: &str) -> Result<Self, IdError> {
        let code = text.trim().to_ascii_uppercase();
        let ok = (1..=Self::MAX_LEN).contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok { Ok(Self(code)) } else { Err(IdError::BadStaffCode(text.chars().take(40).collect())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for StaffCode {
    type Err = IdError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl TryFrom<String> for StaffCode {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<StaffCode> for String {
    fn from(code: StaffCode) -> Self {
        code.0
    }
}

impl fmt::Display for StaffCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A till of a store: `T1`, `T2`, ... — central assigns the number, never reused in the store; a
/// stand-alone store's device is `T1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "specta", specta(type = String))]
pub struct TillCode(u32);

impl TillCode {
    /// The most tills a store may have.
    pub const MAX: u32 = 9_999;
    pub const FIRST: TillCode = TillCode(1);

    pub fn new(number: u32) -> Result<Self, IdError> {
        if (1..=Self::MAX).contains(&number) {
            Ok(Self(number))
        } else {
            Err(IdError::BadTillCode(format!("T{number}")))
        }
    }

    /// `T3` (or `t3`).
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let bad = || IdError::BadTillCode(text.to_string());
        let digits = text.trim().strip_prefix(['T', 't']).ok_or_else(bad)?;
        if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        Self::new(digits.parse().map_err(|_| bad())?).map_err(|_| bad())
    }

    pub fn number(self) -> u32 {
        self.0
    }
}

impl TryFrom<String> for TillCode {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TillCode> for String {
    fn from(code: TillCode) -> Self {
        code.to_string()
    }
}

impl fmt::Display for TillCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "T{}", self.0)
    }
}

/// The number an operator reads out: `<STORE>-<TILL>-<YYYYMMDD>-<NNNN>`, counting from 1 each day
/// on each till, so tills draw numbers offline without ever repeating one in the store. (Numbers
/// given before tills existed, `<STORE>-<YYYYMMDD>-<NNNN>`, stay as they are.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderNumber(String);

impl OrderNumber {
    /// The store's local date; `seq` is that day's running count on the till.
    pub fn new(store: &StoreCode, till: TillCode, (year, month, day): (i16, i8, i8), seq: u32) -> Self {
        Self(format!("{store}-{till}-{year:04}{month:02}{day:02}-{seq:04}"))
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
    #[error("till code {0:?} is invalid (T and a number from 1 to 9999, e.g. T2)")]
    BadTillCode(String),
    #[error("staff code {0:?} is invalid (1 to 16 letters A-Z, digits, - or _)")]
    BadStaffCode(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_codes_are_short_upper_case_names() {
        assert_eq!(StaffCode::parse(" ann-1 ").expect("valid").as_str(), "ANN-1");
        for bad in ["", "a b", "ÄNN", "x".repeat(17).as_str(), "bob;"] {
            assert!(StaffCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn order_numbers_have_store_till_date_and_four_digit_sequence() {
        let store = StoreCode::parse("sh01").expect("valid");
        let t2 = TillCode::parse("T2").expect("valid");
        assert_eq!(OrderNumber::new(&store, t2, (2026, 11, 7), 42).as_str(), "SH01-T2-20261107-0042");
        assert_eq!(
            OrderNumber::new(&store, TillCode::FIRST, (2026, 1, 1), 12345).as_str(),
            "SH01-T1-20260101-12345"
        );
    }

    #[test]
    fn till_codes_are_t_and_a_number() {
        assert_eq!(TillCode::parse(" t12 ").map(|t| t.to_string()), Ok("T12".to_string()));
        for bad in ["", "T", "T0", "T01", "2", "T-1", "T10000", "TX", "T99999999999"] {
            assert!(TillCode::parse(bad).is_err(), "{bad:?}");
        }
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
