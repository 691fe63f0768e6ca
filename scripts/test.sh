#!/usr/bin/env bash
# Runs every test of Storedesk: the Rust workspace (unit, property, integration, crash tests),
# the UI's tests, and a build of the desktop shell with the Tauri CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

step() { printf '\n== %s\n' "$*"; }

step "UI: type check, lint, unit tests, build"
(cd ui && npm run typecheck && npm run lint && npm test && npm run build)

step "Rust: every crate's tests (the desktop shell is built below, with the Tauri CLI)"
cargo test --workspace --exclude storedesk-app --locked

step "Desktop shell: build with the Tauri CLI"
ui/node_modules/.bin/tauri build --debug --no-bundle --ci
test -x target/debug/storedesk-app

step "all tests passed"
