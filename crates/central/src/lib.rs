//! `storedesk-central`: the authority across all stores.
//!
//! - [`db`]: the database — SQLite (embedded default) or PostgreSQL, chosen by the URL; migrations
//!   per dialect from `migrations/central-*`; every query is written once for both; `db::Batch`
//!   sends several statements as one round trip.
//! - [`service`]: what central does, independent of HTTP: stores and device tokens, the catalog,
//!   stock, orders from the central platform, applying pushed events (the saga's central side),
//!   the change feed, conflicts. The admin CLI and the HTTP handlers both call it.
//! - [`http`]: the `/v1` JSON API (axum): authentication, rate limits, body limits, JSON errors,
//!   request tracing (a server span continuing the caller's `traceparent`; exported to an
//!   OpenTelemetry collector when configured, see `storedesk-telemetry`), `/healthz`, `/metrics`
//!   (Prometheus; the same metrics over OTLP when exporting), `/openapi.json`.
//! - [`cli`]: the admin command line (`serve`, `store add`, `token issue`, ...).
//!
//! Handlers stay thin: parse, authorise, call a service function, answer. No rule lives in `http`.

pub mod cli;
pub mod db;
pub mod error;
pub mod http;
pub mod service;

pub use db::Db;
pub use error::CentralError;
