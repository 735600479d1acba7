#!/usr/bin/env bash
# Report raw and gzipped sizes of every built .wasm and check the budgets.
# Budgets (gzip -9 bytes): app 616 KiB (the decoder page; the reader is a module of its own),
# embed .wasm 320 KiB (the decoder alone, with the analysis across frames: DLMS reassembly, HLS
# checks, profile tables, DL/T 698.45 fragments; size-optimised throughout), embed .js 16 KiB,
# log worker .wasm 368 KiB (the decoder with LogSplitter and the benchmark's entry points, its
# core at opt-level 3 for speed), reader .wasm 432 KiB (sessions, flows, transports, trace and
# chart, loaded when the reader tab is first opened), simulated meters .wasm 192 KiB (loaded
# by the reader's demo mode on first use). These budgets are an interim ceiling above the
# design's 400 KB / 200 KB.
set -euo pipefail
cd "$(dirname "$0")/.."
APP_BUDGET=${APP_BUDGET:-630784}
EMBED_BUDGET=${EMBED_BUDGET:-327680}
EMBED_JS_BUDGET=${EMBED_JS_BUDGET:-16384}
SIM_BUDGET=${SIM_BUDGET:-196608}
READER_BUDGET=${READER_BUDGET:-442368}
WORKER_BUDGET=${WORKER_BUDGET:-376832}
fail=0
report() { # file budget
  local f=$1 budget=$2 raw gz
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  printf 'wasm size: %-48s raw %8d  gzip %7d  budget %7d  %s\n' "$f" "$raw" "$gz" "$budget" "$([ "$gz" -le "$budget" ] && echo ok || echo OVER)"
  [ "$gz" -le "$budget" ] || fail=1
}
shopt -s nullglob
apps=(dist/*.wasm); embeds=(dist/embed/v*/*.wasm); readers=(dist/reader/*.wasm); workers=(dist/worker/*.wasm); sims=(dist/sim/*.wasm)
[ ${#apps[@]} -gt 0 ] || { echo "no dist/*.wasm: run trunk build --release first"; exit 1; }
for f in "${apps[@]}"; do report "$f" "$APP_BUDGET"; done
[ ${#embeds[@]} -gt 0 ] || { echo "no dist/embed/v*/*.wasm: the post_build hook did not run"; exit 1; }
for f in "${embeds[@]}"; do report "$f" "$EMBED_BUDGET"; done
[ ${#workers[@]} -gt 0 ] || { echo "no dist/worker/*.wasm: the post_build hook did not run"; exit 1; }
for f in "${workers[@]}"; do report "$f" "$WORKER_BUDGET"; done
[ ${#readers[@]} -gt 0 ] || { echo "no dist/reader/*.wasm: the post_build hook did not run"; exit 1; }
for f in "${readers[@]}"; do report "$f" "$READER_BUDGET"; done
[ ${#sims[@]} -gt 0 ] || { echo "no dist/sim/*.wasm: the post_build hook did not run"; exit 1; }
for f in "${sims[@]}"; do report "$f" "$SIM_BUDGET"; done
# The module's JavaScript (glue, wrapper, custom element), gzipped.
js=0; for f in "$(dirname "${embeds[0]}")"/*.js; do js=$((js + $(gzip -9 -c "$f" | wc -c))); done
printf 'js size:   %-48s gzip %7d  budget %7d  %s\n' "$(dirname "${embeds[0]}")/*.js" "$js" "$EMBED_JS_BUDGET" "$([ "$js" -le "$EMBED_JS_BUDGET" ] && echo ok || echo OVER)"
[ "$js" -le "$EMBED_JS_BUDGET" ] || fail=1
exit $fail
