//! Strict link-layer codecs for programs (sessions and simulated meters):
//! HDLC frames of IEC 62056-46 (frame format type 3) and the TCP/UDP wrapper
//! of IEC 62056-47, built and parsed. The tolerant dissectors live in
//! [`super::hdlc`] and [`super::wrapper`].
//!
//! - Addresses (clause 6.4.2.2): every byte carries 7 bits shifted left, the
//!   last byte has bit 0 set. A client address is one byte; a server address
//!   is the upper (logical) address alone, or upper and lower (physical) in
//!   two or four bytes.
//! - Control field (clause 6.4.3): I `RRR P SSS 0`, RR `RRR P 0001`, RNR
//!   `RRR P 0101`, SNRM `100 P 0011`, DISC `010 P 0011`, UA `011 P 0011`, DM
//!   `000 P 1111`, FRMR `100 P 0111`, UI `000 P 0011`.
//! - The HCS is present when there is an information field. The segmentation
//!   bit S of the format field is set on every segment but the last.
//! - The LLC header `E6 E6 00` (command) or `E6 E7 00` (response) precedes
//!   the APDU in the first segment of an I frame (clause 8.1 of -46 edition 2
//!   references IEC 8802-2).

use super::hdlc::{Control, FLAG, address_len};
use crate::error::{ErrorKind, ParseError};
use crate::wire::crc16_x25;

/// LLC header of a command (client to server).
pub const LLC_COMMAND: [u8; 3] = [0xE6, 0xE6, 0x00];
/// LLC header of a response (server to client).
pub const LLC_RESPONSE: [u8; 3] = [0xE6, 0xE7, 0x00];

/// Default maximum information field length (IEC 62056-46 clause 6.4.4.4.3.2).
pub const DEFAULT_MAX_INFO: u16 = 128;

/// An HDLC address: the upper address alone (`size` 1), or upper and lower
/// address in 2 or 4 bytes. A client address is the upper address of size 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HdlcAddress {
    pub upper: u16,
    pub lower: u16,
    /// 1, 2 or 4 bytes on the wire.
    pub size: u8,
}

impl HdlcAddress {
    /// A one-byte client address (SAP), e.g. 16 for the public client.
    pub const fn client(sap: u8) -> Self {
        HdlcAddress { upper: sap as u16, lower: 0, size: 1 }
    }

    /// A server address: logical alone when `physical` is `None`; two bytes
    /// when both fit in 7 bits, four bytes otherwise.
    pub fn server(logical: u16, physical: Option<u16>) -> Self {
        match physical {
            None => HdlcAddress { upper: logical, lower: 0, size: if logical < 0x80 { 1 } else { 4 } },
            Some(p) if logical < 0x80 && p < 0x80 => HdlcAddress { upper: logical, lower: p, size: 2 },
            Some(p) => HdlcAddress { upper: logical, lower: p, size: 4 },
        }
    }

    /// The wire form.
    pub fn emit(&self, out: &mut Vec<u8>) {
        let b = |v: u16| ((v & 0x7F) as u8) << 1;
        match self.size {
            1 => out.push(b(self.upper) | 1),
            2 => out.extend_from_slice(&[b(self.upper), b(self.lower) | 1]),
            _ => out.extend_from_slice(&[b(self.upper >> 7), b(self.upper), b(self.lower >> 7), b(self.lower) | 1]),
        }
    }

    /// Read an address at the start of `b`; returns it and its length.
    pub fn parse(b: &[u8]) -> Option<(HdlcAddress, usize)> {
        let n = address_len(b)?;
        let v = |x: u8| u16::from(x >> 1);
        let a = match n {
            1 => HdlcAddress { upper: v(b[0]), lower: 0, size: 1 },
            2 => HdlcAddress { upper: v(b[0]), lower: v(b[1]), size: 2 },
            _ => HdlcAddress { upper: (v(b[0]) << 7) | v(b[1]), lower: (v(b[2]) << 7) | v(b[3]), size: 4 },
        };
        Some((a, n))
    }
}

/// The control byte of a control field.
pub fn control_byte(c: Control) -> u8 {
    let p = |pf: bool| if pf { 0x10 } else { 0 };
    match c {
        Control::I { ns, nr, pf } => ((nr & 7) << 5) | p(pf) | ((ns & 7) << 1),
        Control::Rr { nr, pf } => ((nr & 7) << 5) | p(pf) | 0x01,
        Control::Rnr { nr, pf } => ((nr & 7) << 5) | p(pf) | 0x05,
        Control::Snrm { pf } => 0x83 | p(pf),
        Control::Disc { pf } => 0x43 | p(pf),
        Control::Ua { pf } => 0x63 | p(pf),
        Control::Dm { pf } => 0x0F | p(pf),
        Control::Frmr { pf } => 0x87 | p(pf),
        Control::Ui { pf } => 0x03 | p(pf),
        Control::Unknown(c) => c,
    }
}

/// One HDLC frame, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HdlcFrame {
    /// Segmentation bit: more segments of this information follow.
    pub segmented: bool,
    pub dst: HdlcAddress,
    pub src: HdlcAddress,
    pub control: Control,
    /// Information field (LLC header included when there is one).
    pub info: Vec<u8>,
}

/// Largest frame length the 11-bit length field can state.
pub const MAX_FRAME_LEN: usize = 0x7FF;

impl HdlcFrame {
    /// Bytes of the frame on the wire, flags included.
    pub fn buffer_len(&self) -> usize {
        let header = 2 + self.dst.size as usize + self.src.size as usize + 1;
        let info = if self.info.is_empty() { 0 } else { 2 + self.info.len() };
        header + info + 2 + 2
    }

    /// The frame with flags, HCS and FCS. The information field must keep the
    /// length within 11 bits ([`MAX_FRAME_LEN`]); longer fields are cut.
    pub fn emit(&self) -> Vec<u8> {
        let info = &self.info[..self.info.len().min(MAX_FRAME_LEN - 16)];
        let mut out = vec![FLAG, 0, 0];
        self.dst.emit(&mut out);
        self.src.emit(&mut out);
        out.push(control_byte(self.control));
        let len = out.len() - 1 + if info.is_empty() { 0 } else { 2 + info.len() } + 2;
        out[1] = 0xA0 | if self.segmented { 0x08 } else { 0 } | ((len >> 8) as u8 & 0x07);
        out[2] = len as u8;
        if !info.is_empty() {
            let hcs = crc16_x25(&out[1..]);
            out.extend_from_slice(&hcs.to_le_bytes());
            out.extend_from_slice(info);
        }
        let fcs = crc16_x25(&out[1..]);
        out.extend_from_slice(&fcs.to_le_bytes());
        out.push(FLAG);
        out
    }

    /// Parse exactly one frame, flags included; checks HCS and FCS.
    pub fn parse(f: &[u8]) -> Result<HdlcFrame, ParseError> {
        let need = |n: usize| ParseError::new(f.len(), ErrorKind::Truncated { needed: n });
        if f.len() < 9 {
            return Err(need(9 - f.len()));
        }
        if f[0] != FLAG {
            return Err(ParseError::new(0, ErrorKind::UnexpectedByte { found: f[0], expected: "the flag 0x7E" }));
        }
        if f[1] & 0xF0 != 0xA0 {
            return Err(ParseError::new(1, ErrorKind::UnexpectedByte { found: f[1], expected: "frame format type 3" }));
        }
        let len = ((f[1] as usize & 7) << 8) | f[2] as usize;
        if len + 2 > f.len() {
            return Err(need(len + 2 - f.len()));
        }
        if len + 2 < f.len() {
            return Err(ParseError::new(len + 2, ErrorKind::TrailingBytes { count: f.len() - len - 2 }));
        }
        let end = len + 1;
        if f[end] != FLAG {
            return Err(ParseError::new(end, ErrorKind::UnexpectedByte { found: f[end], expected: "the flag 0x7E" }));
        }
        let bad_addr = |at: usize| ParseError::new(at, ErrorKind::BadValue { what: "HDLC address" });
        let (dst, dl) = HdlcAddress::parse(&f[3..end]).ok_or(bad_addr(3))?;
        let (src, sl) = HdlcAddress::parse(&f[3 + dl..end]).ok_or(bad_addr(3 + dl))?;
        let c = 3 + dl + sl;
        if c + 3 > end {
            return Err(ParseError::new(c, ErrorKind::BadLength { stated: len, actual: c + 2 }));
        }
        let control = Control::parse(f[c]);
        let fcs_at = end - 2;
        let fcs = u16::from_le_bytes([f[fcs_at], f[fcs_at + 1]]);
        let computed = crc16_x25(&f[1..fcs_at]);
        if fcs != computed {
            return Err(ParseError::new(
                fcs_at,
                ErrorKind::ChecksumMismatch { stated: u32::from(fcs), computed: u32::from(computed) },
            ));
        }
        let info = if fcs_at > c + 1 {
            if fcs_at < c + 3 {
                return Err(ParseError::new(c + 1, ErrorKind::BadLength { stated: len, actual: fcs_at - c - 1 }));
            }
            let hcs = u16::from_le_bytes([f[c + 1], f[c + 2]]);
            let computed = crc16_x25(&f[1..c + 1]);
            if hcs != computed {
                return Err(ParseError::new(
                    c + 1,
                    ErrorKind::ChecksumMismatch { stated: u32::from(hcs), computed: u32::from(computed) },
                ));
            }
            f[c + 3..fcs_at].to_vec()
        } else {
            Vec::new()
        };
        Ok(HdlcFrame { segmented: f[1] & 0x08 != 0, dst, src, control, info })
    }
}

/// The HDLC parameters negotiated by SNRM and UA (clause 6.4.4.4.3.2), from
/// the sender's point of view: what it transmits and what it can receive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkParams {
    pub max_info_tx: u16,
    pub max_info_rx: u16,
    pub window_tx: u8,
    pub window_rx: u8,
}

impl Default for LinkParams {
    fn default() -> Self {
        LinkParams { max_info_tx: DEFAULT_MAX_INFO, max_info_rx: DEFAULT_MAX_INFO, window_tx: 1, window_rx: 1 }
    }
}

impl LinkParams {
    /// `81 80 len 05 n tx 06 n rx 07 04 wtx 08 04 wrx`.
    pub fn emit(&self) -> Vec<u8> {
        let mut g = Vec::new();
        for (id, v) in [(0x05u8, self.max_info_tx), (0x06, self.max_info_rx)] {
            if v < 0x100 {
                g.extend_from_slice(&[id, 1, v as u8]);
            } else {
                g.extend_from_slice(&[id, 2, (v >> 8) as u8, v as u8]);
            }
        }
        for (id, w) in [(0x07u8, self.window_tx), (0x08, self.window_rx)] {
            g.extend_from_slice(&[id, 4, 0, 0, 0, w]);
        }
        let mut out = vec![0x81, 0x80, g.len() as u8];
        out.extend_from_slice(&g);
        out
    }

    /// Read the parameters; missing ones keep their defaults, and so do
    /// windows outside 1..=7. A group length that does not match the bytes
    /// after it (a server sending `81 80 00` and then its parameters) is
    /// passed over when those bytes are a well-formed parameter list.
    pub fn parse(b: &[u8]) -> Result<LinkParams, ParseError> {
        let mut p = LinkParams::default();
        if b.is_empty() {
            return Ok(p);
        }
        if b.len() < 3 || b[0] != 0x81 || b[1] != 0x80 {
            return Err(ParseError::new(0, ErrorKind::BadValue { what: "HDLC parameter negotiation header" }));
        }
        let glen = b[2] as usize;
        let g = if 3 + glen != b.len() && Self::well_formed(&b[3..]) {
            &b[3..]
        } else if 3 + glen > b.len() {
            return Err(ParseError::new(2, ErrorKind::BadLength { stated: glen, actual: b.len() - 3 }));
        } else {
            &b[3..3 + glen]
        };
        let mut i = 0;
        while i + 2 <= g.len() {
            let (id, n) = (g[i], g[i + 1] as usize);
            let Some(v) = g.get(i + 2..i + 2 + n) else {
                return Err(ParseError::new(3 + i, ErrorKind::BadLength { stated: n, actual: g.len() - i - 2 }));
            };
            let value = v.iter().fold(0u64, |a, &x| (a << 8) | u64::from(x));
            let window = |w: u64| if (1..=7).contains(&w) { w as u8 } else { 1 };
            match id {
                0x05 => p.max_info_tx = value.min(u64::from(u16::MAX)) as u16,
                0x06 => p.max_info_rx = value.min(u64::from(u16::MAX)) as u16,
                0x07 => p.window_tx = window(value),
                0x08 => p.window_rx = window(value),
                _ => {}
            }
            i += 2 + n;
        }
        Ok(p)
    }

    /// Whether `g` is a non-empty run of the four parameters (05 to 08),
    /// each `id length value`, ending exactly at its end.
    pub fn well_formed(g: &[u8]) -> bool {
        let mut i = 0;
        while i < g.len() {
            let (Some(&id), Some(&n)) = (g.get(i), g.get(i + 1)) else { return false };
            if !(0x05..=0x08).contains(&id) || n == 0 || n > 4 || i + 2 + n as usize > g.len() {
                return false;
            }
            i += 2 + n as usize;
        }
        !g.is_empty()
    }
}

/// A wrapper frame (IEC 62056-47): `00 01 | source wPort | destination wPort | length | APDU`.
pub fn wrap(source: u16, destination: u16, apdu: &[u8]) -> Vec<u8> {
    let mut out = vec![0x00, 0x01];
    out.extend_from_slice(&source.to_be_bytes());
    out.extend_from_slice(&destination.to_be_bytes());
    out.extend_from_slice(&(apdu.len().min(0xFFFF) as u16).to_be_bytes());
    out.extend_from_slice(&apdu[..apdu.len().min(0xFFFF)]);
    out
}

/// Parse one wrapper frame: `(source, destination, APDU)`.
pub fn unwrap(b: &[u8]) -> Result<(u16, u16, Vec<u8>), ParseError> {
    if b.len() < 8 {
        return Err(ParseError::new(b.len(), ErrorKind::Truncated { needed: 8 - b.len() }));
    }
    if b[0] != 0 || b[1] != 1 {
        return Err(ParseError::new(1, ErrorKind::UnexpectedByte { found: b[1], expected: "wrapper version 1" }));
    }
    let len = u16::from_be_bytes([b[6], b[7]]) as usize;
    if 8 + len != b.len() {
        return Err(ParseError::new(6, ErrorKind::BadLength { stated: len, actual: b.len() - 8 }));
    }
    Ok((u16::from_be_bytes([b[2], b[3]]), u16::from_be_bytes([b[4], b[5]]), b[8..].to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Options;

    /// A UA whose parameter group states length 00 with 18 bytes of
    /// parameters after it (gurux_dlms 1.0.203's server, which also turns the
    /// receive window into 0x00020001): the parameters are read, the window
    /// out of 1..=7 keeps the default.
    #[test]
    fn ua_parameters_behind_a_wrong_group_length() {
        let info = [
            0x81, 0x80, 0x00, 0x05, 0x01, 0x80, 0x06, 0x01, 0x40, 0x07, 0x04, 0x00, 0x00, 0x00, 0x01, 0x08, 0x04, 0x00,
            0x02, 0x00, 0x01,
        ];
        let p = LinkParams::parse(&info).unwrap();
        assert_eq!(p, LinkParams { max_info_tx: 128, max_info_rx: 64, window_tx: 1, window_rx: 1 });
        // A length past the end, the same parameters: read as well.
        let mut long = info;
        long[2] = 0x20;
        assert_eq!(LinkParams::parse(&long).unwrap(), p);
        // Windows 0 and 9 are no windows: 1.
        let odd = [0x81, 0x80, 0x0C, 0x07, 0x04, 0, 0, 0, 0, 0x08, 0x04, 0, 0, 0, 9];
        let q = LinkParams::parse(&odd).unwrap();
        assert_eq!((q.window_tx, q.window_rx), (1, 1));
        // A length past the end over bytes that are no parameters: an error.
        assert!(LinkParams::parse(&[0x81, 0x80, 0x09, 0x05, 0x01]).is_err());
        assert!(!LinkParams::well_formed(&[0x05, 0x01, 0x80, 0x99]));
    }

    /// SNRM from client 16 to server 1 with default parameters, as meters see it.
    #[test]
    fn snrm_and_ua_round_trip() {
        let f = HdlcFrame {
            segmented: false,
            dst: HdlcAddress::server(1, Some(17)),
            src: HdlcAddress::client(16),
            control: Control::Snrm { pf: true },
            info: Vec::new(),
        };
        let bytes = f.emit();
        assert_eq!(&bytes[..7], &[0x7E, 0xA0, 0x08, 0x02, 0x23, 0x21, 0x93]);
        assert_eq!(bytes.len(), f.buffer_len());
        assert_eq!(HdlcFrame::parse(&bytes).unwrap(), f);
        // The tolerant dissector agrees that it is valid.
        assert!(super::super::hdlc::dissect(&bytes, 0, &Options::default()).valid);
        let params = LinkParams { max_info_tx: 512, max_info_rx: 128, window_tx: 1, window_rx: 1 };
        let ua = HdlcFrame {
            segmented: false,
            dst: HdlcAddress::client(16),
            src: HdlcAddress::server(1, Some(17)),
            control: Control::Ua { pf: true },
            info: params.emit(),
        };
        let bytes = ua.emit();
        let back = HdlcFrame::parse(&bytes).unwrap();
        assert_eq!(back, ua);
        assert_eq!(LinkParams::parse(&back.info).unwrap(), params);
        assert!(super::super::hdlc::dissect(&bytes, 0, &Options::default()).valid);
    }

    #[test]
    fn addresses_and_controls() {
        for a in [
            HdlcAddress::client(1),
            HdlcAddress::server(1, None),
            HdlcAddress::server(1, Some(17)),
            HdlcAddress::server(1, Some(0x3FFF)),
            HdlcAddress::server(0x200, Some(5)),
        ] {
            let mut b = Vec::new();
            a.emit(&mut b);
            assert_eq!(b.len(), a.size as usize);
            assert_eq!(HdlcAddress::parse(&b), Some((a, b.len())));
        }
        for c in 0..=255u8 {
            let ctrl = Control::parse(c);
            if !matches!(ctrl, Control::Unknown(_)) {
                assert_eq!(control_byte(ctrl), c, "{ctrl:?}");
            }
        }
    }

    #[test]
    fn i_frames_segmented_and_damaged() {
        let mut info = LLC_COMMAND.to_vec();
        info.extend_from_slice(&[0xC0, 0x01, 0xC1, 0x00, 0x08, 0, 0, 1, 0, 0, 0xFF, 0x02, 0x00, 0x7E]);
        let f = HdlcFrame {
            segmented: true,
            dst: HdlcAddress::server(1, Some(0x100)),
            src: HdlcAddress::client(16),
            control: Control::I { ns: 3, nr: 5, pf: true },
            info,
        };
        let bytes = f.emit();
        assert_eq!(bytes[1] & 0x08, 0x08);
        assert_eq!(HdlcFrame::parse(&bytes).unwrap(), f);
        // Every single-byte corruption between the flags is caught.
        for i in 1..bytes.len() - 1 {
            let mut bad = bytes.clone();
            bad[i] ^= 0x40;
            assert!(HdlcFrame::parse(&bad).is_err(), "byte {i}");
        }
        assert!(matches!(HdlcFrame::parse(&bytes[..10]), Err(ParseError { kind: ErrorKind::Truncated { .. }, .. })));
    }

    #[test]
    fn wrapper_round_trip() {
        let w = wrap(16, 1, &[0xC0, 0x01]);
        assert_eq!(w, [0, 1, 0, 16, 0, 1, 0, 2, 0xC0, 0x01]);
        assert_eq!(unwrap(&w).unwrap(), (16, 1, vec![0xC0, 0x01]));
        assert!(unwrap(&w[..9]).is_err());
    }
}
