#!/usr/bin/env bash
# Set up what is missing, then serve the app at http://127.0.0.1:8080 (release build).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
exec trunk serve --release "$@"
