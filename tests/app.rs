//! App component tests in headless Chromium (wasm-bindgen-test).
//! Run with `cargo test -p meterscope --target wasm32-unknown-unknown`.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use gloo_timers::future::sleep;
use meterscope::reader::{TraceEntry, push_rx};
use meterscope_core::{Lang, Options};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

const FRAME_698: &str =
    "68 1f 00 43 05 08 00 00 00 00 00 10 b5 0b 06 01 04 40 00 02 00 1c 07 e0 09 0b 12 1e 00 00 05 69 16";

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// The decoder module's page functions, linked in: the tests serve no module.
struct Linked;

impl meterscope::dissector::Engine for Linked {
    fn dissect(&self, bytes: &[u8], line_starts: &[u32], protocol: &str, k: &meterscope_core::Keys) -> u32 {
        let (c, a, s) = meterscope::dissector::key_bytes(k);
        meterscope_wasm::page::dissect(bytes, line_starts, protocol, c, a, s)
    }
    fn render(&self, handle: u32, lang: Lang) -> Vec<u8> {
        meterscope_wasm::page::render(handle, lang.code())
    }
    fn release(&self, handle: u32) {
        meterscope_wasm::page::release(handle)
    }
    fn piece(&self, protocol: &str, bytes: &[u8], base: usize, lang: Lang, k: &meterscope_core::Keys) -> Vec<u8> {
        let (c, a, s) = meterscope::dissector::key_bytes(k);
        meterscope_wasm::page::piece(protocol, bytes, base, lang.code(), c, a, s)
    }
    fn guesses(&self, bytes: &[u8], lang: Lang) -> String {
        meterscope_wasm::page::guesses(bytes, lang.code())
    }
    fn protocols(&self) -> String {
        meterscope_wasm::page::protocols()
    }
}

/// Mount the app into a fresh element, with a clean URL fragment.
fn mount() -> (HtmlElement, leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable>) {
    meterscope::dissector::install(std::rc::Rc::new(Linked));
    let w = web_sys::window().unwrap();
    w.history().unwrap().replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("#")).unwrap();
    let host: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    let handle = leptos::mount::mount_to(host.clone(), meterscope::App);
    (host, handle)
}

async fn type_input(host: &HtmlElement, text: &str) {
    let ta: HtmlTextAreaElement = host.query_selector("[data-testid=input]").unwrap().unwrap().unchecked_into();
    ta.set_value(text);
    ta.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    sleep(Duration::from_millis(20)).await;
}

fn all(host: &HtmlElement, sel: &str) -> Vec<Element> {
    let list = host.query_selector_all(sel).unwrap();
    (0..list.length()).filter_map(|i| list.item(i)).map(|n| n.unchecked_into()).collect()
}

fn mouse(el: &Element, kind: &str) {
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::MouseEvent::new_with_mouse_event_init_dict(kind, &init).unwrap();
    el.dispatch_event(&ev).unwrap();
}

#[wasm_bindgen_test]
async fn typing_hex_shows_tree_and_hex_view() {
    let (host, _h) = mount();
    type_input(&host, FRAME_698).await;
    let bytes = all(&host, "[data-testid=hexview] .hexbytes .b");
    assert_eq!(bytes.len(), 33, "one hex cell per byte");
    assert_eq!(bytes[0].text_content().unwrap(), "68");
    assert_eq!(all(&host, "[data-testid=hexview] .ascii .b").len(), 33);
    assert!(!all(&host, "[data-testid=tree] .node").is_empty());
    // The URL fragment carries the input.
    let hash = web_sys::window().unwrap().location().hash().unwrap();
    assert!(hash.starts_with("#i=68+1f+00+43"), "{hash}");
}

#[wasm_bindgen_test]
async fn hovering_a_byte_highlights_its_node_and_back() {
    let (host, _h) = mount();
    type_input(&host, FRAME_698).await;
    assert!(all(&host, ".row.hl").is_empty());
    let cells = all(&host, "[data-testid=hexview] .hexbytes .b");
    mouse(&cells[20], "mouseover");
    sleep(Duration::from_millis(20)).await;
    let rows = all(&host, "[data-testid=tree] .row.hl");
    assert_eq!(rows.len(), 1, "exactly the deepest node is highlighted");
    let span = rows[0].query_selector(".span").unwrap().unwrap().text_content().unwrap();
    let (s, e) = span.split_once("..").unwrap();
    let (s, e): (usize, usize) = (s.parse().unwrap(), e.parse().unwrap());
    assert!(s <= 20 && 20 < e, "the highlighted node {s}..{e} contains byte 20");
    // The byte itself and its node's bytes are highlighted in the hex view.
    assert!(cells[20].class_name().contains("hl"));
    // Leaving clears the hover.
    mouse(&host.query_selector("[data-testid=hexview]").unwrap().unwrap(), "mouseleave");
    sleep(Duration::from_millis(20)).await;
    assert!(all(&host, ".row.hl").is_empty());
    // Hovering a tree row highlights its bytes.
    let row = all(&host, "[data-testid=tree] .row").into_iter().nth(1).unwrap();
    mouse(&row, "mouseenter");
    sleep(Duration::from_millis(20)).await;
    assert!(!all(&host, "[data-testid=hexview] .hexbytes .b.hl").is_empty());
}

#[wasm_bindgen_test]
async fn bad_hex_is_pinned() {
    let (host, _h) = mount();
    type_input(&host, "68 1G").await;
    let err = host.query_selector("[data-testid=input-error]").unwrap().expect("input error shown");
    let text = err.text_content().unwrap();
    assert!(text.contains("line 1, column 5"), "{text}");
    assert_eq!(err.query_selector("mark").unwrap().unwrap().text_content().unwrap(), "G");
}

#[wasm_bindgen_test]
async fn language_switch_relabels() {
    let (host, _h) = mount();
    type_input(&host, "C1 C2").await;
    let btn: HtmlElement = host.query_selector("[data-testid=lang]").unwrap().unwrap().unchecked_into();
    let before = host.query_selector("[data-testid=tree] .label").unwrap().unwrap().text_content().unwrap();
    btn.click();
    sleep(Duration::from_millis(20)).await;
    let after = host.query_selector("[data-testid=tree] .label").unwrap().unwrap().text_content().unwrap();
    assert_ne!(before, after);
    assert_eq!(after, Lang::Zh.label(&[], "unknown"));
}

#[wasm_bindgen_test]
fn trace_groups_chunks_by_gap() {
    let mut t: Vec<TraceEntry> = Vec::new();
    push_rx(&mut t, 0.0, &[1]);
    push_rx(&mut t, 10.0, &[2]);
    push_rx(&mut t, 200.0, &[3]);
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].bytes, vec![1, 2]);
    assert_eq!(t[1].bytes, vec![3]);
}

#[wasm_bindgen_test]
fn keys_parse_with_lengths_checked() {
    use meterscope::keys::{TEST_AUTH_KEY, TEST_CIPHER_KEY, parse_keys};
    let k = parse_keys(TEST_CIPHER_KEY, TEST_AUTH_KEY, "4D 4D 4D 00 00 BC 61 4E").unwrap();
    assert_eq!(k.cipher_key.unwrap()[15], 0x0F);
    assert_eq!(k.auth_key.unwrap()[0], 0xD0);
    assert_eq!(k.system_title.unwrap(), [0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E]);
    assert_eq!(parse_keys("", " ", "").unwrap(), meterscope_core::Keys::default());
    assert!(parse_keys("0011", "", "").unwrap_err().contains("16 expected"));
    assert!(parse_keys("", "", "4D 4G").unwrap_err().contains("system title"));
}

#[wasm_bindgen_test]
fn files_become_input_text() {
    use meterscope::export::file_to_input;
    assert_eq!(file_to_input(b"68 AA 16\n"), "68 AA 16\n");
    assert_eq!(file_to_input(&[0x68, 0x00, 0xFF]), "68 00 FF");
}

#[wasm_bindgen_test]
fn every_reader_string_is_bilingual() {
    // The reader module's own table (the page's is tested in crates/meterscope-ui).
    for k in meterscope::reader::strings::keys() {
        assert_ne!(meterscope::reader::strings::t(Lang::En, k), "?");
        assert!(meterscope::reader::strings::t(Lang::Zh, k).chars().any(|c| c as u32 > 0x2E80), "{k}");
    }
}

// ---- Decoder page in the document: inspector, examples menu, large inputs, keyboard.
// ---- (The pure modules' tests, permalink, views' helpers, inspector readings,
// ---- strings and examples, run natively in crates/meterscope-ui.)

fn key(el: &Element, k: &str, shift: bool) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(k);
    init.set_bubbles(true);
    init.set_shift_key(shift);
    let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    el.dispatch_event(&ev).unwrap();
}

fn shift_click(el: &Element) {
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    init.set_shift_key(true);
    el.dispatch_event(&web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap()).unwrap();
}

fn text(host: &HtmlElement, sel: &str) -> String {
    host.query_selector(sel).unwrap().map(|e| e.text_content().unwrap()).unwrap_or_default()
}

#[wasm_bindgen_test]
async fn selecting_bytes_fills_the_inspector() {
    let (host, _h) = mount();
    type_input(&host, FRAME_698).await;
    assert!(all(&host, "[data-testid=inspector] tr").is_empty());
    let cells = all(&host, "[data-testid=hexview] .hexbytes .b");
    // Bytes 21..29 are the date_time_s 1C 07 E0 09 0B 12 1E 00.
    cells[21].unchecked_ref::<HtmlElement>().click();
    sleep(Duration::from_millis(20)).await;
    assert!(text(&host, "[data-testid=inspector] tr[data-name=length]").contains("1 bytes"));
    shift_click(&cells[28]);
    sleep(Duration::from_millis(20)).await;
    assert_eq!(all(&host, "[data-testid=hexview] .hexbytes .b.sel").len(), 8);
    let dts = text(&host, "[data-testid=inspector] tr[data-name=\"698 date_time_s\"]");
    assert!(dts.contains("2016-09-11 18:30:00"), "{dts}");
    // A tree row selects its node's span.
    let row = all(&host, "[data-testid=tree] li.node[data-id=\"dlt698.length\"] > .row");
    if let Some(row) = row.first() {
        row.unchecked_ref::<HtmlElement>().click();
        sleep(Duration::from_millis(20)).await;
        assert!(text(&host, "[data-testid=inspector] tr[data-name=length]").contains("2 bytes"));
        assert!(all(&host, "[data-testid=hexview] .hexbytes .b.sel").is_empty());
    }
    // Escape clears everything.
    key(&host.query_selector("[data-testid=tree]").unwrap().unwrap(), "Escape", false);
    sleep(Duration::from_millis(20)).await;
    assert!(all(&host, "[data-testid=inspector] tr").is_empty());
    assert!(all(&host, "[data-testid=tree] .row.hl").is_empty());
}

#[wasm_bindgen_test]
async fn arrow_keys_walk_the_tree_and_enter_selects() {
    let (host, _h) = mount();
    type_input(&host, FRAME_698).await;
    let tree = host.query_selector("[data-testid=tree]").unwrap().unwrap();
    key(&tree, "ArrowDown", false);
    sleep(Duration::from_millis(20)).await;
    let cur = all(&host, "[data-testid=tree] .row.cursor");
    assert_eq!(cur.len(), 1);
    assert_eq!(cur[0].parent_element().unwrap().get_attribute("data-path").unwrap(), "");
    key(&tree, "ArrowDown", false);
    key(&tree, "ArrowDown", false);
    sleep(Duration::from_millis(20)).await;
    assert_eq!(
        all(&host, "[data-testid=tree] .row.cursor")[0].parent_element().unwrap().get_attribute("data-path").unwrap(),
        "1"
    );
    key(&tree, "Enter", false);
    sleep(Duration::from_millis(20)).await;
    assert!(web_sys::window().unwrap().location().hash().unwrap().contains("&s="));
    assert!(!all(&host, "[data-testid=inspector] tr").is_empty());
    // Left on the root collapses it; right expands it again.
    key(&tree, "ArrowLeft", false); // to the parent (root)
    key(&tree, "ArrowLeft", false); // collapse
    sleep(Duration::from_millis(20)).await;
    assert!(host.query_selector("[data-testid=tree] ul.root > li > ul.collapsed").unwrap().is_some());
    key(&tree, "ArrowRight", false);
    sleep(Duration::from_millis(20)).await;
    assert!(host.query_selector("[data-testid=tree] ul.root > li > ul.collapsed").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn examples_menu_fills_the_input_and_fragments_reassemble() {
    let (host, _h) = mount();
    let sel: web_sys::HtmlSelectElement =
        host.query_selector("[data-testid=examples]").unwrap().unwrap().unchecked_into();
    sel.set_value("698-fragments");
    sel.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    sleep(Duration::from_millis(30)).await;
    let ta: HtmlTextAreaElement = host.query_selector("[data-testid=input]").unwrap().unwrap().unchecked_into();
    assert_eq!(ta.value(), meterscope::examples::by_id("698-fragments").unwrap().input);
    assert_eq!(all(&host, "[data-testid=frames] .frame-tab").len(), 4);
    assert_eq!(all(&host, "[data-testid=dlt698-reassembly-parts] li").len(), 4);
    assert!(text(&host, "[data-testid=dlt698-reassembly-status]").contains("37"));
    assert!(host.query_selector("[data-testid=dlt698-reassembly-tree] li[data-id]").unwrap().is_some());
    type_input(&host, meterscope::examples::by_id("698-fragment-missing").unwrap().input).await;
    let status = text(&host, "[data-testid=dlt698-reassembly-status]");
    assert!(status.ends_with(" 2"), "{status}");
}

#[wasm_bindgen_test]
async fn many_frames_show_a_count_and_a_button() {
    let (host, _h) = mount();
    let many: String = (0..100).map(|_| "C1 C2\n").collect();
    type_input(&host, &many).await;
    assert_eq!(all(&host, "[data-testid=frames] .frame-tab").len(), 64);
    let more = host.query_selector("[data-testid=more-frames]").unwrap().expect("a count of the rest");
    assert!(more.text_content().unwrap().contains("36 "), "{:?}", more.text_content());
    more.query_selector("button").unwrap().unwrap().unchecked_into::<HtmlElement>().click();
    sleep(Duration::from_millis(30)).await;
    assert_eq!(all(&host, "[data-testid=frames] .frame-tab").len(), 100);
    assert!(host.query_selector("[data-testid=more-frames]").unwrap().is_none());
    // One big frame: the hex view shows the first bytes and counts the rest.
    let big: String = (0..5000).map(|i| format!("{:02X} ", (i % 200) as u8 + 1)).collect();
    type_input(&host, &big).await;
    let cells = all(&host, "[data-testid=hexview] .hexbytes .b").len();
    let frame_len: usize = {
        let tab = text(&host, "[data-testid=frames] .frame-tab");
        let r = tab.split('[').nth(1).unwrap().split(')').next().unwrap().to_string();
        let (s, e) = r.split_once("..").unwrap();
        e.parse::<usize>().unwrap() - s.parse::<usize>().unwrap()
    };
    if frame_len > 4096 {
        assert_eq!(cells, 4096);
        let more = text(&host, "[data-testid=more-bytes]");
        assert!(more.contains(&format!("{} ", frame_len - 4096)), "{more}");
    } else {
        assert_eq!(cells, frame_len);
    }
}

#[wasm_bindgen_test]
fn reader_helpers() {
    use meterscope::reader::chart::{Axis, plot, tick_text};
    use meterscope::reader::{Reading, parse_hex_words, results_json};
    assert_eq!(
        parse_hex_words("00100200, 20000200", 8, ("OAD", "OAD"), Lang::En).unwrap(),
        vec![0x0010_0200, 0x2000_0200]
    );
    assert!(parse_hex_words("0010", 8, ("OAD", "OAD"), Lang::Zh).unwrap_err().contains("OAD"));
    let r = Reading::new("02800002", "Frequency", meterscope_core::session::Number::new(4999, -2), "Hz");
    assert_eq!(r.number(), Some(49.99));
    assert_eq!(r.key(), "02800002 Frequency");
    let json: serde_json::Value = serde_json::from_str(&results_json(std::slice::from_ref(&r), None)).unwrap();
    assert_eq!(json["readings"][0]["unit"], "Hz");
    // The plot area runs from x 70 to 570, y 186 (low) to 12 (high); ranges widen by 5 %.
    let a = Axis::of([1.0, 3.0].into_iter()).unwrap();
    assert_eq!((a.lo, a.hi), (0.9, 3.1));
    assert_eq!(plot(&[(0.0, 0.9), (10.0, 3.1)], 0.0, 10.0, &a), "70.0,186.0 570.0,12.0");
    assert_eq!(plot(&[(5.0, 2.0)], 5.0, 5.0, &a), "320.0,99.0");
    assert_eq!(plot(&[], 0.0, 1.0, &a), "");
    assert_eq!(tick_text(2.0, &a), "2.00");
    assert_eq!(tick_text(230.0, &Axis { lo: 0.0, hi: 400.0 }), "230");
    assert!(Axis::of(std::iter::empty()).is_none());
    // The rest (dates, drift, CSV and JSON) is the core's client layer, tested there.
    use meterscope::reader::parse_clock;
    assert_eq!(parse_clock("2024-05-17 08:15:30 (Friday)").unwrap().to_string(), "2024-05-17 08:15:30");
}

#[wasm_bindgen_test]
fn reader_protocols_have_presets_and_flows() {
    use meterscope::reader::{Flow, Proto};
    for p in Proto::ALL {
        assert_eq!(Proto::from_id(p.id()), p);
        assert!(!p.presets().is_empty() && !p.flows().is_empty(), "{p:?}");
    }
    assert_eq!(Proto::Dlt645.presets()[0].to_string(), "2400 8E1");
    assert_eq!(Proto::Dlt698.presets()[0].to_string(), "9600 8E1");
    assert_eq!(Proto::Dlms.presets()[0].to_string(), "9600 8N1");
    assert_eq!(Proto::Iec.presets()[0].to_string(), "300 7E1");
    assert_eq!(Proto::Dsmr.presets().iter().map(|l| l.to_string()).collect::<Vec<_>>(), ["115200 8N1", "9600 7E1"]);
    assert!(Proto::Dlt698.flows().contains(&Flow::Monitor));
    let t = meterscope::reader::dlms::parse_time("2024-05-17 08:15").unwrap();
    assert_eq!(t.to_string(), "2024-05-17 08:15:00");
    assert!(meterscope::reader::dlms::parse_time("2024-02-30 08:15").is_none());
}

#[wasm_bindgen_test]
fn replay_answers_each_request_with_what_followed_it() {
    use meterscope::transport::Replay;
    let mut r =
        Replay::new(vec![(true, vec![1]), (false, vec![9, 9]), (false, vec![8]), (true, vec![2]), (false, vec![7])]);
    assert_eq!(r.remaining(), 2);
    assert_eq!(r.answer(&[1]).unwrap(), vec![vec![9, 9], vec![8]]);
    assert_eq!(r.answer(&[5]).unwrap(), vec![vec![7]], "a different request gets the next recorded reply");
    assert_eq!(r.mismatches, 1);
    assert!(r.answer(&[1]).is_err());
}

#[wasm_bindgen_test]
fn only_measurements_are_charted() {
    use meterscope::reader::Reading;
    // Values are typed where they are read: an IEC 62056-21 value is a number
    // when it is decimal with a unit or a point.
    use meterscope_core::protocols::iec62056::session::ReadingValue;
    let iec = |value: &str, unit: &str| ReadingValue { value: value.into(), unit: unit.into(), text: None }.typed();
    assert_eq!(Reading::new("address", "Meter address", iec("123456789012", ""), "").number(), None);
    assert_eq!(Reading::new("33.7.0", "Power factor", iec("0.950", ""), "").number(), Some(0.95));
    let energy = Reading::new("1.8.0", "Energy", iec("001234.567", "kWh"), "kWh");
    assert_eq!((energy.number(), energy.value.to_string()), (Some(1234.567), "001234.567".to_string()));
}

/// A stand-in port: a plain object with `getInfo` (web-sys imports are structural).
fn fake_port(ids: &str) -> web_sys::SerialPort {
    let port = js_sys::Object::new();
    let get_info = js_sys::Function::new_no_args(&format!("return {ids};"));
    js_sys::Reflect::set(&port, &"getInfo".into(), &get_info).unwrap();
    port.unchecked_into()
}

#[wasm_bindgen_test]
fn granted_ports_are_named_by_usb_ids() {
    use meterscope::serial::{adapter_name, port_label, same_port, usb_ids};
    assert_eq!(adapter_name(0x0403), Some("FTDI"));
    assert_eq!(adapter_name(0x10C4), Some("CP210x"));
    assert_eq!(adapter_name(0x1A86), Some("CH34x"));
    assert_eq!(adapter_name(0x067B), Some("Prolific"));
    assert_eq!(adapter_name(0x2341), None);
    assert_eq!(port_label(Some((0x1A86, 0x7523))), "CH34x 1A86:7523");
    assert_eq!(port_label(Some((0x2341, 0x0043))), "USB 2341:0043");
    assert_eq!(port_label(None), "serial port");

    let ftdi = fake_port("{ usbVendorId: 0x0403, usbProductId: 0x6001 }");
    let replugged = fake_port("{ usbVendorId: 0x0403, usbProductId: 0x6001 }");
    let ch340 = fake_port("{ usbVendorId: 0x1a86, usbProductId: 0x7523 }");
    let bluetooth = fake_port("{}");
    assert_eq!(usb_ids(&ftdi), Some((0x0403, 0x6001)));
    assert_eq!(usb_ids(&bluetooth), None);
    // No getInfo at all (an old fake, another browser): no ids, no exception.
    assert_eq!(usb_ids(&js_sys::Object::new().unchecked_into()), None);
    assert!(same_port(&ftdi, &replugged), "a re-plugged adapter has a new object and the same ids");
    assert!(!same_port(&ftdi, &ch340));
    assert!(same_port(&bluetooth, &bluetooth));
    assert!(!same_port(&bluetooth, &fake_port("{}")), "ports without ids match only themselves");
}

#[wasm_bindgen_test]
fn the_readers_sessions_read_frames_through_the_pages_decoder() {
    use meterscope::lazy::dissect_json;
    use meterscope::reader::host;
    // A wired M-Bus reply, a wireless M-Bus telegram in mode 5 (with its key and without).
    let mbus = "68515168080B7254029904C51400060C27000004782E254C00046D0A0CCD1304134C01000044134B0100008401134C010000426CBF1C026CDF1C043B00000000143B160800000223A70401FD1700049028080000003F16";
    let wmbus = "2E4493157856341233037A2A0020255923C95AAA26D1B2E7493B013EC4A6F6D3529B520EDFF0EA6DEFC99D6D69EBF3";
    let key = "0102030405060708090A0B0C0D0E0F11";
    for (protocol, hex, key) in [("mbus", mbus, ""), ("wmbus", wmbus, key), ("wmbus", wmbus, "")] {
        for lang in [Lang::En, Lang::Zh] {
            let json = dissect_json(protocol, hex, lang, key);
            let got = host::frame(&serde_json::from_str(&json).unwrap()).unwrap();
            let bytes = meterscope_core::parse_input(hex).unwrap().bytes;
            let cipher_key =
                meterscope_core::parse_input(key).ok().and_then(|k| <[u8; 16]>::try_from(k.bytes.as_slice()).ok());
            let opts = Options {
                lang,
                protocol: Some(protocol.into()),
                keys: meterscope_core::Keys { cipher_key, ..Default::default() },
                ..Options::default()
            };
            let want = meterscope_core::Registry::default().dissect(&bytes, &[], &opts).render(lang);
            assert_eq!(got, want.frames[0], "{protocol} {key}");
        }
    }
}
