#!/usr/bin/env python3
"""Peer libraries from PyPI against meterscope on the same frames.

Reads target/bench/frames.json (bench-facts: every protocol frame of the seeded
corpus and of the public vectors, with what our decoder says about each),
native.json (bench-native) and wasm.json (bench/wasm.mjs), then for each peer:

- times it on the corpus frames of its protocol (the bytes our figures were
  measured on): whole passes over the frames for at least --secs seconds, in
  three rounds; with --native, each round follows one round of our native
  dissection of the same group (bench-native --group G --rounds 1), so that
  ours/peer compares figures taken in the same moments of a shared machine;
- runs it once more on every frame (corpus and public vectors), recording
  whether it accepted the frame and a few facts it extracted;
- compares those facts with ours.

Prints the throughput table (our native and WebAssembly dissection, each
peer, the ratios), what each peer covers, and the frames where a peer and we
disagree. A peer rejecting a frame we also flag as invalid is agreement. What
a peer has no parser for is reported as unsupported, not as disagreement.

Usage: python bench/peers.py [--secs S] [--examples N] [--native BIN --seed N]
"""

import argparse
import contextlib
import io
import json
import re
import subprocess
import sys
import time
from collections import OrderedDict
from decimal import Decimal, InvalidOperation
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "bench"


class Unsupported(Exception):
    """The peer has no parser for this kind of frame."""


def err_text(e):
    text = f"{type(e).__name__}: {e}".strip()
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= 110 else text[:107] + "..."


def ours_int(v):
    """A number as our facts write it: decimal, or 0x-prefixed hex."""
    if v is None:
        return None
    try:
        return int(v, 16) if str(v).lower().startswith("0x") else int(v)
    except ValueError:
        return None


# --------------------------------------------------------------------- peers


class Peer:
    """One PyPI library. `parse` is the timed work (raises when the library
    rejects the frame); `facts` runs it and extracts comparable fields."""

    name = ""
    dist = ""
    protocols = ()
    note = ""

    def version(self):
        return version(self.dist)

    def parse(self, protocol, data):
        raise NotImplementedError

    def facts(self, protocol, data):
        raise NotImplementedError


class Dlt645Peer(Peer):
    """PyPI `dlt645`: DLT645Protocol.deserialize (find the frame, check sum
    and end byte, remove the 0x33 offset) and Frame.description (its reading
    of the control code and, for the read/write/freeze functions of 2007, the
    4-byte data identifier)."""

    name = "dlt645"
    dist = "dlt645"
    protocols = ("dlt645-2007", "dlt645-1997", "mixed-log")
    note = ("DL/T 645-2007 only: 1997 frames are framed and checked, their 2-byte identifiers not read; "
            "mixed-log: deserialize_with_remaining over the whole log, frame after frame")

    def __init__(self):
        from dlt645 import DLT645Protocol

        self.proto = DLT645Protocol

    def parse(self, protocol, data):
        if protocol == "mixed-log":
            found, rest = [], data
            while True:
                rest, f = self.proto.deserialize_with_remaining(rest)
                if f is None:
                    return found
                found.append(f)
        f = self.proto.deserialize(data)
        return f, f.description

    def facts(self, protocol, data):
        if protocol == "mixed-log":
            found = self.parse(protocol, data)
            return {"frames": [self.proto.serialize(f)[len(f.preamble):].hex().upper() for f in found]}
        f, desc = self.parse(protocol, data)
        out = {
            "address": bytes(reversed(f.addr)).hex().upper(),
            "control": f.ctrl_code,
        }
        m = re.search(r"DI=([0-9A-F]{8})", desc)
        if m:
            out["di"] = m.group(1)
        return out

    def compare(self, protocol, ours, theirs):
        if protocol == "mixed-log":
            mine = [h.replace(" ", "") for h in ours["frames"]]
            yield "frames found", len(theirs["frames"]), len(mine)
            same = sum(a == b for a, b in zip(theirs["frames"], mine))
            yield "frames in order", f"{same} equal", f"{len(mine)} frames", same == len(mine) == len(theirs["frames"])
            return
        yield "address", theirs["address"], ours.get("address")
        yield "control", f"0x{theirs['control']:02X}", ours.get("control")
        if "di" in theirs and protocol == "dlt645-2007":
            yield "di", theirs["di"], ours.get("di")


class Dlt698Peer(Peer):
    """PyPI `dlt698` (bindings of a C++ library): codec.decode_frame (length,
    HCS, FCS, addresses) and, for unfragmented frames, decode_apdu or
    decode_security on the link user data; bare APDUs with decode_apdu."""

    name = "dlt698"
    dist = "dlt698"
    protocols = ("dlt698.45", "dlt698.45-apdu")

    # APDU class of the library -> tag of DL/T 698.45 clause 6.3.
    TAGS = {
        "LinkRequest": 0x01, "LinkResponse": 0x81, "ConnectRequest": 0x02, "ConnectResponse": 0x82,
        "ReleaseRequest": 0x03, "ReleaseResponse": 0x83, "ReleaseNotification": 0x84,
        "GetRequest": 0x05, "GetRecordRequest": 0x05, "GetNextRequest": 0x05, "GetMd5Request": 0x05,
        "GetResponse": 0x85, "GetRecordResponse": 0x85, "GetNextResponse": 0x85, "GetMd5Response": 0x85,
        "SetRequest": 0x06, "SetThenGetRequest": 0x06, "SetResponse": 0x86, "SetThenGetResponse": 0x86,
        "ActionRequest": 0x07, "ActionThenGetRequest": 0x07, "ActionResponse": 0x87,
        "ActionThenGetResponse": 0x87, "ReportResponse": 0x08, "ReportNotification": 0x88,
        "ProxyRequest": 0x09, "ProxyResponse": 0x89, "SecurityRequest": 0x10, "SecurityResponse": 0x90,
        "ErrorResponse": 0xEE,
    }

    def __init__(self):
        from dlt698 import codec

        self.codec = codec

    def apdu(self, data):
        if data and data[0] in (0x10, 0x90):
            return self.codec.decode_security(data)
        return self.codec.decode_apdu(data)

    def parse(self, protocol, data):
        if protocol == "dlt698.45-apdu":
            return None, self.apdu(data)
        f = self.codec.decode_frame(data)
        a = None if f.control & 0x20 else self.apdu(f.payload)
        return f, a

    def facts(self, protocol, data):
        f, a = self.parse(protocol, data)
        out = {}
        if f is not None:
            out["control"] = f.control
            out["sa"] = bytes(reversed(f.server.bytes)).hex().upper()
            out["ca"] = f.client
        if a is not None:
            out["apdu_class"] = type(a).__name__
        return out

    def compare(self, protocol, ours, theirs):
        if "control" in theirs:
            yield "control", f"0x{theirs['control']:02X}", ours.get("control")
            yield "server address", theirs["sa"], ours.get("sa")
            yield "client address", theirs["ca"], ours_int(ours.get("ca"))
        if "apdu_class" in theirs and ours.get("apdu"):
            tag = self.TAGS.get(theirs["apdu_class"])
            if tag is not None:
                yield "APDU", f"{theirs['apdu_class']} (0x{tag:02X})", ours.get("apdu"), tag == ours_int(ours["apdu"])


class GuruxPeer(Peer):
    """PyPI `gurux-dlms`: GXDLMSTranslator.messageToXml on each HDLC or wrapper
    frame (framing, HCS/FCS, addresses, the PDU to XML) and pduToXml on bare
    APDUs. Its XML gives the addresses, the frame type (control byte) and the
    PDU element, named by the translator's own tag table."""

    name = "gurux-dlms"
    dist = "gurux_dlms"
    protocols = ("dlms-hdlc", "dlms-wrapper", "dlms-apdu")
    note = "one translator per run (as on a stream); the facts pass uses a fresh translator per frame"

    def __init__(self):
        from gurux_dlms.GXDLMSTranslator import GXDLMSTranslator
        from gurux_dlms.enums import TranslatorOutputType

        self.make = lambda: GXDLMSTranslator(TranslatorOutputType.SIMPLE_XML)
        self.t = self.make()
        names = {}
        for tag, name in self.make().tags.items():
            if tag < 0x100:
                names.setdefault(name, set()).add(tag)
        self.names = names

    def parse(self, protocol, data, t=None):
        t = t or self.t
        # The translator prints the exception behind "Invalid DLMS framing."; keep it.
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                if protocol == "dlms-apdu":
                    return t.pduToXml(data)
                return t.messageToXml(data)
        except Exception as e:
            said = printed.getvalue().strip()
            if said:
                raise type(e)(f"{e} ({said.splitlines()[-1]})") from None
            raise

    def facts(self, protocol, data):
        xml = self.parse(protocol, data, self.make())
        out = {}
        for key, field in (("target", "TargetAddress"), ("source", "SourceAddress"), ("frame_type", "FrameType")):
            m = re.search(rf'<{field} Value="([0-9A-F]+)"', xml)
            if m:
                out[key] = int(m.group(1), 16)
        body = xml.split("<PDU>", 1)[1] if "<PDU>" in xml else (xml if protocol == "dlms-apdu" else "")
        m = re.search(r"<([A-Za-z_]+)", body)
        if m:
            out["pdu"] = m.group(1)
        if "NextFrame" in xml:
            out["segment"] = True
        return out

    def compare(self, protocol, ours, theirs):
        if protocol == "dlms-hdlc":
            if "frame_type" in theirs:
                yield "control", f"0x{theirs['frame_type']:02X}", ours.get("control")
            if "target" in theirs:
                yield "destination address", theirs["target"], ours_int(ours.get("dst"))
            if "source" in theirs:
                yield "source address", theirs["source"], ours_int(ours.get("src"))
        elif protocol == "dlms-wrapper":
            # The translator writes the source wPort as TargetAddress and the
            # destination wPort as SourceAddress (both directions alike).
            if "target" in theirs:
                yield "source wPort", theirs["target"], ours_int(ours.get("source"))
            if "source" in theirs:
                yield "destination wPort", theirs["source"], ours_int(ours.get("destination"))
        if "pdu" in theirs and ours.get("apdu") and not theirs.get("segment"):
            tags = self.names.get(theirs["pdu"])
            if tags:
                yield "APDU", theirs["pdu"], ours["apdu"], ours_int(ours["apdu"]) in tags


class DlmsCosemPeer(Peer):
    """PyPI `dlms-cosem`: the HDLC frame classes' from_bytes (flags, length,
    addresses, HCS, FCS), WrapperProtocolDataUnit.from_bytes, and
    XDlmsApduFactory.apdu_from_bytes on the APDU. The library has no generic
    frame parser (its HdlcConnection picks the class from the state it is
    in), so the frame class is chosen by the control byte; it has no parser
    for SNRM, DM, FRMR or RNR frames, and its I/UI/RR/UA parsers take the
    destination as a client address (frames from the meter)."""

    name = "dlms-cosem"
    dist = "dlms-cosem"
    protocols = ("dlms-hdlc", "dlms-wrapper", "dlms-apdu")
    note = ("frame class chosen by the control byte (the library has no generic parser); its frame parsers read "
            "the destination as a client address, so frames to a meter with a 2- or 4-byte address fail")

    def __init__(self):
        from dlms_cosem.connection import XDlmsApduFactory
        from dlms_cosem.hdlc import frames
        from dlms_cosem.hdlc.address import HdlcAddress
        from dlms_cosem.protocol.wrappers import WrapperProtocolDataUnit

        self.factory = XDlmsApduFactory
        self.frames = frames
        self.addr = HdlcAddress
        self.wrapper = WrapperProtocolDataUnit

    def hdlc_class(self, data):
        # Control byte position: flag, format (2), then addresses ending with a set LSB.
        at = 3
        for _ in range(2):
            while at < len(data) and not data[at] & 1:
                at += 1
            at += 1
        if at >= len(data):
            raise Unsupported("no control byte")
        c = data[at]
        if not c & 1:
            return self.frames.InformationFrame
        if c & 0x0F == 0x01:
            return self.frames.ReceiveReadyFrame
        kinds = {0x03: self.frames.UnnumberedInformationFrame, 0x63: self.frames.UnNumberedAcknowledgmentFrame,
                 0x43: self.frames.DisconnectFrame}
        names = {0x83: "SNRM", 0x0F: "DM", 0x87: "FRMR", 0x05: "RNR"}
        if c & 0xEF in kinds:
            return kinds[c & 0xEF]
        raise Unsupported(f"no parser for {names.get(c & 0xEF, f'control 0x{c:02X}')} frames")

    def apdu(self, data):
        if data and data[0] not in self.factory.APDU_MAP:
            raise Unsupported(f"no parser for APDU tag 0x{data[0]:02X}")
        return self.factory.apdu_from_bytes(data)

    def apdu_of_info(self, info):
        if info[:2] in (b"\xe6\xe6", b"\xe6\xe7") and len(info) > 3:
            return self.apdu(info[3:])
        return None  # no LLC header: a continuation segment, not the start of an APDU

    def parse(self, protocol, data):
        if protocol == "dlms-apdu":
            return None, self.apdu(data)
        if protocol == "dlms-wrapper":
            w = self.wrapper.from_bytes(data)
            return w, self.apdu(w.data)
        f = self.hdlc_class(data).from_bytes(data)
        info = getattr(f, "payload", None)
        a = self.apdu_of_info(info) if info and not f.segmented else None
        return f, a

    def facts(self, protocol, data):
        f, a = self.parse(protocol, data)
        out = {}
        if protocol == "dlms-hdlc":
            dst, src = self.addr.find_address_in_frame_bytes(data)

            def combined(logical, physical, length):
                if physical is None:
                    return logical
                return logical << (14 if length == 4 else 7) | physical

            out["dst"] = combined(*dst)
            out["src"] = combined(*src)
            out["kind"] = type(f).__name__
            for k in ("send_sequence_number", "receive_sequence_number"):
                if hasattr(f, k):
                    out[k] = getattr(f, k)
            out["segmented"] = bool(f.segmented)
        elif protocol == "dlms-wrapper":
            out["source"] = f.wrapper_header.source_wport
            out["destination"] = f.wrapper_header.destination_wport
        if a is not None:
            out["apdu_class"] = type(a).__name__
            tag = getattr(a, "TAG", None)
            if isinstance(tag, int):
                out["apdu_tag"] = tag
        return out

    def compare(self, protocol, ours, theirs):
        if protocol == "dlms-hdlc":
            yield "destination address", theirs["dst"], ours_int(ours.get("dst"))
            yield "source address", theirs["src"], ours_int(ours.get("src"))
            if "send_sequence_number" in theirs and ours.get("ns") is not None:
                yield "N(S)", theirs["send_sequence_number"], ours_int(ours.get("ns"))
            if "receive_sequence_number" in theirs and ours.get("nr") is not None:
                yield "N(R)", theirs["receive_sequence_number"], ours_int(ours.get("nr"))
            yield "segmented", int(theirs["segmented"]), ours_int(ours.get("segmented"))
        elif protocol == "dlms-wrapper":
            yield "source wPort", theirs["source"], ours_int(ours.get("source"))
            yield "destination wPort", theirs["destination"], ours_int(ours.get("destination"))
        if "apdu_tag" in theirs and ours.get("apdu"):
            yield "APDU", f"{theirs['apdu_class']} (0x{theirs['apdu_tag']:02X})", ours["apdu"], \
                theirs["apdu_tag"] == ours_int(ours["apdu"])


class DsmrPeer(Peer):
    """PyPI `dsmr-parser`: TelegramParser with the DSMR 5 (V5) specification
    (CRC-16 check, then one regular expression per object the specification
    lists; lines of other objects are skipped)."""

    name = "dsmr-parser"
    dist = "dsmr-parser"
    protocols = ("dsmr-p1",)
    note = "V5 specification for every telegram; objects outside it are not extracted"

    # Attribute of the parsed telegram -> OBIS code (DSMR 5.0.2 P1 companion standard).
    FIELDS = OrderedDict([
        ("EQUIPMENT_IDENTIFIER", "0-0:96.1.1"),
        ("ELECTRICITY_USED_TARIFF_1", "1-0:1.8.1"),
        ("ELECTRICITY_USED_TARIFF_2", "1-0:1.8.2"),
        ("ELECTRICITY_DELIVERED_TARIFF_1", "1-0:2.8.1"),
        ("CURRENT_ELECTRICITY_USAGE", "1-0:1.7.0"),
        ("INSTANTANEOUS_VOLTAGE_L1", "1-0:32.7.0"),
        ("INSTANTANEOUS_CURRENT_L1", "1-0:31.7.0"),
        ("MBUS_METER_READING", "0-1:24.2.1"),
    ])

    def __init__(self):
        from dsmr_parser import telegram_specifications
        from dsmr_parser.parsers import TelegramParser

        self.p = TelegramParser(telegram_specifications.V5)

    def parse(self, protocol, data):
        return self.p.parse(data.decode("latin-1"))

    def facts(self, protocol, data):
        t = self.parse(protocol, data)
        out = {"objects": len(t), "values": {}}
        for name, obis in self.FIELDS.items():
            o = getattr(t, name, None)
            if o is not None and getattr(o, "value", None) is not None:
                out["values"][obis] = (str(o.value), getattr(o, "unit", None) or "")
        return out

    def compare(self, protocol, ours, theirs):
        objects = {o[0]: o for o in ours.get("objects", [])}
        for obis, (value, unit) in theirs["values"].items():
            mine = objects.get(obis)
            if mine is None:
                yield obis, f"{value} {unit}".strip(), "(no such object)", False
                continue
            text = mine[1][-1] if mine[1] else ""
            try:
                same = Decimal(value) == Decimal(text)
            except InvalidOperation:
                same = value == text
            yield obis, f"{value} {unit}".strip(), f"{text} {mine[2]}".strip(), same and (unit or "") == mine[2]
        for obis in self.FIELDS.values():
            if obis in objects and obis not in theirs["values"]:
                yield obis, "(not extracted)", f"{objects[obis][1][-1] if objects[obis][1] else ''}", False


class MbusPeer(Peer):
    """PyPI `pyMeterBus`: meterbus.load (single character, short and long
    frames, the fixed header and variable data records with units)."""

    name = "pyMeterBus"
    dist = "pyMeterBus"
    protocols = ("mbus",)
    note = "wired M-Bus telegrams; wireless M-Bus not read"

    def __init__(self):
        import meterbus

        self.m = meterbus

    def parse(self, protocol, data):
        return self.m.load(data)

    def facts(self, protocol, data):
        t = self.parse(protocol, data)
        kind = type(t).__name__
        out = {"kind": kind}
        if kind == "TelegramACK":
            return out
        out["control"] = t.header.cField.parts[0]
        out["address"] = t.header.aField.parts[0]
        if kind == "TelegramLong":
            h = t.body.bodyHeader
            out["ci"] = h.ci_field.parts[0]
            out["id"] = "".join(f"{b:02X}" for b in h.id_nr)
            out["manufacturer"] = h.manufacturer_field.decodeManufacturer
            out["medium"] = h.measure_medium_field.parts[0]
            # Data records only: manufacturer-specific data after DIF 0F/1F is a record to
            # the library, a block of its own to us.
            out["records"] = sum(1 for r in t.records if r.dib.parts[0] & 0x0F != 0x0F)
        return out

    def compare(self, protocol, ours, theirs):
        for key in ("control", "address", "ci", "medium"):
            if key in theirs:
                yield key, str(theirs[key]), str(ours.get(key)), theirs[key] == ours_int(ours.get(key))
        for key in ("id", "manufacturer", "records"):
            if key in theirs:
                mine = ours.get(key)
                yield key, str(theirs[key]), str(mine), str(theirs[key]) == str(mine if key != "records" else int(mine or 0))


class SmlPeer(Peer):
    """PyPI `smllib`: SmlStreamReader, then every list entry of the frame
    (OBIS name, raw value, unit code, scaler)."""

    name = "smllib"
    dist = "smllib"
    protocols = ("sml",)
    note = "SML 1.04 transport and messages; values raw with their scaler"

    # SML unit codes (IEC 62056-62) our entries name.
    UNITS = {8: "°", 27: "W", 30: "Wh", 33: "A", 35: "V", 44: "Hz"}

    def __init__(self):
        from smllib import SmlStreamReader

        self.reader = SmlStreamReader

    def parse(self, protocol, data):
        r = self.reader()
        r.add(data)
        f = r.get_frame()
        if f is None:
            raise ValueError("no frame")
        return f.get_obis()

    def facts(self, protocol, data):
        entries = []
        for o in self.parse(protocol, data):
            value = o.value
            if isinstance(value, int) and o.scaler is not None:
                value = str(Decimal(value).scaleb(o.scaler))
            elif isinstance(value, (bytes, bytearray)):
                value = value.hex().upper()
            entries.append((o.obis.upper(), str(value), self.UNITS.get(o.unit, "" if o.unit is None else str(o.unit))))
        return {"entries": entries}

    @staticmethod
    def obis_hex(name):
        """`1-0:1.8.0*255` as the six bytes' hex (`0100010800FF`)."""
        m = re.fullmatch(r"(\d+)-(\d+):(\d+)\.(\d+)\.(\d+)\*(\d+)", name)
        return "".join(f"{int(g):02X}" for g in m.groups()) if m else name

    def compare(self, protocol, ours, theirs):
        mine = {self.obis_hex(e[0]): e for e in ours.get("entries", [])}
        for obis, value, unit in theirs["entries"]:
            e = mine.get(obis)
            if e is None:
                yield obis, value, "(no such entry)", False
                continue
            ov = e[1].split(" ")[0]
            try:
                same = Decimal(value) == Decimal(ov)
            except InvalidOperation:
                same = value.upper() == ov.upper()
                with contextlib.suppress(ValueError):  # octets smllib shows as text
                    same = same or bytes.fromhex(ov).decode("latin-1") == value
            yield obis, f"{value} {unit}".strip(), f"{e[1]} {e[2]}".strip(), same and unit == e[2]


# ------------------------------------------------------------------ the run


def native_round(native, seed, group, secs):
    """Our native full dissection of `group`: frames/s of one timed round of at
    least `secs` after a warm-up pass, from bench-native."""
    cmd = [native, "--seed", str(seed), "--group", group, "--what", "dissect",
           "--rounds", "1", "--secs", str(secs), "--json"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)["dissect"]["frames_per_s"]


def timed(peer, protocol, inputs, frames, secs, ours_round=None):
    """Whole passes over `inputs` (holding `frames` frames as we count them)
    for at least `secs` in all (and 3 passes a round): (frames/s and passes of
    the fastest round, our fastest frames/s or None). `ours_round(secs)` is
    run before each round and gives our frames/s over the same moments."""
    def one_pass():
        for d in inputs:
            try:
                peer.parse(protocol, d)
            except Exception:
                pass

    # A warm-up pass, then the fastest of three rounds of at least secs/3 (and 3
    # passes) each, as for our figures, each after one round of ours.
    best, ours = None, None
    for r in range(3):
        if ours_round:
            fps = ours_round(secs / 3)
            ours = fps if ours is None else max(ours, fps)
        with contextlib.redirect_stdout(io.StringIO()):  # gurux prints what it rejects
            if r == 0:
                one_pass()
            passes = 0
            t0 = time.perf_counter()
            while True:
                one_pass()
                passes += 1
                elapsed = time.perf_counter() - t0
                if elapsed >= secs / 3 and passes >= 3:
                    break
        if best is None or passes / elapsed > best[0] / best[1]:
            best = (passes, elapsed)
    return frames * best[0] / best[1], best[0], ours


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--secs", type=float, default=1.0, help="least seconds of whole passes per measurement")
    ap.add_argument("--examples", type=int, default=3, help="corpus frames shown per kind of disagreement")
    ap.add_argument("--native", help="bench-native, to time our dissection round by round beside each peer's")
    ap.add_argument("--seed", type=int, default=1, help="the corpus seed (with --native)")
    args = ap.parse_args()

    frames = json.loads((OUT / "frames.json").read_text())["protocols"]
    native = {g["group"]: g for g in json.loads((OUT / "native.json").read_text())["groups"]}
    wasm_path = OUT / "wasm.json"
    wasm = {g["group"]: g for g in json.loads(wasm_path.read_text())["groups"]} if wasm_path.exists() else {}

    peers = []
    for cls in (Dlt645Peer, Dlt698Peer, GuruxPeer, DlmsCosemPeer, DsmrPeer, MbusPeer, SmlPeer):
        try:
            peers.append(cls())
        except Exception as e:  # a peer that does not import is reported, not hidden
            print(f"peers   {cls.name}: cannot be loaded: {err_text(e)}")
    print("peers   " + ", ".join(f"{p.name} {p.version()}" for p in peers) + f"; Python {sys.version.split()[0]}")

    speed = {}
    results = []  # (peer, protocol, item, outcome, detail, compared)
    for p in peers:
        for proto in p.protocols:
            items = frames.get(proto, [])
            if not items:
                continue
            data = [bytes.fromhex(i["hex"]) for i in items]
            corpus = [d for d, i in zip(data, items) if i["src"] == "corpus"]
            if corpus:
                count = native[proto]["frames"] if proto in native else len(corpus)
                ours = None
                if args.native and proto in native:
                    def ours(secs, proto=proto):
                        return native_round(args.native, args.seed, proto, secs)
                speed[(p.name, proto)] = timed(p, proto, corpus, count, args.secs, ours)
            for d, item in zip(data, items):
                results.append((p, proto, item, *judge(p, proto, d, item["ours"])))

    print_throughput(peers, speed, native, wasm)
    print_coverage(peers, results)
    print_unsupported(results)
    print_disagreements(results, args.examples)


def judge(peer, proto, data, ours):
    """(outcome, detail, compared): outcome is agree, differ, rejected (we say
    valid), accepted (we say invalid), both-reject or unsupported; detail is a
    list of (field, peer said, we said) for differ and accepted, the peer's
    words otherwise; compared lists (field, same) of every field compared."""
    try:
        theirs = peer.facts(proto, data)
    except Unsupported as e:
        return "unsupported", str(e), []
    except Exception as e:
        return ("rejected" if ours["valid"] else "both-reject"), err_text(e), []
    diffs, compared = [], []
    for row in peer.compare(proto, ours, theirs):
        field, said, we = row[0], row[1], row[2]
        same = row[3] if len(row) > 3 else str(said) == str(we)
        compared.append((field, same))
        if not same:
            diffs.append((field, said, we))
    if not ours["valid"]:
        problems = ", ".join(ours.get("problems", []))
        what = next((theirs[k] for k in ("pdu", "apdu_class", "kind") if theirs.get(k)), None)
        said = f"accepted ({what})" if what else "accepted"
        return "accepted", [("validity", said, f"invalid: {problems}")] + diffs, compared
    return ("differ" if diffs else "agree"), diffs, compared


def print_throughput(peers, speed, native, wasm):
    print()
    print("Throughput of a full decode in frames/s: our dissection (native, WebAssembly in Node) and each peer,")
    print("all on the same corpus frames. native and wasm are the figures of the native and WebAssembly runs;")
    print("beside each peer, ours is our native figure timed round by round with the peer's (the fastest of")
    print("three rounds each, alternating), and ours/peer divides the two")
    head = (f"{'protocol':<14}{'frames':>7}{'native':>11}{'wasm':>10}{'wasm/nat':>9}   {'peer':<22}"
            f"{'peer fr/s':>10}{'ours fr/s':>11}{'ours/peer':>10}")
    print(head)
    print("-" * len(head))
    for g, n in native.items():
        nat = n["dissect"]["frames_per_s"]
        wg = wasm.get(g, {}).get("dissect", {})
        w = wg.get("frames_per_s")
        ratio = wg.get("ratio", w / nat if w else None)
        left = f"{g:<14}{n['frames']:>7}{nat:>11.0f}" + (f"{w:>10.0f}{ratio:>9.2f}" if w else f"{'-':>10}{'-':>9}")
        rows = [(p, speed[(p.name, g)]) for p in peers if (p.name, g) in speed]
        if not rows:
            print(f"{left}   (no peer)")
        for i, (p, (fps, passes, ours)) in enumerate(rows):
            prefix = left if i == 0 else " " * len(left)
            ours = ours or nat
            r = ours / fps
            print(f"{prefix}   {p.name + ' ' + p.version():<22}{fps:>10.0f}{ours:>11.0f}{r:>9.{2 if r < 10 else 1}f}x")


def print_coverage(peers, results):
    print()
    print("What each peer made of the frames (corpus + public vectors)")
    head = (f"{'peer':<12}{'protocol':<15}{'frames':>7}{'agree':>7}{'differ':>7}{'rejected':>9}"
            f"{'accepted':>9}{'both-rej':>9}{'unsupp':>7}   fields compared (same/all)")
    print(head)
    print("-" * len(head))
    for p in peers:
        for proto in p.protocols:
            rs = [r for r in results if r[0] is p and r[1] == proto]
            if not rs:
                continue
            count = {k: sum(1 for r in rs if r[3] == k)
                     for k in ("agree", "differ", "rejected", "accepted", "both-reject", "unsupported")}
            fields = OrderedDict()
            for r in rs:
                for f, same in r[5]:
                    f = "values" if re.match(r"\d-\d:", f) else f
                    fields.setdefault(f, [0, 0])
                    fields[f][0] += bool(same)
                    fields[f][1] += 1
            desc = ", ".join(f"{f} {a}/{b}" for f, (a, b) in fields.items()) or "-"
            print(f"{p.name:<12}{proto:<15}{len(rs):>7}{count['agree']:>7}{count['differ']:>7}{count['rejected']:>9}"
                  f"{count['accepted']:>9}{count['both-reject']:>9}{count['unsupported']:>7}   {desc}")
        if p.note:
            print(f"{'':<12}note: {p.note}")
    print("rejected: the peer refused a frame we find valid; accepted: it took a frame we flag as invalid;")
    print("both-rej: it refused a frame we flag too (agreement); unsupp: it has no parser for that kind of frame")


def print_unsupported(results):
    kinds = OrderedDict()
    for p, proto, item, outcome, detail, _ in results:
        if outcome == "unsupported":
            kinds.setdefault((p.name, proto, detail), []).append(item)
    if not kinds:
        return
    print()
    print("Frames a peer has no parser for (not counted as disagreement)")
    for (peer, proto, why), items in kinds.items():
        refs = ", ".join(ref(proto, i) for i in items[:3])
        more = f" and {len(items) - 3} more" if len(items) > 3 else ""
        print(f"{peer:<12}{proto:<14}{why}: {refs}{more}")


def ref(proto, item):
    return f"vector {item['ref']}" if item["src"] == "vector" else f"corpus {proto}#{item['ref']}"


def print_disagreements(results, examples):
    print()
    print("Frames where a peer and we disagree (public vectors: every one; corpus: grouped, first examples)")
    head = f"{'peer':<12}{'protocol':<14}{'frame':<52}{'hex':<26}what the peer said  |  what we said"
    print(head)
    print("-" * len(head))
    shown = 0
    groups = OrderedDict()
    for p, proto, item, outcome, detail, _ in results:
        if outcome in ("agree", "both-reject", "unsupported"):
            continue
        lines = describe(outcome, detail)
        if item["src"] == "vector":
            print_row(p.name, proto, ref(proto, item), item["hex"], lines)
            shown += 1
        else:
            key = (p.name, proto, outcome, tuple(kind(outcome, detail)))
            groups.setdefault(key, []).append((item, lines))
    for (peer, proto, _, _), rows in groups.items():
        for item, lines in rows[:examples]:
            print_row(peer, proto, ref(proto, item), item["hex"], lines)
            shown += 1
        if len(rows) > examples:
            print(f"{'':<26}... and {len(rows) - examples} more corpus frames like these ({len(rows)} in all)")
    if not shown:
        print("(none)")


def kind(outcome, detail):
    """What makes two disagreements alike: the fields, or the peer's message without numbers."""
    if outcome == "rejected":
        return [re.sub(r"b'[^']*'|[0-9A-Fa-fx]{2,}|\d+", "#", str(detail))[:60]]
    return [f for f, _, _ in detail]


def describe(outcome, detail):
    if outcome == "rejected":
        return [f"rejected: {detail}  |  valid"]
    return [f"{f}: {said}  |  {we}" for f, said, we in detail]


def print_row(peer, proto, name, hexs, lines):
    h = hexs.replace(" ", "")
    h = (h[:20] + "..") if len(h) > 22 else h
    for i, line in enumerate(lines):
        if i == 0:
            print(f"{peer:<12}{proto:<14}{name:<52}{h:<26}{line}")
        else:
            print(f"{'':<104}{line}")


if __name__ == "__main__":
    main()
