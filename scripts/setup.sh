#!/usr/bin/env bash
# Install whatever is missing to build, serve and test meterscope. Idempotent:
# a few seconds when everything is present. Touches only the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
log() { printf '[setup] %s\n' "$*"; }

rustup target list --installed | grep -qx wasm32-unknown-unknown || { log "adding wasm32-unknown-unknown"; rustup target add wasm32-unknown-unknown; }
for c in rustfmt clippy; do
  rustup component list --installed | grep -q "^$c" || { log "adding $c"; rustup component add "$c"; }
done

if ! trunk --version 2>/dev/null | grep -qx "trunk $TRUNK_VERSION"; then
  log "installing trunk $TRUNK_VERSION (several minutes)"
  cargo install trunk@"$TRUNK_VERSION" --locked
fi

# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock.
WBG=$(awk '$0=="name = \"wasm-bindgen\""{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WBG"; then
  log "installing wasm-bindgen-cli $WBG (a few minutes)"
  # Not --locked: its lockfile pins a webpki-roots release the registry does not serve.
  cargo install wasm-bindgen-cli@"$WBG" --force
fi

# Chromium for the browser tests; socat for the CLI's pseudo-terminal tests.
APT_PACKAGES=(chromium chromium-driver socat)
if ! dpkg -s "${APT_PACKAGES[@]}" >/dev/null 2>&1; then
  log "installing ${APT_PACKAGES[*]} from apt"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${APT_PACKAGES[@]}"
fi

# playwright-core (drives Debian's Chromium, never downloads a browser),
# binaryen's wasm-opt from npm (Debian's binaryen breaks the module) and
# axe-core (the accessibility checks of the end-to-end tests).
if [ ! -x tests/e2e/node_modules/.bin/wasm-opt ] || [ ! -d tests/e2e/node_modules/playwright-core ] \
   || [ ! -d tests/e2e/node_modules/axe-core ] \
   || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
  log "installing npm packages (playwright-core, binaryen, axe-core)"
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
log "ready: $(trunk --version), $(wasm-bindgen --version), wasm-opt $(tests/e2e/node_modules/.bin/wasm-opt --version | awk '{print $3}'), $(chromium --version 2>/dev/null | head -n1)"
