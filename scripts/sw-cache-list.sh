#!/usr/bin/env bash
# Called by build-embed.sh (Trunk post_build hook): write the service worker's
# cache list (the hashed file names Trunk just produced, the embed module, the
# log worker's module, the reader module, the simulated meters, wasm-bindgen snippets; not the
# embed's family modules, which only a documentation page that names a protocol loads, and
# which are cached when fetched) and a version
# into OUT/sw.js. OUT: the first argument, else Trunk's staging directory, else dist.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-${TRUNK_STAGING_DIR:-dist}}
SW="$OUT/sw.js"
[ -f "$SW" ] || { echo "sw-cache-list: $SW missing" >&2; exit 1; }
list() {
  (cd "$OUT" && find . -maxdepth 1 -type f ! -name sw.js -printf '%P\n'
   for d in embed worker reader sim snippets; do if [ -d "$d" ]; then find "$d" -type f ! -path '*/family/*'; fi; done) | LC_ALL=C sort
}
files="'./'"
for f in $(list); do files="$files, '$f'"; done
# The version changes with any file's content (Trunk's names carry hashes; the others do not).
# The family modules count too: the cache of a new version drops what the old one cached on use.
version=$( (list; cd "$OUT" && find . -path '*/family/*' -type f -printf '%P\n' | LC_ALL=C sort) | (cd "$OUT" && xargs sha256sum) | sha256sum | cut -c1-12)
sed -i "s#\[/\*FILES\*/\]#[$files]#; s#/\*VERSION\*/#$version#" "$SW"
