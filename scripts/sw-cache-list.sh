#!/usr/bin/env bash
# Trunk post_build hook: write the service worker's cache list (the hashed
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
version=$(cd "$OUT" && find . -maxdepth 1 -type f ! -name sw.js -printf '%P\n' | LC_ALL=C sort | sha256sum | cut -c1-12)
sed -i "s#\[/\*FILES\*/\]#[$files]#; s#/\*VERSION\*/#$version#" "$SW"
