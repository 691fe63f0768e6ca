#!/usr/bin/env bash
# Installs what building and testing Storedesk needs on Debian/Ubuntu; safe to run again.
# Rust itself comes from rustup (https://rustup.rs); Node.js 20+ with npm from your distribution.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential pkg-config curl
  # Tauri 2 on Linux
  libwebkit2gtk-4.1-dev libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev
  # running and looking at the app headless; end-to-end tests drive the real webview
  xvfb imagemagick webkit2gtk-driver xdotool
  # the only fonts the end-to-end tests let the app see (ui/e2e/fonts.conf); no CJK font is needed
  fonts-dejavu-core
  # central's PostgreSQL backend is tested against a real server
  postgresql
  # report tests read PDFs back (pdftotext) and render pages (pdftoppm)
  poppler-utils
  # the API contract test runs schemathesis (PyPI) in a virtualenv
  python3 python3-venv
)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# PostgreSQL for the tests: a cluster running, and a role that may create test databases.
if [ -z "${STOREDESK_TEST_POSTGRES_URL:-}" ] && command -v pg_lsclusters >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  cluster=$(pg_lsclusters -h | awk 'NR == 1 { print $1 " " $2 }')
  if [ -n "$cluster" ]; then
    # shellcheck disable=SC2086
    pg_lsclusters -h | awk 'NR == 1 { print $4 }' | grep -q online || $sudo pg_ctlcluster $cluster start
    $sudo runuser -u postgres -- psql -q -c "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'storedesk') THEN
        CREATE ROLE storedesk LOGIN PASSWORD 'storedesk' CREATEDB;
      END IF; END \$\$;" >/dev/null
  fi
fi

if ! command -v cargo >/dev/null; then
  echo "setup: Rust is missing. Install it with: curl https://sh.rustup.rs -sSf | sh -s -- -y" >&2
  exit 1
fi
if ! command -v npm >/dev/null; then
  echo "setup: Node.js 20+ with npm is missing (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi

# The end-to-end tests drive the app through tauri-driver (a WebDriver proxy to WebKitWebDriver).
if ! command -v tauri-driver >/dev/null && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --locked --quiet
fi

# The front end and the Tauri CLI (from npm, no other downloads).
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  (cd ui && npm ci --no-audit --no-fund)
fi
