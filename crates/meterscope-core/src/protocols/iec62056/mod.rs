//! IEC 62056-21 (direct local data exchange, the optical port) and DSMR P1
//! (the Dutch/Belgian/… consumer port telegram built on its data lines).
//!
//! - [`frame`]: message kinds, stream framers, BCC (ISO 1155 XOR) and the
//!   CRC-16/ARC of DSMR telegrams; encrypted P1 headers.
//! - encrypted P1 telegrams (general-glo-ciphering `DB 08 …`, Luxembourg and
//!   Austria) are decrypted in [`dissect`] with `Options::keys` through
//!   `dlms::security::open` (suite 0) and the plaintext telegram dissected
//!   under `dsmr.encrypted.plaintext`, its spans on the ciphertext bytes and
//!   its texts on the plaintext, kept once in the frame's derived bytes.
//! - [`data`]: data lines `address(value*unit)`, identifiers, timestamps.
//! - [`lines`]: data lines as nodes, shared by both protocols, and the names
//!   written for them when a frame is rendered.
//! - [`dissect`]: the tolerant dissectors, building language-neutral frames.
//! - [`codec`]: the strict codec (`Message::parse`/`emit`, `DataSet`).
//! - [`session`]: the sans-IO IEC 62056-21 client (modes A–E).
//! - [`p1`]: the sans-IO DSMR P1 listener.
//! - [`simulator`]: a simulated optical-port meter and a DSMR 5 P1 port.
//!
//! An identification message `/XXXZident CR LF` alone is IEC 62056-21; the
//! same line followed by a blank line (or a data line) and ending in `!CRC`
//! is a DSMR telegram. The IEC framer declines the latter, so the two never
//! compete for one frame.

pub mod codec;
pub mod data;
pub mod dissect;
pub mod frame;
pub mod lines;
pub mod p1;
pub mod session;
pub mod simulator;

#[cfg(test)]
mod tests;

use crate::lang::{LabelTable, Lang};
use crate::registry::{FrameStatus, Options, Protocol};

/// IEC 62056-21 messages as a registry protocol (`iec62056-21`).
pub struct Iec62056_21;

/// DSMR P1 telegrams as a registry protocol (`dsmr-p1`).
pub struct DsmrP1;

/// Both protocols, for `protocols::all()`.
/// Bytes no protocol framed whose top bit is, in every byte, the even
/// parity of the low seven: text sent at 7E1 (IEC 62056-21, DSMR 2.2/3)
/// read at 8N1. When the bytes with that bit removed frame as a message,
/// the analysis says so and shows that message dissected.
/// Whether unrecognised bytes may be text sent at 7E1, as [`parity_analyses`]
/// asks before it looks further: four bytes or more, some with the top bit
/// set, and every top bit the even parity of the low seven.
pub fn sent_at_7e1(raw: &[u8]) -> bool {
    let even = |b: &u8| ((b & 0x7F).count_ones() % 2 == 1) == (b & 0x80 != 0);
    raw.len() >= 4 && raw.iter().any(|b| b & 0x80 != 0) && raw.iter().all(even)
}

pub fn parity_analyses(d: &crate::model::Dissection, bytes: &[u8], opts: &Options) -> Vec<crate::model::Analysis> {
    use crate::model::{Analysis, Id, Msg, Part};
    let mut out = Vec::new();
    for (i, f) in d.frames.iter().enumerate() {
        if f.protocol != crate::unknown::NAME {
            continue;
        }
        let Some(raw) = bytes.get(f.span.range()) else { continue };
        if !sent_at_7e1(raw) {
            continue;
        }
        let masked: Vec<u8> = raw.iter().map(|b| b & 0x7F).collect();
        let Some((p, len)) = protocols().into_iter().find_map(|p| match p.frame(&masked) {
            FrameStatus::Complete { preamble: 0, len } if len > 0 => Some((p, len)),
            _ => None,
        }) else {
            continue;
        };
        let frame = p.dissect(&masked[..len], 0, opts);
        out.push(Analysis {
            id: Id::Static("iec62056-21.parity"),
            title: Msg::Label,
            status: crate::msg!(
                "the top bit of every byte is its even parity bit: set the line to 7 data bits, even parity (7E1)",
                "每个字节的最高位都是偶校验位：请把串口设为 7 个数据位、偶校验 (7E1)",
            ),
            ok: false,
            parts: vec![Part { frame: i, label: Msg::Label, span: f.span, len: f.span.len() }],
            checks: Vec::new(),
            frame: Some(frame),
            labels: LABELS,
        });
    }
    out
}

pub fn protocols() -> Vec<Box<dyn Protocol>> {
    vec![Box::new(Iec62056_21), Box::new(DsmrP1)]
}

impl Protocol for Iec62056_21 {
    fn name(&self) -> &'static str {
        dissect::IEC
    }

    fn text(&self) -> bool {
        true
    }

    fn title(&self, _: Lang) -> &'static str {
        "IEC 62056-21"
    }

    fn frame(&self, bytes: &[u8]) -> FrameStatus {
        frame::frame_iec(bytes)
    }

    fn may_start(&self, b: u8) -> bool {
        matches!(b, b'/' | frame::ACK | frame::NAK | frame::STX | frame::SOH)
    }

    /// Structure and BCC: a block with a correct BCC fits best, a lone ACK least.
    fn score(&self, f: &[u8]) -> u8 {
        match frame::kind(f) {
            Some((frame::Kind::Request, _)) => 90,
            Some((frame::Kind::Identification, _)) => 85,
            Some((frame::Kind::OptionSelect, _)) => {
                if f[1..4].iter().all(u8::is_ascii_digit) {
                    90
                } else {
                    50
                }
            }
            Some((frame::Kind::Ack | frame::Kind::Nak, _)) => 40,
            Some((frame::Kind::LoggedReadout, _)) => 85,
            Some((frame::Kind::Block | frame::Kind::Command, _)) => {
                let end = f.iter().skip(1).position(|&c| c == frame::ETX || c == frame::EOT).map(|i| i + 1);
                match end.and_then(|e| f.get(e + 1).map(|&b| (e, b))) {
                    Some((e, b)) if b == frame::bcc(&f[1..=e]) => 95,
                    Some((e, b)) if b & 0x7F == frame::bcc7(&f[1..=e]) => 90,
                    _ => 60,
                }
            }
            None => 0,
        }
    }

    fn dissect(&self, f: &[u8], base: usize, opts: &Options) -> crate::model::Frame {
        dissect::dissect_iec(f, base, opts)
    }
}

impl Protocol for DsmrP1 {
    fn name(&self) -> &'static str {
        dissect::DSMR
    }

    fn text(&self) -> bool {
        true
    }

    fn title(&self, lang: Lang) -> &'static str {
        lang.pick("DSMR P1 telegram", "DSMR P1 报文")
    }

    fn frame(&self, bytes: &[u8]) -> FrameStatus {
        frame::frame_dsmr(bytes)
    }

    fn may_start(&self, b: u8) -> bool {
        b == b'/' || b == 0xDB
    }

    /// A matching CRC fits best; no CRC, less; a wrong CRC still frames well.
    fn score(&self, f: &[u8]) -> u8 {
        if f.first() == Some(&0xDB) {
            return if frame::encrypted_header(f).is_some() { 60 } else { 0 };
        }
        match frame::telegram_layout(f) {
            Some((l, _)) => match (l.bang, l.crc) {
                (Some(bang), Some((s, e))) => {
                    let stated = core::str::from_utf8(&f[s..e]).ok().and_then(|t| u16::from_str_radix(t, 16).ok());
                    if stated == Some(crate::wire::crc16_arc(&f[..=bang])) { 100 } else { 75 }
                }
                (Some(_), None) => 80,
                (None, _) => 40,
            },
            None => 0,
        }
    }

    fn dissect(&self, f: &[u8], base: usize, opts: &Options) -> crate::model::Frame {
        dissect::dissect_dsmr(f, base, opts)
    }
}

/// Labels of every node id both protocols emit (numeric segments stripped), sorted.
pub static LABELS: LabelTable = &[
    ("dsmr", "DSMR P1 telegram", "DSMR P1 报文"),
    ("dsmr.blank", "Blank line", "空行"),
    ("dsmr.country", "Country variant", "国家变体"),
    ("dsmr.crc", "CRC-16", "CRC-16 校验"),
    ("dsmr.data", "Data lines", "数据行"),
    ("dsmr.data.line", "Data line", "数据行"),
    ("dsmr.data.line.set", "Data set", "数据集"),
    ("dsmr.data.line.set.address", "Identifier (OBIS)", "标识(OBIS)"),
    ("dsmr.data.line.set.value", "Value", "值"),
    ("dsmr.encrypted.ciphertext", "Ciphertext", "密文"),
    ("dsmr.encrypted.invocation-counter", "Invocation counter", "调用计数器"),
    ("dsmr.encrypted.length", "Length", "长度"),
    ("dsmr.encrypted.plaintext", "Decrypted telegram", "解密后的报文"),
    ("dsmr.encrypted.security-control", "Security control byte", "安全控制字节"),
    ("dsmr.encrypted.system-title", "System title", "系统标题"),
    ("dsmr.encrypted.tag", "Ciphering tag", "加密标签"),
    ("dsmr.encrypted.tag-value", "Authentication tag", "认证标签"),
    ("dsmr.encrypted.title-length", "System title length", "系统标题长度"),
    ("dsmr.encrypted.trailing", "Bytes after the encrypted telegram", "加密报文后的字节"),
    ("dsmr.end", "End character", "结束字符"),
    ("dsmr.end-eol", "Line end after the CRC", "CRC 后的行结束符"),
    ("dsmr.eol", "Line end", "行结束符"),
    ("dsmr.header", "Header (identification)", "报文头(识别)"),
    ("dsmr.header.baud", "Baud rate character", "波特率字符"),
    ("dsmr.header.capability", "Enhanced capability", "增强能力字符"),
    ("dsmr.header.ident", "Identification", "识别字符串"),
    ("dsmr.header.manufacturer", "Manufacturer id", "制造商标识"),
    ("dsmr.header.start", "Start character", "起始字符"),
    ("dsmr.raw", "Unrecognised bytes", "未识别的字节"),
    ("dsmr.trailing", "Bytes after the telegram", "报文后的字节"),
    ("iec62056-21", "IEC 62056-21 message", "IEC 62056-21 报文"),
    ("iec62056-21.ack", "Acknowledge (ACK)", "确认字符 ACK"),
    ("iec62056-21.address", "Device address", "设备地址"),
    ("iec62056-21.baud", "Baud rate character", "波特率字符"),
    ("iec62056-21.bcc", "Block check character (BCC)", "块校验字符 BCC"),
    ("iec62056-21.capability", "Enhanced capability", "增强能力字符"),
    ("iec62056-21.command", "Command", "命令"),
    ("iec62056-21.data", "Data", "数据"),
    ("iec62056-21.data-trailing", "Bytes after the end character", "结束字符后的字节"),
    ("iec62056-21.data.line", "Data line", "数据行"),
    ("iec62056-21.data.line.set", "Data set", "数据集"),
    ("iec62056-21.data.line.set.address", "Address (identifier)", "地址(标识)"),
    ("iec62056-21.data.line.set.value", "Value", "值"),
    ("iec62056-21.end", "End character", "结束字符"),
    ("iec62056-21.end-eol", "Line end after the end character", "结束字符后的行结束符"),
    ("iec62056-21.eol", "Line end", "行结束符"),
    ("iec62056-21.eot", "End of partial block (EOT)", "部分块结束 EOT"),
    ("iec62056-21.error", "Error message", "错误信息"),
    ("iec62056-21.etx", "End of text (ETX)", "正文结束 ETX"),
    ("iec62056-21.ident", "Identification", "识别字符串"),
    ("iec62056-21.manufacturer", "Manufacturer id", "制造商标识"),
    ("iec62056-21.mode-control", "Mode control character", "模式控制字符"),
    ("iec62056-21.nak", "Repeat request (NAK)", "重发请求 NAK"),
    ("iec62056-21.parity", "Bytes with their parity bit (7E1 read as 8N1)", "含校验位的字节（7E1 按 8N1 读取）"),
    ("iec62056-21.protocol-control", "Protocol control character", "协议控制字符"),
    ("iec62056-21.raw", "Unrecognised bytes", "未识别的字节"),
    ("iec62056-21.request", "Request command", "请求命令"),
    ("iec62056-21.soh", "Start of header (SOH)", "报头开始 SOH"),
    ("iec62056-21.start", "Start character", "起始字符"),
    ("iec62056-21.stx", "Start of text (STX)", "正文开始 STX"),
    ("iec62056-21.trailing", "Bytes after the message", "报文后的字节"),
];
