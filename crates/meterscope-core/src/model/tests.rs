use super::*;

fn sample() -> Frame {
    let mut f = Frame::new("toy", &[0x68, 0x12, 0x34, 0x16], 10);
    let root = f.add(NONE, "check", Span::at(10, 4), NodeKind::Data).index();
    f.add(root, "unknown.row", Span::at(11, 2), NodeKind::Data)
        .value(Msg::hex(Span::at(11, 2)))
        .unit(Msg::Str("kWh"))
        .text(crate::msg!("{} byte(s) at 0x{:02X}", "{} 个字节，位于 0x{:02X}", 2u8, 0x0Bu8));
    f.add(root, Id::Indexed("unknown.row", 3), Span::at(13, 1), NodeKind::Check)
        .value(Msg::Hex { span: Span::at(11, 2), spaced: false, reversed: true })
        .text(Msg::Decimal { mantissa: -1230, scale: 2 });
    f.diag(Severity::Error, Span::at(13, 1), "toy.bad", crate::msg!("bad", "坏"));
    f.finish()
}

#[test]
fn renders_in_either_language_from_one_build() {
    let f = sample();
    assert!(!f.valid);
    let en = f.render(Lang::En);
    let zh = f.render(Lang::Zh);
    assert_eq!(en.tree.label, "Check");
    assert_eq!(zh.tree.label, "校验");
    let a = &en.tree.children[0];
    assert_eq!((a.id.as_str(), a.label.as_str()), ("unknown.row", "Bytes"));
    assert_eq!((a.value.as_deref(), a.unit.as_deref()), (Some("12 34"), Some("kWh")));
    assert_eq!(a.text.as_deref(), Some("2 byte(s) at 0x0B"));
    assert_eq!(zh.tree.children[0].text.as_deref(), Some("2 个字节，位于 0x0B"));
    let b = &zh.tree.children[1];
    assert_eq!((b.id.as_str(), b.label.as_str()), ("unknown.row.3", "字节"));
    assert_eq!((b.value.as_deref(), b.text.as_deref()), (Some("3412"), Some("-12.30")));
    assert_eq!(en.diagnostics[0].message, "bad");
    assert_eq!(zh.diagnostics[0].message, "坏");
    assert_eq!(f.children(0).count(), 2);
}

#[test]
fn attach_refuses_cycles_and_second_parents() {
    let mut f = Frame::new("toy", &[1, 2], 0);
    let a = f.add(NONE, "a", Span::at(0, 2), NodeKind::Data).index();
    let b = f.add(a, "b", Span::at(0, 1), NodeKind::Data).index();
    f.attach(b, a); // a is above b: a cycle
    f.attach(a, b); // b already has a parent
    f.attach(a, a);
    assert_eq!(f.children(a).count(), 1);
    assert_eq!(f.children(b).count(), 0);
    assert_eq!(f.nodes[a as usize].parent, NONE);
}

#[test]
fn templates() {
    let m = crate::msg!("{} of {:04X} {{x}} {:x}|{:3}|{:>}", "{}", 7u8, 0xABu16, 255u8, "ab", crate::msg!("q", "r"));
    assert_eq!(m.to_string(Lang::En), "7 of 00AB {x} ff|ab |q");
    assert_eq!(m.to_string(Lang::Zh), "7");
    assert_eq!(crate::msg!("{} and {}", "{}", 1u8).to_string(Lang::En), "1 and {}", "an argument short");
    let m = Msg::fmt(&Tpl { en: "a {} b {} c {", zh: "" }, [Arg::Uint(1)]);
    assert_eq!(m.to_string(Lang::En), "a 1 b {} c {");
}

#[test]
fn decimals_and_hex() {
    let mut s = String::new();
    write_decimal(&mut s, 5, 3).unwrap();
    write_hex(&mut s, &[0xAB; 40], true, false).unwrap();
    assert!(s.starts_with("0.005AB AB"));
    assert_eq!(s.len(), 5 + 40 * 3 - 1);
}

#[test]
fn occurrences_count_each_id() {
    let mut seen = Occurrences::default();
    let names: Vec<&'static str> = (0..300).map(|i| &*Box::leak(format!("dlt698.x{i}").into_boxed_str())).collect();
    for round in 1..=3u32 {
        for n in &names {
            assert_eq!(seen.count(n), round);
        }
    }
    // The same text at another address counts as the same id.
    let copy: &'static str = Box::leak(String::from("dlt698.x7").into_boxed_str());
    assert_eq!(seen.count(copy), 4);
}

#[test]
fn bit_fields_show_their_bits_most_significant_first() {
    // Bytes at offset 10: 0xA5 (1010 0101), then 0x0B 0x27 read as one number.
    let mut f = Frame::new("toy", &[0xA5, 0x0B, 0x27], 10);
    let root = f.add(NONE, "check", Span::at(10, 3), NodeKind::Data).index();
    f.add(root, "unknown.row", Span::at(10, 1), NodeKind::Control).bits(0xC0);
    f.add(root, Id::Indexed("unknown.row", 2), Span::at(10, 1), NodeKind::Control).bits(0x05).unit(Msg::Str("x"));
    f.add(root, Id::Indexed("unknown.row", 3), Span::at(11, 2), NodeKind::Length).bits(0x07FF);
    // Not a bit field; and a mask on bytes past the frame's end shows nothing.
    f.add(root, Id::Indexed("unknown.row", 4), Span::at(10, 1), NodeKind::Data).unit(Msg::Str("x"));
    f.add(root, Id::Indexed("unknown.row", 5), Span::at(12, 2), NodeKind::Data).bits(0x01);
    let t = f.render(Lang::En).tree;
    let bits: Vec<Option<&str>> = t.children.iter().map(|c| c.bits.as_deref()).collect();
    assert_eq!(bits, [Some("10.. ...."), Some(".... .1.1"), Some(".... .011 0010 0111"), None, None]);
    assert_eq!(t.bits, None);
    // Grafted into another frame, the bits come along.
    let mut outer = Frame::new("toy", &[0xA5, 0x0B, 0x27], 10);
    let top = outer.add(NONE, "check", Span::at(10, 3), NodeKind::Data).index();
    outer.graft(top, &f);
    let grafted = &outer.render(Lang::En).tree.children[0];
    assert_eq!(grafted.children[2].bits.as_deref(), Some(".... .011 0010 0111"));
}
