//! The app package's manifest sits at the workspace root (next to `tauri.conf.json`), so the
//! capabilities are pointed at explicitly.
//!
//! The app's commands are declared here so that each gets an `allow-<command>` permission and only
//! what `src-tauri/capabilities/default.json` grants can be called (a test checks that the grant
//! matches the generated bindings exactly).

const COMMANDS: &[&str] = &[
    "app_info",
    "setup_store",
    "set_language",
    "set_low_stock_threshold",
    "dashboard",
    "store_tills",
    "list_orders",
    "get_order",
    "place_order",
    "order_action",
    "stock_levels",
    "adjust_stock",
    "stock_ledger",
    "catalog",
    "search_catalog",
    "set_product_threshold",
    "sync_status",
    "sync_now",
    "outbox",
    "retry_event",
    "discard_event",
    "attention_items",
    "configure_central",
    "join_store",
    "latency_history",
    "start_export",
    "cancel_export",
    "staff_status",
    "sign_in",
    "sign_out",
    "add_first_manager",
    "approve",
    "audit_records",
    "verify_audit",
    "export_audit",
    "add_staff",
    "disable_staff",
];

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/*.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(err) = tauri_build::try_build(attributes) {
        eprintln!("tauri-build failed: {err:#}");
        std::process::exit(1);
    }
}
