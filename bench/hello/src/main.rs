//! A hello-world Tauri 2 window: the baseline the app's start time, memory and idle CPU are
//! measured against (scripts/bench-app.sh).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(err) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("hello-tauri: {err}");
        std::process::exit(1);
    }
}
