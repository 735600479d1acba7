#!/usr/bin/env bash
# Set up what is missing, then run every test: formatting, lints, native tests
# of the core and CLI, wasm-bindgen tests of the app in headless Chromium, the
# release build with its size report, and Playwright end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
step() { printf '\n=== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy (native crates)"
cargo clippy -p meterscope-core -p meterscope-cli -p meterscope-bench -p meterscope-wasm -p meterscope-sim -p meterscope-ui --all-targets --all-features -- -D warnings
step "clippy (app, wasm32)"
cargo clippy -p meterscope -p meterscope-reader --target wasm32-unknown-unknown --all-targets -- -D warnings

step "native tests: core, CLI, bench"
cargo test
# The WebAssembly modules' crate, natively: its JSON writer against serde_json's, the log
# worker's entry points.
cargo test -p meterscope-wasm --features worker

step "app tests: wasm-bindgen-test in headless Chromium"
cargo test -p meterscope --target wasm32-unknown-unknown

step "release build"
trunk build --release            # its post_build hook builds dist/embed/ (scripts/build-embed.sh)
scripts/size-report.sh

step "interoperability: third-party meter simulators from PyPI read by the CLI"
scripts/interop.sh

step "end-to-end tests: Playwright on the release build"
(cd tests/e2e && node --test --test-reporter=spec --test-concurrency=1)
