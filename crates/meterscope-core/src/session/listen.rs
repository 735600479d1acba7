//! The receive-only session: a device that sends on its own (an SML meter's
//! optical interface, a wireless M-Bus receiver) and a client that listens.
//!
//! [`Listener`] does what every such session does, once: it takes bytes in
//! any pieces, frames them with the family's framer through the shared
//! [`RxBuffer`], says how many bytes of noise it skipped, drops a frame that
//! stopped arriving (no byte for [`ListenConfig::byte_gap`] ms), stops after
//! a count of telegrams or a silence, and accounts line time. What a
//! telegram means is the family's: a [`Telegrams`] reader turns each framed
//! telegram into the family's event.

use std::collections::VecDeque;

use super::{Action, LineSettings, LineTime, Millis, RxBuffer, Session};
use crate::FrameStatus;

/// A family's reader of pushed telegrams.
pub trait Telegrams {
    /// What one telegram becomes.
    type Telegram;
    /// Frame at the start of `bytes` (the family's stream framer).
    fn frame(&self, bytes: &[u8]) -> FrameStatus;
    /// A complete telegram, as framed, arrived at `now`.
    fn read(&mut self, now: Millis, bytes: &[u8]) -> Self::Telegram;
}

/// How a listener listens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListenConfig {
    pub line: LineSettings,
    /// Stop after this many telegrams (none: until cancelled).
    pub count: Option<usize>,
    /// Stop when no telegram began for this many ms (none: never).
    pub silence: Option<u64>,
    /// A telegram whose bytes stop for this long is dropped as incomplete.
    pub byte_gap: u64,
    /// A telegram that grows past this many bytes without completing is
    /// dropped byte by byte as noise (the receive buffer stays bounded).
    pub limit: usize,
}

/// What a listener reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListenEvent<T> {
    /// A telegram and what it means.
    Telegram(T),
    /// Bytes skipped before a telegram (noise, a telegram begun before we listened).
    Junk(usize),
    /// Bytes of a telegram that stopped arriving, dropped.
    Incomplete(usize),
    /// No telegram within the silence timeout; the listener stopped.
    Silence,
    /// The telegrams asked for arrived, or the listener was cancelled.
    Done,
}

/// A receive-only session over a family's [`Telegrams`] reader.
#[derive(Debug)]
pub struct Listener<R: Telegrams> {
    reader: R,
    cfg: ListenConfig,
    rx: RxBuffer,
    listening: bool,
    received: usize,
    last_rx: Millis,
    deadline: Option<Millis>,
    time: Option<LineTime>,
    events: VecDeque<ListenEvent<R::Telegram>>,
}

impl<R: Telegrams> Listener<R> {
    pub fn new(reader: R, cfg: ListenConfig) -> Self {
        Listener {
            reader,
            cfg,
            rx: RxBuffer::new(cfg.limit),
            listening: false,
            received: 0,
            last_rx: Millis(0),
            deadline: None,
            time: None,
            events: VecDeque::new(),
        }
    }

    pub fn config(&self) -> &ListenConfig {
        &self.cfg
    }

    /// The family's reader (its keys, its counts).
    pub fn reader(&self) -> &R {
        &self.reader
    }

    /// Telegrams read since [`Listener::listen`].
    pub fn received(&self) -> usize {
        self.received
    }

    /// Line time from the first byte heard to the last.
    pub fn line_time(&self) -> Option<LineTime> {
        self.time
    }

    /// Start listening at `now`.
    pub fn listen(&mut self, now: Millis) {
        self.listening = true;
        self.received = 0;
        self.rx.clear();
        self.time = None;
        self.deadline = self.cfg.silence.map(|s| now.after(s));
    }

    fn stop(&mut self, last: ListenEvent<R::Telegram>) {
        self.listening = false;
        self.deadline = None;
        self.rx.clear();
        self.events.push_back(last);
    }

    fn process(&mut self, now: Millis) {
        while self.listening {
            let reader = &self.reader;
            let Some((bytes, junk)) = self.rx.next(|b| reader.frame(b)) else { break };
            if junk > 0 {
                self.events.push_back(ListenEvent::Junk(junk));
            }
            let t = self.reader.read(now, &bytes);
            self.events.push_back(ListenEvent::Telegram(t));
            self.received += 1;
            self.deadline = self.cfg.silence.map(|s| now.after(s));
            if self.cfg.count.is_some_and(|c| self.received >= c) {
                self.stop(ListenEvent::Done);
            }
        }
    }
}

impl<R: Telegrams> Session for Listener<R> {
    type Event = ListenEvent<R::Telegram>;

    fn handle_input(&mut self, now: Millis, bytes: &[u8]) {
        if !self.listening || bytes.is_empty() {
            return;
        }
        self.time.get_or_insert_with(|| LineTime::start(self.cfg.line, now)).received(now, bytes.len());
        self.rx.push(bytes);
        self.last_rx = now;
        self.process(now);
    }

    fn handle_timeout(&mut self, now: Millis) {
        if !self.rx.is_empty() && now.since(self.last_rx) >= self.cfg.byte_gap {
            let (n, junk) = (self.rx.len(), self.rx.junk());
            self.rx.clear();
            if junk > 0 {
                self.events.push_back(ListenEvent::Junk(junk));
            }
            self.events.push_back(ListenEvent::Incomplete(n));
        }
        if self.listening && self.rx.is_empty() && self.deadline.is_some_and(|d| now >= d) {
            self.stop(ListenEvent::Silence);
        }
    }

    /// A listener never transmits.
    fn poll_action(&mut self) -> Option<Action> {
        None
    }

    fn poll_timeout(&self) -> Option<Millis> {
        if !self.rx.is_empty() {
            return Some(self.last_rx.after(self.cfg.byte_gap));
        }
        if self.listening { self.deadline } else { None }
    }

    fn poll_event(&mut self) -> Option<Self::Event> {
        self.events.pop_front()
    }

    fn is_idle(&self) -> bool {
        !self.listening
    }

    /// Stop listening; what is buffered is dropped.
    fn cancel(&mut self) {
        if self.listening {
            self.stop(ListenEvent::Done);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Parity;

    /// Telegrams `AA n …n bytes`; each read as its length.
    struct Lengths;
    impl Telegrams for Lengths {
        type Telegram = usize;
        fn frame(&self, b: &[u8]) -> FrameStatus {
            match b {
                [0xAA, n, rest @ ..] if rest.len() >= *n as usize => {
                    FrameStatus::Complete { preamble: 0, len: 2 + *n as usize }
                }
                [0xAA, ..] | [] => FrameStatus::Incomplete { preamble: 0, needed: None },
                _ => FrameStatus::NoMatch,
            }
        }
        fn read(&mut self, _: Millis, b: &[u8]) -> usize {
            b.len()
        }
    }

    fn cfg(count: Option<usize>) -> ListenConfig {
        ListenConfig {
            line: LineSettings::new(9600, 8, Parity::None, 1),
            count,
            silence: Some(5_000),
            byte_gap: 100,
            limit: 64,
        }
    }

    fn drain(l: &mut Listener<Lengths>) -> Vec<ListenEvent<usize>> {
        std::iter::from_fn(|| l.poll_event()).collect()
    }

    #[test]
    fn frames_counts_noise_and_stops_after_count() {
        let mut l = Listener::new(Lengths, cfg(Some(2)));
        l.listen(Millis(0));
        l.handle_input(Millis(10), &[0x01, 0x02, 0xAA, 0x02, 0x00]);
        assert_eq!(drain(&mut l), vec![]);
        l.handle_input(Millis(20), &[0x00, 0xAA, 0x00]);
        // The second telegram ends the count: the listener stops.
        assert_eq!(
            drain(&mut l),
            vec![ListenEvent::Junk(2), ListenEvent::Telegram(4), ListenEvent::Telegram(2), ListenEvent::Done]
        );
        assert!(l.is_idle());
        assert_eq!(l.line_time().map(|t| t.bytes_received), Some(8));
    }

    #[test]
    fn a_cut_telegram_is_dropped_after_the_gap_and_silence_stops() {
        let mut l = Listener::new(Lengths, cfg(None));
        l.listen(Millis(0));
        l.handle_input(Millis(10), &[0xAA, 0x05, 0x01]);
        assert_eq!(l.poll_timeout(), Some(Millis(110)));
        l.handle_timeout(Millis(110));
        assert_eq!(drain(&mut l), vec![ListenEvent::Incomplete(3)]);
        // Nothing began since 0: silence at 5000.
        assert_eq!(l.poll_timeout(), Some(Millis(5_000)));
        l.handle_timeout(Millis(5_000));
        assert_eq!(drain(&mut l), vec![ListenEvent::Silence]);
        assert!(l.is_idle());
        // Bytes after the stop are ignored.
        l.handle_input(Millis(6_000), &[0xAA, 0x00]);
        assert_eq!(drain(&mut l), vec![]);
    }

    #[test]
    fn cancel_says_done_once() {
        let mut l = Listener::new(Lengths, cfg(None));
        l.listen(Millis(0));
        l.cancel();
        l.cancel();
        assert_eq!(drain(&mut l), vec![ListenEvent::Done]);
    }
}
