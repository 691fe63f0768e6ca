#!/usr/bin/env bash
# End-to-end tests: the real app binary in its real webview (WebKitWebDriver through tauri-driver,
# under xvfb-run) against a real storedesk-central on a loopback port. Screenshots of every screen
# land in target/e2e-screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
# The app as `tauri build --debug` builds it (the front end embedded: the `custom-protocol`
# feature), in one cargo invocation with the same features as scripts/test.sh's `cargo test`, so
# the dependencies compiled for the tests are reused rather than built a second time.
(cd ui && npm run build)
cargo build --locked --workspace --bins --features storedesk-app/custom-protocol
export PATH="$HOME/.cargo/bin:$PATH"
cd ui
xvfb-run -a -s "-screen 0 1280x800x24" npm run e2e
