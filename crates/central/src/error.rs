//! Central's error type. Each variant documents the HTTP status it maps to (see `http::error`).

#[derive(Debug, thiserror::Error)]
pub enum CentralError {
    /// 404: a store, order or token that does not exist (or is not the caller's).
    #[error("{what} {key:?} not found")]
    NotFound { what: &'static str, key: String },
    /// 422: a field's value is wrong; `field` names it (`lines[0].qty`).
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// 422 `out_of_range`: a quantity, delta or sum beyond its bounds, or arithmetic on values a
    /// client sent that would overflow; `field` names where.
    #[error("{field}: {message}")]
    OutOfRange { field: String, message: String },
    /// 409: the request conflicts with the current state (a store code taken, not enough stock).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// 410 `cursor_too_old`: compaction removed feed entries after this cursor; read the snapshot.
    #[error("the feed was compacted up to {floor}; cursor {cursor} is older: read /v1/snapshot from it")]
    CursorTooOld { cursor: i64, floor: i64 },
    /// 401: no credential, or a wrong or revoked one.
    #[error("missing, wrong or revoked credential")]
    Unauthorized,
    /// 500, logged and answered without details.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// 500 at start-up: the schema could not be brought up to date.
    #[error("{message}")]
    Migration {
        message: String,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    /// 500: something stored could not be read back or written (a damaged row, a value this
    /// program cannot encode); `what` says which.
    #[error("{what} cannot be read or written")]
    Corrupt {
        what: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl CentralError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        CentralError::Invalid { field: field.into(), message: message.into() }
    }

    pub fn out_of_range(field: impl Into<String>, message: impl Into<String>) -> Self {
        CentralError::OutOfRange { field: field.into(), message: message.into() }
    }

    pub fn corrupt(what: impl Into<String>, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        CentralError::Corrupt { what: what.into(), source: Box::new(source) }
    }

    pub fn not_found(what: &'static str, key: impl Into<String>) -> Self {
        CentralError::NotFound { what, key: key.into() }
    }

    /// A database error that a retry of the whole transaction may cure: a PostgreSQL
    /// serialization failure or deadlock, a unique violation from a concurrent duplicate
    /// delivery, or SQLite being busy.
    pub fn is_retryable(&self) -> bool {
        let CentralError::Database(sqlx::Error::Database(db)) = self else { return false };
        matches!(
            db.code().as_deref(),
            Some("40001" | "40P01" | "23505" | "5" | "517" | "6" | "2067" | "1555")
        )
    }
}

pub type Result<T, E = CentralError> = std::result::Result<T, E>;
