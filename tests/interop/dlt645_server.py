"""DL/T 645-2007: the `dlt645` package's own TCP meter server, read by
`meterscope read`. The server holds known values and a clock; the command
line must find the meter's address (read-address to AA..AA), read each value
with its unit, and read the clock (date and week 04000101, time 04000102).
Everything is compared with what the server holds and with what the
package's own client (MeterClientService) reads from the same server.

The package's server keeps its clock as two stored values (it does not run):
date YYMMDDWW and time hhmmss, set here to Tuesday 2026-03-17 10:20:30.

Usage: python dlt645_server.py MESCOPE_BINARY
"""

import datetime
import json
import socket
import subprocess
import sys
import time

from dlt645 import MeterClientService
from dlt645.service.serversvc.server_service import MeterServerService

BIN = sys.argv[1]
ADDRESS = "123456789012"  # as written (most significant digits first)
HELD = {"00010000": (12345.67, "kWh"), "00020000": (321.09, "kWh"), "02010100": (221.3, "V"), "02020100": (5.125, "A")}
CLOCK = datetime.datetime(2026, 3, 17, 10, 20, 30)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reference(port):
    """The package's client on the same server: address, values, clock."""
    c = MeterClientService.new_tcp_client("127.0.0.1", port, timeout=3)
    address = c.read_address().value
    c.set_address(address)
    values = {}
    for di in HELD:
        item = c.read_00(int(di, 16)) if di.startswith("00") else c.read_02(int(di, 16))
        values[di] = (float(item.value), item.unit)
    date = c.read_04(0x04000101).value  # YYMMDDWW
    hms = c.read_04(0x04000102).value  # hhmmss
    c.disconnect()
    clock = f"20{date[0:2]}-{date[2:4]}-{date[4:6]} {hms[0:2]}:{hms[2:4]}:{hms[4:6]}"
    return address, values, clock


def main():
    port = free_port()
    server = MeterServerService.new_tcp_server("127.0.0.1", port)
    server.set_address(bytes.fromhex(ADDRESS)[::-1])  # wire order
    for di, (value, _) in HELD.items():
        (server.set_00 if di.startswith("00") else server.set_02)(int(di, 16), value)
    week = (CLOCK.weekday() + 1) % 7  # 0 = Sunday
    server.set_04(0x04000101, CLOCK.strftime("%y%m%d") + f"{week:02d}")
    server.set_04(0x04000102, CLOCK.strftime("%H%M%S"))
    server.start()
    time.sleep(0.3)
    args = [BIN, "read", "--protocol", "dlt645", "--tcp", f"127.0.0.1:{port}", "--json", "--clock", *HELD]
    out = subprocess.run(args, capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        sys.exit(f"dlt645: exit {out.returncode}\n{out.stdout}\n{out.stderr}")
    got = json.loads(out.stdout)
    address, theirs, their_clock = reference(port)
    problems = []
    if got.get("meter") != ADDRESS:
        problems.append(f"meter address {got.get('meter')!r}, the server holds {ADDRESS}")
    if bytes.fromhex(address)[::-1].hex() != ADDRESS:
        problems.append(f"the package's client reads the address {address!r} (wire order), the server holds {ADDRESS}")
    values = {v["di"]: v for v in got["values"]}
    for di, (want, unit) in HELD.items():
        v = values.get(di)
        if v is None or not v.get("complete") or len(v["items"]) != 1:
            problems.append(f"{di} not read: {v}")
            continue
        item = v["items"][0]
        ours = (float(item["value"]), item["unit"])
        if abs(ours[0] - want) > 1e-6 or ours[1] != unit:
            problems.append(f"{di}: read {ours}, the server holds {(want, unit)}")
        if abs(ours[0] - theirs[di][0]) > 1e-6 or ours[1] != theirs[di][1]:
            problems.append(f"{di}: read {ours}, the package's client reads {theirs[di]}")
    want_clock = CLOCK.strftime("%Y-%m-%d %H:%M:%S")
    if got.get("clock") != want_clock or their_clock != want_clock:
        problems.append(f"clock: read {got.get('clock')!r}, the package's client {their_clock!r}, held {want_clock!r}")
    if problems:
        sys.exit("dlt645:\n" + "\n".join(problems))
    print(f"dlt645: address {ADDRESS} found, {len(HELD)} values and the clock {want_clock} as held and as the package's client reads them")


if __name__ == "__main__":
    main()
