#!/usr/bin/env bash
# Run the fuzz targets with libFuzzer (cargo-fuzz, nightly toolchain).
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET (default 60)] [TARGET...]
# Targets: input registry forced sessions dlt645 dlt698 dlms_hdlc dlms_wrapper dlms_acse dlms_apdu dlms_axdr dlms_multi iec62056 qgdw1376 qgdw1376_concentrator qgdw1376_master sml mbus wmbus capture (default: all). Corpora are seeded from
# fuzz/seeds/*.txt and kept in fuzz/corpus/<target> between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}; shift || true
TARGETS=("$@"); [ ${#TARGETS[@]} -gt 0 ] || TARGETS=(input registry forced sessions dlt645 dlt698 dlms_hdlc dlms_wrapper dlms_acse dlms_apdu dlms_axdr dlms_multi iec62056 qgdw1376 qgdw1376_concentrator qgdw1376_master sml mbus wmbus capture)
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
cargo +nightly fuzz --version >/dev/null 2>&1 || cargo +nightly install cargo-fuzz --locked
seed() { # target seed-files...
  local dir=fuzz/corpus/$1; shift; mkdir -p "$dir"
  for f in "$@"; do
    grep -v '^#' "$f" | sed 's/#.*//' | while read -r line; do
      [ -n "$line" ] || continue
      h=$(echo "$line" | tr -d ' \t'); echo "$h" | xxd -r -p > "$dir/seed-$(echo "$h" | sha1sum | cut -c1-12)"
      printf '%s' "$line" > "$dir/text-$(echo "$h" | sha1sum | cut -c1-12)"
    done
  done
}
for t in "${TARGETS[@]}"; do
  case $t in
    dlt645) seed "$t" fuzz/seeds/dlt645-*.txt ;;
    dlt698) seed "$t" fuzz/seeds/dlt698*.txt ;;
    dlms_*) seed "$t" fuzz/seeds/dlms-*.txt ;;
    qgdw1376) seed "$t" fuzz/seeds/qgdw1376.txt ;;
    qgdw1376_*) seed "$t" fuzz/seeds/qgdw1376.txt fuzz/seeds/qgdw1376-sessions.txt ;;
    sml) seed "$t" fuzz/seeds/sml.txt ;;
    capture) seed "$t" fuzz/seeds/capture.txt ;;
    mbus) seed "$t" fuzz/seeds/mbus.txt ;;
    wmbus) seed "$t" fuzz/seeds/wmbus.txt ;;
    iec62056) seed "$t" fuzz/seeds/iec62056-21.txt fuzz/seeds/dsmr-p1.txt ;;
    *) seed "$t" fuzz/seeds/*.txt ;;
  esac
  # A target that does not build is a failure, not a silent empty run.
  if ! out=$(cd fuzz && cargo +nightly fuzz build "$t" 2>&1); then
    echo "$out" | tail -30; echo "BUILD FAILED: $t"; exit 1
  fi
  echo "=== fuzz $t for ${SECS}s"
  (cd fuzz && cargo +nightly fuzz run "$t" -- -max_total_time="$SECS" -print_final_stats=1 2>&1 | grep -E "Done|stat::number_of_executed_units|stat::peak_rss|ERROR|panicked|SUMMARY" || true)
  # libFuzzer leaves crash-, oom-, timeout- or leak- files in fuzz/artifacts/<target> for a finding.
  if [ -n "$(find fuzz/artifacts/"$t" -maxdepth 1 \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' -o -name 'leak-*' \) 2>/dev/null)" ]; then
    echo "FINDING in $t: fuzz/artifacts/$t"; exit 1
  fi
done
