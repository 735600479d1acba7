//! Strict frames of both parts, for the sessions and the simulated devices:
//! `parse` (a complete frame, or the offset and kind of what is wrong) and
//! `emit`. The dissectors ([`super::gdw1`], [`super::gdw2`]) explain frames
//! to people; these carry them between programs.
//!
//! ```text
//! 1376.1: 68 L L 68 | C A1(2) A2(2) A3 AFN SEQ data… | CS 16   (L = len << 2 | 2)
//! 1376.2: 68 L(2) | C R(6) [A1 A2… A3] AFN DT1 DT2 data | CS 16 (L = whole frame)
//! ```

use super::frame::{END, MIN_LEN_2, MIN_USER_1, OVERHEAD_1, START, checksum, length_1};
use crate::error::{ErrorKind, ParseError};

/// The data unit identifier of one point and one class: DA1 DA2 DT1 DT2.
/// pn 0 is p0 (the terminal itself); pn ≥ 1 is DA2 = group of eight, DA1 = its bit.
pub fn unit_id(pn: u16, f: u16) -> [u8; 4] {
    let (da1, da2) = match pn {
        0 => (0, 0),
        p => (1u8 << ((p - 1) % 8), ((p - 1) / 8 + 1) as u8),
    };
    let f = f.max(1);
    [da1, da2, 1u8 << ((f - 1) % 8), ((f - 1) / 8) as u8]
}

/// DT1 DT2 of one class (1376.2 names its class so, without points).
pub fn dt(f: u16) -> [u8; 2] {
    let u = unit_id(0, f);
    [u[2], u[3]]
}

/// The one class DT names, when it names exactly one.
pub fn one_class(dt1: u8, dt2: u8) -> Option<u16> {
    (dt1.count_ones() == 1).then(|| u16::from(dt2) * 8 + dt1.trailing_zeros() as u16 + 1)
}

/// The one point DA names, when it names exactly one (p0 included).
pub fn one_point(da1: u8, da2: u8) -> Option<u16> {
    match (da1, da2) {
        (0, 0) => Some(0),
        (b, g) if g > 0 && b.count_ones() == 1 => Some((u16::from(g) - 1) * 8 + b.trailing_zeros() as u16 + 1),
        _ => None,
    }
}

/// Control field bits of 1376.1 (clause 5.2.1.1 of Q/GDW 1376.1-2013).
pub mod c1 {
    /// DIR: uplink (terminal to master station).
    pub const DIR: u8 = 0x80;
    /// PRM: from the initiating station.
    pub const PRM: u8 = 0x40;
    /// ACD (uplink) / FCB (downlink).
    pub const ACD: u8 = 0x20;
    /// FCV: FCB valid (downlink).
    pub const FCV: u8 = 0x10;
    /// PRM = 1: reset command.
    pub const RESET: u8 = 1;
    /// PRM = 1: user data, no reply expected.
    pub const USER_DATA: u8 = 4;
    /// PRM = 1: link test (login, heartbeat, logout).
    pub const LINK_TEST: u8 = 9;
    /// PRM = 1: request class 1 data (set parameters and control commands travel so).
    pub const CLASS1: u8 = 10;
    /// PRM = 1: request class 2 data (queries and reads travel so).
    pub const CLASS2: u8 = 11;
    /// PRM = 0: confirm.
    pub const CONFIRM: u8 = 0;
    /// PRM = 0: user data (response).
    pub const RESPONSE: u8 = 8;
    /// PRM = 0: deny, no data requested.
    pub const NO_DATA: u8 = 9;
    /// PRM = 0: link status.
    pub const LINK_STATUS: u8 = 11;
}

/// SEQ bits of 1376.1.
pub mod seq {
    pub const TPV: u8 = 0x80;
    pub const FIR: u8 = 0x40;
    pub const FIN: u8 = 0x20;
    pub const CON: u8 = 0x10;
}

/// The address field of 1376.1: region code A1 (BCD, as written `1234`),
/// terminal address A2 and A3 (master station address MSA << 1 | group flag).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Address1 {
    /// A1 as written, most significant digits first (`0x1234` is sent `34 12`).
    pub region: u16,
    pub terminal: u16,
    pub a3: u8,
}

impl Address1 {
    /// `1234-0001`: region code and terminal address, in hex as commonly written.
    pub fn text(&self) -> String {
        format!("{:04X}-{:04X}", self.region, self.terminal)
    }

    /// From `RRRR-TTTT` (region code, terminal address in hex) or 8 hex digits.
    pub fn parse(text: &str) -> Option<Address1> {
        let t: String = text.trim().chars().filter(|c| *c != '-' && *c != ':').collect();
        if t.len() != 8 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let region = u16::from_str_radix(&t[..4], 16).ok()?;
        let terminal = u16::from_str_radix(&t[4..], 16).ok()?;
        Some(Address1 { region, terminal, a3: 0 })
    }

    /// The master station address MSA.
    pub fn msa(&self) -> u8 {
        self.a3 >> 1
    }
}

/// A 1376.1 frame: control, address, AFN, SEQ and what follows SEQ (data
/// units and the auxiliary fields PW, EC, Tp, as the sender put them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame1 {
    pub control: u8,
    pub address: Address1,
    pub afn: u8,
    pub seq: u8,
    pub data: Vec<u8>,
}

impl Frame1 {
    /// Strict parse of one whole frame.
    pub fn parse(b: &[u8]) -> Result<Frame1, ParseError> {
        let err = |at: usize, kind| Err(ParseError::new(at, kind));
        if b.len() < OVERHEAD_1 + MIN_USER_1 {
            return err(b.len(), ErrorKind::Truncated { needed: OVERHEAD_1 + MIN_USER_1 - b.len() });
        }
        for at in [0, 5] {
            if b[at] != START {
                return err(at, ErrorKind::UnexpectedByte { found: b[at], expected: "start delimiter 0x68" });
            }
        }
        if b[1..3] != b[3..5] {
            return err(3, ErrorKind::BadValue { what: "the two length fields differ" });
        }
        let (user, proto) = length_1(b[1], b[2]);
        if proto != 1 && proto != 2 {
            return err(1, ErrorKind::BadValue { what: "protocol identifier" });
        }
        if user < MIN_USER_1 {
            return err(1, ErrorKind::BadLength { stated: user, actual: b.len().saturating_sub(OVERHEAD_1) });
        }
        let total = user + OVERHEAD_1;
        if b.len() < total {
            return err(b.len(), ErrorKind::Truncated { needed: total - b.len() });
        }
        let (stated, computed) = (b[total - 2], checksum(&b[6..total - 2]));
        if stated != computed {
            return err(total - 2, ErrorKind::ChecksumMismatch { stated: stated.into(), computed: computed.into() });
        }
        if b[total - 1] != END {
            return err(total - 1, ErrorKind::UnexpectedByte { found: b[total - 1], expected: "end delimiter 0x16" });
        }
        if b.len() > total {
            return err(total, ErrorKind::TrailingBytes { count: b.len() - total });
        }
        let u = &b[6..total - 2];
        Ok(Frame1 {
            control: u[0],
            address: Address1 {
                region: u16::from_be_bytes([u[2], u[1]]),
                terminal: u16::from_le_bytes([u[3], u[4]]),
                a3: u[5],
            },
            afn: u[6],
            seq: u[7],
            data: u[8..].to_vec(),
        })
    }

    /// The frame's bytes (protocol identifier 2, Q/GDW 1376.1). Never panics;
    /// user data beyond the 14-bit length is not sent.
    pub fn emit(&self) -> Vec<u8> {
        let data = &self.data[..self.data.len().min(0x3FFF - MIN_USER_1)];
        let user = MIN_USER_1 + data.len();
        let l = ((user as u16) << 2 | 2).to_le_bytes();
        let mut out = Vec::with_capacity(user + OVERHEAD_1);
        out.extend_from_slice(&[START, l[0], l[1], l[0], l[1], START, self.control]);
        let r = self.address.region.to_be_bytes();
        let t = self.address.terminal.to_le_bytes();
        out.extend_from_slice(&[r[1], r[0], t[0], t[1], self.address.a3, self.afn, self.seq]);
        out.extend_from_slice(data);
        out.push(checksum(&out[6..]));
        out.push(END);
        out
    }

    pub fn up(&self) -> bool {
        self.control & c1::DIR != 0
    }
    pub fn prm(&self) -> bool {
        self.control & c1::PRM != 0
    }
    pub fn function(&self) -> u8 {
        self.control & 0x0F
    }
    /// PSEQ / RSEQ.
    pub fn pseq(&self) -> u8 {
        self.seq & 0x0F
    }
}

/// A 6-byte node address of 1376.2 in wire order (lowest digits first), as
/// DL/T 645 writes meter addresses.
pub type NodeAddress = [u8; 6];

/// The 12 digits of a node address, most significant first.
pub fn node_text(a: &NodeAddress) -> String {
    a.iter().rev().map(|b| format!("{b:02X}")).collect()
}

/// A node address from 12 hex digits as written.
pub fn parse_node(text: &str) -> Option<NodeAddress> {
    let t = text.trim();
    if t.len() != 12 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut a = [0u8; 6];
    for (i, slot) in a.iter_mut().enumerate() {
        let at = 10 - 2 * i;
        *slot = u8::from_str_radix(&t[at..at + 2], 16).ok()?;
    }
    Some(a)
}

/// Control field bits of 1376.2 (clause 4.3.3 of Q/GDW 1376.2-2013).
pub mod c2 {
    /// DIR: uplink (module to concentrator).
    pub const DIR: u8 = 0x80;
    /// PRM: from the initiating station.
    pub const PRM: u8 = 0x40;
}

/// Information field R, byte 1 bits (downlink and uplink).
pub mod r1 {
    /// Routing flag: 1 no routing (bypass).
    pub const NO_ROUTE: u8 = 0x01;
    /// Communication module flag: 1 the frame is for or from a slave node's
    /// module, and an address field follows R.
    pub const MODULE: u8 = 0x04;
}

/// The address field of 1376.2: source A1, relays A2…, destination A3.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Addresses {
    pub source: NodeAddress,
    pub relays: Vec<NodeAddress>,
    pub destination: NodeAddress,
}

/// A 1376.2 frame: control, information field R, the address field when R's
/// module flag is set, AFN, the one class Fn of DT, and the data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame2 {
    pub control: u8,
    pub r: [u8; 6],
    pub address: Option<Addresses>,
    pub afn: u8,
    pub fn_: u16,
    pub data: Vec<u8>,
}

impl Frame2 {
    /// Strict parse of one whole frame.
    pub fn parse(b: &[u8]) -> Result<Frame2, ParseError> {
        let err = |at: usize, kind| Err(ParseError::new(at, kind));
        if b.len() < MIN_LEN_2 {
            return err(b.len(), ErrorKind::Truncated { needed: MIN_LEN_2 - b.len() });
        }
        if b[0] != START {
            return err(0, ErrorKind::UnexpectedByte { found: b[0], expected: "start delimiter 0x68" });
        }
        let total = usize::from(u16::from_le_bytes([b[1], b[2]]));
        if total < MIN_LEN_2 {
            return err(1, ErrorKind::BadLength { stated: total, actual: b.len() });
        }
        if b.len() < total {
            return err(b.len(), ErrorKind::Truncated { needed: total - b.len() });
        }
        let (stated, computed) = (b[total - 2], checksum(&b[3..total - 2]));
        if stated != computed {
            return err(total - 2, ErrorKind::ChecksumMismatch { stated: stated.into(), computed: computed.into() });
        }
        if b[total - 1] != END {
            return err(total - 1, ErrorKind::UnexpectedByte { found: b[total - 1], expected: "end delimiter 0x16" });
        }
        if b.len() > total {
            return err(total, ErrorKind::TrailingBytes { count: b.len() - total });
        }
        let control = b[3];
        let mut r = [0u8; 6];
        r.copy_from_slice(&b[4..10]);
        let mut at = 10;
        let address = if r[0] & r1::MODULE != 0 {
            let relays = usize::from(r[0] >> 4);
            let len = 6 * (2 + relays);
            if at + len + 3 > total - 2 {
                return err(at, ErrorKind::Truncated { needed: at + len + 3 - (total - 2) });
            }
            let node = |k: usize| -> NodeAddress {
                let mut a = [0u8; 6];
                a.copy_from_slice(&b[at + 6 * k..at + 6 * k + 6]);
                a
            };
            let a =
                Addresses { source: node(0), relays: (1..=relays).map(node).collect(), destination: node(relays + 1) };
            at += len;
            Some(a)
        } else {
            None
        };
        let afn = b[at];
        let Some(fn_) = one_class(b[at + 1], b[at + 2]) else {
            return err(at + 1, ErrorKind::BadValue { what: "DT names no class or several" });
        };
        Ok(Frame2 { control, r, address, afn, fn_, data: b[at + 3..total - 2].to_vec() })
    }

    /// The frame's bytes: R's module flag and relay level follow the address
    /// field. Never panics; data beyond the length the framer accepts is cut.
    pub fn emit(&self) -> Vec<u8> {
        let mut r = self.r;
        match &self.address {
            Some(a) => r[0] = (r[0] & 0x0B) | r1::MODULE | ((a.relays.len().min(15) as u8) << 4),
            None => r[0] &= !(r1::MODULE | 0xF0),
        }
        let mut out = vec![START, 0, 0, self.control];
        out.extend_from_slice(&r);
        if let Some(a) = &self.address {
            out.extend_from_slice(&a.source);
            for x in a.relays.iter().take(15) {
                out.extend_from_slice(x);
            }
            out.extend_from_slice(&a.destination);
        }
        out.push(self.afn);
        out.extend_from_slice(&dt(self.fn_));
        let room = super::frame::MAX_LEN_2 - out.len() - 2;
        out.extend_from_slice(&self.data[..self.data.len().min(room)]);
        let total = (out.len() + 2) as u16;
        out[1..3].copy_from_slice(&total.to_le_bytes());
        out.push(checksum(&out[3..]));
        out.push(END);
        out
    }

    pub fn up(&self) -> bool {
        self.control & c2::DIR != 0
    }
    pub fn prm(&self) -> bool {
        self.control & c2::PRM != 0
    }
    /// The frame sequence number (R6).
    pub fn seq(&self) -> u8 {
        self.r[5]
    }
}

/// BCD of 0–99.
pub fn bcd(v: u8) -> u8 {
    ((v / 10 % 10) << 4) | (v % 10)
}

/// 0–99 from BCD, `None` when a nibble is above 9.
pub fn unbcd(b: u8) -> Option<u8> {
    super::common::is_bcd(b).then(|| (b >> 4) * 10 + (b & 0x0F))
}

/// `value` as `len` BCD bytes, low byte first.
pub fn bcd_le(value: u64, len: usize) -> Vec<u8> {
    let mut v = value;
    (0..len)
        .map(|_| {
            let b = bcd((v % 100) as u8);
            v /= 100;
            b
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::parse_input;

    fn hex(s: &str) -> Vec<u8> {
        parse_input(s).unwrap().bytes
    }

    #[test]
    fn units_name_points_and_classes() {
        assert_eq!(unit_id(0, 1), [0, 0, 1, 0]);
        assert_eq!(unit_id(1, 25), [1, 1, 1, 3]);
        assert_eq!(unit_id(9, 129), [1, 2, 1, 16]);
        assert_eq!(unit_id(2, 170), [2, 1, 2, 21]);
        assert_eq!(one_class(0x02, 0x15), Some(170));
        assert_eq!(one_point(0x02, 0x01), Some(2));
        assert_eq!(one_point(0x03, 0x01), None);
        assert_eq!(one_class(0x40, 0x0D), Some(111));
    }

    #[test]
    fn public_frames_parse_and_emit_again() {
        // Master confirms a login (AFN 00 F1), and a terminal's relayed 645 reply.
        for h in [
            "6832003200680B0002341200006100000100B516",
            "68AE00AE0068A8000234120410E0000001001F14006861100130121568910833333433AB39333349164F00000650232105AE16",
        ] {
            let b = hex(h);
            let f = Frame1::parse(&b).unwrap();
            assert_eq!(f.address.text(), "0200-1234");
            assert_eq!(f.emit(), b);
        }
        // 1376.2: a downlink route forward and a module's version reply.
        for h in [
            "682D0043000000B004001301000300001A68180043050900000000001086340502000100100200009104168816",
            "6818008300000000FE000301005A57313020101610200D16",
        ] {
            let b = hex(h);
            let f = Frame2::parse(&b).unwrap();
            assert_eq!(f.emit(), b);
        }
        let f = Frame2::parse(&hex("6818008300000000FE000301005A57313020101610200D16")).unwrap();
        assert_eq!((f.afn, f.fn_, f.up(), f.prm()), (3, 1, true, false));
    }

    #[test]
    fn addressed_frames_round_trip_and_broken_ones_are_refused() {
        let f = Frame2 {
            control: 0x43,
            r: [0, 0, 0x20, 0, 0, 7],
            address: Some(Addresses { source: [1, 0, 0, 0, 0, 0], relays: vec![[9; 6]], destination: [2; 6] }),
            afn: 0x13,
            fn_: 1,
            data: vec![2, 0, 0, 0],
        };
        let b = f.emit();
        let mut g = f.clone();
        g.r[0] = 0x14;
        assert_eq!(Frame2::parse(&b).unwrap(), g);
        let mut bad = b.clone();
        bad[12] ^= 1;
        assert!(matches!(Frame2::parse(&bad).unwrap_err().kind, ErrorKind::ChecksumMismatch { .. }));
        assert!(Frame2::parse(&b[..b.len() - 1]).is_err());
        let one = Frame1 {
            control: 0x4B,
            address: Address1 { region: 0x1234, terminal: 1, a3: 2 },
            afn: 0x0C,
            seq: 0x61,
            data: unit_id(0, 2).to_vec(),
        };
        let b = one.emit();
        assert_eq!(Frame1::parse(&b).unwrap(), one);
        assert!(Frame1::parse(&b[..b.len() - 2]).is_err());
        assert_eq!(Address1::parse("1234-0001").map(|a| a.text()), Some("1234-0001".into()));
    }
}
