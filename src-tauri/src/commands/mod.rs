//! The app's commands. Each one resolves the state, calls the core and returns (or emits); the
//! rules live in `crates/`.

pub mod catalog;
pub mod orders;
pub mod reports;
pub mod setup;
pub mod staff;
pub mod sync;

use std::sync::Arc;

use crate::state::AppState;

pub type State<'a> = tauri::State<'a, Arc<AppState>>;
