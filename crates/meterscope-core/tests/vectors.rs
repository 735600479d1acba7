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
