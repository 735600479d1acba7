"""DL/T 698.45: the `dlt698` package's server (bindings of its C++ engine),
read by `meterscope read`. The server is configured for client address
0x20 and serves only inside an application connection: a GET without one
gets ERROR-Response "service not supported". It answers CONNECT proposing
protocol version 0x0016 with result 5 (version mismatch) and names its own
version, 0x0010, in the response; the session connects again with it.

It does not answer requests to the wildcard address, so the meter's address
is given (`--address`): its server address is configured as the wire bytes
12 34 56 78 90 12, written 129078563412.

Usage: python dlt698_server.py MESCOPE_BINARY
"""

import json
import socket
import subprocess
import sys
import time

from dlt698 import _native as n
from dlt698.app.server import Server

BIN = sys.argv[1]
ENERGY = (1234567, 400000, 300000, 334567, 200000)  # 0.01 kWh: total, T1..T4
VOLTAGE = (2201, 2212, 2223)  # 0.1 V: phases A, B, C


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    port = free_port()
    sa = n.ServerAddress()
    sa.bytes = bytes.fromhex("123456789012")
    server = Server(None, n.ServerOptions(protocol=n.SessionOptions(client_address=0x20, server=sa)))
    D = n.Data
    server.set(n.Oad(oi=0x0010, attribute=2, index=0), D.array([D.uint32(v) for v in ENERGY]))
    server.set(n.Oad(oi=0x2000, attribute=2, index=0), D.array([D.uint16(v) for v in VOLTAGE]))
    server.start_tcp("127.0.0.1", port)
    time.sleep(0.3)
    base = [BIN, "read", "--protocol", "dlt698", "--tcp", f"127.0.0.1:{port}", "--address", "129078563412"]

    # Without a connection: the server's refusal, in words.
    out = subprocess.run(base + ["--client-address", "0x20", "--connect", "never", "00100200"],
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 1 or "service not supported" not in out.stdout or "application connection" not in out.stdout:
        sys.exit(f"dlt698 (no connection): exit {out.returncode}\n{out.stdout}\n{out.stderr}")

    # With one (opened because the server asks), from client address 0x20.
    out = subprocess.run(base + ["--client-address", "0x20", "--json", "-v", "00100200", "20000200"],
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        sys.exit(f"dlt698: exit {out.returncode}\n{out.stdout}\n{out.stderr}")
    got = {v["oad"]: [float(i["value"]) for i in v["items"]] for v in json.loads(out.stdout)["values"]}
    want = {"00100200": [v / 100 for v in ENERGY], "20000200": [v / 10 for v in VOLTAGE]}
    for oad, values in want.items():
        if got.get(oad) is None or any(abs(a - b) > 1e-6 for a, b in zip(got[oad], values)) or len(got[oad]) != len(values):
            sys.exit(f"dlt698: {oad} read {got.get(oad)}, the server holds {values}\n{out.stderr}")
    if "application connection open (protocol version 16" not in out.stderr:
        sys.exit(f"dlt698: no connection at the server's version:\n{out.stderr}")
    print("dlt698: CONNECT (version negotiated to the server's 16), CA 0x20, energies and voltages read as held")


if __name__ == "__main__":
    main()
