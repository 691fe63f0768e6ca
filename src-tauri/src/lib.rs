//! The Storedesk desktop shell: thin Tauri commands and events over the core crates.
//!
//! Nothing here owns business logic. A command resolves state, calls a core crate and returns or
//! emits; the rules live in `crates/` where the `storedesk` CLI uses them too.

/// Builds and runs the app; `main.rs` only calls this.
pub fn run() {
    let result = tauri::Builder::default().run(tauri::generate_context!());
    if let Err(err) = result {
        eprintln!("Storedesk could not start: {err}");
        std::process::exit(1);
    }
}
