//! Stream framing and integrity checks of IEC 62056-21 messages and DSMR P1
//! telegrams: what a message is, where it ends, BCC and CRC.

use crate::registry::FrameStatus;

/// Start of header (programming command messages).
pub const SOH: u8 = 0x01;
/// Start of text (data messages, error messages).
pub const STX: u8 = 0x02;
/// End of text (end of a complete block).
pub const ETX: u8 = 0x03;
/// End of transmission (end of a partial block).
pub const EOT: u8 = 0x04;
/// Acknowledge (option select, positive acknowledgement).
pub const ACK: u8 = 0x06;
/// Negative acknowledge (repeat request).
pub const NAK: u8 = 0x15;
pub const CR: u8 = 0x0D;
pub const LF: u8 = 0x0A;

/// Largest telegram the framers look through (DSMR telegrams are a few KiB).
pub const MAX_TELEGRAM: usize = 64 * 1024;
/// Longest request or identification line (`/` + 32 address characters + `!` CR LF).
const MAX_LINE: usize = 128;

/// What kind of IEC 62056-21 message starts the bytes (IEC 62056-21:2002, 6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `/ ? address ! CR LF`.
    Request,
    /// `/ XXX Z ident CR LF`.
    Identification,
    /// `ACK V Z Y CR LF`.
    OptionSelect,
    /// `ACK` alone.
    Ack,
    /// `NAK` alone.
    Nak,
    /// `STX data ETX BCC` (data message or error message).
    Block,
    /// `SOH C D [STX data] ETX BCC`.
    Command,
    /// An identification, then data lines up to `!` CR LF without STX, ETX
    /// and BCC: a readout as read-out programs log it (a heat meter's
    /// `/LUGCUH50` then `6.8(0328.871*GJ)6.26(…)` lines).
    LoggedReadout,
}

/// The BCC of IEC 62056-21 (ISO 1155): XOR of every byte after the first SOH
/// or STX up to and including ETX or EOT. `body` is exactly those bytes.
pub fn bcc(body: &[u8]) -> u8 {
    body.iter().fold(0, |a, b| a ^ b)
}

/// The BCC over the 7-bit characters (parity bits stripped), as computed by
/// software that receives 7E1 characters as 8N1 bytes.
pub fn bcc7(body: &[u8]) -> u8 {
    body.iter().fold(0, |a, b| a ^ (b & 0x7F))
}

/// Index just past the line end (CR LF, or LF alone) that starts at `at`, if any.
pub fn eol_at(b: &[u8], at: usize) -> Option<usize> {
    match (b.get(at), b.get(at + 1)) {
        (Some(&CR), Some(&LF)) => Some(at + 2),
        (Some(&LF), _) => Some(at + 1),
        _ => None,
    }
}

/// The end of the line starting at `from` (index of its CR or LF), bounded by `limit`.
fn line_end(b: &[u8], from: usize, limit: usize) -> Option<usize> {
    b.iter().take(limit).skip(from).position(|&c| c == CR || c == LF).map(|i| i + from)
}

/// Whether a `/` line is an identification `/XXXZident`: three letters
/// (the first two upper case) and a printable baud character.
pub fn looks_like_identification(line: &[u8]) -> bool {
    line.len() >= 5
        && line[0] == b'/'
        && line[1].is_ascii_uppercase()
        && line[2].is_ascii_uppercase()
        && line[3].is_ascii_alphabetic()
        && line[4].is_ascii_graphic()
        && line[4] != b'/'
        && line[4] != b'!'
        && line[1..].iter().all(|&c| (0x20..0x7F).contains(&c))
}

/// Whether the bytes after a `/` line make it a DSMR telegram header: a blank
/// line follows (`None` while that cannot be told yet).
fn dsmr_follows(b: &[u8], after: usize) -> Option<bool> {
    match b.get(after) {
        None => None,
        Some(&CR) if b.len() == after + 1 => None,
        Some(&CR) | Some(&LF) => Some(true),
        // Some meters leave out the blank line: a data line with a whole
        // OBIS code `1-0:1.8.1(` follows. A short code (`6.8(`, `F.F(`) is
        // an IEC 62056-21 readout logged without its STX, as heat meters send.
        Some(c) if c.is_ascii_digit() => Some(obis_line(&b[after..])),
        _ => Some(false),
    }
}

/// Whether `line` starts with `A-B:` (digits, dash, digits, colon), then
/// reaches `(` within the line's first 40 bytes.
fn obis_line(line: &[u8]) -> bool {
    let head = &line[..line.len().min(40)];
    let digits = |s: &[u8]| s.iter().take_while(|c| c.is_ascii_digit()).count();
    let a = digits(head);
    if a == 0 || head.get(a) != Some(&b'-') {
        return false;
    }
    let b = digits(&head[a + 1..]);
    b > 0 && head.get(a + 1 + b) == Some(&b':') && head.contains(&b'(')
}

/// Stream framing of IEC 62056-21 messages.
pub fn frame_iec(b: &[u8]) -> FrameStatus {
    match kind(b) {
        None => FrameStatus::NoMatch,
        Some((_, status)) => status,
    }
}

/// Classify and delimit the IEC 62056-21 message at the start of `b`.
pub fn kind(b: &[u8]) -> Option<(Kind, FrameStatus)> {
    let complete = |len| FrameStatus::Complete { preamble: 0, len };
    let incomplete = |needed| FrameStatus::Incomplete { preamble: 0, needed };
    match *b.first()? {
        b'/' => {
            if b.len() == 1 {
                return Some((Kind::Request, incomplete(None)));
            }
            // Not `/?` and no `/XXXZ` start: nothing to look for further.
            if b[1] != b'?' && b.len() >= 5 && !looks_like_identification(&b[..5]) {
                return None;
            }
            let end = line_end(b, 1, MAX_LINE);
            if b[1] == b'?' {
                let bang = b.iter().take(MAX_LINE).position(|&c| c == b'!');
                let Some(bang) = bang else {
                    let printable = b[1..].iter().take(MAX_LINE).all(|c| c.is_ascii_graphic());
                    return (printable && b.len() < MAX_LINE).then_some((Kind::Request, incomplete(None)));
                };
                if end.is_some_and(|e| e < bang) || !b[1..bang].iter().all(|c| c.is_ascii_graphic()) {
                    return None;
                }
                return Some((
                    Kind::Request,
                    match eol_at(b, bang + 1) {
                        Some(e) => complete(e),
                        None if b.len() == bang + 1 => complete(bang + 1),
                        None if b.len() == bang + 2 && b[bang + 1] == CR => incomplete(Some(1)),
                        None => complete(bang + 1),
                    },
                ));
            }
            let line = &b[..end.unwrap_or(b.len().min(MAX_LINE))];
            // The start of an identification still arriving: `/`, then what
            // there is of the manufacturer's letters.
            let prefix = b.iter().enumerate().skip(1).all(|(i, c)| match i {
                1 | 2 => c.is_ascii_uppercase(),
                3 => c.is_ascii_alphabetic(),
                _ => c.is_ascii_graphic(),
            });
            let short_start = line.len() < 5 && end.is_none() && b.len() < 5 && prefix;
            if !looks_like_identification(line) && !short_start {
                return None;
            }
            match end {
                None if b.len() >= MAX_LINE => None,
                // The whole input is one identification line without its line end.
                None if b.len() >= 5 => Some((Kind::Identification, complete(b.len()))),
                None => Some((Kind::Identification, incomplete(None))),
                Some(e) => {
                    let after = eol_at(b, e).unwrap_or(e + 1);
                    match dsmr_follows(b, after) {
                        Some(true) => None,
                        _ => match unframed_end(b.get(after..).unwrap_or_default()) {
                            Some(len) => Some((Kind::LoggedReadout, complete(after + len))),
                            None => Some((Kind::Identification, complete(after))),
                        },
                    }
                }
            }
        }
        ACK => {
            // Option select: ACK V Z Y CR LF, with V, Z and Y digits.
            let v = &b[1..b.len().min(4)];
            if v.len() == 3 && v.iter().all(|c| c.is_ascii_digit()) {
                return Some((
                    Kind::OptionSelect,
                    match eol_at(b, 4) {
                        Some(e) => complete(e),
                        None if b.len() == 4 => complete(4),
                        None if b.len() == 5 && b[4] == CR => incomplete(Some(1)),
                        None => complete(4),
                    },
                ));
            }
            if v.len() < 3 && v.iter().all(|c| c.is_ascii_digit()) && !v.is_empty() {
                return Some((Kind::OptionSelect, incomplete(Some(5 - b.len()))));
            }
            lone(b).then_some((Kind::Ack, complete(1)))
        }
        NAK => lone(b).then_some((Kind::Nak, complete(1))),
        STX => block_end(b, None).map(|s| (Kind::Block, s)),
        SOH => {
            // SOH C D: a command letter and a type digit.
            match (b.get(1), b.get(2)) {
                (Some(c), _) if !b"PWREB".contains(c) => None,
                (_, Some(d)) if !d.is_ascii_digit() => None,
                _ => block_end(b, Some(3)).map(|s| (Kind::Command, s)),
            }
        }
        _ => None,
    }
}

/// The length of data lines without STX: the first line starts with a data
/// set (an address of at most 16 characters, then `(`); only text, CR and LF
/// up to a `!` at a line start or right after a `)`, then the line end. A
/// `/` at a line start (the next message) or any other byte ends the search
/// with nothing, so each identification looks only as far as its own data.
fn unframed_end(b: &[u8]) -> Option<usize> {
    let open = b.iter().take(17).position(|&c| c == b'(')?;
    if open == 0 || !b[..open].iter().all(|&c| c.is_ascii_alphanumeric() || b".:*&-_".contains(&c)) {
        return None;
    }
    let mut prev = LF;
    for (i, &c) in b.iter().enumerate().take(MAX_TELEGRAM) {
        match c {
            b'!' if prev == LF || prev == b')' => return Some(eol_at(b, i + 1).unwrap_or(i + 1)),
            b'/' if prev == LF => return None,
            CR | LF => {}
            c if !(0x20..0x7F).contains(&c) => return None,
            _ => {}
        }
        prev = c;
    }
    None
}

/// An ACK or NAK byte stands alone: it is the whole input, or another
/// IEC 62056-21 message (not a lone ACK/NAK) follows it completely. Binary
/// frames of other protocols hold 0x06 and 0x15 bytes too.
fn lone(b: &[u8]) -> bool {
    b.len() == 1
        || matches!(
            kind(&b[1..]),
            Some((k, FrameStatus::Complete { .. })) if k != Kind::Ack && k != Kind::Nak
        )
}

/// The end of a block started by SOH or STX: ETX or EOT, then the BCC byte.
/// `stx_at` is where a command message has its STX.
fn block_end(b: &[u8], stx_at: Option<usize>) -> Option<FrameStatus> {
    for (i, &c) in b.iter().enumerate().take(MAX_TELEGRAM).skip(1) {
        match c {
            // An empty block (`STX ETX`) is no message: binary frames hold such pairs.
            ETX | EOT if i == stx_at.unwrap_or(0) + 1 => return None,
            ETX | EOT => {
                return Some(if i + 1 < b.len() {
                    FrameStatus::Complete { preamble: 0, len: i + 2 }
                } else {
                    FrameStatus::Incomplete { preamble: 0, needed: Some(1) }
                });
            }
            // A new block starts before this one ended: not a block.
            STX if stx_at == Some(i) => {}
            SOH | STX => return None,
            // Only text, CR and LF inside a block.
            c if c < 0x20 && c != CR && c != LF => return None,
            _ => {}
        }
    }
    (b.len() < MAX_TELEGRAM).then_some(FrameStatus::Incomplete { preamble: 0, needed: None })
}

/// Where the parts of a DSMR telegram lie.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TelegramLayout {
    /// End of the header line (index of its CR or LF).
    pub header_end: usize,
    /// Index of the `!` end character, when present.
    pub bang: Option<usize>,
    /// The CRC digits after `!`.
    pub crc: Option<(usize, usize)>,
    /// Total length including the final line end.
    pub len: usize,
}

/// Delimit a DSMR telegram `/header CR LF CR LF data... ! CRC CR LF`.
pub fn telegram_layout(b: &[u8]) -> Option<(TelegramLayout, bool)> {
    if b.first() != Some(&b'/') || b.get(1) == Some(&b'?') {
        return None;
    }
    // The header starts with the manufacturer's three letters (`/ISk5`, `/KFM5`).
    if !b.iter().skip(1).take(3).all(u8::is_ascii_alphabetic) {
        return None;
    }
    let header_end = line_end(b, 1, MAX_LINE)?;
    if header_end < 4 || !b[1..header_end].iter().all(|&c| (0x20..0x7F).contains(&c)) {
        return None;
    }
    let after = eol_at(b, header_end)?;
    if dsmr_follows(b, after) == Some(false) {
        return None;
    }
    // The end: `!` at the start of a line; a `/` at the start of a line first
    // means this telegram was cut short and another one begins.
    let mut at_line_start = true;
    for i in after..b.len().min(MAX_TELEGRAM) {
        let c = b[i];
        if at_line_start && c == b'!' {
            let digits = b[i + 1..].iter().take(4).take_while(|c| c.is_ascii_hexdigit()).count();
            let crc = (digits > 0).then_some((i + 1, i + 1 + digits));
            let end = i + 1 + digits;
            let len = eol_at(b, end).unwrap_or(end);
            let whole = len < b.len() || end == b.len() || eol_at(b, end).is_some();
            return Some((TelegramLayout { header_end, bang: Some(i), crc, len }, whole));
        }
        if at_line_start && c == b'/' && i > after {
            return Some((TelegramLayout { header_end, bang: None, crc: None, len: i }, true));
        }
        at_line_start = c == LF;
    }
    Some((TelegramLayout { header_end, bang: None, crc: None, len: b.len() }, false))
}

/// Stream framing of DSMR P1 telegrams (plain text, or the header of an
/// encrypted telegram: general-glo-ciphering `DB 08 …`).
pub fn frame_dsmr(b: &[u8]) -> FrameStatus {
    match b.first() {
        Some(&b'/') => match telegram_layout(b) {
            Some((l, true)) => FrameStatus::Complete { preamble: 0, len: l.len },
            Some((_, false)) => {
                if b.len() >= MAX_TELEGRAM {
                    FrameStatus::NoMatch
                } else {
                    FrameStatus::Incomplete { preamble: 0, needed: None }
                }
            }
            None => FrameStatus::NoMatch,
        },
        Some(&0xDB) => match encrypted_len(b) {
            Some(Ok(len)) => FrameStatus::Complete { preamble: 0, len },
            Some(Err(needed)) => FrameStatus::Incomplete { preamble: 0, needed: Some(needed) },
            None => FrameStatus::NoMatch,
        },
        _ => FrameStatus::NoMatch,
    }
}

/// The header of an encrypted P1 telegram: tag 0xDB, system title (8 bytes),
/// A-XDR length, security control byte, invocation counter, then ciphertext
/// and the 12-byte authentication tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncryptedHeader {
    /// Length of the length field itself.
    pub len_bytes: usize,
    /// The stated length (security control byte through tag).
    pub length: usize,
}

/// Parse the header; `None` when the bytes are not an encrypted P1 header.
pub fn encrypted_header(b: &[u8]) -> Option<EncryptedHeader> {
    if b.first() != Some(&0xDB) || b.get(1) != Some(&0x08) {
        return None;
    }
    // The system title starts with a three-letter manufacturer id.
    if b.len() >= 5 && !b[2..5].iter().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let (len_bytes, length) = match *b.get(10)? {
        n if n < 0x80 => (1, usize::from(n)),
        0x81 => (2, usize::from(*b.get(11)?)),
        0x82 => (3, usize::from(*b.get(11)?) << 8 | usize::from(*b.get(12)?)),
        _ => return None,
    };
    // Security control, invocation counter and tag at least.
    if length < 5 + 12 {
        return None;
    }
    Some(EncryptedHeader { len_bytes, length })
}

/// Total length of an encrypted telegram, or the bytes still needed.
fn encrypted_len(b: &[u8]) -> Option<Result<usize, usize>> {
    if b.len() < 13 {
        // Too short to tell: a plausible start is incomplete.
        let plausible =
            b.get(1).is_none_or(|&c| c == 0x08) && b.iter().skip(2).take(3).all(|c| c.is_ascii_alphabetic());
        return plausible.then_some(Err(13 - b.len()));
    }
    let h = encrypted_header(b)?;
    let total = 10 + h.len_bytes + h.length;
    Some(if b.len() >= total { Ok(total) } else { Err(total - b.len()) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks() {
        assert_eq!(bcc(b"B0\x03"), 0x71);
        assert_eq!(bcc7(&[0xC2, 0x30, 0x03]), 0x71);
    }

    #[test]
    fn kinds() {
        assert_eq!(kind(b"/?!\r\n").map(|k| k.0), Some(Kind::Request));
        assert_eq!(frame_iec(b"/?!\r\n"), FrameStatus::Complete { preamble: 0, len: 5 });
        assert_eq!(frame_iec(b"/ISK5MT174-0001\r\n"), FrameStatus::Complete { preamble: 0, len: 17 });
        assert_eq!(frame_iec(b"/ISK5MT174\r\n\r\n1-0:1.8.0(1)\r\n!"), FrameStatus::NoMatch);
        assert!(matches!(frame_dsmr(b"/ISK5MT174\r\n\r\n1-0:1.8.0(1)\r\n!"), FrameStatus::Complete { len: 29, .. }));
        assert_eq!(frame_iec(b"/kWh)\r\n"), FrameStatus::NoMatch);
        assert_eq!(frame_iec(b"\x06050\r\n"), FrameStatus::Complete { preamble: 0, len: 6 });
        assert_eq!(frame_iec(b"\x06"), FrameStatus::Complete { preamble: 0, len: 1 });
        assert_eq!(frame_iec(b"\x06\x99"), FrameStatus::NoMatch);
        assert_eq!(frame_iec(b"\x06\x01\x04\x40"), FrameStatus::NoMatch);
        assert_eq!(frame_iec(b"\x06/?!\r\n"), FrameStatus::Complete { preamble: 0, len: 1 });
        assert_eq!(frame_iec(b"\x01B0\x03q"), FrameStatus::Complete { preamble: 0, len: 5 });
        assert_eq!(frame_iec(b"\x02(ERR04)\x03"), FrameStatus::Incomplete { preamble: 0, needed: Some(1) });
        assert_eq!(frame_iec(b"\x68\x01"), FrameStatus::NoMatch);
    }
}
