use super::*;

#[test]
fn bytes_as_text_read_back_as_the_same_bytes() {
    let b = b"\x02/MSC5MS(1)\r\n\x03\x7F!\x06";
    let t = to_text(b);
    assert_eq!(t, "<STX>/MSC5MS(1)<CR><LF><ETX><7F>!<ACK>");
    assert_eq!(parse_input(&t.replace("<7F>", "\u{7F}")).unwrap().bytes, b.to_vec());
}

fn hex(s: &str) -> Vec<u8> {
    parse_input(s).unwrap_or_else(|e| panic!("{s:?}: {e}")).bytes
}

const F: [u8; 4] = [0x68, 0x1F, 0x00, 0x43];

#[test]
fn separators_and_prefixes() {
    for s in [
        "68 1f 00 43",
        "681F0043",
        "0x68, 0x1F, 0x00, 0x43",
        "0x68,0x1f,0x00,0x43",
        "\\x68\\x1f\\x00\\x43",
        "68:1f:00:43",
        "68;1f;00;43",
        "68-1F-00-43",
        "68\n1f\r\n00\t43",
        "  68 1F\n\n00 43  ",
        "unsigned char frame[] = { 0x68, 0x1f, 0x0, 0x43 };",
        "[104-0, ]".replace("104-0, ", "0x68, 0x1F, 0x00, 0x43").as_str(),
        "[\"68\", \"1F\", \"00\", \"43\"]",
        "0x681F0043",
        "68h 1Fh 00h 43h",
    ] {
        assert_eq!(hex(s), F, "{s:?}");
    }
}

#[test]
fn bad_token_has_line_column_and_char() {
    let e = parse_input("68 1G").unwrap_err();
    assert_eq!((e.line, e.column, e.found), (1, 5, 'G'));
    let e = parse_input("68 1F\n00 4Z 16").unwrap_err();
    assert_eq!((e.line, e.column, e.found, e.offset), (2, 5, 'Z', 10));
    assert!(e.message.contains("not a hex digit"), "{}", e.message);
    let e = parse_input("68 1F 0").unwrap_err();
    assert_eq!((e.line, e.column), (1, 7));
    assert!(e.message.contains("odd number"));
    // Columns count characters, not bytes.
    let e = parse_input("68 数").unwrap_err();
    assert_eq!((e.line, e.column, e.found), (1, 4, '数'));
}

#[test]
fn hexdumps_with_gutters() {
    let hexdump_c = "00000000  68 1f 00 43 05 08 00 00  00 00 00 10 b5 0b 06 01  |h..C............|\n\
                     00000010  04 40 00 02                                       |.@..|\n";
    let b = hex(hexdump_c);
    assert_eq!(b.len(), 20);
    assert_eq!(&b[16..], &[0x04, 0x40, 0x00, 0x02]);

    let xxd = "00000000: 681f 0043 0508 0000 0000 0010 b50b 0601  h..C............\n00000010: 0440 0002                                .@..\n";
    assert_eq!(hex(xxd), b);

    let wireshark = "0000   68 1f 00 43 05 08 00 00 00 00 00 10 b5 0b 06 01   h..C............\n0010   04 40 00 02                                       .@..\n";
    assert_eq!(hex(wireshark), b);
    assert_eq!(parse_input(wireshark).unwrap().kind, InputKind::Hexdump);

    // A gutter made only of hex letters is still cut by the offsets.
    let tricky = "0000: 61 62 63 64  abcd\n0004: 65 66  ef\n";
    assert_eq!(hex(tricky), vec![0x61, 0x62, 0x63, 0x64, 0x65, 0x66]);
}

#[test]
fn hexdumps_with_a_closing_offset_and_repeats() {
    // `printf 'h\x1f\x00C\x05\x08\0\0\0\0\0\x10\xb5\x0b\x06\x01\x04@\0\x02' | hexdump -C`
    let hexdump_c = "00000000  68 1f 00 43 05 08 00 00  00 00 00 10 b5 0b 06 01  |h..C............|\n\
                     00000010  04 40 00 02                                       |.@..|\n\
                     00000014\n";
    let b = hex(hexdump_c);
    assert_eq!(b.len(), 20);
    assert_eq!(&b[16..], &[0x04, 0x40, 0x00, 0x02]);
    assert_eq!(parse_input(hexdump_c).unwrap().kind, InputKind::Hexdump);
    // A gutter that would read as hex on the last line is cut by the closing offset.
    let gutter = "00000000  61 62 63 64 65 66 0a                              |abcdef.|\n00000007\n";
    assert_eq!(hex(gutter), b"abcdef\n");
    // `od -A x -t x1z`
    let od = "000000 68 1f 00 43 05 08 00 00 00 00 00 10 b5 0b 06 01  >h..C............<\n\
              000010 04 40 00 02                                      >.@..<\n\
              000014\n";
    assert_eq!(hex(od), b);
    // `*` stands for lines equal to the one before.
    let star = "00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n\
                *\n\
                00000030  68 16                                             |h.|\n\
                00000032\n";
    let b = hex(star);
    assert_eq!(b.len(), 0x32);
    assert_eq!(&b[0x30..], &[0x68, 0x16]);
    // A lone number is still hex, and hex lines do not become a dump.
    assert_eq!(hex("681F0043"), F);
    assert_eq!(hex("68 1F\n0043"), F);
}

#[test]
fn python_bytes_literals() {
    assert_eq!(hex("b'\\x68\\x1f\\x00\\x43'"), F);
    assert_eq!(hex("b'h\\x1f\\x00C'"), F);
    assert_eq!(hex("  B\"h\\x1f\" b'\\x00C'\n"), F);
    assert_eq!(hex("(b'h\\x1f'\n + b'\\x00C')"), F);
    assert_eq!(hex(r"b'/ISK5\\2M550T\r\n\'\t\0'"), b"/ISK5\\2M550T\r\n'\t\0");
    let e = parse_input("b'\\x6g'").unwrap_err();
    assert_eq!(e.column, 3);
    assert!(parse_input("b'\\x68").unwrap_err().message.contains("not closed"));
    // Hex that starts with b is still hex.
    assert_eq!(hex("b5 0b"), [0xB5, 0x0B]);
}

#[test]
fn plain_groups_are_not_a_dump() {
    assert_eq!(hex("681F 0043"), F);
    assert_eq!(hex("681F0043 05"), [0x68, 0x1F, 0x00, 0x43, 0x05]);
}

/// The decoder takes and refuses what the `base64` crate's four general-purpose
/// engines, tried in turn, take and refuse.
#[test]
fn base64_as_the_crate_decodes() {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let crate_decode = |s: &str| {
        let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD].iter().find_map(|e| e.decode(&compact).ok())
    };
    let symbols: Vec<char> = "AQgwBZaz09+/-_= \n\u{3000}é".chars().collect();
    let mut rng = crate::testkit::Rng::new(0xB64);
    for _ in 0..200_000 {
        let len = rng.below(14);
        let mut s: String = (0..len).map(|_| rng.pick(&symbols)).collect();
        if rng.flag() {
            // An encoding by one of the engines, maybe with a symbol changed.
            let engine = rng.pick(&[&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD]);
            let mut chars: Vec<char> = engine.encode(rng.bytes(10)).chars().collect();
            if rng.flag() && !chars.is_empty() {
                let at = rng.below(chars.len());
                chars[at] = rng.pick(&symbols);
            }
            s = chars.into_iter().collect();
        }
        assert_eq!(decode_base64(&s), crate_decode(&s), "{s:?}");
    }
    for s in ["", "QUJD", "QUI=", "QUI", "QQ==", "QQ", "QR==", "Q===", "-_-_", "+/+/", "QU JD\n", "QUJD\u{3000}"] {
        assert_eq!(decode_base64(s), crate_decode(s), "{s:?}");
    }
}

#[test]
fn base64() {
    assert_eq!(hex("aB8AQw=="), F);
    assert_eq!(hex("base64: aB8AQw=="), F);
    assert_eq!(parse_input("aB8AQw==").unwrap().kind, InputKind::Base64);
    // Mostly-hex tokens with a typo stay hex errors.
    assert!(parse_input("681G").is_err());
}

#[test]
fn text_telegrams() {
    let i = parse_input("/ISk5\\2MT382-1000\n\n1-0:1.8.1(000001.000*kWh)\n!").unwrap();
    assert_eq!(i.kind, InputKind::Text);
    assert!(i.bytes.starts_with(b"/ISk5\\2MT382"));
    let i = parse_input("<STX>1.8.0(001234.5*kWh)<CR><LF>!<CR><LF><ETX>x").unwrap();
    assert_eq!(i.kind, InputKind::Text);
    assert_eq!(i.bytes[0], 0x02);
    assert!(i.bytes.ends_with(b"!\r\n\x03x"));
    assert_eq!(parse_input("text:68 1G").unwrap().bytes, b"68 1G");
}

#[test]
fn bad_base64_is_pinned_inside_the_input_even_with_trailing_space() {
    // A fuzzer's find: the offset was counted from the end of the untrimmed input.
    let src = "base64:\u{b1}\u{b1}!! \u{e2} \n ";
    let e = parse_input(src).unwrap_err();
    assert!(e.offset < src.len() && src.is_char_boundary(e.offset), "{e:?}");
    assert_eq!(&src[e.offset..e.offset + 2], "\u{b1}");
    // The fuzzer's input itself.
    let h = "6261536536343ab1b1b1b1b1b1b1b1b1ffffffffffff0000b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1f3b1b1b1b1b1b1b1b1b1b13030204333203035ffff100020f3f3b1b1b1b1b1b1b1b1b1b18bb1b1b1ffffffffffff0000b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1ffffffff30312030302030343030204333203035ffff303000e23062e2e2e2e2e2e2e2e230e2e2e20d20ff78390a0d383900e2e3819f0a30780a0a303030203030200d65613030203030202830300d00910a3332343598b00d20330da50d20ff78390a0d383900e2e3819f0a203030200d65613030203030202830300d200a0d3839383a3664ffff0a0d3c3998989898333234352034000a989898989898989898989898989898333234352034000021213332bfbd3934003900e2e3819f0a30780a0a303030203030200d65613030203030202830300d6334200affffffffffffffff000000fcff240000003c3c3c3cc83c3c3c3ca03c3c3c3c003640653c3c3c3c3c3c3b3c3c3c3c3cb83c3c3c3c3c3c3566ff7e3662613870346464633c3c3c3c3566ff36626138643ca03c3c3c3c3c3cfdffffffffff3c3c3c3c0d";
    let data: Vec<u8> = (0..h.len()).step_by(2).map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap()).collect();
    let text = String::from_utf8_lossy(&data);
    let e = parse_input(&text).unwrap_err();
    assert!(e.offset < text.len() && text.is_char_boundary(e.offset));
}

#[test]
fn a_text_message_keeps_its_last_line_end() {
    assert_eq!(parse_input("  /LGZ4\\2ZMD3104407.B32\r\n").unwrap().bytes, b"/LGZ4\\2ZMD3104407.B32\r\n");
    assert_eq!(parse_input("/ISk5\\2MT382-1000\n  \n").unwrap().bytes, b"/ISk5\\2MT382-1000\n");
    assert_eq!(parse_input("text:/ABC5\r\n").unwrap().bytes, b"/ABC5\r\n");
    assert_eq!(parse_input("/ABC5 ").unwrap().bytes, b"/ABC5");
}

#[test]
fn line_starts_hint_multiple_lines() {
    let i = parse_input("68 1F\n00 43 05\n").unwrap();
    assert_eq!(i.line_starts, vec![0, 2]);
    assert!(parse_input("68 1F 00").unwrap().line_starts.is_empty());
}

#[test]
fn empty() {
    assert!(hex("  \n ").is_empty());
}

#[test]
fn never_panics_on_odd_strings() {
    for s in [
        "{",
        "}",
        "{}",
        "}{",
        "0x",
        "\\x",
        "0000:",
        "0000: zz",
        "0000  68 |",
        "h",
        "0xg",
        "数据",
        "/",
        "\u{2}",
        "<",
        "<ST",
        "0000:\n0010: 68",
    ] {
        let _ = parse_input(s);
    }
}

/// Seeded random inputs over an alphabet of the characters that matter:
/// never a panic, and errors always point inside the input at the character they name.
#[test]
fn random_inputs_never_panic_and_errors_point_inside() {
    #[rustfmt::skip]
    const ALPHABET: &[&str] = &[
        "0", "1", "6", "8", "a", "F", "g", "G", "x", "0x", "\\x", " ", "  ", "\n", "\r\n", "\t", ",", ":", ";", "-", "{",
        "}", "[", "]", "|", "=", "+", "/", "<STX>", "<", ">", "(", ")", "*", "!", "h", "数", "é", "0000: ", "00000010  ",
    ];
    let mut rng = crate::testkit::Rng::new(0x9E37_79B9_7F4A_7C15);
    let mut next = || rng.next_u64();
    for _ in 0..20_000 {
        let len = (next() % 24) as usize;
        let s: String = (0..len).map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize]).collect();
        match parse_input(&s) {
            Ok(_) => {}
            Err(e) => {
                assert!(e.offset < s.len(), "{s:?}: offset {} out of range", e.offset);
                assert!(s.is_char_boundary(e.offset));
                assert_eq!(s[e.offset..].chars().next(), Some(e.found), "{s:?}: {e}");
                assert!(e.line >= 1 && e.column >= 1);
            }
        }
    }
}

#[test]
fn to_hex_spaced_upper() {
    assert_eq!(to_hex(&F), "68 1F 00 43");
    assert_eq!(to_hex(&[]), "");
}
