//! Values in words: data decoded by the dictionary into items with names and
//! units, BCD digits, the error bits of an abnormal reply.

use super::*;

pub(super) fn to_bcd(v: u8) -> u8 {
    ((v / 10 % 10) << 4) | (v % 10)
}

pub(super) fn from_bcd(b: u8) -> u8 {
    (b >> 4) * 10 + (b & 0x0F)
}

/// The names of the error bits set in an abnormal reply, taken from the
/// dissector so the words are the same everywhere.
pub(super) fn error_bit_names(variant: Variant, frame: &[u8], lang: Lang) -> Vec<String> {
    let opts = Options { lang, ..Options::default() };
    let f = dissect::dissect(variant, frame, 0, &opts).render(lang);
    let Some(path) = f.tree.find_path("dlt645.data.err") else { return Vec::new() };
    let Some(node) = f.tree.at_path(&path) else { return Vec::new() };
    node.children.iter().filter_map(|c| c.text.clone()).collect()
}

/// The name of an identifier and its data as labelled values, by the dictionary.
/// Unknown identifiers give one raw value.
pub fn decode_values(variant: Variant, di: u32, data: &[u8], lang: Lang) -> (String, Vec<Item>) {
    let info = match variant {
        Variant::V2007 => dictionary::lookup(di),
        Variant::V1997 => dictionary::lookup_1997(di as u16),
    };
    let Some(info) = info else {
        let label = lang.pick("data", "数据").to_string();
        return (String::new(), vec![Item::new(label, to_hex(data), String::new())]);
    };
    let name = info.name(lang).to_string();
    (name, items_of(&info, data, lang))
}

fn item(label: String, format: &Format, bytes: &[u8], lang: Lang) -> Item {
    let d = value::decode(format, bytes, lang);
    let numeric = matches!(format.shape, Shape::Number { .. }) && d.text.is_none() && d.issue.is_none();
    let (value, unit) = match numeric {
        true => (Value::decimal_or_text(d.value), format.unit.to_string()),
        false => (Value::Text(d.value), String::new()),
    };
    Item { label, value, unit, text: d.text }
}

fn items_of(info: &DiInfo, data: &[u8], lang: Lang) -> Vec<Item> {
    let mut out = Vec::new();
    let one_field = info.fields.len() == 1;
    let raw = |bytes: &[u8], out: &mut Vec<Item>| {
        if !bytes.is_empty() {
            let label = lang.pick("more data", "其余数据").to_string();
            out.push(Item::new(label, to_hex(bytes), String::new()));
        }
    };
    match info.items {
        Some(items) => {
            let item_len: usize = info.fields.iter().map(|f| usize::from(f.format.len)).sum();
            if item_len == 0 || info.fields.iter().any(|f| f.format.len == 0) {
                raw(data, &mut out);
                return out;
            }
            let count = (data.len() / item_len).min(items.max().unwrap_or(usize::MAX));
            for i in 0..count {
                let chunk = &data[i * item_len..(i + 1) * item_len];
                let label = items.label(i, lang);
                let mut pos = 0;
                for f in &info.fields {
                    let len = usize::from(f.format.len);
                    let l = if one_field { label.clone() } else { format!("{label}: {}", f.name(lang)) };
                    out.push(item(l, &f.format, &chunk[pos..pos + len], lang));
                    pos += len;
                }
            }
            raw(&data[count * item_len..], &mut out);
        }
        None => {
            let mut pos = 0;
            for f in &info.fields {
                let left = data.len() - pos;
                if left == 0 {
                    break;
                }
                let len = if f.format.len == 0 { left } else { usize::from(f.format.len).min(left) };
                let label = if one_field { info.name(lang).to_string() } else { f.name(lang).to_string() };
                out.push(item(label, &f.format, &data[pos..pos + len], lang));
                pos += len;
            }
            raw(&data[pos..], &mut out);
        }
    }
    out
}
