"""DL/T 698.45: the `dlt698` package's server (bindings of its C++ engine),
read by `meterscope read`. The server is configured for client address
0x20 and serves only inside an application connection: a GET without one
gets ERROR-Response "service not supported". It answers CONNECT proposing
protocol version 0x0016 with result 5 (version mismatch) and names its own
version, 0x0010, in the response; the session connects again with it.

It does not answer requests to the wildcard address, so the meter's address
is given (`--address`): its server address is configured as the wire bytes
12 34 56 78 90 12, written 129078563412.

Three reads, each from client address 0x20 (`--client-address 0x20`):
  --connect never   the server's refusal, in words;
  --connect OAD..   (always: CONNECT is the first frame sent) energies
                    00100200, voltages 20000200 and the clock 40000200,
                    compared with what the server holds and with what the
                    package's own client (dlt698.Client) reads from the
                    same server;
  (auto)            the connection opened because the server asks for it.

Usage: python dlt698_server.py MESCOPE_BINARY
"""

import json
import socket
import subprocess
import sys
import time

import dlt698
from dlt698 import _native as n
from dlt698.app.server import Server

BIN = sys.argv[1]
ENERGY = (1234567, 400000, 300000, 334567, 200000)  # 0.01 kWh: total, T1..T4
VOLTAGE = (2201, 2212, 2223)  # 0.1 V: phases A, B, C
CLOCK = (2026, 3, 17, 10, 20, 30)
SERVER = bytes.fromhex("123456789012")  # as on the wire


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_options():
    sa = n.ServerAddress()
    sa.bytes = SERVER
    return n.SessionOptions(client_address=0x20, server=sa)


def clock_text(y, mo, d, h, mi, s):
    return f"{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}"


def reference(port):
    """What the package's own client reads: {oad: [text]} as meterscope prints them."""
    with dlt698.Client(n.ClientOptions(protocol=session_options())) as c:
        c.connect_tcp("127.0.0.1", port)
        raw = {oi: c.get(n.Oad(oi=oi, attribute=2)).require_data().value for oi in (0x0010, 0x2000, 0x4000)}
    plain = lambda v: v.value if isinstance(v, n.Data) else v  # noqa: E731
    energy = [plain(v) for v in raw[0x0010]]
    voltage = [plain(v) for v in raw[0x2000]]
    dt = raw[0x4000]  # date_time_s octets: year (2), month, day, hour, minute, second
    return {
        "00100200": [f"{v / 100:.2f}" for v in energy],
        "20000200": [f"{v / 10:.1f}" for v in voltage],
        "40000200": [clock_text(dt[0] << 8 | dt[1], *dt[2:7])],
    }


def main():
    port = free_port()
    server = Server(None, n.ServerOptions(protocol=session_options()))
    D = n.Data
    server.set(n.Oad(oi=0x0010, attribute=2, index=0), D.array([D.uint32(v) for v in ENERGY]))
    server.set(n.Oad(oi=0x2000, attribute=2, index=0), D.array([D.uint16(v) for v in VOLTAGE]))
    y, mo, d, h, mi, s = CLOCK
    server.set(n.Oad(oi=0x4000, attribute=2, index=0), D.date_time_s([y >> 8, y & 0xFF, mo, d, h, mi, s]))
    server.start_tcp("127.0.0.1", port)
    time.sleep(0.3)
    base = [BIN, "read", "--protocol", "dlt698", "--tcp", f"127.0.0.1:{port}", "--address", "129078563412",
            "--client-address", "0x20"]

    # Without a connection: the server's refusal, in words.
    out = subprocess.run(base + ["--connect", "never", "00100200"], capture_output=True, text=True, timeout=30)
    if out.returncode != 1 or "service not supported" not in out.stdout or "application connection" not in out.stdout:
        sys.exit(f"dlt698 (no connection): exit {out.returncode}\n{out.stdout}\n{out.stderr}")

    # With one, asked for: every value and the clock.
    held = {
        "00100200": [f"{v / 100:.2f}" for v in ENERGY],
        "20000200": [f"{v / 10:.1f}" for v in VOLTAGE],
        "40000200": [clock_text(*CLOCK)],
    }
    out = subprocess.run(base + ["--json", "-v", "--trace", "--connect", *held], capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        sys.exit(f"dlt698 (--connect): exit {out.returncode}\n{out.stdout}\n{out.stderr}")
    got = {v["oad"]: [i["value"] for i in v["items"]] for v in json.loads(out.stdout)["values"]}
    theirs = reference(port)
    problems = []
    for oad, want in held.items():
        if got.get(oad) != want:
            problems.append(f"{oad}: read {got.get(oad)}, the server holds {want}")
        if got.get(oad) != theirs.get(oad):
            problems.append(f"{oad}: read {got.get(oad)}, the package's client reads {theirs.get(oad)}")
    if "application connection open (protocol version 16" not in out.stderr:
        problems.append(f"no connection at the server's version:\n{out.stderr}")
    sent = [json.loads(line) for line in out.stderr.splitlines() if line.startswith("{")]
    sent = [f for e in sent if e.get("dir") == "tx" for f in e.get("frames", [])]
    if not sent or "CONNECT-Request" not in sent[0]:
        problems.append(f"--connect: the first frame sent is {sent[:1]}, not a CONNECT-Request")

    # Opened without the option, because the server asks.
    out = subprocess.run(base + ["--json", "00100200"], capture_output=True, text=True, timeout=30)
    auto = {v["oad"]: [i["value"] for i in v["items"]] for v in json.loads(out.stdout or "{}").get("values", [])}
    if out.returncode != 0 or auto.get("00100200") != held["00100200"]:
        problems.append(f"(auto): exit {out.returncode}, read {auto}\n{out.stderr}")
    if problems:
        sys.exit("dlt698:\n" + "\n".join(problems))
    print(
        "dlt698: CA 0x20, CONNECT (version negotiated to the server's 16, asked for and on the server's request), "
        "energies, voltages and the clock as held and as the package's client reads them; refusal in words"
    )


if __name__ == "__main__":
    main()
