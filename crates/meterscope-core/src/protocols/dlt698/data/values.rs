//! Data of every type by its tag (clause 6.3.3): simple values, arrays and
//! structures (named by the hint of the object), octets and date-times.

use super::*;

impl<'a, 'f> Dec<'a, 'f> {
    /// One Data value (type tag and body) under `parent`, annotated by `hint` when given.
    pub fn data(&mut self, parent: NodeRef, hint: Option<Hint>) -> NodeRef {
        self.data_named(parent, hint, true, None).0
    }

    /// One Data value and its type tag, when the tag could be read.
    pub fn data_tagged(&mut self, parent: NodeRef, hint: Option<Hint>) -> (NodeRef, Option<u8>) {
        self.data_named(parent, hint, true, None)
    }

    /// One Data value; `element` is the array element it is, when that has a name.
    pub(super) fn data_named(
        &mut self,
        parent: NodeRef,
        hint: Option<Hint>,
        name_elements: bool,
        element: Option<(Elements, usize)>,
    ) -> (NodeRef, Option<u8>) {
        let (node, t) = self.data_value(parent, hint, name_elements);
        if let Some((e, i)) = element {
            let packed = if self.prefixable == node { elements::pack(e, i) } else { None };
            self.f.replace_text(node, |old| match (old, packed) {
                (Msg::Code(f, c), Some(p)) => Msg::Code(f, c | p),
                (Msg::None, _) => text::element_name(e, i),
                (old, _) => Msg::Concat(Box::new([text::element_name(e, i), Msg::Str(": "), old])),
            });
        }
        (node, t)
    }

    pub(super) fn data_value(
        &mut self,
        parent: NodeRef,
        hint: Option<Hint>,
        name_elements: bool,
    ) -> (NodeRef, Option<u8>) {
        let start = self.pos();
        if self.depth >= MAX_DEPTH {
            self.fail_at(start, "dlt698.data.too-deep", msg!("data nested too deeply", "数据嵌套过深"));
            return (self.node(parent, "dlt698.data", start), None);
        }
        let Some(t) = self.u8() else {
            return (self.node(parent, "dlt698.data", start), None);
        };
        let Some(id) = type_id(t) else {
            self.fail_at(start, "dlt698.data.unknown-type", Msg::Code(text::unknown_type, t.into()));
            let node = self.node(parent, "dlt698.data", start);
            self.set_kind(node, NodeKind::Unknown);
            self.type_node(node, start, t, Msg::Code(text::unknown_type, t.into()));
            return (node, Some(t));
        };
        let node = self.node(parent, id, start);
        self.type_node(node, start, t, Msg::Str(type_name(t).unwrap_or_default()));
        self.depth += 1;
        self.body(node, t, hint, name_elements);
        self.depth -= 1;
        self.close(node, start);
        (node, Some(t))
    }

    pub(super) fn type_node(&mut self, parent: NodeRef, start: usize, t: u8, text: Msg) {
        let n = self.node(parent, "dlt698.data.type", start);
        self.f.node_mut(n).kind(NodeKind::Control).value(Msg::Uint(t.into())).text(text);
    }

    /// The body of a value of type `t` (no tag byte), as a node with id `id`.
    pub fn typed(&mut self, parent: NodeRef, t: u8, id: &'static str) -> NodeRef {
        let (node, start) = self.open(parent, id);
        self.depth += 1;
        self.body(node, t, None, false);
        self.depth -= 1;
        self.close(node, start);
        node
    }

    /// Read the body of a value of type `t` into `node`, which starts here or
    /// at its type tag just before.
    pub(super) fn body(&mut self, node: NodeRef, t: u8, hint: Option<Hint>, name_elements: bool) {
        let start = self.pos();
        if self.depth > MAX_DEPTH {
            self.fail_at(start, "dlt698.data.too-deep", msg!("data nested too deeply", "数据嵌套过深"));
            return;
        }
        match t {
            tag::NULL => self.set_value(node, Msg::Str("NULL")),
            tag::ARRAY | tag::STRUCTURE => {
                let (_, count) = self.count(node, "dlt698.data.length");
                let count = count.unwrap_or(0);
                let elements = hint.map(|h| h.elements).filter(|_| name_elements);
                self.items(node, count, |d, parent, i| {
                    let element = elements.filter(|e| e.has_name(i + 1)).map(|e| (e, i + 1));
                    d.data_named(parent, hint, false, element);
                });
                match text::pack_aggregate(t, count) {
                    Some(p) => self.set_prefixable(node, text::aggregate, p),
                    None => {
                        let name = type_name(t).unwrap_or("?");
                        self.set_text(node, msg!("{}[{}]", "{}[{}]", name, count));
                    }
                }
            }
            tag::BOOL => {
                if let Some(b) = self.u8() {
                    self.set_value(node, Msg::Str(if b != 0 { "true" } else { "false" }));
                }
            }
            tag::BIT_STRING => {
                let (_, bits) = self.count(node, "dlt698.data.length");
                let at = self.pos();
                let bytes = bits.and_then(|b| self.take(b.div_ceil(8)));
                if let (Some(bits), Some(b)) = (bits, bytes) {
                    let hex = self.hex(at, b.len());
                    let bit = |i: usize| b[i / 8] & (0x80 >> (i % 8)) != 0;
                    let value = if bits <= text::MAX_PACKED_BITS {
                        let v = (0..bits).fold(0u64, |a, i| a << 1 | u64::from(bit(i)));
                        Msg::Code(text::bits, (bits as u64) << 57 | v)
                    } else if bits <= 64 {
                        Msg::owned((0..bits).map(|i| if bit(i) { '1' } else { '0' }).collect::<String>())
                    } else {
                        hex.clone()
                    };
                    self.set_value(node, value);
                    self.set_text(node, Msg::Concat(Box::new([Msg::Code(text::bit_string_head, bits as u64), hex])));
                }
            }
            tag::DOUBLE_LONG
            | tag::DOUBLE_LONG_UNSIGNED
            | tag::INTEGER
            | tag::LONG
            | tag::UNSIGNED
            | tag::LONG_UNSIGNED
            | tag::LONG64
            | tag::LONG64_UNSIGNED
            | tag::ENUM => {
                let (n, signed) = match t {
                    tag::DOUBLE_LONG => (4, true),
                    tag::DOUBLE_LONG_UNSIGNED => (4, false),
                    tag::INTEGER => (1, true),
                    tag::LONG => (2, true),
                    tag::LONG_UNSIGNED => (2, false),
                    tag::LONG64 => (8, true),
                    tag::LONG64_UNSIGNED => (8, false),
                    _ => (1, false),
                };
                let Some(b) = self.take(n) else { return };
                let raw = int_value(b, signed);
                match hint.filter(|_| t != tag::ENUM) {
                    Some(h) => {
                        self.set_value(node, scaled_msg(raw, h.scaler));
                        match text::pack_scaled(t, raw, h.scaler) {
                            Some(p) => self.set_prefixable(node, text::scaled, p),
                            None => {
                                let name = type_name(t).unwrap_or("?");
                                let raw = i64::try_from(raw).map_or(Arg::Uint(raw as u64), Arg::Int);
                                let m = msg!(
                                    "{}, raw {}, scaler {}",
                                    "{}，原始值 {}，换算 {}",
                                    name,
                                    raw,
                                    i32::from(h.scaler)
                                );
                                self.set_text(node, m);
                            }
                        }
                        if let Some(u) = crate::units::dlt698_symbol(h.unit) {
                            self.set_unit(node, Msg::Str(u));
                        }
                    }
                    None => self.set_value(node, int_msg(raw)),
                }
            }
            tag::OCTET_STRING | tag::MAC | tag::RN => self.octets_in(node, start),
            tag::VISIBLE_STRING | tag::UTF8_STRING => {
                let (_, n) = self.count(node, "dlt698.data.length");
                let at = self.pos();
                if let Some(b) = n.and_then(|n| self.take(n)) {
                    let value = if b.iter().all(|c| (0x20..0x7F).contains(c)) {
                        Msg::Ascii(Span::at(self.cur.base() + at, b.len()))
                    } else {
                        Msg::owned(String::from_utf8_lossy(b))
                    };
                    self.set_value(node, value);
                }
            }
            tag::FLOAT32 => {
                if let Some(b) = self.take(4) {
                    let bits = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
                    self.set_value(node, Msg::Code(text::float32, bits.into()));
                }
            }
            tag::FLOAT64 => {
                if let Some(b) = self.take(8) {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(b);
                    self.set_value(node, Msg::Code(text::float64, u64::from_be_bytes(a)));
                }
            }
            tag::DATE_TIME => self.date_time_in(node, start, 10),
            tag::DATE => self.date_time_in(node, start, 5),
            tag::TIME => self.date_time_in(node, start, 3),
            tag::DATE_TIME_S => self.date_time_in(node, start, 7),
            tag::OI => {
                let Some(b) = self.take(2) else { return };
                let oi = u16::from_be_bytes([b[0], b[1]]);
                let hex = self.hex(start, 2);
                self.set_value(node, hex);
                if dictionary::has_object_name(oi) {
                    self.set_text(node, Msg::Code(text::object, oi.into()));
                }
            }
            tag::OAD => {
                self.oad_in(node, start);
            }
            tag::ROAD => {
                self.road_in(node, start);
            }
            tag::OMD => self.omd_in(node, start),
            tag::TI => self.ti_in(node, start),
            tag::TSA => self.tsa_in(node, start),
            tag::REGION => {
                let (u, unit) = self.byte(node, "dlt698.region.unit", NodeKind::Control);
                if let Some(k @ 0..=3) = unit {
                    static NAMES: [(&str, &str); 4] = [
                        ("[start, end)", "前闭后开"),
                        ("(start, end]", "前开后闭"),
                        ("[start, end]", "前闭后闭"),
                        ("(start, end)", "前开后开"),
                    ];
                    self.set_text(u, Msg::Bi(&NAMES[k as usize]));
                }
                self.data(node, hint);
                self.data(node, hint);
            }
            tag::SCALER_UNIT => {
                if let Some(b) = self.take(2) {
                    self.set_value(node, Msg::Code(text::scaler_unit, u64::from(b[0]) << 8 | u64::from(b[1])));
                }
            }
            tag::RSD => self.rsd_in(node, start),
            tag::CSD => {
                self.csd_in(node, start);
            }
            tag::MS => self.ms_in(node, start),
            tag::SID => self.sid_in(node, start),
            tag::SID_MAC => {
                self.sid(node, "dlt698.sid_mac.sid");
                self.octets(node, "dlt698.sid_mac.mac");
            }
            tag::COMDCB => self.comdcb_in(node, start),
            tag::RCSD => {
                self.rcsd_in(node, start);
            }
            _ => {}
        }
    }

    /// A length-prefixed octet string (also MAC and RN).
    pub fn octets(&mut self, parent: NodeRef, id: &'static str) -> NodeRef {
        let (node, start) = self.open(parent, id);
        self.octets_in(node, start);
        node
    }

    pub(super) fn octets_in(&mut self, node: NodeRef, start: usize) {
        let (_, n) = self.count(node, "dlt698.data.length");
        let at = self.pos();
        if let Some(b) = n.and_then(|n| self.take(n)) {
            let hex = self.hex(at, b.len());
            self.set_value(node, hex);
            if !b.is_empty() && b.iter().all(|c| (0x20..0x7F).contains(c)) {
                let ascii = Msg::Ascii(Span::at(self.cur.base() + at, b.len()));
                self.set_text(node, Msg::Concat(Box::new([Msg::Str("\""), ascii, Msg::Str("\"")])));
            }
        }
        self.close(node, start);
    }

    /// date_time (10 bytes), date (5), time (3) or date_time_s (7).
    pub fn date_time(&mut self, parent: NodeRef, id: &'static str, n: usize) -> NodeRef {
        let (node, start) = self.open(parent, id);
        self.date_time_in(node, start, n);
        node
    }

    pub(super) fn date_time_in(&mut self, node: NodeRef, start: usize, n: usize) {
        let at = self.pos();
        let b = self.take(n);
        self.close(node, start);
        let Some(b) = b else { return };
        // One leaf per field: (id, offset, length).
        let fields: &[(&'static str, usize, usize)] = match n {
            10 => &[
                ("dlt698.date_time.year", 0, 2),
                ("dlt698.date_time.month", 2, 1),
                ("dlt698.date_time.day", 3, 1),
                ("dlt698.date_time.week", 4, 1),
                ("dlt698.date_time.hour", 5, 1),
                ("dlt698.date_time.minute", 6, 1),
                ("dlt698.date_time.second", 7, 1),
                ("dlt698.date_time.millis", 8, 2),
            ],
            5 => &[
                ("dlt698.date_time.year", 0, 2),
                ("dlt698.date_time.month", 2, 1),
                ("dlt698.date_time.day", 3, 1),
                ("dlt698.date_time.week", 4, 1),
            ],
            3 => {
                &[("dlt698.date_time.hour", 0, 1), ("dlt698.date_time.minute", 1, 1), ("dlt698.date_time.second", 2, 1)]
            }
            _ => &[
                ("dlt698.date_time.year", 0, 2),
                ("dlt698.date_time.month", 2, 1),
                ("dlt698.date_time.day", 3, 1),
                ("dlt698.date_time.hour", 4, 1),
                ("dlt698.date_time.minute", 5, 1),
                ("dlt698.date_time.second", 6, 1),
            ],
        };
        for &(id, off, len) in fields {
            let span = Span::at(self.cur.base() + at + off, len);
            let v = if len == 2 { u16::from_be_bytes([b[off], b[off + 1]]) } else { u16::from(b[off]) };
            // The field's range; all ones says "not specified" (freeze and
            // report times of any day or hour).
            let range = match id {
                "dlt698.date_time.month" => 1..=12,
                "dlt698.date_time.day" => 1..=31,
                "dlt698.date_time.week" => 0..=6,
                "dlt698.date_time.hour" => 0..=23,
                "dlt698.date_time.minute" | "dlt698.date_time.second" => 0..=59,
                "dlt698.date_time.millis" => 0..=999,
                _ => 0..=u16::MAX,
            };
            let unspecified = if len == 2 { v == 0xFFFF } else { v == 0xFF };
            if !range.contains(&v) && !unspecified {
                let m = msg!(
                    "{} is out of range for this date-time field ({}–{})",
                    "{} 超出此日期时间字段的范围({}–{})",
                    v,
                    *range.start(),
                    *range.end()
                );
                self.diag(Severity::Error, span, "dlt698.date_time.range", m);
            }
            let id = self.id(id);
            let leaf = self.node_at(node, id, span, NodeKind::Data);
            self.set_value(leaf, Msg::Uint(v.into()));
        }
        let year = || u16::from_be_bytes([b[0], b[1]]);
        match n {
            10 => {
                let dt = Msg::Code(text::date_time, text::pack_date_time(year(), [b[2], b[3], b[5], b[6], b[7]]));
                let ms = Msg::Code(text::millis, u64::from(u16::from_be_bytes([b[8], b[9]])));
                self.set_value(node, Msg::Concat(Box::new([dt, ms])));
                self.set_text(node, Msg::Code(text::week, b[4].into()));
            }
            5 => {
                let v = u64::from(year()) << 16 | u64::from(b[2]) << 8 | u64::from(b[3]);
                self.set_value(node, Msg::Code(text::date, v));
                self.set_text(node, Msg::Code(text::week, b[4].into()));
            }
            3 => {
                let v = u64::from(b[0]) << 16 | u64::from(b[1]) << 8 | u64::from(b[2]);
                self.set_value(node, Msg::Code(text::time, v));
            }
            _ => {
                let v = text::pack_date_time(year(), [b[2], b[3], b[4], b[5], b[6]]);
                self.set_value(node, Msg::Code(text::date_time, v));
            }
        }
    }
}
