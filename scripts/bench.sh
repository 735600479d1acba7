#!/usr/bin/env bash
# Benchmarks (not part of the test command): native throughput of the core on
# the seeded corpus, the same corpus through the WebAssembly build in Node, and
# their ratio. Usage: scripts/bench.sh [--seed N]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
source scripts/env.sh
cargo run --quiet --profile bench-native -p meterscope-bench --bin bench-native -- "$@" --out target/bench
scripts/build-embed.sh target/bench/site
node bench/wasm.mjs
