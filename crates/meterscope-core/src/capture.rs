//! Packet captures (pcap and pcapng, as Wireshark and tcpdump write them):
//! the TCP and UDP payloads they carry, reassembled per stream in sequence
//! order, laid end to end as one input for the registry, stream after
//! stream, each payload chunk starting a line (so unrecognised bytes split
//! at chunk boundaries, and bare APDUs are tried at each chunk's start).
//!
//! Links read: Ethernet (with VLAN tags), Linux cooked (SLL, SLL2), raw IP,
//! BSD loopback. IPv4 (fragments are skipped with a note) and IPv6 (with
//! the common extension headers).

use std::collections::BTreeMap;

/// An address and port of one end of a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Endpoint {
    /// IPv4 addresses are stored mapped (`::ffff:a.b.c.d`).
    pub ip: [u8; 16],
    pub port: u16,
}

impl core::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let ip = &self.ip;
        if ip[..10].iter().all(|&b| b == 0) && ip[10] == 0xFF && ip[11] == 0xFF {
            write!(f, "{}.{}.{}.{}:{}", ip[12], ip[13], ip[14], ip[15], self.port)
        } else {
            let words: Vec<String> = ip.chunks(2).map(|w| format!("{:x}", u16::from_be_bytes([w[0], w[1]]))).collect();
            write!(f, "[{}]:{}", words.join(":"), self.port)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Transport {
    Tcp,
    Udp,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Tcp => "TCP",
            Transport::Udp => "UDP",
        }
    }
}

/// A run of payload bytes from one end of a stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// Where the bytes are in [`Capture::bytes`].
    pub offset: usize,
    pub len: usize,
    /// Capture time of the (first) packet, microseconds since the epoch.
    pub time_us: u64,
    pub from: Endpoint,
    pub to: Endpoint,
    /// Index in [`Capture::streams`].
    pub stream: usize,
}

/// A TCP connection or a UDP flow: both directions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stream {
    pub transport: Transport,
    /// The end that sent first, and the other.
    pub a: Endpoint,
    pub b: Endpoint,
    /// The stream's bytes in [`Capture::bytes`].
    pub offset: usize,
    pub len: usize,
}

/// The payloads of a capture, ready for the registry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capture {
    pub bytes: Vec<u8>,
    /// Offsets where a chunk begins (the registry's line starts).
    pub line_starts: Vec<usize>,
    pub chunks: Vec<Chunk>,
    pub streams: Vec<Stream>,
    /// Packets read, and what was left aside (not IP, fragments, gaps).
    pub packets: usize,
    pub notes: Vec<String>,
}

/// Why a capture could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptureError {
    /// Offset in the file.
    pub offset: usize,
    pub message: String,
}

impl core::fmt::Display for CaptureError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "capture: {} (at byte {})", self.message, self.offset)
    }
}

fn err<T>(offset: usize, message: impl Into<String>) -> Result<T, CaptureError> {
    Err(CaptureError { offset, message: message.into() })
}

/// Whether `file` starts like a pcap or pcapng file.
pub fn is_capture(file: &[u8]) -> bool {
    matches!(
        file.get(..4),
        Some([0xD4, 0xC3, 0xB2, 0xA1] | [0xA1, 0xB2, 0xC3, 0xD4] | [0x4D, 0x3C, 0xB2, 0xA1] | [0xA1, 0xB2, 0x3C, 0x4D])
            | Some([0x0A, 0x0D, 0x0D, 0x0A])
    )
}

/// One captured packet: link type, time, its bytes.
struct Packet<'a> {
    link: u16,
    time_us: u64,
    data: &'a [u8],
}

fn u16_at(b: &[u8], at: usize, le: bool) -> Option<u16> {
    let w = [*b.get(at)?, *b.get(at + 1)?];
    Some(if le { u16::from_le_bytes(w) } else { u16::from_be_bytes(w) })
}

fn u32_at(b: &[u8], at: usize, le: bool) -> Option<u32> {
    let w = [*b.get(at)?, *b.get(at + 1)?, *b.get(at + 2)?, *b.get(at + 3)?];
    Some(if le { u32::from_le_bytes(w) } else { u32::from_be_bytes(w) })
}

/// The packets of a classic pcap file.
fn pcap_packets(file: &[u8]) -> Result<Vec<Packet<'_>>, CaptureError> {
    let (le, nanos) = match file[..4] {
        [0xD4, 0xC3, 0xB2, 0xA1] => (true, false),
        [0xA1, 0xB2, 0xC3, 0xD4] => (false, false),
        [0x4D, 0x3C, 0xB2, 0xA1] => (true, true),
        _ => (false, true),
    };
    let Some(link) = u32_at(file, 20, le) else { return err(file.len(), "the file header is cut short") };
    let link = (link & 0xFFFF) as u16;
    let mut out = Vec::new();
    let mut at = 24;
    while at < file.len() {
        let (Some(sec), Some(frac), Some(incl)) =
            (u32_at(file, at, le), u32_at(file, at + 4, le), u32_at(file, at + 8, le))
        else {
            return err(at, "a packet header is cut short");
        };
        let start = at + 16;
        let Some(data) = file.get(start..start + incl as usize) else {
            return err(at, format!("a packet of {incl} bytes runs past the end of the file"));
        };
        let frac_us = if nanos { u64::from(frac) / 1000 } else { u64::from(frac) };
        out.push(Packet { link, time_us: u64::from(sec) * 1_000_000 + frac_us, data });
        at = start + incl as usize;
    }
    Ok(out)
}

/// The packets of a pcapng file (enhanced and simple packet blocks).
fn pcapng_packets(file: &[u8]) -> Result<Vec<Packet<'_>>, CaptureError> {
    // Interfaces of the current section: link type and ticks per second.
    let mut interfaces: Vec<(u16, u64)> = Vec::new();
    let mut le = true;
    let mut out = Vec::new();
    let mut at = 0;
    while at < file.len() {
        let Some(kind) = u32_at(file, at, le) else { return err(at, "a block header is cut short") };
        if kind == 0x0A0D0D0A {
            // Section header: its byte-order magic sets the byte order.
            le = match file.get(at + 8..at + 12) {
                Some([0x4D, 0x3C, 0x2B, 0x1A]) => true,
                Some([0x1A, 0x2B, 0x3C, 0x4D]) => false,
                Some(_) => return err(at + 8, "the section header's byte-order magic is wrong"),
                None => return err(at, "the section header is cut short"),
            };
            interfaces.clear();
        }
        let Some(len) = u32_at(file, at + 4, le) else { return err(at, "a block header is cut short") };
        let len = len as usize;
        if len < 12 || !len.is_multiple_of(4) {
            return err(at + 4, format!("a block length of {len} bytes is not a multiple of 4 of at least 12"));
        }
        let Some(block) = file.get(at..at + len) else {
            return err(at, format!("a block of {len} bytes runs past the end of the file"));
        };
        let body = &block[8..len - 4];
        match kind {
            1 => {
                // Interface description: link type, then options (if_tsresol = 9).
                let link = u16_at(body, 0, le).unwrap_or(0);
                let mut ticks = 1_000_000u64;
                let mut o = 8;
                while let (Some(code), Some(olen)) = (u16_at(body, o, le), u16_at(body, o + 2, le)) {
                    if code == 0 {
                        break;
                    }
                    if code == 9
                        && let Some(&r) = body.get(o + 4)
                    {
                        let exp = u32::from(r & 0x7F);
                        ticks = if r & 0x80 == 0 { 10u64.checked_pow(exp) } else { 2u64.checked_pow(exp) }
                            .unwrap_or(1_000_000);
                    }
                    o += 4 + usize::from(olen).div_ceil(4) * 4;
                }
                interfaces.push((link, ticks.max(1)));
            }
            6 => {
                // Enhanced packet: interface, time (high, low), captured length.
                let (Some(iface), Some(hi), Some(lo), Some(cap)) =
                    (u32_at(body, 0, le), u32_at(body, 4, le), u32_at(body, 8, le), u32_at(body, 12, le))
                else {
                    return err(at, "an enhanced packet block is cut short");
                };
                let Some(&(link, ticks)) = interfaces.get(iface as usize) else {
                    return err(at + 8, format!("a packet names interface {iface}, which is not described"));
                };
                let Some(data) = body.get(20..20 + cap as usize) else {
                    return err(at, "a packet runs past its block");
                };
                let t = (u64::from(hi) << 32 | u64::from(lo)) as u128 * 1_000_000 / u128::from(ticks);
                out.push(Packet { link, time_us: t as u64, data });
            }
            3 => {
                // Simple packet: original length, then the data (interface 0, no time).
                let link = interfaces.first().map_or(1, |i| i.0);
                out.push(Packet { link, time_us: 0, data: body.get(4..).unwrap_or_default() });
            }
            _ => {}
        }
        at += len;
    }
    Ok(out)
}

/// A transport payload found in a packet.
struct Segment<'a> {
    transport: Transport,
    from: Endpoint,
    to: Endpoint,
    /// TCP: sequence number and flags (SYN, FIN).
    seq: u32,
    syn: bool,
    payload: &'a [u8],
}

/// The IP packet inside a link-layer frame.
fn ip_of(link: u16, d: &[u8]) -> Option<&[u8]> {
    match link {
        // Ethernet, with 802.1Q / 802.1ad tags.
        1 => {
            let mut at = 12;
            let mut ty = u16_at(d, at, false)?;
            while ty == 0x8100 || ty == 0x88A8 {
                at += 4;
                ty = u16_at(d, at, false)?;
            }
            matches!(ty, 0x0800 | 0x86DD).then(|| d.get(at + 2..)).flatten()
        }
        // BSD loopback: a 4-byte address family in host order.
        0 => d.get(4..),
        // Raw IP.
        101 | 228 | 229 | 12 | 14 => Some(d),
        // Linux cooked capture v1 and v2.
        113 => d.get(16..),
        276 => d.get(20..),
        _ => None,
    }
}

fn segment_of(ip: &[u8]) -> Result<Option<Segment<'_>>, &'static str> {
    let Some(&v) = ip.first() else { return Ok(None) };
    let (proto, src, dst, rest) = match v >> 4 {
        4 => {
            let ihl = usize::from(v & 0x0F) * 4;
            let total = usize::from(u16_at(ip, 2, false).ok_or("a cut IPv4 header")?);
            let frag = u16_at(ip, 6, false).ok_or("a cut IPv4 header")?;
            if frag & 0x3FFF != 0 {
                return Err("IPv4 fragments (not reassembled)");
            }
            let (Some(s), Some(d)) = (ip.get(12..16), ip.get(16..20)) else { return Err("a cut IPv4 header") };
            let mut src = [0u8; 16];
            let mut dst = [0u8; 16];
            src[10..12].copy_from_slice(&[0xFF, 0xFF]);
            dst[10..12].copy_from_slice(&[0xFF, 0xFF]);
            src[12..].copy_from_slice(s);
            dst[12..].copy_from_slice(d);
            let end = total.min(ip.len());
            (ip[9], src, dst, ip.get(ihl..end).ok_or("a cut IPv4 header")?)
        }
        6 => {
            let plen = usize::from(u16_at(ip, 4, false).ok_or("a cut IPv6 header")?);
            let src: [u8; 16] = ip.get(8..24).ok_or("a cut IPv6 header")?.try_into().unwrap_or_default();
            let dst: [u8; 16] = ip.get(24..40).ok_or("a cut IPv6 header")?.try_into().unwrap_or_default();
            let mut next = ip[6];
            let mut rest = ip.get(40..(40 + plen).min(ip.len())).ok_or("a cut IPv6 header")?;
            // Hop-by-hop, routing, destination options.
            while matches!(next, 0 | 43 | 60) {
                let (Some(&n), Some(&l)) = (rest.first(), rest.get(1)) else {
                    return Err("a cut IPv6 extension header");
                };
                let skip = (usize::from(l) + 1) * 8;
                next = n;
                rest = rest.get(skip..).ok_or("a cut IPv6 extension header")?;
            }
            if next == 44 {
                return Err("IPv6 fragments (not reassembled)");
            }
            (next, src, dst, rest)
        }
        _ => return Ok(None),
    };
    let ports = |r: &[u8]| Some((u16_at(r, 0, false)?, u16_at(r, 2, false)?));
    match proto {
        6 => {
            let (sp, dp) = ports(rest).ok_or("a cut TCP header")?;
            let seq = u32_at(rest, 4, false).ok_or("a cut TCP header")?;
            let off = usize::from(*rest.get(12).ok_or("a cut TCP header")? >> 4) * 4;
            let flags = *rest.get(13).ok_or("a cut TCP header")?;
            let payload = rest.get(off..).ok_or("a cut TCP header")?;
            Ok(Some(Segment {
                transport: Transport::Tcp,
                from: Endpoint { ip: src, port: sp },
                to: Endpoint { ip: dst, port: dp },
                seq,
                syn: flags & 0x02 != 0,
                payload,
            }))
        }
        17 => {
            let (sp, dp) = ports(rest).ok_or("a cut UDP header")?;
            Ok(Some(Segment {
                transport: Transport::Udp,
                from: Endpoint { ip: src, port: sp },
                to: Endpoint { ip: dst, port: dp },
                seq: 0,
                syn: false,
                payload: rest.get(8..).ok_or("a cut UDP header")?,
            }))
        }
        _ => Ok(None),
    }
}

/// One direction of a TCP connection while it is reassembled: offsets are
/// relative to its first sequence number.
#[derive(Default)]
struct Direction {
    base: Option<u32>,
    /// Bytes placed so far.
    placed: u64,
    /// Segments that arrived ahead of the bytes placed: offset, time, payload.
    ahead: BTreeMap<u64, (u64, Vec<u8>)>,
}

/// A piece of a stream: time, sender, receiver, bytes.
type Piece = (u64, Endpoint, Endpoint, Vec<u8>);

impl Direction {
    /// Place a payload at `offset`: what is new of it now, then whatever
    /// waited for it.
    fn place(&mut self, offset: u64, time: u64, payload: &[u8], ends: (Endpoint, Endpoint), out: &mut Vec<Piece>) {
        if offset > self.placed {
            self.ahead.entry(offset).or_insert((time, payload.to_vec()));
            return;
        }
        self.take(offset, time, payload, ends, out);
        while let Some(entry) = self.ahead.first_entry() {
            if *entry.key() > self.placed {
                break;
            }
            let (at, (t, bytes)) = entry.remove_entry();
            self.take(at, t, &bytes, ends, out);
        }
    }

    fn take(&mut self, offset: u64, time: u64, payload: &[u8], (from, to): (Endpoint, Endpoint), out: &mut Vec<Piece>) {
        let skip = (self.placed - offset) as usize;
        if skip < payload.len() {
            out.push((time, from, to, payload[skip..].to_vec()));
            self.placed += (payload.len() - skip) as u64;
        }
    }
}

/// Read a pcap or pcapng file: `None` when `file` is not one.
pub fn read(file: &[u8]) -> Option<Result<Capture, CaptureError>> {
    if !is_capture(file) {
        return None;
    }
    let packets = if file[0] == 0x0A { pcapng_packets(file) } else { pcap_packets(file) };
    Some(packets.map(|p| assemble(&p)))
}

/// Payloads per stream in capture order, TCP in sequence order.
fn assemble(packets: &[Packet<'_>]) -> Capture {
    type Key = (Transport, Endpoint, Endpoint);
    let mut cap = Capture { packets: packets.len(), ..Capture::default() };
    let mut skipped: BTreeMap<&'static str, usize> = BTreeMap::new();
    // Streams in order of first appearance, each with its pieces in order.
    let mut order: Vec<Key> = Vec::new();
    let mut pieces: BTreeMap<Key, Vec<Piece>> = BTreeMap::new();
    let mut dirs: BTreeMap<(Endpoint, Endpoint), Direction> = BTreeMap::new();
    let mut gaps = 0usize;
    for p in packets {
        let Some(ip) = ip_of(p.link, p.data) else {
            *skipped.entry("not IP").or_default() += 1;
            continue;
        };
        let s = match segment_of(ip) {
            Ok(Some(s)) => s,
            Ok(None) => {
                *skipped.entry("neither TCP nor UDP").or_default() += 1;
                continue;
            }
            Err(why) => {
                *skipped.entry(why).or_default() += 1;
                continue;
            }
        };
        let key = if s.from <= s.to { (s.transport, s.from, s.to) } else { (s.transport, s.to, s.from) };
        let list = pieces.entry(key).or_insert_with(|| {
            order.push(key);
            Vec::new()
        });
        match s.transport {
            Transport::Udp => {
                if !s.payload.is_empty() {
                    list.push((p.time_us, s.from, s.to, s.payload.to_vec()));
                }
            }
            Transport::Tcp => {
                let d = dirs.entry((s.from, s.to)).or_default();
                let seq = if s.syn { s.seq.wrapping_add(1) } else { s.seq };
                let base = *d.base.get_or_insert(seq);
                if !s.payload.is_empty() {
                    let offset = u64::from(seq.wrapping_sub(base));
                    d.place(offset, p.time_us, s.payload, (s.from, s.to), list);
                }
            }
        }
    }
    // Bytes that never followed on: placed after the gap, which is said.
    for ((from, to), d) in &mut dirs {
        let key = if from <= to { (Transport::Tcp, *from, *to) } else { (Transport::Tcp, *to, *from) };
        while let Some((at, (t, bytes))) = d.ahead.pop_first() {
            if at > d.placed {
                gaps += 1;
                d.placed = at;
            }
            if let Some(list) = pieces.get_mut(&key) {
                d.take(at, t, &bytes, (*from, *to), list);
            }
        }
    }
    if gaps > 0 {
        cap.notes.push(format!("{gaps} gap(s) in TCP streams: bytes missing from the capture"));
    }
    for key in order {
        let list = &pieces[&key];
        if list.is_empty() {
            continue;
        }
        let stream = cap.streams.len();
        let offset = cap.bytes.len();
        let (a, b) = (list[0].1, list[0].2);
        for (t, from, to, bytes) in list {
            // Consecutive pieces from the same end are one chunk.
            match cap.chunks.last_mut() {
                Some(c) if c.stream == stream && c.from == *from => c.len += bytes.len(),
                _ => {
                    cap.line_starts.push(cap.bytes.len());
                    cap.chunks.push(Chunk {
                        offset: cap.bytes.len(),
                        len: bytes.len(),
                        time_us: *t,
                        from: *from,
                        to: *to,
                        stream,
                    });
                }
            }
            cap.bytes.extend_from_slice(bytes);
        }
        cap.streams.push(Stream { transport: key.0, a, b, offset, len: cap.bytes.len() - offset });
    }
    for (why, n) in skipped {
        cap.notes.push(format!("{n} packet(s) left aside: {why}"));
    }
    cap
}

/// Writers of small captures (Ethernet, IPv4 or IPv6, TCP), for tests and
/// for tools that record a session as a capture.
pub mod write {
    /// An Ethernet + IPv4 + TCP packet (`v6`: IPv6 instead) from `src` to
    /// `dst` (address, port) with sequence number `seq` and TCP `flags`.
    pub fn tcp(src: ([u8; 4], u16), dst: ([u8; 4], u16), seq: u32, flags: u8, payload: &[u8], v6: bool) -> Vec<u8> {
        let mut tcp = Vec::new();
        tcp.extend_from_slice(&src.1.to_be_bytes());
        tcp.extend_from_slice(&dst.1.to_be_bytes());
        tcp.extend_from_slice(&seq.to_be_bytes());
        tcp.extend_from_slice(&[0, 0, 0, 0, 0x50, flags, 0xFF, 0xFF, 0, 0, 0, 0]);
        tcp.extend_from_slice(payload);
        let mut p = vec![0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2];
        if v6 {
            p.extend_from_slice(&[0x86, 0xDD, 0x60, 0, 0, 0]);
            p.extend_from_slice(&(tcp.len() as u16).to_be_bytes());
            p.extend_from_slice(&[6, 64]);
            for a in [src.0, dst.0] {
                p.extend_from_slice(&[0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
                p.extend_from_slice(&a);
            }
        } else {
            p.extend_from_slice(&[0x08, 0x00, 0x45, 0]);
            p.extend_from_slice(&((20 + tcp.len()) as u16).to_be_bytes());
            p.extend_from_slice(&[0, 0, 0x40, 0, 64, 6, 0, 0]);
            p.extend_from_slice(&src.0);
            p.extend_from_slice(&dst.0);
        }
        p.extend_from_slice(&tcp);
        p
    }

    /// A classic pcap file (microseconds, little-endian, Ethernet).
    pub fn pcap(packets: &[(u64, Vec<u8>)]) -> Vec<u8> {
        let mut f = vec![0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 1, 0, 0, 0];
        for (t, p) in packets {
            f.extend_from_slice(&((t / 1_000_000) as u32).to_le_bytes());
            f.extend_from_slice(&((t % 1_000_000) as u32).to_le_bytes());
            f.extend_from_slice(&(p.len() as u32).to_le_bytes());
            f.extend_from_slice(&(p.len() as u32).to_le_bytes());
            f.extend_from_slice(p);
        }
        f
    }

    /// A pcapng file: section header, one Ethernet interface, enhanced packets.
    pub fn pcapng(packets: &[(u64, Vec<u8>)]) -> Vec<u8> {
        let block = |kind: u32, body: &[u8]| {
            let len = 12 + body.len().div_ceil(4) * 4;
            let mut b = kind.to_le_bytes().to_vec();
            b.extend_from_slice(&(len as u32).to_le_bytes());
            b.extend_from_slice(body);
            b.resize(len - 4, 0);
            b.extend_from_slice(&(len as u32).to_le_bytes());
            b
        };
        let mut f =
            block(0x0A0D0D0A, &[0x4D, 0x3C, 0x2B, 0x1A, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        f.extend(block(1, &[1, 0, 0, 0, 0, 0, 0, 0]));
        for (t, p) in packets {
            let mut body = vec![0, 0, 0, 0];
            body.extend_from_slice(&((t >> 32) as u32).to_le_bytes());
            body.extend_from_slice(&(*t as u32).to_le_bytes());
            body.extend_from_slice(&(p.len() as u32).to_le_bytes());
            body.extend_from_slice(&(p.len() as u32).to_le_bytes());
            body.extend_from_slice(p);
            f.extend(block(6, &body));
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::write::{pcap, pcapng, tcp};
    use super::*;
    use crate::{Options, Registry, parse_input};

    fn hex(s: &str) -> Vec<u8> {
        parse_input(s).unwrap().bytes
    }

    const CLIENT: ([u8; 4], u16) = ([192, 168, 1, 10], 50123);
    const METER: ([u8; 4], u16) = ([192, 168, 1, 20], 4059);

    /// A DLMS wrapper GET and its response, the response in two segments sent
    /// out of order and once again (a retransmission).
    fn dlms_session(v6: bool) -> Vec<(u64, Vec<u8>)> {
        let get = hex("00 01 00 10 00 01 00 0D C0 01 C1 00 03 01 00 00 07 00 FF 02 00");
        let resp = hex("00 01 00 01 00 10 00 09 C4 01 C1 00 17 42 CA 00 00");
        let (a, b) = resp.split_at(6);
        vec![
            (1_000_000, tcp(CLIENT, METER, 100, 0x02, &[], v6)),
            (1_000_100, tcp(METER, CLIENT, 900, 0x12, &[], v6)),
            (1_000_200, tcp(CLIENT, METER, 101, 0x18, &get, v6)),
            (1_050_000, tcp(METER, CLIENT, 901 + 6, 0x18, b, v6)),
            (1_050_100, tcp(METER, CLIENT, 901, 0x18, a, v6)),
            (1_050_200, tcp(METER, CLIENT, 901, 0x18, a, v6)),
            (1_060_000, tcp(CLIENT, METER, 101 + get.len() as u32, 0x11, &[], v6)),
        ]
    }

    #[test]
    fn tcp_payloads_are_reassembled_and_dissected_in_order() {
        for file in [pcap(&dlms_session(false)), pcapng(&dlms_session(true))] {
            let cap = read(&file).expect("a capture").expect("read");
            assert_eq!(cap.packets, 7);
            assert_eq!(cap.streams.len(), 1);
            assert_eq!(cap.streams[0].transport, Transport::Tcp);
            assert_eq!(cap.chunks.len(), 2, "{:?}", cap.chunks);
            assert_eq!((cap.chunks[0].from.port, cap.chunks[1].from.port), (50123, 4059));
            assert_eq!(cap.chunks[1].time_us, 1_050_100);
            assert_eq!(cap.line_starts, [0, 21]);
            let d = Registry::default().dissect(&cap.bytes, &cap.line_starts, &Options::default());
            let frames: Vec<_> = d.frames.iter().map(|f| (f.protocol, f.valid, f.span.start)).collect();
            assert_eq!(frames, [("dlms-wrapper", true, 0), ("dlms-wrapper", true, 21)]);
            assert!(cap.notes.is_empty(), "{:?}", cap.notes);
        }
        assert!(format!("{}", Endpoint { ip: [0; 16], port: 1 }).starts_with("[0:0:"));
    }

    #[test]
    fn not_a_capture_and_broken_captures() {
        assert!(read(b"68 AA").is_none());
        let mut file = pcap(&dlms_session(false));
        file.truncate(file.len() - 3);
        let e = read(&file).unwrap().unwrap_err();
        assert!(e.message.contains("runs past the end"), "{e}");
        assert!(e.offset > 24 && e.offset < file.len());
        // A pcapng magic and two more bytes (a fuzzer's find: the error
        // pointed past the end of the file).
        let e = read(&[0x0A, 0x0D, 0x0D, 0x0A, 0x61, 0x09]).unwrap().unwrap_err();
        assert_eq!((e.offset, e.message.as_str()), (0, "the section header is cut short"));
        for n in 0..40 {
            let f = pcapng(&dlms_session(false));
            if let Some(Err(e)) = read(&f[..n.min(f.len())]) {
                assert!(e.offset <= n, "{n}: {e}");
            }
        }
        let mut ng = pcapng(&dlms_session(false));
        ng[4] = 13;
        assert!(read(&ng).unwrap().unwrap_err().message.contains("multiple of 4"));
        // A gap: the first half of the response never captured.
        let mut packets = dlms_session(false);
        packets.retain(|(t, _)| *t != 1_050_100 && *t != 1_050_200);
        let cap = read(&pcap(&packets)).unwrap().unwrap();
        assert_eq!(cap.notes, ["1 gap(s) in TCP streams: bytes missing from the capture"]);
        assert_eq!(cap.bytes.len(), 21 + 11);
    }

    /// Arbitrary bytes after a pcap header never panic.
    #[test]
    fn random_captures_never_panic() {
        let mut rng = crate::session::Rng::new(9);
        let base = pcapng(&dlms_session(true));
        for _ in 0..3000 {
            let mut f = base.clone();
            for _ in 0..rng.range(1, 8) {
                let i = rng.range(0, f.len() as u64 - 1) as usize;
                f[i] = rng.range(0, 255) as u8;
            }
            let _ = read(&f);
        }
    }
}
