use super::*;

fn request(apdu: &Apdu) -> Vec<u8> {
    let sa = MeterConfig::default().address.iter().rev().copied().collect();
    FrameRepr { control: 0x43, af: 0x05, sa, ca: 0x10, user_data: apdu.emit() }.emit()
}

fn ask(m: &mut Dlt698Meter, apdu: &Apdu) -> Apdu {
    m.handle_input(Millis(5_000), &request(apdu));
    let out = m.poll_transmit().expect("a reply");
    let start = out.iter().take_while(|&&b| b == 0xFE).count();
    Apdu::parse(&FrameRepr::parse(&out[start..]).unwrap().user_data).unwrap()
}

fn number(d: &Data) -> i128 {
    match d {
        Data::Int { value, .. } => *value,
        _ => panic!("{d:?}"),
    }
}

#[test]
fn tariffs_sum_to_totals_and_powers_agree() {
    let m = Dlt698Meter::new(MeterConfig::default());
    for oi in [0x0000u16, 0x0010, 0x0020, 0x0030, 0x0011, 0x0093] {
        let GetResult::Data(Data::Array(e)) = m.get(oad(u32::from(oi) << 16 | 0x0200), Millis(0)) else { panic!() };
        assert_eq!(e.len(), 5);
        assert_eq!(number(&e[0]), e[1..].iter().map(number).sum::<i128>(), "{oi:04X}");
    }
    let GetResult::Data(Data::Array(p)) = m.get(oad(0x2004_0200), Millis(0)) else { panic!() };
    assert_eq!(number(&p[0]), p[1..].iter().map(number).sum::<i128>());
    let GetResult::Data(u) = m.get(oad(0x2000_0202), Millis(0)) else { panic!() };
    assert!((2200..2300).contains(&number(&u)));
    assert_eq!(m.get(oad(0x9999_0200), Millis(0)), GetResult::Dar(6));
    assert_eq!(m.get(oad(0x2000_0209), Millis(0)), GetResult::Dar(8));
    assert_eq!(
        m.get(oad(0x4000_0200), Millis(61_000)),
        GetResult::Data(date_time_s(&DateTime { year: 2024, month: 5, day: 17, hour: 10, minute: 31, second: 1 }))
    );
}

#[test]
fn freezes_and_events() {
    let m = Dlt698Meter::new(MeterConfig::default());
    let cols = vec![Csd::Oad(oad(0x2021_0200)), Csd::Oad(oad(0x0010_0200))];
    let r = m.get_record(oad(0x5004_0200), &Rsd::S9(2), &cols, Millis(0));
    let RecordData::Rows(rows) = &r.data else { panic!() };
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0], date_time_s(&DateTime { year: 2024, month: 5, day: 16, hour: 0, minute: 0, second: 0 }));
    let r = m.get_record(oad(0x5004_0200), &Rsd::S10(3, super::super::codec::Ms::All), &cols, Millis(0));
    let RecordData::Rows(rows) = &r.data else { panic!() };
    assert_eq!(rows.len(), 3);
    // Energy grows from one freeze to the one before it in time.
    let total = |row: &Vec<Data>| match &row[1] {
        Data::Array(e) => number(&e[0]),
        _ => panic!(),
    };
    assert!(total(&rows[0]) > total(&rows[1]));
    let month = m.get_record(oad(0x5006_0200), &Rsd::S9(3), &cols, Millis(0));
    let RecordData::Rows(rows) = &month.data else { panic!() };
    assert_eq!(rows[0][0], date_time_s(&DateTime { year: 2024, month: 3, day: 1, hour: 0, minute: 0, second: 0 }));
    let ev = m.get_record(oad(0x3011_0200), &Rsd::S9(1), &[], Millis(0));
    let RecordData::Rows(rows) = &ev.data else { panic!() };
    assert_eq!(rows[0].len(), 3);
    assert_eq!(m.get_record(oad(0x4000_0200), &Rsd::S9(1), &[], Millis(0)).data, RecordData::Dar(6));
}

#[test]
fn answers_requests_and_fragments_long_replies() {
    let mut m = Dlt698Meter::new(MeterConfig { max_frame: 64, ..MeterConfig::default() });
    let reply = ask(&mut m, &Apdu::GetNormal { piid: 5, oad: oad(0x4001_0200), time_tag: None });
    let Apdu::GetResponseNormal { piid: 5, result, .. } = reply else { panic!("{reply:?}") };
    assert_eq!(
        result.result,
        GetResult::Data(Data::Bytes { tag: tag::OCTET_STRING, bytes: MeterConfig::default().address.to_vec() })
    );
    // A long list: fragments, each after a confirmation.
    let oads: Vec<Oad> = [0x0010_0200, 0x0020_0200, 0x2000_0200, 0x2001_0200, 0x2004_0200].map(oad).to_vec();
    m.handle_input(Millis(6_000), &request(&Apdu::GetNormalList { piid: 6, oads, time_tag: None }));
    let mut frames = vec![m.poll_transmit().unwrap()];
    assert!(m.poll_transmit().is_none(), "the next fragment waits for the confirmation");
    loop {
        let last = frames.last().unwrap();
        let f = FrameRepr::parse(&last[4..]).unwrap();
        let frag = Fragment::of(&f).unwrap();
        if frag.kind == FragmentKind::Last {
            break;
        }
        let mut c = reassembly::confirm(&f, frag.seq);
        c.control &= !0x80;
        m.handle_input(Millis(6_100), &c.emit());
        frames.push(m.poll_transmit().expect("next fragment"));
    }
    assert!(frames.len() >= 3);
    assert!(frames.iter().all(|f| f.len() <= 64 + 4));
    let refs: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
    let Apdu::GetResponseNormalList { results, .. } = Apdu::parse(&reassembly::reassemble(&refs).unwrap()).unwrap()
    else {
        panic!()
    };
    assert_eq!(results.len(), 5);
    assert_eq!(m.confirms(), frames.len() - 1);
}

#[test]
fn wildcard_set_clock_and_reports() {
    let mut m = Dlt698Meter::new(MeterConfig::default());
    let find = FrameRepr {
        control: 0x43,
        af: 0x45,
        sa: vec![0xAA; 6],
        ca: 0x10,
        user_data: Apdu::GetNormal { piid: 1, oad: oad(0x4001_0200), time_tag: None }.emit(),
    };
    m.handle_input(Millis(0), &find.emit());
    assert!(m.poll_transmit().is_some(), "the wildcard address is answered");
    let other = FrameRepr { af: 0x05, sa: vec![1, 0, 0, 0, 0, 0], ..find };
    m.handle_input(Millis(0), &other.emit());
    assert!(m.poll_transmit().is_none(), "another address is not");
    let t = DateTime { year: 2025, month: 1, day: 2, hour: 3, minute: 4, second: 5 };
    let r = ask(&mut m, &Apdu::SetNormal { piid: 2, oad: oad(0x4000_0200), data: date_time_s(&t), time_tag: None });
    assert!(matches!(r, Apdu::SetResponseNormal { dar: 0, .. }));
    assert_eq!(m.clock(Millis(5_000)), t);
    m.request_follow_report();
    let r = ask(&mut m, &Apdu::GetNormal { piid: 3, oad: oad(0x2000_0200), time_tag: None });
    assert!(matches!(r.tail().unwrap().follow, Some(FollowReport::Normal(_))));
    m.raise_report(Millis(6_000), ReportKind::List);
    let out = m.poll_transmit().unwrap();
    let f = FrameRepr::parse(&out[4..]).unwrap();
    assert_eq!(f.control, 0x83);
    let Apdu::ReportNotificationList { piid, results, .. } = Apdu::parse(&f.user_data).unwrap() else { panic!() };
    let ack = Apdu::ReportResponse { piid, choice: 1, oads: results.iter().map(|r| r.oad).collect(), time_tag: None };
    let sa = f.sa.clone();
    m.handle_input(Millis(6_100), &FrameRepr { control: 0x03, af: 0x05, sa, ca: 0x10, user_data: ack.emit() }.emit());
    assert_eq!(m.reports(), (1, 1));
}
