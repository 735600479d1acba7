"""DL/T 645-2007: the `dlt645` package's own TCP meter server, read by
`meterscope read`. The server holds known values; the command line must
find the meter's address, read each value and the clock request must be
answered (this server keeps no clock: it answers 00 00 00, shown as 'not set').

Usage: python dlt645_server.py MESCOPE_BINARY
"""

import json
import socket
import subprocess
import sys
import time

from dlt645.service.serversvc.server_service import MeterServerService

BIN = sys.argv[1]
ADDRESS = "123456789012"  # as written (most significant digits first)
HELD = {"00010000": 12345.67, "00020000": 321.09, "02010100": 221.3, "02020100": 5.125}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    port = free_port()
    server = MeterServerService.new_tcp_server("127.0.0.1", port)
    server.set_address(bytes.fromhex(ADDRESS)[::-1])  # wire order
    server.set_00(0x00010000, HELD["00010000"])
    server.set_00(0x00020000, HELD["00020000"])
    server.set_02(0x02010100, HELD["02010100"])
    server.set_02(0x02020100, HELD["02020100"])
    server.start()
    time.sleep(0.3)
    args = [BIN, "read", "--protocol", "dlt645", "--tcp", f"127.0.0.1:{port}", "--json", "--clock", *HELD]
    out = subprocess.run(args, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        sys.exit(f"dlt645: exit {out.returncode}\n{out.stdout}\n{out.stderr}")
    got = json.loads(out.stdout)
    if got.get("meter") != ADDRESS:
        sys.exit(f"dlt645: meter address {got.get('meter')!r}, the server holds {ADDRESS}")
    values = {v["di"]: v for v in got["values"]}
    for di, want in HELD.items():
        v = values.get(di)
        if v is None or not v.get("complete"):
            sys.exit(f"dlt645: {di} not read: {v}")
        value = float(v["items"][0]["value"])
        if abs(value - want) > 1e-6:
            sys.exit(f"dlt645: {di} read {value}, the server holds {want}")
    print(f"dlt645: address {ADDRESS} found, {len(HELD)} values read as held, clock answered")


if __name__ == "__main__":
    main()
