"""A DLMS/COSEM meter built from the `gurux_dlms` package's server classes,
and the package's own client reading it: shared by the dlms_hdlc and
dlms_wrapper cases (this file is no case itself).

The meter (logical name referencing) holds:
  Register 1-0:1.8.0.255   1234567, double-long-unsigned, scaler -2, unit Wh
  Clock    0-0:1.0.0.255   2026-03-17 10:20:30
  Data     0-0:96.1.0.255  "GRX0001234" (visible-string)
  Association LN 0-0:40.0.0.255, whose object list names the four.
Associations: client SAP 16 with no authentication, client SAP 17 with low
level security (password PASSWORD). Server logical address 1; over HDLC the
physical address 17 (the package packs them as 1 << 7 | 17 = 145 and sends
the address bytes 02 23).

It is driven over a plain TCP socket through GXDLMSServer.handleRequest, one
fresh meter per connection.

Where gurux_dlms 1.0.203's server is wrong on the wire (checked against
IEC 62056-46 and the Green Book, DLMS UA 1000-2):
  - its UA to SNRM (GXDLMSServer.handleSnrmRequest) leaves the group length
    at 00: it patches it with `replyData.setUInt8(2, len - 3)`, but
    GXByteBuffer.setUInt8 takes (value, index), so byte 18 of the
    information field becomes 02 instead:
        7E A0 1F 21 02 23 73 E6 C7 81 80 00 05 01 80 06 01 80 07 04 00 00 00
        01 08 04 00 02 00 01 61 DC 7E
    (format 81, group 80, group length 00, then 18 bytes of parameters, the
    last, window-size-receive, reading 0x00020001). A UA's parameter group
    length counts the parameter bytes that follow (0x12 here).
  - its RLRE (GXDLMSServer.handleReleaseRequest) states the user-information
    length as the lengths of the InitiateResponse alone: 63 0E .. BE 0F 04 0E
    .. with 21 and 16 bytes following (should be 63 15 .. BE 10), and over
    HDLC it is sent without the LLC header E6 E7 00 (`replyData.set(0, LLC)`
    sets nothing):
        7E A0 21 21 02 23 74 30 06 63 0E 80 01 00 BE 0F 04 0E 08 00 06 5F 1F
        04 00 00 1E 1D 04 00 00 07 BF E5 7E
  - when its handling of a request raises an error (GXDLMSServer.reportError
    with no command to answer), the answer is 00 01 C1 01, which is no APDU;
    to an AARQ meterscope says "0001C101 instead of an AARE".
Where the package needs help to run at all (worked around below):
  - GXDLMSServer.initialize appends the whole collection as one item to an
    empty association object list, which the collection refuses: the list is
    filled here first;
  - handleRequest calls sr.setReply() and sr.getConnectionInfo(), which
    GXServerReply lacks;
  - GET-Request-Normal calls server.notifyRead() and onPostRead() without
    arguments: without them every GET is answered with a hardware fault
    (C4 01 C1 01 01);
  - handleSnrmRequest reads both GXHdlcSettings and GXDLMSHdlcSetup names
    from `server.hdlc`, and calls settings.hdlc.update(), which does not exist;
  - the object list (GXDLMSAssociationLogicalName.getObjects) reads
    ValueEventArgs.isSkipMaxPduSize, which is named skipMaxPduSize.
"""

import datetime
import json
import math
import socket
import subprocess
import threading

from gurux_dlms import GXByteBuffer, GXDLMSClient, GXDateTime, GXReplyData
from gurux_dlms.enums import AccessMode, Authentication, DataType, InterfaceType, MethodAccessMode, Unit
from gurux_dlms.enums.SourceDiagnostic import SourceDiagnostic
from gurux_dlms.GXDLMSServer import GXDLMSServer
from gurux_dlms.GXServerReply import GXServerReply
from gurux_dlms.objects import GXDLMSAssociationLogicalName, GXDLMSClock, GXDLMSData, GXDLMSRegister
from gurux_dlms.ValueEventArgs import ValueEventArgs

PASSWORD = "12345678"
LOGICAL, PHYSICAL = 1, 17
ENERGY_RAW, ENERGY_SCALER = 1234567, -2
SERIAL = "GRX0001234"
CLOCK = datetime.datetime(2026, 3, 17, 10, 20, 30)
REGISTER, CLOCK_LN, SERIAL_LN = "1.0.1.8.0.255", "0.0.1.0.0.255", "0.0.96.1.0.255"

ValueEventArgs.isSkipMaxPduSize = False  # read as an attribute by getObjects


class _HdlcLimits:
    """What handleSnrmRequest reads from `server.hdlc`, under both names."""

    maxInfoTX = maxInfoRX = maximumInfoLengthReceive = maximumInfoLengthTransmit = 128
    windowSizeTX = windowSizeRX = windowSizeReceive = windowSizeTransmit = 1
    inactivityTimeout = 0


class _Reply(GXServerReply):
    def setReply(self, value):
        self.reply = value

    def getConnectionInfo(self):
        return self.connectionInfo


def _hdlc(transport):
    return InterfaceType.HDLC if transport == "hdlc" else InterfaceType.WRAPPER


class Meter(GXDLMSServer):
    def __init__(self, transport):
        super().__init__(True, _hdlc(transport))
        if transport == "hdlc":
            self.hdlc = _HdlcLimits()
            self.settings.hdlc.update = lambda _other: None
        reg = GXDLMSRegister(REGISTER)
        reg.value = ENERGY_RAW
        reg.setDataType(2, DataType.UINT32)
        reg.scaler = 10.0**ENERGY_SCALER
        reg.unit = Unit.ACTIVE_ENERGY
        clock = GXDLMSClock(CLOCK_LN)
        clock.time = GXDateTime(CLOCK)
        serial = GXDLMSData(SERIAL_LN)
        serial.value = SERIAL
        serial.setDataType(2, DataType.STRING)
        assoc = GXDLMSAssociationLogicalName()
        for obj in (assoc, reg, clock, serial):
            self.items.append(obj)
            assoc.objectList.append(obj)
        self.initialize()

    def isTarget(self, serverAddress, clientAddress):
        hdlc = self.settings.interfaceType == InterfaceType.HDLC
        wanted = GXDLMSClient.getServerAddress(LOGICAL, PHYSICAL) if hdlc else LOGICAL
        return serverAddress == wanted and clientAddress in (16, 17)

    def onValidateAuthentication(self, authentication, password):
        client = self.settings.clientAddress
        if client == 16 and authentication == Authentication.NONE:
            return SourceDiagnostic.NONE
        if client == 17 and authentication == Authentication.LOW:
            ok = bytes(password or b"") == PASSWORD.encode()
            return SourceDiagnostic.NONE if ok else SourceDiagnostic.AUTHENTICATION_FAILURE
        return SourceDiagnostic.NOT_RECOGNISED  # authentication-mechanism-name-not-recognised

    def onGetAttributeAccess(self, arg):
        return AccessMode.READ

    def onGetMethodAccess(self, arg):
        return MethodAccessMode.ACCESS

    def onFindObject(self, objectType, sn, ln):
        return None

    def notifyRead(self, *args):
        pass

    def onPostRead(self, args=None):
        pass

    def notifyConnected(self, connectionInfo=None):
        pass

    def _nothing(self, *args):
        pass

    onPreGet = onPostGet = onPreRead = onPreWrite = onPostWrite = _nothing
    onPreAction = onPostAction = onConnected = onInvalidConnection = onDisconnected = _nothing


def _connection(conn, transport):
    meter = Meter(transport)
    with conn:
        while True:
            try:
                data = conn.recv(4096)
            except OSError:
                return
            if not data:
                return
            sr = _Reply(bytes(data))
            meter.handleRequest(sr)
            if sr.reply:
                conn.sendall(bytes(sr.reply))


def serve(transport):
    """Listen on 127.0.0.1, a free port, in a daemon thread; return the port."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen()

    def accept():
        while True:
            conn, _ = ls.accept()
            threading.Thread(target=_connection, args=(conn, transport), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return ls.getsockname()[1]


class _Client:
    """The package's GXDLMSClient over a socket."""

    def __init__(self, port, transport, client, password):
        kind = _hdlc(transport)
        server = GXDLMSClient.getServerAddress(LOGICAL, PHYSICAL) if transport == "hdlc" else LOGICAL
        auth = Authentication.LOW if password else Authentication.NONE
        self.client = GXDLMSClient(True, client, server, auth, password, kind)
        self.hdlc = transport == "hdlc"
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)

    def _receive(self, reply):
        buff = GXByteBuffer()
        while not self.client.getData(buff, reply, GXReplyData()):
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("the gurux server closed the connection")
            buff.set(chunk)

    def exchange(self, frames):
        reply = GXReplyData()
        for frame in frames if isinstance(frames, list) else [frames]:
            self.sock.sendall(bytes(frame))
            self._receive(reply)
        while reply.isMoreData():
            self.sock.sendall(bytes(self.client.receiverReady(reply)))
            self._receive(reply)
        return reply

    def open(self):
        if self.hdlc:
            self.client.parseUAResponse(self.exchange(self.client.snrmRequest()).data)
        self.client.parseAareResponse(self.exchange(self.client.aarqRequest()).data)

    def read(self, obj, index):
        reply = self.exchange(self.client.read(obj, index)[0])
        return self.client.updateValue(obj, index, reply.value)

    def close(self):
        try:
            self.exchange(self.client.releaseRequest())
            if self.hdlc:
                self.exchange(self.client.disconnectRequest())
        except Exception:  # noqa: BLE001 - the server's RLRE is malformed (above)
            pass
        self.sock.close()


def reference(port, transport, client=16, password=None):
    """What the package's own client reads: {obis: text} as meterscope prints
    them, and the object list as (class, version, obis)."""
    c = _Client(port, transport, client, password)
    c.open()
    reg = GXDLMSRegister(REGISTER)
    c.read(reg, 3)
    c.read(reg, 2)
    clock = GXDLMSClock(CLOCK_LN)
    c.read(clock, 2)
    serial = GXDLMSData(SERIAL_LN)
    c.read(serial, 2)
    assoc = GXDLMSAssociationLogicalName()
    c.read(assoc, 2)
    c.close()
    value = serial.value if isinstance(serial.value, str) else bytes(serial.value).decode()
    decimals = max(0, -round(math.log10(reg.scaler)))  # the scaler the client read
    unit = "Wh" if reg.unit == Unit.ACTIVE_ENERGY else f"unit {reg.unit}"
    values = {
        obis(REGISTER): (f"{float(reg.value):.{decimals}f}", unit),
        obis(CLOCK_LN): (clock.time.value.strftime("%Y-%m-%d %H:%M:%S"), None),
        obis(SERIAL_LN): (value, None),
    }
    objects = [(int(o.objectType), o.version, obis(o.logicalName)) for o in assoc.objectList]
    return values, objects


def held():
    """What the meter holds, as meterscope prints it."""
    energy = f"{ENERGY_RAW * 10.0**ENERGY_SCALER:.{-ENERGY_SCALER}f}"
    return {
        obis(REGISTER): (energy, "Wh"),
        obis(CLOCK_LN): (CLOCK.strftime("%Y-%m-%d %H:%M:%S"), None),
        obis(SERIAL_LN): (SERIAL, None),
    }


def obis(ln):
    """Gurux's 1.0.1.8.0.255 as meterscope writes it: 1-0:1.8.0*255."""
    a, b, c, d, e, f = ln.split(".")
    return f"{a}-{b}:{c}.{d}.{e}*{f}"


def cli(binary, port, *args):
    """`meterscope read --protocol dlms` on the meter; (exit code, JSON or None, stderr)."""
    cmd = [binary, "read", "--protocol", "dlms", "--tcp", f"127.0.0.1:{port}", "--json", *args]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    try:
        got = json.loads(out.stdout)
    except ValueError:
        got = None
    return out.returncode, got, out.stderr


def compare(name, got, values, objects):
    """Problems between meterscope's JSON and the package client's reading."""
    problems = []
    if got.get("errors"):
        problems.append(f"errors: {got['errors']}")
    ours = {v["obis"]: (v["value"], v["unit"]) for v in got.get("values", [])}
    for code, want in values.items():
        if ours.get(code) != want:
            problems.append(f"{code}: meterscope {ours.get(code)}, gurux client {want}")
    if got.get("clock") != values[obis(CLOCK_LN)][0]:
        problems.append(f"--clock: meterscope {got.get('clock')!r}, gurux client {values[obis(CLOCK_LN)][0]!r}")
    listed = [(o["class"], o["version"], o["obis"]) for o in got.get("objects", [])]
    if listed != objects:
        problems.append(f"object list: meterscope {listed}, gurux client {objects}")
    return [f"{name}: {p}" for p in problems]


def run_case(transport, binary):
    """Read the meter over `transport` with no authentication (client 16) and
    with the password (client 17), comparing with the package's client, and
    check the meter's refusals; return (problems, the port)."""
    port = serve(transport)
    link = ["--transport", transport, "--server", str(LOGICAL)]
    if transport == "hdlc":
        link += ["--server-physical", str(PHYSICAL)]
    reads = ["--clock", "--objects", obis(REGISTER), obis(CLOCK_LN), obis(SERIAL_LN)]
    problems = []
    for name, client, password in (("no authentication", 16, None), ("password", 17, PASSWORD)):
        auth = ["--client", str(client)] + (["--auth", "low", "--password", password] if password else [])
        rc, got, err = cli(binary, port, *link, *auth, *reads)
        if rc != 0 or got is None:
            problems.append(f"{name}: exit {rc}\n{got}\n{err}")
            continue
        values, objects = reference(port, transport, client, password)
        if values != held():
            problems.append(f"{name}: the gurux client read {values}, the meter holds {held()}")
        problems += compare(name, got, values, objects)
    # The meter's refusals, in words: a wrong password, a password where
    # the association has none.
    refusals = (
        ("wrong password", ["--client", "17", "--password", "wrong"], "authentication failure"),
        ("client 16 with a password", ["--client", "16", "--password", PASSWORD], "mechanism name not recognised"),
    )
    for name, auth, words in refusals:
        rc, got, err = cli(binary, port, *link, "--auth", "low", *auth, obis(REGISTER))
        errors = " ".join(e.get("error", "") for e in (got or {}).get("errors", []))
        if rc != 1 or "association rejected" not in errors or words not in errors:
            problems.append(f"{name}: exit {rc}, errors {errors!r}, expected {words!r}\n{err}")
    return problems, port
