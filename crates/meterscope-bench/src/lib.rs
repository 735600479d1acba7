//! Benchmark corpus: frames of every protocol the core knows, generated from a
//! seed so that native, WebAssembly and peer-library runs measure the same bytes.
//!
//! DL/T 645-2007 frames come from the strict codec; the other protocols'
//! frames are what the core's client sessions and simulated meters say to each
//! other (requests and replies, one sample per message on the line), and DSMR
//! P1 telegrams are the simulated P1 port's. [`facts`] names the few fields of
//! a dissected frame that the peer comparison (`bench/peers.py`) checks, and
//! [`json`] is the little JSON the benchmark programs read and write.

pub mod json;

use meterscope_core::session::{Action, Millis, Session, SimulatedMeter};
use meterscope_core::{Frame, Severity};

/// A small deterministic PRNG (xorshift64*), enough for corpus generation.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

/// One corpus entry: a group name (a registry protocol name, `mixed-log` or
/// `random`) and its bytes.
pub struct Sample {
    pub group: &'static str,
    pub bytes: Vec<u8>,
}

/// The corpus groups in report order: one per protocol (each sample one
/// message as it went on the line, wake-up bytes included), a serial log with
/// junk between DL/T 645 frames, and random bytes no protocol should claim.
pub const GROUPS: [&str; 11] = [
    "dlt645-2007",
    "dlt645-1997",
    "dlt698.45",
    "dlms-hdlc",
    "dlms-wrapper",
    "iec62056-21",
    "dsmr-p1",
    "mbus",
    "sml",
    "mixed-log",
    "random",
];

/// The corpus for `seed`, grouped in [`GROUPS`] order.
pub fn corpus(seed: u64) -> Vec<Sample> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    let dl645 = dlt645_frames(&mut rng, 512);
    let mut log = Vec::new();
    for f in dl645.iter().take(256) {
        let junk = rng.below(8);
        log.extend_from_slice(&rng.bytes(junk));
        let wake = rng.below(5);
        log.extend_from_slice(&[0xFE; 4][..wake]);
        log.extend_from_slice(f);
    }
    let mut push = |group: &'static str, frames: Vec<Vec<u8>>| {
        out.extend(frames.into_iter().map(|bytes| Sample { group, bytes }));
    };
    push("dlt645-2007", dl645);
    push("dlt645-1997", dlt645_1997_frames(&mut rng, 256));
    push("dlt698.45", dlt698_frames(&mut rng, 256));
    push("dlms-hdlc", dlms_frames(&mut rng, 256, false));
    push("dlms-wrapper", dlms_frames(&mut rng, 256, true));
    push("iec62056-21", iec_frames(&mut rng, 128));
    push("dsmr-p1", p1_telegrams(&mut rng, 64));
    push("mbus", mbus_frames(&mut rng, 256));
    push("sml", sml_files(&mut rng, 128));
    out.push(Sample { group: "mixed-log", bytes: log });
    for size in [10usize, 32, 128, 512, 4096] {
        for _ in 0..64 {
            let n = size + rng.below(size / 4 + 1);
            out.push(Sample { group: "random", bytes: rng.bytes(n) });
        }
    }
    out
}

/// DL/T 645-2007 read requests and replies for identifiers the dictionary names.
fn dlt645_frames(rng: &mut Rng, n: usize) -> Vec<Vec<u8>> {
    use meterscope_core::protocols::dlt645::{Address, DataId, Frame645, Payload, dictionary};
    let dis: Vec<u32> = dictionary::enumerate().step_by(97).collect();
    (0..n)
        .map(|i| {
            let di = DataId(dis[rng.below(dis.len())]);
            let address = Address(core::array::from_fn(|_| {
                let v = rng.below(100) as u8;
                ((v / 10) << 4) | (v % 10)
            }));
            let payload = if i % 2 == 0 {
                Payload::ReadRequest { di, blocks: None, time: None }
            } else {
                let len = dictionary::lookup(di.0).and_then(|d| d.len()).unwrap_or(4).clamp(1, 180);
                let data = (0..len).map(|_| (rng.below(10) as u8) | ((rng.below(10) as u8) << 4)).collect();
                Payload::ReadReply { di, data, follow: false }
            };
            Frame645::from_payload(address, &payload).emit()
        })
        .collect()
}

/// Every message of a session talking to a simulated meter, in line order,
/// until the session is idle (bounded). Replies reach the session at once;
/// waits and timeouts move the clock.
pub fn converse<S: Session, M: SimulatedMeter>(session: &mut S, meter: &mut M, now: &mut Millis) -> Vec<Vec<u8>> {
    let mut line = Vec::new();
    for _ in 0..10_000 {
        let mut moved = false;
        while let Some(a) = session.poll_action() {
            moved = true;
            match a {
                Action::Transmit(bytes) => {
                    *now = now.after(20);
                    meter.handle_input(*now, &bytes);
                    line.push(bytes);
                }
                Action::Wait(ms) => *now = now.after(ms.0),
                Action::Reopen(_) | Action::SetDtrRts { .. } => {}
            }
        }
        while let Some(reply) = meter.poll_transmit() {
            moved = true;
            *now = now.after(20);
            session.handle_input(*now, &reply);
            line.push(reply);
        }
        while session.poll_event().is_some() {}
        if session.is_idle() {
            break;
        }
        if !moved {
            match session.poll_timeout() {
                Some(t) => {
                    *now = (*now).max(t);
                    session.handle_timeout(*now);
                }
                None => break,
            }
        }
    }
    line
}

/// DL/T 645-1997 reads of dictionary identifiers against the simulated meter.
fn dlt645_1997_frames(rng: &mut Rng, n: usize) -> Vec<Vec<u8>> {
    use meterscope_core::protocols::dlt645::session::{Config, Dlt645Session};
    use meterscope_core::protocols::dlt645::simulator::{Dlt645Meter, MeterConfig};
    use meterscope_core::protocols::dlt645::{Variant, dictionary};
    let dis: Vec<u32> = dictionary::enumerate_1997().step_by(7).map(u32::from).collect();
    let mut out = Vec::new();
    while out.len() < n {
        let mcfg = MeterConfig { seed: rng.next_u64(), wake_up: rng.below(5), ..MeterConfig::default() };
        let address = mcfg.address;
        let mut meter = Dlt645Meter::new(mcfg);
        let cfg = Config { variant: Variant::V1997, wake_up: rng.below(5), ..Config::default() };
        let mut s = Dlt645Session::new(cfg, Some(address));
        let mut now = Millis(0);
        let pick: Vec<u32> = (0..8).map(|_| dis[rng.below(dis.len())]).collect();
        s.read(now, &pick);
        out.extend(converse(&mut s, &mut meter, &mut now));
    }
    out.truncate(n);
    out
}

/// DL/T 698.45 GETs (normal, lists) of the simulated meter's objects.
fn dlt698_frames(rng: &mut Rng, n: usize) -> Vec<Vec<u8>> {
    use meterscope_core::protocols::dlt698::session::{Config, Dlt698Session};
    use meterscope_core::protocols::dlt698::simulator::{Dlt698Meter, MeterConfig};
    const OADS: [u32; 12] = [
        0x0010_0200,
        0x0020_0200,
        0x0010_0201,
        0x2000_0200,
        0x2001_0200,
        0x2004_0200,
        0x200A_0200,
        0x200F_0200,
        0x4000_0200,
        0x4001_0200,
        0x0030_0200,
        0x1010_0200,
    ];
    let mut out = Vec::new();
    while out.len() < n {
        let mcfg = MeterConfig { seed: rng.next_u64(), wake_up: rng.below(5), ..MeterConfig::default() };
        let address = mcfg.address;
        let mut meter = Dlt698Meter::new(mcfg);
        let cfg = Config { wake_up: rng.below(5), ..Config::default() };
        let mut s = Dlt698Session::new(cfg, Some(&address));
        let mut now = Millis(0);
        let each: Vec<u32> = (0..4).map(|_| OADS[rng.below(OADS.len())]).collect();
        s.get_each(now, &each);
        let list: Vec<u32> = (0..1 + rng.below(4)).map(|_| OADS[rng.below(OADS.len())]).collect();
        s.get(now, &list);
        out.extend(converse(&mut s, &mut meter, &mut now));
    }
    out.truncate(n);
    out
}

/// DLMS/COSEM associations over HDLC (SNRM/UA, AARQ/AARE, GETs with segmented
/// replies and RR polls, release, DISC) or the TCP wrapper.
fn dlms_frames(rng: &mut Rng, n: usize, wrapper: bool) -> Vec<Vec<u8>> {
    use meterscope_core::protocols::dlms::services::AttrRef;
    use meterscope_core::protocols::dlms::session::{Config, DlmsSession, Transport};
    use meterscope_core::protocols::dlms::simulator::{DlmsMeter, MeterConfig};
    let transport = if wrapper { Transport::Wrapper } else { Transport::Hdlc };
    let registers: [[u8; 6]; 6] = [
        [1, 0, 1, 8, 0, 255],
        [1, 0, 2, 8, 0, 255],
        [1, 0, 1, 7, 0, 255],
        [1, 0, 32, 7, 0, 255],
        [1, 0, 31, 7, 0, 255],
        [1, 0, 14, 7, 0, 255],
    ];
    let mut out = Vec::new();
    while out.len() < n {
        let mut meter = DlmsMeter::new(MeterConfig { seed: rng.next_u64(), transport, ..MeterConfig::default() });
        let mut s = DlmsSession::new(Config { transport, ..Config::default() });
        let mut now = Millis(0);
        s.read_clock(now);
        let attrs: Vec<AttrRef> = (0..3).map(|_| AttrRef::new(3, registers[rng.below(registers.len())], 2)).collect();
        s.read(now, &attrs);
        if rng.below(3) == 0 {
            s.read(now, &[AttrRef::new(1, [0, 0, 96, 1, 0, 255], 2)]);
        }
        if rng.below(4) == 0 {
            s.read_profile(now, [1, 0, 99, 1, 0, 255], None);
        }
        s.close(now);
        out.extend(converse(&mut s, &mut meter, &mut now));
    }
    out.truncate(n);
    out
}

/// IEC 62056-21 readouts (sign-on, identification, option select, data block)
/// in modes A, B and C.
fn iec_frames(rng: &mut Rng, n: usize) -> Vec<Vec<u8>> {
    use meterscope_core::protocols::iec62056::session::{Config, Iec62056Session, Mode};
    use meterscope_core::protocols::iec62056::simulator::{MeterConfig, OpticalMeter};
    let mut out = Vec::new();
    while out.len() < n {
        let mode = [Mode::A, Mode::B, Mode::C][rng.below(3)];
        let mut meter = OpticalMeter::new(MeterConfig { mode, seed: rng.next_u64(), ..MeterConfig::default() });
        let mut s = Iec62056Session::new(Config { mode, ..Config::default() });
        let mut now = Millis(0);
        s.readout(now);
        out.extend(converse(&mut s, &mut meter, &mut now));
    }
    out.truncate(n);
    out
}

/// DSMR 5 P1 telegrams of simulated ports, with and without a gas meter.
fn p1_telegrams(rng: &mut Rng, n: usize) -> Vec<Vec<u8>> {
    use meterscope_core::protocols::iec62056::simulator::{P1Config, P1Meter};
    (0..n)
        .map(|i| {
            let meter = P1Meter::new(P1Config { seed: rng.next_u64(), gas: i % 3 != 0, ..P1Config::default() });
            meter.telegram(Millis(rng.below(86_400) as u64 * 1000))
        })
        .collect()
}

/// Wired M-Bus exchanges of a heat or water meter: SND_NKE and REQ_UD2
/// short frames, E5 acknowledgements, and RSP_UD long frames with a fixed
/// header and 4 to 12 variable data records (energy, volume, flow, power,
/// temperatures, date-time, fabrication number, error flags; instantaneous
/// and stored values, tariffs), lengths and checksum filled in by the frame
/// builder.
fn mbus_frames(rng: &mut Rng, n: usize) -> Vec<Vec<u8>> {
    use meterscope_core::protocols::build::seal;
    // (DIF, VIF bytes, data length): data types from EN 13757-3 (32-bit
    // integer, 8-digit BCD, 16-bit integer, date-time type F, …).
    const RECORDS: [(u8, &[u8], usize); 12] = [
        (0x04, &[0x06], 4),       // energy kWh
        (0x0C, &[0x13], 4),       // volume 1 l, BCD
        (0x04, &[0x13], 4),       // volume 1 l
        (0x04, &[0x3B], 4),       // volume flow l/h
        (0x04, &[0x2B], 4),       // power W
        (0x02, &[0x5B], 2),       // flow temperature °C
        (0x02, &[0x5F], 2),       // return temperature °C
        (0x02, &[0x61], 2),       // temperature difference 10 mK
        (0x04, &[0x6D], 4),       // date and time (type F)
        (0x0C, &[0x78], 4),       // fabrication number
        (0x02, &[0xFD, 0x17], 2), // error flags
        (0x44, &[0x06], 4),       // energy, storage 1
    ];
    let bcd = |v: u32| (((v / 10 % 10) << 4) | (v % 10)) as u8;
    let mut out = Vec::new();
    while out.len() < n {
        let a = rng.below(250) as u8 + 1;
        let short = |c: u8| vec![0x10, c, a, c.wrapping_add(a), 0x16];
        out.push(short(if rng.below(2) == 0 { 0x5B } else { 0x7B }));
        let mut f = vec![0x68, 0, 0, 0x68, 0x08, a, 0x72];
        let id = rng.below(100_000_000) as u32;
        f.extend([bcd(id), bcd(id / 100), bcd(id / 10_000), bcd(id / 1_000_000)]);
        let man = [0x2C2D_u16, 0x1596, 0x4024, 0x32A7][rng.below(4)];
        f.extend(man.to_le_bytes());
        f.extend([rng.below(256) as u8, [0x04, 0x07, 0x06, 0x0C][rng.below(4)], rng.below(256) as u8, 0, 0, 0]);
        for _ in 0..4 + rng.below(9) {
            let (dif, vif, len) = RECORDS[rng.below(RECORDS.len())];
            let tariff = rng.below(4) == 0;
            f.push(if tariff { dif | 0x80 } else { dif });
            if tariff {
                f.push(0x10);
            }
            f.extend_from_slice(vif);
            let data: Vec<u8> = match (dif & 0x0F, vif[0]) {
                (0x0C, _) => (0..len).map(|_| bcd(rng.below(100) as u32)).collect(),
                // Type F: minute, hour, day, month and year within range.
                (_, 0x6D) => {
                    vec![rng.below(60) as u8, rng.below(24) as u8, 1 + rng.below(28) as u8, 1 + rng.below(12) as u8]
                }
                _ => rng.bytes(len),
            };
            f.extend(data);
        }
        f.extend([0, 0x16]);
        out.push(seal("mbus", &f).map(|s| s.bytes).unwrap_or(f));
        out.push(vec![0xE5]);
    }
    out.truncate(n);
    out
}

/// SML 1.04 files as an electricity meter pushes them on its optical
/// interface: OpenResponse, GetListResponse (manufacturer, server id,
/// energy registers with status, time, unit, scaler and value, power, phase
/// powers), CloseResponse, in a transport frame.
fn sml_files(rng: &mut Rng, n: usize) -> Vec<Vec<u8>> {
    use meterscope_core::protocols::sml::codec::{Message, Value, emit};
    let octets = |b: &[u8]| Value::Octets(b.to_vec());
    let not_set = || Value::NOT_SET;
    let body = |tag: u64, fields: Vec<Value>| Value::List(vec![Value::Uint(tag, 2), Value::List(fields)]);
    let time = |t: u32| Value::List(vec![Value::Uint(1, 1), Value::Uint(t.into(), 4)]);
    (0..n)
        .map(|i| {
            let server = [0x0A, 0x01, 0x45, 0x4D, 0x48, 0x00, 0x00, rng.below(256) as u8, rng.below(256) as u8, 0x34];
            let file_id = rng.bytes(6);
            let t = rng.next_u64() as u32;
            let tx = |k: u8| vec![0x00, 0x17, 0xD2, k + (i % 64) as u8];
            let open = body(0x0101, vec![not_set(), not_set(), octets(&file_id), octets(&server), time(t), not_set()]);
            let entry = |obis: [u8; 6], unit: Option<u64>, scaler: Option<i64>, value: Value, status: bool| {
                Value::List(vec![
                    octets(&obis),
                    if status { Value::Uint(0x1C_0104, 4) } else { not_set() },
                    if status { time(t) } else { not_set() },
                    unit.map_or_else(not_set, |u| Value::Uint(u, 1)),
                    scaler.map_or_else(not_set, |s| Value::Int(s, 1)),
                    value,
                    not_set(),
                ])
            };
            let energy = |rng: &mut Rng| Value::Int((rng.next_u64() % 100_000_000) as i64, 8);
            let mut list = vec![
                entry([1, 0, 96, 50, 1, 1], None, None, octets(b"EMH"), false),
                entry([1, 0, 96, 1, 0, 255], None, None, octets(&server), false),
                entry([1, 0, 1, 8, 0, 255], Some(30), Some(-1), energy(rng), true),
                entry([1, 0, 2, 8, 0, 255], Some(30), Some(-1), energy(rng), true),
                entry([1, 0, 1, 8, 1, 255], Some(30), Some(-1), energy(rng), false),
                entry([1, 0, 16, 7, 0, 255], Some(27), Some(0), Value::Int(rng.below(20_000) as i64 - 5_000, 4), false),
            ];
            for phase in [36u8, 56, 76] {
                if rng.below(2) == 0 {
                    list.push(entry(
                        [1, 0, phase, 7, 0, 255],
                        Some(27),
                        Some(0),
                        Value::Int(rng.below(5_000) as i64, 4),
                        false,
                    ));
                }
            }
            let get_list = body(
                0x0701,
                vec![not_set(), octets(&server), not_set(), time(t), Value::List(list), not_set(), not_set()],
            );
            let close = body(0x0201, vec![not_set()]);
            let message = |k: u8, body: Value| Message { transaction_id: tx(k), group_no: 0, abort_on_error: 0, body };
            emit(&[message(0, open), message(1, get_list), message(2, close)])
        })
        .collect()
}

/// Serialise a corpus as records `u8 group length, group, u32 LE length,
/// bytes` (read by the Node benchmark).
pub fn encode(samples: &[Sample]) -> Vec<u8> {
    let mut out = Vec::new();
    for s in samples {
        out.push(s.group.len() as u8);
        out.extend_from_slice(s.group.as_bytes());
        out.extend_from_slice(&(s.bytes.len() as u32).to_le_bytes());
        out.extend_from_slice(&s.bytes);
    }
    out
}

/// The value of the first node with this id, depth first.
fn value<'a>(f: &'a Frame, id: &str) -> Option<&'a str> {
    let path = f.tree.find_path(id)?;
    f.tree.at_path(&path)?.value.as_deref()
}

/// A DLMS HDLC address (`dlms.hdlc.dst` or `.src`) as one number: a client
/// SAP, or a server address with the upper (logical) part shifted over the
/// lower (physical) part by 7 bits (2-byte form) or 14 bits (4-byte form).
fn hdlc_address(f: &Frame, id: &str) -> Option<String> {
    let wire = value(f, id)?;
    if let Some(c) = value(f, &format!("{id}.client")) {
        return Some(c.to_string());
    }
    let upper: u64 = value(f, &format!("{id}.upper"))?.parse().ok()?;
    let lower: Option<u64> = value(f, &format!("{id}.lower")).and_then(|l| l.parse().ok());
    Some(match (wire.len() / 2, lower) {
        (4, Some(l)) => (upper << 14 | l).to_string(),
        (_, Some(l)) => (upper << 7 | l).to_string(),
        (_, None) => upper.to_string(),
    })
}

/// The facts of a frame the peer comparison checks, by protocol: always
/// `valid` (and for an invalid frame its `problems`: failed checks and error
/// diagnostics); DL/T 645 address (as written), control code and data identifier;
/// DL/T 698.45 control, server and client address and APDU tag; DLMS HDLC
/// addresses (as numbers), control with N(S) and N(R), segmentation and APDU tag; the wrapper's
/// wPorts and APDU tag; the tag of bare APDUs; DSMR P1 header, object count and every object's OBIS
/// code with its values and unit; M-Bus control, address, CI, identification, manufacturer,
/// medium and record count; SML list entries (OBIS name, value, unit).
pub fn facts(f: &Frame) -> json::Json {
    use json::Json;
    let mut o: Vec<(String, Json)> = vec![("valid".into(), Json::Bool(f.valid))];
    if !f.valid {
        let failed = f.checks.iter().filter(|c| !c.ok).map(|c| format!("{} mismatch", c.id));
        let errors = f.diagnostics.iter().filter(|d| d.severity == Severity::Error).map(|d| d.code.clone());
        o.push(("problems".into(), Json::Arr(failed.chain(errors).map(Json::Str).collect())));
    }
    let mut put = |k: &str, v: Option<&str>| {
        if let Some(v) = v {
            o.push((k.to_string(), Json::Str(v.to_string())));
        }
    };
    let tag = || {
        ["dlms.apdu.tag", "dlms.acse.tag", "dlms.ciphered.tag"]
            .iter()
            .filter_map(|id| f.tree.find_path(id))
            .min()
            .and_then(|p| f.tree.at_path(&p).and_then(|n| n.value.clone()))
    };
    match f.protocol.as_str() {
        "dlt645-2007" | "dlt645-1997" => {
            put("address", value(f, "dlt645.address"));
            put("control", value(f, "dlt645.control"));
            put("di", value(f, "dlt645.data.di"));
        }
        "dlt698.45" => {
            put("control", value(f, "dlt698.link.control"));
            put("sa", value(f, "dlt698.address.sa"));
            put("ca", value(f, "dlt698.address.ca"));
            put("apdu", value(f, "dlt698.apdu.tag"));
            put("frag", value(f, "dlt698.link.control.frag"));
        }
        "dlms-hdlc" => {
            put("control", value(f, "dlms.hdlc.control"));
            put("ns", value(f, "dlms.hdlc.control.ns"));
            put("nr", value(f, "dlms.hdlc.control.nr"));
            put("dst", hdlc_address(f, "dlms.hdlc.dst").as_deref());
            put("src", hdlc_address(f, "dlms.hdlc.src").as_deref());
            put("segmented", value(f, "dlms.hdlc.format.segmented"));
            put("apdu", tag().as_deref());
        }
        "dlt698.45-apdu" => put("apdu", value(f, "dlt698.apdu.tag")),
        "dlms-apdu" => put("apdu", tag().as_deref()),
        "dlms-wrapper" => {
            put("source", value(f, "dlms.wrapper.source"));
            put("destination", value(f, "dlms.wrapper.destination"));
            put("apdu", tag().as_deref());
        }
        "mbus" => {
            put("control", value(f, "mbus.control"));
            put("address", value(f, "mbus.address"));
            put("ci", value(f, "mbus.ci"));
            put("id", value(f, "mbus.header.id"));
            put("manufacturer", value(f, "mbus.header.manufacturer"));
            put("medium", value(f, "mbus.header.medium"));
            let records = f
                .tree
                .find_path("mbus.data")
                .and_then(|p| f.tree.at_path(&p))
                .map(|d| d.children.iter().filter(|c| c.id.starts_with("mbus.record.")).count());
            if let Some(n) = records {
                o.push(("records".into(), Json::Num(n as f64)));
            }
        }
        "sml" => {
            // Every list entry: OBIS name, value, unit.
            let mut entries = Vec::new();
            fn walk(n: &meterscope_core::Node, out: &mut Vec<Json>) {
                if n.id.starts_with("sml.entry.") && n.id.matches('.').count() == 2 {
                    let field = |suffix: &str| n.children.iter().find(|c| c.id.ends_with(suffix));
                    let v = field(".value");
                    out.push(Json::Arr(vec![
                        Json::Str(n.value.clone().unwrap_or_default()),
                        Json::Str(v.and_then(|v| v.value.clone()).unwrap_or_default()),
                        Json::Str(v.and_then(|v| v.unit.clone()).unwrap_or_default()),
                    ]));
                    return;
                }
                n.children.iter().for_each(|c| walk(c, out));
            }
            walk(&f.tree, &mut entries);
            o.push(("entries".into(), Json::Arr(entries)));
        }
        "dsmr-p1" => {
            put("header", value(f, "dsmr.header"));
            let mut objects = Vec::new();
            if let Some(data) = f.tree.find_path("dsmr.data").and_then(|p| f.tree.at_path(&p)) {
                for line in &data.children {
                    // A line of one data set holds its fields itself; a line of several has a node per set.
                    let one = line.children.iter().any(|c| c.id.ends_with(".address"));
                    let sets = if one { core::slice::from_ref(line) } else { line.children.as_slice() };
                    for set in sets {
                        let mut obis = String::new();
                        let mut values = Vec::new();
                        let mut unit = String::new();
                        for c in &set.children {
                            let v = c.value.clone().unwrap_or_default();
                            if c.id.ends_with(".address") {
                                obis = v;
                            } else {
                                values.push(Json::Str(v));
                                if let Some(u) = &c.unit {
                                    unit = u.clone();
                                }
                            }
                        }
                        objects.push(Json::Arr(vec![Json::Str(obis), Json::Arr(values), Json::Str(unit)]));
                    }
                }
            }
            o.push(("objects".into(), Json::Arr(objects)));
        }
        _ => {}
    }
    Json::Obj(o)
}

#[cfg(test)]
mod tests {
    use super::*;
    use meterscope_core::registry::Piece;
    use meterscope_core::{Options, Registry};

    #[test]
    fn corpus_is_reproducible_from_the_seed() {
        let a = encode(&corpus(7));
        let b = encode(&corpus(7));
        let c = encode(&corpus(8));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn corpus_has_every_group_in_order() {
        let c = corpus(3);
        let mut groups: Vec<&str> = c.iter().map(|s| s.group).collect();
        groups.dedup();
        assert_eq!(groups, GROUPS);
        for g in GROUPS {
            assert!(c.iter().filter(|s| s.group == g).count() >= 1, "{g}");
        }
    }

    /// Every protocol sample is one frame of its group's protocol (after
    /// wake-up bytes), and `split` finds the same frame. Every frame is valid
    /// except, in HDLC, some final segments of a segmented APDU: an I-frame
    /// whose information field is the rest of an APDU (no LLC header), which
    /// the dissector reads as an APDU of its own.
    #[test]
    fn corpus_frames_decode_as_their_protocol() {
        let reg = Registry::default();
        let opts = Options::default();
        for s in corpus(3).iter().filter(|s| !matches!(s.group, "mixed-log" | "random")) {
            let d = reg.dissect(&s.bytes, &[], &opts).render(opts.lang);
            assert_eq!(d.frames.len(), 1, "{}: {:02X?}", s.group, s.bytes);
            let f = &d.frames[0];
            assert_eq!(f.protocol, s.group, "{:02X?}", s.bytes);
            let final_segment = s.group == "dlms-hdlc" && f.tree.find_path("dlms.hdlc.llc").is_none();
            assert!(f.valid || final_segment, "{} {:?}: {:02X?}", s.group, f.diagnostics, s.bytes);
            let frames: Vec<Piece> =
                reg.split(&s.bytes, &[], &opts).into_iter().filter(|p| matches!(p, Piece::Frame { .. })).collect();
            assert_eq!(frames, vec![Piece::Frame { protocol: s.group, span: f.span }]);
        }
    }

    #[test]
    fn facts_of_p1_m_bus_and_sml_frames() {
        let c = corpus(5);
        let text = |group: &str| {
            let s = c.iter().find(|s| s.group == group && s.bytes.len() > 5).unwrap();
            let d = Registry::default().dissect(&s.bytes, &[], &Options::default()).render(meterscope_core::Lang::En);
            let mut text = String::new();
            facts(&d.frames[0]).write(&mut text);
            text
        };
        assert!(text("dsmr-p1").contains(r#"["1-0:1.8.1",["#), "{}", text("dsmr-p1"));
        assert!(text("mbus").contains(r#""ci":"0x72""#), "{}", text("mbus"));
        assert!(text("sml").contains(r#"["1-0:1.8.0*255",""#), "{}", text("sml"));
    }

    #[test]
    fn facts_of_a_dlt645_frame() {
        let bytes = [0x68, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0x68, 0x11, 0x04, 0x33, 0x33, 0x34, 0x33, 0xAE, 0x16];
        let d = Registry::default().dissect(&bytes, &[], &Options::default()).render(meterscope_core::Lang::En);
        let mut text = String::new();
        facts(&d.frames[0]).write(&mut text);
        assert_eq!(text, r#"{"valid":true,"address":"AAAAAAAAAAAA","control":"0x11","di":"00010000"}"#);
    }
}
