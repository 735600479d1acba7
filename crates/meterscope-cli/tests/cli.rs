//! The CLI as a user runs it: arguments, stdin, exit codes, JSON shape.

use std::io::Write;
use std::process::{Command, Output, Stdio};

mod common;
use common::json;

const FRAME_698: &str =
    "68 1f 00 43 05 08 00 00 00 00 00 10 b5 0b 06 01 04 40 00 02 00 1c 07 e0 09 0b 12 1e 00 00 05 69 16";

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_meterscope"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn meterscope");
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

#[test]
fn json_has_the_documented_shape() {
    let out = run(&["decode", "--json", FRAME_698], None);
    let v = json(&out);
    let frames = v["frames"].as_array().expect("frames array");
    assert!(!frames.is_empty());
    assert!(v["junk"].is_array());
    let mut covered = 0;
    for f in frames {
        for key in ["protocol", "span", "valid", "checks", "tree", "diagnostics"] {
            assert!(f.get(key).is_some(), "frame lacks {key}: {f}");
        }
        let span = f["span"].as_array().unwrap();
        covered += span[1].as_u64().unwrap() - span[0].as_u64().unwrap();
        let tree = &f["tree"];
        for key in ["id", "label", "span", "children"] {
            assert!(tree.get(key).is_some(), "tree lacks {key}");
        }
        for d in f["diagnostics"].as_array().unwrap() {
            for key in ["severity", "offset", "code", "message"] {
                assert!(d.get(key).is_some(), "diagnostic lacks {key}");
            }
        }
    }
    for j in v["junk"].as_array().unwrap() {
        let span = j["span"].as_array().unwrap();
        covered += span[1].as_u64().unwrap() - span[0].as_u64().unwrap();
    }
    assert_eq!(covered, 33, "every byte of the input is in a frame or in junk");
}

#[test]
fn bad_hex_exits_2_naming_line_and_column() {
    let out = run(&["decode", "68 1G"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 1, column 5"), "{err}");
    assert!(err.contains("'G'"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn stdin_and_dash_read_standard_input() {
    let a = run(&["decode", "--json"], Some("C1 C2\nC3 C4\n"));
    let b = run(&["decode", "--json", "-"], Some("C1 C2\nC3 C4\n"));
    assert_eq!(json(&a), json(&b));
    // Two input lines of unrecognised bytes stay two frames.
    assert_eq!(json(&a)["frames"].as_array().unwrap().len(), 2);
}

#[test]
fn words_are_joined() {
    let a = run(&["decode", "--json", "68", "1f", "00"], None);
    let b = run(&["decode", "--json", "681f00"], None);
    assert_eq!(json(&a), json(&b));
}

#[test]
fn unknown_bytes_are_not_valid_and_exit_1() {
    let out = run(&["decode", "C1 C2 C3"], None);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("C1 C2 C3"), "{text}");
    assert!(text.contains("unknown"), "{text}");
}

#[test]
fn chinese_labels() {
    let out = run(&["decode", "--lang", "zh", "--json", "C1 C2"], None);
    let v = json(&out);
    assert_eq!(v["frames"][0]["tree"]["label"], "未识别的字节");
}

#[test]
fn unusable_options_and_empty_input_exit_2() {
    assert_eq!(run(&["decode", "--protocol", "nonsense", "01"], None).status.code(), Some(2));
    assert_eq!(run(&["decode", "--lang", "fr", "01"], None).status.code(), Some(2));
    assert_eq!(run(&["decode"], Some("  \n")).status.code(), Some(2));
}

#[test]
fn protocols_lists() {
    let out = run(&["protocols"], None);
    assert_eq!(out.status.code(), Some(0));
}

/// `--lang en,zh`: one decode shown in both languages, each exactly as a
/// decode in that language shows it (language-neutral frames and frames of
/// dissectors that still write one language alike).
#[test]
fn several_languages_from_one_decode() {
    let inputs = [
        "68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AE 16",
        FRAME_698,
        "68 12 90 78 56 34 12 68 11 04 33 33 34 33 69 16 00 C1 C2",
    ];
    for input in inputs {
        let both = run(&["decode", "--json", "--lang", "en,zh", input], None);
        let one = |lang| json(&run(&["decode", "--json", "--lang", lang, input], None));
        let both = json(&both);
        let keys: Vec<&String> = both.as_object().expect("an object keyed by language").keys().collect();
        assert_eq!(keys, ["en", "zh"], "{input}");
        assert_eq!(both["en"], one("en"), "{input}");
        assert_eq!(both["zh"], one("zh"), "{input}");
        let text = String::from_utf8(run(&["decode", "--lang", "zh,en", input], None).stdout).unwrap();
        assert!(text.starts_with("=== zh\n") && text.contains("\n=== en\n"), "{text}");
    }
    let bad = run(&["decode", "--lang", "en,fr", "68"], None);
    assert_eq!(bad.status.code(), Some(2));
}

/// What the frames of one input tell together, shown by `decode`: DLMS GET
/// data blocks, general block transfer across HDLC frames (the first block
/// after the LLC header, the next ones without) and DL/T 698.45 link
/// fragments, each joined and dissected with its parts, in JSON and text.
#[test]
fn joined_across_frames() {
    use meterscope_core::protocols::dlms::hdlc::Control;
    use meterscope_core::protocols::dlms::link::{self, HdlcAddress, HdlcFrame, LLC_RESPONSE};
    use meterscope_core::wire::put_axdr_length;
    let hex = |frames: &[Vec<u8>]| frames.iter().map(|f| meterscope_core::to_hex(f)).collect::<Vec<_>>().join("\n");

    // An array of 40 long-unsigned in three GET-Response-With-Datablock blocks.
    let mut value = vec![0x01, 40];
    for i in 0..40u16 {
        value.push(0x12);
        value.extend_from_slice(&(i * 7).to_be_bytes());
    }
    let block = |n: u32, last: bool, raw: &[u8]| {
        let mut apdu = vec![0xC4, 0x02, 0xC1, u8::from(last)];
        apdu.extend_from_slice(&n.to_be_bytes());
        apdu.push(0);
        put_axdr_length(&mut apdu, raw.len());
        apdu.extend_from_slice(raw);
        link::wrap(1, 16, &apdu)
    };
    let pieces: Vec<&[u8]> = value.chunks(50).collect();
    let blocks = hex(&[block(1, false, pieces[0]), block(2, false, pieces[1]), block(3, true, pieces[2])]);
    let d = json(&run(&["decode", "--json", &blocks], None));
    let a = &d["analyses"][0];
    assert_eq!((a["id"].as_str(), a["ok"].as_bool()), (Some("dlms.reassembly"), Some(true)), "{a}");
    assert_eq!(a["parts"].as_array().unwrap().len(), 3);
    assert_eq!(a["parts"][2]["label"], "block 3, last");
    assert_eq!(a["frame"]["tree"]["children"][0]["value"], "40", "the joined array of 40 elements");
    assert_eq!(a["bytes"].as_str().map(|h| h.split(' ').count()), Some(value.len()));

    // General block transfer from the meter in three HDLC I-frames.
    let mut apdu = vec![0xC4, 0x01, 0xC1, 0x00, 0x01, 30];
    for i in 0..30u16 {
        apdu.push(0x12);
        apdu.extend_from_slice(&(1000 + i).to_be_bytes());
    }
    let gbt: Vec<Vec<u8>> = apdu
        .chunks(40)
        .enumerate()
        .map(|(i, piece)| {
            let last = (i + 1) * 40 >= apdu.len();
            let mut info = if i == 0 { LLC_RESPONSE.to_vec() } else { Vec::new() };
            info.extend_from_slice(&[0xE0, if last { 0x81 } else { 0x01 }, 0, i as u8 + 1, 0, 0]);
            put_axdr_length(&mut info, piece.len());
            info.extend_from_slice(piece);
            let control = Control::I { ns: i as u8, nr: i as u8, pf: true };
            let dst = HdlcAddress { upper: 0x10, lower: 0, size: 1 };
            let src = HdlcAddress { upper: 0x01, lower: 0x11, size: 2 };
            HdlcFrame { segmented: false, dst, src, control, info }.emit()
        })
        .collect();
    let d = json(&run(&["decode", "--json", &hex(&gbt)], None));
    let a = &d["analyses"][0];
    assert_eq!((a["id"].as_str(), a["ok"].as_bool()), (Some("dlms.reassembly"), Some(true)), "{a}");
    assert!(a["title"].as_str().unwrap().ends_with("general block transfer"), "{a}");
    assert_eq!(a["parts"].as_array().unwrap().len(), 3);
    assert_eq!(a["frame"]["tree"]["children"][0]["value"], "get-response-normal", "{a}");
    let text = String::from_utf8(run(&["decode", &hex(&gbt)], None).stdout).unwrap();
    assert!(
        text.contains("across frames 1: Reassembled DLMS/COSEM · general block transfer  (")
            && text.contains("  part #3 block 3, last"),
        "{text}"
    );

    // DL/T 698.45 link fragments (the decoder page's example), in Chinese too.
    let fragments = "68 1B 00 E3 05 12 90 78 56 34 12 10 33 EF 00 00 85 01 01 00 10 02 00 01 01 05 F4 1B 16\n68 1B 00 E3 05 12 90 78 56 34 12 10 33 EF 01 C0 06 00 00 12 34 06 00 00 01 00 BD EC 16\n68 1B 00 E3 05 12 90 78 56 34 12 10 33 EF 02 C0 06 00 00 02 00 06 00 00 03 00 56 3A 16\n68 18 00 E3 05 12 90 78 56 34 12 10 80 11 03 40 06 00 00 04 00 00 00 03 96 16";
    let d = json(&run(&["decode", "--json", "--lang", "zh", fragments], None));
    let a = &d["analyses"][0];
    assert_eq!((a["id"].as_str(), a["status"].as_str()), (Some("dlt698.reassembly"), Some("37 字节")), "{a}");
    assert_eq!(a["parts"][0]["label"], "序号 0 起始");
    assert_eq!(a["frame"]["protocol"], "dlt698.45-apdu");
    let text = String::from_utf8(run(&["decode", fragments], None).stdout).unwrap();
    assert!(text.contains("across frames 1: Reassembled APDU (link fragments)  (37 bytes)  ok"), "{text}");
}

/// The Green Book's glo-get-request example and its keys.
const GLO_GET: &str = "c81e3001234567411312ff935a47566827c467bc7d825c3be4a77c3fcc056b6b";
const EK: &str = "000102030405060708090A0B0C0D0E0F";
const AK: &str = "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF";
const TITLE: &str = "4D4D4D0000BC614E";

fn diagnostics(v: &serde_json::Value) -> Vec<String> {
    v["frames"][0]["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect()
}

#[test]
fn ciphered_apdus_open_with_keys_and_say_why_not() {
    // Right keys: opened, the tag checks, the plaintext dissected.
    let out = run(&["decode", "--json", "--cipher-key", EK, "--auth-key", AK, "--system-title", TITLE, GLO_GET], None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains("get-request-normal") && text.contains("0-0:1.0.0*255"), "{text}");
    assert!(!text.contains(EK) && !text.contains(AK), "keys are never printed");
    // A wrong key: a tag mismatch, and the noise is not read as an APDU.
    let wrong = "000102030405060708090A0B0C0D0E00";
    let out =
        run(&["decode", "--json", "--cipher-key", wrong, "--auth-key", AK, "--system-title", TITLE, GLO_GET], None);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(diagnostics(&v), ["dlms.ciphered.tag.mismatch"], "{v}");
    // No authentication key: decrypted, the tag not verified.
    let out = run(&["decode", "--json", "--cipher-key", EK, "--system-title", TITLE, GLO_GET], None);
    let v = json(&out);
    assert_eq!(diagnostics(&v), ["dlms.ciphered.tag.unverified"], "{v}");
    assert!(v.to_string().contains("get-request-normal"));
    // No system title, or no key at all: not decrypted, and why.
    let out = run(&["decode", "--cipher-key", EK, GLO_GET], None);
    assert!(String::from_utf8_lossy(&out.stdout).contains("not decrypted: no system title"));
    let out = run(&["decode", GLO_GET], None);
    assert!(String::from_utf8_lossy(&out.stdout).contains("not decrypted: no cipher key"));
    // A key from the environment; an unusable key named by its option, not shown.
    let out = Command::new(env!("CARGO_BIN_EXE_meterscope"))
        .args(["decode", "--cipher-key", "env:MS_TEST_EK", "--auth-key", AK, "--system-title", TITLE, GLO_GET])
        .env("MS_TEST_EK", EK)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = run(&["decode", "--cipher-key", "0011223344", GLO_GET], None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--cipher-key: 32 hex digits expected") && !err.contains("0011223344"), "{err}");
}

#[test]
fn general_glo_ciphering_push_opens_with_its_own_system_title() {
    // A data-notification in general-glo-ciphering over the UDP wrapper; the
    // system title travels in the APDU, the keys are ASCII "MYDUMMYGLOBALKEY".
    let hex = "0001000100010046db082f192291991641033b30000001e5025ce9d2271fd78be8c204211a916a9d7f587e0a7a814cadea89e9593f01f92ea8c087b5bdfdefeab6becf282dfe49c08f5be6dc8400";
    let key = "4D5944554D4D59474C4F42414C4B4559";
    let out = run(&["decode", "--cipher-key", key, "--auth-key", key, hex], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("data-notification") && text.contains("authenticated"), "{text}");
}

/// A pcap and a pcapng file: the TCP payloads of a DLMS wrapper exchange and
/// of a DL/T 698.45 exchange, reassembled per stream and dissected in order;
/// the streams named on standard error. A binary file is read as bytes.
#[test]
fn captures_and_binary_files() {
    use meterscope_core::capture::write::{pcap, pcapng, tcp};
    let bytes = |s: &str| meterscope_core::parse_input(s).unwrap().bytes;
    let client = ([10, 0, 0, 1], 50123);
    let dlms = ([10, 0, 0, 2], 4059);
    let get = bytes("00 01 00 10 00 01 00 0D C0 01 C1 00 03 01 00 00 07 00 FF 02 00");
    let resp = bytes("00 01 00 01 00 10 00 09 C4 01 C1 00 17 42 CA 00 00");
    let m698 = ([10, 0, 0, 3], 9001);
    let req698 =
        bytes("68 1f 00 43 05 08 00 00 00 00 00 10 b5 0b 06 01 04 40 00 02 00 1c 07 e0 09 0b 12 1e 00 00 05 69 16");
    let packets = vec![
        (1_000, tcp(client, dlms, 1, 0x18, &get, false)),
        (2_000, tcp(dlms, client, 7, 0x18, &resp[..5], false)),
        (2_500, tcp(dlms, client, 12, 0x18, &resp[5..], false)),
        (3_000, tcp(client, m698, 40, 0x18, &req698, false)),
    ];
    let dir = std::env::temp_dir().join(format!("meterscope-cap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, file) in [("s.pcap", pcap(&packets)), ("s.pcapng", pcapng(&packets))] {
        let path = dir.join(name);
        std::fs::write(&path, file).unwrap();
        let out = run(&["decode", "--json", "--file", path.to_str().unwrap()], None);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("4 packet(s), 2 stream(s)"), "{err}");
        assert!(err.contains("stream 1 TCP 10.0.0.1:50123 <-> 10.0.0.2:4059"), "{err}");
        let v = json(&out);
        let frames: Vec<_> = v["frames"].as_array().unwrap().iter().map(|f| f["protocol"].as_str().unwrap()).collect();
        assert_eq!(frames, ["dlms-wrapper", "dlms-wrapper", "dlt698.45"], "{err}");
        assert_eq!(out.status.code(), Some(0), "{err}");
    }
    // A broken capture says where; a binary file is its bytes.
    let mut broken = pcap(&packets);
    broken.truncate(60);
    std::fs::write(dir.join("b.pcap"), broken).unwrap();
    let out = run(&["decode", "--file", dir.join("b.pcap").to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("runs past the end of the file"));
    std::fs::write(dir.join("f.bin"), bytes("FE FE 68 12 90 78 56 34 12 68 11 04 33 33 34 33 68 16 FF")).unwrap();
    let out = run(&["decode", "--file", dir.join("f.bin").to_str().unwrap()], None);
    assert!(String::from_utf8_lossy(&out.stdout).contains("dlt645-2007"), "{:?}", out);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--filter` keeps the frames that match and says how many; a bad query
/// says where.
#[test]
fn filters_keep_matching_frames() {
    let log = "68 12 90 78 56 34 12 68 11 04 33 33 34 33 68 16\n68 12 90 78 56 34 12 68 11 04 33 34 34 35 6B 16\n68 12 90 78 56 34 12 68 11 04 33 33 34 33 69 16";
    let out = run(&["decode", "--json", "--filter", "dlt645.data.di=00010000", "-"], Some(log));
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 of 3 frame(s) match"));
    let v = json(&out);
    assert_eq!(v["frames"].as_array().unwrap().len(), 2);
    assert_eq!(out.status.code(), Some(1), "one of the two is invalid");
    let out = run(&["decode", "--filter", "valid 02010100", "-"], Some(log));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout).matches("dlt645-2007").count(), 1);
    let out = run(&["decode", "--filter", "valid \"open", "68"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at character 7: a quote is not closed"));
}

#[test]
fn build_fills_in_lengths_and_checks_and_names_a_misplaced_byte() {
    // DL/T 645-2007 with a data byte added: length 04 -> 05 and the checksum.
    let out = run(&["build", "-p", "dlt645-2007", "68 11 11 11 11 11 11 68 11 04 33 33 34 33 35 00 16"], None);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text,
        "68 11 11 11 11 11 11 68 11 05 33 33 34 33 35 4E 16\n  length @9: 04 -> 05\n  checksum CS @15: 00 -> 4E\n"
    );
    // The frame it printed is valid as it is: nothing to change, exit 0.
    let again =
        run(&["build", "-p", "dlt645-2007", "--json"], Some("68 11 11 11 11 11 11 68 11 05 33 33 34 33 35 4E 16"));
    assert_eq!(again.status.code(), Some(0));
    let v = json(&again);
    assert_eq!(v["protocol"], "dlt645-2007");
    assert_eq!(v["fixes"][1]["changed"], false);
    assert!(decodes_valid(v["hex"].as_str().unwrap()));
    // A DL/T 698.45 frame with its checks zeroed comes back right.
    let broken = FRAME_698.replace("b5 0b 06", "00 00 06").replace("05 69 16", "00 00 16");
    let fixed = run(&["build", "-p", "dlt698.45", "--json", &broken], None);
    assert_eq!(json(&fixed)["hex"].as_str().unwrap(), FRAME_698.to_uppercase());
    // Wireless M-Bus in frame format A: the one wrong block CRC rewritten, the frame valid.
    let wm = "34 44 EE 4D 81 39 29 27 16 08 81 1D 7A 51 00 00 00 04 6D 19 13 A6 2B 03 6E 00 00 00 51 70 42 6C E1 F1 43 \
              6E 00 00 00 02 FF 2C 00 00 02 59 D6 D0 D4 09 02 65 FC 09 02 FD 66 A0 00 44 C4";
    let v = json(&run(&["build", "-p", "wmbus", "--json", wm], None));
    let changed: Vec<_> = v["fixes"].as_array().unwrap().iter().filter(|f| f["changed"] == true).collect();
    assert_eq!(changed.len(), 1, "{v}");
    assert_eq!((changed[0]["at"].as_u64(), changed[0]["now"].as_str()), (Some(28), Some("DC 84")));
    assert!(decodes_valid(v["hex"].as_str().unwrap()));
    // Misplaced byte, in Chinese; unknown protocol.
    let bad = run(&["build", "-p", "dlt645-2007", "--lang", "zh", "68 11 11 11 11 11 11 69 11 00 00 16"], None);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("第 7 字节：第二个 68 在六字节地址之后"));
    let unknown = run(&["build", "-p", "dlms-apdu", "C0 01"], None);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("not 'dlms-apdu'"));
}

fn decodes_valid(hex: &str) -> bool {
    run(&["decode", hex], None).status.code() == Some(0)
}
