//! How values cross into and out of SQLite: enums as their names ([`Named`]), ids and other parsed
//! text, JSON. One conversion error for all of them, naming the column it came from.

use std::str::FromStr;

use rusqlite::Row;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, Type, ValueRef};
use storedesk_domain::Named;

/// A [`Named`] enum as its name in a column.
pub(crate) struct Name<T>(pub T);

impl<T: Named> ToSql for Name<T> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.0.name()))
    }
}

impl<T: Named> FromSql for Name<T> {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        T::from_name(value.as_str()?).map(Name).map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

/// The failure to turn column `idx` into the value it should hold.
pub(crate) fn conversion_error(
    idx: usize,
    e: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e))
}

/// The enum named in column `idx`.
pub(crate) fn named<T: Named>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    Ok(row.get::<_, Name<T>>(idx)?.0)
}

/// The enum named in column `idx`, which may be NULL.
pub(crate) fn named_opt<T: Named>(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<T>> {
    Ok(row.get::<_, Option<Name<T>>>(idx)?.map(|n| n.0))
}

/// The value whose text is in column `idx` (an id, say).
pub(crate) fn parsed<T>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    row.get::<_, String>(idx)?.parse().map_err(|e| conversion_error(idx, e))
}

/// The JSON document in column `idx`.
pub(crate) fn json<T: serde::de::DeserializeOwned>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    serde_json::from_str(&row.get::<_, String>(idx)?).map_err(|e| conversion_error(idx, e))
}
