//! Long logs in steps, in two passes that keep only a summary of each frame
//! (span, protocol, validity):
//!
//! 1. the split ([`Splitter::step`]): the registry's framing
//!    ([`Registry::split`], no field tree) over a window of the input at a
//!    time;
//! 2. the check ([`Splitter::check`]): every frame found dissected in full on
//!    its own, a batch at a time, its tree dropped and its verdict kept.
//!
//! A caller (the page's worker) hands the split over as soon as it is done,
//! reports progress between steps and dissects a frame in full again when it
//! is opened.
//!
//! A window's tail is never trusted: items that start within [`TAIL`] bytes of
//! a window's end are framed again at the start of the next window, so a
//! frame shorter than [`TAIL`] is split exactly as a whole-input dissection
//! would split it. Junk runs are cut at the same margin and merged back.

use crate::model::Junk;
use crate::registry::{Options, Piece, Registry};
use crate::span::Span;

/// Bytes framed per split step, at least, and bytes of frames dissected per check step.
pub const WINDOW: usize = 1 << 20;
/// Lookahead kept past every accepted item: frames up to this size split exactly.
pub const TAIL: usize = 64 * 1024;

/// One frame of a long input, without its field tree.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FrameSummary {
    pub span: Span,
    /// Protocol name, as in [`crate::Frame::protocol`].
    pub protocol: &'static str,
    /// The frame's verdict once checked ([`Splitter::check`]); false before.
    pub valid: bool,
}

/// Splits one input in steps. Feed the same `bytes` and `line_starts` to every step.
pub struct Splitter {
    registry: Registry,
    window: usize,
    pos: usize,
    frames: Vec<FrameSummary>,
    junk: Vec<Junk>,
    /// Frames checked so far (the first ones).
    checked: usize,
}

impl Default for Splitter {
    fn default() -> Self {
        Splitter::new(WINDOW)
    }
}

impl Splitter {
    /// A splitter with the default registry and a window of `window` bytes (at least `2 * TAIL`).
    pub fn new(window: usize) -> Self {
        Splitter {
            // Framing and each frame's checks; no analysis across frames (its
            // results would be dropped with the trees).
            registry: Registry::new(crate::protocols::all()),
            window: window.max(2 * TAIL),
            pos: 0,
            frames: Vec::new(),
            junk: Vec::new(),
            checked: 0,
        }
    }

    /// Bytes of the input settled so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn frames(&self) -> &[FrameSummary] {
        &self.frames
    }

    pub fn junk(&self) -> &[Junk] {
        &self.junk
    }

    /// Frames checked so far: the verdicts of the first this many frames are known.
    pub fn checked(&self) -> usize {
        self.checked
    }

    /// Frame the next window; true when the whole input is split.
    pub fn step(&mut self, bytes: &[u8], line_starts: &[usize], opts: &Options) -> bool {
        let n = bytes.len();
        if self.pos >= n {
            return true;
        }
        let start = self.pos;
        let mut window = self.window;
        loop {
            let end = start.saturating_add(window).min(n);
            let last = end == n;
            let lo = line_starts.partition_point(|&l| l < start);
            let hi = line_starts.partition_point(|&l| l < end);
            let local: Vec<usize> = line_starts[lo..hi].iter().map(|&l| l - start).collect();
            let pieces = self.registry.split(&bytes[start..end], &local, opts);
            let wlen = end - start;
            // Everything ending before `limit` had TAIL bytes of lookahead.
            let limit = if last { usize::MAX } else { wlen - TAIL };
            let cut = if last {
                wlen
            } else {
                pieces.iter().map(Piece::span).filter(|s| s.end > limit).map(|s| s.start).min().unwrap_or(wlen)
            };
            // A junk run crossing the limit holds no frame start before it: keep its head.
            let junk_head = pieces.iter().find_map(|p| match *p {
                Piece::Junk { span, reason } if span.start < limit && span.end > limit && reason == "unrecognised" => {
                    Some(span)
                }
                _ => None,
            });
            let cut = match junk_head {
                Some(s) if s.start == cut => limit,
                _ => cut,
            };
            if cut == 0 {
                // One item fills the window: widen it.
                window = window.saturating_mul(2);
                continue;
            }
            // Pieces come in byte order.
            for piece in pieces.into_iter().filter(|p| p.span().start < cut) {
                let s = piece.span();
                let span = Span::new(s.start + start, s.end.min(cut) + start);
                match piece {
                    Piece::Frame { protocol, .. } => self.frames.push(FrameSummary { span, protocol, valid: false }),
                    Piece::Junk { reason, .. } => match self.junk.last_mut() {
                        Some(prev) if prev.span.end == span.start && prev.reason == reason => prev.span.end = span.end,
                        _ => self.junk.push(Junk { span, reason }),
                    },
                }
            }
            self.pos = start + cut;
            return self.pos >= n;
        }
    }

    /// Dissect the next frames in full, about [`WINDOW`] bytes of them (at
    /// least one frame), and keep their verdicts; true when every frame split
    /// so far is checked. `bytes` and `opts` are the split's.
    pub fn check(&mut self, bytes: &[u8], opts: &Options) -> bool {
        let mut budget = self.window;
        while let Some(f) = self.frames.get_mut(self.checked) {
            let frame = self.registry.dissect_piece(f.protocol, &bytes[f.span.range()], f.span.start, opts);
            f.valid = frame.valid;
            self.checked += 1;
            budget = budget.saturating_sub(f.span.len().max(1));
            if budget == 0 {
                break;
            }
        }
        self.checked >= self.frames.len()
    }

    /// Run every step of the split, then every check.
    pub fn run(mut self, bytes: &[u8], line_starts: &[usize], opts: &Options) -> Self {
        while !self.step(bytes, line_starts, opts) {}
        while !self.check(bytes, opts) {}
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Dissection;

    /// A serial log: public frames of every protocol, junk between them, in a seeded order.
    fn log(seed: u64, count: usize) -> Vec<u8> {
        let frames: Vec<Vec<u8>> = [
            "68 AA AA AA AA AA AA 68 11 04 33 33 34 33 B2 16",
            "FE FE FE FE 68 11 11 11 11 11 11 68 91 08 33 33 34 33 B3 38 44 33 C2 16",
            "68 17 00 43 05 01 00 00 00 00 00 10 12 D9 05 01 00 40 01 02 00 00 C4 64 16",
            "7E A0 07 03 21 93 0F 01 7E",
            "00 01 00 10 00 01 00 0D C0 01 C1 00 08 00 00 01 00 00 FF 02 00",
            "2F 3F 21 0D 0A",
        ]
        .iter()
        .map(|h| crate::parse_input(h).unwrap().bytes)
        .collect();
        let mut rng = crate::session::Rng::new(seed);
        let mut out = Vec::new();
        for _ in 0..count {
            let f = &frames[rng.range(0, frames.len() as u64 - 1) as usize];
            out.extend_from_slice(f);
            for _ in 0..rng.range(0, 3) {
                out.push(0xC0 | rng.range(0, 15) as u8);
            }
        }
        out
    }

    fn summary(d: &Dissection) -> (Vec<FrameSummary>, Vec<Junk>) {
        let frames =
            d.frames.iter().map(|f| FrameSummary { span: f.span, protocol: f.protocol, valid: f.valid }).collect();
        (frames, d.junk.clone())
    }

    #[test]
    fn steps_split_as_the_whole_input_does() {
        let opts = Options::default();
        for seed in 1..4 {
            let bytes = log(seed, 20_000);
            let whole = summary(&Registry::default().dissect(&bytes, &[], &opts));
            let mut s = Splitter::new(2 * TAIL + 1234 * seed as usize);
            let mut steps = 0;
            while !s.step(&bytes, &[], &opts) {
                steps += 1;
                assert!(s.position() < bytes.len());
            }
            assert!(steps > 2, "{} bytes in {steps} steps", bytes.len());
            assert_eq!(s.checked(), 0);
            let mut checks = 1;
            while !s.check(&bytes, &opts) {
                checks += 1;
                assert!(s.checked() < s.frames().len());
            }
            assert!(checks > 1, "{} frames in {checks} checks", s.frames().len());
            assert_eq!(s.checked(), s.frames().len());
            assert_eq!(s.frames(), whole.0.as_slice(), "seed {seed}");
            assert_eq!(s.junk(), whole.1.as_slice(), "seed {seed}");
        }
    }

    #[test]
    fn text_logs_keep_their_lines() {
        let opts = Options::default();
        let mut text = String::new();
        for i in 0..20_000 {
            match i % 3 {
                0 => text.push_str("68 AA AA AA AA AA AA 68 11 04 33 33 34 33 B2 16\n"),
                1 => text.push_str("C1 C2 C3 C4\n"),
                _ => text.push_str("7E A0 07 03 21 93 0F 01 7E\n"),
            }
        }
        let input = crate::parse_input(&text).unwrap();
        let whole = summary(&Registry::default().dissect(&input.bytes, &input.line_starts, &opts));
        let s = Splitter::new(0).run(&input.bytes, &input.line_starts, &opts);
        assert_eq!(s.frames(), whole.0.as_slice());
        assert_eq!(s.junk(), whole.1.as_slice());
        assert!(s.frames().iter().any(|f| f.protocol == crate::unknown::NAME));
    }

    #[test]
    fn junk_and_a_huge_frame_make_progress() {
        let opts = Options::default();
        // Junk only: cut at the lookahead margin and merged back into one run.
        let junk = vec![0xC5u8; 5 * TAIL];
        let s = Splitter::new(0).run(&junk, &[], &opts);
        let whole = summary(&Registry::default().dissect(&junk, &[], &opts));
        assert_eq!((s.frames(), s.junk()), (whole.0.as_slice(), whole.1.as_slice()));
        // A frame longer than the window: the window widens.
        let mut big = vec![0x02u8];
        big.extend(std::iter::repeat_n(b'A', 3 * TAIL));
        big.extend_from_slice(b"\r\n!\r\n\x03\x00");
        let s = Splitter::new(0).run(&big, &[], &opts);
        let whole = summary(&Registry::default().dissect(&big, &[], &opts));
        assert_eq!((s.frames(), s.junk()), (whole.0.as_slice(), whole.1.as_slice()));
        assert!(Splitter::new(0).run(&[], &[], &opts).frames().is_empty());
    }
}
