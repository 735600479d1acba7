//! Every public example frame through the whole decode path: tolerant input,
//! auto-detection and dissection. Auto-detection must pick the frame's
//! protocol, cover every byte, and agree with the vector on validity.
//! (Field-by-field expectations are in each protocol module's golden tests.)

use meterscope_core::{Options, decode};

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
