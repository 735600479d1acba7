#!/usr/bin/env bash
# Build the embeddable decoder (crates/meterscope-wasm, decoder only) into a
# versioned, self-contained folder: OUT/embed/v<version>/ (module, custom
# element, iframe page, types) plus the documentation page OUT/embed/index.html
# and the decoder page's log worker OUT/log-worker.js, which loads the module; in a
# page build also the modules the app loads on first use: the reader OUT/reader/
# (crates/meterscope-reader) and the simulated meters OUT/sim/ (crates/meterscope-sim, www/sim/).
# OUT: the first argument, else Trunk's staging directory (when run as Trunk's
# post_build hook), else dist.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
OUT=${1:-${TRUNK_STAGING_DIR:-dist}}
VER=$(awk -F'"' '/^version = /{print $2; exit}' crates/meterscope-wasm/Cargo.toml)
# The embed profile: the core at opt-level 3 (see Cargo.toml).
cargo build -p meterscope-wasm --profile embed --target wasm32-unknown-unknown --quiet
WASM=${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/embed/meterscope_wasm.wasm
DIR="$OUT/embed/v$VER"
rm -rf "$DIR"; mkdir -p "$DIR"
wasm-bindgen --target web --no-typescript --out-dir "$DIR" --out-name meterscope_wasm "$WASM"
wasm-opt -Oz --enable-bulk-memory --enable-reference-types --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals "$DIR/meterscope_wasm_bg.wasm" -o "$DIR/meterscope_wasm_bg.wasm"
cp www/embed/lib/* "$DIR/"
sed "s/{{VERSION}}/$VER/g" www/embed/index.html > "$OUT/embed/index.html"
# The decoder page's log worker loads this module.
sed "s/{{VERSION}}/$VER/g" www/log-worker.js > "$OUT/log-worker.js"
# In a page build (dist or Trunk's staging directory): the reader, which the app loads when
# its tab is first opened (OUT/reader/), the simulated meters the reader's demo mode loads on
# first use (OUT/sim/, with the Web Serial-compatible simulated port), then the service
# worker's cache list of every file.
if [ -f "$OUT/sw.js" ]; then
  cargo build -p meterscope-reader --release --target wasm32-unknown-unknown --quiet
  rm -rf "$OUT/reader"; mkdir -p "$OUT/reader"
  wasm-bindgen --target web --no-typescript --out-dir "$OUT/reader" --out-name meterscope_reader \
    "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/meterscope_reader.wasm"
  wasm-opt -Oz --enable-bulk-memory --enable-reference-types --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals "$OUT/reader/meterscope_reader_bg.wasm" -o "$OUT/reader/meterscope_reader_bg.wasm"
  cargo build -p meterscope-sim --release --target wasm32-unknown-unknown --quiet
  rm -rf "$OUT/sim"; mkdir -p "$OUT/sim"
  wasm-bindgen --target web --no-typescript --out-dir "$OUT/sim" --out-name meterscope_sim \
    "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/meterscope_sim.wasm"
  wasm-opt -Oz --enable-bulk-memory --enable-reference-types --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals "$OUT/sim/meterscope_sim_bg.wasm" -o "$OUT/sim/meterscope_sim_bg.wasm"
  cp www/sim/* "$OUT/sim/"
  scripts/sw-cache-list.sh "$OUT"
fi
