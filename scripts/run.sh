#!/usr/bin/env bash
# Sets up and runs a demo store from the command line: a catalog, stock, and orders taken through
# their lives. (The desktop app's own run command replaces this once the screens exist.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release --locked -p storedesk-cli
storedesk="$PWD/target/release/storedesk"
export STOREDESK_DATA_DIR="${STOREDESK_DATA_DIR:-$PWD/target/demo-store}"

if [ ! -f "$STOREDESK_DATA_DIR/storedesk.db" ]; then
  "$storedesk" init --store SH01 --name "Shanghai Flagship" --currency CNY --time-zone Asia/Shanghai
  "$storedesk" catalog import demo/catalog.csv
fi
say() { printf '\n$ storedesk %s\n' "$*"; "$storedesk" "$@"; }

order=$("$storedesk" order create --channel counter --line TEA-001=2 --line CUP-002=4 --customer "Li Wei" --json |
  sed -n 's/^  "number": "\(.*\)",$/\1/p')
say order pay "$order" --method card
say order hand-over "$order"
online=$("$storedesk" order create --channel fulfilment --line POT-003=1 --customer "Wang Fang" --json |
  sed -n 's/^  "number": "\(.*\)",$/\1/p')
say order pay "$online" --method other
say order show "$online"
say stock list
say order list --limit 10
say outbox list --status pending --limit 10
printf '\nThe demo store lives in %s (remove it to start over).\n' "$STOREDESK_DATA_DIR"
