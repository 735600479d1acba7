//! Session input paths: each client session fed arbitrary bytes in arbitrary
//! pieces with timeouts in between; it must neither panic nor stall.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meterscope_core::protocols::{dlms, dlt645, dlt698, iec62056, mbus, sml};
use meterscope_core::session::{Millis, Session};

fn feed<S: Session>(s: &mut S, data: &[u8]) {
    let mut now = 0u64;
    let mut rest = data;
    while let Some((&cut, tail)) = rest.split_first() {
        let n = (cut as usize % 17).min(tail.len());
        let (piece, more) = tail.split_at(n);
        s.handle_input(Millis(now), piece);
        now += u64::from(cut) * 7;
        if s.poll_timeout().is_some_and(|d| d.0 <= now) {
            s.handle_timeout(Millis(now));
        }
        for _ in 0..64 {
            if s.poll_action().is_none() {
                break;
            }
        }
        for _ in 0..64 {
            if s.poll_event().is_none() {
                break;
            }
        }
        rest = more;
    }
}

fuzz_target!(|data: &[u8]| {
    let mut a = dlt645::session::Dlt645Session::new(Default::default(), None);
    a.find_meter(Millis(0));
    a.read(Millis(0), &[0x0001_0000, 0x0201_FF00]);
    feed(&mut a, data);

    let mut b = dlt698::session::Dlt698Session::new(Default::default(), None);
    b.find_meter(Millis(0));
    b.get(Millis(0), &[0x4000_0200]);
    feed(&mut b, data);

    let mut c = dlms::session::DlmsSession::new(Default::default());
    c.open(Millis(0));
    c.read_clock(Millis(0));
    feed(&mut c, data);

    let mut d = iec62056::session::Iec62056Session::new(Default::default());
    d.readout(Millis(0));
    feed(&mut d, data);

    let mut e = iec62056::p1::P1Session::new(Default::default());
    feed(&mut e, data);

    let mut f = mbus::session::MbusSession::new(Default::default());
    f.read(Millis(0), mbus::session::Target::Primary(1));
    feed(&mut f, data);
    let mut g = mbus::session::MbusSession::new(Default::default());
    g.scan_secondary(Millis(0), mbus::session::Secondary::ANY);
    feed(&mut g, data);

    let mut h = mbus::wireless::session::session(Default::default(), Default::default(), None);
    h.listen(Millis(0));
    feed(&mut h, data);
    let mut i = sml::session::session(Default::default(), None);
    i.listen(Millis(0));
    feed(&mut i, data);
});
