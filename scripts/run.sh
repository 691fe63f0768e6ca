#!/usr/bin/env bash
# Sets up and runs Storedesk with a living demo store: installs what is missing, builds the app,
# starts storedesk-central on SQLite with the demo store (about 300 products, stock, 30 days of
# orders; see scripts/demo.sh), places an online order at central now and then, and opens the app
# connected to it. Closing the app stops central. Remove target/demo to start the demo over.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

profile="${STOREDESK_PROFILE:-release}"
echo "run: building storedesk-central, the storedesk CLI and the app ($profile)"
if [ "$profile" = release ]; then
  cargo build --release --locked -p storedesk-central -p storedesk-cli -p storedesk-dev
  ui/node_modules/.bin/tauri build --no-bundle --ci
else
  cargo build --locked -p storedesk-central -p storedesk-cli -p storedesk-dev
  ui/node_modules/.bin/tauri build --debug --no-bundle --ci
fi
export STOREDESK_BIN="$PWD/target/$profile"

dir="${STOREDESK_DEMO_DIR:-$PWD/target/demo}"
port="${STOREDESK_DEMO_PORT:-8700}"
cleanup() {
  [ -n "${traffic:-}" ] && kill "$traffic" 2>/dev/null
  [ -f "$dir/central.pid" ] && kill "$(cat "$dir/central.pid")" 2>/dev/null
  true
}
trap cleanup EXIT INT TERM
scripts/demo.sh start "$dir" "$port"
scripts/demo.sh traffic "$dir" &
traffic=$!

echo "run: central on http://127.0.0.1:$port (log: $dir/central.log); the store's data: $dir/device"
# The demo keeps its token in a file in its own folder, away from your keychain.
export STOREDESK_DATA_DIR="$dir/device" STOREDESK_NO_KEYCHAIN=1
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "$(uname)" = Linux ]; then
  echo "run: no display; running the app under xvfb-run (nothing will be visible)"
  xvfb-run -a "$STOREDESK_BIN/storedesk-app"
else
  "$STOREDESK_BIN/storedesk-app"
fi
