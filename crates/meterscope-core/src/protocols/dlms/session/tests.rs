//! The DLMS session against the simulated meter on a virtual clock (the
//! shared [`crate::session::testing::Pair`]: bytes take their wire time, the
//! meter its response time): every authentication, ciphering (glo and ded),
//! data blocks, general block transfer, HDLC segmentation and windows, short
//! names, lost frames and retransmission, rejections, the wrapper, the meter
//! operations, and the line time of a profile read against its wire time.

use super::super::assoc::{Diagnostic, SuiteKeys, conformance};
use super::super::axdr::Data;
use super::super::hdlc::Control;
use super::super::link::HdlcFrame;
use super::super::services::{Access, AttrRef, Gbt};
use super::super::simulator::{DlmsMeter, MBUS_VOLUME, MeterConfig, test_keys};
use super::{
    ALARM_REGISTER, Auth, CLOCK, Config, Confirm, DISCONNECT_CONTROL, DlmsEvent, DlmsSession, EVENT_LOG, FIRMWARE,
    Failure, LOAD_PROFILE, MBUS_CLIENT, Notice, PUSH_SETUP, Security, Transport, civil, octets, parse_target,
};
use crate::session::testing::{Faults, Pair};
use crate::session::{DateTime, Millis, Rng, Session, SimulatedMeter};

type DlmsPair = Pair<DlmsSession, DlmsMeter>;

fn pair(seed: u64, cfg: Config, meter: MeterConfig, faults: Faults) -> DlmsPair {
    Pair::new(seed, DlmsSession::new(cfg), DlmsMeter::new(meter), faults)
}

fn values(p: &DlmsPair) -> Vec<(AttrRef, String, Option<String>)> {
    p.events_where(|e| match e {
        DlmsEvent::Value { attr, text, unit, .. } => Some((*attr, text.clone(), unit.clone())),
        _ => None,
    })
}

fn errors(p: &DlmsPair) -> Vec<Failure> {
    p.events_where(|e| match e {
        DlmsEvent::Error { failure, .. } => Some(failure.clone()),
        _ => None,
    })
}

fn count(p: &DlmsPair, f: impl Fn(&DlmsEvent) -> bool) -> usize {
    p.events.iter().filter(|e| f(e)).count()
}

/// A profile read: OBIS code, capture objects, rows.
type ProfileRead = ([u8; 6], Vec<AttrRef>, Vec<Vec<Data>>);

fn profiles(p: &DlmsPair) -> Vec<ProfileRead> {
    p.events_where(|e| match e {
        DlmsEvent::Profile { obis, columns, rows } => Some((*obis, columns.clone(), rows.clone())),
        _ => None,
    })
}

/// The HDLC frames of one side that arrived (parsed), lost ones left out.
fn hdlc_frames(p: &DlmsPair, from_meter: bool) -> Vec<HdlcFrame> {
    p.trace
        .iter()
        .filter(|s| s.from_meter == from_meter && !s.lost)
        .filter_map(|s| HdlcFrame::parse(&s.bytes).ok())
        .collect()
}

/// The APDU tags of the I frames of one side that start an APDU.
fn apdu_tags(p: &DlmsPair, from_meter: bool) -> Vec<u8> {
    let mut tags = Vec::new();
    let mut inside = false;
    for f in hdlc_frames(p, from_meter) {
        if let Control::I { .. } = f.control {
            if !inside && f.info.len() > 3 {
                tags.push(f.info[3]);
            }
            inside = f.segmented;
        }
    }
    tags
}

fn target(t: &str) -> AttrRef {
    parse_target(t).unwrap()
}

fn security(cipher: bool) -> Security {
    Security { keys: test_keys(), system_title: *b"MTS\x00\x00\x00\x00\x07", invocation_counter: 100, cipher }
}

fn management(cipher: bool) -> Config {
    Config { client: 1, auth: Auth::HighGmac, security: Some(security(cipher)), ..Config::default() }
}

fn low() -> Config {
    Config { client: 32, auth: Auth::Low(b"12345678".to_vec()), ..Config::default() }
}

fn registers() -> Vec<AttrRef> {
    ["1-0:1.8.0.255", "1-0:32.7.0.255", "1-0:31.7.0.255:3", "0-0:96.1.0.255"].map(target).to_vec()
}

fn day(d: u8, h: u8) -> [u8; 12] {
    octets(DateTime { year: 2024, month: 5, day: d, hour: h, minute: 0, second: 0 })
}

fn clock_of(p: &DlmsPair) -> Option<DateTime> {
    p.events.iter().find_map(|e| match e {
        DlmsEvent::Clock { time, .. } => *time,
        _ => None,
    })
}

#[test]
fn targets() {
    assert_eq!(target("1-0:1.8.0.255"), AttrRef::new(3, [1, 0, 1, 8, 0, 255], 2));
    assert_eq!(target("1-0:1.8.0*255:3"), AttrRef::new(3, [1, 0, 1, 8, 0, 255], 3));
    assert_eq!(target("0-0:1.0.0.255"), AttrRef::new(8, [0, 0, 1, 0, 0, 255], 2));
    assert_eq!(target("7/1-0:99.1.0.255:3"), AttrRef::new(7, [1, 0, 99, 1, 0, 255], 3));
    assert_eq!(target("1-0:0.2.0.255"), AttrRef::new(1, FIRMWARE[0], 2));
    assert_eq!(target("0-0:25.9.0.255"), AttrRef::new(40, PUSH_SETUP, 2));
    assert_eq!(target("0-1:24.1.0.255"), AttrRef::new(72, MBUS_CLIENT, 2));
    assert_eq!(target("0-1:24.2.1.255"), AttrRef::new(4, MBUS_VOLUME, 2));
    assert_eq!(parse_target("00010000"), None);
    let t = DateTime { year: 2024, month: 5, day: 19, hour: 1, minute: 2, second: 3 };
    assert_eq!(octets(t)[4], 7, "a Sunday is day 7");
    assert_eq!(civil(&octets(t)), Some(t));
}

#[test]
fn public_client_reads_registers_with_scaler_and_unit() {
    for seed in 0..10 {
        let mut p = pair(seed, Config::default(), MeterConfig::default(), Faults::default());
        p.session.read(p.now, &registers());
        p.session.read_clock(p.now);
        p.session.close(p.now);
        p.run();
        assert_eq!(errors(&p), vec![], "seed {seed}");
        let v = values(&p);
        assert_eq!(v.len(), 4, "{v:?}");
        let energy = p.meter.energy_import(p.meter.clock(p.now));
        assert!(v[0].1.parse::<u32>().unwrap().abs_diff(energy) < 5, "{v:?}");
        assert_eq!(v[0].2.as_deref(), Some("Wh"));
        // Voltage with scaler -1: one decimal, in V.
        assert!(v[1].1.starts_with("23") && v[1].1.len() == 5 && v[1].1.contains('.'), "{v:?}");
        assert_eq!(v[1].2.as_deref(), Some("V"));
        assert_eq!(v[2].1, "[-2, 33]");
        assert_eq!(v[3].1, "00000001");
        assert!(clock_of(&p).is_some_and(|t| t.to_string().starts_with("2024-05-17 10:30")), "{:?}", clock_of(&p));
        assert_eq!(count(&p, |e| matches!(e, DlmsEvent::Connected { .. })), 1);
        assert_eq!(count(&p, |e| matches!(e, DlmsEvent::Released)), 1);
        assert_eq!(count(&p, |e| matches!(e, DlmsEvent::Disconnected)), 1);
        assert_eq!(p.events.last(), Some(&DlmsEvent::Done));
    }
}

#[test]
fn scaler_is_read_once_per_association() {
    let mut p = pair(1, Config::default(), MeterConfig::default(), Faults::default());
    let v = target("1-0:32.7.0.255");
    p.session.read(p.now, &[v, v, v]);
    p.run();
    assert_eq!(values(&p).len(), 3);
    // SNRM, AARQ, scaler, three values: six requests.
    assert_eq!(p.requests, 6);
    // A new association reads it again.
    p.session.close(p.now);
    p.session.read(p.now, &[v]);
    p.run();
    assert_eq!(values(&p).len(), 4);
    assert!(values(&p).iter().all(|x| x.2.as_deref() == Some("V")));
    assert_eq!(p.requests, 6 + 2 + 4);
}

#[test]
fn low_level_security_reads_and_sets_the_clock() {
    let mut p = pair(2, low(), MeterConfig::default(), Faults::default());
    p.session.read(p.now, &registers()[..1]);
    let t = DateTime { year: 2025, month: 1, day: 2, hour: 3, minute: 4, second: 5 };
    p.session.sync_clock(p.now, t, Confirm::write_to_meter());
    p.session.read_clock(p.now);
    p.run();
    assert_eq!(errors(&p), vec![]);
    assert!(p.events.contains(&DlmsEvent::ClockSet(t)));
    assert!(p.meter.clock(p.now).to_string().starts_with("2025-01-02 03:0"));
    assert!(clock_of(&p).is_some_and(|c| c.to_string().starts_with("2025-01-02 03:0")));
}

#[test]
fn a_wrong_password_ends_with_the_diagnostic_in_words() {
    let cfg = Config { client: 32, auth: Auth::Low(b"wrong".to_vec()), ..Config::default() };
    let mut p = pair(3, cfg, MeterConfig::default(), Faults::default());
    p.session.read(p.now, &registers());
    p.run();
    let e = errors(&p);
    assert!(
        matches!(&e[0], Failure::Rejected { result: 1, diagnostic: Diagnostic::User(13), text }
        if text == "rejected (permanent), authentication failure"),
        "{e:?}"
    );
    assert_eq!(e[0].text(crate::Lang::En), "association rejected: rejected (permanent), authentication failure");
    assert_eq!(e.len(), 5, "the rejection and every read: {e:?}");
    assert!(e[1..].iter().all(|f| *f == Failure::NotAssociated));
    assert!(!p.session.is_associated());
    assert_eq!(p.events.last(), Some(&DlmsEvent::Done));
}

#[test]
fn a_rejected_aarq_ends_with_the_diagnostic_in_words() {
    // The management client without authentication: authentication required.
    let cfg = Config { client: 1, ..Config::default() };
    let mut p = pair(4, cfg, MeterConfig::default(), Faults::default());
    p.session.read_clock(p.now);
    p.run();
    let e = errors(&p);
    assert_eq!(e[0].text(crate::Lang::En), "association rejected: rejected (permanent), authentication required");
    assert!(matches!(e[0], Failure::Rejected { diagnostic: Diagnostic::User(14), .. }));
    assert_eq!(e[1], Failure::NotAssociated);
    // Short names asked of a meter of logical names: the context is refused.
    let cfg = Config { short_names: true, ..Config::default() };
    let mut p = pair(4, cfg, MeterConfig::default(), Faults::default());
    p.session.read_clock(p.now);
    p.run();
    assert_eq!(
        errors(&p)[0].text(crate::Lang::En),
        "association rejected: rejected (permanent), application context name not supported"
    );
    assert_eq!(p.events.last(), Some(&DlmsEvent::Done));
}

#[test]
fn public_client_may_not_write() {
    let mut p = pair(5, Config::default(), MeterConfig::default(), Faults::default());
    p.session.disconnect(p.now, Confirm::write_to_meter());
    p.run();
    assert!(matches!(errors(&p)[..], [Failure::Refused { code: 3, .. }]), "{:?}", errors(&p));
    assert!(p.meter.relay_closed());
}

#[test]
fn hls_gmac_with_and_without_ciphering() {
    for cipher in [false, true] {
        let mut p = pair(6, management(cipher), MeterConfig::default(), Faults::default());
        p.session.read(p.now, &registers());
        p.session.disconnect(p.now, Confirm::write_to_meter());
        p.session.close(p.now);
        p.run();
        assert_eq!(errors(&p), vec![], "cipher {cipher}");
        assert_eq!(count(&p, |e| *e == DlmsEvent::Authenticated), 1);
        assert_eq!(values(&p).len(), 4);
        assert!(!p.meter.relay_closed());
        // The invocation counter went on from 100: the ciphered AARQ, f(StoC) and the
        // ciphered ACTION carrying it, six GETs and the ACTION.
        let ic = p.events.iter().rev().find_map(|e| match e {
            DlmsEvent::InvocationCounter(ic) => Some(*ic),
            _ => None,
        });
        let used = if cipher { 1 + 2 + 6 + 1 } else { 1 };
        assert_eq!(ic, Some(100 + used), "cipher {cipher}");
        assert_eq!(p.session.invocation_counter(), 100 + used);
        // Glo-ciphered GET requests on the line when ciphering.
        assert_eq!(apdu_tags(&p, false).contains(&0xC8), cipher);
    }
}

#[test]
fn the_invocation_counter_is_carried_to_the_next_session() {
    let mut p = pair(6, management(true), MeterConfig::default(), Faults::default());
    p.session.read_clock(p.now);
    p.session.close(p.now);
    p.run();
    let next = p.session.invocation_counter();
    assert!(next > 100);
    let mut sec = security(true);
    sec.invocation_counter = next;
    let cfg = Config { security: Some(sec), ..management(true) };
    let mut q = Pair::new(7, DlmsSession::new(cfg), p.meter.clone(), Faults::default());
    q.now = p.now.after(1000);
    q.session.read_clock(q.now);
    q.run();
    assert_eq!(errors(&q), vec![]);
    assert!(q.session.invocation_counter() > next);
}

#[test]
fn wrong_keys_fail_the_association() {
    let mut sec = security(true);
    sec.keys = SuiteKeys { ek: [9; 16], ak: test_keys().ak };
    let cfg = Config { security: Some(sec), ..management(true) };
    let mut p = pair(7, cfg, MeterConfig::default(), Faults::default());
    p.session.read_clock(p.now);
    p.run();
    assert!(matches!(errors(&p)[0], Failure::Rejected { .. }), "{:?}", errors(&p));
    // Right cipher key, wrong authentication key, no ciphering: the GMAC proof fails.
    let mut sec = security(false);
    sec.keys = SuiteKeys { ek: test_keys().ek, ak: [1; 16] };
    let cfg = Config { security: Some(sec), ..management(false) };
    let mut p = pair(8, cfg, MeterConfig::default(), Faults::default());
    p.session.read_clock(p.now);
    p.run();
    assert!(matches!(errors(&p)[0], Failure::Authentication(_)), "{:?}", errors(&p));
}

#[test]
fn object_list_in_blocks_and_segments() {
    // A small PDU forces data blocks; a small information field forces HDLC segments.
    for (seed, cipher) in [(9, false), (10, true)] {
        let meter = MeterConfig { max_pdu: 128, max_info: 64, ..MeterConfig::default() };
        let cfg = Config { max_info: 64, ..management(cipher) };
        let mut p = pair(seed, cfg, meter, Faults::default());
        p.session.browse(p.now);
        p.run();
        assert_eq!(errors(&p), vec![]);
        let list = p.events.iter().find_map(|e| match e {
            DlmsEvent::ObjectList(l) => Some(l.clone()),
            _ => None,
        });
        let list = list.expect("an object list");
        assert_eq!(list.len(), 22);
        assert!(list.iter().any(|o| o.class == 7 && o.obis == LOAD_PROFILE));
        assert!(list.iter().any(|o| o.class == 72 && o.obis == MBUS_CLIENT));
        let blocks = count(&p, |e| matches!(e, DlmsEvent::Progress { .. }));
        assert!(blocks >= 3, "{blocks} blocks");
        assert!(hdlc_frames(&p, true).iter().filter(|f| f.segmented).count() >= 3);
    }
}

#[test]
fn long_requests_go_in_segments() {
    for window in [1, 3] {
        let cfg = Config { max_info: 32, window, ..Config::default() };
        let meter = MeterConfig { max_info: 32, window: 7, ..MeterConfig::default() };
        let mut p = pair(11, cfg, meter, Faults::default());
        let attrs: Vec<AttrRef> = registers().into_iter().chain([target("0-0:1.0.0.255")]).collect();
        p.session.read_list(p.now, &attrs);
        p.run();
        assert_eq!(errors(&p), vec![]);
        assert_eq!(values(&p).len(), 5);
        assert_eq!(p.session.window(), window);
        let segments = hdlc_frames(&p, false).iter().filter(|f| f.segmented).count();
        assert!(segments >= 2, "window {window}: {segments} segments");
        // With a window of 3 the meter acknowledges every third segment only.
        let rrs = hdlc_frames(&p, true).iter().filter(|f| matches!(f.control, Control::Rr { .. })).count();
        assert!(if window == 1 { rrs >= segments } else { rrs * 2 < segments }, "{rrs} RR for {segments}");
    }
}

#[test]
fn load_profile_by_range_and_entries() {
    let mut p = pair(12, Config::default(), MeterConfig::default(), Faults::default());
    p.session.read_profile(p.now, LOAD_PROFILE, Some(Access::range(day(17, 6), day(17, 8), Vec::new())));
    p.session.read_profile(p.now, LOAD_PROFILE, Some(Access::entries(1, 3)));
    p.run();
    assert_eq!(errors(&p), vec![]);
    let profiles = profiles(&p);
    assert_eq!(profiles.len(), 2);
    let (_, cols, rows) = &profiles[0];
    assert_eq!(cols.len(), 3);
    assert_eq!(cols[1], AttrRef::new(3, [1, 0, 1, 8, 0, 255], 2));
    // 06:00 to 08:00 every 15 minutes, both ends included.
    assert_eq!(rows.len(), 9);
    assert_eq!(rows[0][0], Data::DateTime(day(17, 6)));
    let energies: Vec<&Data> = rows.iter().map(|r| &r[1]).collect();
    assert!(energies.windows(2).all(|w| match (w[0], w[1]) {
        (Data::DoubleLongUnsigned(a), Data::DoubleLongUnsigned(b)) => a < b,
        _ => false,
    }));
    assert_eq!(profiles[1].2.len(), 3);
    assert_eq!(p.session.line_times().len(), 2);
}

/// Two days of 15-minute entries (192 rows, about 5 KB): more than the
/// meter's PDU, so the buffer comes in GET data blocks, and each block is
/// longer than the information field, so it comes in HDLC segments polled
/// with RR.
#[test]
fn a_two_day_load_profile_arrives_in_blocks_and_segments() {
    let meter = MeterConfig { profile_entries: 192, ..MeterConfig::default() };
    let mut p = pair(21, low(), meter, Faults::default());
    // From the first entry, two days before the clock, to the clock.
    let access = Access::range(day(15, 10), day(17, 11), Vec::new());
    p.session.read_profile(p.now, LOAD_PROFILE, Some(access));
    p.run();
    assert_eq!(errors(&p), vec![]);
    let profiles = profiles(&p);
    let (obis, columns, rows) = &profiles[0];
    assert_eq!(*obis, LOAD_PROFILE);
    assert_eq!(columns.len(), 3);
    // 10:45 two days ago to 10:30 today: 192 quarters of an hour.
    assert_eq!(rows.len(), 192);
    assert_eq!(
        rows[0][0],
        Data::DateTime(octets(DateTime { year: 2024, month: 5, day: 15, hour: 10, minute: 45, second: 0 }))
    );
    let last = DateTime { year: 2024, month: 5, day: 17, hour: 10, minute: 30, second: 0 };
    assert_eq!(rows[191][0], Data::DateTime(octets(last)));
    let first = match rows[0][1] {
        Data::DoubleLongUnsigned(v) => v,
        _ => panic!("energy"),
    };
    let t0 = DateTime { year: 2024, month: 5, day: 15, hour: 10, minute: 45, second: 0 };
    assert_eq!(first, p.meter.energy_import(t0));
    // Blocks: GET-Response-With-Datablock, each asked for with GET-Request-Next.
    let blocks = count(&p, |e| matches!(e, DlmsEvent::Progress { .. }));
    assert!(blocks >= 8, "{blocks} data blocks");
    let next_requests = apdu_tags(&p, false).iter().filter(|&&t| t == 0xC0).count();
    assert!(next_requests > blocks, "{next_requests} GET requests");
    // Segments: meter frames with the segmentation bit, each polled by an RR.
    let meter_frames = hdlc_frames(&p, true);
    let segmented = meter_frames.iter().filter(|f| f.segmented).count();
    assert!(segmented >= 2 * blocks, "{segmented} segments for {blocks} blocks");
    let polls = hdlc_frames(&p, false).iter().filter(|f| matches!(f.control, Control::Rr { .. })).count();
    assert_eq!(polls, segmented);
}

/// Every read of the done-when list in each authentication mode: the object
/// list, a register with scaler and unit, the clock, two days of load profile
/// (in data blocks and HDLC segments) and the event log.
#[test]
fn every_read_in_each_authentication_mode() {
    for (seed, cfg) in [(91, Config::default()), (92, low()), (93, management(true))] {
        let auth = format!("{:?}", cfg.auth);
        let meter = MeterConfig { profile_entries: 192, ..MeterConfig::default() };
        let mut p = pair(seed, cfg, meter, Faults::default());
        p.session.browse(p.now);
        p.session.read(p.now, &[target("1-0:32.7.0.255")]);
        p.session.read_clock(p.now);
        p.session.read_profile(p.now, LOAD_PROFILE, None);
        p.session.read_event_log(p.now, EVENT_LOG, None);
        p.session.close(p.now);
        p.run();
        assert_eq!(errors(&p), vec![], "{auth}");
        assert!(p.events.iter().any(|e| matches!(e, DlmsEvent::ObjectList(l) if l.len() == 22)), "{auth}");
        let v = values(&p);
        assert_eq!((v.len(), v[0].2.as_deref()), (1, Some("V")), "{auth}");
        assert!(v[0].1.contains('.'), "{auth}: {v:?}");
        assert!(clock_of(&p).is_some(), "{auth}");
        let profiles = profiles(&p);
        assert_eq!(profiles.len(), 2, "{auth}");
        assert_eq!((profiles[0].0, profiles[0].2.len()), (LOAD_PROFILE, 192), "{auth}");
        assert_eq!(profiles[1].0, EVENT_LOG, "{auth}");
        assert!(!profiles[1].2.is_empty(), "{auth}");
        assert!(count(&p, |e| matches!(e, DlmsEvent::Progress { .. })) >= 8, "{auth}: data blocks");
        assert!(hdlc_frames(&p, true).iter().filter(|f| f.segmented).count() >= 16, "{auth}: segments");
        assert_eq!(p.session.line_times().len(), 2, "{auth}");
        assert_eq!(count(&p, |e| *e == DlmsEvent::Released), 1, "{auth}");
        assert_eq!(p.events.last(), Some(&DlmsEvent::Done));
    }
}

#[test]
fn the_event_log_is_read_whole_and_by_range() {
    let mut p = pair(22, Config::default(), MeterConfig::default(), Faults::default());
    p.session.read_event_log(p.now, EVENT_LOG, None);
    p.session.read_event_log(p.now, EVENT_LOG, Some(Access::range(day(14, 0), day(16, 0), Vec::new())));
    p.run();
    assert_eq!(errors(&p), vec![]);
    let profiles = profiles(&p);
    let (obis, columns, rows) = &profiles[0];
    assert_eq!(*obis, EVENT_LOG);
    assert_eq!(columns, &[AttrRef::new(8, CLOCK, 2), AttrRef::new(1, [0, 0, 96, 11, 0, 255], 2)]);
    let expected = p.meter.event_rows(p.meter.clock(p.now));
    assert!(!expected.is_empty());
    assert_eq!(rows.len(), expected.len());
    for (row, e) in rows.iter().zip(&expected) {
        assert_eq!(&Data::Structure(row.clone()), e);
        assert!(matches!(row[1], Data::LongUnsigned(1..=60)));
    }
    // By range: only the events of 14 and 15 May.
    let (from, to) = (civil(&day(14, 0)).unwrap(), civil(&day(16, 0)).unwrap());
    let in_range = expected
        .iter()
        .filter(|r| match r {
            Data::Structure(c) => matches!(&c[0], Data::DateTime(t) if civil(t).is_some_and(|t| t >= from && t <= to)),
            _ => false,
        })
        .count();
    assert_eq!(profiles[1].2.len(), in_range);
}

#[test]
fn lost_frames_are_sent_again() {
    // Lost replies (UA, AARE, a segment) and lost requests are all recovered.
    let faults = Faults { drop_replies: vec![0, 1, 4], drop_requests: vec![3, 6], ..Faults::default() };
    let meter = MeterConfig { max_info: 48, ..MeterConfig::default() };
    let cfg = Config { max_info: 48, reply_timeout: 300, retries: 3, ..Config::default() };
    let mut p = pair(13, cfg, meter, faults);
    p.session.browse(p.now);
    p.session.read(p.now, &registers());
    p.run();
    assert_eq!(errors(&p), vec![]);
    assert_eq!(values(&p).len(), 4);
    assert!(count(&p, |e| matches!(e, DlmsEvent::Notice(Notice::Retry { .. }))) >= 5);
    assert_eq!(count(&p, |e| matches!(e, DlmsEvent::ObjectList(_))), 1);
}

#[test]
fn a_lost_ua_is_recovered_by_sending_snrm_again() {
    let faults = Faults { drop_replies: vec![0], ..Faults::default() };
    let cfg = Config { reply_timeout: 500, ..Config::default() };
    let mut p = pair(23, cfg, MeterConfig::default(), faults);
    p.session.read_clock(p.now);
    p.run();
    assert_eq!(errors(&p), vec![]);
    assert!(clock_of(&p).is_some());
    // SNRM twice, then AARQ and GET.
    let snrms = hdlc_frames(&p, false).iter().filter(|f| matches!(f.control, Control::Snrm { .. })).count();
    assert_eq!(snrms, 2);
    assert_eq!(count(&p, |e| *e == DlmsEvent::Notice(Notice::Retry { attempt: 2 })), 1);
    assert_eq!(count(&p, |e| matches!(e, DlmsEvent::Connected { .. })), 1);
}

#[test]
fn a_lost_ua_every_time_ends_in_a_timeout() {
    let faults = Faults { drop_replies: vec![0, 1, 2], ..Faults::default() };
    let cfg = Config { reply_timeout: 500, retries: 2, ..Config::default() };
    let mut p = pair(24, cfg, MeterConfig::default(), faults);
    p.session.read_clock(p.now);
    p.run();
    let e = errors(&p);
    assert_eq!(e[0], Failure::Timeout { attempts: 3 });
    assert_eq!(e[0].text(crate::Lang::En), "no reply after 3 attempt(s)");
    assert_eq!(e[1..], [Failure::NotAssociated]);
    assert_eq!(count(&p, |e| matches!(e, DlmsEvent::Connected { .. })), 0);
}

#[test]
fn a_silent_meter_times_out_after_retransmissions() {
    let cfg = Config { reply_timeout: 100, retries: 1, ..Config::default() };
    let faults = Faults { drop_replies: (0..100).collect(), ..Faults::default() };
    let mut p = pair(14, cfg, MeterConfig::default(), faults);
    let start = p.now;
    p.session.read(p.now, &registers()[..2]);
    p.run();
    let e = errors(&p);
    assert_eq!(e[0], Failure::Timeout { attempts: 2 });
    assert!(e[1..].iter().all(|f| *f == Failure::NotAssociated));
    assert_eq!(p.requests, 2);
    assert_eq!(count(&p, |e| *e == DlmsEvent::Notice(Notice::Retry { attempt: 2 })), 1);
    // Two SNRMs, each waited for its wire time plus the reply timeout, and no more.
    let snrm = p.session_frames().next().unwrap().bytes.len();
    let wire = p.line.wire_time(snrm);
    assert_eq!(p.now.since(start), 2 * (wire + 100));
    assert_eq!(p.events.last(), Some(&DlmsEvent::Done));
}

#[test]
fn a_reply_lost_mid_association_is_asked_for_again() {
    // The AARE is lost once: the AARQ goes again and the meter repeats its reply.
    let faults = Faults { drop_replies: vec![1], ..Faults::default() };
    let cfg = Config { reply_timeout: 400, ..low() };
    let mut p = pair(25, cfg, MeterConfig::default(), faults);
    p.session.read(p.now, &registers()[..1]);
    p.run();
    assert_eq!(errors(&p), vec![]);
    assert_eq!(values(&p).len(), 1);
    assert_eq!(apdu_tags(&p, false).iter().filter(|&&t| t == 0x60).count(), 2);
}

#[test]
fn wrapper_transport() {
    let cfg = Config { transport: Transport::Wrapper, ..Config::default() };
    let meter = MeterConfig { transport: Transport::Wrapper, ..MeterConfig::default() };
    let mut p = pair(15, cfg, meter, Faults::default());
    p.session.read(p.now, &registers());
    p.session.browse(p.now);
    p.session.close(p.now);
    p.run();
    assert_eq!(errors(&p), vec![]);
    assert_eq!(values(&p).len(), 4);
    assert_eq!(count(&p, |e| matches!(e, DlmsEvent::Released)), 1);
}

#[test]
fn unknown_objects_are_reported() {
    let mut p = pair(16, Config::default(), MeterConfig::default(), Faults::default());
    p.session.read(p.now, &[target("1-0:99.99.9.255:2"), target("0-0:96.1.0.255")]);
    p.run();
    assert!(matches!(errors(&p)[..], [Failure::Refused { code: 4, text: "object undefined" }]));
    assert_eq!(values(&p).len(), 1);
}

/// The line time of a profile read is the wire time of its bytes plus the
/// meter's response times: the session adds no wait of its own, and no
/// timeout fires. At 9600 8N1 a byte takes 10 bits, 1.04 ms.
#[test]
fn line_time_of_a_profile_read_is_wire_time_plus_meter_response() {
    for (seed, window, gbt) in [(31, 1, None), (32, 4, None), (33, 1, Some(4)), (34, 4, Some(4))] {
        let meter = MeterConfig { profile_entries: 192, window, gbt_window: gbt, ..MeterConfig::default() };
        let cfg = Config { window, ..low() };
        let mut p = pair(seed, cfg, meter, Faults::default());
        p.session.open(p.now);
        p.run();
        let (frames_before, responses_before) = (p.trace.len(), p.response_ms);
        p.session.read_profile(p.now, LOAD_PROFILE, Some(Access::range(day(15, 10), day(17, 11), Vec::new())));
        p.run();
        assert_eq!(errors(&p), vec![]);
        assert_eq!(profiles(&p)[0].2.len(), 192);
        assert_eq!(count(&p, |e| matches!(e, DlmsEvent::Notice(_))), 0, "{:?}", p.events);
        let [(obis, t)] = p.session.line_times() else { panic!("one timed read") };
        assert_eq!(*obis, LOAD_PROFILE);
        let frames = p.trace.len() - frames_before;
        let bytes: usize = p.trace[frames_before..].iter().map(|s| s.bytes.len()).sum();
        assert_eq!(t.bytes_sent + t.bytes_received, bytes);
        assert_eq!(t.wire_ms(), p.line.wire_time(bytes));
        let response = p.response_ms - responses_before;
        // Each frame's wire time rounds up to the next millisecond on the virtual line.
        assert!(t.line_ms() >= t.wire_ms() + response, "{t}: meter {response} ms");
        assert!(t.line_ms() <= t.wire_ms() + response + frames as u64, "{t}: meter {response} ms, {frames} frames");
        eprintln!(
            "window {window}, GBT {gbt:?}: {t}; meter response {response} ms; idle beyond it {} ms",
            t.line_ms() - t.wire_ms() - response
        );
    }
}

#[test]
fn hdlc_window_of_seven_with_losses() {
    let meter = MeterConfig { profile_entries: 192, window: 7, ..MeterConfig::default() };
    let plain = {
        let mut p = pair(41, Config { window: 7, ..low() }, meter.clone(), Faults::default());
        p.session.read_profile(p.now, LOAD_PROFILE, None);
        p.run();
        assert_eq!(errors(&p), vec![]);
        assert!(p.events.iter().any(|e| matches!(e, DlmsEvent::Connected { window: 7, .. })));
        assert_eq!(p.session.window(), 7);
        assert_eq!(p.meter.window(), 7);
        // The meter sends several I frames before the final bit.
        let frames = hdlc_frames(&p, true);
        let not_final = frames.iter().filter(|f| matches!(f.control, Control::I { pf: false, .. })).count();
        assert!(not_final > 10, "{not_final} frames without the final bit");
        profiles(&p)
    };
    // Frames lost inside windows: the session asks from the first missing one (go-back-N).
    let faults = Faults { drop_replies: vec![5, 9, 10, 20, 33], drop_requests: vec![7], ..Faults::default() };
    let mut p = pair(42, Config { window: 7, reply_timeout: 500, ..low() }, meter, faults);
    p.session.read_profile(p.now, LOAD_PROFILE, None);
    p.run();
    assert_eq!(errors(&p), vec![]);
    assert_eq!(profiles(&p), plain);
    assert!(count(&p, |e| matches!(e, DlmsEvent::Notice(Notice::OutOfSequence { .. }))) > 0);
}

#[test]
fn general_block_transfer_when_the_meter_uses_it() {
    for (seed, transport, cipher, faults) in [
        (51, Transport::Hdlc, false, Faults::default()),
        (52, Transport::Hdlc, true, Faults::default()),
        (53, Transport::Wrapper, false, Faults::default()),
        (54, Transport::Hdlc, false, Faults { drop_replies: vec![6, 13], drop_requests: vec![9], ..Faults::default() }),
    ] {
        let meter = MeterConfig { transport, gbt_window: Some(3), profile_entries: 192, ..MeterConfig::default() };
        let cfg = Config { transport, reply_timeout: 500, ..management(cipher) };
        let mut p = pair(seed, cfg, meter, faults);
        p.session.read_profile(p.now, LOAD_PROFILE, None);
        p.session.read(p.now, &registers());
        p.run();
        assert_eq!(errors(&p), vec![], "seed {seed}");
        assert!(p.session.granted_conformance() & conformance::GENERAL_BLOCK_TRANSFER != 0);
        assert_eq!(profiles(&p)[0].2.len(), 192);
        assert_eq!(values(&p).len(), 4);
        let blocks = count(&p, |e| matches!(e, DlmsEvent::Progress { .. }));
        assert!(blocks >= 9, "seed {seed}: {blocks} blocks");
        if transport == Transport::Hdlc {
            // GBT APDUs both ways: the meter's blocks and the session's acknowledgements.
            let meter_gbt = apdu_tags(&p, true).iter().filter(|&&t| t == Gbt::TAG).count();
            let acks = apdu_tags(&p, false).iter().filter(|&&t| t == Gbt::TAG).count();
            assert!(meter_gbt >= blocks && acks * 3 >= blocks - 3, "seed {seed}: {meter_gbt} blocks, {acks} acks");
        }
    }
}

#[test]
fn ded_ciphering_with_a_dedicated_key() {
    let cfg = Config { dedicated_key: Some([0x5A; 16]), ..management(true) };
    let mut p = pair(61, cfg, MeterConfig::default(), Faults::default());
    p.session.read(p.now, &registers());
    p.session.read_profile(p.now, LOAD_PROFILE, Some(Access::entries(1, 4)));
    p.session.reconnect(p.now, Confirm::write_to_meter());
    p.run();
    assert_eq!(errors(&p), vec![]);
    assert_eq!(values(&p).len(), 4);
    assert_eq!(profiles(&p)[0].2.len(), 4);
    // The AARQ carries the key glo-ciphered; every later request is ded-ciphered.
    let tags = apdu_tags(&p, false);
    assert_eq!(tags[0], 0x60);
    assert!(tags[1..].iter().all(|t| (0xD0..=0xD7).contains(t)), "{tags:02X?}");
    assert!(apdu_tags(&p, true)[1..].iter().all(|t| (0xD0..=0xD7).contains(t)));
    // Without ciphering the key is never sent.
    let cfg = Config { dedicated_key: Some([0x5A; 16]), ..management(false) };
    let mut p = pair(62, cfg, MeterConfig::default(), Faults::default());
    p.session.read_clock(p.now);
    p.run();
    assert_eq!(errors(&p), vec![]);
    assert!(apdu_tags(&p, false)[1..].iter().all(|t| (0xC0..=0xC7).contains(t)));
}

#[test]
fn short_name_referencing_when_the_meter_offers_it() {
    for (seed, transport) in [(71, Transport::Hdlc), (72, Transport::Wrapper)] {
        let meter = MeterConfig { transport, short_names: true, max_pdu: 256, ..MeterConfig::default() };
        let cfg = Config { transport, short_names: true, ..low() };
        let mut p = pair(seed, cfg, meter, Faults::default());
        p.session.read(p.now, &registers());
        p.session.read_clock(p.now);
        p.session.read_profile(p.now, LOAD_PROFILE, Some(Access::range(day(17, 0), day(17, 10), Vec::new())));
        let t = DateTime { year: 2025, month: 3, day: 4, hour: 5, minute: 6, second: 7 };
        p.session.sync_clock(p.now, t, Confirm::write_to_meter());
        p.session.browse(p.now);
        p.session.disconnect(p.now, Confirm::write_to_meter());
        p.run();
        let e = errors(&p);
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(matches!(&e[0], Failure::Unsupported(_)), "methods are not for short names: {e:?}");
        let v = values(&p);
        assert_eq!(v.len(), 4);
        assert_eq!(v[0].2.as_deref(), Some("Wh"));
        assert_eq!(v[1].2.as_deref(), Some("V"));
        assert!(clock_of(&p).is_some_and(|c| c.to_string().starts_with("2024-05-17 10:30")));
        assert_eq!(profiles(&p)[0].2.len(), 41);
        assert!(p.events.contains(&DlmsEvent::ClockSet(t)));
        assert!(p.meter.clock(p.now).to_string().starts_with("2025-03-04 05:0"));
        assert!(p.events.iter().any(|e| matches!(e, DlmsEvent::ObjectList(l) if l.len() == 22)));
        // Long replies in short-name data blocks.
        assert!(count(&p, |e| matches!(e, DlmsEvent::Progress { .. })) >= 3);
        if transport == Transport::Hdlc {
            let tags = apdu_tags(&p, false);
            assert!(tags.contains(&0x05) && tags.contains(&0x06) && !tags.contains(&0xC0), "{tags:02X?}");
        }
    }
}

#[test]
fn meter_operations() {
    let meter = MeterConfig::default();
    let mut p = pair(81, management(true), meter, Faults::default());
    p.session.read_object(p.now, 8, CLOCK);
    p.session.read_firmware(p.now);
    p.session.read_alarms(p.now);
    p.session.clear_alarms(p.now, Confirm::write_to_meter());
    p.session.read_disconnect_control(p.now);
    p.session.disconnect(p.now, Confirm::write_to_meter());
    p.session.read_disconnect_control(p.now);
    p.session.read_push_setup(p.now, PUSH_SETUP);
    p.session.push(p.now, PUSH_SETUP, Confirm::write_to_meter());
    p.session.read_mbus_client(p.now, MBUS_CLIENT);
    p.session.read(p.now, &[AttrRef::new(4, MBUS_VOLUME, 2)]);
    p.session.read_object(p.now, 15, super::ASSOCIATION_LN);
    p.run();
    // The secret of the association is not for reading.
    let e = errors(&p);
    assert!(matches!(&e[..], [Failure::Refused { code: 3, .. }]), "{e:?}");
    let v = values(&p);
    let of = |obis: [u8; 6], attr: i8| {
        v.iter()
            .filter(|x| x.0.obis == obis && x.0.index == attr)
            .map(|x| (x.1.clone(), x.2.clone()))
            .collect::<Vec<_>>()
    };
    // All nine attributes of the clock.
    assert_eq!(v.iter().filter(|x| x.0.obis == CLOCK).count(), 9);
    assert_eq!(of(CLOCK, 3)[0].0, "-60");
    assert_eq!(of(FIRMWARE[0], 2)[0].0, "4D53432D4D455420322E342E31");
    assert_eq!(of(FIRMWARE[2], 2).len(), 1);
    assert_eq!(of(ALARM_REGISTER, 2)[0].0, "257");
    assert_eq!(p.meter.alarms(), 0);
    assert!(
        p.events.iter().any(|e| matches!(e, DlmsEvent::Written { attr, result: 0 } if attr.obis == ALARM_REGISTER))
    );
    // Disconnect control before and after remote_disconnect.
    assert_eq!(of(DISCONNECT_CONTROL, 2).iter().map(|x| x.0.as_str()).collect::<Vec<_>>(), ["true", "false"]);
    assert!(!p.meter.relay_closed());
    assert_eq!(v.iter().filter(|x| x.0.obis == PUSH_SETUP).count(), 7);
    assert_eq!(p.meter.pushes(), 1);
    assert_eq!(v.iter().filter(|x| x.0.obis == MBUS_CLIENT).count(), 12);
    assert_eq!(of(MBUS_CLIENT, 6)[0].0, "305419896");
    let gas = &of(MBUS_VOLUME, 2)[0];
    assert_eq!(gas.1.as_deref(), Some("m³"));
    assert!(gas.0.contains('.') && gas.0.split('.').nth(1).unwrap().len() == 3, "{gas:?}");
    assert_eq!(count(&p, |e| matches!(e, DlmsEvent::Invoked { result: 0, .. })), 2);
}

#[test]
fn lists_without_multiple_references_are_read_one_by_one() {
    let cfg = Config { conformance: conformance::CLIENT_LN & !conformance::MULTIPLE_REFERENCES, ..Config::default() };
    let mut p = pair(82, cfg, MeterConfig::default(), Faults::default());
    p.session.read_list(p.now, &[target("1-0:1.8.0.255"), target("1-0:32.7.0.255"), target("0-0:96.1.0.255")]);
    p.run();
    assert_eq!(errors(&p), vec![]);
    let v = values(&p);
    assert_eq!(v.len(), 3);
    assert_eq!(v[1].2.as_deref(), Some("V"));
    // No GET-Request-With-List went out.
    assert_eq!(p.session.granted_conformance() & conformance::MULTIPLE_REFERENCES, 0);
}

#[test]
fn random_bytes_never_break_either_side() {
    let mut rng = Rng::new(99);
    for i in 0..300 {
        let n = rng.range(0, 300) as usize;
        let mut junk: Vec<u8> = (0..n).map(|_| rng.range(0, 255) as u8).collect();
        if rng.chance(50) {
            junk.insert(0, 0x7E);
            junk.insert(1, 0xA0);
        }
        let cfg = Config { short_names: i % 3 == 0, window: 1 + (i % 7) as u8, ..Config::default() };
        let mut s = DlmsSession::new(cfg);
        s.read_clock(Millis(0));
        s.handle_input(Millis(1), &junk);
        s.handle_timeout(Millis(10_000));
        // However the bytes went, the job ends: idle, the last word "done".
        let mut last = None;
        for _ in 0..1000 {
            while s.poll_action().is_some() {}
            while let Some(e) = s.poll_event() {
                last = Some(e);
            }
            let Some(t) = s.poll_timeout() else { break };
            s.handle_timeout(t);
        }
        while let Some(e) = s.poll_event() {
            last = Some(e);
        }
        assert!(s.is_idle(), "case {i}");
        assert_eq!(last, Some(DlmsEvent::Done), "case {i}");
        let meter = MeterConfig { short_names: i % 2 == 0, gbt_window: Some(2), ..MeterConfig::default() };
        let mut m = DlmsMeter::new(meter);
        m.handle_input(Millis(1), &junk);
        while m.poll_transmit().is_some() {}
    }
}

/// A meter that answers every frame with garbage, out-of-sequence frames or
/// endless GBT blocks still lets the session finish.
#[test]
fn hostile_replies_end_in_a_clear_result() {
    use super::super::link::{HdlcAddress, LinkParams};
    let reply = |control: Control, info: Vec<u8>, segmented: bool| {
        HdlcFrame { segmented, dst: HdlcAddress::client(16), src: HdlcAddress::server(1, None), control, info }.emit()
    };
    let mut s = DlmsSession::new(Config { reply_timeout: 100, ..Config::default() });
    s.read_clock(Millis(0));
    let ua = reply(Control::Ua { pf: true }, LinkParams::default().emit(), false);
    s.handle_input(Millis(10), &ua);
    let mut t = 10;
    // Out-of-sequence I frames with the final bit, forever: the session gives up.
    for k in 0..50u64 {
        t += 10;
        let f = reply(Control::I { ns: 5, nr: 0, pf: true }, vec![0xE6, 0xE7, 0x00, 0x61], k % 2 == 0);
        s.handle_input(Millis(t), &f);
        while s.poll_action().is_some() {}
        if s.is_idle() {
            break;
        }
    }
    s.handle_timeout(Millis(t + 10_000));
    s.handle_timeout(Millis(t + 20_000));
    s.handle_timeout(Millis(t + 30_000));
    let events: Vec<DlmsEvent> = std::iter::from_fn(|| s.poll_event()).collect();
    assert!(s.is_idle(), "{events:?}");
    assert!(events.iter().any(|e| matches!(e, DlmsEvent::Error { .. })));
    assert_eq!(events.last(), Some(&DlmsEvent::Done));
}

/// A UA whose parameter group length is 00 with the parameters after it
/// (gurux_dlms 1.0.203's server): the session takes the meter's receive
/// length from them, and reads on.
#[test]
fn ua_parameters_behind_a_wrong_group_length_are_taken() {
    use super::super::link::HdlcAddress;
    let mut s = DlmsSession::new(Config::default());
    s.read_clock(Millis(0));
    while s.poll_action().is_some() {}
    let mut info = vec![0x81, 0x80, 0x00, 0x05, 0x01, 0x80, 0x06, 0x01, 0x40];
    info.extend_from_slice(&[0x07, 0x04, 0x00, 0x00, 0x00, 0x01, 0x08, 0x04, 0x00, 0x02, 0x00, 0x01]);
    let ua = HdlcFrame {
        segmented: false,
        dst: HdlcAddress::client(16),
        src: HdlcAddress::server(1, None),
        control: Control::Ua { pf: true },
        info,
    };
    s.handle_input(Millis(10), &ua.emit());
    let events: Vec<DlmsEvent> = std::iter::from_fn(|| s.poll_event()).collect();
    assert!(events.contains(&DlmsEvent::Connected { max_info_tx: 64, max_info_rx: 128, window: 1 }), "{events:?}");
}

/// A reply to the AARQ that is no AARE (gurux_dlms 1.0.203's server sends
/// 00 01 C1 01 when its handling of the AARQ raises an error) is named as
/// such, not parsed as an AARE.
#[test]
fn a_reply_that_is_no_aare_is_named() {
    let mut s = DlmsSession::new(Config { transport: Transport::Wrapper, ..Config::default() });
    s.read_clock(Millis(0));
    while s.poll_action().is_some() {}
    s.handle_input(Millis(10), &super::super::link::wrap(1, 16, &[0x00, 0x01, 0xC1, 0x01]));
    let events: Vec<DlmsEvent> = std::iter::from_fn(|| s.poll_event()).collect();
    let failure = events.iter().find_map(|e| match e {
        DlmsEvent::Error { failure: Failure::Protocol(t), .. } => Some(t.clone()),
        _ => None,
    });
    assert_eq!(failure.as_deref(), Some("0001C101 instead of an AARE"), "{events:?}");
}

/// The meter's own view: SN and LN meters, window and GBT state never
/// panic on frames that are valid HDLC but nonsense in sequence.
#[test]
fn the_meter_takes_frames_out_of_sequence() {
    use super::super::link::HdlcAddress;
    let mut rng = Rng::new(5);
    for _ in 0..200 {
        let meter = MeterConfig { window: 3, gbt_window: Some(2), max_info: 32, ..MeterConfig::default() };
        let mut m = DlmsMeter::new(meter);
        for _ in 0..20 {
            let control = match rng.range(0, 4) {
                0 => Control::Snrm { pf: true },
                1 => Control::Rr { nr: rng.range(0, 7) as u8, pf: rng.chance(50) },
                2 => Control::Disc { pf: true },
                _ => Control::I { ns: rng.range(0, 7) as u8, nr: rng.range(0, 7) as u8, pf: rng.chance(70) },
            };
            let mut info = vec![0xE6, 0xE6, 0x00];
            info.extend((0..rng.range(0, 40)).map(|_| rng.range(0, 255) as u8));
            if rng.chance(30) {
                info.truncate(3);
                info.extend_from_slice(
                    &Gbt {
                        last: true,
                        streaming: false,
                        window: 2,
                        number: 1,
                        ack: rng.range(0, 9) as u16,
                        data: vec![],
                    }
                    .emit(),
                );
            }
            let f = HdlcFrame {
                segmented: rng.chance(20),
                dst: HdlcAddress::server(1, None),
                src: HdlcAddress::client(16),
                control,
                info: if matches!(control, Control::I { .. }) { info } else { Vec::new() },
            };
            m.handle_input(Millis(1), &f.emit());
            while m.poll_transmit().is_some() {}
        }
    }
}

/// The HLS challenge CtoS of the AARQ a session sent.
fn challenge_sent(p: &DlmsPair) -> Vec<u8> {
    let f = hdlc_frames(p, false).into_iter().find(|f| f.info.get(3) == Some(&0x60)).expect("an AARQ");
    crate::protocols::dlms::assoc::Aarq::parse(&f.info[3..]).unwrap().auth_value.unwrap()
}

#[test]
fn hls_challenges_come_from_the_platform_random_source() {
    let run = |seed: u64, cfg: Config| {
        let mut p = pair(seed, cfg, MeterConfig::default(), Faults::default());
        p.session.read_clock(p.now);
        p.run();
        assert_eq!(errors(&p), vec![]);
        assert_eq!(count(&p, |e| *e == DlmsEvent::Authenticated), 1);
        challenge_sent(&p)
    };
    // Two sessions, same configuration: two different 16-byte challenges, both proved.
    let (a, b) = (run(6, management(false)), run(6, management(false)));
    assert_eq!((a.len(), b.len()), (16, 16));
    assert_ne!(a, b);
    // A fixed challenge only where a test asks for it.
    let fixed = Config { challenge: Some(b"ABCDEFGH".to_vec()), ..management(false) };
    assert_eq!(run(6, fixed), b"ABCDEFGH");
    let fixed = Config { random: crate::session::Random::Fixed(vec![7]), ..management(false) };
    assert_eq!(run(6, fixed), [7; 16]);
}
