//! The DLMS session against the simulated meter on a virtual clock (a
//! quinn-proto style `Pair`): every authentication, ciphering, data blocks,
//! HDLC segmentation, lost frames and retransmission, the wrapper.

use super::assoc::{Diagnostic, SuiteKeys};
use super::axdr::Data;
use super::services::{Access, AttrRef};
use super::session::{
    Auth, Config, Confirm, DlmsEvent, DlmsSession, Failure, Security, Transport, civil, octets, parse_target,
};
use super::simulator::{DlmsMeter, MeterConfig, test_keys};
use crate::session::{Action, DateTime, Millis, Rng, Session, SimulatedMeter};

#[derive(Clone, Debug, Default)]
struct Faults {
    /// Meter replies (counted from 0) that never arrive.
    drop: Vec<usize>,
    /// Client frames (counted from 0) that never arrive.
    drop_requests: Vec<usize>,
}

struct Pair {
    now: Millis,
    session: DlmsSession,
    meter: DlmsMeter,
    rng: Rng,
    faults: Faults,
    replies: usize,
    requests: usize,
    flight: Vec<(Millis, bool, Vec<u8>)>,
    events: Vec<DlmsEvent>,
}

impl Pair {
    fn new(seed: u64, cfg: Config, meter: MeterConfig, faults: Faults) -> Self {
        Pair {
            now: Millis(1_000),
            session: DlmsSession::new(cfg),
            meter: DlmsMeter::new(meter),
            rng: Rng::new(seed),
            faults,
            replies: 0,
            requests: 0,
            flight: Vec::new(),
            events: Vec::new(),
        }
    }

    /// In random pieces a few ms apart; `to_session` tells the direction.
    fn send(&mut self, at: Millis, to_session: bool, bytes: &[u8]) {
        let mut t = at;
        let mut rest = bytes;
        while !rest.is_empty() {
            let n = (self.rng.range(1, 40) as usize).min(rest.len());
            self.flight.push((t, to_session, rest[..n].to_vec()));
            rest = &rest[n..];
            t = t.after(self.rng.range(0, 5));
        }
    }

    fn pump(&mut self) {
        while let Some(a) = self.session.poll_action() {
            if let Action::Transmit(bytes) = a {
                let k = self.requests;
                self.requests += 1;
                if self.faults.drop_requests.contains(&k) {
                    continue;
                }
                let at = self.now.after(self.session.config().line.wire_time(bytes.len()));
                self.flight.push((at, false, bytes));
            }
        }
        while let Some(reply) = self.meter.poll_transmit() {
            let k = self.replies;
            self.replies += 1;
            if self.faults.drop.contains(&k) {
                continue;
            }
            let at = self.now.after(self.rng.range(10, 100));
            self.send(at, true, &reply);
        }
        while let Some(e) = self.session.poll_event() {
            self.events.push(e);
        }
    }

    fn run(&mut self) {
        for _ in 0..200_000 {
            self.pump();
            if self.session.is_idle() && self.flight.is_empty() {
                return;
            }
            let next_flight = self.flight.iter().map(|f| f.0).min();
            let next = [next_flight, self.session.poll_timeout()].into_iter().flatten().min();
            let Some(next) = next else { panic!("stuck") };
            self.now = self.now.max(next);
            self.flight.sort_by_key(|f| f.0);
            while self.flight.first().is_some_and(|f| f.0 <= self.now) {
                let (_, to_session, bytes) = self.flight.remove(0);
                if to_session {
                    self.session.handle_input(self.now, &bytes);
                } else {
                    self.meter.handle_input(self.now, &bytes);
                }
                self.pump();
            }
            if self.session.poll_timeout().is_some_and(|t| t <= self.now) {
                self.session.handle_timeout(self.now);
            }
        }
        panic!("the session did not finish");
    }

    fn values(&self) -> Vec<(AttrRef, String, Option<String>)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                DlmsEvent::Value { attr, text, unit, .. } => Some((*attr, text.clone(), unit.clone())),
                _ => None,
            })
            .collect()
    }

    fn errors(&self) -> Vec<Failure> {
        self.events
            .iter()
            .filter_map(|e| match e {
                DlmsEvent::Error { failure, .. } => Some(failure.clone()),
                _ => None,
            })
            .collect()
    }

    fn count(&self, f: impl Fn(&DlmsEvent) -> bool) -> usize {
        self.events.iter().filter(|e| f(e)).count()
    }
}

fn target(t: &str) -> AttrRef {
    parse_target(t).unwrap()
}

fn security(cipher: bool) -> Security {
    Security { keys: test_keys(), system_title: *b"MTS\x00\x00\x00\x00\x07", invocation_counter: 100, cipher }
}

fn registers() -> Vec<AttrRef> {
    ["1-0:1.8.0.255", "1-0:32.7.0.255", "1-0:31.7.0.255:3", "0-0:96.1.0.255"].map(target).to_vec()
}

#[test]
fn targets() {
    assert_eq!(target("1-0:1.8.0.255"), AttrRef::new(3, [1, 0, 1, 8, 0, 255], 2));
    assert_eq!(target("1-0:1.8.0*255:3"), AttrRef::new(3, [1, 0, 1, 8, 0, 255], 3));
    assert_eq!(target("0-0:1.0.0.255"), AttrRef::new(8, [0, 0, 1, 0, 0, 255], 2));
    assert_eq!(target("7/1-0:99.1.0.255:3"), AttrRef::new(7, [1, 0, 99, 1, 0, 255], 3));
    assert_eq!(parse_target("00010000"), None);
    let t = DateTime { year: 2024, month: 5, day: 19, hour: 1, minute: 2, second: 3 };
    assert_eq!(octets(t)[4], 7, "a Sunday is day 7");
    assert_eq!(civil(&octets(t)), Some(t));
}

#[test]
fn public_client_reads_registers_with_scaler_and_unit() {
    for seed in 0..10 {
        let mut p = Pair::new(seed, Config::default(), MeterConfig::default(), Faults::default());
        p.session.read(p.now, &registers());
        p.session.read_clock(p.now);
        p.session.close(p.now);
        p.run();
        assert_eq!(p.errors(), vec![], "seed {seed}");
        let v = p.values();
        assert_eq!(v.len(), 4, "{v:?}");
        let energy = p.meter.energy_import(p.meter.clock(p.now));
        assert!(v[0].1.parse::<u32>().unwrap().abs_diff(energy) < 5, "{v:?}");
        assert_eq!(v[0].2.as_deref(), Some("Wh"));
        // Voltage with scaler -1: one decimal, in V.
        assert!(v[1].1.starts_with("23") && v[1].1.len() == 5 && v[1].1.contains('.'), "{v:?}");
        assert_eq!(v[1].2.as_deref(), Some("V"));
        assert_eq!(v[2].1, "[-2, 33]");
        assert_eq!(v[3].1, "00000001");
        let clock = p.events.iter().find_map(|e| match e {
            DlmsEvent::Clock { time, .. } => *time,
            _ => None,
        });
        assert!(clock.is_some_and(|t| t.to_string().starts_with("2024-05-17 10:30")), "{clock:?}");
        assert_eq!(p.count(|e| matches!(e, DlmsEvent::Connected { .. })), 1);
        assert_eq!(p.count(|e| matches!(e, DlmsEvent::Released)), 1);
        assert_eq!(p.count(|e| matches!(e, DlmsEvent::Disconnected)), 1);
        assert_eq!(p.events.last(), Some(&DlmsEvent::Done));
    }
}

#[test]
fn scaler_is_read_once_per_association() {
    let mut p = Pair::new(1, Config::default(), MeterConfig::default(), Faults::default());
    let v = target("1-0:32.7.0.255");
    p.session.read(p.now, &[v, v, v]);
    p.run();
    assert_eq!(p.values().len(), 3);
    // SNRM, AARQ, scaler, three values: six requests.
    assert_eq!(p.requests, 6);
}

#[test]
fn low_level_security_and_rejections() {
    let cfg = Config { client: 32, auth: Auth::Low(b"12345678".to_vec()), ..Config::default() };
    let mut p = Pair::new(2, cfg, MeterConfig::default(), Faults::default());
    p.session.read(p.now, &registers()[..1]);
    let t = DateTime { year: 2025, month: 1, day: 2, hour: 3, minute: 4, second: 5 };
    p.session.sync_clock(p.now, t, Confirm::write_to_meter());
    p.session.read_clock(p.now);
    p.run();
    assert_eq!(p.errors(), vec![]);
    assert!(p.events.contains(&DlmsEvent::ClockSet(t)));
    assert!(p.meter.clock(p.now).to_string().starts_with("2025-01-02 03:0"));

    let cfg = Config { client: 32, auth: Auth::Low(b"wrong".to_vec()), ..Config::default() };
    let mut p = Pair::new(3, cfg, MeterConfig::default(), Faults::default());
    p.session.read(p.now, &registers());
    p.run();
    let e = p.errors();
    assert!(
        matches!(&e[0], Failure::Rejected { diagnostic: Diagnostic::User(13), text, .. }
        if text == "rejected (permanent), authentication failure"),
        "{e:?}"
    );
    assert_eq!(e.len(), 5, "the rejection and every read: {e:?}");
    assert!(e[1..].iter().all(|f| *f == Failure::NotAssociated));

    // The management client without authentication: authentication required.
    let cfg = Config { client: 1, ..Config::default() };
    let mut p = Pair::new(4, cfg, MeterConfig::default(), Faults::default());
    p.session.read_clock(p.now);
    p.run();
    assert!(matches!(p.errors()[0], Failure::Rejected { diagnostic: Diagnostic::User(14), .. }));
}

#[test]
fn public_client_may_not_write() {
    let mut p = Pair::new(5, Config::default(), MeterConfig::default(), Faults::default());
    let disconnect = AttrRef::new(70, [0, 0, 96, 3, 10, 255], 1);
    p.session.action(p.now, disconnect, Some(Data::Integer(0)), Confirm::write_to_meter());
    p.run();
    assert!(matches!(p.errors()[..], [Failure::Refused { code: 3, .. }]));
    assert!(p.meter.relay_closed());
}

#[test]
fn hls_gmac_with_and_without_ciphering() {
    for cipher in [false, true] {
        let cfg = Config { client: 1, auth: Auth::HighGmac, security: Some(security(cipher)), ..Config::default() };
        let mut p = Pair::new(6, cfg, MeterConfig::default(), Faults::default());
        p.session.read(p.now, &registers());
        let disconnect = AttrRef::new(70, [0, 0, 96, 3, 10, 255], 1);
        p.session.action(p.now, disconnect, Some(Data::Integer(0)), Confirm::write_to_meter());
        p.session.close(p.now);
        p.run();
        assert_eq!(p.errors(), vec![], "cipher {cipher}");
        assert_eq!(p.count(|e| *e == DlmsEvent::Authenticated), 1);
        assert_eq!(p.values().len(), 4);
        assert!(!p.meter.relay_closed());
        // The invocation counter went on from 100: the ciphered AARQ, f(StoC) and the
        // ciphered ACTION carrying it, six GETs and the ACTION.
        let ic = p.events.iter().rev().find_map(|e| match e {
            DlmsEvent::InvocationCounter(ic) => Some(*ic),
            _ => None,
        });
        let used = if cipher { 1 + 2 + 6 + 1 } else { 1 };
        assert_eq!(ic, Some(100 + used), "cipher {cipher}");
    }
}

#[test]
fn wrong_keys_fail_the_association() {
    let mut sec = security(true);
    sec.keys = SuiteKeys { ek: [9; 16], ak: test_keys().ak };
    let cfg = Config { client: 1, auth: Auth::HighGmac, security: Some(sec), ..Config::default() };
    let mut p = Pair::new(7, cfg, MeterConfig::default(), Faults::default());
    p.session.read_clock(p.now);
    p.run();
    assert!(matches!(p.errors()[0], Failure::Rejected { .. }), "{:?}", p.errors());
    // Right cipher key, wrong authentication key, no ciphering: the GMAC proof fails.
    let mut sec = security(false);
    sec.keys = SuiteKeys { ek: test_keys().ek, ak: [1; 16] };
    let cfg = Config { client: 1, auth: Auth::HighGmac, security: Some(sec), ..Config::default() };
    let mut p = Pair::new(8, cfg, MeterConfig::default(), Faults::default());
    p.session.read_clock(p.now);
    p.run();
    assert!(matches!(p.errors()[0], Failure::Authentication(_)), "{:?}", p.errors());
}

#[test]
fn object_list_in_blocks_and_segments() {
    // A small PDU forces data blocks; a small information field forces HDLC segments.
    for (seed, cipher) in [(9, false), (10, true)] {
        let meter = MeterConfig { max_pdu: 128, max_info: 64, ..MeterConfig::default() };
        let cfg = Config {
            client: 1,
            auth: Auth::HighGmac,
            security: Some(security(cipher)),
            max_info: 64,
            ..Config::default()
        };
        let mut p = Pair::new(seed, cfg, meter, Faults::default());
        p.session.browse(p.now);
        p.run();
        assert_eq!(p.errors(), vec![]);
        let list = p.events.iter().find_map(|e| match e {
            DlmsEvent::ObjectList(l) => Some(l.clone()),
            _ => None,
        });
        let list = list.expect("an object list");
        assert_eq!(list.len(), 14);
        assert!(list.iter().any(|o| o.class == 7 && o.obis == [1, 0, 99, 1, 0, 255]));
        let blocks = p.count(|e| matches!(e, DlmsEvent::Progress { .. }));
        assert!(blocks >= 3, "{blocks} blocks");
    }
}

#[test]
fn long_requests_go_in_segments() {
    let cfg = Config { max_info: 32, ..Config::default() };
    let meter = MeterConfig { max_info: 32, ..MeterConfig::default() };
    let mut p = Pair::new(11, cfg, meter, Faults::default());
    let attrs: Vec<AttrRef> = registers().into_iter().chain([target("0-0:1.0.0.255")]).collect();
    p.session.read_list(p.now, &attrs);
    p.run();
    assert_eq!(p.errors(), vec![]);
    assert_eq!(p.values().len(), 5);
}

#[test]
fn load_profile_by_range_and_entries() {
    let mut p = Pair::new(12, Config::default(), MeterConfig::default(), Faults::default());
    let profile = [1, 0, 99, 1, 0, 255];
    let day = |h: u8| octets(DateTime { year: 2024, month: 5, day: 17, hour: h, minute: 0, second: 0 });
    p.session.read_profile(p.now, profile, Some(Access::range(day(6), day(8), Vec::new())));
    p.session.read_profile(p.now, profile, Some(Access::entries(1, 3)));
    p.session.read_profile(p.now, [0, 0, 99, 98, 0, 255], None);
    p.run();
    assert_eq!(p.errors(), vec![]);
    let profiles: Vec<_> = p
        .events
        .iter()
        .filter_map(|e| match e {
            DlmsEvent::Profile { columns, rows, .. } => Some((columns.clone(), rows.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(profiles.len(), 3);
    let (cols, rows) = &profiles[0];
    assert_eq!(cols.len(), 3);
    assert_eq!(cols[1], AttrRef::new(3, [1, 0, 1, 8, 0, 255], 2));
    // 06:00 to 08:00 every 15 minutes, both ends included.
    assert_eq!(rows.len(), 9);
    assert_eq!(rows[0][0], Data::DateTime(day(6)));
    let energies: Vec<&Data> = rows.iter().map(|r| &r[1]).collect();
    assert!(energies.windows(2).all(|w| match (w[0], w[1]) {
        (Data::DoubleLongUnsigned(a), Data::DoubleLongUnsigned(b)) => a < b,
        _ => false,
    }));
    assert_eq!(profiles[1].1.len(), 3);
    assert!(!profiles[2].1.is_empty());
}

#[test]
fn lost_frames_are_sent_again() {
    // Lost replies (UA, AARE, a segment) and lost requests are all recovered.
    let faults = Faults { drop: vec![0, 1, 4], drop_requests: vec![3, 6] };
    let meter = MeterConfig { max_info: 48, ..MeterConfig::default() };
    let cfg = Config { max_info: 48, reply_timeout: 300, retries: 3, ..Config::default() };
    let mut p = Pair::new(13, cfg, meter, faults);
    p.session.browse(p.now);
    p.session.read(p.now, &registers());
    p.run();
    assert_eq!(p.errors(), vec![]);
    assert_eq!(p.values().len(), 4);
    assert!(p.count(|e| matches!(e, DlmsEvent::Notice(super::session::Notice::Retry { .. }))) >= 5);
    assert_eq!(p.count(|e| matches!(e, DlmsEvent::ObjectList(_))), 1);
}

#[test]
fn a_silent_meter_times_out() {
    let cfg = Config { reply_timeout: 100, retries: 1, ..Config::default() };
    let faults = Faults { drop: (0..100).collect(), ..Faults::default() };
    let mut p = Pair::new(14, cfg, MeterConfig::default(), faults);
    p.session.read(p.now, &registers()[..2]);
    p.run();
    let e = p.errors();
    assert_eq!(e[0], Failure::Timeout { attempts: 2 });
    assert!(e[1..].iter().all(|f| *f == Failure::NotAssociated));
    assert_eq!(p.requests, 2);
}

#[test]
fn wrapper_transport() {
    let cfg = Config { transport: Transport::Wrapper, ..Config::default() };
    let meter = MeterConfig { transport: Transport::Wrapper, ..MeterConfig::default() };
    let mut p = Pair::new(15, cfg, meter, Faults::default());
    p.session.read(p.now, &registers());
    p.session.browse(p.now);
    p.session.close(p.now);
    p.run();
    assert_eq!(p.errors(), vec![]);
    assert_eq!(p.values().len(), 4);
    assert_eq!(p.count(|e| matches!(e, DlmsEvent::Released)), 1);
}

#[test]
fn unknown_objects_are_reported() {
    let mut p = Pair::new(16, Config::default(), MeterConfig::default(), Faults::default());
    p.session.read(p.now, &[target("1-0:99.99.9.255:2"), target("0-0:96.1.0.255")]);
    p.run();
    assert!(matches!(p.errors()[..], [Failure::Refused { code: 4, text: "object undefined" }]));
    assert_eq!(p.values().len(), 1);
}

#[test]
fn random_bytes_never_break_either_side() {
    let mut rng = Rng::new(99);
    for _ in 0..200 {
        let n = rng.range(0, 300) as usize;
        let mut junk: Vec<u8> = (0..n).map(|_| rng.range(0, 255) as u8).collect();
        if rng.chance(50) {
            junk.insert(0, 0x7E);
            junk.insert(1, 0xA0);
        }
        let mut s = DlmsSession::new(Config::default());
        s.read_clock(Millis(0));
        s.handle_input(Millis(1), &junk);
        s.handle_timeout(Millis(10_000));
        while s.poll_event().is_some() {}
        let mut m = DlmsMeter::new(MeterConfig::default());
        m.handle_input(Millis(1), &junk);
        while m.poll_transmit().is_some() {}
    }
}
