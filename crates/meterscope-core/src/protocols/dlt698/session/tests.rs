//! The session against the simulated meter on a virtual clock: GET Normal,
//! List, Record and Next, fragments, active reports, connections, security
//! modes, timeouts and random bytes.

use super::*;
use crate::protocols::dlt698::codec::Ms;
use crate::protocols::dlt698::simulator::{Dlt698Meter, MeterConfig, ReportKind};
use crate::session::{Rng, SimulatedMeter};

use crate::session::testing::{Faults, Pair};

type P = Pair<Dlt698Session, Dlt698Meter>;

/// The session (knowing the meter's address or not) and the simulated meter
/// on the shared test pair; the meter answers 20–150 ms after a request.
fn pair(seed: u64, meter: MeterConfig, known: bool, faults: Faults) -> P {
    pair_with(seed, meter, known, faults, Config::default())
}

fn pair_with(seed: u64, meter: MeterConfig, known: bool, faults: Faults, cfg: Config) -> P {
    let address = known.then_some(meter.address);
    let session = Dlt698Session::new(cfg, address.as_ref().map(|a| a.as_slice()));
    let mut p = Pair::new(seed, session, Dlt698Meter::new(meter), faults);
    p.response = (20, 150);
    p
}

fn simple(seed: u64) -> P {
    pair(seed, MeterConfig::default(), true, Faults::default())
}

impl P {
    fn values(&self) -> Vec<&Reading> {
        self.events_where(|e| match e {
            Dlt698Event::Value(r) => Some(r),
            _ => None,
        })
    }

    fn records(&self) -> Vec<&Record> {
        self.events_where(|e| match e {
            Dlt698Event::Record(r) => Some(r),
            _ => None,
        })
    }

    fn errors(&self) -> Vec<(Option<u32>, Failure)> {
        self.events_where(|e| match e {
            Dlt698Event::Error { oad, failure } => Some((*oad, failure.clone())),
            _ => None,
        })
    }

    fn notices(&self) -> Vec<&Notice> {
        self.events_where(|e| match e {
            Dlt698Event::Notice(n) => Some(n),
            _ => None,
        })
    }
}

const OADS: [u32; 8] =
    [0x0010_0200, 0x0020_0200, 0x2000_0200, 0x2001_0200, 0x2004_0200, 0x200A_0200, 0x200F_0200, 0x4000_0200];

fn num(i: &Item) -> f64 {
    i.value.number().unwrap_or_else(|| panic!("{i:?}"))
}

#[test]
fn get_normal_and_list_in_random_pieces_with_echo_and_noise() {
    for seed in 0..10 {
        let faults = Faults { echo: seed % 2 == 0, noise: seed % 3 == 0, ..Faults::default() };
        let mut p = pair(seed, MeterConfig::default(), true, faults);
        p.session.get_each(p.now, &OADS);
        p.session.get(p.now, &OADS);
        p.run();
        let values = p.values();
        assert_eq!(values.len(), 16, "seed {seed}: {:?}", p.errors());
        assert!(p.errors().is_empty(), "{:?}", p.errors());
        assert_eq!(p.transmits().len(), 9, "no retries");
        assert_eq!(p.events.last(), Some(&Dlt698Event::Done));
        let energy = &values[0];
        assert_eq!(energy.canonical, "00100200");
        assert_eq!(energy.items.len(), 5);
        assert_eq!((energy.items[0].label.as_str(), energy.items[0].unit.as_str()), ("total", "kWh"));
        let sum: f64 = energy.items[1..].iter().map(num).sum();
        assert!((num(&energy.items[0]) - sum).abs() < 0.005);
        assert_eq!(values[2].items[0].label, "phase A");
        assert_eq!(values[2].items[0].unit, "V");
        assert!((220.0..230.0).contains(&num(&values[2].items[0])));
        assert_eq!(values[6].items[0].unit, "Hz");
        assert!(matches!(values[7].items[0].value, crate::session::Value::DateTime(_)), "{:?}", values[7].items[0]);
        if seed % 2 == 0 {
            assert_eq!(p.notices().iter().filter(|n| ***n == Notice::Echo).count(), 9);
        }
    }
}

#[test]
fn finds_the_meter_on_the_wildcard_address() {
    let mut p = pair(1, MeterConfig::default(), false, Faults::default());
    p.session.get(p.now, &[0x0010_0201]);
    p.run();
    assert_eq!(p.events[0], Dlt698Event::MeterFound("123456789012".into()));
    let first = FrameRepr::parse(&p.transmits()[0][4..]).unwrap();
    assert_eq!((first.af, first.sa.clone()), (0x45, vec![0xAA; 6]));
    assert_eq!(p.session.address().as_deref(), Some("123456789012"));
    let v = p.values();
    assert_eq!((v[0].items[0].label.as_str(), v[0].items[0].unit.as_str()), ("total", "kWh"));
    // No meter at all: finding fails and the read with it.
    let mut p = pair(1, MeterConfig::default(), false, Faults { drop_replies: (0..10).collect(), ..Faults::default() });
    p.session.get(p.now, &[0x0010_0200]);
    p.run();
    assert_eq!(
        p.errors(),
        [(Some(0x4001_0200), Failure::Timeout { attempts: 3 }), (Some(0x0010_0200), Failure::NoMeter)]
    );
}

#[test]
fn record_reads_of_freezes_and_events() {
    let mut p = simple(2);
    p.session.get_record(p.now, 0x5004_0200, Rsd::S9(1), &[0x2021_0200, 0x0010_0200]);
    p.session.get_record(p.now, 0x5006_0200, Rsd::S9(2), &[0x2021_0200, 0x0010_0201]);
    p.session.get_record(p.now, 0x5002_0200, Rsd::S10(4, Ms::All), &[0x2021_0200, 0x0010_0200]);
    p.session.get_record(p.now, 0x3011_0200, Rsd::S9(1), &[]);
    p.run();
    assert!(p.errors().is_empty(), "{:?}", p.errors());
    let r = p.records();
    assert_eq!(r.len(), 4);
    assert_eq!(r[0].columns, ["20210200", "00100200"]);
    assert_eq!(r[0].rows.len(), 1);
    assert_eq!(r[0].rows[0][0].value.to_string(), "2024-05-17 00:00:00");
    assert_eq!(r[0].rows[0][1].label, "00100200 total");
    assert_eq!(r[0].rows[0][1].unit, "kWh");
    assert_eq!(r[1].rows[0][0].value.to_string(), "2024-04-01 00:00:00");
    assert_eq!(r[1].rows[0][1].label, "00100201 total");
    assert_eq!(r[2].rows.len(), 4);
    assert_eq!(r[2].rows[0][0].value.to_string(), "2024-05-17 10:30:00");
    assert_eq!(r[3].columns, ["20220200", "201E0200", "20200200"]);
    // A range (selector 2) of day freezes: start included, end excluded.
    let mut p = simple(3);
    let day = |d| {
        crate::protocols::dlt698::simulator::date_time_s(&crate::session::DateTime {
            year: 2024,
            month: 5,
            day: d,
            hour: 0,
            minute: 0,
            second: 0,
        })
    };
    let s2 = crate::protocols::dlt698::codec::Selector2 {
        oad: oad(0x2021_0200),
        start: day(10),
        end: day(13),
        interval: Data::Null,
    };
    p.session.get_record(p.now, 0x5004_0200, Rsd::S2(Box::new(s2)), &[0x2021_0200]);
    p.run();
    let rows: Vec<String> = p.records()[0].rows.iter().map(|r| r[0].value.to_string()).collect();
    assert_eq!(rows, ["2024-05-10 00:00:00", "2024-05-11 00:00:00", "2024-05-12 00:00:00"]);
}

/// A meter that reads only through SECURITY-Request: bare GETs are refused,
/// GETs wrapped in SECURITY-Request (plaintext, RN) are answered in
/// SECURITY-Response (plaintext, MAC), across find-meter, lists, records,
/// GET-Response-Next blocks and a lost reply.
/// The service tags of the APDUs the session sent, in order.
fn sent_services(p: &P) -> Vec<u8> {
    p.transmits().iter().map(|t| FrameRepr::parse(&t[4..]).unwrap().user_data[0]).collect()
}

#[test]
fn connects_when_the_meter_asks_and_releases_at_the_end() {
    let meter = MeterConfig { require_connect: true, ..MeterConfig::default() };
    // Auto: the first GET is refused with ERROR-Response "service not
    // supported"; the session connects (through the wildcard address while
    // the meter is unknown), reads, and releases.
    let mut p = pair(21, meter.clone(), false, Faults { noise: true, ..Faults::default() });
    p.session.get(p.now, &[0x0010_0200, 0x2000_0200]);
    p.session.get(p.now, &[0x4000_0200]);
    p.run();
    assert!(p.errors().is_empty(), "{:?}", p.errors());
    assert_eq!(p.values().len(), 3);
    assert!(p.events.contains(&Dlt698Event::MeterFound("123456789012".into())));
    // find (refused) · CONNECT · find · GET list · GET · RELEASE
    assert_eq!(sent_services(&p), [0x05, 0x02, 0x05, 0x05, 0x05, 0x03]);
    let notices = p.notices();
    assert!(
        matches!(notices.iter().find(|n| matches!(n, Notice::Connecting(_))), Some(Notice::Connecting(w)) if w.contains("service not supported")),
        "{notices:?}"
    );
    assert!(notices.iter().any(|n| matches!(n, Notice::Connected { version: 0x16, .. })));
    assert!(notices.contains(&&Notice::Released { result: 0 }));
    assert!(!p.meter.connected() && !p.session.connected());
    // The next batch connects first: the meter asked once.
    p.events.clear();
    p.trace.clear();
    p.session.get(p.now, &[0x0010_0200]);
    p.run();
    assert_eq!(sent_services(&p), [0x02, 0x05, 0x03]);
    assert_eq!(p.values().len(), 1);

    // Never: the refusal is the answer, in words.
    let cfg = Config { connect: Connect::Never, ..Config::default() };
    let mut p = pair_with(22, meter.clone(), true, Faults::default(), cfg);
    p.session.get(p.now, &[0x0010_0200]);
    p.run();
    let errors = p.errors();
    assert_eq!(errors, [(Some(0x0010_0200), Failure::ErrorResponse { kind: 2 })]);
    let said = errors[0].1.to_string();
    assert!(said.contains("service not supported") && said.contains("application connection"), "{said}");

    // Always, with a password and another client address: the meter
    // checks the password; the frames carry the client address.
    let meter = MeterConfig { password: Some(b"123456".to_vec()), ..meter };
    let cfg = Config {
        connect: Connect::Always,
        password: Some(b"123456".to_vec()),
        client_address: 0x20,
        ..Config::default()
    };
    let mut p = pair_with(23, meter.clone(), true, Faults::default(), cfg.clone());
    p.session.get(p.now, &[0x2000_0200]);
    p.run();
    assert!(p.errors().is_empty(), "{:?}", p.errors());
    assert_eq!(sent_services(&p), [0x02, 0x05, 0x03]);
    assert!(p.transmits().iter().all(|t| FrameRepr::parse(&t[4..]).unwrap().ca == 0x20));
    let Apdu::ConnectRequest { mechanism, params, .. } =
        Apdu::parse(&FrameRepr::parse(&p.transmits()[0][4..]).unwrap().user_data).unwrap()
    else {
        panic!()
    };
    assert_eq!((mechanism, params), (ConnectMechanism::Password(b"123456".to_vec()), CONNECT_PARAMS));

    // A wrong password: the connection is refused once, in words, and the
    // read fails with the meter's refusal; no endless reconnecting.
    let cfg = Config { password: Some(b"000000".to_vec()), ..cfg };
    let mut p = pair_with(24, meter, true, Faults::default(), cfg);
    p.session.get(p.now, &[0x2000_0200]);
    p.run();
    let errors = p.errors();
    assert_eq!(errors[0], (None, Failure::ConnectRefused { result: 1 }), "{errors:?}");
    assert!(errors[0].1.to_string().contains("password error"));
    assert_eq!(errors[1], (Some(0x2000_0200), Failure::ErrorResponse { kind: 2 }));
    assert_eq!(sent_services(&p), [0x02, 0x05]);
}

/// A meter of another protocol version refuses the CONNECT (result 5)
/// naming its version; the session connects again with it, once.
#[test]
fn a_protocol_version_mismatch_is_negotiated() {
    let meter = MeterConfig { require_connect: true, protocol_version: 0x0010, ..MeterConfig::default() };
    let cfg = Config { connect: Connect::Always, ..Config::default() };
    let mut p = pair_with(26, meter, true, Faults::default(), cfg);
    p.session.get(p.now, &[0x2000_0200]);
    p.run();
    assert!(p.errors().is_empty(), "{:?}", p.errors());
    assert_eq!(sent_services(&p), [0x02, 0x02, 0x05, 0x03]);
    assert!(p.notices().contains(&&Notice::Version { theirs: 0x0010 }));
    assert!(p.notices().iter().any(|n| matches!(n, Notice::Connected { version: 0x0010, .. })));
    assert_eq!(p.values().len(), 1);
}

#[test]
fn random_numbers_come_from_the_configured_source() {
    let meter = MeterConfig { require_security: true, ..MeterConfig::default() };
    let rn_of = |p: &P| {
        let a = Apdu::parse(&FrameRepr::parse(&p.transmits()[0][4..]).unwrap().user_data).unwrap();
        let Apdu::SecurityRequest { verify: VerifyInfo::Rn(rn), .. } = a else { panic!("{a:?}") };
        rn
    };
    let run = |random: Random| {
        let cfg = Config { security: ReadSecurity::PlaintextRn, random, ..Config::default() };
        let mut p = pair_with(25, meter.clone(), true, Faults::default(), cfg);
        p.session.get(p.now, &[0x2000_0200]);
        p.run();
        assert!(p.errors().is_empty(), "{:?}", p.errors());
        rn_of(&p)
    };
    // Two sessions on the system source draw different RNs.
    assert_ne!(run(Random::System), run(Random::System));
    // A fixed source only where a test asks for it.
    assert_eq!(run(Random::Fixed(vec![0xA5, 0x5A])), [0xA5, 0x5A].repeat(8));
}

#[test]
fn security_mode_reads() {
    let meter = MeterConfig { require_security: true, block_items: 2, ..MeterConfig::default() };
    // Bare requests: DAR 20 (security authentication mismatch) for each object.
    let mut p = pair(7, meter.clone(), true, Faults::default());
    p.session.get(p.now, &[0x0010_0200, 0x2000_0200]);
    p.run();
    let errors = p.errors();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(matches!(&errors[0], (Some(0x0010_0200), Failure::Dar { code: 20, .. })), "{errors:?}");
    assert!(p.values().is_empty() && p.session.last_security().is_none());

    // Protected requests, the meter found first, the first reply lost.
    let cfg = Config { security: ReadSecurity::PlaintextRn, ..Config::default() };
    let faults = Faults { drop_replies: vec![1], noise: true, ..Faults::default() };
    let mut p = pair_with(8, meter.clone(), false, faults, cfg.clone());
    p.session.get_each(p.now, &OADS[..3]);
    p.session.get(p.now, &OADS[..5]);
    p.session.get_record(p.now, 0x5004_0200, Rsd::S10(3, Ms::All), &[0x2021_0200, 0x0010_0200]);
    p.run();
    assert!(p.errors().is_empty(), "{:?}", p.errors());
    assert!(p.events.contains(&Dlt698Event::MeterFound("123456789012".into())));
    let values = p.values();
    assert_eq!(values.len(), 3 + 5);
    assert_eq!((values[0].canonical.as_str(), values[0].items[0].unit.as_str()), ("00100200", "kWh"));
    assert!((220.0..230.0).contains(&num(&values[2].items[0])));
    assert_eq!(p.records()[0].rows.len(), 3, "two blocks of 2 and 1 rows");
    assert!(p.notices().contains(&&Notice::Retry { attempt: 2 }));
    // Every request went out as SECURITY-Request, plaintext GET with a fresh RN.
    let mut rns = std::collections::BTreeSet::new();
    for t in &p.transmits() {
        let f = FrameRepr::parse(&t[4..]).unwrap();
        let a = Apdu::parse(&f.user_data).unwrap();
        let Apdu::SecurityRequest { verify: VerifyInfo::Rn(rn), .. } = &a else { panic!("{a:?}") };
        assert_eq!(rn.len(), 16);
        rns.insert(rn.clone());
        let inner = a.plaintext().unwrap().unwrap();
        assert!(matches!(
            inner,
            Apdu::GetNormal { .. } | Apdu::GetNormalList { .. } | Apdu::GetRecord { .. } | Apdu::GetNext { .. }
        ));
    }
    // 1 find + 3 + 1 list of 5 (3 blocks: 2 Next) + 1 record (2 blocks: 1 Next) + 1 retry.
    assert_eq!(p.transmits().len(), 1 + 3 + 3 + 2 + 1);
    assert_eq!(rns.len(), p.transmits().len() - 1, "the retry repeats its RN, the others are fresh");
    // The MAC of the last reply is shown, not verified.
    let s = p.session.last_security().unwrap();
    assert_eq!((s.rn.len(), s.mac.as_ref().map(String::len), s.verified), (32, Some(8), false));

    // The same session against a meter that does not require security still reads.
    let mut p = pair_with(9, MeterConfig::default(), true, Faults::default(), cfg);
    p.session.get(p.now, &[0x4000_0200]);
    p.run();
    assert_eq!(p.values().len(), 1);
    // A ciphertext request is refused by the simulated meter (no ESAM).
    let mut m = Dlt698Meter::new(meter);
    let sa: Vec<u8> = MeterConfig::default().address.iter().rev().copied().collect();
    let req = Apdu::SecurityRequest { data: SecurityData::Cipher(vec![1, 2, 3]), verify: VerifyInfo::Rn(vec![0; 16]) };
    m.handle_input(Millis(0), &FrameRepr { control: 0x43, af: 0x05, sa, ca: 0x10, user_data: req.emit() }.emit());
    let out = m.poll_transmit().unwrap();
    let f = FrameRepr::parse(&out[out.iter().take_while(|&&b| b == 0xFE).count()..]).unwrap();
    assert_eq!(
        Apdu::parse(&f.user_data).unwrap(),
        Apdu::SecurityResponse { data: SecurityResponseData::Dar(22), mac: None }
    );
}

#[test]
fn get_next_joins_blocks() {
    let meter = MeterConfig { block_items: 2, ..MeterConfig::default() };
    let mut p = pair(4, meter, true, Faults { echo: true, ..Faults::default() });
    p.session.get_record(p.now, 0x5004_0200, Rsd::S10(5, Ms::All), &[0x2021_0200, 0x0010_0200]);
    p.session.get(p.now, &OADS[..5]);
    p.run();
    assert!(p.errors().is_empty(), "{:?}", p.errors());
    let r = p.records();
    assert_eq!(r[0].rows.len(), 5, "three blocks of 2, 2 and 1 rows");
    assert_eq!(p.values().len(), 5);
    let blocks = p.notices().iter().filter(|n| matches!(n, Notice::Block { .. })).count();
    assert_eq!(blocks, 2 + 2);
    assert_eq!(p.transmits().len(), 2 + 4, "two requests and four GET-Request-Next");
    let next = FrameRepr::parse(&p.transmits()[1][4..]).unwrap();
    assert!(matches!(Apdu::parse(&next.user_data).unwrap(), Apdu::GetNext { last_block: 1, .. }));
}

#[test]
fn link_fragments_are_confirmed_and_joined() {
    for seed in 0..5 {
        let meter = MeterConfig { max_frame: 60, ..MeterConfig::default() };
        let faults = Faults { echo: seed % 2 == 1, ..Faults::default() };
        let mut p = pair(seed, meter, true, faults);
        p.session.get(p.now, &OADS);
        p.session.get_record(p.now, 0x5004_0200, Rsd::S10(3, Ms::All), &[0x2021_0200, 0x0010_0200]);
        p.run();
        assert!(p.errors().is_empty(), "{:?}", p.errors());
        assert_eq!(p.values().len(), 8);
        assert_eq!(p.records()[0].rows.len(), 3);
        let confirms = p.notices().iter().filter(|n| matches!(n, Notice::Fragment { .. })).count();
        assert!(confirms >= 4, "{confirms}");
        assert_eq!(p.meter.confirms(), confirms);
        // Every confirmation is a client frame with the fragment bit and no APDU.
        let c = FrameRepr::parse(&p.transmits()[1][4..]).unwrap();
        assert_eq!(c.control, 0x63);
        assert_eq!(Fragment::of(&c).unwrap().kind, FragmentKind::Confirm);
    }
}

#[test]
fn active_report_in_the_middle_of_a_read() {
    for kind in [ReportKind::List, ReportKind::Record] {
        let mut p = pair(5, MeterConfig::default(), true, Faults::default());
        // The meter raises the report when the session sends its second request.
        p.on_request = Some(Box::new(move |meter, now, n| {
            if n == 1 {
                meter.raise_report(now, kind);
            }
        }));
        p.session.get_each(p.now, &OADS[..3]);
        p.run();
        assert!(p.errors().is_empty(), "{:?}", p.errors());
        assert_eq!(p.values().len(), 3, "the read goes on");
        let reports: Vec<_> = p.events.iter().filter(|e| matches!(e, Dlt698Event::Report { .. })).collect();
        assert_eq!(reports.len(), 1, "{:?}", p.events);
        match (kind, reports[0]) {
            (ReportKind::List, Dlt698Event::Report { values, .. }) => {
                assert_eq!(values.iter().map(|v| v.canonical.as_str()).collect::<Vec<_>>(), ["33200200", "20150200"])
            }
            (ReportKind::Record, Dlt698Event::Report { records, .. }) => {
                assert_eq!(records[0].canonical, "30110200")
            }
            _ => unreachable!(),
        }
        assert_eq!(p.meter.reports(), (1, 1), "the report was answered");
        let answer = p.transmits().iter().find_map(|t| {
            let f = FrameRepr::parse(&t[4..]).ok()?;
            (f.control == 0x03).then(|| Apdu::parse(&f.user_data).unwrap())
        });
        assert!(matches!(answer, Some(Apdu::ReportResponse { .. })), "{answer:?}");
        assert_eq!(p.transmits().len(), 4);
    }
}

#[test]
fn follow_report_is_surfaced() {
    let mut p = simple(6);
    p.meter.request_follow_report();
    p.session.get(p.now, &[0x2000_0200]);
    p.run();
    let follow: Vec<_> = p
        .events
        .iter()
        .filter_map(|e| match e {
            Dlt698Event::FollowReport { values, .. } => Some(values),
            _ => None,
        })
        .collect();
    assert_eq!(follow.len(), 1);
    assert_eq!(follow[0][0].canonical, "20150200");
    assert_eq!(p.values().len(), 1);
}

#[test]
fn timeouts_retries_dars_and_set() {
    let mut p = pair(7, MeterConfig::default(), true, Faults { drop_replies: vec![0, 2], ..Faults::default() });
    p.session.get_each(p.now, &[0x0010_0200, 0x9999_0200, 0x2000_0200]);
    let t = crate::session::DateTime { year: 2025, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
    p.session.set(p.now, 0x4000_0200, crate::protocols::dlt698::simulator::date_time_s(&t));
    p.run();
    assert_eq!(p.values().len(), 2);
    assert_eq!(p.errors(), [(Some(0x9999_0200), Failure::Dar { code: 6, text: "object does not exist".into() })]);
    assert_eq!(p.notices().iter().filter(|n| matches!(n, Notice::Retry { .. })).count(), 2);
    assert!(p.events.contains(&Dlt698Event::Written { oad: 0x4000_0200, dar: 0 }));
    assert_eq!(p.meter.clock(p.now).year, 2025);
    // A silent meter: three attempts, then the error.
    let mut p = pair(8, MeterConfig::default(), true, Faults { drop_replies: (0..3).collect(), ..Faults::default() });
    p.session.get(p.now, &[0x0010_0200]);
    p.run();
    assert_eq!(p.errors(), [(Some(0x0010_0200), Failure::Timeout { attempts: 3 })]);
    assert_eq!(p.transmits().len(), 3);
}

#[test]
fn random_bytes_never_break_the_session() {
    let mut rng = Rng::new(99);
    for _ in 0..200 {
        let mut s = Dlt698Session::new(Config::default(), Some(&[1, 2, 3, 4, 5, 6]));
        s.get(Millis(0), &[0x0010_0200]);
        let mut dones = 0;
        for i in 0..20 {
            let n = rng.range(0, 40) as usize;
            let mut b: Vec<u8> = (0..n).map(|_| rng.range(0, 255) as u8).collect();
            if rng.chance(30) {
                b.insert(0, 0x68);
            }
            s.handle_input(Millis(i * 10), &b);
            s.handle_timeout(Millis(i * 700));
            while s.poll_action().is_some() {}
            while let Some(e) = s.poll_event() {
                dones += usize::from(e == Dlt698Event::Done);
            }
        }
        // However the bytes went, the read ends: idle, "done" said once.
        for _ in 0..100 {
            let Some(t) = s.poll_timeout() else { break };
            s.handle_timeout(t);
        }
        while let Some(e) = s.poll_event() {
            dones += usize::from(e == Dlt698Event::Done);
        }
        assert!(s.is_idle());
        assert_eq!(dones, 1, "the queued work ended once");
    }
}
