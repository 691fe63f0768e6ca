#!/usr/bin/env bash
# End-to-end tests: the real app binary in its real webview (WebKitWebDriver through tauri-driver,
# under xvfb-run) against a real storedesk-central on a loopback port. Screenshots of every screen
# land in target/e2e-screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked -p storedesk-central -p storedesk-cli
ui/node_modules/.bin/tauri build --debug --no-bundle --ci
export PATH="$HOME/.cargo/bin:$PATH"
cd ui
xvfb-run -a -s "-screen 0 1280x800x24" npm run e2e
