//! The session against the simulated meter on a virtual clock: reads in random
//! pieces, follow-up frames, echo, timeouts, retries, both editions.

use super::*;
use crate::protocols::dlt645::simulator::{Dlt645Meter, MeterConfig};
use crate::session::testing::{Faults, Pair};
use crate::session::{Rng, SimulatedMeter};

type P = Pair<Dlt645Session, Dlt645Meter>;

/// The session and the simulated meter on the shared test pair; the meter
/// answers 20–200 ms after a request.
fn pair(seed: u64, cfg: Config, meter: MeterConfig, address: Option<Address>, faults: Faults) -> P {
    let mut p = Pair::new(seed, Dlt645Session::new(cfg, address), Dlt645Meter::new(meter), faults);
    p.response = (20, 200);
    p
}

fn simple(seed: u64, faults: Faults) -> P {
    let address = Some(MeterConfig::default().address);
    pair(seed, Config::default(), MeterConfig::default(), address, faults)
}

/// A reply from another meter before every reply, and the first reply with a
/// wrong checksum.
fn wrong_address_and_corrupt_first(p: &mut P) {
    p.rewrite = Some(Box::new(|k, mut reply| {
        let mut f = Frame645::parse(&reply).unwrap();
        f.address = Address([0x01, 0x00, 0x00, 0x00, 0x00, 0x00]);
        if k == 0 {
            let n = reply.len();
            reply[n - 2] ^= 0x5A;
        }
        vec![f.emit(), reply]
    }));
}

impl P {
    fn values(&self) -> Vec<(u32, Vec<u8>)> {
        self.events_where(|e| match e {
            Dlt645Event::Value { di, data, complete: true, .. } => Some((*di, data.clone())),
            _ => None,
        })
    }

    fn errors(&self) -> Vec<(Option<u32>, Failure)> {
        self.events_where(|e| match e {
            Dlt645Event::Error { di, failure } => Some((*di, failure.clone())),
            _ => None,
        })
    }

    fn notices(&self) -> Vec<Notice> {
        self.events_where(|e| match e {
            Dlt645Event::Notice(n) => Some(n.clone()),
            _ => None,
        })
    }
}

const TEN: [u32; 10] = [
    0x0001_0000,
    0x0001_FF00,
    0x0002_0000,
    0x0201_FF00,
    0x0202_0100,
    0x0203_0000,
    0x0206_0000,
    0x0280_0002,
    0x0400_0401,
    0x0400_0402,
];

/// What the meter holds for `di` (its readings vary with time only for variables).
fn expected(di: u32) -> Vec<u8> {
    Dlt645Meter::new(MeterConfig::default()).data_2007(di, Millis(0)).unwrap()
}

#[test]
fn reads_a_list_in_random_pieces() {
    for seed in 0..20 {
        let mut p = simple(seed, Faults::default());
        p.session.read(p.now, &TEN);
        p.run();
        let values = p.values();
        assert_eq!(values.iter().map(|v| v.0).collect::<Vec<_>>(), TEN, "seed {seed}");
        for (di, data) in &values {
            if di >> 24 != 0x02 {
                assert_eq!(data, &expected(*di), "{di:08X}");
            }
        }
        assert!(p.errors().is_empty(), "{:?}", p.errors());
        assert_eq!(p.events.last(), Some(&Dlt645Event::Done));
        assert_eq!(p.requests, 10);
    }
}

#[test]
fn values_carry_names_and_units() {
    let mut p = simple(1, Faults::default());
    p.session.read(p.now, &[0x0001_FF00, 0x0201_0100]);
    p.run();
    let Some(Dlt645Event::Value { canonical, name, items, .. }) = p.events.first() else { panic!() };
    assert_eq!(canonical, "0001FF00");
    assert!(name.starts_with("Forward active energy"), "{name}");
    assert_eq!(items.len(), 5);
    assert_eq!((items[0].label.as_str(), items[0].unit.as_str()), ("total", "kWh"));
    let total: f64 = items[0].value.number().unwrap();
    let sum: f64 = items[1..].iter().map(|i| i.value.number().unwrap()).sum();
    assert!((total - sum).abs() < 0.005);
    let Some(Dlt645Event::Value { items, .. }) = p.events.get(1) else { panic!() };
    assert_eq!(items[0].unit, "V");
}

#[test]
fn follow_up_frames() {
    let meter = MeterConfig { max_data: 16, ..MeterConfig::default() };
    let address = Some(meter.address);
    for seed in 0..5 {
        let mut p = pair(seed, Config::default(), meter.clone(), address, Faults { echo: true, ..Faults::default() });
        p.session.read(p.now, &[0x0001_FF00, 0x0400_04FF, 0x0400_0401]);
        p.run();
        let frames: Vec<u16> = p
            .events
            .iter()
            .filter_map(|e| match e {
                Dlt645Event::Value { frames, .. } => Some(*frames),
                _ => None,
            })
            .collect();
        assert_eq!(frames[0], 2, "20 bytes in frames of 16");
        assert!(frames[1] > 5, "the parameter block takes {} frames", frames[1]);
        assert_eq!(frames[2], 1);
        let values = p.values();
        assert_eq!(values[0].1, expected(0x0001_FF00));
        assert_eq!(values[1].1, expected(0x0400_04FF));
        assert!(p.errors().is_empty());
    }
}

#[test]
fn echo_is_ignored() {
    let mut p = simple(3, Faults { echo: true, ..Faults::default() });
    p.session.read(p.now, &TEN);
    p.run();
    assert_eq!(p.values().len(), 10);
    assert_eq!(p.notices().iter().filter(|n| **n == Notice::Echo).count(), 10);
    assert!(p.errors().is_empty());
    assert_eq!(p.requests, 10, "no retries");
}

#[test]
fn timeout_then_retry() {
    let mut p = simple(4, Faults { drop_replies: vec![0, 2, 3], ..Faults::default() });
    let start = p.now;
    p.session.read(p.now, &[0x0001_0000, 0x0002_0000]);
    p.run();
    assert_eq!(p.values().len(), 2);
    let retries: Vec<_> = p.notices().into_iter().filter(|n| matches!(n, Notice::Retry { .. })).collect();
    assert_eq!(retries, [Notice::Retry { attempt: 2 }, Notice::Retry { attempt: 2 }, Notice::Retry { attempt: 3 }]);
    assert_eq!(p.requests, 5);
    // Three timeouts of about a second each, on the virtual clock.
    assert!(p.now.since(start) > 3_000 && p.now.since(start) < 6_000, "{}", p.now.since(start));
}

#[test]
fn a_slow_reply_is_waited_for_and_a_stalled_one_dropped() {
    // 20+ bytes, 3 every 300 ms: the reply outlasts the 1 s timeout but never pauses 500 ms.
    let mut p = simple(12, Faults { trickle: Some(300), ..Faults::default() });
    p.session.read(p.now, &[0x0001_FF00]);
    p.run();
    assert_eq!(p.values().len(), 1);
    assert_eq!(p.requests, 1, "no retry while bytes keep coming");
    // 600 ms pauses: every attempt's frame is dropped as incomplete, then the read fails.
    let mut p = simple(13, Faults { trickle: Some(600), ..Faults::default() });
    p.session.read(p.now, &[0x0001_0000]);
    p.run();
    assert!(p.notices().iter().any(|n| matches!(n, Notice::Incomplete(_))));
    assert_eq!(p.errors(), [(Some(0x0001_0000), Failure::Timeout { attempts: 3 })]);
}

#[test]
fn random_bytes_never_break_either_side() {
    let mut rng = Rng::new(99);
    let mut session = Dlt645Session::new(Config::default(), None);
    let mut meter = Dlt645Meter::new(MeterConfig::default());
    session.read(Millis(0), &TEN);
    let mut now = Millis(0);
    let mut dones = 0;
    for round in 0..3000u64 {
        let len = rng.range(0, 40) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.range(0, 255) as u8).collect();
        if round % 7 == 0 {
            // Mostly valid frames with a byte changed.
            let req = Payload::ReadRequest { di: DataId(TEN[(round % 10) as usize]), blocks: None, time: None };
            bytes = Frame645::from_payload(meter.address(), &req).emit();
            let k = rng.range(0, bytes.len() as u64 - 1) as usize;
            bytes[k] = rng.range(0, 255) as u8;
        }
        now = now.after(rng.range(0, 400));
        session.handle_input(now, &bytes);
        meter.handle_input(now, &bytes);
        if session.poll_timeout().is_some_and(|t| t <= now) {
            session.handle_timeout(now);
        }
        while session.poll_action().is_some() {}
        while let Some(e) = session.poll_event() {
            dones += usize::from(e == Dlt645Event::Done);
        }
        while meter.poll_transmit().is_some() {}
    }
    // Every read ends one way or another: idle, "done" said once.
    for _ in 0..100 {
        let Some(t) = session.poll_timeout() else { break };
        session.handle_timeout(t);
    }
    while let Some(e) = session.poll_event() {
        dones += usize::from(e == Dlt645Event::Done);
    }
    assert!(session.is_idle());
    assert_eq!(dones, 1, "the queued work ended once");
}

#[test]
fn a_failure_keeps_what_was_read() {
    // The meter falls silent after the first reply: one value, then timeouts.
    let mut p = simple(5, Faults { silence_from: Some(1), ..Faults::default() });
    p.session.read(p.now, &[0x0001_0000, 0x0002_0000, 0x0003_0000]);
    p.run();
    assert_eq!(p.values(), [(0x0001_0000, expected(0x0001_0000))]);
    assert_eq!(
        p.errors(),
        [(Some(0x0002_0000), Failure::Timeout { attempts: 3 }), (Some(0x0003_0000), Failure::Timeout { attempts: 3 })]
    );
    assert_eq!(p.events.last(), Some(&Dlt645Event::Done));
    // A follow-up frame lost for good: the data so far is reported, marked incomplete.
    let meter = MeterConfig { max_data: 8, ..MeterConfig::default() };
    let faults = Faults { silence_from: Some(2), ..Faults::default() };
    let mut p = pair(6, Config::default(), meter.clone(), Some(meter.address), faults);
    p.session.read(p.now, &[0x0001_FF00]);
    p.run();
    let partial = p.events.iter().find_map(|e| match e {
        Dlt645Event::Value { data, frames, complete: false, .. } => Some((data.len(), *frames)),
        _ => None,
    });
    assert_eq!(partial, Some((16, 2)));
    assert_eq!(p.errors(), [(Some(0x0001_FF00), Failure::Timeout { attempts: 3 })]);
}

#[test]
fn wrong_address_noise_and_garbage() {
    let faults = Faults { noise: true, ..Faults::default() };
    for seed in 0..10 {
        let mut p = simple(seed, faults.clone());
        wrong_address_and_corrupt_first(&mut p);
        p.session.read(p.now, &TEN[..4]);
        p.run();
        assert_eq!(p.values().len(), 4, "seed {seed}: {:?}", p.events);
        assert!(p.errors().is_empty(), "seed {seed}: {:?}", p.errors());
        let notices = p.notices();
        let wrong = Notice::WrongAddress(Address([0x01, 0, 0, 0, 0, 0]));
        assert!(notices.iter().filter(|n| **n == wrong).count() >= 4, "{notices:?}");
        assert!(notices.iter().any(|n| matches!(n, Notice::Garbled(_))));
    }
}

#[test]
fn finds_the_meter_first() {
    let mut p = pair(7, Config::default(), MeterConfig::default(), None, Faults { echo: true, ..Faults::default() });
    p.session.read(p.now, &[0x0400_0402]);
    p.run();
    let address = MeterConfig::default().address;
    assert_eq!(
        p.events.iter().find(|e| matches!(e, Dlt645Event::MeterFound(_))),
        Some(&Dlt645Event::MeterFound(address))
    );
    assert_eq!(p.session.address(), Some(address));
    assert_eq!(p.values().len(), 1);
    // No meter on the line: the read fails with NoMeter after the address request times out.
    let faults = Faults { silence_from: Some(0), ..Faults::default() };
    let mut p = pair(8, Config::default(), MeterConfig::default(), None, faults);
    p.session.read(p.now, &[0x0400_0402, 0x0001_0000]);
    p.run();
    assert_eq!(
        p.errors(),
        [
            (None, Failure::Timeout { attempts: 3 }),
            (Some(0x0400_0402), Failure::NoMeter),
            (Some(0x0001_0000), Failure::NoMeter)
        ]
    );
}

#[test]
fn clock_read_and_broadcast_sync() {
    let mut p = simple(9, Faults { echo: true, ..Faults::default() });
    p.session.read_clock(p.now);
    p.run();
    let clock = p.events.iter().find_map(|e| match e {
        Dlt645Event::Clock(t) => Some(*t),
        _ => None,
    });
    let meter_now = p.meter.clock(p.now);
    let read = clock.expect("a clock event");
    assert!(meter_now.to_unix() - read.to_unix() <= 2, "{read} vs {meter_now}");
    let t = DateTime { year: 2026, month: 1, day: 31, hour: 23, minute: 59, second: 30 };
    p.session.sync_clock(p.now, t);
    p.session.read_clock(p.now);
    let start = p.now;
    p.run();
    assert!(p.events.contains(&Dlt645Event::TimeBroadcast(t)));
    let read = p.events.iter().rev().find_map(|e| match e {
        Dlt645Event::Clock(t) => Some(*t),
        _ => None,
    });
    let read = read.unwrap();
    assert!(read >= t && read.to_unix() - t.to_unix() <= 2 + (p.now.since(start) / 1000) as i64, "{read}");
    assert!(p.errors().is_empty());
}

#[test]
fn abnormal_replies_name_their_bits() {
    let mut p = simple(10, Faults::default());
    p.session.read(p.now, &[0x0001_0000, 0x7777_7777, 0x0002_0000]);
    p.run();
    assert_eq!(p.values().len(), 2);
    let bits = vec!["no requested data".to_string()];
    assert_eq!(p.errors(), [(Some(0x7777_7777), Failure::Abnormal { err: 0x02, bits })]);
    assert_eq!(p.requests, 3, "an abnormal reply is not retried");
}

#[test]
fn dlt645_1997() {
    let cfg = Config { variant: Variant::V1997, ..Config::default() };
    let meter = MeterConfig { max_data: 8, ..MeterConfig::default() };
    let mut p = pair(11, cfg, meter, None, Faults { echo: true, ..Faults::default() });
    p.session.read(p.now, &[0x9010, 0x901F, 0xB611]);
    p.session.read_clock(p.now);
    p.run();
    assert!(p.events.contains(&Dlt645Event::MeterFound(MeterConfig::default().address)));
    let values = p.values();
    assert_eq!(values.iter().map(|v| v.0).collect::<Vec<_>>(), [0x9010, 0x901F, 0xB611, 0xC010, 0xC011]);
    assert_eq!(values[1].1.len(), 20, "total and four tariffs over follow-up frames");
    assert_eq!(values[0].1, values[1].1[..4]);
    assert!(p.events.iter().any(|e| matches!(e, Dlt645Event::Clock(_))));
    assert!(p.errors().is_empty(), "{:?}", p.errors());
}
