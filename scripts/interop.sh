#!/usr/bin/env bash
# Interoperability: read third-party meter simulators from PyPI packages with
# the command line, on 127.0.0.1, each case under a time limit.
#
#   dlt645  the `dlt645` package's TCP meter server (MeterServerService):
#           find the address, read energies, voltage and current with their
#           units, and the clock; compared with what the server holds and
#           with the package's own client (MeterClientService).
#   dlt698  the `dlt698` package's server (C++ engine): client address 0x20,
#           services only inside an application connection: refused in words
#           with --connect never; with --connect (CONNECT first, the protocol
#           version negotiated) energies, voltages and the clock compared
#           with what it holds and with the package's own client; opened on
#           the server's request without the option.
#   dlms_hdlc     a DLMS/COSEM meter from the `gurux_dlms` package's server
#                 classes (tests/interop/gurux_meter.py), HDLC over TCP
#                 (logical 1, physical 17): clients 16 (no authentication)
#                 and 17 (password), register, clock, string and object list
#                 compared with what it holds and with the package's client;
#                 the meter's refusals in words; its malformed UA named in
#                 the trace.
#   dlms_wrapper  the same meter over the wrapper on TCP.
#
# Usage: scripts/interop.sh [CASE...]   (default: every case)
# Each case (tests/interop/CASE_server.py) starts its simulator on 127.0.0.1
# on a free port and runs under a time limit of CASE_SECONDS (default 40).
# The packages go into target/interop/venv at the versions pinned in
# tests/interop/requirements.txt (reinstalled only when that file changes).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
OUT=target/interop
REQ=tests/interop/requirements.txt
mkdir -p "$OUT"
PIP_FLAGS=(--quiet --disable-pip-version-check --no-input)
if python3 -c 'import venv, ensurepip' 2>/dev/null; then
  if [ ! -x "$OUT/venv/bin/python" ]; then rm -rf "$OUT/venv"; python3 -m venv "$OUT/venv"; fi
  if ! cmp -s "$REQ" "$OUT/venv/installed-requirements.txt"; then
    echo "interop: installing the simulators into $OUT/venv (PyPI)"
    "$OUT/venv/bin/python" -m pip install "${PIP_FLAGS[@]}" -r "$REQ"
    cp "$REQ" "$OUT/venv/installed-requirements.txt"
  fi
  PY=("$OUT/venv/bin/python")
else
  if ! cmp -s "$REQ" "$OUT/pylib/installed-requirements.txt"; then
    echo "interop: no python3 venv module; installing the simulators into $OUT/pylib (PyPI)"
    rm -rf "$OUT/pylib"
    python3 -m pip install "${PIP_FLAGS[@]}" --target "$OUT/pylib" -r "$REQ"
    cp "$REQ" "$OUT/pylib/installed-requirements.txt"
  fi
  PY=(env PYTHONPATH="$PWD/$OUT/pylib" python3)
fi
cargo build --quiet -p meterscope-cli
export PYTHONDONTWRITEBYTECODE=1  # the cases import tests/interop/gurux_meter.py: no __pycache__ in the tree
BIN="${CARGO_TARGET_DIR:-target}/debug/meterscope"
ALL=(dlt645 dlt698 dlms_hdlc dlms_wrapper)
CASES=("$@"); [ ${#CASES[@]} -gt 0 ] || CASES=("${ALL[@]}")
for c in "${CASES[@]}"; do
  [ -f "tests/interop/${c}_server.py" ] || { echo "interop: no case '$c' (cases: ${ALL[*]})"; exit 2; }
done
for c in "${CASES[@]}"; do
  echo "=== interop $c"
  timeout --kill-after=5 "${CASE_SECONDS:-40}" "${PY[@]}" "tests/interop/${c}_server.py" "$BIN" ||
    { echo "interop: case $c failed (exit $?; 124: not done within ${CASE_SECONDS:-40} s)"; exit 1; }
done
