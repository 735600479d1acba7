use super::*;
use crate::lang::Lang;
use crate::protocols::dlt645::dissect;
use crate::protocols::dlt645::session::decode_values;
use crate::registry::Options;
use crate::session::Rng;

fn meter() -> Dlt645Meter {
    Dlt645Meter::new(MeterConfig::default())
}

/// Send one frame, collect the reply frame (without wake-up bytes).
fn ask(m: &mut Dlt645Meter, now: Millis, frame: Frame645) -> Option<Frame645> {
    m.handle_input(now, &frame.emit());
    let out = m.poll_transmit()?;
    assert!(m.poll_transmit().is_none());
    Some(Frame645::parse(&out).expect("a sound reply"))
}

fn read(m: &mut Dlt645Meter, di: u32) -> Result<Vec<u8>, u8> {
    let req = Payload::ReadRequest { di: DataId(di), blocks: None, time: None };
    let r = ask(m, Millis(0), Frame645::from_payload(m.address(), &req)).unwrap();
    match r.payload().unwrap() {
        Payload::ReadReply { data, follow: false, .. } => Ok(data),
        Payload::AbnormalReply { err, .. } => Err(err),
        other => panic!("unexpected {other:?}"),
    }
}

fn number(variant: Variant, di: u32, data: &[u8]) -> f64 {
    decode_values(variant, di, data, Lang::En).1[0].value.number().unwrap()
}

#[test]
fn tariffs_sum_to_the_total() {
    let mut m = meter();
    for q in 0..=0x0A_u32 {
        for period in [0u32, 1, 12] {
            let block = read(&mut m, (q << 16) | 0xFF00 | period).unwrap();
            assert_eq!(block.len(), 4 * (TARIFFS + 1));
            let v: Vec<u64> = block
                .chunks(4)
                .map(|c| c.iter().rev().fold(0, |a, &b| a * 100 + u64::from(unbcd(b).unwrap())))
                .collect();
            assert_eq!(v[0], v[1..].iter().sum::<u64>(), "quantity {q:02X} period {period}");
            let total = read(&mut m, (q << 16) | period).unwrap();
            assert_eq!(total, block[..4]);
        }
    }
}

#[test]
fn powers_are_consistent() {
    let mut m = meter();
    for p in 1..=3u32 {
        let u = number(Variant::V2007, 0x0201_0000 | p << 8, &read(&mut m, 0x0201_0000 | p << 8).unwrap());
        let i = number(Variant::V2007, 0x0202_0000 | p << 8, &read(&mut m, 0x0202_0000 | p << 8).unwrap());
        let pw = number(Variant::V2007, 0x0203_0000 | p << 8, &read(&mut m, 0x0203_0000 | p << 8).unwrap());
        let pf = number(Variant::V2007, 0x0206_0000 | p << 8, &read(&mut m, 0x0206_0000 | p << 8).unwrap());
        let expected = u * i * pf / 1000.0;
        assert!((pw - expected).abs() < 0.002, "phase {p}: {pw} kW vs U·I·cosφ {expected}");
        assert!((200.0..250.0).contains(&u));
    }
    let total = |m: &mut Dlt645Meter| read(m, 0x0203_FF00).unwrap();
    let block = total(&mut m);
    let v: Vec<f64> = block.chunks(3).map(|c| number(Variant::V2007, 0x0203_0000, c)).collect();
    assert!((v[0] - (v[1] + v[2] + v[3])).abs() < 0.0002);
    let f = number(Variant::V2007, 0x0280_0002, &read(&mut m, 0x0280_0002).unwrap());
    assert!((49.9..50.1).contains(&f));
}

#[test]
fn clock_follows_now_and_sync() {
    let mut m = meter();
    let at = Millis(61_000);
    let req = Payload::ReadRequest { di: DataId(0x0400_0102), blocks: None, time: None };
    let a = m.address();
    let r = ask(&mut m, at, Frame645::from_payload(a, &req)).unwrap();
    let Payload::ReadReply { data, .. } = r.payload().unwrap() else { panic!() };
    assert_eq!(data, [0x01, 0x31, 0x10]); // 10:31:01
    let t = DateTime { year: 2025, month: 1, day: 2, hour: 3, minute: 4, second: 5 };
    let time = [0x05, 0x04, 0x03, 0x02, 0x01, 0x25];
    m.handle_input(at, &Frame645::from_payload(Address::BROADCAST, &Payload::BroadcastTime { time }).emit());
    assert!(m.poll_transmit().is_none(), "no reply to a broadcast");
    assert_eq!(m.clock(Millis(63_000)), t.plus_seconds(2));
}

#[test]
fn every_function_is_answered() {
    let mut m = meter();
    let a = m.address();
    let now = Millis(0);
    let pw = Password { level: 2, code: [0x56, 0x34, 0x12] };
    let bad = Password { level: 2, code: [0, 0, 0] };
    let op = OperatorCode([1, 2, 3, 4]);
    let cases: Vec<(Payload, &str)> = vec![
        (Payload::ReadAddressRequest, "93"),
        (Payload::ReadRequest { di: DataId(0x0400_0401), blocks: None, time: None }, "91"),
        (Payload::ReadRequest { di: DataId(0x7777_7777), blocks: None, time: None }, "D1 02"),
        (Payload::ReadRequest { di: DataId(0x0400_0C01), blocks: None, time: None }, "D1 04"),
        (Payload::WriteRequest { di: DataId(0x0400_0103), password: bad, operator: op, data: vec![0x15] }, "D4 04"),
        (Payload::WriteRequest { di: DataId(0x0400_0103), password: pw, operator: op, data: vec![0x30] }, "94"),
        (Payload::WriteRequest { di: DataId(0x0400_0204), password: pw, operator: op, data: vec![0x64] }, "D4 40"),
        (Payload::WriteRequest { di: DataId(0x0001_0000), password: pw, operator: op, data: vec![0; 4] }, "D4 04"),
        (Payload::FreezeRequest { time: [0x99; 4] }, "96"),
        (Payload::ChangeBaudRequest { z: 0x03 }, "D7 08"),
        (Payload::ClearDemandRequest { password: pw, operator: op }, "99"),
        (Payload::ClearEventsRequest { password: pw, operator: op, di: DataId(0xFFFF_FFFF) }, "9B"),
        (
            Payload::RemoteControlRequest {
                password: pw,
                operator: op,
                command: 0x1A,
                reserved: 0,
                valid_until: [0, 0, 0, 1, 1, 0x30],
            },
            "9C",
        ),
        (Payload::ClearMeterRequest { password: pw, operator: op }, "9A"),
        (
            Payload::ChangePasswordRequest {
                di: DataId(0x0400_0C03),
                old: pw,
                new: Password { level: 2, code: [1, 2, 3] },
            },
            "98",
        ),
        (Payload::ChangeBaudRequest { z: 0x20 }, "97"),
    ];
    for (req, want) in cases {
        let r = ask(&mut m, now, Frame645::from_payload(a, &req)).unwrap_or_else(|| panic!("no reply to {req:?}"));
        let got = match r.payload().unwrap() {
            Payload::AbnormalReply { err, .. } => format!("{:02X} {err:02X}", r.control.0),
            _ => format!("{:02X}", r.control.0),
        };
        assert_eq!(got, want, "{req:?}");
    }
    assert!(!m.relay_closed());
    assert_eq!(m.line().baud, 9600);
    assert_eq!(read(&mut m, 0x0001_0000).unwrap(), [0, 0, 0, 0], "cleared");
    assert_eq!(read(&mut m, 0x0400_0103).unwrap(), [0x30], "written");
    let cleared = read(&mut m, 0x0330_0100).unwrap();
    assert_eq!(cleared, [0x01, 0, 0], "one meter clear recorded");
    let freeze = read(&mut m, 0x0501_0001).unwrap();
    assert_eq!(freeze.len(), 5);
}

#[test]
fn follow_up_frames_for_long_reads() {
    let mut m = Dlt645Meter::new(MeterConfig { max_data: 8, ..MeterConfig::default() });
    let a = m.address();
    let whole = Dlt645Meter::new(MeterConfig::default()).data_2007(0x0001_FF00, Millis(0)).unwrap();
    let req = Payload::ReadRequest { di: DataId(0x0001_FF00), blocks: None, time: None };
    let r = ask(&mut m, Millis(0), Frame645::from_payload(a, &req)).unwrap();
    let Payload::ReadReply { mut data, follow: true, .. } = r.payload().unwrap() else { panic!() };
    for seq in 1..=2u8 {
        let req = Payload::ReadFollowUpRequest { di: DataId(0x0001_FF00), seq };
        let r = ask(&mut m, Millis(0), Frame645::from_payload(a, &req)).unwrap();
        let Payload::ReadFollowUpReply { data: more, seq: s, follow, .. } = r.payload().unwrap() else { panic!() };
        assert_eq!((s, follow), (seq, seq < 2));
        data.extend(more);
    }
    assert_eq!(data, whole);
    // Load records: 10 blocks of 15 minutes go out in many frames.
    let records = meter().load_records(10, None, Millis(0));
    assert_eq!(records.len(), 10 * records.len() / 10);
    assert_eq!(&records[..2], &[0xA0, 0xA0]);
    assert_eq!(records[records.len() - 1], 0xE5);
}

#[test]
fn both_editions_and_every_named_identifier() {
    let m = meter();
    let opts = Options::default();
    // A sample of the dictionary: every reply is well-formed and dissects without warnings.
    for di in dictionary::enumerate().step_by(997).take(400) {
        if di >> 24 == 0x06 {
            continue;
        }
        match m.data_2007(di, Millis(0)) {
            Ok(data) => {
                let f =
                    Frame645::from_payload(m.address(), &Payload::ReadReply { di: DataId(di), data, follow: false });
                let d = dissect::dissect(Variant::V2007, &f.emit(), 0, &opts);
                assert!(d.diagnostics.is_empty(), "{di:08X}: {:?}", d.diagnostics);
            }
            Err(e) => {
                let [d3, _, d1, _] = di.to_be_bytes();
                let password = e == err::PASSWORD && di >> 8 == 0x04_000C;
                let no_such_tariff = e == err::NO_DATA && d3 <= 1 && usize::from(d1) > TARIFFS && d1 != 0xFF;
                assert!(password || no_such_tariff, "{di:08X}: {e}");
            }
        }
    }
    for di in dictionary::enumerate_1997() {
        let data = match m.data_1997(di, Millis(0)) {
            Ok(data) => data,
            Err(e) => {
                assert!(e == err::PASSWORD && di & 0xFFF0 == 0xC210, "{di:04X}: {e}");
                continue;
            }
        };
        let f = Frame645::from_payload_1997(m.address(), &Payload1997::ReadReply { di, data, follow: false });
        let d = dissect::dissect(Variant::V1997, &f.emit(), 0, &opts);
        assert!(d.diagnostics.is_empty(), "{di:04X}: {:?}", d.diagnostics);
    }
    let v = m.data_1997(0x901F, Millis(0)).unwrap();
    assert_eq!(&v[..4], &m.data_2007(0x0001_0000, Millis(0)).unwrap()[..]);
}

#[test]
fn deterministic_from_the_seed() {
    let a = meter().data_2007(0x0201_FF00, Millis(5000)).unwrap();
    assert_eq!(a, meter().data_2007(0x0201_FF00, Millis(5000)).unwrap());
    let other = Dlt645Meter::new(MeterConfig { seed: 2, ..MeterConfig::default() });
    assert_ne!(meter().data_2007(0x0001_FF00, Millis(0)), other.data_2007(0x0001_FF00, Millis(0)));
}

#[test]
fn answers_after_a_megabyte_of_noise() {
    // Noise is dropped in one pass (each byte looked at a few times, never
    // shifted along the buffer byte by byte): what waits is at most one frame.
    let mut m = meter();
    let mut rng = Rng::new(645);
    let noise: Vec<u8> = (0..1 << 20).map(|_| rng.range(0, 255) as u8).collect();
    m.handle_input(Millis(0), &noise);
    assert!(m.rx.len() <= 1024, "{} bytes wait", m.rx.len());
    assert_eq!(m.poll_transmit(), None);
    let energy = read(&mut m, 0x0001_0000).expect("the total forward active energy");
    assert_eq!(energy.len(), 4);
}
