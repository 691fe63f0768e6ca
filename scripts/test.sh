#!/usr/bin/env bash
# Runs every test of Storedesk: the Rust workspace (unit, property, integration, crash tests),
# the UI's tests, and a build of the desktop shell with the Tauri CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

step() { printf '\n== %s\n' "$*"; }

step "UI: type check, lint, unit tests, build"
(cd ui && npm run typecheck && npm run lint && npm test && npm run build)

# Central's PostgreSQL tests run against this server (scripts/setup.sh started it); they fail,
# rather than skip, when it is missing.
export STOREDESK_TEST_POSTGRES_URL="${STOREDESK_TEST_POSTGRES_URL:-postgres://storedesk:storedesk@127.0.0.1:5432/postgres}"

step "Rust: every crate's tests (the desktop shell is built below, with the Tauri CLI)"
cargo test --workspace --exclude storedesk-app --locked

step "Desktop shell: build with the Tauri CLI"
ui/node_modules/.bin/tauri build --debug --no-bundle --ci
test -x target/debug/storedesk-app

step "all tests passed"
