#!/usr/bin/env bash
# The desktop app's benchmark: next to a hello-world Tauri 2 app built the same way (release, the
# Tauri custom protocol), the time from launch to the dashboard showing data, the memory (PSS) of
# all the app's processes (WebKit's included) after a minute idle with the live latency panel open,
# and the CPU the idle app uses; then, on a store with 1,000,000 orders (BENCH_ORDERS), the Orders
# screen: first rows, the jump to the oldest order, filters and searches. Prints a table.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
(cd ui && npm run build >/dev/null)
cargo build --release --locked -p storedesk-app --features tauri/custom-protocol
cargo build --release --locked -p hello-tauri --features tauri/custom-protocol
cargo build --release --locked -p storedesk-central -p storedesk-cli -p storedesk-dev
export STOREDESK_BIN="$PWD/target/release" PATH="$HOME/.cargo/bin:$PATH"

dir=$(mktemp -d /tmp/storedesk-bench.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
  [ -f "$dir/central.pid" ] && kill "$(cat "$dir/central.pid")" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
echo "bench: preparing a demo store with ${BENCH_ORDERS:-1000000} orders in $dir"
STOREDESK_DEMO_ORDERS="${BENCH_ORDERS:-1000000}" scripts/demo.sh start "$dir" "$port" >/dev/null 2>&1

echo "bench: measuring (about $(( 2 * (${BENCH_IDLE_SECONDS:-60} + ${BENCH_CPU_SECONDS:-30}) + 30 )) s)"
(cd ui && BENCH_DATA_DIR="$dir/device" xvfb-run -a -s "-screen 0 1280x800x24" \
  npx vitest run --config vitest.measure.config.ts >/dev/null)

node --input-type=module - target/bench-app.json <<'JS'
import { readFileSync } from "node:fs";
const r = JSON.parse(readFileSync(process.argv[2], "utf8"));
const s = r.storedesk, h = r.hello;
const f = (n, d = 0) => (typeof n === "number" ? n.toFixed(d) : "-");
const row = (label, a, b, ratio, goal = "") => console.log(`${label.padEnd(44)}${a.padStart(11)}${b.padStart(13)}${ratio.padStart(9)}  ${goal}`);
console.log(`${"".padEnd(44)}${"storedesk".padStart(11)}${"hello-world".padStart(13)}${"ratio".padStart(9)}`);
row("launch to data on screen (ms)", f(s.start_ms), f(h.start_ms), f(s.start_ms / h.start_ms, 2) + "x");
row("memory, all processes, PSS (MB)", f(s.pss_mb, 1), f(h.pss_mb, 1), f(s.pss_mb / h.pss_mb, 2) + "x", "goal <= 1.5x");
row("idle CPU, live panel open (% of one core)", f(s.cpu_percent_of_one_core, 2), f(h.cpu_percent_of_one_core, 2), "", "goal <= 5%");
const fonts = s.fonts_at_launch;
if (fonts) row("app's CJK font loaded at launch (KB)", f(fonts.bytes / 1024), "", "", fonts.files.join(", ") || "none");
console.log(`\nOrders screen, ${s.orders.toLocaleString("en")} orders (baseline: one IPC round trip, app_info = ${f(s.ipc_round_trip_ms, 1)} ms)`);
row("open Orders to first rows (ms)", f(s.orders_first_rows_ms), "", "", "goal <= 200");
row("jump to the last page, oldest orders (ms)", f(s.orders_last_page_ms), "", "", s.last_page_first_row);
row("filter, median (ms)", f(s.filter_median_ms), "", "", "goal <= 300");
for (const [k, v] of Object.entries(s.filter_ms)) row(`  ${k}`, f(v), "", "");
for (const [k, v] of Object.entries(s.search_ms_including_200ms_typing_pause)) row(`search "${k}" (incl. 200 ms typing pause)`, f(v), "", "");
const procs = (ps) => ps.map((p) => `${p.name} ${p.pss_mb.toFixed(1)} MB ${p.cpu_percent.toFixed(2)}%`).join(", ");
console.log("\nstoredesk's processes:", procs(s.processes));
console.log("hello-world's processes:", procs(h.processes));
JS
