//! The kernel every client session is built on: what each request–reply
//! master keeps the same way, whatever its protocol.
//!
//! A [`Kernel`] holds the queue of work, the request on the line (for most
//! sessions a [`Pending`] exchange: its frame, its try count and the deadline
//! of its reply, around the protocol's own state), the received bytes waiting
//! to be framed, the actions for the transport and the events for the
//! caller, a hold (quiet after a broadcast, a listen for reports) and the
//! [`LineTime`] of a read being timed. It reports what it sees on the line
//! itself, in the session's words ([`Notices`]): junk before a frame, a frame
//! whose bytes stopped arriving, a request sent again.
//!
//! A session implements [`Machine`]: where its kernel is, how it frames and
//! answers what arrived, what it does when a reply is overdue (mostly
//! [`Kernel::retry`], then [`Kernel::resend`] or a failure of its own) and,
//! when it holds, what follows the hold. [`Session`] comes with it, so the
//! transport sees the same interface as before and each session keeps only
//! its protocol.
//!
//! ```text
//!   handle_input ───► Kernel::receive ──► Machine::process_rx (framing, replies)
//!   handle_timeout ─► a stalled frame ──► dropped, with a notice
//!                  ─► the hold is over ─► Machine::on_resume
//!                  ─► a reply overdue ──► Machine::retry
//!   poll_action, poll_event, poll_timeout, is_idle ──► the kernel
//! ```

use std::collections::VecDeque;
use std::ops::{Deref, DerefMut};

use super::{Action, LineTime, Millis, RxBuffer, Session};
use crate::FrameStatus;

/// A receive buffer the kernel can fill, measure and empty: the framing
/// [`RxBuffer`], or plain bytes for a session that frames them itself.
pub trait Received {
    fn push(&mut self, bytes: &[u8]);
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn clear(&mut self);
}

impl Received for RxBuffer {
    fn push(&mut self, bytes: &[u8]) {
        RxBuffer::push(self, bytes);
    }
    fn len(&self) -> usize {
        RxBuffer::len(self)
    }
    fn clear(&mut self) {
        RxBuffer::clear(self);
    }
}

impl Received for Vec<u8> {
    fn push(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    fn len(&self) -> usize {
        <[u8]>::len(self)
    }
    fn clear(&mut self) {
        Vec::clear(self);
    }
}

/// An exchange under way, as far as the kernel's clock is concerned.
pub trait Deadline {
    /// When its reply must have begun; `None` while nothing is awaited.
    fn deadline(&self) -> Option<Millis>;
}

/// A request on the line: the frame sent (without any preamble, so also
/// what its echo looks like), its try (1 for the first), when its reply
/// must have begun, and the protocol's own state of the exchange (`state`,
/// reached through `Deref`).
#[derive(Clone, Debug)]
pub struct Pending<S> {
    pub frame: Vec<u8>,
    pub attempt: u8,
    pub deadline: Millis,
    pub state: S,
}

impl<S> Pending<S> {
    /// The first try of `frame`, its reply due by `deadline`.
    pub fn new(frame: Vec<u8>, deadline: Millis, state: S) -> Self {
        Pending { frame, attempt: 1, deadline, state }
    }
}

impl<S> Deref for Pending<S> {
    type Target = S;
    fn deref(&self) -> &S {
        &self.state
    }
}

impl<S> DerefMut for Pending<S> {
    fn deref_mut(&mut self) -> &mut S {
        &mut self.state
    }
}

impl<S> Deadline for Pending<S> {
    fn deadline(&self) -> Option<Millis> {
        Some(self.deadline)
    }
}

/// How a session words what the kernel reports about the line.
#[derive(Clone, Copy, Debug)]
pub struct Notices<E> {
    /// Bytes that were no frame, dropped before one.
    pub junk: fn(usize) -> E,
    /// Bytes of a frame that stopped arriving, dropped.
    pub incomplete: fn(usize) -> E,
    /// A request sent again (attempt number from 2).
    pub retry: fn(u8) -> E,
}

/// What became of the request on the line when its reply did not come.
#[derive(Debug)]
pub enum Retry<X> {
    /// No request was under way.
    Idle,
    /// Taken out for another try, its attempt counted and announced: send
    /// it with [`Kernel::resend`].
    Again(X),
    /// Every try is spent: taken out, to be failed.
    Spent(X),
}

/// The queues, the receive buffer and the pending request of a session.
/// `Op` is a unit of queued work, `X` the exchange on the line, `E` the
/// session's event, `B` its receive buffer.
#[derive(Debug)]
pub struct Kernel<Op, X, E, B = RxBuffer> {
    /// Work not yet started, in order.
    pub queue: VecDeque<Op>,
    /// The exchange under way.
    pub current: Option<X>,
    /// Received bytes not yet framed.
    pub rx: B,
    /// When the last bytes arrived.
    pub last_rx: Millis,
    /// Longest silence between two bytes of one frame, in ms.
    pub byte_gap: u64,
    /// Bytes sent before every frame (`FE` wake-up bytes), none by default.
    pub preamble: Vec<u8>,
    /// No new work starts before then (quiet after a broadcast, listening).
    pub hold: Option<Millis>,
    /// The line time of a read being timed: every byte out and in counts.
    pub timing: Option<LineTime>,
    notices: Notices<E>,
    actions: VecDeque<Action>,
    events: VecDeque<E>,
    /// Work was queued and its `Done` is still to come.
    busy: bool,
}

impl<Op, X: Deadline, E, B: Received> Kernel<Op, X, E, B> {
    pub fn new(byte_gap: u64, rx: B, notices: Notices<E>) -> Self {
        Kernel {
            queue: VecDeque::new(),
            current: None,
            rx,
            last_rx: Millis(0),
            byte_gap,
            preamble: Vec::new(),
            hold: None,
            timing: None,
            notices,
            actions: VecDeque::new(),
            events: VecDeque::new(),
            busy: false,
        }
    }

    /// A batch of work begins: a `Done` follows when the queue runs dry.
    pub fn begin(&mut self) {
        self.busy = true;
    }

    /// Queue work at the end; a `Done` follows when the queue runs dry.
    pub fn enqueue(&mut self, ops: impl IntoIterator<Item = Op>) {
        self.queue.extend(ops);
        self.begin();
    }

    /// Queue work before all else (an answer due at once).
    pub fn urgent(&mut self, op: Op) {
        self.queue.push_front(op);
        self.begin();
    }

    /// The queue ran dry: true once per batch of work (time for `Done`).
    pub fn finish(&mut self) -> bool {
        std::mem::take(&mut self.busy)
    }

    /// Report an event.
    pub fn emit(&mut self, event: E) {
        self.events.push_back(event);
    }

    /// Ask the transport for an action.
    pub fn act(&mut self, action: Action) {
        self.actions.push_back(action);
    }

    /// Send a frame, after the preamble; returns the bytes sent.
    pub fn transmit(&mut self, frame: &[u8]) -> usize {
        let mut out = Vec::with_capacity(self.preamble.len() + frame.len());
        out.extend_from_slice(&self.preamble);
        out.extend_from_slice(frame);
        let n = out.len();
        if let Some(t) = &mut self.timing {
            t.sent(n);
        }
        self.actions.push_back(Action::Transmit(out));
        n
    }

    /// Whether bytes are waiting: a frame is arriving (or `held` bytes the
    /// session keeps aside).
    fn receiving(&self, held: usize) -> bool {
        !self.rx.is_empty() || held > 0
    }
}

/// The kernel as the [`Session`] built on it sees it, whatever the
/// session's work and exchanges are.
pub trait Core<E> {
    /// Bytes arrived at `now`: buffered, and counted when a read is timed.
    fn receive(&mut self, now: Millis, bytes: &[u8]);
    /// A frame that stopped arriving (its bytes, and `held` bytes kept aside,
    /// silent for the byte gap): dropped, with a notice.
    fn stalled(&mut self, now: Millis, held: usize) -> bool;
    /// The hold is over at `now`: lifted.
    fn resume(&mut self, now: Millis) -> bool;
    /// The reply to the request under way is overdue and nothing is arriving.
    fn expired(&self, now: Millis) -> bool;
    /// The next deadline: while a frame is arriving only the gap between its
    /// bytes counts, else the reply's; and the end of a hold.
    fn next_deadline(&self, held: usize) -> Option<Millis>;
    /// Nothing queued, under way or held.
    fn is_idle(&self) -> bool;
    /// The next action for the transport.
    fn pop_action(&mut self) -> Option<Action>;
    /// The next event for the caller.
    fn pop_event(&mut self) -> Option<E>;
    /// Forget the queued work.
    fn cancel(&mut self);
}

impl<Op, X: Deadline, E, B: Received> Core<E> for Kernel<Op, X, E, B> {
    fn receive(&mut self, now: Millis, bytes: &[u8]) {
        if let Some(t) = &mut self.timing {
            t.received(now, bytes.len());
        }
        self.rx.push(bytes);
        self.last_rx = now;
    }

    fn stalled(&mut self, now: Millis, held: usize) -> bool {
        if !self.receiving(held) || now.since(self.last_rx) < self.byte_gap {
            return false;
        }
        let n = self.rx.len() + held;
        self.rx.clear();
        self.emit((self.notices.incomplete)(n));
        true
    }

    fn resume(&mut self, now: Millis) -> bool {
        if self.hold.is_some_and(|t| now >= t) {
            self.hold = None;
            return true;
        }
        false
    }

    fn expired(&self, now: Millis) -> bool {
        self.current.as_ref().and_then(Deadline::deadline).is_some_and(|d| now >= d) && self.rx.is_empty()
    }

    fn next_deadline(&self, held: usize) -> Option<Millis> {
        let line = if self.receiving(held) {
            Some(self.last_rx.after(self.byte_gap))
        } else {
            self.current.as_ref().and_then(Deadline::deadline)
        };
        [line, self.hold].into_iter().flatten().min()
    }

    fn is_idle(&self) -> bool {
        self.current.is_none() && self.queue.is_empty() && self.hold.is_none()
    }

    fn pop_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    fn cancel(&mut self) {
        self.queue.clear();
    }

    fn pop_event(&mut self) -> Option<E> {
        self.events.pop_front()
    }
}

impl<Op, X: Deadline, E> Kernel<Op, X, E, RxBuffer> {
    /// The next complete frame found by `frame`, with a notice of the junk
    /// bytes dropped before it (`wake_up` bytes not counted).
    pub fn next_frame(&mut self, frame: impl Fn(&[u8]) -> FrameStatus, wake_up: u8) -> Option<Vec<u8>> {
        let (f, junk) = self.rx.next_frame(frame, wake_up)?;
        if junk > 0 {
            self.emit((self.notices.junk)(junk));
        }
        Some(f)
    }
}

impl<Op, S, E, B: Received> Kernel<Op, Pending<S>, E, B> {
    /// Start an exchange: `frame` sent, its reply due by `deadline`.
    pub fn send(&mut self, frame: Vec<u8>, deadline: Millis, state: S) {
        self.transmit(&frame);
        self.current = Some(Pending::new(frame, deadline, state));
    }

    /// The reply did not come (or came damaged): the request under way,
    /// taken out with its bytes so far dropped, for another try when fewer
    /// than `retries` retries were made.
    pub fn retry(&mut self, retries: u8) -> Retry<Pending<S>> {
        let Some(mut ex) = self.current.take() else { return Retry::Idle };
        self.rx.clear();
        if ex.attempt > retries {
            return Retry::Spent(ex);
        }
        ex.attempt += 1;
        self.emit((self.notices.retry)(ex.attempt));
        Retry::Again(ex)
    }

    /// Send the request again, its reply now due by `deadline`.
    pub fn resend(&mut self, deadline: Millis, mut ex: Pending<S>) {
        ex.deadline = deadline;
        self.transmit(&ex.frame);
        self.current = Some(ex);
    }
}

/// `Machine`'s event type and kernel access for a session whose kernel is
/// its field `k`: `kernel_in_k!(Dlt645Event);` inside `impl Machine`.
macro_rules! kernel_in_k {
    ($event:ty) => {
        type Event = $event;

        fn kernel(&self) -> &dyn $crate::session::Core<$event> {
            &self.k
        }

        fn kernel_mut(&mut self) -> &mut dyn $crate::session::Core<$event> {
            &mut self.k
        }
    };
}
pub(crate) use kernel_in_k;

/// A session built on a [`Kernel`]: where the kernel is and what the
/// protocol does at each turn; [`Session`] comes with it.
pub trait Machine {
    type Event;

    fn kernel(&self) -> &dyn Core<Self::Event>;
    fn kernel_mut(&mut self) -> &mut dyn Core<Self::Event>;

    /// Bytes arrived (never empty): buffered by default.
    fn accept(&mut self, now: Millis, bytes: &[u8]) {
        self.kernel_mut().receive(now, bytes);
    }
    /// Frame what has arrived and act on every complete frame.
    fn process_rx(&mut self, now: Millis);
    /// The reply to the request under way is overdue (or came damaged):
    /// send it again, or give up.
    fn retry(&mut self, now: Millis);
    /// The hold is over: go on with the queue.
    fn on_resume(&mut self, _now: Millis) {}
    /// Bytes the session keeps outside the buffer (an echo being matched).
    fn held(&self) -> usize {
        0
    }
    /// Those bytes are dropped with a stalled frame (the kernel reports it).
    fn drop_held(&mut self) {}
}

impl<T: Machine> Session for T {
    type Event = T::Event;

    fn handle_input(&mut self, now: Millis, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.accept(now, bytes);
        self.process_rx(now);
    }

    fn handle_timeout(&mut self, now: Millis) {
        let held = self.held();
        if self.kernel_mut().stalled(now, held) {
            self.drop_held();
        }
        if self.kernel_mut().resume(now) {
            self.on_resume(now);
        }
        if self.kernel().expired(now) {
            self.retry(now);
        }
    }

    fn poll_action(&mut self) -> Option<Action> {
        self.kernel_mut().pop_action()
    }

    fn poll_timeout(&self) -> Option<Millis> {
        self.kernel().next_deadline(self.held())
    }

    fn poll_event(&mut self) -> Option<T::Event> {
        self.kernel_mut().pop_event()
    }

    fn is_idle(&self) -> bool {
        self.kernel().is_idle()
    }

    fn cancel(&mut self) {
        self.kernel_mut().cancel();
    }
}
