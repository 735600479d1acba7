//! Shared by the Q/GDW 1376 session targets: a session and its simulated
//! device caught mid-flow, then arbitrary bytes.
use meterscope_core::session::{Action, Millis, Session, SimulatedMeter};

/// Session actions to the device; its events dropped.
fn drain<S: Session, D: SimulatedMeter>(s: &mut S, d: &mut D, now: u64) {
    for _ in 0..64 {
        match s.poll_action() {
            Some(Action::Transmit(b)) => d.handle_input(Millis(now), &b),
            Some(_) => {}
            None => break,
        }
    }
    for _ in 0..256 {
        if s.poll_event().is_none() {
            break;
        }
    }
}

/// The device's pending frames to the session.
fn answer<S: Session, D: SimulatedMeter>(s: &mut S, d: &mut D, now: u64) {
    for _ in 0..16 {
        match d.poll_transmit() {
            Some(b) => s.handle_input(Millis(now), &b),
            None => break,
        }
    }
}

/// `steps` honest exchanges, then the fuzz bytes, then rest.
pub fn run<S: Session, D: SimulatedMeter>(s: &mut S, d: &mut D, steps: u8, data: &[u8]) {
    let mut now = 0u64;
    for _ in 0..steps {
        drain(s, d, now);
        now += 50;
        answer(s, d, now);
        if s.poll_timeout().is_some_and(|t| t.0 <= now) {
            s.handle_timeout(Millis(now));
        }
    }
    let mut rest = data;
    while let Some((&cut, tail)) = rest.split_first() {
        let n = (cut as usize % 17).min(tail.len());
        let (piece, more) = tail.split_at(n);
        drain(s, d, now);
        if cut & 0x80 != 0 {
            answer(s, d, now);
        }
        s.handle_input(Millis(now), piece);
        d.handle_input(Millis(now), piece);
        now += u64::from(cut & 0x7F) * 11;
        if s.poll_timeout().is_some_and(|t| t.0 <= now) {
            s.handle_timeout(Millis(now));
        }
        rest = more;
    }
    // No more bytes: the deadlines bring the session to rest.
    for _ in 0..200 {
        drain(s, d, now);
        if s.is_idle() {
            break;
        }
        match s.poll_timeout() {
            Some(t) => {
                now = now.max(t.0);
                s.handle_timeout(Millis(now));
            }
            None => break,
        }
    }
    drain(s, d, now);
    assert!(s.is_idle(), "session stalled");
}
