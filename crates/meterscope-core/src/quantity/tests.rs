use super::table::{L1, L2, L3, W};
use super::values::sum_decimals;
use super::*;
use crate::protocols::dlt645::dictionary;
use crate::protocols::dlt698::session::Record as Dlt698Record;

#[test]
fn names_are_kebab_case_unique_and_bilingual() {
    let mut seen = std::collections::HashSet::new();
    for q in all() {
        assert!(q.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'), "{}", q.name);
        assert!(!q.name.starts_with('-') && !q.name.ends_with('-') && !q.name.contains("--"));
        assert!(seen.insert(q.name), "{} twice", q.name);
        assert!(!q.en.is_empty());
        assert!(q.zh.chars().any(|c| c as u32 > 0x2E80), "{}: {}", q.name, q.zh);
    }
    for name in [
        "active-energy-import",
        "active-energy-export",
        "reactive-energy-import",
        "reactive-energy-export",
        "voltage",
        "current",
        "active-power",
        "reactive-power",
        "power-factor",
        "frequency",
        "clock",
        "daily-freezes",
    ] {
        assert_eq!(by_name(name).map(|q| q.name), Ok(name));
    }
    assert_eq!(names().count(), all().len());
}

/// Every DL/T 645 identifier is one the dictionaries name, with the
/// quantity's unit where it has one.
#[test]
fn dlt645_points_are_in_the_dictionaries() {
    for q in all() {
        for p in q.dlt645 {
            let info = dictionary::lookup(p.di).unwrap_or_else(|| panic!("{}: {:08X}", q.name, p.di));
            if q.kind == Kind::Number && !q.unit.is_empty() {
                assert_eq!(info.unit(), q.unit, "{}: {:08X}", q.name, p.di);
            }
        }
        for p in q.dlt645_1997 {
            let info = dictionary::lookup_1997(p.di as u16).unwrap_or_else(|| panic!("{}: {:04X}", q.name, p.di));
            if q.kind == Kind::Number && !q.unit.is_empty() {
                assert_eq!(info.unit(), q.unit, "{}: {:04X}", q.name, p.di);
            }
        }
    }
    let name = |di| dictionary::lookup(di).map(|i| i.en.to_string()).unwrap_or_default();
    assert_eq!(name(0x0001_0000), "Forward active energy, total, current");
    assert_eq!(name(0x0280_0002), "Grid frequency");
    assert!(name(0x0506_0101).contains("Daily freeze"), "{}", name(0x0506_0101));
}

/// The DL/T 645-2007 points and the DL/T 698.45 points are the same
/// quantities (the project's equivalence of the two standards).
#[test]
fn dlt645_and_dlt698_points_agree() {
    use crate::protocols::dlt645::equivalents::oad_2007;
    for q in all() {
        for (p645, p698) in q.dlt645.iter().zip(q.dlt698) {
            let Some(oad) = oad_2007(p645.di) else { continue };
            let element = (oad & 0xFF) as u8;
            assert_eq!(oad & !0xFF, p698.oad, "{}: {:08X}", q.name, p645.di);
            assert_eq!(element, p698.element, "{}: {:08X}", q.name, p645.di);
        }
    }
    // Those with a counterpart in the equivalence table: all the numbers and the clock.
    assert_eq!(oad_2007(0x0201_0300), Some(0x2000_0203));
    assert_eq!(oad_2007(0x0400_0101), Some(0x4000_0200));
}

#[test]
fn dlt698_objects_are_named() {
    use crate::protocols::dlt698::dictionary::object_name;
    for q in all() {
        for p in q.dlt698 {
            let oi = (p.oad >> 16) as u16;
            assert!(object_name(oi, Lang::En).is_some(), "{}: {:08X}", q.name, p.oad);
            if let Some(c) = p.column {
                assert!(object_name((c >> 16) as u16, Lang::Zh).is_some(), "{c:08X}");
            }
        }
    }
    assert_eq!(object_name(0x200F, Lang::Zh).as_deref(), Some("电网频率"));
    assert_eq!(object_name(0x5004, Lang::En).as_deref(), Some("day freeze"));
}

/// Every OBIS code, and every readout or telegram code, is named by the
/// OBIS module, and the phases are L1, L2, L3 in that order.
#[test]
fn obis_codes_are_named() {
    for q in all() {
        for p in q.dlms {
            assert!(crate::obis::describe(p.obis, Lang::En).is_some(), "{}", crate::obis::canonical(p.obis));
        }
        for p in q.iec62056.iter().chain(q.dsmr) {
            let code = crate::obis::parse(p.code).unwrap_or_else(|| panic!("{}", p.code));
            assert!(crate::obis::describe(code, Lang::En).is_some(), "{}", p.code);
        }
        // IEC 62056-21 and DLMS name the same objects.
        for (iec, dlms) in q.iec62056.iter().zip(q.dlms) {
            let code = crate::obis::parse(iec.code).unwrap_or_default();
            if q.kind == Kind::Number {
                assert_eq!(code[2..5], dlms.obis[2..5], "{}", iec.code);
            }
        }
    }
    let describe = |code| crate::obis::describe(code, Lang::En).unwrap_or_default();
    assert_eq!(describe([1, 0, 52, 7, 0, 255]), "L2 voltage, instantaneous");
    assert_eq!(describe([1, 0, 71, 7, 0, 255]), "L3 current, instantaneous");
    assert_eq!(describe([1, 0, 14, 7, 0, 255]), "Supply frequency, instantaneous");
    let voltage = by_name("voltage").unwrap();
    let phases: Vec<Part> = voltage.dlms.iter().map(|p| p.part).collect();
    assert_eq!(phases, [L1, L2, L3]);
}

#[test]
fn every_quantity_is_in_most_families() {
    for q in all() {
        let n = Family::ALL.iter().filter(|&&f| q.in_family(f)).count();
        assert!(n >= 2, "{}: {n}", q.name);
        assert!(q.in_family(Family::Dlt645), "{}", q.name);
    }
    let freezes = by_name("daily-freezes").unwrap();
    assert!(!freezes.in_family(Family::Dlms));
    assert_eq!(by_name("voltage").unwrap().sources(Family::Dlt645), ["02010100", "02010200", "02010300"]);
    assert_eq!(by_name("active-energy-import").unwrap().sources(Family::Dlms), ["3/1-0:1.8.0*255:2"]);
    assert_eq!(freezes.sources(Family::Dlt698)[0], "50040200/20210200");
}

#[test]
fn unknown_names_suggest_close_ones() {
    assert_eq!(by_name("Active_Energy_Import").map(|q| q.name), Ok("active-energy-import"));
    let e = by_name("voltge").unwrap_err();
    assert_eq!(e.close, ["voltage"]);
    assert_eq!(e.to_string(), "unknown quantity 'voltge'; did you mean voltage?");
    assert_eq!(e.display(Lang::Zh).to_string(), "未知的量“voltge”；是否要找：voltage？");
    let e = by_name("energy").unwrap_err();
    assert_eq!(e.close.len(), 4, "{:?}", e.close);
    let e = by_name("active-energy").unwrap_err();
    assert!(e.close.starts_with(&["active-energy-import", "active-energy-export"]), "{:?}", e.close);
    assert_eq!(by_name("volts").unwrap_err().close, ["voltage"]);
    assert_eq!(by_name("freq").unwrap_err().close, ["frequency"]);
    let e = by_name("xyzzy").unwrap_err();
    assert!(e.close.is_empty());
    assert!(e.text(Lang::En).contains("voltage, current"), "{}", e.text(Lang::En));
    assert!(e.text(Lang::Zh).contains("可用的量"));
}

#[test]
fn decimals_and_units() {
    assert_eq!(plain_decimal("006872.455").as_deref(), Some("6872.455"));
    assert_eq!(plain_decimal("-01.50").as_deref(), Some("-1.50"));
    assert_eq!(plain_decimal("0.940").as_deref(), Some("0.940"));
    assert_eq!(plain_decimal("+5").as_deref(), Some("5"));
    assert_eq!(plain_decimal("12.").as_deref(), None);
    assert_eq!(plain_decimal("2024-05-17").as_deref(), None);
    assert_eq!(plain_decimal(""), None);
    assert_eq!(convert("29847123", "Wh", "kWh").as_deref(), Some("29847.123"));
    assert_eq!(convert("1492", "W", "kW").as_deref(), Some("1.492"));
    assert_eq!(convert("2918.3", "W", "kW").as_deref(), Some("2.9183"));
    assert_eq!(convert("5", "W", "kW").as_deref(), Some("0.005"));
    assert_eq!(convert("-888.2", "var", "kvar").as_deref(), Some("-0.8882"));
    assert_eq!(convert("1.5", "kW", "W").as_deref(), Some("1500"));
    assert_eq!(convert("02.206", "kW", "kW").as_deref(), Some("2.206"));
    assert_eq!(convert("230.2", "V", "kWh"), None);
    assert_eq!(sum_decimals(&["4443.936".into(), "2428.519".into()]).as_deref(), Some("6872.455"));
    assert_eq!(sum_decimals(&["1.5".into(), "-2".into()]).as_deref(), Some("-0.5"));
}

#[test]
fn reads_collect_pieces_and_failures_in_order() {
    let qs = vec![by_name("voltage").unwrap(), by_name("clock").unwrap()];
    let mut r = Reads::new(Family::Dlt645, qs);
    let points = r.dlt645_points();
    assert_eq!(points.len(), 5);
    assert_eq!((points[3].0, points[3].1, points[3].2.di), (1, 0, 0x0400_0101));
    r.piece(0, 0, L1, "221.5", "V", "02010100", "t1");
    r.error(0, 1, "no reply");
    r.piece(1, 1, Part::Time, "10:30:00", "", "04000102", "t2");
    r.piece(1, 0, Part::Date, "2024-05-17 W5", "", "04000101", "t3");
    assert!(!r.complete());
    r.fail_rest("cancelled");
    r.error(0, 0, "too late"); // a value read stays
    let o = r.outcomes();
    let lines: Vec<(&str, Result<String, String>, &str)> =
        o.iter().map(|o| (o.quantity.name, o.result.clone().map(|v| v.value), o.source.as_str())).collect();
    assert_eq!(
        lines,
        [
            ("voltage", Ok("221.5".to_string()), "02010100"),
            ("voltage", Err("no reply".to_string()), "02010200"),
            ("voltage", Err("cancelled".to_string()), "02010300"),
            ("clock", Ok("2024-05-17T10:30:00".to_string()), "04000101+04000102"),
        ]
    );
    assert_eq!(o[0].at, "t1");
    let mut dsmr = Reads::new(Family::Dsmr, vec![by_name("active-energy-import").unwrap()]);
    assert_eq!(dsmr.code_points().iter().map(|p| p.2.code).collect::<Vec<_>>(), ["1-0:1.8.1", "1-0:1.8.2"]);
    dsmr.piece(0, 0, Part::Tariff, "1.5", "kWh", "1-0:1.8.1", "");
    dsmr.piece(0, 1, Part::Tariff, "2.25", "kWh", "1-0:1.8.2", "");
    assert!(dsmr.complete());
    assert_eq!(dsmr.outcomes()[0].result.as_ref().map(|v| v.value.as_str()), Ok("3.75"));
}

#[test]
fn reads_take_the_sessions_answers() {
    let mut iec = Reads::new(Family::Iec62056, vec![by_name("active-energy-import").unwrap()]);
    assert_eq!(iec.codes(), ["1.8.0"]);
    assert!(!iec.take_code("1.8.0*01", "000001.000", "kWh", "")); // a billing period, not the value
    assert!(!iec.take_code("2.8.0", "000002.000", "kWh", ""));
    assert!(iec.take_code("1-0:1.8.0", "006872.455", "kWh", "t"));
    assert_eq!(iec.outcomes()[0].result.as_ref().map(|v| v.value.as_str()), Ok("6872.455"));

    let freezes = by_name("daily-freezes").unwrap();
    let mut r698 = Reads::new(Family::Dlt698, vec![freezes, by_name("voltage").unwrap()]);
    let (oads, records) = r698.dlt698_targets();
    assert_eq!(oads, [0x2000_0200]);
    assert_eq!(records, [(0x5004_0200, vec![0x2021_0200, 0x0010_0200, 0x0020_0200])]);
    let item = |label: &str, value: &str, unit: &str| {
        crate::session::Item::new(label.into(), crate::session::Value::decimal_or_text(value.into()), unit.into())
    };
    let record = Dlt698Record {
        oad: 0x5004_0200,
        canonical: "50040200".into(),
        name: String::new(),
        columns: vec![],
        rows: vec![vec![
            item("20210200 data freeze time", "2024-05-17 00:00:00", ""),
            item("00100200 total", "73040.45", "kWh"),
            item("00100200 T1", "13131.88", "kWh"),
        ]],
        data: vec![],
    };
    assert!(r698.take_dlt698_record(&record, "t"));
    r698.fail_dlt698(Some(0x2000_0200), "DAR 6");
    let o = r698.outcomes();
    assert_eq!(o[0].result.as_ref().map(|v| v.value.as_str()), Ok("2024-05-17T00:00:00"));
    assert_eq!(
        o[1].result.as_ref().map(|v| (v.value.as_str(), v.element)),
        Ok(("73040.45", Some("active-energy-import")))
    );
    assert_eq!(o[1].source, "50040200/00100200");
    assert_eq!(o[2].result, Err("the latest record has no such column".to_string()));
    assert_eq!(o.iter().filter(|o| o.result == Err("DAR 6".to_string())).count(), 3);
}

#[test]
fn date_times() {
    assert_eq!(join_date_time("2024-05-17 W5", "10:30:00").as_deref(), Some("2024-05-17T10:30:00"));
    assert_eq!(join_date_time("240517", "103000").as_deref(), Some("2024-05-17T10:30:00"));
    assert_eq!(iso_date_time("2024-05-17 10:30:00").as_deref(), Some("2024-05-17T10:30:00"));
    assert_eq!(iso_date_time("2024-05-16 00:00").as_deref(), Some("2024-05-16T00:00:00"));
    assert_eq!(iso_date_time("240517103000S").as_deref(), Some("2024-05-17T10:30:00"));
    assert_eq!(iso_date_time("2024-13-17 10:30:00"), None);
    assert_eq!(iso_date_time("not a time"), None);
}

fn piece(part: Part, value: &str, unit: &str) -> Piece {
    Piece { part, value: value.into(), unit: unit.into() }
}

#[test]
fn assembled_values_share_names_and_units() {
    let power = by_name("active-power").unwrap();
    let from_698 = assemble(power, &[piece(W, "2918.3", "W")]);
    let from_645 = assemble(power, &[piece(W, "5.1929", "kW")]);
    assert_eq!(from_698[0].unit, "kW");
    assert_eq!(from_698[0].value, "2.9183");
    assert_eq!(from_645[0].unit, "kW");
    assert!(from_698[0].numeric && from_645[0].numeric);

    let voltage = by_name("voltage").unwrap();
    let v = assemble(voltage, &[piece(L1, "221.5", "V"), piece(L2, "227.4", "V")]);
    assert_eq!(v.iter().map(|v| v.element).collect::<Vec<_>>(), [Some("L1"), Some("L2")]);

    let clock = by_name("clock").unwrap();
    let c = assemble(clock, &[piece(Part::Time, "103000", ""), piece(Part::Date, "240517", "")]);
    assert_eq!(c, [Value { element: None, value: "2024-05-17T10:30:00".into(), numeric: false, unit: "".into() }]);
    assert_eq!(assemble(clock, &[piece(W, "2024-05-17 10:30:00", "")])[0].value, "2024-05-17T10:30:00");

    let import = by_name("active-energy-import").unwrap();
    let dsmr = assemble(import, &[piece(Part::Tariff, "004443.936", "kWh"), piece(Part::Tariff, "002428.519", "kWh")]);
    assert_eq!(dsmr, [Value { element: None, value: "6872.455".into(), numeric: true, unit: "kWh".into() }]);

    let freezes = by_name("daily-freezes").unwrap();
    let f = assemble(
        freezes,
        &[
            piece(Part::Freeze(FreezePart::Time), "2024-05-16 00:00", ""),
            piece(Part::Freeze(FreezePart::Import), "18132.45", "kWh"),
        ],
    );
    assert_eq!(f[0].value, "2024-05-16T00:00:00");
    assert_eq!((f[1].element, f[1].unit.as_str()), (Some("active-energy-import"), "kWh"));

    // What does not convert is kept as read.
    let odd = assemble(power, &[piece(W, "12.5", "kVA")]);
    assert_eq!((odd[0].value.as_str(), odd[0].unit.as_str(), odd[0].numeric), ("12.5", "kVA", true));
    let text = assemble(power, &[piece(W, "no data", "")]);
    assert!(!text[0].numeric);
}
