//! The frame builder's core: a frame's lengths and checks filled in for its
//! protocol. A user edits bytes (a value, an address, data added or taken
//! away); `seal` writes every length field, checksum and CRC the protocol
//! defines so that the frame holds together again, and says what it wrote.
//!
//! Each family's rules follow its framing (the modules' own constants and
//! checks): the delimiters must be where the protocol puts them, everything
//! between them is the user's.

use super::{dlms, dlt698, iec62056, mbus, qgdw1376, sml};
use crate::lang::Lang;
use crate::wire::{crc16_arc, crc16_en13757, crc16_x25};

/// A field the builder wrote: where it is in the sealed bytes, what was there
/// and what is there now (equal when the field was already right).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// The field's name, English and Chinese.
    pub field: (&'static str, &'static str),
    /// Offset of the field in the sealed bytes.
    pub at: usize,
    pub was: Vec<u8>,
    pub now: Vec<u8>,
}

impl Fix {
    pub fn changed(&self) -> bool {
        self.was != self.now
    }
}

/// A frame with its lengths and checks filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    pub protocol: &'static str,
    pub bytes: Vec<u8>,
    /// Every field written, in frame order.
    pub fixes: Vec<Fix>,
}

/// Why a frame could not be sealed: the byte at `offset` is not where the
/// protocol's framing needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealError {
    pub offset: usize,
    pub reason: (&'static str, &'static str),
}

impl SealError {
    pub fn text(&self, lang: Lang) -> String {
        match lang {
            Lang::En => format!("byte {}: {}", self.offset, self.reason.0),
            Lang::Zh => format!("第 {} 字节：{}", self.offset, self.reason.1),
        }
    }
}

/// Registry names of the protocols the builder can seal.
pub const SEALABLE: &[&str] = &[
    "dlt645-2007",
    "dlt645-1997",
    dlt698::NAME,
    dlms::HDLC,
    dlms::WRAPPER,
    iec62056::dissect::IEC,
    iec62056::dissect::DSMR,
    qgdw1376::gdw1::NAME,
    qgdw1376::gdw2::NAME,
    mbus::NAME,
    mbus::wireless::NAME,
    sml::dissect::NAME,
];

/// Fill in the lengths and checks of `bytes` as a frame of `protocol` (a
/// registry name).
pub fn seal(protocol: &str, bytes: &[u8]) -> Result<Sealed, SealError> {
    let Some(&name) = SEALABLE.iter().find(|n| n.eq_ignore_ascii_case(protocol)) else {
        return Err(SealError {
            offset: 0,
            reason: (
                "this protocol has no lengths or checks the builder fills in",
                "此协议没有构帧工具可填写的长度或校验",
            ),
        });
    };
    let mut w = Work { bytes: bytes.to_vec(), fixes: Vec::new() };
    match name {
        "dlt645-2007" | "dlt645-1997" => seal_645(&mut w)?,
        dlt698::NAME => seal_698(&mut w)?,
        dlms::HDLC => seal_hdlc(&mut w)?,
        dlms::WRAPPER => seal_wrapper(&mut w)?,
        iec62056::dissect::IEC => seal_iec(&mut w)?,
        iec62056::dissect::DSMR => seal_dsmr(&mut w)?,
        qgdw1376::gdw1::NAME => seal_1376_1(&mut w)?,
        qgdw1376::gdw2::NAME => seal_1376_2(&mut w)?,
        mbus::NAME => seal_mbus(&mut w)?,
        mbus::wireless::NAME => seal_wmbus(&mut w)?,
        _ => seal_sml(&mut w)?,
    }
    debug_assert!(w.fixes.windows(2).all(|p| p[0].at < p[1].at), "fixes in frame order");
    Ok(Sealed { protocol: name, bytes: w.bytes, fixes: w.fixes })
}

struct Work {
    bytes: Vec<u8>,
    fixes: Vec<Fix>,
}

type Name = (&'static str, &'static str);

const LENGTH: Name = ("length", "长度");
const CS: Name = ("checksum CS", "校验和 CS");

fn err(offset: usize, en: &'static str, zh: &'static str) -> SealError {
    SealError { offset, reason: (en, zh) }
}

impl Work {
    fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Write `now` at `at` (the bytes exist) and note it.
    fn set(&mut self, field: Name, at: usize, now: &[u8]) {
        let was = self.bytes[at..at + now.len()].to_vec();
        self.bytes[at..at + now.len()].copy_from_slice(now);
        self.fixes.push(Fix { field, at, was, now: now.to_vec() });
    }

    /// The byte at `at` must be `b`.
    fn expect(&self, at: usize, b: u8, en: &'static str, zh: &'static str) -> Result<(), SealError> {
        match self.bytes.get(at) {
            Some(&x) if x == b => Ok(()),
            _ => Err(err(at.min(self.len()), en, zh)),
        }
    }

    /// At least `n` bytes.
    fn at_least(&self, n: usize) -> Result<(), SealError> {
        if self.len() < n {
            return Err(err(self.len(), "the frame is too short for its header", "帧太短，容不下帧头"));
        }
        Ok(())
    }

    fn sum(&self, from: usize, to: usize) -> u8 {
        self.bytes[from..to].iter().fold(0u8, |a, &b| a.wrapping_add(b))
    }

    fn wake_up(&self) -> usize {
        self.bytes.iter().take_while(|&&b| b == 0xFE).count()
    }
}

/// DL/T 645: `[FE…] 68 A(6) 68 C L data CS 16`; L counts the data, CS sums
/// from the first 68 through the data.
fn seal_645(w: &mut Work) -> Result<(), SealError> {
    let p = w.wake_up();
    w.at_least(p + 12)?;
    w.expect(p, 0x68, "a DL/T 645 frame starts with 68", "DL/T 645 帧以 68 开始")?;
    w.expect(p + 7, 0x68, "the second 68 follows the six address bytes", "第二个 68 在六字节地址之后")?;
    let n = w.len();
    w.expect(n - 1, 0x16, "a DL/T 645 frame ends with 16", "DL/T 645 帧以 16 结束")?;
    let data = n - 2 - (p + 10);
    let l = u8::try_from(data).map_err(|_| err(p + 10, "more than 255 data bytes", "数据域超过 255 字节"))?;
    w.set(LENGTH, p + 9, &[l]);
    let cs = w.sum(p, n - 2);
    w.set(CS, n - 2, &[cs]);
    Ok(())
}

/// DL/T 698.45: `[FE…] 68 L L C AF SA CA HCS HCS APDU FCS FCS 16`; L counts
/// the frame less its delimiters (in bytes), HCS covers L..CA, FCS L..APDU.
fn seal_698(w: &mut Work) -> Result<(), SealError> {
    let p = w.wake_up();
    w.at_least(p + 6)?;
    w.expect(p, dlt698::link::START, "a DL/T 698.45 frame starts with 68", "DL/T 698.45 帧以 68 开始")?;
    let hcs = p + 5 + dlt698::link::sa_len(w.bytes[p + 4]) + 1;
    w.at_least(hcs + 5)?;
    let n = w.len();
    w.expect(n - 1, dlt698::link::END, "a DL/T 698.45 frame ends with 16", "DL/T 698.45 帧以 16 结束")?;
    let l = u16::try_from(n - p - 2)
        .ok()
        .filter(|&l| l <= 0x3FFF)
        .ok_or_else(|| err(p + 1, "longer than the length field counts in bytes", "超出长度域以字节计数的范围"))?;
    w.set(LENGTH, p + 1, &l.to_le_bytes());
    let h = crc16_x25(&w.bytes[p + 1..hcs]);
    w.set(("header check HCS", "帧头校验 HCS"), hcs, &h.to_le_bytes());
    let f = crc16_x25(&w.bytes[p + 1..n - 3]);
    w.set(("frame check FCS", "帧校验 FCS"), n - 3, &f.to_le_bytes());
    Ok(())
}

/// DLMS/COSEM HDLC (IEC 62056-46): `7E A0 L dest src control [HCS info] FCS
/// 7E`; the length (11 bits) counts the frame less its flags; HCS covers the
/// format through the control field and is sent only with an information field.
fn seal_hdlc(w: &mut Work) -> Result<(), SealError> {
    w.at_least(9)?;
    w.expect(0, 0x7E, "an HDLC frame starts with the flag 7E", "HDLC 帧以标志 7E 开始")?;
    let n = w.len();
    w.expect(n - 1, 0x7E, "an HDLC frame ends with the flag 7E", "HDLC 帧以标志 7E 结束")?;
    let l = u16::try_from(n - 2)
        .ok()
        .filter(|&l| l <= 0x7FF)
        .ok_or_else(|| err(1, "longer than the 11-bit length counts", "超出 11 位长度的范围"))?;
    // Format type 3 (1010), the segmentation bit kept, the length.
    let format = [0xA0 | w.bytes[1] & 0x08 | (l >> 8) as u8, l as u8];
    w.set(("frame format and length", "帧格式与长度"), 1, &format);
    // Destination and source addresses end with a byte whose low bit is 1.
    let mut q = 3;
    for (en, zh) in [
        (
            "the destination address is not 1, 2 or 4 bytes ending with bit 0 set",
            "目的地址不是以最低位为 1 的字节结束的 1、2 或 4 字节",
        ),
        (
            "the source address is not 1, 2 or 4 bytes ending with bit 0 set",
            "源地址不是以最低位为 1 的字节结束的 1、2 或 4 字节",
        ),
    ] {
        let len = w.bytes[q..n - 1].iter().position(|b| b & 1 == 1).map(|i| i + 1).filter(|&k| matches!(k, 1 | 2 | 4));
        q += len.ok_or_else(|| err(q, en, zh))?;
    }
    let control = q;
    if control + 3 > n - 1 {
        return Err(err(control, "the frame ends before its control field and FCS", "帧在控制域和 FCS 之前结束"));
    }
    let fcs = n - 3;
    if fcs > control + 1 {
        if fcs < control + 3 {
            return Err(err(control + 1, "no room for HCS before the information field", "信息域前没有 HCS 的位置"));
        }
        let h = crc16_x25(&w.bytes[1..=control]);
        w.set(("header check HCS", "帧头校验 HCS"), control + 1, &h.to_le_bytes());
    }
    let f = crc16_x25(&w.bytes[1..fcs]);
    w.set(("frame check FCS", "帧校验 FCS"), fcs, &f.to_le_bytes());
    Ok(())
}

/// The DLMS/COSEM TCP wrapper (IEC 62056-47): version, source and
/// destination wPort, then the APDU's length (big-endian).
fn seal_wrapper(w: &mut Work) -> Result<(), SealError> {
    w.at_least(dlms::wrapper::HEADER)?;
    let l = u16::try_from(w.len() - dlms::wrapper::HEADER)
        .map_err(|_| err(6, "an APDU longer than 65535 bytes", "APDU 超过 65535 字节"))?;
    w.set(LENGTH, 6, &l.to_be_bytes());
    Ok(())
}

/// IEC 62056-21 blocks: `SOH … ETX BCC` or `STX … ETX|EOT BCC`; the block
/// check is the XOR of the bytes after SOH/STX through ETX/EOT. Requests,
/// identifications and acknowledgements have none: nothing to fill in.
fn seal_iec(w: &mut Work) -> Result<(), SealError> {
    if !matches!(w.bytes.first(), Some(0x01 | 0x02)) {
        return Ok(());
    }
    w.at_least(3)?;
    let n = w.len();
    if !matches!(w.bytes[n - 2], 0x03 | 0x04) {
        return Err(err(n - 2, "the block check follows ETX or EOT", "块校验字符跟在 ETX 或 EOT 之后"));
    }
    let bcc = w.bytes[1..n - 1].iter().fold(0u8, |a, &b| a ^ b);
    w.set(("block check BCC", "块校验 BCC"), n - 1, &[bcc]);
    Ok(())
}

/// DSMR P1 (5.0): `/…!CRC` with the CRC-16/ARC of `/` through `!` as four
/// hex digits in the place after `!` (up to the line end); a telegram
/// without them gets them, a right CRC written without its leading zeros is
/// kept as the meter wrote it.
fn seal_dsmr(w: &mut Work) -> Result<(), SealError> {
    w.expect(0, b'/', "a P1 telegram starts with /", "P1 报文以 / 开始")?;
    let Some(bang) = w.bytes.iter().rposition(|&b| b == b'!') else {
        return Err(err(w.len(), "a P1 telegram ends with ! and its CRC", "P1 报文以 ! 及其 CRC 结束"));
    };
    let crc = crc16_arc(&w.bytes[..=bang]);
    let slot = w.bytes[bang + 1..].iter().take(4).take_while(|&&b| b != b'\r' && b != b'\n').count();
    let old = &w.bytes[bang + 1..bang + 1 + slot];
    let stated = core::str::from_utf8(old).ok().and_then(|t| u16::from_str_radix(t, 16).ok());
    if slot > 0 && old.iter().all(u8::is_ascii_hexdigit) && stated == Some(crc) {
        let now = old.to_vec();
        w.set(("CRC", "CRC"), bang + 1, &now);
        return Ok(());
    }
    if slot < 4 {
        // Room for the four digits, keeping what followed (the line end).
        let tail = w.bytes.split_off(bang + 1 + slot);
        w.bytes.resize(bang + 5, b'0');
        w.bytes.extend_from_slice(&tail);
    }
    w.set(("CRC", "CRC"), bang + 1, format!("{crc:04X}").as_bytes());
    Ok(())
}

/// Q/GDW 1376.1: `68 L L 68 user data CS 16`, L = user-data length << 2 |
/// protocol identifier, sent twice; CS sums the user data.
fn seal_1376_1(w: &mut Work) -> Result<(), SealError> {
    use qgdw1376::frame::{END, OVERHEAD_1, START};
    w.at_least(OVERHEAD_1 + 1)?;
    w.expect(0, START, "a Q/GDW 1376.1 frame starts with 68", "Q/GDW 1376.1 帧以 68 开始")?;
    w.expect(5, START, "the second 68 follows the two length words", "第二个 68 跟在两个长度字之后")?;
    let n = w.len();
    w.expect(n - 1, END, "a Q/GDW 1376.1 frame ends with 16", "Q/GDW 1376.1 帧以 16 结束")?;
    let (_, proto) = qgdw1376::frame::length_1(w.bytes[1], w.bytes[2]);
    let proto = if proto == 0 || proto == 3 { 2 } else { proto };
    let user = u16::try_from(n - OVERHEAD_1)
        .ok()
        .filter(|&u| u <= 0x3FFF)
        .ok_or_else(|| err(1, "longer than the length field counts", "超出长度域的范围"))?;
    let l = (user << 2 | u16::from(proto)).to_le_bytes();
    w.set(LENGTH, 1, &l);
    w.set(("length (repeated)", "长度（重复）"), 3, &l);
    let cs = w.sum(6, n - 2);
    w.set(CS, n - 2, &[cs]);
    Ok(())
}

/// Q/GDW 1376.2: `68 L L C … CS 16`, L the whole frame's length; CS sums
/// the control field through the data.
fn seal_1376_2(w: &mut Work) -> Result<(), SealError> {
    use qgdw1376::frame::{END, START};
    w.at_least(6)?;
    w.expect(0, START, "a Q/GDW 1376.2 frame starts with 68", "Q/GDW 1376.2 帧以 68 开始")?;
    let n = w.len();
    w.expect(n - 1, END, "a Q/GDW 1376.2 frame ends with 16", "Q/GDW 1376.2 帧以 16 结束")?;
    let l = u16::try_from(n).map_err(|_| err(1, "longer than the length field counts", "超出长度域的范围"))?;
    w.set(LENGTH, 1, &l.to_le_bytes());
    let cs = w.sum(3, n - 2);
    w.set(CS, n - 2, &[cs]);
    Ok(())
}

/// Wired M-Bus (EN 13757-2): short frame `10 C A CS 16`, control and long
/// frames `68 L L 68 C A [CI data] CS 16` (L counts C through the data, sent
/// twice); CS sums C through the data. The single character E5 has neither.
fn seal_mbus(w: &mut Work) -> Result<(), SealError> {
    match w.bytes.first() {
        Some(0xE5) if w.len() == 1 => Ok(()),
        Some(0x10) => {
            if w.len() != 5 {
                return Err(err(
                    w.len().min(5),
                    "a short frame is five bytes: 10 C A CS 16",
                    "短帧为五字节：10 C A CS 16",
                ));
            }
            w.expect(4, 0x16, "an M-Bus frame ends with 16", "M-Bus 帧以 16 结束")?;
            let cs = w.sum(1, 3);
            w.set(CS, 3, &[cs]);
            Ok(())
        }
        Some(0x68) => {
            w.at_least(9)?;
            w.expect(3, 0x68, "the second 68 follows the two length bytes", "第二个 68 跟在两个长度字节之后")?;
            let n = w.len();
            w.expect(n - 1, 0x16, "an M-Bus frame ends with 16", "M-Bus 帧以 16 结束")?;
            let l = u8::try_from(n - 6)
                .map_err(|_| err(1, "more than 255 bytes from C to CS", "C 至 CS 之间超过 255 字节"))?;
            w.set(LENGTH, 1, &[l]);
            w.set(("length (repeated)", "长度（重复）"), 2, &[l]);
            let cs = w.sum(4, n - 2);
            w.set(CS, n - 2, &[cs]);
            Ok(())
        }
        _ => Err(err(0, "an M-Bus frame starts with 68, 10 or is E5", "M-Bus 帧以 68、10 开始或为 E5")),
    }
}

/// Wireless M-Bus (EN 13757-4): L, and in frame formats A and B the CRC of
/// each block (high byte first). The format: the one the frame's CRCs
/// confirm; else format A when L gives the frame's length in format A (CRCs
/// recomputed in place); else none when L counts the bytes (the receiver
/// took the CRCs out). A format A frame whose first block still checks but
/// whose length changed is refused: its blocks moved, and rewriting CRCs
/// where the new length puts them would overwrite data. A frame with only L
/// broken (its length a format A length, a later block's CRC right) is
/// format A.
fn seal_wmbus(w: &mut Work) -> Result<(), SealError> {
    use mbus::wireless::frame::{Format, blocks, format, len_a};
    w.at_least(12)?;
    let n = w.len();
    let crc_right = |b: &[u8], (at, len): (usize, usize)| {
        let end = at + len;
        end + 2 <= b.len() && crc16_en13757(&b[at..end]) == u16::from_be_bytes([b[end], b[end + 1]])
    };
    let l0 = w.bytes[0];
    let format = match format(&w.bytes) {
        f @ (Format::A | Format::B) => f,
        Format::Plain if len_a(l0) == n => Format::A,
        Format::Plain if usize::from(l0) + 1 == n => Format::Plain,
        Format::Plain if crc_right(&w.bytes, (0, 10)) => {
            return Err(err(
                0,
                "a frame in format A changed length: its blocks moved; edit the telegram without its CRCs",
                "格式 A 的帧长度变了，数据块已移位；请在去掉 CRC 的报文上编辑",
            ));
        }
        Format::Plain => {
            let l_broken = (0..=255u8)
                .find(|&l| len_a(l) == n)
                .is_some_and(|_| blocks(Format::A, n).into_iter().skip(1).any(|b| crc_right(&w.bytes, b)));
            if l_broken { Format::A } else { Format::Plain }
        }
    };
    let l = match format {
        Format::A => (0..=255u8).find(|&l| len_a(l) == n).unwrap_or(l0),
        _ => u8::try_from(n - 1)
            .map_err(|_| err(0, "longer than L counts (255 bytes)", "超出 L 的计数范围（255 字节）"))?,
    };
    w.set(("length L", "长度 L"), 0, &[l]);
    if format != Format::Plain {
        for (at, len) in blocks(format, n) {
            let c = crc16_en13757(&w.bytes[at..at + len]);
            w.set(("block CRC", "数据块 CRC"), at + len, &c.to_be_bytes());
        }
    }
    Ok(())
}

/// SML transport v1: `1B1B1B1B 01010101 file [00…] 1B1B1B1B 1A pad CRC CRC`.
/// The messages' own CRCs are filled in, the file padded to four bytes, the
/// padding count and the transport CRC-16/X-25 (low byte first) written.
fn seal_sml(w: &mut Work) -> Result<(), SealError> {
    use sml::frame::{END_MARK, ESC, Payload, START};
    let n = w.len();
    if !w.bytes.starts_with(&START) {
        return Err(err(0, "an SML frame starts with 1B1B1B1B 01010101", "SML 帧以 1B1B1B1B 01010101 开始"));
    }
    let end = [ESC, ESC, ESC, ESC, END_MARK];
    if n < START.len() + 8 || w.bytes[n - 8..n - 3] != end {
        return Err(err(
            n.saturating_sub(8),
            "an SML frame ends with 1B1B1B1B 1A and three bytes",
            "SML 帧以 1B1B1B1B 1A 及三个字节结束",
        ));
    }
    let e = n - 8;
    // The messages' CRCs, over the file with the escaping undone.
    let payload = Payload::read(&w.bytes, START.len(), e);
    let (crcs, file_end) = sml::codec::message_crcs(&payload.bytes);
    for (start, crc_at) in crcs {
        let c = crc16_x25(&payload.bytes[start..crc_at]).to_le_bytes();
        if payload.contiguous(crc_at + 1, 2) {
            w.set(("message CRC", "消息 CRC"), payload.wire(crc_at + 1), &c);
        }
    }
    // Padding: the old fill out (the zeros after the last message, else
    // those the count names), the new one in.
    let zeros = |k: usize| e - k >= START.len() && w.bytes[e - k..e].iter().all(|&b| b == 0);
    let after = payload.bytes.len() - file_end;
    let fill = if file_end > 0 && after <= 3 && payload.contiguous(file_end, after) && zeros(after) {
        after
    } else {
        let old = usize::from(w.bytes[e + 5]).min(3);
        if zeros(old) { old } else { 0 }
    };
    let body = e - fill;
    let pad = (4 - body % 4) % 4;
    let mut bytes = w.bytes[..body].to_vec();
    bytes.resize(body + pad, 0);
    bytes.extend_from_slice(&end);
    bytes.push(w.bytes[e + 5]);
    bytes.extend_from_slice(&w.bytes[n - 2..]);
    w.bytes = bytes;
    let e = body + pad;
    w.set(("padding count", "填充字节数"), e + 5, &[pad as u8]);
    let crc = crc16_x25(&w.bytes[..e + 6]).to_le_bytes();
    w.set(("CRC", "CRC"), e + 6, &crc);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{Options, Registry};

    fn hex(s: &str) -> Vec<u8> {
        crate::testkit::bytes(s)
    }

    /// Every valid frame of every public vector the builder can seal is left
    /// as it is; with each field it writes zeroed (or set to FF), sealing
    /// gives the frame back.
    #[test]
    fn sealing_valid_frames_changes_nothing_and_restores_broken_fields() {
        let reg = Registry::default();
        let mut seen = std::collections::BTreeMap::<&str, usize>::new();
        for text in crate::testkit::all_vector_inputs() {
            let Ok(input) = crate::parse_input(&text) else { continue };
            let d = reg.dissect(&input.bytes, &input.line_starts, &Options::default());
            for f in &d.frames {
                let ok = f.valid && f.checks.iter().all(|c| c.ok);
                if !ok || !SEALABLE.contains(&f.protocol) {
                    continue;
                }
                let bytes = &input.bytes[f.span.range()];
                let sealed =
                    seal(f.protocol, bytes).unwrap_or_else(|e| panic!("{}: {e:?} on {bytes:02X?}", f.protocol));
                assert_eq!(sealed.bytes, bytes, "{} changed {:?}", f.protocol, sealed.fixes);
                assert!(sealed.fixes.iter().all(|x| !x.changed()));
                assert!(sealed.fixes.windows(2).all(|p| p[0].at + p[0].now.len() <= p[1].at), "{:?}", sealed.fixes);
                for fix in &sealed.fixes {
                    // HDLC's segmentation bit is the user's, kept by the builder.
                    let fills: &[u8] = if fix.field.0.starts_with("frame format") { &[0x00] } else { &[0x00, 0xFF] };
                    for &fill in fills {
                        let mut broken = bytes.to_vec();
                        broken[fix.at..fix.at + fix.now.len()].fill(fill);
                        let again = seal(f.protocol, &broken).expect("seals");
                        if f.protocol == "dsmr-p1" && fix.now.len() < 4 {
                            // A CRC the meter wrote without leading zeros comes back with them.
                            let d = reg.dissect(&again.bytes, &[], &Options::default());
                            assert!(d.frames.iter().all(|f| f.valid && f.checks.iter().all(|c| c.ok)));
                            continue;
                        }
                        assert_eq!(again.bytes, bytes, "{} {:?} = {fill:02X}", f.protocol, fix.field);
                    }
                }
                *seen.entry(f.protocol).or_default() += sealed.fixes.len();
            }
        }
        // Every sealable protocol had fields filled in real frames.
        for p in SEALABLE {
            assert!(seen.get(p).is_some_and(|&n| n > 0), "no valid vector of {p}: {seen:?}");
        }
    }

    /// Data added to a frame: the sealed frame is valid with every check right.
    #[test]
    fn data_added_or_removed_gives_a_valid_frame() {
        let reg = Registry::default();
        let cases: [(&str, &str, usize); 4] = [
            // DL/T 645-2007 read of 00010000, a data byte added before CS.
            ("dlt645-2007", "68 12 34 56 78 90 12 68 11 04 33 33 34 33 00 16", 14),
            // Q/GDW 1376.2 module info request with a byte more.
            ("qgdw1376.2", "68 0F 00 41 00 00 00 00 00 00 03 01 00 45 16", 13),
            // M-Bus long frame.
            ("mbus", "68 03 03 68 53 FE BD 00 16", 7),
            // DLMS wrapper.
            ("dlms-wrapper", "00 01 00 10 00 01 00 00 C0 01 C1 00 03 01 00 01 08 00 FF 02 00", 21),
        ];
        for (p, text, at) in cases {
            let mut b = hex(text);
            b.insert(at, 0x42);
            let s = seal(p, &b).expect("seals");
            let d = reg.dissect(&s.bytes, &[], &Options { protocol: Some(p.into()), ..Options::default() });
            assert_eq!(d.frames.len(), 1, "{p}");
            let f = &d.frames[0];
            assert!(f.checks.iter().all(|c| c.ok), "{p}: {:?}", s.fixes);
            assert!(s.fixes.iter().any(Fix::changed), "{p}");
        }
    }

    #[test]
    fn frames_that_do_not_hold_their_delimiters_are_refused_at_the_byte() {
        let e = seal("dlt645-2007", &hex("68 12 34 56 78 90 12 69 11 04 33 33 34 33 00 16")).unwrap_err();
        assert_eq!(e.offset, 7);
        assert_eq!(e.text(Lang::En), "byte 7: the second 68 follows the six address bytes");
        assert_eq!(seal("dlms-apdu", &[0xC0]).unwrap_err().offset, 0);
        assert_eq!(seal("dlms-hdlc", &hex("7E A0 07 02 02 93 00 00 7E")).unwrap_err().offset, 3);
        assert_eq!(seal("iec62056-21", b"/?!\r\n").unwrap().fixes, []);
        assert_eq!(seal("iec62056-21", b"\x02F.F(00)\r\n!\r\n").unwrap_err().offset, 11);
    }

    /// Random and mutated bytes for every protocol: sealing never panics, a
    /// sealed frame seals to itself with nothing changed, and an error names
    /// a byte inside the input.
    #[test]
    fn sealing_any_bytes_is_safe_and_idempotent() {
        let mut rng = crate::testkit::Rng::new(11);
        let vectors: Vec<Vec<u8>> = crate::testkit::all_vector_inputs()
            .iter()
            .filter_map(|t| crate::parse_input(t).ok())
            .map(|i| i.bytes)
            .collect();
        for round in 0..4000 {
            let mut b = if round % 2 == 0 { rng.bytes(300) } else { vectors[rng.below(vectors.len())].clone() };
            for _ in 0..rng.below(4) {
                if !b.is_empty() {
                    let at = rng.below(b.len());
                    b[at] = rng.byte();
                }
            }
            for p in SEALABLE {
                match seal(p, &b) {
                    Ok(s) => {
                        let again = seal(p, &s.bytes).expect("a sealed frame seals");
                        assert_eq!(again.bytes, s.bytes, "{p}: {b:02X?}");
                        assert!(again.fixes.iter().all(|f| !f.changed()), "{p}: {:?} on {b:02X?}", again.fixes);
                    }
                    Err(e) => assert!(e.offset <= b.len(), "{p}: {e:?}"),
                }
            }
        }
    }

    /// Wireless M-Bus in format A: edits that keep the length are sealed in
    /// place; a length change is refused (the blocks moved) rather than
    /// rewriting CRCs over data; a one-block frame with its header edited
    /// keeps its CRC place.
    #[test]
    fn wireless_m_bus_format_a_edits() {
        let frame = hex(
            "34 44 EE 4D 81 39 29 27 16 08 81 1D 7A 51 00 00 00 04 6D 19 13 A6 2B 03 6E 00 00 00 DC 84 42 6C E1 F1 43 \
             6E 00 00 00 02 FF 2C 00 00 02 59 D6 D0 D4 09 02 65 FC 09 02 FD 66 A0 00 44 C4",
        );
        assert!(seal("wmbus", &frame).unwrap().fixes.iter().all(|f| !f.changed()));
        // A value byte edited in block 3: only that block's CRC changes.
        let mut edited = frame.clone();
        edited[40] ^= 0x01;
        let s = seal("wmbus", &edited).unwrap();
        let changed: Vec<usize> = s.fixes.iter().filter(|f| f.changed()).map(|f| f.at).collect();
        assert_eq!(changed, [46]);
        // A byte inserted into block 2: refused at L, nothing overwritten.
        let mut longer = frame.clone();
        longer.insert(20, 0x00);
        assert_eq!(seal("wmbus", &longer).unwrap_err().offset, 0);
        // One block (L = 09): C edited, the CRC rewritten in its place.
        let mut short = hex("09 44 EE 4D 81 39 29 27 16 08 00 00");
        let c = crc16_en13757(&short[..10]).to_be_bytes();
        short[10..].copy_from_slice(&c);
        short[1] = 0x46;
        let s = seal("wmbus", &short).unwrap();
        assert_eq!((s.bytes[0], s.bytes.len()), (0x09, 12));
        assert_eq!(s.bytes[10..], crc16_en13757(&s.bytes[..10]).to_be_bytes());
    }

    /// A message cut off at its CRC's type byte gets no CRC written over the end escape.
    #[test]
    fn an_sml_message_without_its_crc_bytes_gets_none() {
        let s = seal("sml", &hex("1B1B1B1B 01010101 76 01 01 01 01 01 01 63 1B1B1B1B 1A 00 00 00")).unwrap();
        assert!(s.fixes.iter().all(|f| f.field.0 != "message CRC"), "{:?}", s.fixes);
        assert_eq!(s.bytes[s.bytes.len() - 8..s.bytes.len() - 3], [0x1B, 0x1B, 0x1B, 0x1B, 0x1A]);
    }

    #[test]
    fn hdlc_addresses_of_three_bytes_are_refused() {
        assert_eq!(seal("dlms-hdlc", &hex("7E A0 00 02 02 03 03 10 00 00 7E")).unwrap_err().offset, 3);
    }

    #[test]
    fn a_p1_telegram_without_a_crc_gets_one() {
        let s = seal("dsmr-p1", b"/ISK5\\2M550T-1012\r\n\r\n1-0:1.8.1(000123.456*kWh)\r\n!\r\n").unwrap();
        let t = String::from_utf8(s.bytes).unwrap();
        let crc = crc16_arc(&t.as_bytes()[..t.find('!').unwrap() + 1]);
        assert!(t.ends_with(&format!("!{crc:04X}\r\n")), "{t}");
    }
}
