//! The TypeScript bindings: every command and event with their types, generated from the Rust
//! types into `ui/src/bindings.ts`. A test fails when the committed file differs; run
//! `UPDATE_BINDINGS=1 cargo test -p storedesk-app bindings` after changing a command or type.

use tauri_specta::{Builder, collect_commands, collect_events};

use crate::commands::{catalog, orders, reports, setup, staff, sync};
use crate::events::{ExportProgress, LatencyTick, SyncStatusChanged};

pub fn builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        .commands(collect_commands![
            setup::app_info,
            setup::setup_store,
            setup::set_language,
            setup::set_low_stock_threshold,
            setup::dashboard,
            setup::store_tills,
            orders::list_orders,
            orders::get_order,
            orders::place_order,
            orders::order_action,
            catalog::stock_levels,
            catalog::adjust_stock,
            catalog::stock_ledger,
            catalog::catalog,
            catalog::search_catalog,
            catalog::set_product_threshold,
            sync::sync_status,
            sync::sync_now,
            sync::outbox,
            sync::retry_event,
            sync::discard_event,
            sync::attention_items,
            sync::configure_central,
            sync::join_store,
            sync::latency_history,
            reports::start_export,
            reports::cancel_export,
            staff::staff_status,
            staff::sign_in,
            staff::sign_out,
            staff::add_first_manager,
            staff::approve,
            staff::audit_records,
            staff::verify_audit,
            staff::export_audit,
            staff::add_staff,
            staff::disable_staff,
        ])
        .events(collect_events![SyncStatusChanged, LatencyTick, ExportProgress])
        // Counts and times travel as JS numbers (well within 2^53); money travels as strings.
        .dangerously_cast_bigints_to_number()
        // One TypeScript type per Rust type (the app sends and receives the same shapes).
        .disable_serde_phases()
}

/// The bindings as generated now.
pub fn generate() -> Result<String, String> {
    let dir = tempfile_path();
    builder()
        .export(specta_typescript::Typescript::default().header("// Generated from the Rust types by `UPDATE_BINDINGS=1 cargo test -p storedesk-app bindings`. Do not edit.\n"), &dir)
        .map_err(|e| e.to_string())?;
    let text = std::fs::read_to_string(&dir).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&dir);
    Ok(text)
}

fn tempfile_path() -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!("storedesk-bindings-{}-{n}.ts", std::process::id()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn bindings_are_up_to_date() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/ui/src/bindings.ts");
        let generated = super::generate().expect("generate bindings");
        if std::env::var("UPDATE_BINDINGS").as_deref() == Ok("1") {
            std::fs::write(path, &generated).expect("write bindings");
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == generated,
            "ui/src/bindings.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p storedesk-app bindings` and commit it"
        );
    }

    /// The capability grants exactly the commands the UI can call, and the plugin permissions the
    /// UI uses: nothing broad (no shell, no file system, no `*:default` sets).
    #[test]
    fn capability_grants_exactly_the_commands() {
        let generated = super::generate().expect("generate bindings");
        let mut commands: Vec<String> = generated
            .split("__TAURI_INVOKE(\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(|name| format!("allow-{}", name.replace('_', "-")))
            .collect();
        commands.sort();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src-tauri/capabilities/default.json");
        let capability: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("read capability")).expect("json");
        let granted: Vec<String> = capability["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .map(|p| p.as_str().expect("a plain permission").to_string())
            .collect();
        let mut app: Vec<String> = granted.iter().filter(|p| !p.contains(':')).cloned().collect();
        app.sort();
        assert_eq!(app, commands, "app command permissions differ from the commands in the bindings");
        let mut plugins: Vec<&str> = granted.iter().filter(|p| p.contains(':')).map(String::as_str).collect();
        plugins.sort();
        assert_eq!(
            plugins,
            [
                "core:event:allow-listen",
                "core:event:allow-unlisten",
                "dialog:allow-save",
                "opener:allow-reveal-item-in-dir"
            ]
        );
    }
}
