//! Logs saved by serial-port assistants: each line a time stamp and a
//! direction before the bytes of a write or a read, as field engineers save
//! them from the tools they read meters with.
//!
//! Recognised line heads (the time, the direction, or both, in either order):
//!
//! - `[10:13:11.326]发→◇68 11 …` and `[10:13:11.483]收←◆FE FE 68 …` (Chinese
//!   serial assistants; a trailing `□` is the tool's mark of a line end);
//! - `[2026-12-06 10:13:11.326]# SEND HEX>` or `# RECV HEX>` on a line of
//!   its own, the bytes on the lines after it;
//! - `06/12/2026 10:13:11.326 [TX] - 68 11 …` (Docklight-style);
//! - `10:13:11.326 TX: 68 11 …`, `RX:`, `Tx`, `Rx`, `SEND`, `RECV`, `发送`,
//!   `接收`, `->`, `<-`, `>>`, `<<` before the bytes.
//!
//! A line of hex after a head continues that write or read. The bytes of
//! each write or read start a line of the input (the registry splits frames
//! there), and each keeps its time and direction ([`Mark`]) for the surfaces
//! to show beside the frames it holds. A line with a head and no bytes
//! (`[10:13:11]打开串口`) is the tool's own note and carries nothing.

use core::fmt;

use crate::input::{Input, InputError, InputKind, error_at};

/// Who sent the bytes of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "lowercase"))]
pub enum Direction {
    /// Written by the tool (to the meter).
    Sent,
    /// Read by the tool (from the meter).
    Received,
}

impl Direction {
    /// `TX` / `RX`, and `发送` / `接收`.
    pub fn name(self, lang: crate::Lang) -> &'static str {
        match self {
            Direction::Sent => lang.pick("TX", "发送"),
            Direction::Received => lang.pick("RX", "接收"),
        }
    }
}

/// A time stamp as the log wrote it: a time of day, with the date and the
/// fraction of a second when the tool gave them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// Year, month, day.
    pub date: Option<(u16, u8, u8)>,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    /// The fraction of a second as written, and its number of digits (1-6).
    pub fraction: Option<(u32, u8)>,
}

impl fmt::Display for Stamp {
    /// `2026-12-06 10:13:11.326` (the date and fraction when present).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((y, m, d)) = self.date {
            write!(f, "{y:04}-{m:02}-{d:02} ")?;
        }
        write!(f, "{:02}:{:02}:{:02}", self.hour, self.minute, self.second)?;
        if let Some((v, n)) = self.fraction {
            write!(f, ".{v:0width$}", width = usize::from(n))?;
        }
        Ok(())
    }
}

/// One write or read of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    /// Where its bytes start in [`Input::bytes`], and how many there are.
    pub at: usize,
    pub len: usize,
    /// Its line in the log (1-based).
    pub line: usize,
    pub time: Option<Stamp>,
    pub direction: Option<Direction>,
}

/// A serial-assistant log read: the bytes (with a line start at each write
/// or read) and what each write or read was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    pub input: Input,
    pub marks: Vec<Mark>,
}

impl Log {
    /// The write or read holding input offset `at`.
    pub fn mark_at(&self, at: usize) -> Option<&Mark> {
        let i = self.marks.partition_point(|m| m.at <= at).checked_sub(1)?;
        self.marks.get(i).filter(|m| at < m.at + m.len.max(1))
    }
}

/// Read `src` as a serial-assistant log; `None` when it is not one (no line
/// has a time stamp or direction before bytes). A line with a head whose
/// rest is neither bytes nor a note is an error pinned to its first
/// character that is not hex.
pub fn read(src: &str) -> Option<Result<Log, InputError>> {
    let mut heads = 0;
    let mut lines = Vec::new();
    let mut base = 0;
    for (n, raw) in src.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let parsed = parse_line(line);
        if parsed.head {
            heads += 1;
        }
        lines.push((n + 1, base, line, parsed));
        base += raw.len() + 1;
    }
    if heads == 0 {
        return None;
    }
    let mut bytes = Vec::new();
    let mut marks: Vec<Mark> = Vec::new();
    // The time and direction of a head line without bytes, for the lines after it.
    let mut pending: Option<(usize, Option<Stamp>, Option<Direction>)> = None;
    for (number, base, line, p) in lines {
        let body = &line[p.body..];
        let data = match hex_bytes(body) {
            Ok(d) => d,
            // Words, not bytes: the tool's note (`打开串口`, `发送成功`) or a heading.
            Err(0) => continue,
            Err(at) => {
                let offset = base + p.body + at;
                let found = src[offset..].chars().next().unwrap_or(' ');
                let message = format!("'{found}' is not a hex digit (serial log: a write or read with its bytes)");
                return Some(Err(error_at(src, offset, found.len_utf8(), message)));
            }
        };
        if p.head {
            if data.is_empty() {
                pending = Some((number, p.time, p.direction));
                continue;
            }
            pending = None;
            marks.push(Mark { at: bytes.len(), len: 0, line: number, time: p.time, direction: p.direction });
        } else if data.is_empty() {
            continue;
        } else if let Some((line, time, direction)) = pending.take() {
            marks.push(Mark { at: bytes.len(), len: 0, line, time, direction });
        } else if marks.is_empty() {
            // Bytes before any head: a write or read of unknown time and direction.
            marks.push(Mark { at: 0, len: 0, line: number, time: None, direction: None });
        }
        bytes.extend_from_slice(&data);
        if let Some(m) = marks.last_mut() {
            m.len = bytes.len() - m.at;
        }
    }
    let line_starts = if marks.len() > 1 { marks.iter().map(|m| m.at).collect() } else { Vec::new() };
    Some(Ok(Log { input: Input { bytes, kind: InputKind::SerialLog, line_starts }, marks }))
}

/// What the head of a line says, and where its body starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Line {
    head: bool,
    time: Option<Stamp>,
    direction: Option<Direction>,
    body: usize,
}

/// Direction words, longest first where one starts another. Matched without
/// regard to ASCII case; each ends at a non-letter.
const DIRECTIONS: &[(&str, Direction)] = &[
    ("# SEND HEX>", Direction::Sent),
    ("# RECV HEX>", Direction::Received),
    ("发→◇", Direction::Sent),
    ("收←◆", Direction::Received),
    ("发→", Direction::Sent),
    ("收←", Direction::Received),
    ("发送", Direction::Sent),
    ("接收", Direction::Received),
    ("SEND", Direction::Sent),
    ("SENT", Direction::Sent),
    ("RECV", Direction::Received),
    ("RCVD", Direction::Received),
    ("READ", Direction::Received),
    ("WRITE", Direction::Sent),
    ("TX", Direction::Sent),
    ("RX", Direction::Received),
    ("->", Direction::Sent),
    ("<-", Direction::Received),
    (">>", Direction::Sent),
    ("<<", Direction::Received),
];

fn parse_line(line: &str) -> Line {
    let mut out = Line::default();
    let mut rest = line.trim_start();
    // Up to three head parts (time, direction, and a bracket or dash between them).
    for _ in 0..4 {
        rest = rest.trim_start_matches([' ', '\t', '|']);
        if out.time.is_none()
            && let Some((stamp, after)) = stamp(rest)
        {
            out.time = Some(stamp);
            rest = after;
            continue;
        }
        if out.direction.is_none()
            && let Some((dir, after)) = direction(rest)
        {
            out.direction = Some(dir);
            rest = after;
            continue;
        }
        break;
    }
    out.head = out.time.is_some() || out.direction.is_some();
    let rest = rest.trim_start_matches([' ', '\t', '-', ':', '|', '>', ']']);
    out.body = line.len() - rest.len();
    out
}

/// A direction word at the start of `s` (in brackets or not) and what follows it.
fn direction(s: &str) -> Option<(Direction, &str)> {
    let (inner, bracketed) = match s.strip_prefix('[').or_else(|| s.strip_prefix('(')) {
        Some(r) => (r, true),
        None => (s, false),
    };
    for &(word, dir) in DIRECTIONS {
        let Some(head) = inner.get(..word.len()) else { continue };
        if !head.eq_ignore_ascii_case(word) {
            continue;
        }
        let after = &inner[word.len()..];
        let ascii_word = word.bytes().all(|b| b.is_ascii_alphabetic());
        // `TX` must not be the start of a word or of hex (`TXT`, or `RX` in a sentence).
        if ascii_word && after.chars().next().is_some_and(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        // Two-letter words without brackets need a separator after them (`TX:`, `TX `), not hex glued on.
        let after = if bracketed { after.trim_start().strip_prefix([']', ')'])? } else { after };
        if ascii_word && !bracketed && !after.starts_with([':', ' ', '\t', '>', '-', '|']) && !after.is_empty() {
            continue;
        }
        return Some((dir, after));
    }
    None
}

/// A time stamp at the start of `s`, with an optional date before it and
/// brackets around: `[2026-12-06 10:13:11.326]`, `06/12/2026 10:13:11,326`,
/// `10:13:11`.
fn stamp(s: &str) -> Option<(Stamp, &str)> {
    let (mut rest, bracketed) = match s.strip_prefix('[') {
        Some(r) => (r, true),
        None => (s, false),
    };
    let mut date = None;
    if let Some((d, after)) = date_part(rest) {
        date = Some(d);
        rest = after.strip_prefix([' ', 'T', '_'])?;
    }
    let (h, r) = number(rest, 2)?;
    let r = r.strip_prefix(':')?;
    let (m, r) = number(r, 2)?;
    let r = r.strip_prefix(':')?;
    let (sec, mut r) = number(r, 2)?;
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let mut fraction = None;
    if let Some(f) = r.strip_prefix(['.', ',']) {
        let n = f.bytes().take_while(u8::is_ascii_digit).count().min(6);
        if n > 0 {
            fraction = Some((f[..n].parse().ok()?, n as u8));
            r = &f[n..];
            // Digits past the sixth are dropped.
            r = r.trim_start_matches(|c: char| c.is_ascii_digit());
        }
    }
    if bracketed {
        r = r.trim_start().strip_prefix(']')?;
    }
    // The stamp must end where a word would (`12:34:56:78` is hex with colons).
    if !bracketed && (r.starts_with(':') || r.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())) {
        return None;
    }
    let stamp = Stamp { date, hour: h as u8, minute: m as u8, second: sec as u8, fraction };
    Some((stamp, r))
}

/// `2026-12-06`, `2026/12/06`, `2026.12.06`, or `06/12/2026`, `06.12.2026`.
fn date_part(s: &str) -> Option<((u16, u8, u8), &str)> {
    let (a, r) = number(s, 4)?;
    let sep = r.chars().next().filter(|c| matches!(c, '-' | '/' | '.'))?;
    let (b, r) = number(&r[1..], 2)?;
    let r = r.strip_prefix(sep)?;
    let (c, r) = number(r, 4)?;
    let (y, m, d) = if a >= 1000 { (a, b, c) } else { (c, b, a) };
    if !(1970..=2999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(((y as u16, m as u8, d as u8), r))
}

/// A decimal number of 1 to `max` digits at the start of `s`.
fn number(s: &str, max: usize) -> Option<(u32, &str)> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || n > max {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

/// The bytes of a line's body: pairs of hex digits, spaced or not, with an
/// optional `0x` on each; a trailing `□` (a line end as some tools show it)
/// and white space are ignored. Err: the offset of the first character
/// that is not part of the hex.
fn hex_bytes(body: &str) -> Result<Vec<u8>, usize> {
    let body = body.trim_end().trim_end_matches('□').trim_end();
    let mut out = Vec::with_capacity(body.len() / 3 + 1);
    let b = body.as_bytes();
    let mut i = 0;
    let mut half: Option<(u8, usize)> = None;
    while i < b.len() {
        let c = b[i];
        if c == b' ' || c == b'\t' || c == b',' {
            if let Some((_, at)) = half {
                return Err(at);
            }
            i += 1;
            continue;
        }
        if half.is_none() && (c == b'0') && matches!(b.get(i + 1), Some(b'x' | b'X')) {
            i += 2;
            continue;
        }
        let Some(v) = (c as char).to_digit(16) else { return Err(i) };
        match half.take() {
            Some((hi, _)) => out.push(hi << 4 | v as u8),
            None => half = Some((v as u8, i)),
        }
        i += 1;
    }
    match half {
        Some((_, at)) => Err(at),
        None => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(src: &str) -> Log {
        read(src).expect("a serial log").expect("read")
    }

    #[test]
    fn chinese_serial_assistant_lines() {
        let src = "[10:13:11.326]发→◇68 11 11 11 11 11 11 68 11 04 33 33 34 33 B3 16 □\r\n\
                   [10:13:11.483]收←◆FE FE FE FE 68 11 11 11 11 11 11 68 91 08 33 33 34 33 A4 56 33 33 BC 16 \r\n";
        let log = ok(src);
        assert_eq!(log.input.kind, InputKind::SerialLog);
        assert_eq!(log.marks.len(), 2);
        assert_eq!(log.marks[0].direction, Some(Direction::Sent));
        assert_eq!(log.marks[1].direction, Some(Direction::Received));
        assert_eq!(log.marks[0].time.map(|t| t.to_string()).as_deref(), Some("10:13:11.326"));
        assert_eq!((log.marks[0].at, log.marks[0].len), (0, 16));
        assert_eq!((log.marks[1].at, log.marks[1].len), (16, 24));
        assert_eq!(log.input.line_starts, vec![0, 16]);
        assert_eq!(log.input.bytes[16..20], [0xFE; 4]);
        assert_eq!(log.mark_at(20).map(|m| m.line), Some(2));
    }

    #[test]
    fn a_head_on_its_own_line_and_bytes_after_it() {
        let src = "[2026-12-06 10:13:11.326]# SEND HEX>\n68 11 11 11 11 11 11 68 11 04 33 33 34 33 B3 16\n\n\
                   [2026-12-06 10:13:11.483]# RECV HEX>\nFE FE 68 11 11 11 11 11 11 68 91 08\n33 33 34 33 A4 56 33 33 BC 16\n";
        let log = ok(src);
        assert_eq!(log.marks.len(), 2);
        assert_eq!(log.marks[1].len, 22, "a continued line joins its read");
        assert_eq!(log.marks[1].line, 4);
        assert_eq!(log.marks[1].time.map(|t| t.to_string()).as_deref(), Some("2026-12-06 10:13:11.483"));
        assert_eq!(log.marks[1].direction, Some(Direction::Received));
    }

    #[test]
    fn other_tools_heads() {
        for (src, dir, time) in [
            ("06/12/2026 10:13:11.326 [TX] - 68 AA 16", Direction::Sent, "2026-12-06 10:13:11.326"),
            ("10:13:11,5 RX: 68 AA 16", Direction::Received, "10:13:11.5"),
            ("[10:13:11] >> 68AA16", Direction::Sent, "10:13:11"),
            ("2026-12-06T10:13:11.123456 Rx 68 AA 16", Direction::Received, "2026-12-06 10:13:11.123456"),
            ("[10:13:11.100] 接收: 68 AA 16", Direction::Received, "10:13:11.100"),
            ("TX 10:13:11.100 68 AA 16", Direction::Sent, "10:13:11.100"),
        ] {
            let log = ok(src);
            assert_eq!(log.input.bytes, [0x68, 0xAA, 0x16], "{src}");
            assert_eq!(log.marks[0].direction, Some(dir), "{src}");
            assert_eq!(log.marks[0].time.map(|t| t.to_string()).as_deref(), Some(time), "{src}");
        }
    }

    #[test]
    fn notes_of_the_tool_carry_nothing() {
        let log = ok("[10:13:10.000]打开串口 COM3\n[10:13:11.326]发→◇68 AA 16 □\n[10:13:11.400]发送成功\n");
        assert_eq!(log.input.bytes, [0x68, 0xAA, 0x16]);
        assert_eq!(log.marks.len(), 1);
    }

    #[test]
    fn not_a_log() {
        assert!(read("68 11 04 33 33 34 33 B3 16").is_none());
        assert!(read("00000000  68 11 11 11 11 11 11 68  |h......h|").is_none());
        assert!(read("/ISK5\\2M550T-1012\r\n\r\n1-0:1.8.1(000123.456*kWh)\r\n!").is_none());
        assert!(read("AB CD EF").is_none());
        // Colon-separated hex that reads like a time is hex.
        assert!(read("12:34:56:78:9A").is_none());
    }

    #[test]
    fn a_bad_byte_is_pinned() {
        let src = "[10:13:11.326]发→◇68 11 1G 16\n";
        let e = ok_err(src);
        assert_eq!((e.line, e.found), (1, 'G'));
        assert_eq!(&src[e.offset..e.offset + 1], "G");
        let e = ok_err("10:13:11 TX: 68 1\n");
        assert_eq!(e.found, '1');
    }

    fn ok_err(src: &str) -> InputError {
        match read(src) {
            Some(Err(e)) => e,
            other => panic!("expected an error, got {other:?}"),
        }
    }
}
