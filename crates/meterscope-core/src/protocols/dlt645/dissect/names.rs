//! Names written at render time: data identifiers, fields, items and events
//! packed into codes that the dictionary names for a language.

use super::*;

/// A dictionary code: the identifier, its edition and an index (value or item).
pub(super) fn pack(variant: Variant, di: u32, index: usize) -> u64 {
    let v = match variant {
        Variant::V2007 => 0u64,
        Variant::V1997 => 1,
    };
    u64::from(di) | ((index as u64 & 0xFFFF) << 32) | (v << 48)
}

pub(super) fn unpack(code: u64) -> (Option<DiInfo>, usize) {
    let di = code as u32;
    let index = ((code >> 32) & 0xFFFF) as usize;
    let info = if code >> 48 == 1 { dictionary::lookup_1997(di as u16) } else { dictionary::lookup(di) };
    (info, index)
}

/// The name of an identifier, and its DL/T 698.45 equivalent when it has one.
pub(super) fn di_text(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let (Some(info), _) = unpack(code) else { return Ok(()) };
    w.write_str(info.name(lang))?;
    let oad = match info.width {
        4 => super::super::equivalents::oad_2007(info.di),
        _ => super::super::equivalents::oad_1997(info.di as u16),
    };
    match oad {
        Some(oad) => write!(w, " · DL/T 698.45 {}", super::super::equivalents::canonical(oad)),
        None => Ok(()),
    }
}

/// `00010000 Forward active energy, total, current`.
pub(super) fn di_summary(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let (Some(info), _) = unpack(code) else { return Ok(()) };
    write!(w, "{} {}", info.canonical(), info.name(lang))
}

pub(super) fn field_name(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let (info, j) = unpack(code);
    w.write_str(info.as_ref().and_then(|i| i.fields.get(j)).map_or("", |f| f.name(lang)))
}

pub(super) fn item_label(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let (info, i) = unpack(code);
    match info.and_then(|i| i.items) {
        Some(items) => w.write_str(&items.label(i, lang)),
        None => Ok(()),
    }
}

/// The events a clear-events command names.
pub(super) fn event_text(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let di = code as u32;
    if di == 0xFFFF_FFFF {
        return w.write_str(lang.pick("all events", "全部事件"));
    }
    let named = dictionary::lookup(di & 0xFFFF_FF00).or_else(|| dictionary::lookup(di));
    match named {
        Some(i) => w.write_str(i.name(lang)),
        None => w.write_str(lang.pick("events of this type", "该类事件")),
    }
}
