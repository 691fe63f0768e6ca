//! Report periods: whole days in the store's time zone.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use storedesk_store::reporting::Period;

use crate::ReportError;

/// From the start of `from` to the end of `to`, both inclusive, as local dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportPeriod {
    pub from: Date,
    pub to: Date,
}

/// A date as an operator types it: `YYYY-MM-DD`.
pub fn parse_date(what: &str, text: &str) -> Result<Date, ReportError> {
    let trimmed = text.trim();
    let ok = trimmed.len() == 10 && trimmed.as_bytes()[4] == b'-' && trimmed.as_bytes()[7] == b'-';
    trimmed.parse::<Date>().ok().filter(|_| ok).ok_or_else(|| {
        ReportError::Invalid(format!("{what} {text:?} is not a date (expected YYYY-MM-DD, e.g. 2026-11-27)"))
    })
}

impl ReportPeriod {
    pub fn new(from: Date, to: Date) -> Result<Self, ReportError> {
        if from > to {
            return Err(ReportError::Invalid(format!("--from {from} is after --to {to}")));
        }
        Ok(ReportPeriod { from, to })
    }

    /// Parses `--from` and `--to`.
    pub fn parse(from: &str, to: &str) -> Result<Self, ReportError> {
        Self::new(parse_date("--from", from)?, parse_date("--to", to)?)
    }

    /// The period in Unix milliseconds: `[start of from, start of the day after to)` in `tz`.
    pub fn in_zone(&self, tz: &TimeZone) -> Result<Period, ReportError> {
        let start = |d: Date| -> Result<i64, ReportError> {
            Ok(d.to_zoned(tz.clone())
                .map_err(|e| ReportError::Invalid(format!("{d}: {e}")))?
                .timestamp()
                .as_millisecond())
        };
        let after = self.to.tomorrow().map_err(|e| ReportError::Invalid(format!("{}: {e}", self.to)))?;
        Ok(Period { from_ms: start(self.from)?, to_ms: start(after)? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_whole_local_days() {
        let p = ReportPeriod::parse("2026-11-01", "2026-11-30").expect("valid");
        let tz = TimeZone::get("Asia/Shanghai").expect("tz");
        let period = p.in_zone(&tz).expect("period");
        let midnight_in_shanghai: jiff::Timestamp = "2026-10-31T16:00:00Z".parse().expect("ts");
        assert_eq!(period.from_ms, midnight_in_shanghai.as_millisecond());
        assert_eq!(period.to_ms - period.from_ms, 30 * 86_400_000);
    }

    #[test]
    fn bad_dates_and_ranges_are_explained() {
        let err = ReportPeriod::parse("2026-12-01", "2026-11-01").unwrap_err();
        assert_eq!(err.to_string(), "--from 2026-12-01 is after --to 2026-11-01");
        let err = ReportPeriod::parse("2026-13-01", "2026-11-01").unwrap_err();
        assert_eq!(
            err.to_string(),
            "--from \"2026-13-01\" is not a date (expected YYYY-MM-DD, e.g. 2026-11-27)"
        );
        assert!(ReportPeriod::parse("2026-11-01", "27/11/2026").is_err());
        assert!(ReportPeriod::parse("2026-2-1", "2026-11-01").is_err());
    }
}
