#!/usr/bin/env bash
# The demo: storedesk-central on SQLite with a store SH01 (about 300 products with English and
# Chinese names, stock), and a device store connected to it with 30 days of order history.
#
#   scripts/demo.sh start DIR PORT   start central (creating the demo on first use); prints nothing
#                                    else; central's log goes to DIR/central.log
#   scripts/demo.sh traffic DIR      place an online order for the store at central every ~30 s,
#                                    so the dashboards move (runs until killed)
#
# Binaries come from $STOREDESK_BIN (default target/release). The device's data folder is DIR/device.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${STOREDESK_BIN:-$PWD/target/release}"
central() { "$bin/storedesk-central" --database-url "sqlite://$dir/central.db" "$@"; }
# The demo store's manager: sign in to the app as MGR with PIN 1234 (the cashier CHEN: 1111).
device() { STOREDESK_DATA_DIR="$dir/device" STOREDESK_STAFF=MGR STOREDESK_PIN=1234 "$bin/storedesk" "$@"; }

start_central() {
  # The binary itself in the background (not the `central` function, whose subshell would get the
  # pid file and leave the server running when it is killed).
  "$bin/storedesk-central" --database-url "sqlite://$dir/central.db" \
    serve --listen "127.0.0.1:$port" --admin-token-file "$dir/admin-token" >>"$dir/central.log" 2>&1 &
  echo $! >"$dir/central.pid"
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "demo: central did not start; see $dir/central.log" >&2
  exit 1
}

create() {
  echo "demo: creating the demo store in $dir"
  token=$(central store add SH01 --name "Shanghai Flagship 上海旗舰店" --currency CNY --json |
    sed -n 's/^  "token": "\(.*\)",\{0,1\}$/\1/p')
  [ -n "$token" ] || { echo "demo: no device token from central" >&2; exit 1; }
  central catalog import demo/central-catalog.csv --currency CNY
  # The store's staff, managed at central (the device gets them when it syncs): the manager, and a
  # cashier whose refunds need the manager's approval.
  STOREDESK_PIN=1234 central staff add --store SH01 --code MGR --name "Wang Li 王丽" --role manager
  STOREDESK_PIN=1111 central staff add --store SH01 --code CHEN --name "Chen Jie 陈杰" --role cashier
  tail -n +2 demo/central-stock.csv | while IFS=, read -r sku qty; do
    [ "$qty" -gt 0 ] || continue
    central stock receive --store SH01 "$sku" "$qty" >/dev/null 2>&1 || { echo "demo: cannot receive $sku" >&2; exit 1; }
  done
  device init --store SH01 --name "Shanghai Flagship 上海旗舰店" --currency CNY --time-zone Asia/Shanghai \
    --manager MGR --manager-name "Wang Li 王丽"
  device sync configure --central "http://127.0.0.1:$port" --token "$token"
  device sync run --once >/dev/null
  STOREDESK_DATA_DIR="$dir/device" "$bin/storedesk-dev" demo history --orders "${STOREDESK_DEMO_ORDERS:-6000}" --days 30
  # A few online orders from central, synced to the device, so the Sync screen has a story.
  for line in TEA-004=1 WARE-002=2 SNK-010=1; do
    central order place --store SH01 --line "$line" --customer "Wang Fang 王芳" >/dev/null
  done
  device sync run --once >/dev/null
}

case "${1:-}" in
  start)
    dir="$2" port="$3"
    mkdir -p "$dir"
    fresh=0
    [ -f "$dir/device/storedesk.db" ] || fresh=1
    ((fresh)) && rm -f "$dir/central.db"*
    start_central
    ((fresh)) && create
    # Point the device at this port (it may differ from the last run).
    token=$(cat "$dir/device/central-token" 2>/dev/null || true)
    if [ -n "$token" ]; then device sync configure --central "http://127.0.0.1:$port" --token "$token" >/dev/null; fi
    ;;
  traffic)
    dir="$2"
    skus=($(tail -n +2 demo/central-catalog.csv | cut -d, -f1))
    customers=("Li Wei 李伟" "Zhang Min 张敏" "Chen Jing 陈静" "Liu Yang 刘洋" "Emma Clark" "Noah Patel")
    while true; do
      sleep $((20 + RANDOM % 20))
      central order place --store SH01 --line "${skus[RANDOM % ${#skus[@]}]}=1" \
        --customer "${customers[RANDOM % ${#customers[@]}]}" >/dev/null 2>&1 || true
    done
    ;;
  *)
    echo "usage: scripts/demo.sh start DIR PORT | traffic DIR" >&2
    exit 2
    ;;
esac
