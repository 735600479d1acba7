use super::*;
use crate::Lang;
use crate::view::Node;

/// One Data value at offset 100, rendered in English, its diagnostics'
/// codes and the bytes it read.
fn one(bytes: &[u8]) -> (Node, Vec<String>, usize) {
    let mut f = Frame::new(super::super::NAME, bytes, 100);
    let pos = {
        let mut d = Dec::new(&mut f, bytes, 100);
        d.data(NONE, None);
        d.pos()
    };
    let v = f.render(Lang::En);
    (v.tree, v.diagnostics.iter().map(|d| d.code.clone()).collect(), pos)
}

#[test]
fn scalers() {
    assert_eq!(scaled(2413, -1), "241.3");
    assert_eq!(scaled(5, -3), "0.005");
    assert_eq!(scaled(-5, -3), "-0.005");
    assert_eq!(scaled(12, 2), "1200");
    assert_eq!(scaled(0, 2), "0");
    assert_eq!(scaled(12345678, -4), "1234.5678");
    for (raw, scaler) in [(2413, -1), (5, -3), (-5, -3), (12, 2), (0, 2), (0, -2), (-1, 0), (i64::MAX as i128, 1)] {
        assert_eq!(scaled_msg(raw, scaler).to_string(Lang::En), scaled(raw, scaler), "{raw} {scaler}");
    }
    assert_eq!(scaled_msg(u64::MAX as i128, -2).to_string(Lang::En), "184467440737095516.15");
}

#[test]
fn table_of_values() {
    let cases: &[(&[u8], &str)] = &[
        (&[0x00], "NULL"),
        (&[0x03, 0x01], "true"),
        (&[0x05, 0xFF, 0xFF, 0xFF, 0xFE], "-2"),
        (&[0x06, 0x00, 0x00, 0x13, 0x88], "5000"),
        (&[0x0F, 0x80], "-128"),
        (&[0x10, 0x03, 0x7E], "894"),
        (&[0x12, 0x09, 0x6D], "2413"),
        (&[0x15, 0, 0, 0, 0, 0, 0xBC, 0x61, 0x4E], "12345678"),
        (&[0x15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], "18446744073709551615"),
        (&[0x09, 0x02, 0xAB, 0xCD], "ABCD"),
        (&[0x0A, 0x02, b'h', b'i'], "hi"),
        (&[0x0C, 0x03, 0xE4, 0xBD, 0xA0], "你"),
        (&[0x04, 0x08, 0xA0], "10100000"),
        (&[0x04, 0x40, 0x80, 0, 0, 0, 0, 0, 0, 1], "1000000000000000000000000000000000000000000000000000000000000001"),
        (&[0x04, 0x48, 1, 2, 3, 4, 5, 6, 7, 8, 9], "010203040506070809"),
        (&[0x1C, 0x07, 0xE0, 0x09, 0x0B, 0x12, 0x1E, 0x00], "2016-09-11 18:30:00"),
        (&[0x19, 0x07, 0xE0, 0x0B, 0x09, 0x03, 0x10, 0x28, 0x01, 0x00, 0x00], "2016-11-09 16:40:01.000"),
        (&[0x1A, 0x07, 0xE0, 0x0B, 0x09, 0x03], "2016-11-09"),
        (&[0x1B, 0x10, 0x28, 0x01], "16:40:01"),
        (&[0x51, 0x40, 0x00, 0x02, 0x00], "40000200"),
        (&[0x50, 0x20, 0x00], "2000"),
        (&[0x53, 0x60, 0x12, 0x81, 0x00], "60128100"),
        (&[0x54, 0x01, 0x00, 0x0F], "15 min"),
        (&[0x59, 0xFE, 0x21], "10^-2 kWh"),
        (&[0x5F, 0x06, 0x02, 0x08, 0x01, 0x00], "9600 8E1"),
        (&[0x55, 0x07, 0x05, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06], "010203040506"),
        (&[0x17, 0x3F, 0x80, 0x00, 0x00], "1"),
        (&[0x18, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0], "1.5"),
    ];
    for (bytes, want) in cases {
        let (n, diags, pos) = one(bytes);
        assert!(diags.is_empty(), "{bytes:02X?}: {diags:?}");
        assert_eq!(pos, bytes.len(), "{bytes:02X?} not fully read");
        assert_eq!(n.value.as_deref(), Some(*want), "{bytes:02X?}");
        assert_eq!(n.span, Span::at(100, bytes.len()));
    }
}

#[test]
fn nested_structures_and_hints() {
    // array[3] of long-unsigned, voltage hint: phase names, scaled values.
    let b = [0x01, 0x03, 0x12, 0x09, 0x6D, 0x12, 0x09, 0x6E, 0x12, 0x09, 0x6F];
    let mut f = Frame::new(super::super::NAME, &b, 0);
    Dec::new(&mut f, &b, 0).data(NONE, dictionary::hint(0x2000, 2));
    let n = f.render(Lang::En).tree;
    assert_eq!(n.children.len(), 5); // type, length, 3 items
    assert_eq!(n.children[2].value.as_deref(), Some("241.3"));
    assert_eq!(n.children[2].unit.as_deref(), Some("V"));
    assert_eq!(n.children[2].text.as_deref(), Some("phase A: long-unsigned, raw 2413, scaler -1"));
    assert!(n.children[4].text.as_deref().unwrap().starts_with("phase C"));
    assert_eq!(n.children[3].id, "dlt698.data.long-unsigned.1");
    assert_eq!(f.render(Lang::Zh).tree.children[4].text.as_deref(), Some("C相: long-unsigned，原始值 2415，换算 -1"));
}

#[test]
fn composite_types() {
    // RSD selector 5 with MS all, RCSD with a ROAD.
    let rsd = [0x5A, 0x05, 0x07, 0xE0, 0x0A, 0x1A, 0x00, 0x00, 0x00, 0x01];
    let (n, diags, pos) = one(&rsd);
    assert!(diags.is_empty() && pos == rsd.len(), "{diags:?}");
    assert_eq!(n.text.as_deref(), Some("selector 5"));
    let rcsd = [0x60, 0x02, 0x00, 0x40, 0x01, 0x02, 0x00, 0x01, 0x50, 0x04, 0x02, 0x00, 0x01, 0x00, 0x10, 0x02, 0x00];
    let mut f = Frame::new(super::super::NAME, &rcsd[1..], 0);
    let (_, cols) = Dec::new(&mut f, &rcsd[1..], 0).rcsd(NONE, "dlt698.data.rcsd");
    assert_eq!(cols.len(), 2);
    assert!(cols[1].road && cols[1].oi == 0x5004);
    let region = [0x58, 0x00, 0x11, 0x01, 0x11, 0x05];
    let (_, diags, pos) = one(&region);
    assert!(diags.is_empty() && pos == region.len());
    let sid_mac = [0x5E, 0x01, 0x02, 0x03, 0x04, 0x01, 0xAA, 0x02, 0xBB, 0xCC];
    let (_, diags, pos) = one(&sid_mac);
    assert!(diags.is_empty() && pos == sid_mac.len());
}

#[test]
fn errors_are_pinned() {
    let f = dissect_data(&[0x12, 0x09], 100);
    assert_eq!(f.diagnostics[0].code, Id::Static("dlt698.data.truncated"));
    assert_eq!(f.diagnostics[0].span.start, 101);
    let f = dissect_data(&[0x07, 0x00], 100);
    assert_eq!(f.diagnostics[0].code, Id::Static("dlt698.data.unknown-type"));
    assert_eq!(f.diagnostics[0].span, Span::at(100, 1));
    // An array announcing more items than present stops at the end.
    let (_, diags, _) = one(&[0x01, 0x7F, 0x00, 0x00]);
    assert_eq!(diags[0], "dlt698.data.truncated");
    // A huge multi-byte length does not allocate or loop.
    let (_, diags, _) = one(&[0x09, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x00]);
    assert_eq!(diags[0], "dlt698.data.truncated");
    let (_, diags, _) = one(&[0x09, 0x85, 0x00]);
    assert_eq!(diags[0], "dlt698.data.bad-length");
    // Deep nesting is bounded.
    let deep: Vec<u8> = std::iter::repeat_n([0x01u8, 0x01], 100).flatten().collect();
    let (_, diags, _) = one(&deep);
    assert_eq!(diags[0], "dlt698.data.too-deep");
}
