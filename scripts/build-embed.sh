#!/usr/bin/env bash
# Build the embeddable decoder (crates/meterscope-wasm, decoder only) into a
# versioned, self-contained folder: OUT/embed/v<version>/ (module, custom
# element, iframe page, types) plus the documentation page OUT/embed/index.html.
# OUT: the first argument, else Trunk's staging directory (when run as Trunk's
# post_build hook), else dist.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
OUT=${1:-${TRUNK_STAGING_DIR:-dist}}
VER=$(awk -F'"' '/^version = /{print $2; exit}' crates/meterscope-wasm/Cargo.toml)
cargo build -p meterscope-wasm --release --target wasm32-unknown-unknown --quiet
WASM=${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/meterscope_wasm.wasm
DIR="$OUT/embed/v$VER"
rm -rf "$DIR"; mkdir -p "$DIR"
wasm-bindgen --target web --no-typescript --out-dir "$DIR" --out-name meterscope_wasm "$WASM"
wasm-opt -Oz --enable-bulk-memory --enable-reference-types --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals "$DIR/meterscope_wasm_bg.wasm" -o "$DIR/meterscope_wasm_bg.wasm"
cp www/embed/lib/* "$DIR/"
sed "s/{{VERSION}}/$VER/g" www/embed/index.html > "$OUT/embed/index.html"
