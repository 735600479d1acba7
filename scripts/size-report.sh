#!/usr/bin/env bash
# Report raw and gzipped sizes of every built .wasm and check the budgets.
# Budgets (gzip -9 bytes): app 400 KiB, embed 256 KiB (the embed is the decoder alone).
set -euo pipefail
cd "$(dirname "$0")/.."
APP_BUDGET=${APP_BUDGET:-409600}
EMBED_BUDGET=${EMBED_BUDGET:-262144}
fail=0
report() { # file budget
  local f=$1 budget=$2 raw gz
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  printf 'wasm size: %-48s raw %8d  gzip %7d  budget %7d  %s\n' "$f" "$raw" "$gz" "$budget" "$([ "$gz" -le "$budget" ] && echo ok || echo OVER)"
  [ "$gz" -le "$budget" ] || fail=1
}
shopt -s nullglob
apps=(dist/*.wasm); embeds=(target/embed/web/*.wasm)
[ ${#apps[@]} -gt 0 ] || { echo "no dist/*.wasm: run trunk build --release first"; exit 1; }
for f in "${apps[@]}"; do report "$f" "$APP_BUDGET"; done
for f in "${embeds[@]}"; do report "$f" "$EMBED_BUDGET"; done
exit $fail
