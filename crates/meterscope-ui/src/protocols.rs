//! The decoder's protocols as the page lists them before its decoder module
//! is loaded: the protocol menu is drawn at once, and the bytes of a text
//! protocol are shown as text. The decoder module's test checks this list
//! against the registry (`crates/meterscope-wasm/src/page.rs`).

/// Every protocol of the registry, in its order, and whether its frames are text.
pub const PROTOCOLS: &[(&str, bool)] = &[
    ("dlt645-2007", false),
    ("dlt645-1997", false),
    ("dlt698.45", false),
    ("dlt698.45-apdu", false),
    ("iec62056-21", true),
    ("dsmr-p1", true),
    ("dlms-hdlc", false),
    ("dlms-hdlc-stuffed", false),
    ("dlms-wrapper", false),
    ("dlms-apdu", false),
    ("qgdw1376.1", false),
    ("qgdw1376.2", false),
    ("sml", false),
    ("mbus", false),
    ("wmbus", false),
];

/// True for a protocol whose frames are text.
pub fn is_text(name: &str) -> bool {
    PROTOCOLS.iter().any(|&(n, text)| text && n == name)
}
