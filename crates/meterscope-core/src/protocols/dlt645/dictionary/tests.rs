use super::*;
use std::collections::BTreeMap;

#[test]
fn composed_names() {
    let e = lookup(0x0001_0000).unwrap();
    assert_eq!((&*e.zh, &*e.en), ("(当前)正向有功总电能", "Forward active energy, total, current"));
    assert_eq!((e.format(), e.len(), e.unit()), ("XXXXXX.XX".to_string(), Some(4), "kWh"));
    assert_eq!(lookup(0x0002_0301).unwrap().zh, "(上1结算日)反向有功费率3电能");
    assert_eq!(lookup(0x0015_0000).unwrap().zh, "(当前)A相正向有功电能");
    assert_eq!(lookup(0x0003_0000).unwrap().unit(), "kvarh");
    assert_eq!(lookup(0x0101_0000).unwrap().format(), "XX.XXXX+YYMMDDhhmm");
    assert_eq!(lookup(0x0201_0100).unwrap().zh, "A相电压");
    assert_eq!(lookup(0x0201_FF00).unwrap().format(), "XXX.X×3");
    assert_eq!(lookup(0x0280_0007).unwrap().zh, "表内温度");
    assert_eq!(lookup(0x0280_0002).unwrap().unit(), "Hz");
    assert_eq!(lookup(0x0330_0000).unwrap().zh, "编程总次数");
    assert_eq!(lookup(0x0330_0001).unwrap().zh, "(上1次)编程记录");
    assert_eq!(lookup(0x0311_0000).unwrap().zh, "掉电总次数");
    assert_eq!(lookup(0x0400_0401).unwrap().len(), Some(6));
    assert_eq!(lookup(0x0400_0403).unwrap().len(), Some(32));
    assert_eq!(lookup(0x0500_0001).unwrap().zh, "(上1次)定时冻结时间");
    assert_eq!(lookup(0x0502_0101).unwrap().zh, "(上1次)两套时区表切换正向有功电能数据");
    assert_eq!(lookup(0x1001_2501).unwrap().zh, "(上1次)A相失压结束时刻");
    assert_eq!(lookup(0x1001_0201).unwrap().zh, "(上1次)A相失压发生时刻正向有功总电能");
    assert!(lookup(0x0000_4000).is_none() && lookup(0x0016_0100).is_none() && lookup(0x0700_0000).is_none());
    assert!(lookup(0x0500_000D).is_none() && lookup(0x0501_0004).is_none());
}

#[test]
fn composed_names_1997() {
    let e = lookup_1997(0x9010).unwrap();
    assert_eq!((&*e.zh, e.canonical().as_str(), e.unit()), ("(当前)正向有功总电能", "9010", "kWh"));
    assert_eq!(lookup_1997(0x9020).unwrap().zh, "(当前)反向有功总电能");
    assert!(lookup_1997(0x901F).unwrap().block);
    assert_eq!(lookup_1997(0x9110).unwrap().unit(), "kvarh");
    assert_eq!(lookup_1997(0xB611).unwrap().format(), "XXX");
    assert_eq!(lookup_1997(0xB621).unwrap().format(), "XX.XX");
    assert_eq!(lookup_1997(0xB630).unwrap().format(), "XX.XXXX");
    assert_eq!(lookup_1997(0xC032).unwrap().zh, "表号");
    assert_eq!(lookup_1997(0xC010).unwrap().format(), "YYMMDDWW");
    assert!(lookup_1997(0x9030).is_none() && lookup_1997(0x9210).is_none() && lookup_1997(0xD000).is_none());
}

/// The dictionary names at least 2,500 identifiers, spread over every class.
#[test]
fn enumerated_counts_per_class() {
    let mut per_class: BTreeMap<(u8, DiClass), usize> = BTreeMap::new();
    let mut total = 0usize;
    let mut last = None;
    for di in enumerate() {
        assert!(last < Some(di), "ascending and distinct");
        last = Some(di);
        let info = lookup(di).expect("enumerated ids resolve");
        let d3 = (di >> 24) as u8;
        *per_class.entry((if d3 >= 0x10 { 0x10 } else { d3 }, info.class)).or_default() += 1;
        total += 1;
        assert!(!info.en.is_empty() && info.zh.chars().any(|c| c as u32 > 0x2E80), "{di:08X}");
        // The layout a dissector reads is the named lookup without its names.
        let bare = layout(di).expect("enumerated ids have a layout");
        let formats = |i: &DiInfo| i.fields.iter().map(|f| f.format).collect::<Vec<_>>();
        assert_eq!(
            (bare.class, bare.items, bare.block, bare.width, formats(&bare)),
            (info.class, info.items, info.block, info.width, formats(&info)),
            "{di:08X}"
        );
    }
    eprintln!("DL/T 645-2007 identifiers: {total} {per_class:?}");
    assert!(total >= 2500);
    for class in [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x10] {
        assert!(per_class.keys().any(|k| k.0 == class), "class {class:02X} is empty");
    }
    let mut per_class_97: BTreeMap<DiClass, usize> = BTreeMap::new();
    for di in enumerate_1997() {
        *per_class_97.entry(lookup_1997(di).expect("enumerated ids resolve").class).or_default() += 1;
    }
    let n97: usize = per_class_97.values().sum();
    eprintln!("DL/T 645-1997 identifiers: {n97} {per_class_97:?}");
    assert!(n97 > 1000 && per_class_97.len() == 4);
}

/// Random identifiers the dictionary names are all in the enumeration
/// (the pruning by DI2 loses nothing).
#[test]
fn enumeration_prunes_nothing() {
    let mut rng = crate::testkit::Rng::new(0x2545_F491_4F6C_DD1D);
    for _ in 0..200_000 {
        let di = rng.next_u64() as u32 & 0x1FFF_FFFF;
        if lookup(di).is_some() {
            let [d3, d2, ..] = di.to_be_bytes();
            assert!(d2_known(d3, d2), "{di:08X}");
        }
    }
    for d3 in (0x00u8..=0x06).chain(0x10..=0x1F) {
        for d2 in 0..=255u8 {
            let named = [0x00, 0x01, 0xFF].iter().any(|&d1| lookup(u32::from_be_bytes([d3, d2, d1, 0x01])).is_some());
            assert!(!named || d2_known(d3, d2), "{d3:02X}{d2:02X}");
        }
    }
}

/// The DL/T 645-1997 table is searched by halves: sorted, no identifier twice.
#[test]
fn table_1997_is_sorted() {
    assert!(v1997::TABLE_1997.windows(2).all(|w| w[0].0 < w[1].0));
}

/// The layout a dissector reads of a 1997 identifier is the named lookup
/// without its names.
#[test]
fn layout_1997_is_lookup_without_names() {
    for di in enumerate_1997() {
        let (info, bare) = (lookup_1997(di).expect("named"), layout_1997(di).expect("laid out"));
        let formats = |i: &DiInfo| i.fields.iter().map(|f| f.format).collect::<Vec<_>>();
        assert_eq!(
            (bare.class, bare.items, bare.block, bare.width, formats(&bare)),
            (info.class, info.items, info.block, info.width, formats(&info)),
            "{di:04X}"
        );
    }
}
