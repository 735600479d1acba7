"""DLMS/COSEM over HDLC (IEC 62056-46) on TCP: a meter built from the
`gurux_dlms` package's server classes (tests/interop/gurux_meter.py),
logical address 1, physical 17, read by `meterscope read --transport hdlc
--server-physical 17` with no authentication (client 16) and with a password
(client 17, low level security). The register with its scaler and unit, the
clock (as a value and with --clock), a visible-string and the object list
are compared with what the meter holds and what the package's own client
reads; a wrong password and
a password where none is wanted must end in the meter's refusal, in words.

The server's UA to SNRM states a parameter group length of 00 and then
sends its 18 bytes of parameters (see gurux_meter.py, with the bytes):
meterscope reads the parameters after it, and its trace names the fault at
the UA: "the group length says 0 bytes, but 18 bytes of parameters follow".

Usage: python dlms_hdlc_server.py MESCOPE_BINARY
"""

import subprocess
import sys

from gurux_meter import LOGICAL, PHYSICAL, run_case

UA_FAULT = "UA [invalid: the group length says 0 bytes, but 18 bytes of parameters follow"


def main():
    binary = sys.argv[1]
    problems, port = run_case("hdlc", binary)
    link = ["--transport", "hdlc", "--server", str(LOGICAL), "--server-physical", str(PHYSICAL)]
    cmd = [binary, "read", "--protocol", "dlms", "--tcp", f"127.0.0.1:{port}", *link, "--clock", "--trace"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    if out.returncode != 0 or UA_FAULT not in out.stderr:
        problems.append(f"trace: exit {out.returncode}, no {UA_FAULT!r} in\n{out.stderr}")
    if problems:
        sys.exit("dlms_hdlc:\n" + "\n".join(problems))
    print(
        "dlms_hdlc: clients 16 (none) and 17 (password): register, clock, string, object list as held and as "
        "the gurux client reads them; refusals in words; the UA's group length named in the trace"
    )


if __name__ == "__main__":
    main()
