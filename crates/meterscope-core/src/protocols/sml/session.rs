//! Reading an SML meter's optical interface: the meter pushes an SML file
//! (usually every one to four seconds, 9600 Bd 8N1) and the client listens.
//!
//! The session is the shared [`Listener`]; [`SmlReader`] frames with the
//! transport's framer and reads each file with the dissector, so a reading
//! is exactly what the decoder shows for the same bytes: every list entry's
//! OBIS code and name, value with unit, and the status word's text (where a
//! meter puts the energy direction).

use super::{dissect, frame};
use crate::FrameStatus;
use crate::lang::Lang;
use crate::registry::Keys;
use crate::session::listen::{ListenConfig, ListenEvent, Listener, Telegrams};
use crate::session::{Dissect, LineSettings, Millis, Parity};
use crate::view;

/// The line of an SML optical interface.
pub const LINE: LineSettings = LineSettings::new(9600, 8, Parity::None, 1);

/// One list entry of a GetList response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmlReading {
    /// `1-0:1.8.0*255`.
    pub obis: String,
    /// The OBIS name in the session's language.
    pub name: String,
    /// The value as the decoder shows it (scaled), or the octet string.
    pub value: String,
    pub unit: String,
    /// The status word's meaning, when the entry has one.
    pub status: Option<String>,
}

impl SmlReading {
    /// The value typed: a number when the entry has a unit (the decoder
    /// wrote it scaled, as a decimal); text otherwise (server ids, octets).
    pub fn typed(&self) -> crate::session::Value {
        match self.unit.is_empty() {
            true => crate::session::Value::Text(self.value.clone()),
            false => crate::session::Value::decimal_or_text(self.value.clone()),
        }
    }
}

/// One SML file as the meter sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmlFile {
    /// The meter's server id as the decoder reads it.
    pub server_id: Option<String>,
    pub readings: Vec<SmlReading>,
    /// Every check passed (message CRCs, transport CRC).
    pub valid: bool,
    /// What failed, in the session's language.
    pub problems: Vec<String>,
    /// Bytes on the line.
    pub len: usize,
}

/// Frames SML transport frames and reads their files.
#[derive(Clone, Debug)]
pub struct SmlReader {
    pub lang: Lang,
    /// How a file is read ([`dissect_sml`], or a host's decoder).
    pub dissect: Dissect,
}

/// The family's dissector, rendered.
pub fn dissect_sml(bytes: &[u8], lang: Lang, _: &Keys) -> Option<view::Frame> {
    Some(dissect::dissect(bytes, 0).render(lang))
}

impl Telegrams for SmlReader {
    type Telegram = SmlFile;

    /// The transport's framer; on a line, the first bytes of a start
    /// escape sequence are a frame beginning, not noise.
    fn frame(&self, bytes: &[u8]) -> FrameStatus {
        if bytes.len() < frame::START.len() && frame::START.starts_with(bytes) {
            return FrameStatus::Incomplete { preamble: 0, needed: Some(frame::START.len() - bytes.len()) };
        }
        frame::frame(bytes)
    }

    fn read(&mut self, _: Millis, bytes: &[u8]) -> SmlFile {
        match (self.dissect)(bytes, self.lang, &Keys::default()) {
            Some(f) => file(&f, bytes.len()),
            None => SmlFile {
                server_id: None,
                readings: Vec::new(),
                valid: false,
                problems: vec![self.lang.pick("not an SML file", "不是 SML 文件").to_string()],
                len: bytes.len(),
            },
        }
    }
}

/// The listener of an SML optical interface.
pub type SmlSession = Listener<SmlReader>;

/// What an SML session reports.
pub type SmlEvent = ListenEvent<SmlFile>;

/// The usual configuration: 9600 8N1, until cancelled (or `count` files),
/// stopping after ten seconds without a file.
pub fn config(count: Option<usize>) -> ListenConfig {
    ListenConfig { line: LINE, count, silence: Some(10_000), byte_gap: 500, limit: 16 * 1024 }
}

/// A session reading in `lang` with the family's dissector.
pub fn session(lang: Lang, count: Option<usize>) -> SmlSession {
    Listener::new(SmlReader { lang, dissect: dissect_sml }, config(count))
}

/// The readings of a rendered SML frame.
pub fn file(f: &view::Frame, len: usize) -> SmlFile {
    let mut readings = Vec::new();
    let mut server_id = None;
    f.tree.walk(&mut |n, _| {
        if server_id.is_none() && n.id.ends_with(".server_id") {
            server_id = n.text.clone().or_else(|| n.value.clone());
        }
        let Some(k) = n.id.strip_prefix("sml.entry.") else { return };
        if k.contains('.') {
            return;
        }
        let child = |name: &str| n.children.iter().find(|c| c.id.rsplit('.').next() == Some(name));
        let Some(obj) = child("obj_name") else { return };
        let value = child("value");
        readings.push(SmlReading {
            obis: obj.value.clone().unwrap_or_default(),
            name: obj.text.clone().unwrap_or_default(),
            value: value.and_then(|v| v.value.clone()).unwrap_or_default(),
            unit: value.and_then(|v| v.unit.clone()).unwrap_or_default(),
            status: child("status").filter(|s| s.value.is_some()).and_then(|s| s.text.clone()),
        });
    });
    SmlFile { server_id, readings, valid: f.valid, problems: f.problems(), len }
}
