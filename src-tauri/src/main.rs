// Prevents an additional console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    #[cfg(target_os = "linux")]
    prefer_software_compositing();
    storedesk_app::run();
}

/// WebKitGTK composites pages with OpenGL, which without a GPU (virtual machines, remote desktops,
/// Xvfb) is Mesa's software GL: about 120 MB more and a full-window composite on every live update.
/// Storedesk's screens (tables, forms, small canvases) paint well without it, so it is off unless
/// the operator sets `STOREDESK_GPU_COMPOSITING=1` (or sets WebKit's own variable).
#[cfg(target_os = "linux")]
fn prefer_software_compositing() {
    let keep_gpu = std::env::var_os("STOREDESK_GPU_COMPOSITING").is_some_and(|v| v == "1");
    if !keep_gpu && std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        // SAFETY: first thing in `main`, before any other thread exists to read the environment.
        unsafe { std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1") };
    }
}
