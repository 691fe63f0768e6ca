//! Tools for demos and benchmarks, kept out of the shop's binaries: the `storedesk` command line
//! and the app link neither central nor these.
//!
//! - [`seed`]: synthetic order history in bulk (`storedesk-dev demo history`, the report and list
//!   benchmarks, the reports' tests).
//! - [`bench_pin`]: what a PIN's Argon2id hash costs at sign-in, next to SHA-256, and what it
//!   means for guessing.
//! - [`saga`]: what placing a fulfilment order costs next to the raw one-row-insert ceiling.
//! - `storedesk-dev` (`main.rs`): the command, with `bench sync` (a real central on loopback),
//!   `bench bootstrap` (a new till against 1x, 10x and 100x history), `bench load` (goose driving
//!   hundreds of tills against central in its own process, `bench_load/`), `bench storage`
//!   (central's bytes per order after a million, before and after compaction) and
//!   `bench report` (each export in its own `storedesk` process) in their own modules.

pub mod bench_pin;
pub mod saga;
pub mod seed;
