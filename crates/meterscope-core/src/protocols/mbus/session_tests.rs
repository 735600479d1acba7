//! The wired M-Bus master against the simulated bus on the shared test pair.

use super::session::{MbusConfig, MbusError, MbusEvent, MbusNotice, MbusSession, Secondary, Target};
use super::simulator::{BusConfig, MbusBus};
use crate::session::testing::{Faults, Pair};

fn pair(seed: u64, faults: Faults) -> Pair<MbusSession, MbusBus> {
    Pair::new(seed, MbusSession::new(MbusConfig::default()), MbusBus::new(BusConfig::default()), faults)
}

fn found(events: &[MbusEvent]) -> Vec<(u8, String, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            MbusEvent::Found(f) => Some((f.address, f.meter.id.clone(), f.meter.medium.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn primary_scan_finds_both_meters_with_their_headers() {
    let mut p = pair(1, Faults::default());
    p.session.scan_primary(p.now, 0, 7);
    p.run();
    let f = found(&p.events);
    assert_eq!(f.len(), 2, "{:?}", p.events);
    assert_eq!((f[0].0, f[0].1.as_str()), (1, "12345678"));
    assert!(f[0].2.contains("heat"), "{:?}", f[0]);
    assert_eq!((f[1].0, f[1].1.as_str()), (5, "12345699"));
    // Progress to 8 of 8, then done.
    assert!(p.events.contains(&MbusEvent::Progress { done: 8, total: 8 }), "{:?}", p.events);
    assert_eq!(p.events.last(), Some(&MbusEvent::Done));
    // Each silent address costs one timeout: 330 bit times + 50 ms after the request.
    let s = &p.session;
    assert_eq!(s.reply_timeout(), 188);
    let lt = s.line_time().unwrap();
    assert!(lt.line_ms() >= 6 * 188, "{lt}");
}

#[test]
fn read_joins_two_telegrams_with_the_frame_count_bit() {
    let mut p = pair(2, Faults::default());
    p.session.read(p.now, Target::Primary(1));
    p.run();
    let t: Vec<_> =
        p.events.iter().filter_map(|e| if let MbusEvent::Telegram(t) = e { Some(t) } else { None }).collect();
    assert_eq!(t.len(), 2, "{:?}", p.events);
    assert!(t[0].more && !t[1].more);
    assert!(t.iter().all(|t| t.valid), "{:?}", p.events);
    let energy = t[0].records.iter().find(|r| r.name == "Energy").unwrap();
    assert_eq!(energy.unit, "Wh");
    let due = t[1].records.iter().find(|r| r.name == "Energy").unwrap();
    assert_eq!((due.storage, due.value.as_str()), (1, "24000000"));
    // SND_NKE, REQ_UD2 with FCB 1, then FCB 0.
    let c: Vec<u8> = p.transmits().iter().map(|f| f[1]).collect();
    assert_eq!(c, vec![0x40, 0x7B, 0x5B]);
}

#[test]
fn a_damaged_reply_is_asked_again_with_the_same_bit_and_the_same_telegram_comes() {
    // Reply 2 (the first RSP_UD) has a byte changed: its checksum fails.
    let mut p = pair(3, Faults { corrupt: vec![1], ..Faults::default() });
    p.session.read(p.now, Target::Primary(1));
    p.run();
    assert!(p.events.iter().any(|e| matches!(e, MbusEvent::Notice(MbusNotice::BadChecksum { .. }))));
    assert!(p.events.contains(&MbusEvent::Notice(MbusNotice::Retry { attempt: 1 })), "{:?}", p.events);
    let c: Vec<u8> = p.transmits().iter().map(|f| f[1]).collect();
    assert_eq!(c, vec![0x40, 0x7B, 0x7B, 0x5B]);
    let t: Vec<_> =
        p.events.iter().filter_map(|e| if let MbusEvent::Telegram(t) = e { Some(t) } else { None }).collect();
    assert_eq!(t.len(), 2);
    assert!(t.iter().all(|t| t.valid));
}

#[test]
fn no_meter_at_an_address_is_an_error_after_every_try() {
    let mut p = pair(4, Faults::default());
    p.session.read(p.now, Target::Primary(9));
    p.run();
    assert_eq!(p.transmits().len(), 3);
    assert!(p.events.contains(&MbusEvent::Error(MbusError::NoReply { address: 9 })), "{:?}", p.events);
}

#[test]
fn secondary_search_narrows_collisions_and_reads_each_meter() {
    let mut p = pair(5, Faults::default());
    p.session.scan_secondary(p.now, Secondary::ANY);
    p.run();
    assert!(p.events.iter().any(|e| matches!(e, MbusEvent::Notice(MbusNotice::Collision { .. }))), "{:?}", p.events);
    let f = found(&p.events);
    let ids: Vec<&str> = f.iter().map(|f| f.1.as_str()).collect();
    assert_eq!(ids, vec!["12345678", "12345699"], "{:?}", p.events);
    assert!(f.iter().all(|f| f.0 == 0xFD));
    // Each found with its whole secondary address, which selects it again.
    let secondaries: Vec<String> = p
        .events
        .iter()
        .filter_map(|e| if let MbusEvent::Found(f) = e { f.secondary.map(|s| s.text()) } else { None })
        .collect();
    assert_eq!(secondaries, ["12345678 MSC 01 04", "12345699 MSC 01 07"]);
    assert_eq!(Secondary::parse(&secondaries[1]).unwrap().text(), secondaries[1]);
    assert_eq!(p.events.last(), Some(&MbusEvent::Done));
}

#[test]
fn read_by_secondary_address() {
    let mut p = pair(6, Faults::default());
    let target = Target::parse("12345699").unwrap();
    p.session.read(p.now, target);
    p.run();
    let t: Vec<_> =
        p.events.iter().filter_map(|e| if let MbusEvent::Telegram(t) = e { Some(t) } else { None }).collect();
    assert_eq!(t.len(), 1, "{:?}", p.events);
    assert_eq!(t[0].meter.id, "12345699");
    assert_eq!(t[0].address, 0xFD);
    // A mask that matches both is a collision, not a read.
    let mut p = pair(7, Faults::default());
    p.session.read(p.now, Target::parse("123456FF").unwrap());
    p.run();
    assert!(p.events.iter().any(|e| matches!(e, MbusEvent::Error(MbusError::NotSelected { .. }))), "{:?}", p.events);
}

#[test]
fn noise_and_a_corrupted_reply() {
    let mut p = pair(8, Faults { noise: true, corrupt: vec![1], ..Faults::default() });
    p.session.read(p.now, Target::Primary(5));
    p.run();
    assert!(p.events.iter().any(|e| matches!(e, MbusEvent::Notice(MbusNotice::Junk(_)))), "{:?}", p.events);
    let t: Vec<_> =
        p.events.iter().filter_map(|e| if let MbusEvent::Telegram(t) = e { Some(t) } else { None }).collect();
    assert_eq!(t.len(), 1);
    assert!(t[0].valid, "{:?}", t[0]);
}

#[test]
fn targets_and_masks_parse() {
    assert_eq!(Target::parse("5"), Some(Target::Primary(5)));
    assert_eq!(Target::parse("251"), None);
    let s = Secondary::parse("1234567F MSC 01 04").unwrap();
    assert_eq!(s.bytes(), [0x7F, 0x56, 0x34, 0x12, 0x63, 0x36, 0x01, 0x04]);
    assert_eq!(Secondary::parse("12*45678").unwrap().id_text(), "12F45678");
    assert_eq!(Secondary::parse("1234"), None);
}

#[test]
fn many_lines_many_seeds() {
    // Noise, trickling replies and lost frames: every read ends, and ends
    // with both telegrams or an error said in words.
    for seed in 0..40 {
        let faults = Faults {
            noise: seed % 2 == 0,
            trickle: (seed % 3 == 0).then_some(5),
            drop_replies: if seed % 5 == 0 { vec![2] } else { vec![] },
            ..Faults::default()
        };
        let mut p = pair(100 + seed, faults);
        p.session.read(p.now, Target::Primary(1));
        p.run();
        let telegrams = p.events.iter().filter(|e| matches!(e, MbusEvent::Telegram(_))).count();
        let errors = p.events.iter().filter(|e| matches!(e, MbusEvent::Error(_))).count();
        assert!(telegrams == 2 || errors == 1, "seed {seed}: {:?}", p.events);
        assert_eq!(p.events.last(), Some(&MbusEvent::Done), "seed {seed}");
    }
}

#[test]
fn a_read_stops_at_the_most_telegrams_and_says_the_meter_has_more() {
    let cfg = MbusConfig { max_telegrams: 1, ..MbusConfig::default() };
    let mut p = Pair::new(9, MbusSession::new(cfg), MbusBus::new(BusConfig::default()), Faults::default());
    p.session.read(p.now, Target::Primary(1));
    p.run();
    let t = p.events.iter().filter(|e| matches!(e, MbusEvent::Telegram(_))).count();
    assert_eq!(t, 1);
    assert!(p.events.contains(&MbusEvent::Notice(MbusNotice::TelegramLimit { read: 1 })), "{:?}", p.events);
    assert_eq!(p.events.last(), Some(&MbusEvent::Done));
}

/// Random bytes in random pieces, with timeouts between, to the master in
/// each operation and to both listeners: no panic, and every one comes to
/// rest once the bytes stop (the bus scan through its whole range).
#[test]
fn random_bytes_never_break_the_master_or_the_listeners() {
    use crate::session::{Millis, Rng, Session};
    fn run<S: Session>(s: &mut S, rng: &mut Rng) {
        let mut now = 0u64;
        for _ in 0..rng.range(1, 60) {
            let bytes: Vec<u8> = (0..rng.range(0, 40)).map(|_| rng.range(0, 255) as u8).collect();
            s.handle_input(Millis(now), &bytes);
            now += rng.range(0, 400);
            if s.poll_timeout().is_some_and(|d| d.0 <= now) {
                s.handle_timeout(Millis(now));
            }
            while s.poll_action().is_some() {}
            while s.poll_event().is_some() {}
        }
        // Silence: only timeouts from here; each ends the work in bounded steps.
        for _ in 0..5_000 {
            while s.poll_action().is_some() {}
            while s.poll_event().is_some() {}
            match s.poll_timeout() {
                Some(d) => {
                    now = now.max(d.0);
                    s.handle_timeout(Millis(now));
                }
                None => return,
            }
        }
        panic!("did not come to rest");
    }
    let mut rng = Rng::new(77);
    for _ in 0..300 {
        let mut read = MbusSession::new(MbusConfig::default());
        read.read(Millis(0), Target::Primary(1));
        run(&mut read, &mut rng);
        assert!(read.is_idle());
        let mut search = MbusSession::new(MbusConfig::default());
        search.scan_secondary(Millis(0), Secondary::ANY);
        run(&mut search, &mut rng);
        assert!(search.is_idle());
        let mut scan = MbusSession::new(MbusConfig::default());
        scan.scan_primary(Millis(0), 0, 250);
        run(&mut scan, &mut rng);
        assert!(scan.is_idle());
        let mut w = crate::protocols::mbus::wireless::session::session(
            crate::Lang::En,
            crate::registry::Keys { cipher_key: Some([7; 16]), ..Default::default() },
            None,
        );
        w.listen(Millis(0));
        run(&mut w, &mut rng);
        let mut sml = crate::protocols::sml::session::session(crate::Lang::Zh, Some(2));
        sml.listen(Millis(0));
        run(&mut sml, &mut rng);
    }
}
