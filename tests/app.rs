//! App component tests in headless Chromium (wasm-bindgen-test).
//! Run with `cargo test -p meterscope --target wasm32-unknown-unknown`.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use gloo_timers::future::sleep;
use meterscope::permalink::{self, Permalink};
use meterscope::reader::{TraceEntry, push_rx};
use meterscope::view_model::{Focus, byte_focus, row_focus};
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

/// Mount the app into a fresh element, with a clean URL fragment.
fn mount() -> (HtmlElement, leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable>) {
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
    assert_eq!(after, Lang::Zh.label("unknown"));
}

#[wasm_bindgen_test]
fn permalink_round_trip() {
    let p = Permalink {
        input: "68 1F\n00 & = % + 数".into(),
        protocol: "dlt645-2007".into(),
        lang: Some(Lang::Zh),
        selected: Some("a.b.3".into()),
    };
    let enc = permalink::encode(&p);
    assert!(!enc.contains(' ') && !enc.contains('\n'));
    assert_eq!(permalink::decode(&format!("#{enc}")), p);
    let d = permalink::decode("#i=68+1f&junk=1&s=");
    assert_eq!((d.input.as_str(), d.protocol.as_str(), d.selected), ("68 1f", "auto", None));
    // Broken escapes do not panic and keep the text.
    assert_eq!(permalink::decode("i=%G1%4").input, "%G1%4");
}

#[wasm_bindgen_test]
fn focus_relations() {
    let d =
        meterscope_core::decode("C1 C2 C3 C4 C5 C6 C7 C8 C9 CA CB CC CD CE CF D0 D1 D2", &Options::default()).unwrap();
    let f = &d.dissection.frames[0];
    assert_eq!(byte_focus(f, &[1], 17), Focus::Node);
    assert_eq!(byte_focus(f, &[1], 3), Focus::Ancestor);
    assert_eq!(byte_focus(f, &[9], 3), Focus::None);
    assert_eq!(row_focus(&[1], &[1]), Focus::Node);
    assert_eq!(row_focus(&[], &[1]), Focus::Ancestor);
    assert_eq!(row_focus(&[0], &[1]), Focus::None);
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
fn every_ui_string_is_bilingual() {
    for k in meterscope::i18n::keys() {
        assert_ne!(meterscope::i18n::t(Lang::En, k), "?");
        assert!(meterscope::i18n::t(Lang::Zh, k).chars().any(|c| c as u32 > 0x2E80), "{k}");
    }
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
