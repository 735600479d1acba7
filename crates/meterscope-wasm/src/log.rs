//! Long logs split in steps (the decoder page's worker): the input is read
//! once, every `step` frames about a megabyte, then every `check` dissects
//! about a megabyte of the frames found in full and keeps their verdicts. The
//! result comes back as flat arrays (one entry per frame and per junk run)
//! instead of a tree per frame: the split as soon as it is done, the verdicts
//! after the check.

use meterscope_core::stream::Splitter;
use meterscope_core::{Lang, Options, parse_input};
use wasm_bindgen::prelude::*;

/// A long input being split into frames.
#[wasm_bindgen]
pub struct LogSplitter {
    bytes: Vec<u8>,
    line_starts: Vec<usize>,
    kind: &'static str,
    opts: Options,
    splitter: Splitter,
}

fn options(protocol: &str, lang: &str) -> Result<Options, JsError> {
    let lang: Lang = lang.parse().map_err(|e: String| JsError::new(&e))?;
    Ok(Options { lang, protocol: Some(protocol.to_string()), ..Options::default() })
}

#[wasm_bindgen]
impl LogSplitter {
    /// Read an input text (any shape the decoder accepts); unusable input throws its message.
    #[wasm_bindgen(js_name = fromText)]
    pub fn from_text(text: &str, protocol: &str, lang: &str) -> Result<LogSplitter, JsError> {
        let input = parse_input(text).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(LogSplitter {
            bytes: input.bytes,
            line_starts: input.line_starts,
            kind: input.kind.as_str(),
            opts: options(protocol, lang)?,
            splitter: Splitter::default(),
        })
    }

    /// Take raw bytes.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: Vec<u8>, protocol: &str, lang: &str) -> Result<LogSplitter, JsError> {
        Ok(LogSplitter {
            bytes,
            line_starts: Vec::new(),
            kind: "bytes",
            opts: options(protocol, lang)?,
            splitter: Splitter::default(),
        })
    }

    /// Split the next window; true when the whole input is split.
    pub fn step(&mut self) -> bool {
        self.splitter.step(&self.bytes, &self.line_starts, &self.opts)
    }

    /// Dissect the next frames in full (after the split); true when every frame is checked.
    pub fn check(&mut self) -> bool {
        self.splitter.check(&self.bytes, &self.opts)
    }

    /// Frames checked so far.
    pub fn checked(&self) -> usize {
        self.splitter.checked()
    }

    /// Frames found.
    pub fn count(&self) -> usize {
        self.splitter.frames().len()
    }

    /// Each frame's verdict, one byte per frame: 1 valid, 0 not valid, 2 not checked yet.
    pub fn verdicts(&self) -> Vec<u8> {
        let checked = self.splitter.checked();
        self.splitter
            .frames()
            .iter()
            .enumerate()
            .map(|(i, f)| if i >= checked { 2 } else { u8::from(f.valid) })
            .collect()
    }

    /// Bytes settled so far.
    pub fn position(&self) -> usize {
        self.splitter.position()
    }

    /// Bytes of the input.
    pub fn total(&self) -> usize {
        self.bytes.len()
    }

    /// The input's kind (`hex`, `text`, `bytes`…).
    pub fn kind(&self) -> String {
        self.kind.to_string()
    }

    /// The input's bytes.
    pub fn bytes(&self) -> Vec<u8> {
        self.bytes.clone()
    }

    /// Frames: `[start, end, protocol index]` per frame, flattened.
    pub fn frames(&self) -> Vec<u32> {
        let names = self.protocols_vec();
        let mut out = Vec::with_capacity(self.splitter.frames().len() * 3);
        for f in self.splitter.frames() {
            let p = names.iter().position(|n| *n == f.protocol).unwrap_or(0);
            out.extend_from_slice(&[f.span.start as u32, f.span.end as u32, p as u32]);
        }
        out
    }

    /// Protocol names the frame indexes refer to, in order of first appearance.
    pub fn protocols(&self) -> Vec<String> {
        self.protocols_vec()
    }

    /// Junk runs: `[start, end, reason index]` per run, flattened; reasons in [`Self::reasons`].
    pub fn junk(&self) -> Vec<u32> {
        let reasons = self.reasons();
        let mut out = Vec::with_capacity(self.splitter.junk().len() * 3);
        for j in self.splitter.junk() {
            let r = reasons.iter().position(|n| *n == j.reason).unwrap_or(0);
            out.extend_from_slice(&[j.span.start as u32, j.span.end as u32, r as u32]);
        }
        out
    }

    /// Junk reasons the junk indexes refer to.
    pub fn reasons(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for j in self.splitter.junk() {
            if !out.iter().any(|r| r == j.reason) {
                out.push(j.reason.to_string());
            }
        }
        out
    }

    fn protocols_vec(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for f in self.splitter.frames() {
            if !out.iter().any(|p| p == f.protocol) {
                out.push(f.protocol.to_string());
            }
        }
        out
    }
}
