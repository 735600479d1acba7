"""DLMS/COSEM over the wrapper (IEC 62056-47) on TCP: a meter built from the
`gurux_dlms` package's server classes (tests/interop/gurux_meter.py), read by
`meterscope read --transport wrapper` with no authentication (client 16) and
with a password (client 17, low level security). The register with its
scaler and unit, the clock (as a value and with --clock), a visible-string
and the object list are compared with what the meter holds and what the
package's own client reads; a wrong password and a password where none is
wanted must end in the meter's refusal, in words.

Usage: python dlms_wrapper_server.py MESCOPE_BINARY
"""

import sys

from gurux_meter import run_case


def main():
    problems, _ = run_case("wrapper", sys.argv[1])
    if problems:
        sys.exit("dlms_wrapper:\n" + "\n".join(problems))
    print(
        "dlms_wrapper: clients 16 (none) and 17 (password): register, clock, string, object list as held and as "
        "the gurux client reads them; refusals in words"
    )


if __name__ == "__main__":
    main()
