//! The session against the simulated meter on a virtual clock: modes A to E,
//! baud switches, programming mode, timeouts and random bytes.

use super::*;
use crate::protocols::iec62056::simulator::{MeterConfig, OpticalMeter};
use crate::session::testing::{Faults, Pair};
use crate::session::{Rng, SimulatedMeter};

type P = Pair<Iec62056Session, OpticalMeter>;

/// The session and the simulated meter on the shared test pair: bytes take
/// their wire time at the line of their sender and arrive garbled at another
/// line, so a baud switch at the wrong moment loses the reply; the meter
/// reacts in 350–600 ms, longer than the settle time t2.
fn pair(seed: u64, cfg: Config, meter: MeterConfig, faults: Faults) -> P {
    let mut p = Pair::new(seed, Iec62056Session::new(cfg), OpticalMeter::new(meter), faults);
    p.now = Millis(10_000);
    p.response = (350, 600);
    p
}

impl P {
    fn readings(&self) -> Vec<Reading> {
        self.events_where(|e| match e {
            IecEvent::Reading(r) => Some(r.clone()),
            _ => None,
        })
    }

    fn errors(&self) -> Vec<Failure> {
        self.events_where(|e| match e {
            IecEvent::Error(f) => Some(f.clone()),
            _ => None,
        })
    }

    fn notices(&self) -> Vec<Notice> {
        self.events_where(|e| match e {
            IecEvent::Notice(n) => Some(n.clone()),
            _ => None,
        })
    }

    /// The actions without the transmits' bytes: `T`, `W300`, `R9600 7E1`.
    fn script(&self) -> Vec<String> {
        self.actions
            .iter()
            .map(|a| match a {
                Action::Transmit(b) => format!("T{}", String::from_utf8_lossy(b).trim_end()),
                Action::Wait(ms) => format!("W{}", ms.0),
                Action::Reopen(l) => format!("R{l}"),
                Action::SetDtrRts { .. } => "DTR".into(),
            })
            .collect()
    }
}

fn meter(mode: Mode) -> MeterConfig {
    MeterConfig { mode, ..MeterConfig::default() }
}

fn value_of<'a>(readings: &'a [Reading], address: &str) -> &'a str {
    readings.iter().find(|r| r.address == address).and_then(|r| r.value()).unwrap_or_else(|| panic!("{address}"))
}

fn check_readout(p: &P) {
    let r = p.readings();
    assert_eq!(r.len(), 25, "{:?}", p.events);
    let reference = p.meter.data_sets(Millis(0));
    assert_eq!(
        r.iter().map(|x| x.address.as_str()).collect::<Vec<_>>(),
        reference.iter().map(|s| s.address.as_str()).collect::<Vec<_>>()
    );
    let e180: f64 = value_of(&r, "1.8.0").parse().unwrap();
    let e181: f64 = value_of(&r, "1.8.1").parse().unwrap();
    let e182: f64 = value_of(&r, "1.8.2").parse().unwrap();
    assert!((e180 - e181 - e182).abs() < 0.0005);
    let v = r.iter().find(|x| x.address == "32.7.0").unwrap();
    assert_eq!(v.obis.as_deref(), Some("1-0:32.7.0*255"));
    assert_eq!(v.values[0].unit, "V");
    assert!(v.name.as_deref().unwrap_or("").to_lowercase().contains("voltage"), "{:?}", v.name);
    let e = r.iter().find(|x| x.address == "1.8.1").unwrap();
    assert_eq!(e.values[0].unit, "kWh");
    assert!(p.events.contains(&IecEvent::ReadoutEnd { sets: 25, bcc_ok: true }));
    assert_eq!(p.events.last(), Some(&IecEvent::Done));
}

#[test]
fn mode_c_readout_with_the_baud_switch_as_actions() {
    for seed in 0..10 {
        let faults = Faults { echo: seed % 2 == 0, noise: seed % 3 == 0, ..Faults::default() };
        let mut p = pair(seed, Config::default(), meter(Mode::C), faults);
        p.session.readout(p.now);
        p.run();
        check_readout(&p);
        assert!(p.errors().is_empty(), "seed {seed}: {:?}", p.errors());
        assert_eq!(
            p.script(),
            ["T/?!", "T\u{6}050", "W300", "R9600 7E1", "R300 7E1"],
            "seed {seed}: the option select, t2, the switch, and back after the readout {:?}",
            p.events
        );
        let ident = p.events.iter().find_map(|e| match e {
            IecEvent::Identified(i) => Some(i.clone()),
            _ => None,
        });
        let ident = ident.unwrap();
        assert_eq!((ident.manufacturer.as_str(), ident.baud_char, ident.mode), ("MSC", '5', Mode::C));
        assert_eq!((ident.max_baud, ident.mode_e, ident.ident.as_str()), (Some(9600), true, "MS-Sim-1"));
        assert!(p.events.contains(&IecEvent::BaudSwitch(line_7e1(9600))));
        if seed % 2 == 0 {
            assert!(p.notices().contains(&Notice::Echo));
        }
    }
}

#[test]
fn settle_time_and_rate_limit_are_configurable() {
    let cfg = Config { settle: 800, max_baud: Some(2400), address: "12345678".into(), ..Config::default() };
    let mut m = meter(Mode::C);
    m.inactivity = 5000;
    let mut p = pair(1, cfg, m, Faults::default());
    p.session.readout(p.now);
    // The meter answers after 350-600 ms, so a t2 of 800 ms loses the first
    // readout (it comes before the switch); the session signs on again.
    p.run();
    assert_eq!(p.script()[..4], ["T/?12345678!", "T\u{6}030", "W800", "R2400 7E1"]);
    assert!(p.notices().iter().any(|n| matches!(n, Notice::Retry { attempt: 2 })));
    // Clamped to 200–1500 ms.
    let cfg = Config { settle: 5000, ..Config::default() };
    assert_eq!(cfg.settle(), 1500);
}

#[test]
fn mode_a_readout_stays_at_300() {
    for seed in 0..4 {
        let faults = Faults { echo: seed % 2 == 1, noise: true, ..Faults::default() };
        let mut p = pair(seed, Config { mode: Mode::A, ..Config::default() }, meter(Mode::A), faults);
        p.session.readout(p.now);
        p.run();
        check_readout(&p);
        assert_eq!(p.script(), ["T/?!"]);
        // 25 lines at 300 Bd take tens of seconds; only the gaps count.
        assert!(p.errors().is_empty());
    }
}

#[test]
fn mode_b_switches_without_acknowledgement() {
    for seed in 0..4 {
        let mut p = pair(seed, Config { mode: Mode::B, ..Config::default() }, meter(Mode::B), Faults::default());
        p.session.readout(p.now);
        p.run();
        check_readout(&p);
        assert_eq!(p.script(), ["T/?!", "R9600 7E1", "R300 7E1"]);
        assert!(p.notices().is_empty() || !p.notices().iter().any(|n| matches!(n, Notice::ModeMismatch { .. })));
    }
    // A mode C session meeting a mode B meter follows the meter.
    let mut p = pair(9, Config::default(), meter(Mode::B), Faults::default());
    p.session.readout(p.now);
    p.run();
    check_readout(&p);
    assert!(p.notices().contains(&Notice::ModeMismatch { configured: Mode::C, announced: Mode::B }));
}

#[test]
fn programming_mode_reads_registers() {
    let regs: Vec<String> = ["1.8.0", "1-0:1.8.1", "32.7.0", "99.99.99"].iter().map(|s| s.to_string()).collect();
    for seed in 0..4 {
        let faults = Faults { echo: seed % 2 == 0, noise: seed % 2 == 1, ..Faults::default() };
        let mut p = pair(seed, Config::default(), meter(Mode::C), faults);
        p.session.program(p.now, "00000000", &regs);
        p.run();
        assert!(p.events.contains(&IecEvent::LoggedIn), "{:?}", p.events);
        let r = p.readings();
        assert_eq!(r.iter().map(|x| x.address.as_str()).collect::<Vec<_>>(), ["1.8.0", "1-0:1.8.1", "32.7.0"]);
        assert_eq!(r[1].obis.as_deref(), Some("1-0:1.8.1*255"));
        assert_eq!(r[0].values[0].unit, "kWh");
        assert!(p.events.contains(&IecEvent::RegisterError { address: "99.99.99".into(), text: "ERR-NO-DATA".into() }));
        let t = p.transmits();
        assert_eq!(t[1], b"\x06051\r\n");
        assert!(t[2].starts_with(b"\x01P1\x02(00000000)\x03"), "{:?} {:?}", p.script(), p.events);
        assert_eq!(t.last().unwrap(), b"\x01B0\x03q", "the break ends programming mode");
        assert_eq!(p.script().last().unwrap(), "R300 7E1");
        assert!(p.errors().is_empty(), "{:?}", p.errors());
    }
}

#[test]
fn wrong_password_is_reported() {
    let mut p = pair(3, Config::default(), meter(Mode::C), Faults { echo: true, ..Faults::default() });
    p.session.program(p.now, "12345678", &["1.8.0".to_string()]);
    p.run();
    assert!(p.events.iter().any(|e| matches!(e, IecEvent::Operand(op) if op.len() == 8)));
    assert_eq!(p.errors(), [Failure::WrongPassword("ERR-PASSWORD".into())]);
    assert!(!p.events.contains(&IecEvent::LoggedIn));
    assert!(p.readings().is_empty());
    assert_eq!(p.transmits().last().unwrap(), b"\x01B0\x03q");
    assert!(p.events.contains(&IecEvent::Done));
    // The meter is back at its initial state: a readout works right away.
    p.session.readout(p.now);
    p.run();
    assert_eq!(p.readings().len(), 25);
}

#[test]
fn mode_e_hands_over_to_hdlc() {
    let mut p = pair(
        4,
        Config { mode: Mode::E, ..Config::default() },
        meter(Mode::C),
        Faults { echo: true, ..Faults::default() },
    );
    p.session.hand_over(p.now);
    p.run();
    assert_eq!(p.script(), ["T/?!", "T\u{6}252", "W300", "R9600 8N1"]);
    let line = LineSettings::new(9600, 8, Parity::None, 1);
    assert!(p.events.contains(&IecEvent::HandOver(line)));
    assert_eq!(p.meter.line(), line, "the meter acknowledged and switched too");
    assert!(p.errors().is_empty());
    assert_eq!(p.session.line(), line, "no return to 300 Bd: the line is the HDLC session's");
    // A meter without `\2` refuses.
    let m = MeterConfig { mode_e: false, ..meter(Mode::C) };
    let mut p = pair(5, Config { mode: Mode::E, ..Config::default() }, m, Faults::default());
    p.session.hand_over(p.now);
    p.run();
    assert!(matches!(p.errors()[..], [Failure::NotSupported(_)]));
    assert!(!p.events.iter().any(|e| matches!(e, IecEvent::HandOver(_))));
}

#[test]
fn timeouts_and_retries() {
    // The identification is lost once, then the readout once.
    let mut p = pair(6, Config::default(), meter(Mode::C), Faults { drop_replies: vec![0, 2], ..Faults::default() });
    p.session.readout(p.now);
    p.run();
    check_readout(&p);
    let retries: Vec<_> = p.notices().into_iter().filter(|n| matches!(n, Notice::Retry { .. })).collect();
    assert_eq!(retries, [Notice::Retry { attempt: 2 }, Notice::Retry { attempt: 3 }]);
    // A silent meter: three sign-ons, then a timeout.
    let start = p.now;
    let mut p = pair(7, Config::default(), meter(Mode::C), Faults { silence_from: Some(0), ..Faults::default() });
    p.session.readout(p.now);
    p.run();
    assert_eq!(p.errors(), [Failure::Timeout { stage: Stage::SignOn, attempts: 3 }]);
    assert_eq!(p.transmits().len(), 3);
    assert!(p.now.since(start) < 20_000);
    // A readout with a wrong BCC is read again.
    let mut p = pair(8, Config::default(), meter(Mode::C), Faults { corrupt: vec![1], ..Faults::default() });
    p.session.readout(p.now);
    p.run();
    assert!(p.notices().iter().any(|n| matches!(n, Notice::BadBcc { .. })));
    check_readout(&p);
    assert!(p.errors().is_empty());
}

#[test]
fn mode_d_listens_at_2400() {
    let m = OpticalMeter::new(meter(Mode::C));
    let mut s = Iec62056Session::new(Config { mode: Mode::D, ..Config::default() });
    assert_eq!(s.line(), MODE_D_LINE);
    s.listen(Millis(0), 1);
    assert_eq!(s.poll_action(), None, "nothing is sent in mode D");
    let mut push = b"\x00\xff".to_vec();
    push.extend(b"/MSC4MS-Sim-1\r\n");
    push.extend(m.readout(Millis(0)));
    let mut rng = Rng::new(3);
    let mut at = 0;
    let mut now = Millis(100);
    while at < push.len() {
        let n = (rng.range(1, 9) as usize).min(push.len() - at);
        s.handle_input(now, &push[at..at + n]);
        at += n;
        now = now.after(5);
    }
    let events: Vec<_> = core::iter::from_fn(|| s.poll_event()).collect();
    assert!(events.iter().any(|e| matches!(e, IecEvent::Identified(_))));
    assert_eq!(events.iter().filter(|e| matches!(e, IecEvent::Reading(_))).count(), 25);
    assert!(events.contains(&IecEvent::ReadoutEnd { sets: 25, bcc_ok: true }));
    assert_eq!(events.last(), Some(&IecEvent::Done));
    assert!(s.is_idle());
}

#[test]
fn random_bytes_never_break_the_session() {
    let mut rng = Rng::new(42);
    for job in 0..3 {
        let mut s = Iec62056Session::new(Config::default());
        match job {
            0 => s.readout(Millis(0)),
            1 => s.program(Millis(0), "0", &["1.8.0".into()]),
            _ => s.hand_over(Millis(0)),
        }
        let mut now = Millis(0);
        let mut last = None;
        let pieces: [&[u8]; 6] =
            [b"/MSC5\\2MS-Sim-1\r\n", b"\x02", b"1.8.0(1*kWh)\r\n!\r\n\x03", b"\x06", b"\x01P0\x02()\x03`", b"\x15"];
        for _ in 0..3000 {
            let bytes: Vec<u8> = if rng.chance(50) {
                pieces[rng.range(0, 5) as usize].to_vec()
            } else {
                (0..rng.range(0, 20)).map(|_| rng.range(0, 255) as u8).collect()
            };
            now = now.after(rng.range(0, 700));
            s.handle_input(now, &bytes);
            if s.poll_timeout().is_some_and(|t| t <= now) {
                s.handle_timeout(now);
            }
            while s.poll_action().is_some() {}
            while let Some(e) = s.poll_event() {
                last = Some(e);
            }
        }
        for _ in 0..100 {
            let Some(t) = s.poll_timeout() else { break };
            s.handle_timeout(t);
        }
        while s.poll_action().is_some() {}
        while let Some(e) = s.poll_event() {
            last = Some(e);
        }
        assert!(s.is_idle(), "job {job}");
        assert_eq!(last, Some(IecEvent::Done), "job {job}");
    }
}
