//! The DL/T 645 frame and its strict codec.
//!
//! DL/T 645-2007 clause 5 (and DL/T 645-1997 clause 4, which has the same
//! frame): `FE* 68 A0..A5 68 C L DATA CS 16`. The address is 12 BCD digits,
//! lowest pair first; `AA` is a wildcard, `99..99` broadcast. The control code
//! C holds the direction (D7), the abnormal-reply flag (D6), the follow-up
//! flag (D5) and the function (D4..D0). L counts the data bytes, which travel
//! with 0x33 added. CS is the sum mod 256 of every byte from the first 0x68 to
//! the last data byte. Frames are delimited by L: a CS of 0x16 is no end.

use crate::error::{ErrorKind, ParseError};
use crate::lang::Lang;
use crate::registry::FrameStatus;

/// Frame start and end delimiters, the wake-up byte and the data offset.
pub const START: u8 = 0x68;
pub const END: u8 = 0x16;
pub const WAKE_UP: u8 = 0xFE;
pub const DATA_OFFSET: u8 = 0x33;
/// Bytes of a frame besides the data: 68, 6 address bytes, 68, C, L, CS, 16.
pub const OVERHEAD: usize = 12;

/// Field positions inside a frame (from the first 0x68).
pub mod field {
    use core::ops::Range;
    pub const START: usize = 0;
    pub const ADDRESS: Range<usize> = 1..7;
    pub const START2: usize = 7;
    pub const CONTROL: usize = 8;
    pub const LENGTH: usize = 9;
    pub const DATA: usize = 10;
}

/// The slave address A0..A5 in wire order (A0 holds the lowest two digits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Address(pub [u8; 6]);

impl Address {
    /// `999999999999`: every meter, no reply (broadcast time sync).
    pub const BROADCAST: Address = Address([0x99; 6]);
    /// `AAAAAAAAAAAA`: whichever meter is on the line (read address).
    pub const WILDCARD: Address = Address([0xAA; 6]);

    /// From 6 wire bytes; shorter input is padded with 0.
    pub fn from_wire(bytes: &[u8]) -> Self {
        let mut a = [0u8; 6];
        for (d, s) in a.iter_mut().zip(bytes) {
            *d = *s;
        }
        Address(a)
    }

    /// From 12 digits as people write them (`123456789012`, `AA` allowed).
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        if t.len() != 12 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut a = [0u8; 6];
        for (i, slot) in a.iter_mut().enumerate() {
            let at = 10 - 2 * i;
            *slot = u8::from_str_radix(&t[at..at + 2], 16).ok()?;
        }
        Some(Address(a))
    }

    /// The 12 digits, most significant first (`123456789012`).
    pub fn digits(&self) -> String {
        self.0.iter().rev().map(|b| format!("{b:02X}")).collect()
    }

    pub fn is_broadcast(&self) -> bool {
        *self == Self::BROADCAST
    }

    /// Some digit is the wildcard `A`.
    pub fn has_wildcard(&self) -> bool {
        self.0.iter().any(|b| b >> 4 == 0xA || b & 0x0F == 0xA)
    }

    /// Index of the first byte with a nibble that is neither a digit nor `A`.
    pub fn invalid_byte(&self) -> Option<usize> {
        let ok = |n: u8| n <= 9 || n == 0xA;
        self.0.iter().position(|&b| !ok(b >> 4) || !ok(b & 0x0F))
    }
}

/// Direction of transmission, control code bit D7.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    MasterToSlave,
    SlaveToMaster,
}

/// The control code C (DL/T 645-2007 clause 5, frame format).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ControlCode(pub u8);

impl ControlCode {
    pub const fn new(function: u8, direction: Direction, abnormal: bool, follow_up: bool) -> Self {
        let dir = match direction {
            Direction::MasterToSlave => 0,
            Direction::SlaveToMaster => 0x80,
        };
        ControlCode(dir | (abnormal as u8) << 6 | (follow_up as u8) << 5 | (function & 0x1F))
    }
    pub const fn direction(self) -> Direction {
        if self.0 & 0x80 == 0 { Direction::MasterToSlave } else { Direction::SlaveToMaster }
    }
    /// D6: the slave reports an error (only meaningful in replies).
    pub const fn is_abnormal(self) -> bool {
        self.0 & 0x40 != 0
    }
    /// D5: more data follows in a follow-up frame.
    pub const fn has_follow_up(self) -> bool {
        self.0 & 0x20 != 0
    }
    pub const fn function(self) -> u8 {
        self.0 & 0x1F
    }
}

/// Which edition of the standard a frame follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    V2007,
    V1997,
}

/// Function codes (D4..D0 of C).
pub mod function {
    /// DL/T 645-2007 (clause 5) and its 2009 filing (03).
    pub const SECURITY: u8 = 0x03;
    pub const BROADCAST_TIME: u8 = 0x08;
    pub const READ: u8 = 0x11;
    pub const READ_FOLLOW_UP: u8 = 0x12;
    pub const READ_ADDRESS: u8 = 0x13;
    pub const WRITE: u8 = 0x14;
    pub const WRITE_ADDRESS: u8 = 0x15;
    pub const FREEZE: u8 = 0x16;
    pub const CHANGE_BAUD: u8 = 0x17;
    pub const CHANGE_PASSWORD: u8 = 0x18;
    pub const CLEAR_DEMAND: u8 = 0x19;
    pub const CLEAR_METER: u8 = 0x1A;
    pub const CLEAR_EVENTS: u8 = 0x1B;
    pub const REMOTE_CONTROL: u8 = 0x1C;
    /// DL/T 645-1997 (clause 4); 08 is shared.
    pub const READ_1997: u8 = 0x01;
    pub const READ_FOLLOW_UP_1997: u8 = 0x02;
    pub const REREAD_1997: u8 = 0x03;
    pub const WRITE_1997: u8 = 0x04;
    pub const WRITE_ADDRESS_1997: u8 = 0x0A;
    pub const CHANGE_BAUD_1997: u8 = 0x0C;
    pub const CHANGE_PASSWORD_1997: u8 = 0x0F;
    pub const CLEAR_DEMAND_1997: u8 = 0x10;
}

/// The edition a function code belongs to; `None` for 08 (both) and unknown codes.
pub fn variant_of(f: u8) -> Option<Variant> {
    match f {
        0x11..=0x1C => Some(Variant::V2007),
        0x01 | 0x02 | 0x04 | 0x0A | 0x0C | 0x0F | 0x10 => Some(Variant::V1997),
        _ => None,
    }
}

/// The name of a function in an edition.
pub fn function_name(variant: Variant, f: u8, lang: Lang) -> Option<&'static str> {
    function_names(variant, f).map(|(en, zh)| lang.pick(en, zh))
}

/// The English and Chinese names of a function code in an edition.
pub fn function_names(variant: Variant, f: u8) -> Option<(&'static str, &'static str)> {
    use function::*;
    Some(match (variant, f) {
        (_, BROADCAST_TIME) => ("broadcast time synchronisation", "广播校时"),
        (Variant::V2007, SECURITY) => ("security authentication", "安全认证"),
        (Variant::V2007, READ) => ("read data", "读数据"),
        (Variant::V2007, READ_FOLLOW_UP) => ("read follow-up data", "读后续数据"),
        (Variant::V2007, READ_ADDRESS) => ("read communication address", "读通信地址"),
        (Variant::V2007, WRITE) => ("write data", "写数据"),
        (Variant::V2007, WRITE_ADDRESS) => ("write communication address", "写通信地址"),
        (Variant::V2007, FREEZE) => ("freeze", "冻结命令"),
        (Variant::V2007, CHANGE_BAUD) => ("change communication rate", "更改通信速率"),
        (Variant::V2007, CHANGE_PASSWORD) => ("change password", "修改密码"),
        (Variant::V2007, CLEAR_DEMAND) => ("clear maximum demand", "最大需量清零"),
        (Variant::V2007, CLEAR_METER) => ("clear meter", "电表清零"),
        (Variant::V2007, CLEAR_EVENTS) => ("clear events", "事件清零"),
        (Variant::V2007, REMOTE_CONTROL) => ("remote control (trip, close, alarm, keep power)", "跳合闸、报警、保电"),
        (Variant::V1997, READ_1997) => ("read data (1997)", "读数据(1997)"),
        (Variant::V1997, READ_FOLLOW_UP_1997) => ("read follow-up data (1997)", "读后续数据(1997)"),
        (Variant::V1997, REREAD_1997) => ("re-read data (1997)", "重读数据(1997)"),
        (Variant::V1997, WRITE_1997) => ("write data (1997)", "写数据(1997)"),
        (Variant::V1997, WRITE_ADDRESS_1997) => ("write device address (1997)", "写设备地址(1997)"),
        (Variant::V1997, CHANGE_BAUD_1997) => ("change communication rate (1997)", "更改通信速率(1997)"),
        (Variant::V1997, CHANGE_PASSWORD_1997) => ("change password (1997)", "修改密码(1997)"),
        (Variant::V1997, CLEAR_DEMAND_1997) => ("clear maximum demand (1997)", "最大需量清零(1997)"),
        _ => return None,
    })
}

/// The additive checksum CS.
pub fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |a, b| a.wrapping_add(*b))
}

/// How far a frame starting at `bytes[0]` reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extent {
    /// No frame starts here.
    NoMatch,
    /// A frame starts but more bytes are needed (how many, when L is known).
    Short(Option<usize>),
    /// The frame is `len` bytes long, as L says.
    Whole(usize),
}

/// Where the frame at `b[0]` ends: 0x68, 6 address bytes, 0x68, C, L.
pub fn extent(b: &[u8]) -> Extent {
    if b.first() != Some(&START) {
        return Extent::NoMatch;
    }
    match b.get(field::START2) {
        None => return Extent::Short(None),
        Some(&START) => {}
        Some(_) => return Extent::NoMatch,
    }
    let Some(&l) = b.get(field::LENGTH) else { return Extent::Short(None) };
    let total = OVERHEAD + usize::from(l);
    if b.len() < total { Extent::Short(Some(total - b.len())) } else { Extent::Whole(total) }
}

/// A complete frame whose length, checksum and end byte are all right.
pub fn is_sound(frame: &[u8]) -> bool {
    let n = frame.len();
    extent(frame) == Extent::Whole(n) && frame[n - 1] == END && checksum(&frame[..n - 2]) == frame[n - 2]
}

/// Stream framing: FE wake-up bytes, then a frame delimited by L.
///
/// A broken candidate directly followed by a sound frame one byte later (a
/// duplicated 0x68) is no match, so the registry resynchronises on the real
/// one; so is a candidate whose checksum and end byte are both wrong, unless
/// it is all that is left of the input (a frame pasted alone, however broken):
/// two `68` bytes seven apart are no frame (a run of `68` would be a chain of them).
pub fn frame_status(bytes: &[u8]) -> FrameStatus {
    let preamble = bytes.iter().take_while(|&&b| b == WAKE_UP).count();
    let b = &bytes[preamble..];
    match extent(b) {
        Extent::NoMatch => FrameStatus::NoMatch,
        Extent::Short(needed) => FrameStatus::Incomplete { preamble, needed },
        Extent::Whole(len) => {
            let next_is_sound = || matches!(extent(&b[1..]), Extent::Whole(l) if is_sound(&b[1..1 + l]));
            let supported = len == b.len() || b[len - 1] == END || checksum(&b[..len - 2]) == b[len - 2];
            if !supported || (!is_sound(&b[..len]) && next_is_sound()) {
                FrameStatus::NoMatch
            } else {
                FrameStatus::Complete { preamble, len }
            }
        }
    }
}

/// How well a complete frame holds together, 0–100, before the edition is weighed.
pub fn integrity(frame: &[u8]) -> u8 {
    let n = frame.len();
    if n < OVERHEAD || frame[field::START] != START || frame[field::START2] != START {
        return 0;
    }
    let mut score = 50;
    if n == OVERHEAD + usize::from(frame[field::LENGTH]) {
        score += 10;
    }
    if checksum(&frame[..n - 2]) == frame[n - 2] {
        score += 25;
    }
    if frame[n - 1] == END {
        score += 15;
    }
    score
}

/// Which edition a complete frame most likely follows: its function code, then
/// the shape of its data (a 2-byte identifier points to 1997).
pub fn likely_variant(frame: &[u8]) -> Option<Variant> {
    let c = ControlCode(*frame.get(field::CONTROL)?);
    let l = *frame.get(field::LENGTH)?;
    match (variant_of(c.function()), c.function()) {
        (Some(v), _) => Some(v),
        (None, function::SECURITY) if l == 0 => Some(Variant::V1997),
        (None, function::SECURITY) => Some(Variant::V2007),
        (None, function::BROADCAST_TIME) => Some(Variant::V2007),
        (None, _) if l == 2 => Some(Variant::V1997),
        _ => None,
    }
}

/// A frame: address, control code and data with 0x33 already removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame645 {
    pub address: Address,
    pub control: ControlCode,
    pub data: Vec<u8>,
}

impl Frame645 {
    /// Strict parse of one frame (FE wake-up bytes allowed before it).
    pub fn parse(bytes: &[u8]) -> Result<Frame645, ParseError> {
        let pre = bytes.iter().take_while(|&&b| b == WAKE_UP).count();
        let b = &bytes[pre..];
        let err = |at: usize, kind| Err(ParseError::new(pre + at, kind));
        if b.len() < OVERHEAD {
            return err(b.len(), ErrorKind::Truncated { needed: OVERHEAD - b.len() });
        }
        for at in [field::START, field::START2] {
            if b[at] != START {
                return err(at, ErrorKind::UnexpectedByte { found: b[at], expected: "start delimiter 0x68" });
            }
        }
        let total = OVERHEAD + usize::from(b[field::LENGTH]);
        if b.len() < total {
            return err(b.len(), ErrorKind::Truncated { needed: total - b.len() });
        }
        let (stated, computed) = (b[total - 2], checksum(&b[..total - 2]));
        if stated != computed {
            let kind = ErrorKind::ChecksumMismatch { stated: stated.into(), computed: computed.into() };
            return err(total - 2, kind);
        }
        if b[total - 1] != END {
            return err(total - 1, ErrorKind::UnexpectedByte { found: b[total - 1], expected: "end delimiter 0x16" });
        }
        if b.len() > total {
            return err(total, ErrorKind::TrailingBytes { count: b.len() - total });
        }
        Ok(Frame645 {
            address: Address::from_wire(&b[field::ADDRESS]),
            control: ControlCode(b[field::CONTROL]),
            data: b[field::DATA..total - 2].iter().map(|x| x.wrapping_sub(DATA_OFFSET)).collect(),
        })
    }

    /// Bytes `emit` writes (data beyond 255 bytes is not sent).
    pub fn buffer_len(&self) -> usize {
        OVERHEAD + self.data.len().min(255)
    }

    /// The frame's bytes, without wake-up bytes. Never panics.
    pub fn emit(&self) -> Vec<u8> {
        let data = &self.data[..self.data.len().min(255)];
        let mut out = Vec::with_capacity(self.buffer_len());
        out.push(START);
        out.extend_from_slice(&self.address.0);
        out.push(START);
        out.push(self.control.0);
        out.push(data.len() as u8);
        out.extend(data.iter().map(|x| x.wrapping_add(DATA_OFFSET)));
        out.push(checksum(&out));
        out.push(END);
        out
    }
}

// ------------------------------------------------------------ typed payloads

/// A data identifier DI3 DI2 DI1 DI0 (DL/T 645-2007 clause 6), sent DI0 first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DataId(pub u32);

impl DataId {
    pub fn from_wire(b: &[u8]) -> Self {
        DataId(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub fn to_wire(self) -> [u8; 4] {
        self.0.to_le_bytes()
    }
    /// `00010000`.
    pub fn canonical(self) -> String {
        format!("{:08X}", self.0)
    }
}

/// Password level PA and password P0 P1 P2 (wire order), clause 7.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Password {
    pub level: u8,
    pub code: [u8; 3],
}

impl Password {
    fn from_wire(b: &[u8]) -> Self {
        Password { level: b[0], code: [b[1], b[2], b[3]] }
    }
    fn to_wire(self) -> [u8; 4] {
        [self.level, self.code[0], self.code[1], self.code[2]]
    }
}

/// Operator code C0 C1 C2 C3 (wire order), recorded by the meter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OperatorCode(pub [u8; 4]);

/// The data of a DL/T 645-2007 frame, by function (clause 7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    /// 11: DI, with a block count and a start time for load records.
    ReadRequest {
        di: DataId,
        blocks: Option<u8>,
        time: Option<[u8; 5]>,
    },
    /// 91 / B1: DI and data; `follow` when a follow-up frame comes.
    ReadReply {
        di: DataId,
        data: Vec<u8>,
        follow: bool,
    },
    /// 12: DI and frame sequence number.
    ReadFollowUpRequest {
        di: DataId,
        seq: u8,
    },
    /// 92 / B2: DI, data and frame sequence number.
    ReadFollowUpReply {
        di: DataId,
        data: Vec<u8>,
        seq: u8,
        follow: bool,
    },
    /// 13 on the wildcard address.
    ReadAddressRequest,
    /// 93: the meter's address.
    ReadAddressReply {
        address: Address,
    },
    /// 14: DI, password, operator code, data.
    WriteRequest {
        di: DataId,
        password: Password,
        operator: OperatorCode,
        data: Vec<u8>,
    },
    /// 15: the new address.
    WriteAddressRequest {
        address: Address,
    },
    /// 08: ss mm hh DD MM YY (BCD, wire order).
    BroadcastTime {
        time: [u8; 6],
    },
    /// 16: mm hh DD MM (BCD, wire order; 99 wildcards).
    FreezeRequest {
        time: [u8; 4],
    },
    /// 17 / 97: the communication rate feature word Z.
    ChangeBaudRequest {
        z: u8,
    },
    ChangeBaudReply {
        z: u8,
    },
    /// 18: DI (level), old and new password.
    ChangePasswordRequest {
        di: DataId,
        old: Password,
        new: Password,
    },
    /// 98: the new password.
    ChangePasswordReply {
        new: Password,
    },
    /// 19, 1A: password and operator code.
    ClearDemandRequest {
        password: Password,
        operator: OperatorCode,
    },
    ClearMeterRequest {
        password: Password,
        operator: OperatorCode,
    },
    /// 1B: password, operator code and the events' DI (FFFFFFFF all).
    ClearEventsRequest {
        password: Password,
        operator: OperatorCode,
        di: DataId,
    },
    /// 1C: password, operator code, N1 command, N2 reserved, N3..N8 valid until ss mm hh DD MM YY.
    RemoteControlRequest {
        password: Password,
        operator: OperatorCode,
        command: u8,
        reserved: u8,
        valid_until: [u8; 6],
    },
    /// 03 / 83: security authentication, DI and data.
    SecurityRequest {
        di: DataId,
        data: Vec<u8>,
    },
    SecurityReply {
        di: DataId,
        data: Vec<u8>,
    },
    /// A normal reply without data (94, 95, 96, 99, 9A, 9B, 9C).
    Acknowledge {
        function: u8,
    },
    /// An abnormal reply (D1, D4…): the error information word ERR.
    AbnormalReply {
        function: u8,
        err: u8,
    },
}

fn need(data: &[u8], n: usize) -> Result<(), ParseError> {
    if data.len() < n {
        Err(ParseError::new(field::DATA + data.len(), ErrorKind::Truncated { needed: n - data.len() }))
    } else {
        Ok(())
    }
}

fn exactly(data: &[u8], n: usize) -> Result<(), ParseError> {
    need(data, n)?;
    if data.len() > n {
        return Err(ParseError::new(field::DATA + n, ErrorKind::BadLength { stated: data.len(), actual: n }));
    }
    Ok(())
}

fn array<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(&b[..N]);
    a
}

impl Payload {
    /// The control code this payload travels with.
    pub fn control(&self) -> ControlCode {
        use Direction::*;
        use function::*;
        let (f, dir, abnormal, follow) = match self {
            Payload::ReadRequest { .. } => (READ, MasterToSlave, false, false),
            Payload::ReadReply { follow, .. } => (READ, SlaveToMaster, false, *follow),
            Payload::ReadFollowUpRequest { .. } => (READ_FOLLOW_UP, MasterToSlave, false, false),
            Payload::ReadFollowUpReply { follow, .. } => (READ_FOLLOW_UP, SlaveToMaster, false, *follow),
            Payload::ReadAddressRequest => (READ_ADDRESS, MasterToSlave, false, false),
            Payload::ReadAddressReply { .. } => (READ_ADDRESS, SlaveToMaster, false, false),
            Payload::WriteRequest { .. } => (WRITE, MasterToSlave, false, false),
            Payload::WriteAddressRequest { .. } => (WRITE_ADDRESS, MasterToSlave, false, false),
            Payload::BroadcastTime { .. } => (BROADCAST_TIME, MasterToSlave, false, false),
            Payload::FreezeRequest { .. } => (FREEZE, MasterToSlave, false, false),
            Payload::ChangeBaudRequest { .. } => (CHANGE_BAUD, MasterToSlave, false, false),
            Payload::ChangeBaudReply { .. } => (CHANGE_BAUD, SlaveToMaster, false, false),
            Payload::ChangePasswordRequest { .. } => (CHANGE_PASSWORD, MasterToSlave, false, false),
            Payload::ChangePasswordReply { .. } => (CHANGE_PASSWORD, SlaveToMaster, false, false),
            Payload::ClearDemandRequest { .. } => (CLEAR_DEMAND, MasterToSlave, false, false),
            Payload::ClearMeterRequest { .. } => (CLEAR_METER, MasterToSlave, false, false),
            Payload::ClearEventsRequest { .. } => (CLEAR_EVENTS, MasterToSlave, false, false),
            Payload::RemoteControlRequest { .. } => (REMOTE_CONTROL, MasterToSlave, false, false),
            Payload::SecurityRequest { .. } => (SECURITY, MasterToSlave, false, false),
            Payload::SecurityReply { .. } => (SECURITY, SlaveToMaster, false, false),
            Payload::Acknowledge { function } => (*function, SlaveToMaster, false, false),
            Payload::AbnormalReply { function, .. } => (*function, SlaveToMaster, true, false),
        };
        ControlCode::new(f, dir, abnormal, follow)
    }

    /// The data bytes (0x33 not yet added).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Payload::ReadRequest { di, blocks, time } => {
                out.extend(di.to_wire());
                out.extend(blocks.iter());
                out.extend(time.iter().flatten());
            }
            Payload::ReadReply { di, data, .. }
            | Payload::SecurityRequest { di, data }
            | Payload::SecurityReply { di, data } => {
                out.extend(di.to_wire());
                out.extend_from_slice(data);
            }
            Payload::ReadFollowUpRequest { di, seq } => {
                out.extend(di.to_wire());
                out.push(*seq);
            }
            Payload::ReadFollowUpReply { di, data, seq, .. } => {
                out.extend(di.to_wire());
                out.extend_from_slice(data);
                out.push(*seq);
            }
            Payload::ReadAddressRequest | Payload::Acknowledge { .. } => {}
            Payload::ReadAddressReply { address } | Payload::WriteAddressRequest { address } => out.extend(address.0),
            Payload::WriteRequest { di, password, operator, data } => {
                out.extend(di.to_wire());
                out.extend(password.to_wire());
                out.extend(operator.0);
                out.extend_from_slice(data);
            }
            Payload::BroadcastTime { time } => out.extend(time),
            Payload::FreezeRequest { time } => out.extend(time),
            Payload::ChangeBaudRequest { z } | Payload::ChangeBaudReply { z } => out.push(*z),
            Payload::ChangePasswordRequest { di, old, new } => {
                out.extend(di.to_wire());
                out.extend(old.to_wire());
                out.extend(new.to_wire());
            }
            Payload::ChangePasswordReply { new } => out.extend(new.to_wire()),
            Payload::ClearDemandRequest { password, operator } | Payload::ClearMeterRequest { password, operator } => {
                out.extend(password.to_wire());
                out.extend(operator.0);
            }
            Payload::ClearEventsRequest { password, operator, di } => {
                out.extend(password.to_wire());
                out.extend(operator.0);
                out.extend(di.to_wire());
            }
            Payload::RemoteControlRequest { password, operator, command, reserved, valid_until } => {
                out.extend(password.to_wire());
                out.extend(operator.0);
                out.push(*command);
                out.push(*reserved);
                out.extend(valid_until);
            }
            Payload::AbnormalReply { err, .. } => out.push(*err),
        }
        out
    }

    /// Read the data of a frame with control code `c` (offsets in errors count from the frame start).
    pub fn decode(c: ControlCode, data: &[u8]) -> Result<Payload, ParseError> {
        use function::*;
        let f = c.function();
        let reply = c.direction() == Direction::SlaveToMaster;
        if reply && c.is_abnormal() {
            exactly(data, 1)?;
            return Ok(Payload::AbnormalReply { function: f, err: data[0] });
        }
        let password = |at: usize| Password::from_wire(&data[at..at + 4]);
        let operator = |at: usize| OperatorCode(array(&data[at..]));
        let p = match (f, reply) {
            (READ, false) => match data.len() {
                4 => Payload::ReadRequest { di: DataId::from_wire(data), blocks: None, time: None },
                5 => Payload::ReadRequest { di: DataId::from_wire(data), blocks: Some(data[4]), time: None },
                _ => {
                    exactly(data, 10)?;
                    Payload::ReadRequest {
                        di: DataId::from_wire(data),
                        blocks: Some(data[4]),
                        time: Some(array(&data[5..])),
                    }
                }
            },
            (READ, true) => {
                need(data, 4)?;
                Payload::ReadReply { di: DataId::from_wire(data), data: data[4..].to_vec(), follow: c.has_follow_up() }
            }
            (READ_FOLLOW_UP, false) => {
                exactly(data, 5)?;
                Payload::ReadFollowUpRequest { di: DataId::from_wire(data), seq: data[4] }
            }
            (READ_FOLLOW_UP, true) => {
                need(data, 5)?;
                let n = data.len();
                let (di, body, seq) = (DataId::from_wire(data), data[4..n - 1].to_vec(), data[n - 1]);
                Payload::ReadFollowUpReply { di, data: body, seq, follow: c.has_follow_up() }
            }
            (READ_ADDRESS, false) => exactly(data, 0).map(|_| Payload::ReadAddressRequest)?,
            (READ_ADDRESS, true) => {
                exactly(data, 6).map(|_| Payload::ReadAddressReply { address: Address::from_wire(data) })?
            }
            (WRITE, false) => {
                need(data, 12)?;
                let di = DataId::from_wire(data);
                Payload::WriteRequest { di, password: password(4), operator: operator(8), data: data[12..].to_vec() }
            }
            (WRITE_ADDRESS, false) => {
                exactly(data, 6).map(|_| Payload::WriteAddressRequest { address: Address::from_wire(data) })?
            }
            (BROADCAST_TIME, false) => exactly(data, 6).map(|_| Payload::BroadcastTime { time: array(data) })?,
            (FREEZE, false) => exactly(data, 4).map(|_| Payload::FreezeRequest { time: array(data) })?,
            (CHANGE_BAUD, false) => exactly(data, 1).map(|_| Payload::ChangeBaudRequest { z: data[0] })?,
            (CHANGE_BAUD, true) => exactly(data, 1).map(|_| Payload::ChangeBaudReply { z: data[0] })?,
            (CHANGE_PASSWORD, false) => {
                exactly(data, 12)?;
                Payload::ChangePasswordRequest { di: DataId::from_wire(data), old: password(4), new: password(8) }
            }
            (CHANGE_PASSWORD, true) => exactly(data, 4).map(|_| Payload::ChangePasswordReply { new: password(0) })?,
            (CLEAR_DEMAND, false) => exactly(data, 8)
                .map(|_| Payload::ClearDemandRequest { password: password(0), operator: operator(4) })?,
            (CLEAR_METER, false) => {
                exactly(data, 8).map(|_| Payload::ClearMeterRequest { password: password(0), operator: operator(4) })?
            }
            (CLEAR_EVENTS, false) => {
                exactly(data, 12)?;
                Payload::ClearEventsRequest {
                    password: password(0),
                    operator: operator(4),
                    di: DataId::from_wire(&data[8..]),
                }
            }
            (REMOTE_CONTROL, false) => {
                exactly(data, 16)?;
                let (command, reserved, valid_until) = (data[8], data[9], array(&data[10..]));
                Payload::RemoteControlRequest {
                    password: password(0),
                    operator: operator(4),
                    command,
                    reserved,
                    valid_until,
                }
            }
            (SECURITY, _) => {
                need(data, 4)?;
                let (di, body) = (DataId::from_wire(data), data[4..].to_vec());
                if reply {
                    Payload::SecurityReply { di, data: body }
                } else {
                    Payload::SecurityRequest { di, data: body }
                }
            }
            (WRITE | WRITE_ADDRESS | FREEZE | CLEAR_DEMAND | CLEAR_METER | CLEAR_EVENTS | REMOTE_CONTROL, true) => {
                exactly(data, 0).map(|_| Payload::Acknowledge { function: f })?
            }
            _ => return Err(ParseError::new(field::CONTROL, ErrorKind::BadValue { what: "function code" })),
        };
        Ok(p)
    }
}

/// The data of a DL/T 645-1997 frame, by function (clause 4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload1997 {
    /// 01: the 2-byte identifier DI1 DI0 (sent DI0 first).
    ReadRequest {
        di: u16,
    },
    /// 81 / A1: identifier and data.
    ReadReply {
        di: u16,
        data: Vec<u8>,
        follow: bool,
    },
    /// 02: identifier.
    ReadFollowUpRequest {
        di: u16,
    },
    /// 82 / A2: identifier and data.
    ReadFollowUpReply {
        di: u16,
        data: Vec<u8>,
        follow: bool,
    },
    /// 03: read the last reply again.
    RereadRequest,
    /// 04: identifier, password, data.
    WriteRequest {
        di: u16,
        password: Password,
        data: Vec<u8>,
    },
    /// 08: ss mm hh DD MM YY.
    BroadcastTime {
        time: [u8; 6],
    },
    /// 0A: the new address.
    WriteAddressRequest {
        address: Address,
    },
    /// 0C / 8C: rate feature word.
    ChangeBaudRequest {
        z: u8,
    },
    ChangeBaudReply {
        z: u8,
    },
    /// 0F: old and new password; 8F: the new one.
    ChangePasswordRequest {
        old: Password,
        new: Password,
    },
    ChangePasswordReply {
        new: Password,
    },
    /// 10: password.
    ClearDemandRequest {
        password: Password,
    },
    /// A normal reply without data.
    Acknowledge {
        function: u8,
    },
    /// C1, C4…: the error information word.
    AbnormalReply {
        function: u8,
        err: u8,
    },
}

impl Payload1997 {
    pub fn control(&self) -> ControlCode {
        use Direction::*;
        use function::*;
        let (f, dir, abnormal, follow) = match self {
            Payload1997::ReadRequest { .. } => (READ_1997, MasterToSlave, false, false),
            Payload1997::ReadReply { follow, .. } => (READ_1997, SlaveToMaster, false, *follow),
            Payload1997::ReadFollowUpRequest { .. } => (READ_FOLLOW_UP_1997, MasterToSlave, false, false),
            Payload1997::ReadFollowUpReply { follow, .. } => (READ_FOLLOW_UP_1997, SlaveToMaster, false, *follow),
            Payload1997::RereadRequest => (REREAD_1997, MasterToSlave, false, false),
            Payload1997::WriteRequest { .. } => (WRITE_1997, MasterToSlave, false, false),
            Payload1997::BroadcastTime { .. } => (BROADCAST_TIME, MasterToSlave, false, false),
            Payload1997::WriteAddressRequest { .. } => (WRITE_ADDRESS_1997, MasterToSlave, false, false),
            Payload1997::ChangeBaudRequest { .. } => (CHANGE_BAUD_1997, MasterToSlave, false, false),
            Payload1997::ChangeBaudReply { .. } => (CHANGE_BAUD_1997, SlaveToMaster, false, false),
            Payload1997::ChangePasswordRequest { .. } => (CHANGE_PASSWORD_1997, MasterToSlave, false, false),
            Payload1997::ChangePasswordReply { .. } => (CHANGE_PASSWORD_1997, SlaveToMaster, false, false),
            Payload1997::ClearDemandRequest { .. } => (CLEAR_DEMAND_1997, MasterToSlave, false, false),
            Payload1997::Acknowledge { function } => (*function, SlaveToMaster, false, false),
            Payload1997::AbnormalReply { function, .. } => (*function, SlaveToMaster, true, false),
        };
        ControlCode::new(f, dir, abnormal, follow)
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Payload1997::ReadRequest { di } | Payload1997::ReadFollowUpRequest { di } => out.extend(di.to_le_bytes()),
            Payload1997::ReadReply { di, data, .. } | Payload1997::ReadFollowUpReply { di, data, .. } => {
                out.extend(di.to_le_bytes());
                out.extend_from_slice(data);
            }
            Payload1997::RereadRequest | Payload1997::Acknowledge { .. } => {}
            Payload1997::WriteRequest { di, password, data } => {
                out.extend(di.to_le_bytes());
                out.extend(password.to_wire());
                out.extend_from_slice(data);
            }
            Payload1997::BroadcastTime { time } => out.extend(time),
            Payload1997::WriteAddressRequest { address } => out.extend(address.0),
            Payload1997::ChangeBaudRequest { z } | Payload1997::ChangeBaudReply { z } => out.push(*z),
            Payload1997::ChangePasswordRequest { old, new } => {
                out.extend(old.to_wire());
                out.extend(new.to_wire());
            }
            Payload1997::ChangePasswordReply { new } => out.extend(new.to_wire()),
            Payload1997::ClearDemandRequest { password } => out.extend(password.to_wire()),
            Payload1997::AbnormalReply { err, .. } => out.push(*err),
        }
        out
    }

    pub fn decode(c: ControlCode, data: &[u8]) -> Result<Payload1997, ParseError> {
        use function::*;
        let f = c.function();
        let reply = c.direction() == Direction::SlaveToMaster;
        if reply && c.is_abnormal() {
            exactly(data, 1)?;
            return Ok(Payload1997::AbnormalReply { function: f, err: data[0] });
        }
        let di = || u16::from_le_bytes([data[0], data[1]]);
        let p = match (f, reply) {
            (READ_1997, false) => exactly(data, 2).map(|_| Payload1997::ReadRequest { di: di() })?,
            (READ_1997, true) => need(data, 2).map(|_| Payload1997::ReadReply {
                di: di(),
                data: data[2..].to_vec(),
                follow: c.has_follow_up(),
            })?,
            (READ_FOLLOW_UP_1997, false) => exactly(data, 2).map(|_| Payload1997::ReadFollowUpRequest { di: di() })?,
            (READ_FOLLOW_UP_1997, true) => need(data, 2).map(|_| Payload1997::ReadFollowUpReply {
                di: di(),
                data: data[2..].to_vec(),
                follow: c.has_follow_up(),
            })?,
            (REREAD_1997, false) => exactly(data, 0).map(|_| Payload1997::RereadRequest)?,
            (WRITE_1997, false) => {
                need(data, 6)?;
                Payload1997::WriteRequest {
                    di: di(),
                    password: Password::from_wire(&data[2..]),
                    data: data[6..].to_vec(),
                }
            }
            (BROADCAST_TIME, false) => exactly(data, 6).map(|_| Payload1997::BroadcastTime { time: array(data) })?,
            (WRITE_ADDRESS_1997, false) => {
                exactly(data, 6).map(|_| Payload1997::WriteAddressRequest { address: Address::from_wire(data) })?
            }
            (CHANGE_BAUD_1997, false) => exactly(data, 1).map(|_| Payload1997::ChangeBaudRequest { z: data[0] })?,
            (CHANGE_BAUD_1997, true) => exactly(data, 1).map(|_| Payload1997::ChangeBaudReply { z: data[0] })?,
            (CHANGE_PASSWORD_1997, false) => exactly(data, 8).map(|_| Payload1997::ChangePasswordRequest {
                old: Password::from_wire(data),
                new: Password::from_wire(&data[4..]),
            })?,
            (CHANGE_PASSWORD_1997, true) => {
                exactly(data, 4).map(|_| Payload1997::ChangePasswordReply { new: Password::from_wire(data) })?
            }
            (CLEAR_DEMAND_1997, false) => {
                exactly(data, 4).map(|_| Payload1997::ClearDemandRequest { password: Password::from_wire(data) })?
            }
            (WRITE_1997 | WRITE_ADDRESS_1997 | CLEAR_DEMAND_1997, true) => {
                exactly(data, 0).map(|_| Payload1997::Acknowledge { function: f })?
            }
            _ => return Err(ParseError::new(field::CONTROL, ErrorKind::BadValue { what: "function code" })),
        };
        Ok(p)
    }
}

impl Frame645 {
    /// The frame carrying a DL/T 645-2007 payload.
    pub fn from_payload(address: Address, payload: &Payload) -> Self {
        Frame645 { address, control: payload.control(), data: payload.encode() }
    }
    /// The frame carrying a DL/T 645-1997 payload.
    pub fn from_payload_1997(address: Address, payload: &Payload1997) -> Self {
        Frame645 { address, control: payload.control(), data: payload.encode() }
    }
    /// The data read as DL/T 645-2007.
    pub fn payload(&self) -> Result<Payload, ParseError> {
        Payload::decode(self.control, &self.data)
    }
    /// The data read as DL/T 645-1997.
    pub fn payload_1997(&self) -> Result<Payload1997, ParseError> {
        Payload1997::decode(self.control, &self.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A read of 00010000 on the wildcard address.
    static READ_BYTES: [u8; 16] =
        [0x68, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0x68, 0x11, 0x04, 0x33, 0x33, 0x34, 0x33, 0xAE, 0x16];

    #[test]
    fn test_parse() {
        let f = Frame645::parse(&READ_BYTES).unwrap();
        assert_eq!(f.address, Address::WILDCARD);
        assert_eq!((f.control.function(), f.control.direction()), (0x11, Direction::MasterToSlave));
        assert_eq!(f.payload().unwrap(), Payload::ReadRequest { di: DataId(0x0001_0000), blocks: None, time: None });
    }

    #[test]
    fn test_emit() {
        let p = Payload::ReadRequest { di: DataId(0x0001_0000), blocks: None, time: None };
        assert_eq!(Frame645::from_payload(Address::WILDCARD, &p).emit(), READ_BYTES);
    }

    #[test]
    fn test_parse_errors() {
        let mut bad = READ_BYTES;
        bad[14] = 0x00;
        assert_eq!(Frame645::parse(&bad).unwrap_err().kind, ErrorKind::ChecksumMismatch { stated: 0, computed: 0xAE });
        assert_eq!(
            Frame645::parse(&READ_BYTES[..13]).unwrap_err(),
            ParseError::new(13, ErrorKind::Truncated { needed: 3 })
        );
        let mut woken = vec![0xFE, 0xFE];
        woken.extend_from_slice(&READ_BYTES);
        woken.push(0x00);
        assert_eq!(Frame645::parse(&woken).unwrap_err(), ParseError::new(18, ErrorKind::TrailingBytes { count: 1 }));
    }

    #[test]
    fn address_digits() {
        let a = Address::parse("123456789012").unwrap();
        assert_eq!(a.0, [0x12, 0x90, 0x78, 0x56, 0x34, 0x12]);
        assert_eq!(a.digits(), "123456789012");
        assert!(Address::BROADCAST.is_broadcast() && Address::WILDCARD.has_wildcard());
        assert_eq!(Address([0x12, 0xB0, 0, 0, 0, 0]).invalid_byte(), Some(1));
    }

    #[test]
    fn framing() {
        let mut b = vec![0xFE, 0xFE, 0x68];
        b.extend_from_slice(&READ_BYTES);
        // `FE FE 68 68 AA…`: the first 0x68 is a stray byte.
        assert_eq!(frame_status(&b), FrameStatus::NoMatch);
        assert_eq!(frame_status(&b[3..]), FrameStatus::Complete { preamble: 0, len: 16 });
        assert_eq!(frame_status(&READ_BYTES[..12]), FrameStatus::Incomplete { preamble: 0, needed: Some(4) });
        assert_eq!(frame_status(&READ_BYTES[..5]), FrameStatus::Incomplete { preamble: 0, needed: None });
        assert_eq!(frame_status(&[0xFE, 0xFE]), FrameStatus::NoMatch);
        assert_eq!(frame_status(&[0x68, 1, 2, 3, 4, 5, 6, 7]), FrameStatus::NoMatch);
    }
}
