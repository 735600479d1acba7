//! Listening to wireless M-Bus meters through a receiver on a serial port
//! that passes each telegram as it was on the air (`L C M A CI …`, in frame
//! format A or B with their CRCs, or with the CRCs taken out).
//!
//! The session is the shared [`Listener`]; [`WmbusReader`] frames with the
//! family's framer and reads each telegram with the dissector and the key
//! the user gave, so what a telegram says (its meter, its security mode,
//! whether the key opened it, its records) is what the decoder says.

use super::{dissect, frame};
use crate::FrameStatus;
use crate::lang::Lang;
use crate::protocols::mbus::readings::{self, Header, Record};
use crate::registry::Keys;
use crate::session::listen::{ListenConfig, ListenEvent, Listener, Telegrams};
use crate::session::{Dissect, LineSettings, Millis, Parity};
use crate::view;

/// The usual line of a receiver stick: 9600 Bd 8N1.
pub const LINE: LineSettings = LineSettings::new(9600, 8, Parity::None, 1);

/// Whether the telegram's data could be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Opened {
    /// Not encrypted.
    Plain,
    /// Decrypted with the key given.
    Decrypted,
    /// Encrypted, and no key was given.
    NoKey,
    /// The key given does not open it (the `2F 2F` check or the MAC failed).
    WrongKey(String),
    /// A security mode this reader does not open.
    Unsupported(String),
}

/// One telegram heard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WmbusTelegram {
    /// The meter: identification number, manufacturer, version, device type.
    pub meter: Header,
    /// The security mode of the configuration field (0: none).
    pub mode: Option<u8>,
    pub opened: Opened,
    pub records: Vec<Record>,
    /// Every CRC and check passed and no error was found.
    pub valid: bool,
    pub problems: Vec<String>,
    pub len: usize,
}

/// Frames wireless M-Bus telegrams and reads them with the user's key.
#[derive(Clone, Debug)]
pub struct WmbusReader {
    pub lang: Lang,
    pub keys: Keys,
    /// How a telegram is read ([`dissect_wmbus`], or a host's decoder).
    pub dissect: Dissect,
}

/// The family's dissector, rendered.
pub fn dissect_wmbus(bytes: &[u8], lang: Lang, keys: &Keys) -> Option<view::Frame> {
    Some(dissect(bytes, 0, keys).render(lang))
}

impl Telegrams for WmbusReader {
    type Telegram = WmbusTelegram;

    /// The family's framer; on a line, fewer bytes than the first block and
    /// the CI field are a telegram beginning (the byte gap drops them if
    /// nothing follows).
    fn frame(&self, bytes: &[u8]) -> FrameStatus {
        if bytes.len() < frame::FIRST + 2 && bytes.first().is_some_and(|&l| l >= frame::MIN_L) {
            return FrameStatus::Incomplete { preamble: 0, needed: None };
        }
        frame::frame(bytes)
    }

    fn read(&mut self, _: Millis, bytes: &[u8]) -> WmbusTelegram {
        match (self.dissect)(bytes, self.lang, &self.keys) {
            Some(f) => telegram(&f, bytes.len()),
            None => WmbusTelegram {
                meter: Header::default(),
                mode: None,
                opened: Opened::Plain,
                records: Vec::new(),
                valid: false,
                problems: vec![self.lang.pick("not a wireless M-Bus telegram", "不是无线 M-Bus 报文").to_string()],
                len: bytes.len(),
            },
        }
    }
}

/// The listener of a wireless M-Bus receiver.
pub type WmbusSession = Listener<WmbusReader>;

/// What a wireless M-Bus session reports.
pub type WmbusEvent = ListenEvent<WmbusTelegram>;

/// The usual configuration: until cancelled (or `count` telegrams); meters
/// send every few seconds to every few minutes, so no silence stops it.
pub fn config(count: Option<usize>) -> ListenConfig {
    ListenConfig { line: LINE, count, silence: None, byte_gap: 200, limit: 2 * 1024 }
}

/// A session reading in `lang` with `keys`.
pub fn session(lang: Lang, keys: Keys, count: Option<usize>) -> WmbusSession {
    Listener::new(WmbusReader { lang, keys, dissect: dissect_wmbus }, config(count))
}

/// What a rendered telegram says.
pub fn telegram(f: &view::Frame, len: usize) -> WmbusTelegram {
    let mut mode = None;
    f.tree.walk(&mut |n, _| {
        if n.id == "wmbus.tpl.config.mode" || n.id == "wmbus.afl.mode" {
            mode = mode.or_else(|| n.value.as_deref().and_then(|v| v.parse().ok()));
        }
    });
    let diag = |code: &str| f.diagnostics.iter().find(|d| d.code == code).map(|d| d.message.clone());
    let opened = if let Some(m) = diag("wmbus.key.wrong") {
        Opened::WrongKey(m)
    } else if diag("wmbus.key.missing").is_some() {
        Opened::NoKey
    } else if let Some(m) = diag("wmbus.security.unsupported") {
        Opened::Unsupported(m)
    } else if mode.unwrap_or(0) == 0 {
        Opened::Plain
    } else {
        Opened::Decrypted
    };
    WmbusTelegram {
        meter: readings::header(&f.tree),
        mode,
        opened,
        records: readings::records(&f.tree),
        valid: f.valid,
        problems: f.problems(),
        len,
    }
}
