//! The store's identity: its code and this device's till code (both in order numbers), name,
//! currency and time zone; this installation's own id; and adopting the till central says this
//! device is (a join, or `sync configure` with a till's token).

use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use storedesk_domain::{Currency, StoreCode, TillCode};
use storedesk_protocol::api::TillInfo;

use crate::Store;
use crate::error::{Result, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StoreSettings {
    pub code: StoreCode,
    /// This device's till of the store: `T1` for a stand-alone store, else what central assigned.
    pub till: TillCode,
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
    let till = match get("till")? {
        Some(t) => TillCode::parse(&t).map_err(|e| StoreError::Invalid(format!("settings: {e}")))?,
        None => TillCode::FIRST,
    };
    Ok(Some(StoreSettings {
        code: StoreCode::parse(&code).map_err(|e| StoreError::Invalid(format!("settings: {e}")))?,
        till,
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
        let settings = StoreSettings {
            name: setup.name.unwrap_or_else(|| code.to_string()),
            code,
            till: TillCode::FIRST,
            currency,
            time_zone,
        };
        let saved = self.write(
            |tx| {
                if let Some(existing) = load(tx)? {
                    return Err(StoreError::AlreadyInitialized(existing.code.to_string()));
                }
                save(tx, &settings)
            },
            |_| {},
        )?;
        self.remember(saved.clone());
        Ok(saved)
    }

    fn remember(&self, settings: Arc<StoreSettings>) {
        *self.settings.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(settings);
    }

    /// This installation's own id (made once, kept in the database): central lets one
    /// installation own a till.
    pub fn installation(&self) -> Result<String> {
        self.write(
            |tx| {
                let id: Option<String> = tx
                    .query_row("SELECT value FROM settings WHERE key = 'installation'", [], |r| r.get(0))
                    .optional()?;
                if let Some(id) = id {
                    return Ok(id);
                }
                let id = uuid::Uuid::new_v4().to_string();
                tx.execute("INSERT INTO settings (key, value) VALUES ('installation', ?1)", [&id])?;
                Ok(id)
            },
            |_| {},
        )
    }

    /// Becomes the till central says this device is. A device not set up yet is set up as that
    /// store (its time zone the machine's); one set up as another store is refused. A device that
    /// already took orders under another till code is refused too: its numbers
    /// (`SH01-T1-...`) would be drawn again by the till that code belongs to, so it must be
    /// connected as that till (or its data folder started afresh).
    pub fn adopt_till(&self, info: &TillInfo) -> Result<Arc<StoreSettings>> {
        let code = StoreCode::parse(&info.store).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let currency = Currency::from_code(&info.currency)?;
        let saved = self.write(
            |tx| {
                let settings = match load(tx)? {
                    None => StoreSettings {
                        code: code.clone(),
                        till: info.till,
                        name: info.store_name.clone(),
                        currency,
                        time_zone: jiff::tz::TimeZone::system().iana_name().unwrap_or("UTC").to_string(),
                    },
                    Some(existing) if existing.code != code => {
                        return Err(StoreError::Invalid(format!(
                            "this device is store {}, but the token belongs to store {code}",
                            existing.code
                        )));
                    }
                    Some(existing) => {
                        refuse_switching_till(tx, &existing, info.till)?;
                        StoreSettings { till: info.till, ..existing }
                    }
                };
                tx.execute("DELETE FROM settings WHERE key IN ('store_code', 'store_name', 'currency', 'time_zone', 'till')", [])?;
                save(tx, &settings)
            },
            |_| {},
        )?;
        self.remember(saved.clone());
        Ok(saved)
    }
}

fn save(tx: &Connection, settings: &StoreSettings) -> Result<Arc<StoreSettings>> {
    let mut insert = tx.prepare("INSERT INTO settings (key, value) VALUES (?1, ?2)")?;
    insert.execute(params!["store_code", settings.code.as_str()])?;
    insert.execute(params!["till", settings.till.to_string()])?;
    insert.execute(params!["store_name", settings.name])?;
    insert.execute(params!["currency", settings.currency.code()])?;
    insert.execute(params!["time_zone", settings.time_zone])?;
    Ok(Arc::new(settings.clone()))
}

/// Refuses to become `till` when this device already numbered orders as its current till.
fn refuse_switching_till(tx: &Connection, current: &StoreSettings, till: TillCode) -> Result<()> {
    if current.till == till {
        return Ok(());
    }
    let prefix = format!("{}-{}-", current.code, current.till);
    let taken: i64 = tx.query_row(
        "SELECT COUNT(*) FROM orders WHERE origin = 'device' AND number >= ?1 AND number < ?2",
        params![prefix, format!("{prefix}\u{10ffff}")],
        |r| r.get(0),
    )?;
    if taken > 0 {
        return Err(StoreError::TillTaken {
            current: current.till.to_string(),
            offered: till.to_string(),
            orders: taken,
        });
    }
    Ok(())
}
