#!/usr/bin/env bash
# Benchmarks (not part of the test command). One run prints:
#  1. native throughput of the core per corpus group (each protocol, a mixed
#     serial log, random bytes): framing only (Registry::split) and full
#     dissection, frames/s and MB/s (bench-native);
#  2. the same through the WebAssembly build in Node, with the
#     WebAssembly/native ratio per group (bench/wasm.mjs), the native figure
#     taken again round by round between the WebAssembly rounds;
#  3. peer libraries from PyPI (bench/peers-requirements.txt, installed here
#     into target/bench/venv) timed on the same frames, what each makes of the
#     corpus and public-vector frames, and where they disagree with our
#     decoder (bench-facts, bench/peers.py), each peer's rounds alternating
#     with rounds of our native dissection of the same frames;
#  4. page-level figures in headless Chromium on the release build: navigation
#     to the first decode, a documentation page's <meter-frame> with its protocol
#     detected (the full decoder) and named (its family module), a 10 MB log split
#     in the page's worker with the page's timer lag and JS heap peak (bench/page.mjs).
# Usage: scripts/bench.sh [--seed N] [--secs S]   (S: least seconds per measurement, default 1)
set -euo pipefail
cd "$(dirname "$0")/.."

SEED=1
SECS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) SEED=$2; shift 2 ;;
    --secs) SECS=$2; shift 2 ;;
    *) echo "usage: scripts/bench.sh [--seed N] [--secs S]" >&2; exit 2 ;;
  esac
done

scripts/setup.sh >/dev/null
source scripts/env.sh
OUT=target/bench
mkdir -p "$OUT"

# The peers' Python environment: a virtualenv, or a plain directory on
# PYTHONPATH where the venv module (Debian's python3-venv) is missing.
REQ=bench/peers-requirements.txt
PIP_FLAGS=(--quiet --disable-pip-version-check --no-input)
if python3 -c 'import venv, ensurepip' 2>/dev/null; then
  if [ ! -x "$OUT/venv/bin/python" ]; then
    rm -rf "$OUT/venv"
    python3 -m venv "$OUT/venv"
  fi
  if ! cmp -s "$REQ" "$OUT/venv/installed-requirements.txt"; then
    echo "bench: installing the peer libraries into $OUT/venv (PyPI)"
    "$OUT/venv/bin/python" -m pip install "${PIP_FLAGS[@]}" -r "$REQ"
    cp "$REQ" "$OUT/venv/installed-requirements.txt"
  fi
  peers() { "$OUT/venv/bin/python" bench/peers.py "$@"; }
else
  if ! cmp -s "$REQ" "$OUT/pylib/installed-requirements.txt"; then
    echo "bench: no python3 venv module; installing the peer libraries into $OUT/pylib (PyPI)"
    rm -rf "$OUT/pylib"
    python3 -m pip install "${PIP_FLAGS[@]}" --target "$OUT/pylib" -r "$REQ"
    cp "$REQ" "$OUT/pylib/installed-requirements.txt"
  fi
  peers() { PYTHONPATH="$PWD/$OUT/pylib" python3 bench/peers.py "$@"; }
fi

cargo build --quiet --profile bench-native -p meterscope-bench --bins
BIN=${CARGO_TARGET_DIR:-target}/bench-native
"$BIN/bench-native" --seed "$SEED" --secs "$SECS" --out "$OUT"
echo
"$BIN/bench-facts" --seed "$SEED" --out "$OUT"
echo
scripts/build-embed.sh "$OUT/site"
node bench/wasm.mjs --secs "$SECS" --native "$BIN/bench-native" --seed "$SEED"
echo
peers --secs "$SECS" --native "$BIN/bench-native" --seed "$SEED"
echo
# Page-level figures in headless Chromium on the release build of this tree
# (built every run: a dist/ left from an older tree would be measured instead).
trunk build --release >/dev/null
node bench/page.mjs
