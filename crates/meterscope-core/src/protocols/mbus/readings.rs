//! The data records of an M-Bus telegram as readings: what a client (the
//! wired master session, the wireless listener, the reader page and the
//! CLI) shows, taken from the rendered dissection, so a reading is exactly
//! what the decoder shows for the same bytes (one grammar, read once).

use crate::view;

/// One data record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    /// The quantity (VIF), in the rendered language: `Volume`, `Energy`.
    pub name: String,
    /// The value as the decoder shows it, scaled (`0.332`, `2014-03-13 12:10`).
    pub value: String,
    pub unit: String,
    /// The function field's text (`instantaneous value`, `maximum value`).
    pub function: String,
    /// Storage number (0: the current value).
    pub storage: u64,
    pub tariff: u64,
    pub subunit: u64,
}

impl Record {
    /// The value typed: a number when the record has a unit (the decoder
    /// wrote it scaled by its VIF, as a decimal); text otherwise (dates,
    /// fabrication numbers, states).
    pub fn typed(&self) -> crate::session::Value {
        match self.unit.is_empty() {
            true => crate::session::Value::Text(self.value.clone()),
            false => crate::session::Value::decimal_or_text(self.value.clone()),
        }
    }

    /// `Volume (storage 1, tariff 2)`: the name with what tells records of
    /// one quantity apart, in a language.
    pub fn title(&self, lang: crate::Lang) -> String {
        let mut extra = Vec::new();
        let (storage, tariff, subunit) = match lang {
            crate::Lang::En => ("storage", "tariff", "subunit"),
            crate::Lang::Zh => ("存储号", "费率", "子单元"),
        };
        if self.storage > 0 {
            extra.push(format!("{storage} {}", self.storage));
        }
        if self.tariff > 0 {
            extra.push(format!("{tariff} {}", self.tariff));
        }
        if self.subunit > 0 {
            extra.push(format!("{subunit} {}", self.subunit));
        }
        if !matches!(self.function.as_str(), "" | "instantaneous value" | "瞬时值") {
            extra.push(self.function.clone());
        }
        let sep = if lang == crate::Lang::Zh { "，" } else { ", " };
        if extra.is_empty() { self.name.clone() } else { format!("{} ({})", self.name, extra.join(sep)) }
    }
}

/// The records of a rendered telegram (wired or wireless), in order.
pub fn records(tree: &view::Node) -> Vec<Record> {
    let mut out = Vec::new();
    tree.walk(&mut |n, _| {
        let Some(k) = n.id.strip_prefix("mbus.record.") else { return };
        if k.contains('.') || k.parse::<u32>().is_err() {
            return;
        }
        let num = |name: &str| {
            n.children
                .iter()
                .find(|c| c.id.rsplit('.').next() == Some(name))
                .and_then(|c| c.value.as_deref())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        out.push(Record {
            name: n.label.clone(),
            value: n.value.clone().unwrap_or_default(),
            unit: n.unit.clone().unwrap_or_default(),
            function: n.text.clone().unwrap_or_default(),
            storage: num("storage"),
            tariff: num("tariff"),
            subunit: num("subunit"),
        });
    });
    out
}

/// The fixed data header's fields of a rendered telegram: identification
/// number, manufacturer, version, medium (its text), access number, status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Header {
    pub id: String,
    pub manufacturer: String,
    pub version: String,
    pub medium: String,
    /// The device type's code (the medium above is its words).
    pub medium_code: Option<u8>,
    pub access: Option<u8>,
    pub status: Option<String>,
}

/// The header fields found anywhere in a rendered telegram (the wired
/// fixed header, or the wireless link layer's M and A fields).
pub fn header(tree: &view::Node) -> Header {
    let mut h = Header::default();
    tree.walk(&mut |n, _| {
        let v = || n.value.clone().unwrap_or_default();
        let text_or_value = || n.text.clone().unwrap_or_else(v);
        match n.id.as_str() {
            "mbus.header.id" | "wmbus.address.id" if h.id.is_empty() => h.id = v(),
            "mbus.header.manufacturer" | "wmbus.manufacturer" if h.manufacturer.is_empty() => h.manufacturer = v(),
            "mbus.header.version" | "wmbus.address.version" if h.version.is_empty() => h.version = v(),
            "mbus.header.medium" | "wmbus.address.medium" if h.medium.is_empty() => {
                h.medium = text_or_value();
                h.medium_code =
                    n.value.as_deref().and_then(|v| u8::from_str_radix(v.trim_start_matches("0x"), 16).ok());
            }
            "mbus.header.access" if h.access.is_none() => h.access = v().parse().ok(),
            "mbus.header.status" if h.status.is_none() => h.status = n.value.clone(),
            _ => {}
        }
    });
    h
}
