//! The Q/GDW 1376 sessions against the simulated module and terminal on the
//! shared virtual clock ([`crate::session::testing::Pair`]): bytes take their
//! wire time, the device its response time, frames can be lost.

use super::codec::{Frame1, Frame2, node_text};
use super::concentrator::{ConcentratorEvent, ConcentratorSession, Config, Failure, Notice};
use super::master::{Config as MasterConfig, Data as MasterData, Failure as MasterFailure, MasterEvent, MasterSession};
use super::module::{Module, ModuleConfig, Report, protocol};
use super::terminal::{Terminal, TerminalConfig};
use crate::session::testing::{Faults, Pair};
use crate::session::{DateTime, Millis, Rng, Session, SimulatedMeter};

type ModulePair = Pair<ConcentratorSession, Module>;

fn module_pair(seed: u64, module: ModuleConfig, faults: Faults) -> ModulePair {
    Pair::new(seed, ConcentratorSession::new(Config::default()), Module::new(module), faults)
}

fn errors(p: &ModulePair) -> Vec<(String, Failure)> {
    p.events_where(|e| match e {
        ConcentratorEvent::Error { what, failure } => Some((what.clone(), failure.clone())),
        _ => None,
    })
}

#[test]
fn concentrator_queries_adds_nodes_and_reads_both_meters_through_the_module() {
    for seed in 0..8 {
        let mut p =
            module_pair(seed, ModuleConfig { report_after: Some(3), ..ModuleConfig::default() }, Faults::default());
        let meters = p.meter.meters();
        let (m645, m698) = (meters[0].0, meters[1].0);
        let now = p.now;
        p.session.query_module(now);
        p.session.add_nodes(now, &meters);
        p.session.read_nodes(now, 10);
        p.session.read_645(now, m645, &[0x0001_0000, 0x0201_FF00]);
        p.session.read_clock(now, m645, protocol::DLT645_2007);
        p.session.read_698(now, m698, &[0x0010_0200]);
        p.session.read_clock(now, m698, protocol::DLT698);
        p.session.listen(now, 500);
        p.run();
        assert_eq!(errors(&p), vec![], "seed {seed}");
        let ev = &p.events;
        assert!(ev.iter().any(|e| matches!(e, ConcentratorEvent::ModuleInfo(i) if i.vendor == "MS" && i.date == "2024-05-17" && i.version == "0101")));
        assert!(ev.contains(&ConcentratorEvent::MasterAddress("000000000001".into())));
        assert!(ev.contains(&ConcentratorEvent::Confirmed { afn: 0x11, fn_: 1 }));
        assert!(ev.contains(&ConcentratorEvent::NodeCount { count: 2, max: 1024 }));
        let nodes = ev.iter().find_map(|e| match e {
            ConcentratorEvent::Nodes { total, nodes } => Some((*total, nodes.clone())),
            _ => None,
        });
        let (total, nodes) = nodes.expect("node list");
        assert_eq!(total, 2);
        assert_eq!(nodes[0].address, node_text(&m645));
        assert_eq!((nodes[0].protocol, nodes[1].protocol), (2, 3));
        let values: Vec<_> = ev
            .iter()
            .filter_map(|e| match e {
                ConcentratorEvent::Value(v) => Some(v.clone()),
                _ => None,
            })
            .collect();
        // 00010000, 0201FF00, 00100200 (the clocks' parts are said as clocks only).
        assert_eq!(values.len(), 3, "{values:#?}");
        assert_eq!(values[0].id, "00010000");
        assert_eq!(values[0].meter, node_text(&m645));
        assert_eq!(values[0].items[0].unit, "kWh");
        assert_eq!(values[1].items.len(), 3);
        assert_eq!(values[1].items[0].unit, "V");
        assert_eq!(values[2].id, "00100200");
        assert_eq!(values[2].protocol, 3);
        assert_eq!(values[2].items.len(), 5);
        let total: f64 = values[2].items[0].value.number().unwrap();
        let tariffs: f64 = values[2].items[1..].iter().map(|i| i.value.number().unwrap()).sum();
        assert!((total - tariffs).abs() < 0.005);
        let clocks: Vec<_> = ev
            .iter()
            .filter_map(|e| match e {
                ConcentratorEvent::Clock { meter, time } => Some((meter.clone(), time.to_string())),
                _ => None,
            })
            .collect();
        assert_eq!(clocks.len(), 2, "{clocks:?}");
        assert!(clocks.iter().all(|(_, t)| t.starts_with("2024-05-17 10:30")), "{clocks:?}");
        // The module raised an event report after the third forward; it was confirmed.
        let reports: Vec<_> = ev
            .iter()
            .filter_map(|e| match e {
                ConcentratorEvent::Report(r) => Some(r.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(reports.len(), 1, "{reports:#?}");
        assert_eq!(reports[0].fn_, 5);
        assert_eq!(reports[0].protocol, Some(2));
        assert!(reports[0].frame.is_some());
        assert!(reports[0].values[0].id.starts_with("0400"), "{reports:#?}");
        assert_eq!(p.meter.reports(), (1, 1));
        assert_eq!(p.events.last(), Some(&ConcentratorEvent::Done));
    }
}

#[test]
fn module_reports_are_confirmed_with_their_sequence_numbers() {
    let mut p = module_pair(3, ModuleConfig::default(), Faults::default());
    let meters = p.meter.meters();
    p.session.listen(p.now, 2000);
    p.meter.raise(p.now, Report::ReadData(0));
    p.meter.raise(p.now, Report::Event(1));
    p.run();
    assert_eq!(p.meter.reports(), (2, 2));
    let reports: Vec<_> = p
        .events
        .iter()
        .filter_map(|e| match e {
            ConcentratorEvent::Report(r) => Some(r.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(reports[0].fn_, 2);
    assert_eq!(reports[0].values[0].id, "00010000");
    assert_eq!(reports[0].values[0].meter, node_text(&meters[0].0));
    assert_eq!(reports[1].fn_, 5);
    assert_eq!(reports[1].protocol, Some(3));
    // The 698.45 meter's REPORT-Notification-List: new events and the status word.
    assert!(reports[1].values[0].id.contains("33200200"), "{:?}", reports[1].values);
    // Each confirmation is AFN 00 F1 downlink with the report's sequence number.
    let sent: Vec<Frame2> = p.session_frames().filter_map(|s| Frame2::parse(&s.bytes).ok()).collect();
    let reported: Vec<Frame2> = p.meter_frames().filter_map(|s| Frame2::parse(&s.bytes).ok()).collect();
    // Two confirmations, then the REPORT-Response to the 698.45 meter's report.
    assert_eq!(sent.len(), 3);
    assert_eq!((sent[2].afn, sent[2].fn_), (0x13, 1));
    for (c, r) in sent[..2].iter().zip(&reported) {
        assert_eq!((c.afn, c.fn_, c.up(), c.prm()), (0, 1, false, false));
        assert_eq!(c.seq(), r.seq());
    }
}

#[test]
fn denials_timeouts_and_lost_frames() {
    // A meter that is not on the line: the module denies (reason 11).
    let mut p = module_pair(1, ModuleConfig::default(), Faults::default());
    p.session.read_645(p.now, [9, 9, 9, 9, 9, 9], &[0x0001_0000]);
    p.session.add_nodes(p.now, &[([1; 6], 2), ([1; 6], 2)]);
    p.run();
    let e = errors(&p);
    assert!(matches!(&e[0].1, Failure::Denied { reason: 11, .. }), "{e:?}");
    assert!(matches!(&e[1].1, Failure::Denied { reason: 6, text } if text == "meter number repeated"), "{e:?}");
    // The first request and the first reply are lost: two retries, then read.
    let faults = Faults { drop_requests: vec![0], drop_replies: vec![0], ..Faults::default() };
    let session = ConcentratorSession::new(Config { retries: 2, ..Config::default() });
    let mut p = Pair::new(2, session, Module::new(ModuleConfig::default()), faults);
    let m = p.meter.meters()[0].0;
    p.session.read_645(p.now, m, &[0x0001_0000]);
    p.session.query_module(p.now);
    p.run();
    assert_eq!(errors(&p), vec![]);
    let retries = p.events.iter().filter(|e| matches!(e, ConcentratorEvent::Notice(Notice::Retry { .. }))).count();
    assert_eq!(retries, 2);
    // A silent module: every attempt times out.
    let faults = Faults { drop_replies: (0..10).collect(), ..Faults::default() };
    let mut p = module_pair(2, ModuleConfig::default(), faults);
    p.session.query_module(p.now);
    p.run();
    assert_eq!(errors(&p).len(), 2);
    assert!(matches!(errors(&p)[0].1, Failure::Timeout { attempts: 2 }));
}

#[test]
fn concentrator_random_bytes_never_break_the_session() {
    let mut rng = Rng::new(77);
    for _ in 0..200 {
        let mut s = ConcentratorSession::new(Config::default());
        s.query_module(Millis(0));
        s.read_645(Millis(0), [1, 0, 0, 0x17, 5, 0x24], &[0x0001_0000]);
        let mut dones = 0;
        for i in 0..20 {
            let n = rng.range(0, 60) as usize;
            let mut b: Vec<u8> = (0..n).map(|_| rng.range(0, 255) as u8).collect();
            if rng.chance(30) {
                b.insert(0, 0x68);
            }
            if rng.chance(20) {
                // A well-formed uplink frame with a random class and sequence number.
                let f = Frame2 {
                    control: 0x80 | if rng.chance(50) { 0x40 } else { 0 } | 3,
                    r: [0, 0, 0, 0, 0, rng.range(0, 3) as u8],
                    address: None,
                    afn: [0x00, 0x03, 0x06, 0x10, 0x13][rng.range(0, 4) as usize],
                    fn_: rng.range(1, 5) as u16,
                    data: b.clone(),
                };
                b = f.emit();
            }
            s.handle_input(Millis(i * 10), &b);
            s.handle_timeout(Millis(i * 3000));
            while s.poll_action().is_some() {}
            while let Some(e) = s.poll_event() {
                dones += usize::from(e == ConcentratorEvent::Done);
            }
        }
        for _ in 0..100 {
            let Some(t) = s.poll_timeout() else { break };
            s.handle_timeout(t);
        }
        while let Some(e) = s.poll_event() {
            dones += usize::from(e == ConcentratorEvent::Done);
        }
        assert!(s.is_idle());
        assert_eq!(dones, 1, "the queued work ended once");
        // The module takes the same bytes.
        let mut m = Module::new(ModuleConfig::default());
        let junk: Vec<u8> = (0..rng.range(0, 200)).map(|_| rng.range(0, 255) as u8).collect();
        m.handle_input(Millis(1), &junk);
        while m.poll_transmit().is_some() {}
    }
}

type TerminalPair = Pair<MasterSession, Terminal>;

fn terminal_pair(seed: u64, cfg: MasterConfig, terminal: TerminalConfig, faults: Faults) -> TerminalPair {
    Pair::new(seed, MasterSession::new(cfg), Terminal::new(terminal), faults)
}

fn master_errors(p: &TerminalPair) -> Vec<(String, MasterFailure)> {
    p.events_where(|e| match e {
        MasterEvent::Error { what, failure } => Some((what.clone(), failure.clone())),
        _ => None,
    })
}

fn data(p: &TerminalPair) -> Vec<MasterData> {
    p.events_where(|e| match e {
        MasterEvent::Data(d) => Some(d.clone()),
        _ => None,
    })
}

fn item<'a>(d: &'a MasterData, label: &str) -> &'a super::concentrator::Item {
    d.items.iter().find(|i| i.label.starts_with(label)).unwrap_or_else(|| panic!("no {label} in {:#?}", d.items))
}

#[test]
fn master_reads_class_1_and_2_data_events_and_relays_a_645_read() {
    for seed in 0..6 {
        let terminal = TerminalConfig { login: true, heartbeat_every: 3, ..TerminalConfig::default() };
        let mut p = terminal_pair(seed, MasterConfig::default(), terminal, Faults::default());
        let now = p.now;
        let meter = p.meter.meter(1).unwrap().address();
        p.session.read_clock(now);
        p.session.read_config(now);
        p.session.class1(now, 1, 25);
        p.session.class1(now, 1, 129);
        p.session.class1(now, 2, 33);
        p.session.class2_day(now, 1, 161, DateTime { year: 2024, month: 5, day: 16, hour: 0, minute: 0, second: 0 });
        p.session.events(now, true, 0, 2);
        p.session.relay_read(now, 2, meter, 0x0001_0000);
        p.session.set_clock(now, DateTime { year: 2025, month: 1, day: 1, hour: 0, minute: 0, second: 0 });
        p.run();
        let e = master_errors(&p);
        assert_eq!(e, vec![("AFN 05 p0 F31".to_string(), MasterFailure::NotConfirmed)], "seed {seed}");
        assert!(
            p.events
                .iter()
                .any(|e| matches!(e, MasterEvent::Clock(t) if t.to_string().starts_with("2024-05-17 10:30")))
        );
        // The login before the first answer and the heartbeats were answered.
        let tests: Vec<u16> = p
            .events
            .iter()
            .filter_map(|e| match e {
                MasterEvent::LinkTest { fn_, .. } => Some(*fn_),
                _ => None,
            })
            .collect();
        assert_eq!(tests, [1, 3, 3], "seed {seed}");
        assert_eq!(p.meter.link_tests(), (3, 3));
        let d = data(&p);
        assert_eq!(d.len(), 7, "{d:#?}");
        assert_eq!(item(&d[1], "Vendor").value.to_string(), "MSCP");
        // F25: voltages in V, currents in A, as the meter has them.
        let f25 = &d[2];
        assert_eq!((f25.afn, f25.pn, f25.fn_), (0x0C, 1, 25));
        let ua = item(f25, "Phase A voltage");
        assert_eq!(ua.unit, "V");
        let u: f64 = ua.value.number().unwrap();
        assert!((218.0..234.0).contains(&u), "{u}");
        // F129: total = sum of the tariffs, in kWh with four decimals.
        let energies: Vec<f64> =
            d[3].items.iter().filter(|i| i.unit == "kWh").map(|i| i.value.number().unwrap()).collect();
        assert_eq!(energies.len(), 5, "{:#?}", d[3].items);
        assert!((energies[0] - energies[1..].iter().sum::<f64>()).abs() < 0.0001);
        // F33 of point 2: four series of five.
        assert_eq!(d[4].items.iter().filter(|i| i.unit == "kWh" || i.unit == "kvarh").count(), 20);
        // F161 of the day before: every tariff 2.50 kWh lower per day back.
        let frozen: Vec<f64> =
            d[5].items.iter().filter(|i| i.unit == "kWh").map(|i| i.value.number().unwrap()).collect();
        assert_eq!(frozen.len(), 5);
        assert!((energies[1] - frozen[1] - 5.0).abs() < 0.0001, "{energies:?} {frozen:?}");
        // Events: ERC1 and ERC14.
        assert!(
            d[6].items.iter().any(|i| i.label.contains("ERC14") || i.value.to_string() == "14"),
            "{:#?}",
            d[6].items
        );
        // The relayed 645 read: the meter's energy.
        let relay = p.events.iter().find_map(|e| match e {
            MasterEvent::Relay { port, value, .. } => Some((*port, value.clone().unwrap())),
            _ => None,
        });
        let (port, v) = relay.expect("relay reply");
        assert_eq!(port, 2);
        assert_eq!(v.id, "00010000");
        let relayed: f64 = v.items[0].value.number().unwrap();
        assert!((relayed - energies[0]).abs() < 0.011, "{relayed} vs {}", energies[0]);
        assert_eq!(p.events.last(), Some(&MasterEvent::Done));
    }
}

#[test]
fn master_sets_the_clock_only_when_confirmed_and_handles_denials_and_loss() {
    let cfg = MasterConfig { allow_control: true, retries: 2, ..MasterConfig::default() };
    let faults = Faults { drop_requests: vec![1], drop_replies: vec![0], ..Faults::default() };
    let mut p = terminal_pair(4, cfg, TerminalConfig::default(), faults);
    let t = DateTime { year: 2025, month: 1, day: 2, hour: 3, minute: 4, second: 5 };
    p.session.set_clock(p.now, t);
    p.session.class1(p.now, 9, 25);
    p.session.class2_day(p.now, 1, 161, DateTime { year: 2030, month: 1, day: 1, hour: 0, minute: 0, second: 0 });
    p.run();
    assert!(p.events.contains(&MasterEvent::Confirmed { afn: 0x05, fn_: 31 }));
    assert!(p.meter.clock(p.now).to_string().starts_with("2025-01-02 03:0"));
    let e = master_errors(&p);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e.iter().all(|(_, f)| *f == MasterFailure::Denied));
    // The set and control frames carry PW and ask for confirmation.
    let sent = p.session_frames().filter_map(|s| Frame1::parse(&s.bytes).ok()).next().unwrap();
    assert_eq!((sent.control, sent.afn, sent.seq & 0x10), (0x4A, 0x05, 0x10));
    assert_eq!(sent.data.len(), 4 + 6 + 16);
}

#[test]
fn master_random_bytes_never_break_the_session() {
    let mut rng = Rng::new(13);
    for _ in 0..200 {
        let mut s = MasterSession::new(MasterConfig::default());
        s.read_clock(Millis(0));
        s.class1(Millis(0), 1, 25);
        let mut dones = 0;
        for i in 0..20 {
            let n = rng.range(0, 60) as usize;
            let mut b: Vec<u8> = (0..n).map(|_| rng.range(0, 255) as u8).collect();
            if rng.chance(25) {
                let f = Frame1 {
                    control: 0x80 | if rng.chance(30) { 0x49 } else { 0x08 },
                    address: MasterConfig::default().terminal,
                    afn: [0x00, 0x02, 0x0C, 0x10][rng.range(0, 3) as usize],
                    seq: 0x60 | rng.range(0, 2) as u8 | if rng.chance(20) { 0 } else { 0x20 },
                    data: b.clone(),
                };
                b = f.emit();
            }
            s.handle_input(Millis(i * 10), &b);
            s.handle_timeout(Millis(i * 4000));
            while s.poll_action().is_some() {}
            while let Some(e) = s.poll_event() {
                dones += usize::from(e == MasterEvent::Done);
            }
        }
        for _ in 0..100 {
            let Some(t) = s.poll_timeout() else { break };
            s.handle_timeout(t);
        }
        while let Some(e) = s.poll_event() {
            dones += usize::from(e == MasterEvent::Done);
        }
        assert!(s.is_idle());
        assert_eq!(dones, 1, "the queued work ended once");
        let mut t = Terminal::new(TerminalConfig::default());
        let junk: Vec<u8> = (0..rng.range(0, 200)).map(|_| rng.range(0, 255) as u8).collect();
        t.handle_input(Millis(1), &junk);
        while t.poll_transmit().is_some() {}
    }
}

fn notices(p: &ModulePair) -> Vec<Notice> {
    p.events_where(|e| match e {
        ConcentratorEvent::Notice(n) => Some(n.clone()),
        _ => None,
    })
}

#[test]
fn a_698_meter_report_is_answered_with_a_report_response_through_the_module() {
    use crate::protocols::dlt698::emit::Apdu;
    use crate::protocols::dlt698::link::FrameRepr;
    for seed in 0..4 {
        let mut p = module_pair(seed, ModuleConfig::default(), Faults::default());
        let m698 = p.meter.meters()[1].0;
        // Queued work waits behind the listen; the answer does not.
        p.session.listen(p.now, 3000);
        p.session.read_645(p.now, p.meter.meters()[0].0, &[0x0001_0000]);
        p.meter.raise(p.now, Report::Event(1));
        p.run();
        assert_eq!(errors(&p), vec![], "seed {seed}");
        assert_eq!(p.meter.reports(), (1, 1));
        // The meter got its REPORT-Response.
        assert_eq!(p.meter.meter_698(0).unwrap().reports(), (1, 1), "seed {seed}");
        assert!(notices(&p).contains(&Notice::ReportAnswered { meter: node_text(&m698) }));
        let sent: Vec<Frame2> = p.session_frames().filter_map(|s| Frame2::parse(&s.bytes).ok()).collect();
        // Confirmation, the answer (AFN 13 F1 to the meter), then the 645 read after the listen.
        assert_eq!(sent.iter().map(|f| (f.afn, f.fn_)).collect::<Vec<_>>(), [(0x00, 1), (0x13, 1), (0x13, 1)]);
        let answer = &sent[1];
        assert_eq!(answer.address.as_ref().unwrap().destination, m698);
        let d = &answer.data;
        assert_eq!(d[0], protocol::DLT698);
        let inner = FrameRepr::parse(&d[4..]).unwrap();
        // Client to server, not the initiator: DIR 0, PRM 0.
        assert_eq!(inner.control & 0xC0, 0);
        let reported = p.meter_frames().find_map(|s| Frame2::parse(&s.bytes).ok().filter(|f| f.afn == 0x06)).unwrap();
        let notification = FrameRepr::parse(&reported.data[3..]).unwrap();
        let (
            Ok(Apdu::ReportNotificationList { piid, results, .. }),
            Ok(Apdu::ReportResponse { piid: ack, choice, oads, .. }),
        ) = (Apdu::parse(&notification.user_data), Apdu::parse(&inner.user_data))
        else {
            panic!("not a notification and its response")
        };
        assert_eq!((ack, choice), (piid, 1));
        assert_eq!(oads, results.iter().map(|r| r.oad).collect::<Vec<_>>());
    }
}

#[test]
fn a_645_meter_report_gets_no_report_response() {
    let mut p = module_pair(1, ModuleConfig::default(), Faults::default());
    p.session.listen(p.now, 2000);
    p.meter.raise(p.now, Report::Event(0));
    p.run();
    let sent: Vec<Frame2> = p.session_frames().filter_map(|s| Frame2::parse(&s.bytes).ok()).collect();
    assert_eq!(sent.iter().map(|f| (f.afn, f.fn_)).collect::<Vec<_>>(), [(0x00, 1)]);
}

#[test]
fn the_module_sends_an_unconfirmed_report_again_and_the_concentrator_surfaces_it_once() {
    // The first confirmation is lost: the module sends the report again after
    // its timeout, the concentrator confirms it again.
    let faults = Faults { drop_requests: vec![0], ..Faults::default() };
    let mut p = module_pair(2, ModuleConfig::default(), faults);
    p.session.listen(p.now, 12_000);
    p.meter.raise(p.now, Report::ReadData(0));
    p.run();
    assert_eq!(p.meter.reports_resent(), 1);
    assert_eq!(p.meter.reports(), (1, 1));
    let reports = p.events.iter().filter(|e| matches!(e, ConcentratorEvent::Report(_))).count();
    assert_eq!(reports, 1);
    assert!(notices(&p).iter().any(|n| matches!(n, Notice::RepeatedReport { fn_: 2, .. })));
    let reported: Vec<Frame2> = p.meter_frames().filter_map(|s| Frame2::parse(&s.bytes).ok()).collect();
    assert_eq!(reported.len(), 2);
    assert_eq!(reported[0], reported[1], "the same frame, the same sequence number");
    let gap = p.meter_frames().nth(1).unwrap().at.since(p.meter_frames().next().unwrap().at);
    assert!(gap >= ModuleConfig::default().report_timeout, "{gap}");
}

#[test]
fn the_module_gives_an_unconfirmed_report_up_after_its_retries() {
    let faults = Faults { drop_requests: (0..10).collect(), ..Faults::default() };
    let cfg = ModuleConfig { report_timeout: 1000, report_retries: 3, ..ModuleConfig::default() };
    let mut p = module_pair(4, cfg, faults);
    p.session.listen(p.now, 30_000);
    p.meter.raise(p.now, Report::Event(0));
    p.run();
    assert_eq!(p.meter.reports_resent(), 3);
    assert_eq!(p.meter.reports(), (1, 0));
    assert_eq!(p.meter_frames().count(), 4);
    assert_eq!(p.meter.poll_timeout(), None);
}

#[test]
fn master_relays_a_698_read_to_a_698_measurement_point() {
    for seed in 0..4 {
        let mut p = terminal_pair(seed, MasterConfig::default(), TerminalConfig::default(), Faults::default());
        let now = p.now;
        // Point 3: the first DL/T 698.45 meter, after the two 645 ones.
        let m = p.meter.meter_698(3).expect("698.45 point");
        let mut sa = m.config().address;
        sa.reverse();
        p.session.relay_get_698(now, 2, sa, 0x0010_0200);
        p.session.relay_get_698(now, 2, sa, 0x4000_0200);
        // A 698.45 meter that is not on the port: nothing comes back.
        p.session.relay_get_698(now, 2, [9, 9, 9, 9, 9, 9], 0x0010_0200);
        p.run();
        let relays: Vec<_> = p
            .events
            .iter()
            .filter_map(|e| match e {
                MasterEvent::Relay { port, value, .. } => Some((*port, value.clone().expect("decoded"))),
                _ => None,
            })
            .collect();
        assert_eq!(relays.len(), 2, "seed {seed}");
        let (port, energy) = &relays[0];
        assert_eq!(*port, 2);
        assert_eq!(energy.protocol, protocol::DLT698);
        assert_eq!(energy.id, "00100200");
        assert_eq!(energy.meter, "240517000003");
        assert_eq!(energy.items.len(), 5);
        assert_eq!(energy.items[0].unit, "kWh");
        assert_eq!(relays[1].1.id, "40000200");
        let e = master_errors(&p);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].1, MasterFailure::NoMeterReply);
        // The relayed request is a 698.45 frame inside AFN 10 F1.
        let sent: Vec<Frame1> = p.session_frames().filter_map(|s| Frame1::parse(&s.bytes).ok()).collect();
        assert!(sent.iter().all(|f| f.afn == 0x10));
        let inner = &sent[0].data[4 + 6..sent[0].data.len() - 16];
        assert!(crate::protocols::dlt698::link::FrameRepr::parse(inner).is_ok());
    }
}

#[test]
fn master_joins_a_multi_frame_event_answer() {
    use super::codec::seq;
    for seed in 0..4 {
        // Frames of at most 30 data bytes: one event record each.
        let terminal = TerminalConfig { max_data: 30, ..TerminalConfig::default() };
        let mut p = terminal_pair(seed, MasterConfig::default(), terminal, Faults::default());
        let now = p.now;
        p.session.read_clock(now);
        p.session.events(now, true, 0, 0xFF);
        p.session.read_clock(now);
        p.run();
        assert_eq!(master_errors(&p), vec![], "seed {seed}");
        // The answer came in three frames: FIR, none, FIN; RSEQ counting up.
        let answer: Vec<Frame1> =
            p.meter_frames().filter_map(|s| Frame1::parse(&s.bytes).ok()).filter(|f| f.afn == 0x0E).collect();
        assert_eq!(answer.len(), 3);
        let flags: Vec<u8> = answer.iter().map(|f| f.seq & (seq::FIR | seq::FIN)).collect();
        assert_eq!(flags, [seq::FIR, 0, seq::FIN]);
        let request = p.session_frames().filter_map(|s| Frame1::parse(&s.bytes).ok()).find(|f| f.afn == 0x0E).unwrap();
        let rseq: Vec<u8> = answer.iter().map(|f| f.pseq()).collect();
        let p0 = request.pseq();
        assert_eq!(rseq, [p0, (p0 + 1) & 15, (p0 + 2) & 15]);
        // Each frame's pointers name the records it carries.
        let pointers: Vec<(u8, u8)> = answer.iter().map(|f| (f.data[6], f.data[7])).collect();
        assert_eq!(pointers, [(0, 1), (1, 2), (2, 3)]);
        // One answer, with the records of all three frames.
        let d = data(&p);
        let events: Vec<&MasterData> = d.iter().filter(|d| d.afn == 0x0E).collect();
        assert_eq!(events.len(), 1, "{d:#?}");
        let codes: Vec<String> = events[0]
            .items
            .iter()
            .filter(|i| i.label.contains("ERC") || i.label.contains("Event code"))
            .map(|i| i.value.to_string())
            .collect();
        assert_eq!(codes.len(), 3, "{:#?}", events[0].items);
        let clocks = p.events.iter().filter(|e| matches!(e, MasterEvent::Clock(_))).count();
        assert_eq!(clocks, 2);
    }
}

#[test]
fn master_does_not_take_a_frame_out_of_turn_into_a_multi_frame_answer() {
    use super::codec::{Address1, seq, unit_id};
    let mut s = MasterSession::new(MasterConfig::default());
    s.events(Millis(0), true, 0, 0xFF);
    let sent = match s.poll_action() {
        Some(crate::session::Action::Transmit(b)) => Frame1::parse(&b).unwrap(),
        other => panic!("{other:?}"),
    };
    let p0 = sent.pseq();
    let frame = |sq: u8, from: u8| {
        let mut data = unit_id(0, 1).to_vec();
        data.extend_from_slice(&[2, 0, from, from + 1, 14, 10]);
        data.extend_from_slice(&[0; 10]);
        Frame1 { control: 0x88, address: Address1 { region: 0x1234, terminal: 1, a3: 0 }, afn: 0x0E, seq: sq, data }
            .emit()
    };
    s.handle_input(Millis(10), &frame(seq::FIR | p0, 0));
    // RSEQ two ahead: not this answer's next frame.
    s.handle_input(Millis(20), &frame(seq::FIN | ((p0 + 2) & 15), 1));
    assert!(!s.is_idle());
    s.handle_input(Millis(30), &frame(seq::FIN | ((p0 + 1) & 15), 1));
    let mut got = Vec::new();
    while let Some(e) = s.poll_event() {
        got.push(e);
    }
    assert!(got.iter().any(|e| matches!(e, MasterEvent::Notice(super::master::Notice::Unexpected { .. }))));
    let d: Vec<_> = got.iter().filter(|e| matches!(e, MasterEvent::Data(_))).collect();
    assert_eq!(d.len(), 1);
    assert!(s.is_idle());
}
