//! Simulated IEC 62056-21 meters, sans-IO: an optical-port meter answering
//! modes A, B and C (and the mode E option select), and a DSMR 5 P1 port.
//!
//! Both are deterministic: the same configuration and the same inputs at the
//! same [`Millis`] give the same bytes. Their values are self-consistent:
//!
//! - per phase a voltage U (0.1 V), a current I (mA) and a power factor;
//!   the active power of a phase is U·I·cosφ (whole watts), the total power
//!   the sum of the phases; small variations every 10 s;
//! - energy registers in Wh: tariff 1 grows with the total power over time,
//!   tariff 2 stands; the total register is the sum of its tariffs exactly;
//! - a clock: the base date-time plus `now`.
//!
//! The optical meter returns to its initial state (300 Bd, waiting for a
//! sign-on) after a readout, a break, or [`MeterConfig::inactivity`] without
//! a byte. Line changes follow its replies: [`SimulatedMeter::line`] read
//! before each [`SimulatedMeter::poll_transmit`] is the line that reply goes
//! out on.

use std::collections::VecDeque;

use super::codec::{DataSet, Message, Value};
use super::data;
use super::frame::{self, ACK, NAK, SOH, STX};
use super::session::{Mode, baud_char_b, baud_char_c, line_7e1, line_8n1};
use crate::protocols::dlms::security;
use crate::registry::FrameStatus;
use crate::session::{DateTime, LineSettings, Millis, Parity, RxBuffer, SendClock, SimulatedMeter};

fn mix(seed: u64, a: u64) -> u64 {
    let mut z = seed ^ a.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `1234567` Wh as `001234.567` kWh.
fn kwh(wh: u64) -> String {
    format!("{:06}.{:03}", wh / 1000, wh % 1000)
}

/// `1234` W as `01.234` kW.
fn kw(w: u64) -> String {
    format!("{:02}.{:03}", w / 1000, w % 1000)
}

/// The electrical state both meters share.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Grid {
    seed: u64,
    base: DateTime,
    /// Wh at `now` = 0: import tariffs 1 and 2, export tariffs 1 and 2.
    import: [u64; 2],
    export: [u64; 2],
}

/// One phase at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PhaseNow {
    /// 0.1 V
    u: u64,
    /// mA
    i: u64,
    /// 0.001
    pf: u64,
    /// W
    p: u64,
}

impl Grid {
    fn new(seed: u64, base: DateTime) -> Grid {
        let import = [4_000_000 + mix(seed, 1) % 2_000_000, 2_000_000 + mix(seed, 2) % 1_000_000];
        let export = [300_000 + mix(seed, 3) % 200_000, 100_000 + mix(seed, 4) % 100_000];
        Grid { seed, base, import, export }
    }

    fn phases(&self, now: Millis) -> [PhaseNow; 3] {
        let tick = now.0 / 10_000;
        core::array::from_fn(|k| {
            let h = mix(self.seed, tick * 8 + k as u64 + 100);
            let u = 2270 + h % 60;
            let i = 500 + (h >> 8) % 6000;
            let pf = 900 + (h >> 20) % 95;
            let p = u * i * pf / 10_000_000;
            PhaseNow { u, i, pf, p }
        })
    }

    fn power(&self, now: Millis) -> u64 {
        self.phases(now).iter().map(|p| p.p).sum()
    }

    /// Import Wh of tariffs 1 and 2 at `now` (tariff 1 takes the consumption).
    fn import(&self, now: Millis) -> [u64; 2] {
        let used = now.0 / 1000 * self.power(Millis(0)) / 3600;
        [self.import[0] + used, self.import[1]]
    }

    fn clock(&self, now: Millis) -> DateTime {
        self.base.plus_seconds((now.0 / 1000) as i64)
    }
}

/// How the optical-port meter is made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeterConfig {
    /// A, B or C (D and E are not readout modes of their own here).
    pub mode: Mode,
    /// The identification offers `\2` and mode E is accepted.
    pub mode_e: bool,
    /// Highest rate offered by the baud character.
    pub max_baud: u32,
    /// The device address a sign-on may name (an empty address always answers).
    pub address: String,
    pub manufacturer: [u8; 3],
    pub ident: String,
    /// Password of programming mode (P1).
    pub password: String,
    pub seed: u64,
    /// The meter's clock at `now` = 0.
    pub base: DateTime,
    /// The line the meter waits for a sign-on on.
    pub initial: LineSettings,
    /// Silence after which the meter returns to its initial state, ms.
    pub inactivity: u64,
}

impl Default for MeterConfig {
    fn default() -> Self {
        MeterConfig {
            mode: Mode::C,
            mode_e: true,
            max_baud: 9600,
            address: "12345678".to_string(),
            manufacturer: *b"MSC",
            ident: "MS-Sim-1".to_string(),
            password: "00000000".to_string(),
            seed: 1,
            base: DateTime { year: 2024, month: 5, day: 17, hour: 10, minute: 30, second: 0 },
            initial: line_7e1(300),
            inactivity: 1500,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MeterState {
    Idle,
    /// Identification sent (mode C): an option select may follow.
    Identified,
    /// P0 sent: waiting for P1.
    Password,
    Programming,
    /// Mode E accepted: the line is HDLC's until the meter times out.
    Binary,
}

/// The simulated optical-port meter.
#[derive(Clone, Debug)]
pub struct OpticalMeter {
    cfg: MeterConfig,
    grid: Grid,
    line: LineSettings,
    state: MeterState,
    now: Millis,
    last: Millis,
    /// Received bytes: a message longer than 4095 bytes is given up.
    rx: RxBuffer,
    /// Replies and the line that holds after each one.
    outbox: VecDeque<(Vec<u8>, Option<LineSettings>)>,
    last_reply: Vec<u8>,
}

impl OpticalMeter {
    pub fn new(cfg: MeterConfig) -> Self {
        let grid = Grid::new(cfg.seed, cfg.base);
        let line = cfg.initial;
        OpticalMeter {
            cfg,
            grid,
            line,
            state: MeterState::Idle,
            now: Millis(0),
            last: Millis(0),
            rx: RxBuffer::new(4095),
            outbox: VecDeque::new(),
            last_reply: Vec::new(),
        }
    }

    pub fn config(&self) -> &MeterConfig {
        &self.cfg
    }

    /// The meter's clock at `now`.
    pub fn clock(&self, now: Millis) -> DateTime {
        self.grid.clock(now)
    }

    /// The baud character of the identification.
    fn baud_char(&self) -> u8 {
        match self.cfg.mode {
            Mode::B => baud_char_b(self.cfg.max_baud).unwrap_or(b'E'),
            Mode::C | Mode::D | Mode::E => baud_char_c(self.cfg.max_baud).unwrap_or(b'5'),
            // Any character other than the mode B and C ones.
            Mode::A => b'-',
        }
    }

    /// The identification message.
    pub fn identification(&self) -> Vec<u8> {
        let capabilities = if self.cfg.mode_e && self.cfg.mode == Mode::C { vec![b'2'] } else { Vec::new() };
        Message::Identification {
            manufacturer: self.cfg.manufacturer,
            baud: self.baud_char(),
            capabilities,
            ident: self.cfg.ident.clone(),
        }
        .emit()
    }

    /// The data sets of a readout at `now`, in order.
    pub fn data_sets(&self, now: Millis) -> Vec<DataSet> {
        let set = |address: &str, value: String, unit: Option<&str>| DataSet {
            address: address.to_string(),
            values: vec![Value { value, unit: unit.map(str::to_string) }],
        };
        let t = self.grid.clock(now);
        let phases = self.grid.phases(now);
        let import = self.grid.import(now);
        let export = self.grid.export;
        let serial = format!("{:08}", mix(self.cfg.seed, 9) % 100_000_000);
        let mut out = vec![
            set("F.F", "00000000".into(), None),
            set("C.1.0", serial, None),
            set("0.0.0", self.cfg.address.clone(), None),
            set("0.9.1", format!("{:02}{:02}{:02}", t.hour, t.minute, t.second), None),
            set("0.9.2", format!("{:02}{:02}{:02}", t.year % 100, t.month, t.day), None),
            set("1.8.0", kwh(import[0] + import[1]), Some("kWh")),
            set("1.8.1", kwh(import[0]), Some("kWh")),
            set("1.8.2", kwh(import[1]), Some("kWh")),
            set("2.8.0", kwh(export[0] + export[1]), Some("kWh")),
            set("2.8.1", kwh(export[0]), Some("kWh")),
            set("2.8.2", kwh(export[1]), Some("kWh")),
            set("1.7.0", kw(phases.iter().map(|p| p.p).sum()), Some("kW")),
        ];
        for (k, p) in phases.iter().enumerate() {
            let c = 20 * k as u8;
            out.push(set(&format!("{}.7.0", 21 + c), kw(p.p), Some("kW")));
            out.push(set(&format!("{}.7.0", 31 + c), format!("{:02}.{:02}", p.i / 1000, p.i % 1000 / 10), Some("A")));
            out.push(set(&format!("{}.7.0", 32 + c), format!("{}.{}", p.u / 10, p.u % 10), Some("V")));
            out.push(set(&format!("{}.7.0", 33 + c), format!("{}.{:03}", p.pf / 1000, p.pf % 1000), None));
        }
        out.push(set("14.7.0", "50.00".into(), Some("Hz")));
        out
    }

    /// The data message of a readout at `now`.
    pub fn readout(&self, now: Millis) -> Vec<u8> {
        let lines = self.data_sets(now).into_iter().map(|s| vec![s]).collect();
        Message::Data { lines, partial: false }.emit()
    }

    /// The value of one register for R1, found by its OBIS code.
    fn register(&self, address: &str, now: Millis) -> Option<DataSet> {
        let want = data::identifier(address)?.0;
        self.data_sets(now).into_iter().find(|s| data::identifier(&s.address).is_some_and(|(c, _)| c == want))
    }

    fn send(&mut self, bytes: Vec<u8>, then: Option<LineSettings>) {
        // The inactivity time runs from the end of the meter's own transmission.
        self.last = self.now.after(self.line.wire_time(bytes.len()));
        self.last_reply = bytes.clone();
        self.outbox.push_back((bytes, then));
    }

    fn reset(&mut self) {
        self.state = MeterState::Idle;
        self.line = self.cfg.initial;
        self.rx.clear();
    }

    fn rate_of(z: u8) -> Option<u32> {
        match z {
            b'0'..=b'6' => Some([300, 600, 1200, 2400, 4800, 9600, 19200][usize::from(z - b'0')]),
            _ => None,
        }
    }

    fn on_message(&mut self, m: &[u8]) {
        let now = self.now;
        let Ok(msg) = Message::parse(m) else {
            // A damaged block in programming mode asks for a repetition.
            if matches!(self.state, MeterState::Password | MeterState::Programming) && m[0] == SOH {
                self.send(vec![NAK], None);
            }
            return;
        };
        match (self.state, msg) {
            (_, Message::Request { address }) => {
                if !address.is_empty() && address.trim_start_matches('0') != self.cfg.address.trim_start_matches('0') {
                    return;
                }
                self.line = self.cfg.initial;
                let ident = self.identification();
                match self.cfg.mode {
                    Mode::A => {
                        self.send(ident, None);
                        let data = self.readout(now);
                        self.send(data, None);
                        self.state = MeterState::Idle;
                    }
                    Mode::B => {
                        let line = line_7e1(self.cfg.max_baud);
                        self.send(ident, Some(line));
                        let data = self.readout(now);
                        self.send(data, Some(self.cfg.initial));
                        self.state = MeterState::Idle;
                    }
                    _ => {
                        self.send(ident, None);
                        self.state = MeterState::Identified;
                    }
                }
            }
            (MeterState::Identified, Message::OptionSelect { protocol, baud, mode }) => {
                let Some(rate) = Self::rate_of(baud).filter(|&r| r <= self.cfg.max_baud) else {
                    self.state = MeterState::Idle;
                    return;
                };
                match (protocol, mode) {
                    (b'0', b'0') => {
                        self.line = line_7e1(rate);
                        let data = self.readout(now);
                        self.send(data, Some(self.cfg.initial));
                        self.state = MeterState::Idle;
                    }
                    (b'0', b'1') => {
                        self.line = line_7e1(rate);
                        let seed = format!("{:08}", mix(self.cfg.seed, now.0) % 100_000_000);
                        let p0 = Message::Command {
                            command: b'P',
                            kind: b'0',
                            data: Some(DataSet {
                                address: String::new(),
                                values: vec![Value { value: seed, unit: None }],
                            }),
                            partial: false,
                        };
                        self.send(p0.emit(), None);
                        self.state = MeterState::Password;
                    }
                    (b'2', b'2') if self.cfg.mode_e => {
                        let ack = Message::OptionSelect { protocol, baud, mode }.emit();
                        self.send(ack, Some(line_8n1(rate)));
                        self.state = MeterState::Binary;
                    }
                    _ => self.state = MeterState::Idle,
                }
            }
            (MeterState::Password | MeterState::Programming, Message::Command { command: b'B', .. }) => self.reset(),
            (MeterState::Password, Message::Command { command: b'P', kind: b'1', data, .. }) => {
                let given = data.and_then(|d| d.values.into_iter().next()).map(|v| v.value).unwrap_or_default();
                if given == self.cfg.password {
                    self.send(vec![ACK], None);
                    self.state = MeterState::Programming;
                } else {
                    self.send(Message::Error { text: "ERR-PASSWORD".into() }.emit(), None);
                }
            }
            (MeterState::Programming, Message::Command { command: b'R', kind: b'1', data, .. }) => {
                let address = data.map(|d| d.address).unwrap_or_default();
                let reply = match self.register(&address, now) {
                    Some(mut s) => {
                        s.address = address;
                        Message::Data { lines: vec![vec![s]], partial: false }.emit()
                    }
                    None => Message::Error { text: "ERR-NO-DATA".into() }.emit(),
                };
                // An R1 answer is `STX data set ETX BCC`: no `! CR LF`.
                let reply = strip_end(reply);
                self.send(reply, None);
            }
            (MeterState::Password | MeterState::Programming, Message::Nak) => {
                let again = self.last_reply.clone();
                self.outbox.push_back((again, None));
            }
            _ => {}
        }
    }
}

/// `STX set CR LF ! CR LF ETX BCC` → `STX set ETX BCC` (the R1 answer shape).
fn strip_end(block: Vec<u8>) -> Vec<u8> {
    if block.first() != Some(&STX) || block.len() < 7 {
        return block;
    }
    let n = block.len();
    // Drop `CR LF ! CR LF` before ETX.
    if &block[n - 7..n - 2] != b"\r\n!\r\n" {
        return block;
    }
    let mut out = block[..n - 7].to_vec();
    out.push(frame::ETX);
    out.push(frame::bcc(&out[1..]));
    out
}

/// How the meter frames what it receives: a message (a sign-on line that is
/// still arriving, or a block, waits), or once `identified` the start of an
/// option select, which may arrive one byte at a time: ACK alone is its start.
fn message(identified: bool) -> impl Fn(&[u8]) -> FrameStatus {
    move |b| {
        if identified && b.len() < 6 && b[0] == ACK && b[1..].iter().all(u8::is_ascii_alphanumeric) {
            return FrameStatus::Incomplete { preamble: 0, needed: None };
        }
        frame::kind(b).map_or(FrameStatus::NoMatch, |(_, status)| status)
    }
}

impl SimulatedMeter for OpticalMeter {
    fn handle_input(&mut self, now: Millis, bytes: &[u8]) {
        self.now = now;
        if bytes.is_empty() {
            return;
        }
        if self.state != MeterState::Idle && now.since(self.last) >= self.cfg.inactivity {
            self.reset();
        }
        self.last = self.last.max(now);
        if self.state == MeterState::Binary {
            return;
        }
        self.rx.push(bytes);
        while let Some((m, _)) = self.rx.next(message(self.state == MeterState::Identified)) {
            self.on_message(&m);
        }
    }

    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        let (bytes, then) = self.outbox.pop_front()?;
        if let Some(line) = then {
            self.line = line;
        }
        Some(bytes)
    }

    fn line(&self) -> LineSettings {
        self.line
    }
}

/// How the simulated DSMR P1 port is made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct P1Config {
    pub seed: u64,
    /// The meter's clock at `now` = 0.
    pub base: DateTime,
    /// Header after `/` (`MSC5\2MS-P1-Sim`).
    pub header: String,
    /// Equipment identifier (written hex-encoded in 0-0:96.1.1).
    pub equipment: String,
    /// A gas meter on M-Bus channel 1.
    pub gas: bool,
    /// Send every telegram encrypted (general-glo-ciphering, suite 0), as
    /// Luxembourg's and Austrian meters do; `None`: plain text.
    pub encryption: Option<P1Encryption>,
}

/// How an encrypting P1 port seals its telegrams.
#[derive(Clone, PartialEq, Eq)]
pub struct P1Encryption {
    /// AES-128 cipher key (EK).
    pub cipher_key: [u8; 16],
    /// AES-128 authentication key (AK), part of the additional data.
    pub auth_key: [u8; 16],
    /// The meter's system title (manufacturer id and serial).
    pub system_title: [u8; 8],
    /// The invocation counter of the telegram at `now` = 0; one more each second.
    pub invocation_counter: u32,
}

impl core::fmt::Debug for P1Encryption {
    /// Key material is never printed.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("P1Encryption")
            .field("system_title", &self.system_title)
            .field("invocation_counter", &self.invocation_counter)
            .finish_non_exhaustive()
    }
}

impl Default for P1Encryption {
    /// Test keys, the default authentication key of the Luxembourg specification, a `SAG` title.
    fn default() -> Self {
        P1Encryption {
            cipher_key: *b"meterscope-EK-01",
            auth_key: super::dissect::DEFAULT_AK,
            system_title: *b"SAG\x67\x00\x00\x00\x01",
            invocation_counter: 1,
        }
    }
}

impl Default for P1Config {
    fn default() -> Self {
        P1Config {
            seed: 1,
            base: DateTime { year: 2024, month: 5, day: 17, hour: 10, minute: 30, second: 0 },
            header: "MSC5\\2MS-P1-Sim".to_string(),
            equipment: "E0099001234567824".to_string(),
            gas: true,
            encryption: None,
        }
    }
}

/// DSMR 4/5 line: 115200 Bd 8N1.
pub const P1_LINE: LineSettings = LineSettings::new(115_200, 8, Parity::None, 1);

/// Whether European summer time holds at this civil time (from 01:00 on the
/// last Sunday of March to 01:00 on the last Sunday of October, taken as is).
fn summer(t: &DateTime) -> bool {
    let last_sunday = |month: u8| {
        let last = DateTime { year: t.year, month, day: 31, hour: 0, minute: 0, second: 0 };
        31 - last.weekday()
    };
    match t.month {
        4..=9 => true,
        3 => (t.day, t.hour) >= (last_sunday(3), 2),
        10 => (t.day, t.hour) < (last_sunday(10), 3),
        _ => false,
    }
}

/// `YYMMDDhhmmssX` with `S` (summer) or `W` (winter).
pub fn dsmr_time(t: &DateTime) -> String {
    format!(
        "{:02}{:02}{:02}{:02}{:02}{:02}{}",
        t.year % 100,
        t.month,
        t.day,
        t.hour,
        t.minute,
        t.second,
        if summer(t) { 'S' } else { 'W' }
    )
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02X}")).collect()
}

/// A DSMR 5 P1 port: a telegram every second.
#[derive(Clone, Debug)]
pub struct P1Meter {
    cfg: P1Config,
    grid: Grid,
    /// A telegram is due at every whole second.
    clock: SendClock,
}

impl P1Meter {
    pub fn new(cfg: P1Config) -> Self {
        let grid = Grid::new(cfg.seed, cfg.base);
        P1Meter { cfg, grid, clock: SendClock::default() }
    }

    /// The telegram of the second `now` falls in (Dutch DSMR 5.0 layout).
    pub fn telegram(&self, now: Millis) -> Vec<u8> {
        let t = self.grid.clock(now);
        let phases = self.grid.phases(now);
        let import = self.grid.import(now);
        let export = self.grid.export;
        let mut s = format!("/{}\r\n\r\n", self.cfg.header);
        let mut line = |l: String| {
            s.push_str(&l);
            s.push_str("\r\n");
        };
        line("1-3:0.2.8(50)".into());
        line(format!("0-0:1.0.0({})", dsmr_time(&t)));
        line(format!("0-0:96.1.1({})", hex(&self.cfg.equipment)));
        line(format!("1-0:1.8.1({}*kWh)", kwh(import[0])));
        line(format!("1-0:1.8.2({}*kWh)", kwh(import[1])));
        line(format!("1-0:2.8.1({}*kWh)", kwh(export[0])));
        line(format!("1-0:2.8.2({}*kWh)", kwh(export[1])));
        line("0-0:96.14.0(0001)".into());
        line(format!("1-0:1.7.0({}*kW)", kw(phases.iter().map(|p| p.p).sum())));
        line("1-0:2.7.0(00.000*kW)".into());
        line("0-0:96.7.21(00003)".into());
        line("0-0:96.7.9(00001)".into());
        line("1-0:99.97.0(0)(0-0:96.7.19)".into());
        line("1-0:32.32.0(00002)".into());
        line("1-0:52.32.0(00001)".into());
        line("1-0:72.32.0(00000)".into());
        line("1-0:32.36.0(00000)".into());
        line("1-0:52.36.0(00000)".into());
        line("1-0:72.36.0(00000)".into());
        line("0-0:96.13.0()".into());
        for (k, p) in phases.iter().enumerate() {
            line(format!("1-0:{}.7.0({}.{}*V)", 32 + 20 * k, p.u / 10, p.u % 10));
        }
        for (k, p) in phases.iter().enumerate() {
            // Whole amperes, as DSMR 5 writes them.
            line(format!("1-0:{}.7.0({:03}*A)", 31 + 20 * k, (p.i + 500) / 1000));
        }
        for (k, p) in phases.iter().enumerate() {
            line(format!("1-0:{}.7.0({}*kW)", 21 + 20 * k, kw(p.p)));
        }
        for k in 0..3 {
            line(format!("1-0:{}.7.0(00.000*kW)", 22 + 20 * k));
        }
        if self.cfg.gas {
            let hour = DateTime { minute: 0, second: 0, ..t };
            let m3 = 2_000_000 + mix(self.cfg.seed, 7) % 1_000_000 + now.0 / 3_600_000 * 120;
            line("0-1:24.1.0(003)".into());
            line(format!("0-1:96.1.0({})", hex("G0099001234567824")));
            line(format!("0-1:24.2.1({})({:05}.{:03}*m3)", dsmr_time(&hour), m3 / 1000, m3 % 1000));
        }
        s.push('!');
        let crc = crate::wire::crc16_arc(s.as_bytes());
        s.push_str(&format!("{crc:04X}\r\n"));
        s.into_bytes()
    }
}

impl P1Meter {
    /// What goes on the line in the second `now` falls in: the telegram, encrypted when configured:
    /// `DB 08 title length SC IC ciphertext tag` with SC 0x30 (authenticated and encrypted, suite 0).
    pub fn frame(&self, now: Millis) -> Vec<u8> {
        let plain = self.telegram(now);
        let Some(e) = &self.cfg.encryption else { return plain };
        let ic = e.invocation_counter.wrapping_add((now.0 / 1000) as u32);
        let sealed = security::seal(&e.cipher_key, &e.auth_key, &e.system_title, ic, &plain);
        let mut out = vec![0xDB, 0x08];
        out.extend_from_slice(&e.system_title);
        match sealed.len() {
            n if n < 0x80 => out.push(n as u8),
            n if n <= 0xFF => out.extend([0x81, n as u8]),
            n => out.extend([0x82, (n >> 8) as u8, n as u8]),
        }
        out.extend(sealed);
        out
    }
}

impl SimulatedMeter for P1Meter {
    /// The P1 port ignores what it receives; the call tells it the time.
    fn handle_input(&mut self, now: Millis, _: &[u8]) {
        self.clock.input(now);
    }

    /// A telegram when `now` has reached the next second.
    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        let now = self.clock.due(|now| Millis((now.0 / 1000 + 1) * 1000))?;
        Some(self.frame(now))
    }

    fn line(&self) -> LineSettings {
        P1_LINE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(sets: &[DataSet], address: &str) -> f64 {
        let s = sets.iter().find(|s| s.address == address).unwrap_or_else(|| panic!("{address}"));
        s.values[0].value.parse().unwrap()
    }

    #[test]
    fn readout_is_consistent() {
        let m = OpticalMeter::new(MeterConfig::default());
        for now in [0, 3_600_000, 86_400_000] {
            let sets = m.data_sets(Millis(now));
            let total = value(&sets, "1.8.0");
            assert!((total - value(&sets, "1.8.1") - value(&sets, "1.8.2")).abs() < 0.0005);
            assert!((value(&sets, "2.8.0") - value(&sets, "2.8.1") - value(&sets, "2.8.2")).abs() < 0.0005);
            let p = value(&sets, "21.7.0") + value(&sets, "41.7.0") + value(&sets, "61.7.0");
            assert!((p - value(&sets, "1.7.0")).abs() < 0.0005);
            for k in [0, 20, 40] {
                let u = value(&sets, &format!("{}.7.0", 32 + k));
                let i = value(&sets, &format!("{}.7.0", 31 + k));
                let pf = value(&sets, &format!("{}.7.0", 33 + k));
                let pw = value(&sets, &format!("{}.7.0", 21 + k)) * 1000.0;
                assert!((u * i * pf - pw).abs() < u * 0.01 + 2.0, "{u} {i} {pf} {pw}");
            }
        }
        // The readout parses strictly and the energy grows.
        let a = m.readout(Millis(0));
        assert!(matches!(Message::parse(&a), Ok(Message::Data { partial: false, .. })));
        assert!(value(&m.data_sets(Millis(3_600_000)), "1.8.1") > value(&m.data_sets(Millis(0)), "1.8.1"));
        assert_eq!(m.data_sets(Millis(7_000))[3].values[0].value, "103007");
    }

    #[test]
    fn identification_per_mode() {
        let ident =
            |mode, mode_e| OpticalMeter::new(MeterConfig { mode, mode_e, ..MeterConfig::default() }).identification();
        assert_eq!(ident(Mode::C, true), b"/MSC5\\2MS-Sim-1\r\n".to_vec());
        assert_eq!(ident(Mode::B, false), b"/MSCEMS-Sim-1\r\n".to_vec());
        assert_eq!(ident(Mode::A, false), b"/MSC-MS-Sim-1\r\n".to_vec());
    }

    #[test]
    fn r1_answers_have_no_end_line() {
        let mut m = OpticalMeter::new(MeterConfig::default());
        m.handle_input(Millis(0), b"/?!\r\n");
        m.handle_input(Millis(10), b"\x06051\r\n");
        let _ = m.poll_transmit();
        let _ = m.poll_transmit();
        assert_eq!(m.line(), line_7e1(9600));
        let p1 = Message::Command {
            command: b'P',
            kind: b'1',
            data: Some(DataSet {
                address: String::new(),
                values: vec![Value { value: "00000000".into(), unit: None }],
            }),
            partial: false,
        };
        m.handle_input(Millis(20), &p1.emit());
        assert_eq!(m.poll_transmit(), Some(vec![ACK]));
        let r1 = b"\x01R1\x021.8.1()\x03";
        let mut r1 = r1.to_vec();
        r1.push(frame::bcc(&r1[1..]));
        m.handle_input(Millis(30), &r1);
        let reply = m.poll_transmit().unwrap();
        assert!(reply.starts_with(b"\x021.8.1(") && reply[reply.len() - 2] == frame::ETX, "{reply:?}");
        assert_eq!(reply[reply.len() - 1], frame::bcc(&reply[1..reply.len() - 1]));
    }

    #[test]
    fn p1_encrypted_frames() {
        let e = P1Encryption::default();
        let mut m = P1Meter::new(P1Config { encryption: Some(e.clone()), ..P1Config::default() });
        m.handle_input(Millis(2000), &[]);
        let f = m.poll_transmit().unwrap();
        let plain = m.telegram(Millis(2000));
        assert_eq!(&f[..2], &[0xDB, 0x08]);
        assert_eq!(&f[2..10], &e.system_title);
        let len = usize::from(f[11]) << 8 | usize::from(f[12]);
        assert_eq!((f[10], len, f.len()), (0x82, f.len() - 13, 13 + 5 + plain.len() + 12));
        assert_eq!(&f[13..18], &[0x30, 0, 0, 0, 3], "SC and the counter of the third second");
        assert_eq!(frame::frame_dsmr(&f), FrameStatus::Complete { preamble: 0, len: f.len() });
        let (opened, status) = security::open(
            &e.cipher_key,
            Some(&e.auth_key),
            &e.system_title,
            0x30,
            3,
            &f[18..f.len() - 12],
            Some(&f[f.len() - 12..]),
        );
        assert_eq!((opened, status), (plain, security::TagStatus::Verified));
        assert!(!format!("{e:?}").contains("cipher_key"));
    }

    #[test]
    fn p1_telegram_every_second_with_crc() {
        let mut m = P1Meter::new(P1Config::default());
        assert_eq!(m.poll_transmit(), None, "no time yet");
        m.handle_input(Millis(500), &[]);
        let t = m.poll_transmit().unwrap();
        assert_eq!(m.poll_transmit(), None);
        m.handle_input(Millis(999), &[]);
        assert_eq!(m.poll_transmit(), None);
        m.handle_input(Millis(1000), &[]);
        assert!(m.poll_transmit().is_some());
        let bang = t.iter().position(|&c| c == b'!').unwrap();
        let stated = u16::from_str_radix(core::str::from_utf8(&t[bang + 1..bang + 5]).unwrap(), 16).unwrap();
        assert_eq!(stated, crate::wire::crc16_arc(&t[..=bang]));
        assert!(t.ends_with(b"\r\n"));
        let text = String::from_utf8(t).unwrap();
        assert!(text.contains("0-0:1.0.0(240517103000S)"), "{text}");
        assert!(summer(&DateTime { year: 2024, month: 3, day: 31, hour: 2, minute: 0, second: 0 }));
        assert!(!summer(&DateTime { year: 2024, month: 3, day: 30, hour: 12, minute: 0, second: 0 }));
        assert!(!summer(&DateTime { year: 2024, month: 10, day: 27, hour: 3, minute: 0, second: 0 }));
    }
}
