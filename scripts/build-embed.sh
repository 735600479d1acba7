#!/usr/bin/env bash
# Build the embeddable decoder (crates/meterscope-wasm, decoder only, size-optimised) into a
# versioned, self-contained folder: OUT/embed/v<version>/ (module, custom element, iframe
# page, types) plus the documentation page OUT/embed/index.html; the decoder page's log
# worker OUT/log-worker.js with its module OUT/worker/ (the same crate with its `worker`
# feature: LogSplitter and the benchmark's entry points, the protocol core at full speed);
# in a page build also the modules the app loads on first use: the reader OUT/reader/
# (crates/meterscope-reader) and the simulated meters OUT/sim/ (crates/meterscope-sim, www/sim/).
# OUT: the first argument, else Trunk's staging directory (when run as Trunk's
# post_build hook), else dist.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
OUT=${1:-${TRUNK_STAGING_DIR:-dist}}
VER=$(awk -F'"' '/^version = /{print $2; exit}' crates/meterscope-wasm/Cargo.toml)
TARGET=${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown
# wasm-bindgen then wasm-opt -Oz twice (the second round still finds a few hundred bytes),
# without the producers and target-features sections: module (.wasm from cargo), output
# folder, output name. index.html passes the same to Trunk for the app.
bindgen() {
  rm -rf "$2"; mkdir -p "$2"
  wasm-bindgen --target web --no-typescript --out-dir "$2" --out-name "$3" "$1"
  wasm-opt -Oz -Oz --strip-producers --strip-target-features --enable-bulk-memory --enable-reference-types --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals "$2/$3_bg.wasm" -o "$2/$3_bg.wasm"
}
# The embeddable decoder: the release profile (opt-level "z" throughout).
cargo build -p meterscope-wasm --release --target wasm32-unknown-unknown --quiet
DIR="$OUT/embed/v$VER"
bindgen "$TARGET/release/meterscope_wasm.wasm" "$DIR" meterscope_wasm
cp www/embed/lib/* "$DIR/"
# The embed's family modules (listed in www/embed/lib/meterscope.js as FAMILY_MODULES):
# name, then the families it dissects; it frames every other family. Each is the same
# crate with those `family-*` features, linked again (the core is compiled once).
for spec in sml:sml iec62056:iec62056 dlt645:dlt645 dlt698:dlt698 dlms:iec62056,dlms \
  qgdw1376:dlt645,dlt698,qgdw1376 mbus:sml,mbus; do
  name=${spec%%:*}
  features=$(echo "${spec#*:}" | sed 's/[^,]*/family-&/g')
  cargo build -p meterscope-wasm --release --target wasm32-unknown-unknown --quiet --features "$features"
  bindgen "$TARGET/release/meterscope_wasm.wasm" "$DIR/family/$name" "meterscope_$name"
done
sed "s/{{VERSION}}/$VER/g" www/embed/index.html > "$OUT/embed/index.html"
# The decoder page's log worker and its module: the worker profile (the core at opt-level 3).
cargo build -p meterscope-wasm --features worker --profile worker --target wasm32-unknown-unknown --quiet
bindgen "$TARGET/worker/meterscope_wasm.wasm" "$OUT/worker" meterscope_worker
cp www/log-worker.js "$OUT/log-worker.js"
# In a page build (dist or Trunk's staging directory): the reader, which the app loads when
# its tab is first opened (OUT/reader/), the simulated meters the reader's demo mode loads on
# first use (OUT/sim/, with the Web Serial-compatible simulated port), then the service
# worker's cache list of every file.
if [ -f "$OUT/sw.js" ]; then
  cargo build -p meterscope-reader --release --target wasm32-unknown-unknown --quiet
  bindgen "$TARGET/release/meterscope_reader.wasm" "$OUT/reader" meterscope_reader
  cargo build -p meterscope-sim --release --target wasm32-unknown-unknown --quiet
  bindgen "$TARGET/release/meterscope_sim.wasm" "$OUT/sim" meterscope_sim
  cp www/sim/* "$OUT/sim/"
  scripts/sw-cache-list.sh "$OUT"
fi
