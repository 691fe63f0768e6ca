//! The one error type at the IPC boundary: `{ "code": "...", "message": "..." }`. The UI
//! translates the code into the operator's language and shows the message as the detail.

use serde::Serialize;
use storedesk_reports::ReportError;
use storedesk_store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct AppError {
    /// Stable, snake_case: the UI's translation key (`errors.<code>`).
    pub code: String,
    /// What went wrong, in English, naming what and where.
    pub message: String,
}

impl AppError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        AppError { code: code.into(), message: message.into() }
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        let code = match &err {
            StoreError::NotInitialized => "not_set_up",
            StoreError::AlreadyInitialized(_) => "already_set_up",
            StoreError::TillTaken { .. } => "till_taken",
            StoreError::UnknownSku(_) => "unknown_sku",
            StoreError::UnknownOrder(_) => "unknown_order",
            StoreError::UnknownEvent(_) => "unknown_event",
            StoreError::Transition { .. } => "invalid_transition",
            StoreError::Refused { .. } => "not_permitted",
            StoreError::UnknownStaff(_) => "unknown_staff",
            StoreError::StaffDisabled(_) => "staff_disabled",
            StoreError::WrongPin { .. } => "wrong_pin",
            StoreError::LockedOut { .. } => "locked_out",
            StoreError::NoStaff => "no_staff",
            StoreError::NotSignedIn => "not_signed_in",
            StoreError::Stock { error: storedesk_domain::StockError::Insufficient { .. }, .. } => {
                "insufficient_stock"
            }
            StoreError::Stock { .. } => "invalid_stock_change",
            StoreError::Money(_) => "invalid_amount",
            StoreError::Line(_) => "invalid_line",
            StoreError::Name(_) | StoreError::Invalid(_) => "invalid_input",
            StoreError::Csv { .. } => "invalid_csv",
            StoreError::PaymentMismatch { .. } => "payment_mismatch",
            StoreError::SchemaTooNew { .. } => "database_too_new",
            StoreError::Locked(_) => "database_locked",
            StoreError::Corrupt { .. } => "database_damaged",
            StoreError::DataDir { .. } => "data_folder",
            StoreError::Migration(_)
            | StoreError::MigrationFiles(_)
            | StoreError::Sqlite(_)
            | StoreError::Interrupted(_) => "internal",
        };
        let message = with_causes(&err);
        if code == "internal" {
            tracing::error!(error = %message, "command failed");
        }
        AppError::new(code, message)
    }
}

/// An error's message followed by those of its causes: `schema migration failed: ...`.
fn with_causes(err: &dyn std::error::Error) -> String {
    std::iter::successors(Some(err), |e| e.source()).map(ToString::to_string).collect::<Vec<_>>().join(": ")
}

impl From<ReportError> for AppError {
    fn from(err: ReportError) -> Self {
        match err {
            ReportError::Store(e) => e.into(),
            ReportError::Cancelled => AppError::new("export_cancelled", err.to_string()),
            ReportError::Io { .. } => AppError::new("cannot_write_file", err.to_string()),
            ReportError::Invalid(_) => AppError::new("invalid_input", err.to_string()),
            ReportError::Format(_) => AppError::new("internal", err.to_string()),
        }
    }
}

impl From<storedesk_sync::client::CallError> for AppError {
    fn from(err: storedesk_sync::client::CallError) -> Self {
        let code = match err {
            storedesk_sync::client::CallError::Misconfigured { .. } => "invalid_input",
            storedesk_sync::client::CallError::Refused { .. } => "central_refused",
            _ => "central_unreachable",
        };
        AppError::new(code, err.to_string())
    }
}

impl From<storedesk_sync::connect::ConnectError> for AppError {
    fn from(err: storedesk_sync::connect::ConnectError) -> Self {
        match err {
            storedesk_sync::connect::ConnectError::Central(e) => e.into(),
            storedesk_sync::connect::ConnectError::Store(e) => e.into(),
            storedesk_sync::connect::ConnectError::JoinLink(m) => AppError::new("invalid_join_link", m),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    /// The UI reads exactly these fields; this pins the JSON.
    #[test]
    fn errors_serialize_as_code_and_message() {
        let err: AppError = StoreError::UnknownOrder("SH01-20261127-0009".into()).into();
        assert_eq!(
            serde_json::to_string(&err).expect("json"),
            r#"{"code":"unknown_order","message":"unknown order \"SH01-20261127-0009\""}"#
        );
        let err: AppError = StoreError::Transition {
            number: "SH01-1".into(),
            error: storedesk_domain::TransitionError::NotAllowed {
                status: storedesk_domain::OrderStatus::Created,
                event: storedesk_domain::OrderEvent::Ship,
            },
        }
        .into();
        assert_eq!(
            serde_json::to_value(&err).expect("json"),
            serde_json::json!({"code": "invalid_transition", "message": "order SH01-1: cannot ship an order that is created"})
        );
        let err: AppError = StoreError::Stock {
            sku: "TEA".into(),
            error: storedesk_domain::StockError::Insufficient { requested: 3, available: 1 },
        }
        .into();
        assert_eq!(err.code, "insufficient_stock");
        assert_eq!(AppError::from(ReportError::Cancelled).code, "export_cancelled");
    }
}
