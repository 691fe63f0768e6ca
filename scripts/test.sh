#!/usr/bin/env bash
# Runs every test of Storedesk: the UI's unit tests, the Rust workspace (unit, property,
# integration, crash and sync tests, on SQLite and PostgreSQL), the API contract (schemathesis
# against the running central) and the end-to-end tests of the real app.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

step() { printf '\n== %s\n' "$*"; }

step "UI: type check, lint, unit tests, build"
(cd ui && npm run typecheck && npm run lint && npm test && npm run build)

# Central's PostgreSQL tests run against this server (scripts/setup.sh started it); they fail,
# rather than skip, when it is missing.
export STOREDESK_TEST_POSTGRES_URL="${STOREDESK_TEST_POSTGRES_URL:-postgres://storedesk:storedesk@127.0.0.1:5432/postgres}"

step "Rust: every crate's tests"
# The workspace's binaries first: tests/telemetry.rs runs the real `storedesk-central` and
# `storedesk` (cargo builds a package's binaries only for that package's own tests).
# With the app's `custom-protocol` feature, as scripts/e2e.sh builds it: one set of features, so
# the end-to-end build reuses these dependencies instead of compiling them again.
cargo build --locked --workspace --bins --features storedesk-app/custom-protocol
cargo test --workspace --locked --features storedesk-app/custom-protocol

step "API contract: schemathesis against the running central"
scripts/contract.sh

step "Load test: a short smoke run (storedesk-dev bench load)"
scripts/load-smoke.sh

step "End to end: the real app in its webview against a real central"
scripts/e2e.sh

step "all tests passed"
