#!/usr/bin/env bash
# The API contract, checked against the running server: schemathesis (from PyPI, in a private
# virtualenv) generates requests from crates/central/openapi.json for every operation, with a
# device's and the admin's credentials, and checks every answer: no server error, a status the
# document names, JSON where it says JSON, bodies that match their schemas, and invalid input
# refused — every check but positive_data_acceptance: valid-looking data may still be a business
# refusal no schema can express (an event's aggregate must name its order, a total must be its
# lines' sum, a SKU must be in the catalog, a currency must be one ISO 4217 knows, a store code
# must be free). The server runs on SQLite in a temporary folder with the rate limit raised.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${STOREDESK_BIN:-target/debug}"
VENV="${SCHEMATHESIS_VENV:-target/schemathesis}"
SCHEMATHESIS_VERSION=4.32.5

if [ ! -x "$VENV/bin/schemathesis" ] || ! "$VENV/bin/schemathesis" --version | grep -q "$SCHEMATHESIS_VERSION"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

central() { "$BIN/storedesk-central" --database-url "sqlite://$work/central.db" "$@"; }
json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

export ADMIN_TOKEN="contract-test-admin-credential"
export STOREDESK_CENTRAL_ADMIN_TOKEN="$ADMIN_TOKEN"
# A store with a device (the device operations' credential), a catalog and stock, so that
# generated requests reach past "unknown store" and "unknown SKU" too.
DEVICE_TOKEN=$(central store add CT --name "Contract store" --currency CNY --json | json_field token)
export DEVICE_TOKEN
printf 'sku,name,price\nTEA,Tea,12.50\nCUP,Cup,3.00\n' > "$work/catalog.csv"
central catalog import "$work/catalog.csv" --currency CNY >/dev/null
central stock receive --store CT TEA 100 >/dev/null

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN/storedesk-central" --database-url "sqlite://$work/central.db" serve --listen "127.0.0.1:$port" \
  --rate-limit 1000000 >"$work/central.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done

status=0
"$VENV/bin/schemathesis" --config-file tests/contract/schemathesis.toml run crates/central/openapi.json \
  --url "http://127.0.0.1:$port" \
  --workers 1 \
  --checks all --exclude-checks positive_data_acceptance \
  --max-examples "${CONTRACT_EXAMPLES:-40}" \
  --seed 20261202 \
  --generation-database none \
  --suppress-health-check all \
  "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "contract: schemathesis found failures; central's log:" >&2
  tail -n 40 "$work/central.log" >&2
fi
exit "$status"
