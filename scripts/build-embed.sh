#!/usr/bin/env bash
# Build the decoder-only WebAssembly module (crates/meterscope-wasm) for the
# web (target/embed/web) and for Node (target/embed/node), size-optimised.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
cargo build -p meterscope-wasm --release --target wasm32-unknown-unknown --quiet
WASM=target/wasm32-unknown-unknown/release/meterscope_wasm.wasm
for t in web node; do
  out=target/embed/$t
  mkdir -p "$out"
  wasm-bindgen --target "$([ $t = web ] && echo web || echo nodejs)" --out-dir "$out" "$WASM"
  wasm-opt -Oz --enable-bulk-memory --enable-reference-types --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    "$out/meterscope_wasm_bg.wasm" -o "$out/meterscope_wasm_bg.wasm"
done
