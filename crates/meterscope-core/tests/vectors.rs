//! Every public example frame through the whole decode path: tolerant input,
//! auto-detection and dissection. Auto-detection must pick the frame's
//! protocol, cover every byte, and agree with the vector on validity.
//! (Field-by-field expectations are in each protocol module's golden tests.)

use meterscope_core::{Options, decode};

/// The SML vectors of the new families' file: detected as `sml`, every byte
/// in the frame, every CRC right. (Values and units are checked field by
/// field in the SML module's golden tests.)
#[test]
fn every_new_sml_vector_is_detected_and_valid() {
    let text = include_str!("data/new-public-vectors.json");
    let all: serde_json::Value = serde_json::from_str(text).unwrap();
    let vectors: Vec<&serde_json::Value> =
        all["vectors"].as_array().unwrap().iter().filter(|v| v["family"] == "sml").collect();
    assert!(!vectors.is_empty());
    for v in vectors {
        let id = v["id"].as_str().unwrap();
        let d = decode(v["hex"].as_str().unwrap(), &Options::default()).unwrap();
        let frames = &d.dissection.frames;
        assert_eq!(frames.len(), 1, "{id}");
        assert_eq!(frames[0].protocol, "sml", "{id}");
        assert_eq!(frames[0].span.len(), d.bytes.len(), "{id}");
        assert_eq!(frames[0].valid, v.get("broken").is_none(), "{id}: {:?}", frames[0].diagnostics);
        assert!(frames[0].checks.iter().all(|c| c.ok) || v.get("broken").is_some(), "{id}");
    }
}

fn expected_protocol(vector: &str) -> &'static str {
    let family = vector.split([' ', '+']).next().unwrap_or(vector);
    match family {
        "dlt645-2007" => "dlt645-2007",
        "dlt645-1997" => "dlt645-1997",
        "dlt698.45" => "dlt698.45",
        "dlt698.45-apdu" => "dlt698.45-apdu",
        "dlms-hdlc" => "dlms-hdlc",
        "dlms-wrapper" => "dlms-wrapper",
        "dlms-xdlms-ciphered" => "dlms-apdu",
        "iec62056-21" => "iec62056-21",
        "dsmr-p1" | "p1" => "dsmr-p1",
        other => panic!("no mapping for vector protocol {other}"),
    }
}

#[test]
fn every_public_vector_is_detected_as_its_protocol() {
    let text = include_str!("data/public-vectors.json");
    let vectors: Vec<serde_json::Value> = serde_json::from_str(text).unwrap();
    let mut failures = Vec::new();
    for v in &vectors {
        let id = v["id"].as_str().unwrap();
        let input = v.get("hex").or_else(|| v.get("hex_or_text")).and_then(|h| h.as_str()).unwrap();
        let want = expected_protocol(v["protocol"].as_str().unwrap());
        let decoded = match decode(input, &Options::default()) {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!("{id}: input error {e}"));
                continue;
            }
        };
        let d = &decoded.dissection;
        let covered: usize =
            d.frames.iter().map(|f| f.span.len()).sum::<usize>() + d.junk.iter().map(|j| j.span.len()).sum::<usize>();
        if covered != decoded.bytes.len() {
            failures.push(format!("{id}: {covered} of {} bytes accounted for", decoded.bytes.len()));
        }
        let protocols: Vec<&str> = d.frames.iter().map(|f| f.protocol.as_str()).collect();
        if protocols.is_empty() || protocols.iter().any(|p| *p != want) {
            failures.push(format!("{id}: detected {protocols:?}, expected {want}"));
            continue;
        }
        let want_valid = v["expect"].get("valid").and_then(|b| b.as_bool()).unwrap_or(true);
        let valid = d.frames.iter().all(|f| f.valid);
        if valid != want_valid {
            let diags: Vec<String> =
                d.frames.iter().flat_map(|f| f.diagnostics.iter().map(|g| g.code.clone())).collect();
            failures.push(format!("{id}: valid {valid}, expected {want_valid} {diags:?}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} vectors:\n{}", failures.len(), vectors.len(), failures.join("\n"));
}

/// `Protocol::may_start` lets the registry's walk skip protocols by the byte
/// at each position; a protocol that frames anything from a byte it said it
/// cannot start with would silently lose frames. Every protocol, at every
/// position of every public and conformance vector, of mutated copies of them
/// (bytes replaced, cut, prefixed with wake-up bytes and flags) and of random
/// bytes: framing anything implies `may_start` of the first byte.
#[test]
fn protocols_frame_only_from_bytes_they_may_start_with() {
    use meterscope_core::session::Rng;
    use meterscope_core::{FrameStatus, Registry};
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for (name, text) in [
        ("public", include_str!("data/public-vectors.json")),
        ("conformance", include_str!("data/conformance-vectors.json")),
        ("new-public", include_str!("data/new-public-vectors.json")),
    ] {
        let json: serde_json::Value = serde_json::from_str(text).unwrap();
        let list = json.get("vectors").unwrap_or(&json).as_array().unwrap_or_else(|| panic!("{name}: no list"));
        for v in list {
            let input = v.get("hex").or_else(|| v.get("hex_or_text")).and_then(|h| h.as_str()).unwrap_or("");
            if let Ok(d) = decode(input, &Options::default()) {
                inputs.push(d.bytes.to_vec());
            }
        }
    }
    let mut rng = Rng::new(0x5eed_0645);
    let originals = inputs.clone();
    for bytes in &originals {
        for _ in 0..8 {
            let mut b = bytes.clone();
            for _ in 0..=rng.next_u64() % 4 {
                if !b.is_empty() {
                    let at = (rng.next_u64() % b.len() as u64) as usize;
                    b[at] = rng.next_u64() as u8;
                }
            }
            let cut = (rng.next_u64() % (b.len() as u64 + 1)) as usize;
            b.truncate(cut.max(b.len() / 2));
            let lead = [[0xFE; 3].as_slice(), &[0x7E; 2], &[]][(rng.next_u64() % 3) as usize];
            inputs.push([lead, &b].concat());
        }
    }
    for _ in 0..2000 {
        let n = (rng.next_u64() % 64) as usize;
        inputs.push((0..n).map(|_| rng.next_u64() as u8).collect());
    }
    let registry = Registry::default();
    let mut failures = Vec::new();
    for p in registry.protocols() {
        for bytes in &inputs {
            for pos in 0..bytes.len() {
                if p.frame(&bytes[pos..]) != FrameStatus::NoMatch && !p.may_start(bytes[pos]) {
                    failures.push(format!("{} frames from {:02X}: {:02X?}", p.name(), bytes[pos], &bytes[pos..]));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures[..failures.len().min(10)].join("\n"));
}

/// The wired M-Bus vectors of the newer families' file: detected as `mbus`,
/// every byte in the frame, valid unless the vector is marked broken.
/// (Values are checked in `protocols::mbus`'s golden tests.)
#[test]
fn every_mbus_vector_is_detected_as_mbus() {
    let text = include_str!("data/new-public-vectors.json");
    let file: serde_json::Value = serde_json::from_str(text).unwrap();
    let vectors: Vec<&serde_json::Value> =
        file["vectors"].as_array().unwrap().iter().filter(|v| v["family"] == "mbus").collect();
    assert!(!vectors.is_empty());
    for v in vectors {
        let id = v["id"].as_str().unwrap();
        let decoded = decode(v["hex"].as_str().unwrap(), &Options::default()).unwrap();
        let d = &decoded.dissection;
        assert!(d.junk.is_empty(), "{id}: junk {:?}", d.junk);
        assert_eq!(d.frames.len(), 1, "{id}");
        assert_eq!(d.frames[0].protocol, "mbus", "{id}");
        assert_eq!(d.frames[0].span.len(), decoded.bytes.len(), "{id}");
        let broken = v["broken"].as_bool().unwrap_or(false);
        assert_eq!(d.frames[0].valid, !broken, "{id}: {:?}", d.frames[0].diagnostics);
    }
}

/// The wireless M-Bus vectors of the newer families' file: detected as
/// `wmbus` with every byte in the frame and valid (given the vector's key);
/// the broken one (a receiver's CRC error) is no valid frame of any
/// family. (Fields and values are checked in `protocols::mbus::wireless`'s
/// golden tests.)
#[test]
fn every_wmbus_vector_is_detected_as_wmbus() {
    use meterscope_core::Keys;
    let text = include_str!("data/new-public-vectors.json");
    let file: serde_json::Value = serde_json::from_str(text).unwrap();
    let vectors: Vec<&serde_json::Value> =
        file["vectors"].as_array().unwrap().iter().filter(|v| v["family"] == "wmbus").collect();
    assert!(!vectors.is_empty());
    for v in vectors {
        let id = v["id"].as_str().unwrap();
        let key = v["keys"]["aes"].as_str().map(|k| {
            let b: Vec<u8> = (0..16).map(|i| u8::from_str_radix(&k[2 * i..2 * i + 2], 16).unwrap()).collect();
            <[u8; 16]>::try_from(b).unwrap()
        });
        let opts = Options { keys: Keys { cipher_key: key, ..Keys::default() }, ..Options::default() };
        let decoded = decode(v["hex"].as_str().unwrap(), &opts).unwrap();
        let d = &decoded.dissection;
        if v["broken"].as_bool().unwrap_or(false) {
            assert!(d.frames.iter().all(|f| !f.valid), "{id}");
            continue;
        }
        assert!(d.junk.is_empty(), "{id}: junk {:?}", d.junk);
        assert_eq!(d.frames.len(), 1, "{id}");
        assert_eq!(d.frames[0].protocol, "wmbus", "{id}");
        assert_eq!(d.frames[0].span.len(), decoded.bytes.len(), "{id}");
        assert!(d.frames[0].valid, "{id}: {:?}", d.frames[0].diagnostics);
    }
}
