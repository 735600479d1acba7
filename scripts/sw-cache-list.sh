#!/usr/bin/env bash
# Called by build-embed.sh (Trunk post_build hook): write the service worker's cache list (the hashed
# file names Trunk just produced) and a version into OUT/sw.js.
# OUT: the first argument, else Trunk's staging directory, else dist.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-${TRUNK_STAGING_DIR:-dist}}
SW="$OUT/sw.js"
[ -f "$SW" ] || { echo "sw-cache-list: $SW missing" >&2; exit 1; }
files="'./'"
for f in $(cd "$OUT" && find . -maxdepth 1 -type f ! -name sw.js -printf '%P\n' | LC_ALL=C sort); do
  files="$files, '$f'"
done
# The decoder module the log worker loads (written by build-embed.sh).
for f in $(cd "$OUT" && find embed -path '*/v*/meterscope_wasm*' -type f 2>/dev/null | LC_ALL=C sort); do
  files="$files, '$f'"
done
# The version changes with any top-level file name (Trunk hashes them) or the module's content.
version=$(cd "$OUT" && { find . -maxdepth 1 -type f ! -name sw.js -printf '%P\n' | LC_ALL=C sort; \
  find embed -path '*/v*/meterscope_wasm*' -type f -exec sha256sum {} + 2>/dev/null | LC_ALL=C sort; \
  sha256sum log-worker.js 2>/dev/null; } | sha256sum | cut -c1-12)
sed -i "s#\[/\*FILES\*/\]#[$files]#; s#/\*VERSION\*/#$version#" "$SW"
