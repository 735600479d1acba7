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

mod payload;

pub use payload::*;

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
        if let Ok(a) = bytes.try_into() {
            return Address(a);
        }
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
        let [low, high] = self.digit_lanes();
        // A lane is zero where its digit is `A`; adding 0x7F sets bit 7 of every other lane.
        let is_a = |lanes: u64| !((lanes ^ 0x0A0A_0A0A_0A0A) + 0x7F7F_7F7F_7F7F) & DIGIT_TOP_BITS;
        is_a(low) | is_a(high) != 0
    }

    /// Index of the first byte with a nibble that is neither a digit nor `A`.
    pub fn invalid_byte(&self) -> Option<usize> {
        let [low, high] = self.digit_lanes();
        // Adding 0x75 sets bit 7 of a lane from digit `B` on.
        let above_a = |lanes: u64| (lanes + 0x7575_7575_7575) & DIGIT_TOP_BITS;
        let bad = above_a(low) | above_a(high);
        (bad != 0).then(|| bad.trailing_zeros() as usize / 8)
    }

    /// The low and the high digits of the six bytes, one byte lane each of
    /// two words (byte `i` in lane `i`): all twelve checked at once.
    fn digit_lanes(&self) -> [u64; 2] {
        let [a, b, c, d, e, f] = self.0;
        let w = u64::from_le_bytes([a, b, c, d, e, f, 0, 0]);
        [w & 0x0F0F_0F0F_0F0F, (w >> 4) & 0x0F0F_0F0F_0F0F]
    }
}

/// Bit 7 of each of the six lanes of [`Address::digit_lanes`].
const DIGIT_TOP_BITS: u64 = 0x8080_8080_8080;

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
    function_names(variant, f).map(|&(en, zh)| lang.pick(en, zh))
}

/// The English and Chinese names of a function code in an edition.
pub fn function_names(variant: Variant, f: u8) -> Option<&'static (&'static str, &'static str)> {
    use function::*;
    Some(match (variant, f) {
        (_, BROADCAST_TIME) => &("broadcast time synchronisation", "广播校时"),
        (Variant::V2007, SECURITY) => &("security authentication", "安全认证"),
        (Variant::V2007, READ) => &("read data", "读数据"),
        (Variant::V2007, READ_FOLLOW_UP) => &("read follow-up data", "读后续数据"),
        (Variant::V2007, READ_ADDRESS) => &("read communication address", "读通信地址"),
        (Variant::V2007, WRITE) => &("write data", "写数据"),
        (Variant::V2007, WRITE_ADDRESS) => &("write communication address", "写通信地址"),
        (Variant::V2007, FREEZE) => &("freeze", "冻结命令"),
        (Variant::V2007, CHANGE_BAUD) => &("change communication rate", "更改通信速率"),
        (Variant::V2007, CHANGE_PASSWORD) => &("change password", "修改密码"),
        (Variant::V2007, CLEAR_DEMAND) => &("clear maximum demand", "最大需量清零"),
        (Variant::V2007, CLEAR_METER) => &("clear meter", "电表清零"),
        (Variant::V2007, CLEAR_EVENTS) => &("clear events", "事件清零"),
        (Variant::V2007, REMOTE_CONTROL) => &("remote control (trip, close, alarm, keep power)", "跳合闸、报警、保电"),
        (Variant::V1997, READ_1997) => &("read data (1997)", "读数据(1997)"),
        (Variant::V1997, READ_FOLLOW_UP_1997) => &("read follow-up data (1997)", "读后续数据(1997)"),
        (Variant::V1997, REREAD_1997) => &("re-read data (1997)", "重读数据(1997)"),
        (Variant::V1997, WRITE_1997) => &("write data (1997)", "写数据(1997)"),
        (Variant::V1997, WRITE_ADDRESS_1997) => &("write device address (1997)", "写设备地址(1997)"),
        (Variant::V1997, CHANGE_BAUD_1997) => &("change communication rate (1997)", "更改通信速率(1997)"),
        (Variant::V1997, CHANGE_PASSWORD_1997) => &("change password (1997)", "修改密码(1997)"),
        (Variant::V1997, CLEAR_DEMAND_1997) => &("clear maximum demand (1997)", "最大需量清零(1997)"),
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
    fn address_checks_every_digit() {
        for at in 0..6 {
            for b in 0..=255u8 {
                let mut a = Address([0x12; 6]);
                a.0[at] = b;
                let ok = |n: u8| n <= 0xA;
                assert_eq!(a.has_wildcard(), b >> 4 == 0xA || b & 0x0F == 0xA, "{b:02X} at {at}");
                assert_eq!(a.invalid_byte(), (!ok(b >> 4) || !ok(b & 0x0F)).then_some(at), "{b:02X} at {at}");
            }
        }
        assert_eq!(Address([0x12, 0xB0, 0xAF, 0, 0, 0]).invalid_byte(), Some(1));
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
