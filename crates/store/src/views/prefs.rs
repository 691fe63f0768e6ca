//! The operator's preferences: the store-wide low-stock threshold and the language.

use crate::Store;
use crate::error::{Result, StoreError};
use crate::sync_state::prefs;

/// The store-wide low-stock threshold where a product has none of its own.
pub const DEFAULT_LOW_STOCK_THRESHOLD: i64 = 5;

impl Store {
    /// The store-wide low-stock threshold.
    pub fn low_stock_threshold(&self) -> Result<i64> {
        Ok(self
            .sync_value(prefs::LOW_STOCK_THRESHOLD)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_LOW_STOCK_THRESHOLD))
    }

    pub fn set_low_stock_threshold(&self, threshold: i64) -> Result<()> {
        if !(0..=1_000_000).contains(&threshold) {
            return Err(StoreError::Invalid(format!(
                "the low-stock threshold must be 0 or more (got {threshold})"
            )));
        }
        self.set_sync_value(prefs::LOW_STOCK_THRESHOLD, &threshold.to_string())
    }

    /// The language the operator chose (`en`, `zh-CN`), if any.
    pub fn language(&self) -> Result<Option<String>> {
        self.sync_value(prefs::LANGUAGE)
    }

    pub fn set_language(&self, language: &str) -> Result<()> {
        match language {
            "en" | "zh-CN" => self.set_sync_value(prefs::LANGUAGE, language),
            other => Err(StoreError::Invalid(format!("unknown language {other:?} (expected en or zh-CN)"))),
        }
    }
}
