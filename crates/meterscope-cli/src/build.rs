//! `meterscope build`: a frame's lengths and checks filled in for its
//! protocol (the core's `protocols::build`, the page's frame builder).

use meterscope_core::Lang;
use meterscope_core::protocols::build::{SEALABLE, seal};
use serde_json::json;

/// Prints the sealed frame (spaced hex) and each field written; JSON with
/// `--json`. Exit code 0 when the frame needed no change, 1 when a field was
/// written.
pub fn run(protocol: &str, lang: &str, json: bool, text: &str) -> Result<u8, String> {
    let lang: Lang = lang.parse()?;
    let input = meterscope_core::parse_input(text).map_err(|e| e.to_string())?;
    if !SEALABLE.iter().any(|p| p.eq_ignore_ascii_case(protocol)) {
        return Err(format!("the builder knows {}, not '{protocol}'", SEALABLE.join(", ")));
    }
    let sealed = seal(protocol, &input.bytes).map_err(|e| e.text(lang))?;
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02X}")).collect::<Vec<_>>().join(" ");
    let changed = sealed.fixes.iter().any(|f| f.changed());
    if json {
        let fixes: Vec<_> = sealed
            .fixes
            .iter()
            .map(|f| {
                json!({
                    "field": lang.pick(f.field.0, f.field.1),
                    "at": f.at,
                    "was": hex(&f.was),
                    "now": hex(&f.now),
                    "changed": f.changed(),
                })
            })
            .collect();
        let v = json!({ "protocol": sealed.protocol, "hex": hex(&sealed.bytes), "fixes": fixes });
        println!("{}", serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?);
    } else {
        println!("{}", hex(&sealed.bytes));
        for f in &sealed.fixes {
            let name = lang.pick(f.field.0, f.field.1);
            if f.changed() {
                println!("  {name} @{}: {} -> {}", f.at, hex(&f.was), hex(&f.now));
            } else {
                println!("  {name} @{}: {} ({})", f.at, hex(&f.now), lang.pick("already right", "原本正确"));
            }
        }
    }
    Ok(u8::from(changed))
}
