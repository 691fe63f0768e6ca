//! The store's identity: its code (used in order numbers), name, currency and time zone.

use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use storedesk_domain::{Currency, StoreCode};

use crate::Store;
use crate::error::{Result, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StoreSettings {
    pub code: StoreCode,
    pub name: String,
    pub currency: Currency,
    /// IANA time zone name; order numbers and reports use the store's local date.
    pub time_zone: String,
}

impl StoreSettings {
    pub fn tz(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)
    }
}

/// What `storedesk init` asks for.
#[derive(Clone, Debug)]
pub struct StoreSetup {
    pub code: String,
    pub name: Option<String>,
    pub currency: String,
    /// `None`: the machine's time zone.
    pub time_zone: Option<String>,
}

pub(crate) fn load(conn: &Connection) -> Result<Option<StoreSettings>> {
    let get = |key: &str| -> Result<Option<String>> {
        Ok(conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    };
    let Some(code) = get("store_code")? else { return Ok(None) };
    let currency =
        get("currency")?.ok_or_else(|| StoreError::Invalid("settings: currency is missing".into()))?;
    Ok(Some(StoreSettings {
        code: StoreCode::parse(&code).map_err(|e| StoreError::Invalid(format!("settings: {e}")))?,
        name: get("store_name")?.unwrap_or_else(|| code.clone()),
        currency: Currency::from_code(&currency)?,
        time_zone: get("time_zone")?.unwrap_or_else(|| "UTC".into()),
    }))
}

impl Store {
    /// The store's settings, or [`StoreError::NotInitialized`] before `init`.
    pub fn settings(&self) -> Result<Arc<StoreSettings>> {
        let guard = self.settings.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        guard.clone().ok_or(StoreError::NotInitialized)
    }

    /// Sets the store up once. Refused when it is already set up.
    pub fn init(&self, setup: StoreSetup) -> Result<Arc<StoreSettings>> {
        let code = StoreCode::parse(&setup.code).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let currency = Currency::from_code(&setup.currency)?;
        let time_zone = match setup.time_zone {
            Some(tz) => {
                jiff::tz::TimeZone::get(&tz).map_err(|_| {
                    StoreError::Invalid(format!("unknown time zone {tz:?} (expected e.g. Asia/Shanghai)"))
                })?;
                tz
            }
            None => jiff::tz::TimeZone::system().iana_name().unwrap_or("UTC").to_string(),
        };
        let settings =
            StoreSettings { name: setup.name.unwrap_or_else(|| code.to_string()), code, currency, time_zone };
        let saved = self.write(
            |tx| {
                if let Some(existing) = load(tx)? {
                    return Err(StoreError::AlreadyInitialized(existing.code.to_string()));
                }
                let mut insert = tx.prepare("INSERT INTO settings (key, value) VALUES (?1, ?2)")?;
                insert.execute(params!["store_code", settings.code.as_str()])?;
                insert.execute(params!["store_name", settings.name])?;
                insert.execute(params!["currency", settings.currency.code()])?;
                insert.execute(params!["time_zone", settings.time_zone])?;
                Ok(Arc::new(settings.clone()))
            },
            |_| {},
        )?;
        *self.settings.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(saved.clone());
        Ok(saved)
    }
}
