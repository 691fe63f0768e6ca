//! Barcodes on goods: EAN-13, EAN-8, UPC-A and GTIN-14 (all digits, their check digit verified),
//! or a shop's own code (letters, digits and `-._/`, up to 32), taken as it is. A product may
//! carry several; a scanner types one followed by Enter.

use std::fmt;

/// A checked barcode.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(try_from = "String", into = "String")]
pub struct Barcode(String);

/// What kind of code it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Symbology {
    Ean13,
    Ean8,
    UpcA,
    Gtin14,
    /// A code without a check digit this program knows (Code 128, a shop's own labels).
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BarcodeError {
    #[error("barcode {code:?}: the check digit should be {expected} for an {kind}")]
    CheckDigit { code: String, kind: &'static str, expected: u8 },
    #[error("barcode {0:?} is not a barcode (digits, letters and -._/, 1 to 32)")]
    Malformed(String),
}

/// The GS1 check digit of `digits` (all but the last): weights 3 and 1 from the right.
fn check_digit(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| u32::from(d - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl Barcode {
    pub fn parse(text: &str) -> Result<Barcode, BarcodeError> {
        let code = text.trim();
        let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '/');
        if code.is_empty() || code.len() > 32 || !code.chars().all(ok_char) {
            return Err(BarcodeError::Malformed(text.chars().take(40).collect()));
        }
        let bytes = code.as_bytes();
        if bytes.iter().all(u8::is_ascii_digit)
            && let Some(kind) = Self::gtin_kind(bytes.len())
        {
            let (body, last) = bytes.split_at(bytes.len() - 1);
            let expected = check_digit(body);
            if last[0] - b'0' != expected {
                return Err(BarcodeError::CheckDigit { code: code.to_string(), kind, expected });
            }
        }
        Ok(Barcode(code.to_ascii_uppercase()))
    }

    fn gtin_kind(len: usize) -> Option<&'static str> {
        match len {
            8 => Some("EAN-8"),
            12 => Some("UPC-A"),
            13 => Some("EAN-13"),
            14 => Some("GTIN-14"),
            _ => None,
        }
    }

    pub fn symbology(&self) -> Symbology {
        if !self.0.bytes().all(|b| b.is_ascii_digit()) {
            return Symbology::Other;
        }
        match self.0.len() {
            8 => Symbology::Ean8,
            12 => Symbology::UpcA,
            13 => Symbology::Ean13,
            14 => Symbology::Gtin14,
            _ => Symbology::Other,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Barcode {
    type Error = BarcodeError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Barcode::parse(&text)
    }
}

impl From<Barcode> for String {
    fn from(code: Barcode) -> String {
        code.0
    }
}

impl fmt::Display for Barcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gs1_codes_are_checked_and_others_taken_as_they_are() {
        for (code, kind) in [
            ("4006381333931", Symbology::Ean13),
            ("6901234567892", Symbology::Ean13),
            ("96385074", Symbology::Ean8),
            ("036000291452", Symbology::UpcA),
            ("10614141000415", Symbology::Gtin14),
            ("TEA-001", Symbology::Other),
            ("12345", Symbology::Other),
        ] {
            assert_eq!(Barcode::parse(code).map(|b| b.symbology()), Ok(kind), "{code}");
        }
        assert_eq!(
            Barcode::parse("4006381333932"),
            Err(BarcodeError::CheckDigit { code: "4006381333932".into(), kind: "EAN-13", expected: 1 })
        );
        assert!(matches!(Barcode::parse("96385075"), Err(BarcodeError::CheckDigit { kind: "EAN-8", .. })));
        assert!(matches!(
            Barcode::parse("036000291453"),
            Err(BarcodeError::CheckDigit { kind: "UPC-A", .. })
        ));
        for bad in ["", "  ", "has space", "ä123", &"9".repeat(33)] {
            assert!(matches!(Barcode::parse(bad), Err(BarcodeError::Malformed(_))), "{bad:?}");
        }
        assert_eq!(Barcode::parse(" tea-001 ").map(String::from), Ok("TEA-001".to_string()));
    }
}
