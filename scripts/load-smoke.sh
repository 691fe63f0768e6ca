#!/usr/bin/env bash
# A short smoke run of the load test (`storedesk-dev bench load`, debug build): a few tills of two
# stores at a low rate for one step, on SQLite and, when STOREDESK_TEST_POSTGRES_URL is set, on
# PostgreSQL, each once untraced and once exporting every trace to the load test's stand-in
# collector. It fails when a request failed, a step carried no traffic or a traced run exported
# nothing; the figures of a debug build on a busy machine mean nothing, so none is checked.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/load-smoke.json
target/debug/storedesk-dev bench load --stores 2 --tills-per-store 3 --seconds 3 --start-rate 30 \
  --max-steps 1 --traced 1 --json > "$out"
python3 - "$out" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
backends = report["backends"]
assert backends, "no backend ran"
for b in backends:
    step = b["steps"][0]
    name = b["backend"]
    assert b["healthz"]["requests"] > 0, f"{name}: /healthz got no requests"
    assert step["push"]["requests"] > 0 and step["pull"]["requests"] > 0, f"{name}: no traffic: {step}"
    assert step["events_per_s"] > 0, f"{name}: central applied no event: {step}"
    errors = step["push"]["errors"] + step["pull"]["errors"]
    assert errors == 0, f"{name}: {errors} failed requests: {step['errors']}"
    if b["tracing"] is not None:
        assert b["tracing"]["exports"] > 0, f"{name}: traced, but the collector received nothing"
        name += " (traced)"
    print(f"{name}: {step['push']['requests']} pushes, {step['pull']['requests']} pulls, no errors")
PY
