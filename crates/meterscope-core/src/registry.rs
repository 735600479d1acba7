//! The protocol registry: stream framing over a whole input, auto-detection
//! with a ranked list, and a manual override.

use crate::lang::Lang;
use crate::model::{Dissection, Frame, Junk};
use crate::span::Span;
use crate::unknown;
use crate::view::Diagnostic;

/// What a protocol's framer makes of the bytes at the current position.
///
/// "Not enough bytes yet" is not an error: a reader keeps the bytes and waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameStatus {
    /// After `preamble` wake-up bytes, a whole frame of `len` bytes.
    Complete { preamble: usize, len: usize },
    /// After `preamble` bytes, a frame starts but is not complete;
    /// `needed` more bytes are expected when the length is known.
    Incomplete { preamble: usize, needed: Option<usize> },
    /// No frame of this protocol starts here.
    NoMatch,
}

impl FrameStatus {
    /// The answer `d` bytes further inside the preamble (see [`Protocol::preamble_byte`]).
    fn later_in_preamble(self, d: usize) -> FrameStatus {
        match self {
            FrameStatus::Complete { preamble, len } => FrameStatus::Complete { preamble: preamble - d, len },
            FrameStatus::Incomplete { preamble, needed } => FrameStatus::Incomplete { preamble: preamble - d, needed },
            FrameStatus::NoMatch => FrameStatus::NoMatch,
        }
    }
}

/// One candidate's framing at a position, each run of its preamble byte
/// framed once: the run's extent and the answer at its start (any other
/// position's answer is kept for that position alone). Candidates that
/// frame alike ([`Protocol::framing_key`]) share one memo, so the first of
/// them frames and the others are answered from it.
#[derive(Clone, Copy, Default)]
struct RunMemo(Option<(usize, usize, FrameStatus)>);

impl RunMemo {
    fn frame(&mut self, p: &dyn Protocol, preamble: Option<u8>, bytes: &[u8], pos: usize) -> FrameStatus {
        let Some(b) = preamble else { return p.frame(&bytes[pos..]) };
        if let Some((start, end, at_start)) = self.0
            && pos >= start
            && pos < end
        {
            return at_start.later_in_preamble(pos - start);
        }
        let status = p.frame(&bytes[pos..]);
        let end = pos + bytes[pos..].iter().take_while(|&&x| x == b).count().max(1);
        self.0 = Some((pos, end, status));
        status
    }
}

/// Options of one decode.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Language of labels, texts and messages.
    pub lang: Lang,
    /// Decode as this protocol only (a registry name); `None` means auto-detect.
    pub protocol: Option<String>,
    /// Strict policy: warnings also make a frame invalid. Tolerant (the default)
    /// reports them and keeps the frame valid.
    pub strict: bool,
    /// Keys for ciphered APDUs (DLMS security suite 0, encrypted DSMR P1)
    /// and encrypted wireless M-Bus telegrams.
    pub keys: Keys,
}

/// Security material a user typed in. Held in memory for one decode; never
/// part of a permalink or of a dissection.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Keys {
    /// AES-128 global or dedicated cipher key (EK); for wireless M-Bus the
    /// meter's AES key (security modes 5 and 7, the ELL's AES-CTR).
    pub cipher_key: Option<[u8; 16]>,
    /// AES-128 authentication key (AK).
    pub auth_key: Option<[u8; 16]>,
    /// System title (8 bytes) to use when the bytes do not carry one.
    pub system_title: Option<[u8; 8]>,
}

impl core::fmt::Debug for Keys {
    /// Key material is never printed.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Keys")
            .field("cipher_key", &self.cipher_key.map(|_| "set"))
            .field("auth_key", &self.auth_key.map(|_| "set"))
            .field("system_title", &self.system_title)
            .finish()
    }
}

/// One protocol family member known to the registry.
///
/// Implementations never panic and never loop unboundedly on any input.
pub trait Protocol: Sync + Send {
    /// Registry name, also the `protocol` of frames (`dlt645-2007`).
    fn name(&self) -> &'static str;
    /// Human title in a language.
    fn title(&self, lang: Lang) -> &'static str;
    /// Stream framing at the start of `bytes`.
    fn frame(&self, bytes: &[u8]) -> FrameStatus;
    /// How well a complete candidate frame fits, 0 (not at all) to 100 (every check passes).
    fn score(&self, frame: &[u8]) -> u8;
    /// An anchored protocol has no delimiters of its own (bare APDUs): the
    /// registry tries it only at the start of the input and at input line
    /// starts, never at every byte, which keeps scanning linear.
    fn anchored(&self) -> bool {
        false
    }
    /// The byte this framer skips before a frame (wake-up `FE`, HDLC flags
    /// `7E`), if any. Contract: started anywhere inside a run of it, `frame`
    /// answers as it does at the run's start, with the preamble shorter by
    /// the distance. The registry then frames each run once, which keeps the
    /// walk linear on long runs (a line idling on flags, wake-up bytes).
    fn preamble_byte(&self) -> Option<u8> {
        None
    }
    /// Whether `frame` can answer anything but [`FrameStatus::NoMatch`] for
    /// bytes starting with `b` (a preamble byte included). The registry asks
    /// each protocol once per byte value and then, at each position of a
    /// walk, frames only with the protocols that can start there. The
    /// default, every byte, is always right.
    fn may_start(&self, b: u8) -> bool {
        let _ = b;
        true
    }
    /// Protocols that give the same key frame all bytes alike (editions that
    /// share one frame, with the same preamble byte): in a walk the first of
    /// them asked at a position frames, the others get its answer. The
    /// default, no key, is a framing of its own.
    fn framing_key(&self) -> Option<&'static str> {
        None
    }
    /// Whether the protocol's frames are lines of text (IEC 62056-21, DSMR
    /// P1): a page shows their bytes as text by default, without naming them.
    fn text(&self) -> bool {
        false
    }
    /// Dissect one frame. `base` is the absolute offset of `frame[0]` in the input,
    /// to be added to every span. Never fails: returns what it could build plus diagnostics.
    fn dissect(&self, frame: &[u8], base: usize, opts: &Options) -> Frame;
}

/// Scores below this are weak: such a frame is taken only where a line or a
/// frame ends, not right after unrecognised bytes.
const WEAK: u8 = 45;

/// A ranked guess of auto-detection.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Guess {
    pub protocol: &'static str,
    pub title: &'static str,
    /// 0–100.
    pub score: u8,
    /// Where the first frame of this protocol starts.
    pub offset: usize,
}

/// What a protocol family finds across the frames of one input (joined
/// fragments, segments and blocks, checks over several frames, tables):
/// `run` is called only for inputs with a frame of one of `protocols`
/// (registry names, `unknown` for bytes no protocol recognised).
#[derive(Clone, Copy)]
pub struct Analyser {
    pub protocols: &'static [&'static str],
    pub run: fn(&Dissection, &[u8], &Options) -> Vec<crate::model::Analysis>,
}

impl Analyser {
    /// Whether the input has a frame this analysis looks at.
    fn applies(&self, d: &Dissection) -> bool {
        d.frames.iter().any(|f| self.protocols.iter().any(|&p| core::ptr::eq(p, f.protocol) || p == f.protocol))
    }
}

/// The set of protocols the core knows, and the analyses run across their
/// frames. `Registry::default()` (in [`crate::protocols`]) has every one.
pub struct Registry {
    protocols: Vec<Box<dyn Protocol>>,
    /// `anchored()` and `preamble_byte()` of each protocol, asked once.
    anchored: Vec<bool>,
    /// The preamble byte of each protocol and the memo it frames through
    /// (its own, or the one of the first protocol with its framing key).
    preamble: Vec<(Option<u8>, usize)>,
    /// For each byte value, a bit per protocol (the first 32) that may start
    /// a frame with it ([`Protocol::may_start`]); the rest are always asked.
    starts: Box<[u32; 256]>,
    analysers: Vec<Analyser>,
}

impl Registry {
    pub fn new(protocols: Vec<Box<dyn Protocol>>) -> Self {
        let anchored = protocols.iter().map(|p| p.anchored()).collect();
        let keys: Vec<_> = protocols.iter().map(|p| p.framing_key()).collect();
        let preamble = protocols
            .iter()
            .zip(&keys)
            .enumerate()
            .map(|(k, (p, key))| {
                let memo = key.and_then(|_| keys.iter().position(|other| other == key)).unwrap_or(k);
                (p.preamble_byte(), memo)
            })
            .collect();
        let mut starts = Box::new([0u32; 256]);
        for (b, mask) in starts.iter_mut().enumerate() {
            for (k, p) in protocols.iter().enumerate().take(32) {
                if p.may_start(b as u8) {
                    *mask |= 1 << k;
                }
            }
        }
        Registry { protocols, anchored, preamble, starts, analysers: Vec::new() }
    }

    /// The same registry running these analyses after framing.
    pub fn with_analysers(mut self, analysers: Vec<Analyser>) -> Self {
        self.analysers = analysers;
        self
    }

    pub fn protocols(&self) -> impl Iterator<Item = &dyn Protocol> {
        self.protocols.iter().map(|p| p.as_ref())
    }

    pub fn get(&self, name: &str) -> Option<&dyn Protocol> {
        self.protocols().find(|p| p.name().eq_ignore_ascii_case(name))
    }

    /// Names accepted by `Options::protocol`.
    pub fn names(&self) -> Vec<&'static str> {
        self.protocols().map(|p| p.name()).collect()
    }

    /// Ranked guesses: for each protocol, its first complete frame and its score,
    /// best first. Protocols that frame nothing are left out.
    pub fn detect(&self, bytes: &[u8], lang: Lang) -> Vec<Guess> {
        let mut out: Vec<Guess> = Vec::new();
        for p in self.protocols() {
            let mut pos = 0;
            let mut memo = RunMemo::default();
            while pos < bytes.len() && (pos == 0 || !p.anchored()) {
                match memo.frame(p, p.preamble_byte(), bytes, pos) {
                    FrameStatus::Complete { preamble, len } => {
                        let start = pos + preamble;
                        let score = p.score(&bytes[start..start + len]);
                        // Frames that start later fit the input less well.
                        let penalty = if pos == 0 { 0 } else { 10 };
                        out.push(Guess {
                            protocol: p.name(),
                            title: p.title(lang),
                            score: score.saturating_sub(penalty),
                            offset: start,
                        });
                        break;
                    }
                    FrameStatus::Incomplete { preamble, .. } if pos == 0 => {
                        out.push(Guess { protocol: p.name(), title: p.title(lang), score: 20, offset: preamble });
                        break;
                    }
                    _ => pos += 1,
                }
            }
        }
        out.sort_by(|a, b| b.score.cmp(&a.score).then(a.offset.cmp(&b.offset)));
        out
    }

    /// Split an input into frames and junk and dissect every frame.
    ///
    /// `line_starts` are offsets where input lines began; bytes no protocol
    /// recognises are shown as unknown frames split at those lines.
    pub fn dissect(&self, bytes: &[u8], line_starts: &[usize], opts: &Options) -> Dissection {
        let forced = self.forced(opts);
        let mut out = Dissection::default();
        // Room for the few frames of most inputs at once (growing from
        // nothing cost more than the allocation).
        if !bytes.is_empty() {
            out.frames.reserve_exact(4);
        }
        self.walk(bytes, line_starts, forced, &mut |found| match found {
            Found::Frame(p, span) => out.frames.push(finish(p.dissect(&bytes[span.range()], span.start, opts), opts)),
            Found::Unknown(span) => out.frames.push(unknown::dissect(&bytes[span.range()], span.start)),
            Found::Junk(span, reason) => {
                // The room a first push would make (four), made at once for
                // the first junk (most often wake-up bytes before a frame):
                // growing an empty vector cost more.
                if out.junk.capacity() == 0 {
                    out.junk = Vec::with_capacity(4);
                }
                out.junk.push(Junk { span, reason })
            }
        });

        // An override that framed nothing: show that protocol's reading of all bytes.
        if let Some(p) = forced
            && !bytes.is_empty()
            && out.frames.iter().all(|f| f.protocol == unknown::NAME)
        {
            out.frames = vec![finish(p.dissect(bytes, 0, opts), opts)];
            out.junk.clear();
        }
        out.frames.sort_by_key(|f| f.span.start);
        for analyser in &self.analysers {
            if !analyser.applies(&out) {
                continue;
            }
            let found = (analyser.run)(&out, bytes, opts);
            out.analyses.extend(found);
        }
        out
    }

    /// Split an input into frames and junk without dissecting anything: the
    /// framing half of [`Registry::dissect`] (same walk, same choices), in byte
    /// order. A frame's span is what `dissect` would give that frame.
    pub fn split(&self, bytes: &[u8], line_starts: &[usize], opts: &Options) -> Vec<Piece> {
        let forced = self.forced(opts);
        let mut out = Vec::new();
        let mut framed = false;
        self.walk(bytes, line_starts, forced, &mut |found| {
            out.push(match found {
                Found::Frame(p, span) => {
                    framed = true;
                    Piece::Frame { protocol: p.name(), span }
                }
                Found::Unknown(span) => Piece::Frame { protocol: unknown::NAME, span },
                Found::Junk(span, reason) => Piece::Junk { span, reason },
            })
        });
        if let Some(p) = forced
            && !bytes.is_empty()
            && !framed
        {
            return vec![Piece::Frame { protocol: p.name(), span: Span::new(0, bytes.len()) }];
        }
        out.sort_by_key(|p| p.span().start);
        out
    }

    /// One frame [`Registry::split`] found, dissected on its own: the frame
    /// [`Registry::dissect`] gives for it (without the analyses across frames).
    /// `protocol` is the piece's protocol name (`unknown` for unrecognised
    /// bytes); `base` is where `bytes` start in the input.
    pub fn dissect_piece(&self, protocol: &str, bytes: &[u8], base: usize, opts: &Options) -> Frame {
        match self.protocols().find(|p| p.name() == protocol) {
            Some(p) => finish(p.dissect(bytes, base, opts), opts),
            None => unknown::dissect(bytes, base),
        }
    }

    /// The protocol an override names, if it names one this registry knows.
    fn forced(&self, opts: &Options) -> Option<&dyn Protocol> {
        opts.protocol.as_deref().filter(|n| !n.eq_ignore_ascii_case("auto")).and_then(|n| self.get(n))
    }

    /// The walk behind `dissect` and `split`: at each position ask every
    /// candidate to frame, keep the best complete frame, and report frames,
    /// unrecognised bytes and junk to `emit` as they are found.
    fn walk<'a>(
        &'a self,
        bytes: &[u8],
        line_starts: &[usize],
        forced: Option<&'a dyn Protocol>,
        emit: &mut impl FnMut(Found<'a>),
    ) {
        // The forced protocol alone, or every protocol (with whether it is anchored).
        let forced = forced.map(|p| (p, p.anchored(), (p.preamble_byte(), 0)));
        // The candidates by index: the forced protocol alone (index 0), or every protocol.
        let count = if forced.is_some() { 1 } else { self.protocols.len() };
        let candidate = |k: usize| match forced {
            Some(f) => f,
            None => (self.protocols[k].as_ref(), self.anchored[k], self.preamble[k]),
        };
        // Frames reported so far, unknown ones included.
        let mut frames = 0usize;
        let mut pos = 0;
        let mut junk_start: Option<usize> = None;
        // First position where a frame started but was incomplete: position, preamble, protocol.
        let mut pending: Option<(usize, usize, &dyn Protocol)> = None;
        // Each candidate's framing of the preamble run it is in (registries of
        // more than 32 protocols frame the rest without the memo).
        let mut memos = [RunMemo::default(); 32];

        while pos < bytes.len() {
            // The best complete frame here; scored only when another one
            // competes with it (the first of equal scores wins).
            let mut best: Option<(Option<u8>, &dyn Protocol, usize, usize)> = None;
            let at_line_start = pos == 0 || line_starts.binary_search(&pos).is_ok();
            // Only the candidates that can start with this byte (a forced
            // protocol always), in registry order: the first 32 by their bits,
            // any others always.
            let mut may = if forced.is_some() { 1 } else { self.starts[usize::from(bytes[pos])] };
            let by_bits = core::iter::from_fn(|| {
                let k = may.trailing_zeros() as usize;
                may &= may.wrapping_sub(1);
                (k < 32).then_some(k)
            });
            for k in by_bits.chain(32..count) {
                let (p, anchored, (preamble, memo)) = candidate(k);
                if anchored && !at_line_start {
                    continue;
                }
                let mut spare = RunMemo::default();
                let memo = memos.get_mut(memo).unwrap_or(&mut spare);
                match memo.frame(p, preamble, bytes, pos) {
                    FrameStatus::Complete { preamble, len } if len > 0 && pos + preamble + len <= bytes.len() => {
                        let start = pos + preamble;
                        match &mut best {
                            None => best = Some((None, p, preamble, len)),
                            Some((held, q, q_pre, q_len)) => {
                                let q_start = pos + *q_pre;
                                let held = *held.get_or_insert_with(|| q.score(&bytes[q_start..q_start + *q_len]));
                                let score = p.score(&bytes[start..start + len]);
                                if score > held {
                                    best = Some((Some(score), p, preamble, len));
                                }
                            }
                        }
                    }
                    FrameStatus::Incomplete { preamble, .. } if pending.is_none() => {
                        pending = Some((pos, preamble, p));
                    }
                    _ => {}
                }
            }
            // A weak frame (a lone ACK, a guess) right after unrecognised bytes
            // is more of them: it stands only where a line or a frame ends.
            if let Some((held, p, preamble, len)) = best
                && junk_start.is_some()
                && !at_line_start
            {
                let start = pos + preamble;
                if held.unwrap_or_else(|| p.score(&bytes[start..start + len])) < WEAK {
                    best = None;
                }
            }
            match best {
                Some((_, p, preamble, len)) => {
                    if let Some(js) = junk_start.take() {
                        frames += unclaimed(bytes.len(), js, pos, line_starts, frames, emit);
                    }
                    if preamble > 0 {
                        emit(Found::Junk(Span::at(pos, preamble), "preamble"));
                    }
                    let start = pos + preamble;
                    emit(Found::Frame(p, Span::at(start, len)));
                    frames += 1;
                    pos = start + len;
                    pending = None;
                }
                None => {
                    junk_start.get_or_insert(pos);
                    pos += 1;
                }
            }
        }

        // A frame that started and never completed: dissect what is there.
        if let (Some((at, preamble, p)), Some(js)) = (pending, junk_start) {
            if js < at {
                frames += unclaimed(bytes.len(), js, at, line_starts, frames, emit);
            }
            if preamble > 0 {
                emit(Found::Junk(Span::at(at, preamble), "preamble"));
            }
            let start = at + preamble;
            emit(Found::Frame(p, Span::new(start, bytes.len())));
            junk_start = None;
        }
        if let Some(js) = junk_start {
            unclaimed(bytes.len(), js, bytes.len(), line_starts, frames, emit);
        }
    }
}

/// One piece of an input as [`Registry::split`] finds it, before any dissection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece {
    /// A frame and the registry name of the protocol that framed it (`unknown`
    /// for bytes no protocol recognises). A frame cut short by the end of the
    /// input runs to the end.
    Frame { protocol: &'static str, span: Span },
    /// Bytes between frames and why they were skipped (`preamble`, `unrecognised`).
    Junk { span: Span, reason: &'static str },
}

impl Piece {
    pub fn span(&self) -> Span {
        match self {
            Piece::Frame { span, .. } | Piece::Junk { span, .. } => *span,
        }
    }
}

/// What the registry's walk finds, in the order found.
enum Found<'a> {
    Frame(&'a dyn Protocol, Span),
    Unknown(Span),
    Junk(Span, &'static str),
}

/// Bytes `[start, end)` no protocol claimed: junk when a frame stands before
/// or after them on the same input line, otherwise unknown frames, one per
/// input line, so that unsupported frames in a pasted log stay visible.
/// Returns the number of unknown frames reported.
fn unclaimed<'a>(
    len: usize,
    start: usize,
    end: usize,
    line_starts: &[usize],
    frames_before: usize,
    emit: &mut impl FnMut(Found<'a>),
) -> usize {
    let framed_any = frames_before > 0 || end < len;
    let mut cuts: Vec<usize> = line_starts.iter().copied().filter(|&l| l > start && l < end).collect();
    let whole_lines = !line_starts.is_empty()
        && (start == 0 || line_starts.contains(&start))
        && (end == len || line_starts.contains(&end));
    if framed_any && cuts.is_empty() && !whole_lines {
        emit(Found::Junk(Span::new(start, end), "unrecognised"));
        return 0;
    }
    cuts.insert(0, start);
    cuts.push(end);
    for w in cuts.windows(2) {
        emit(Found::Unknown(Span::new(w[0], w[1])));
    }
    cuts.len() - 1
}

/// Apply the policy: in strict mode warnings invalidate a frame too.
fn finish(mut frame: Frame, opts: &Options) -> Frame {
    if opts.strict && frame.diagnostics.iter().any(|d| d.severity >= crate::model::Severity::Warning) {
        frame.valid = false;
    }
    frame
}

/// The diagnostic for a frame cut short by the end of the input, on a
/// language-neutral frame: pinned to the end of the input (`span_end`).
pub fn truncated_diag(frame: &mut Frame, span_end: usize, needed: Option<usize>, code: &'static str) {
    let message = match needed {
        Some(n) => crate::msg!("the input ends here; {} more byte(s) expected", "输入在此结束，还缺 {} 个字节", n),
        None => crate::msg!("the input ends before the frame is complete", "输入在帧结束前终止"),
    };
    frame.diag(crate::model::Severity::Error, Span::at(span_end, 0), code, message);
}

/// A diagnostic for a frame cut short by the end of the input.
pub fn truncated(span_end: usize, needed: Option<usize>, code: &str, lang: Lang) -> Diagnostic {
    let msg = match (needed, lang) {
        (Some(n), Lang::En) => format!("the input ends here; {n} more byte(s) expected"),
        (Some(n), Lang::Zh) => format!("输入在此结束，还缺 {n} 个字节"),
        (None, Lang::En) => "the input ends before the frame is complete".to_string(),
        (None, Lang::Zh) => "输入在帧结束前终止".to_string(),
    };
    Diagnostic::error(Span::at(span_end, 0), code, msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Check, Msg, NONE, NodeKind, Severity};
    use crate::msg;

    /// A toy protocol for registry tests: `AA len payload… sum`, with `55` wake-up bytes.
    struct Toy;
    impl Protocol for Toy {
        fn name(&self) -> &'static str {
            "toy"
        }
        fn title(&self, _: Lang) -> &'static str {
            "Toy"
        }
        fn frame(&self, b: &[u8]) -> FrameStatus {
            let pre = b.iter().take_while(|&&x| x == 0x55).count();
            let b = &b[pre..];
            match b {
                [] => FrameStatus::NoMatch,
                [0xAA] => FrameStatus::Incomplete { preamble: pre, needed: None },
                [0xAA, len, ..] => {
                    let total = 3 + *len as usize;
                    if b.len() >= total {
                        FrameStatus::Complete { preamble: pre, len: total }
                    } else {
                        FrameStatus::Incomplete { preamble: pre, needed: Some(total - b.len()) }
                    }
                }
                _ => FrameStatus::NoMatch,
            }
        }
        fn score(&self, f: &[u8]) -> u8 {
            let sum = f[..f.len() - 1].iter().fold(0u8, |a, b| a.wrapping_add(*b));
            if sum == f[f.len() - 1] { 100 } else { 50 }
        }
        fn dissect(&self, f: &[u8], base: usize, _: &Options) -> Frame {
            let span = Span::at(base, f.len());
            let mut frame = Frame::new("toy", f, base);
            frame.add(NONE, "toy", span, NodeKind::Data).label(Msg::Str("Toy"));
            if f.len() >= 3 && f.len() == 3 + f[1] as usize {
                let sum = f[..f.len() - 1].iter().fold(0u8, |a, b| a.wrapping_add(*b));
                let stated = f[f.len() - 1];
                frame.check(Check {
                    id: "toy.sum".into(),
                    label: Msg::Str("sum"),
                    stated: msg!("0x{:02X}", "0x{:02X}", stated),
                    computed: msg!("0x{:02X}", "0x{:02X}", sum),
                    ok: sum == stated,
                    span: Span::at(base + f.len() - 1, 1),
                });
            } else {
                frame.diag(Severity::Error, Span::at(base + f.len(), 0), "toy.truncated", msg!("cut", "截断"));
            }
            frame.finish()
        }
    }

    fn reg() -> Registry {
        Registry::new(vec![Box::new(Toy)])
    }

    #[test]
    fn protocols_past_the_32nd_are_asked_too() {
        // 32 protocols that start with nothing, then the toy: only the toy frames.
        struct Never;
        impl Protocol for Never {
            fn name(&self) -> &'static str {
                "never"
            }
            fn title(&self, _: Lang) -> &'static str {
                "Never"
            }
            fn frame(&self, _: &[u8]) -> FrameStatus {
                FrameStatus::NoMatch
            }
            fn score(&self, _: &[u8]) -> u8 {
                0
            }
            fn may_start(&self, _: u8) -> bool {
                false
            }
            fn dissect(&self, f: &[u8], base: usize, _: &Options) -> Frame {
                Frame::new("never", f, base).finish()
            }
        }
        let mut all: Vec<Box<dyn Protocol>> = (0..32).map(|_| Box::new(Never) as Box<dyn Protocol>).collect();
        all.push(Box::new(Toy));
        let b = [0x01, 0x55, 0xAA, 0x01, 0x10, 0xBB];
        let d = Registry::new(all).dissect(&b, &[], &Options::default());
        let spans: Vec<_> = d.frames.iter().map(|f| (f.protocol, f.span)).collect();
        assert_eq!(spans, vec![("toy", Span::new(2, 6))]);
    }

    #[test]
    fn frames_junk_and_preamble() {
        // junk(2) | pre(2) frame(4) | frame(3) | junk(1)
        let b = [0x01, 0x02, 0x55, 0x55, 0xAA, 0x01, 0x10, 0xBB, 0xAA, 0x00, 0xAA, 0x07];
        let d = reg().dissect(&b, &[], &Options::default());
        let spans: Vec<_> = d.frames.iter().map(|f| (f.protocol, f.span)).collect();
        assert_eq!(spans, vec![("toy", Span::new(4, 8)), ("toy", Span::new(8, 11))]);
        assert!(d.frames[0].valid && d.frames[1].valid);
        assert_eq!(
            d.junk,
            vec![
                Junk { span: Span::new(0, 2), reason: "unrecognised" },
                Junk { span: Span::new(2, 4), reason: "preamble" },
                Junk { span: Span::new(11, 12), reason: "unrecognised" }
            ]
        );
        // Every byte is accounted for.
        let covered: usize =
            d.frames.iter().map(|f| f.span.len()).sum::<usize>() + d.junk.iter().map(|j| j.span.len()).sum::<usize>();
        assert_eq!(covered, b.len());
    }

    #[test]
    fn bad_checksum_frame_is_invalid_but_kept() {
        let d = reg().dissect(&[0xAA, 0x01, 0x10, 0x00], &[], &Options::default());
        assert_eq!(d.frames.len(), 1);
        assert!(!d.frames[0].valid);
        assert_eq!(d.frames[0].checks[0].computed.to_string(Lang::En), "0xBB");
    }

    #[test]
    fn truncated_frame_at_the_end() {
        // `AA 00 AA` is a whole frame; `AA 05 01` starts one that never ends.
        let d = reg().dissect(&[0xAA, 0x00, 0xAA, 0xAA, 0x05, 0x01], &[], &Options::default());
        assert_eq!(d.frames.len(), 2);
        assert_eq!(d.frames[1].span, Span::new(3, 6));
        assert!(!d.frames[1].valid);
        assert_eq!(d.frames[1].diagnostics[0].code.key(), "toy.truncated");
    }

    #[test]
    fn truncated_frame_keeps_its_preamble_as_junk() {
        let d = reg().dissect(&[0x01, 0x55, 0x55, 0xAA, 0x05, 0x01], &[], &Options::default());
        assert_eq!(d.frames.iter().map(|f| (f.protocol, f.span)).collect::<Vec<_>>(), vec![("toy", Span::new(3, 6))]);
        assert_eq!(
            d.junk,
            vec![
                Junk { span: Span::new(0, 1), reason: "unrecognised" },
                Junk { span: Span::new(1, 3), reason: "preamble" }
            ]
        );
    }

    #[test]
    fn unsupported_lines_between_frames_stay_frames() {
        // line 1: a toy frame; line 2: unrecognised bytes; line 3: a toy frame.
        let d = reg().dissect(&[0xAA, 0x00, 0xAA, 0x01, 0x02, 0xAA, 0x00, 0xAA], &[0, 3, 5], &Options::default());
        let kinds: Vec<_> = d.frames.iter().map(|f| (f.protocol, f.span)).collect();
        assert_eq!(kinds, vec![("toy", Span::new(0, 3)), ("unknown", Span::new(3, 5)), ("toy", Span::new(5, 8))]);
    }

    #[test]
    fn incomplete_start_inside_junk_does_not_swallow_later_frames() {
        // `AA 09` looks like the start of a long frame, but a complete one follows.
        let d = reg().dissect(&[0xAA, 0x09, 0x00, 0xAA, 0x00, 0xAA], &[], &Options::default());
        let toys: Vec<_> = d.frames.iter().filter(|f| f.protocol == "toy").map(|f| f.span).collect();
        assert_eq!(toys, vec![Span::new(3, 6)]);
    }

    #[test]
    fn nothing_recognised_becomes_unknown_frames_per_line() {
        let d = reg().dissect(&[1, 2, 3, 4, 5], &[0, 3], &Options::default());
        assert_eq!(d.frames.iter().map(|f| f.span).collect::<Vec<_>>(), vec![Span::new(0, 3), Span::new(3, 5)]);
        assert!(d.frames.iter().all(|f| f.protocol == "unknown" && !f.valid));
    }

    /// Random byte strings: every byte ends up in exactly one frame or junk entry,
    /// in order, and every node span lies inside its frame.
    #[test]
    fn random_bytes_are_all_accounted_for() {
        let mut rng = crate::testkit::Rng::new(0x2545_F491_4F6C_DD1D);
        let mut next = || rng.next_u64();
        let alphabet = [0x00, 0x55, 0xAA, 0x01, 0x02, 0xFF];
        for _ in 0..5_000 {
            let len = (next() % 40) as usize;
            let b: Vec<u8> = (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect();
            let d = reg().dissect(&b, &[], &Options::default());
            let mut spans: Vec<Span> = d.frames.iter().map(|f| f.span).chain(d.junk.iter().map(|j| j.span)).collect();
            spans.sort();
            let mut at = 0;
            for s in &spans {
                assert_eq!(s.start, at, "{b:02X?}: gap or overlap at {at}: {spans:?}");
                at = s.end;
            }
            assert_eq!(at, b.len(), "{b:02X?}");
            for f in &d.frames {
                for n in &f.nodes {
                    assert!(f.span.encloses(n.span), "{b:02X?}: node {:?} outside frame", n.id);
                }
            }
        }
    }

    /// `split` is the framing half of `dissect`: the same frames (protocol and
    /// span) and the same junk, in byte order, on random inputs with line starts
    /// and overrides, including truncated frames and unknown lines.
    #[test]
    fn split_finds_what_dissect_finds() {
        let mut rng = crate::testkit::Rng::new(0x9E37_79B9_7F4A_7C15);
        let mut next = || rng.next_u64();
        let alphabet = [0x00, 0x55, 0xAA, 0x01, 0x02, 0xC0, 0xEE];
        let r = Registry::new(vec![Box::new(Toy), Box::new(Bare)]);
        let overrides = [None, Some("toy"), Some("bare"), Some("auto")];
        for i in 0..5_000 {
            let len = (next() % 40) as usize;
            let b: Vec<u8> = (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect();
            let mut lines: Vec<usize> = (0..len).filter(|_| next() % 8 == 0).collect();
            if !lines.is_empty() {
                lines.insert(0, 0);
                lines.dedup();
            }
            let opts = Options { protocol: overrides[i % overrides.len()].map(String::from), ..Options::default() };
            let d = r.dissect(&b, &lines, &opts);
            let mut want: Vec<Piece> = d
                .frames
                .iter()
                .map(|f| Piece::Frame { protocol: r.get(f.protocol).map_or(unknown::NAME, |p| p.name()), span: f.span })
                .chain(d.junk.iter().map(|j| Piece::Junk {
                    span: j.span,
                    reason: if j.reason == "preamble" { "preamble" } else { "unrecognised" },
                }))
                .collect();
            want.sort_by_key(|p| p.span().start);
            assert_eq!(r.split(&b, &lines, &opts), want, "{b:02X?} lines {lines:?} {opts:?}");
        }
        // The pieces of a plain input, by hand: junk, preamble, frame, unknown line.
        let b = [0x01, 0x55, 0xAA, 0x00, 0xAA, 0x02, 0x03];
        assert_eq!(
            reg().split(&b, &[0, 5], &Options::default()),
            vec![
                Piece::Junk { span: Span::new(0, 1), reason: "unrecognised" },
                Piece::Junk { span: Span::new(1, 2), reason: "preamble" },
                Piece::Frame { protocol: "toy", span: Span::new(2, 5) },
                Piece::Frame { protocol: "unknown", span: Span::new(5, 7) },
            ]
        );
    }

    /// A protocol without delimiters: any bytes from a line start to its end.
    struct Bare;
    impl Protocol for Bare {
        fn name(&self) -> &'static str {
            "bare"
        }
        fn title(&self, _: Lang) -> &'static str {
            "Bare"
        }
        fn frame(&self, b: &[u8]) -> FrameStatus {
            match b.first() {
                Some(0xC0) => FrameStatus::Complete { preamble: 0, len: b.iter().take_while(|&&x| x != 0xEE).count() },
                _ => FrameStatus::NoMatch,
            }
        }
        fn score(&self, _: &[u8]) -> u8 {
            10
        }
        fn anchored(&self) -> bool {
            true
        }
        fn dissect(&self, f: &[u8], base: usize, _: &Options) -> Frame {
            let mut frame = Frame::new("bare", f, base);
            frame.add(NONE, "bare", Span::at(base, f.len()), NodeKind::Data);
            frame.finish()
        }
    }

    /// A lone ACK is an IEC 62056-21 acknowledgement alone or after a frame,
    /// not the last byte of unrecognised bytes.
    #[test]
    fn weak_frames_stand_only_after_a_frame_or_a_line_end() {
        let r = Registry::default();
        let protocols = |b: &[u8]| {
            let d = r.dissect(b, &[], &Options::default());
            d.frames.iter().map(|f| (f.protocol, f.span.start)).collect::<Vec<_>>()
        };
        assert_eq!(protocols(&[0x06]), [("iec62056-21", 0)]);
        assert_eq!(protocols(&[0x9C, 0x11, 0x06]), [("unknown", 0)]);
        let mut b = b"/?!\r\n".to_vec();
        b.push(0x06);
        assert_eq!(protocols(&b), [("iec62056-21", 0), ("iec62056-21", 5)]);
        // On a line of its own it stands too.
        let d = r.dissect(&[0x9C, 0x11, 0x06], &[0, 2], &Options::default());
        assert_eq!(d.frames.last().map(|f| (f.protocol, f.span.start)), Some(("iec62056-21", 2)));
    }

    #[test]
    fn anchored_protocols_start_only_at_line_starts() {
        let r = Registry::new(vec![Box::new(Bare)]);
        // `C0` at 0 and at the line start 4 frame; the `C0` at 2 does not.
        let d = r.dissect(&[0xC0, 0x01, 0xC0, 0xEE, 0xC0, 0x02], &[0, 4], &Options::default());
        let bare: Vec<_> = d.frames.iter().filter(|f| f.protocol == "bare").map(|f| f.span).collect();
        assert_eq!(bare, vec![Span::new(0, 3), Span::new(4, 6)]);
        assert_eq!(r.detect(&[0x01, 0xC0], Lang::En), vec![]);
    }

    #[test]
    fn override_forces_a_reading() {
        let opts = Options { protocol: Some("toy".into()), ..Options::default() };
        let d = reg().dissect(&[0x01, 0x02], &[], &opts);
        assert_eq!(d.frames.len(), 1);
        assert_eq!(d.frames[0].protocol, "toy");
        assert!(!d.frames[0].valid);
    }

    #[test]
    fn detect_ranks() {
        let r = reg();
        let g = r.detect(&[0xAA, 0x00, 0xAA], Lang::En);
        assert_eq!(g.len(), 1);
        assert_eq!((g[0].protocol, g[0].score, g[0].offset), ("toy", 100, 0));
        assert!(r.detect(&[1, 2, 3], Lang::En).is_empty());
    }

    #[test]
    fn strict_policy_invalidates_on_warnings() {
        let mut f = Frame::new("toy", &[0], 0);
        f.add(NONE, "toy", Span::at(0, 1), NodeKind::Data);
        f.diag(Severity::Warning, Span::at(0, 1), "w", msg!("w", "w"));
        let f = f.finish();
        assert!(f.valid);
        assert!(!finish(f, &Options { strict: true, ..Options::default() }).valid);
    }
}
