//! The composite types of DL/T 698.45: OAD, OMD, ROAD, TI, TSA, CSD, RCSD, MS,
//! RSD, SID and COMDCB.

use super::*;

impl<'a, 'f> Dec<'a, 'f> {
    /// An OAD: OI, attribute (with feature bits 7..5), element index.
    pub fn oad(&mut self, parent: NodeRef, id: &'static str) -> (NodeRef, Option<(u16, u8, u8)>) {
        let (node, start) = self.open(parent, id);
        let v = self.oad_in(node, start);
        (node, v)
    }

    pub(super) fn oad_in(&mut self, node: NodeRef, start: usize) -> Option<(u16, u8, u8)> {
        let b = self.take(4);
        self.close(node, start);
        let b = b?;
        let (oi, attr, index) = (u16::from_be_bytes([b[0], b[1]]), b[2], b[3]);
        let a = self.cur.base() + start;
        let id = self.id("dlt698.oad.oi");
        let n = self.node_at(node, id, Span::at(a, 2), NodeKind::Address);
        let hex = self.hex(start, 2);
        self.set_value(n, hex);
        if dictionary::has_object_name(oi) {
            self.set_text(n, Msg::Code(text::object, oi.into()));
        }
        let id = self.id("dlt698.oad.attr");
        let n = self.node_at(node, id, Span::at(a + 2, 1), NodeKind::Data);
        self.set_value(n, Msg::Uint(u64::from(attr & 0x1F)));
        if dictionary::attribute_names(oi, attr).is_some() || attr >> 5 != 0 {
            self.set_text(n, Msg::Code(text::attribute, u64::from(oi) << 8 | u64::from(attr)));
        }
        let id = self.id("dlt698.oad.index");
        let n = self.node_at(node, id, Span::at(a + 3, 1), NodeKind::Data);
        self.set_value(n, Msg::Uint(index.into()));
        if index == 0 {
            self.set_text(n, crate::msg!("whole attribute", "全部元素"));
        } else if let Some(p) = dictionary::hint(oi, attr).and_then(|h| elements::pack(h.elements, index.into())) {
            self.set_text(n, Msg::Code(text::element, p));
        }
        let hex = self.hex(start, 4);
        self.set_value(node, hex);
        if dictionary::has_object_name(oi) {
            let v = u64::from(oi) << 16 | u64::from(attr) << 8 | u64::from(index);
            self.set_text(node, Msg::Code(text::oad, v));
        }
        Some((oi, attr, index))
    }

    /// An OMD: OI, method identifier, operation mode.
    pub fn omd(&mut self, parent: NodeRef, id: &'static str) -> NodeRef {
        let (node, start) = self.open(parent, id);
        self.omd_in(node, start);
        node
    }

    pub(super) fn omd_in(&mut self, node: NodeRef, start: usize) {
        let b = self.take(4);
        self.close(node, start);
        let Some(b) = b else { return };
        let (oi, method) = (u16::from_be_bytes([b[0], b[1]]), b[2]);
        let a = self.cur.base() + start;
        let id = self.id("dlt698.omd.oi");
        let n = self.node_at(node, id, Span::at(a, 2), NodeKind::Address);
        let hex = self.hex(start, 2);
        self.set_value(n, hex);
        if dictionary::has_object_name(oi) {
            self.set_text(n, Msg::Code(text::object, oi.into()));
        }
        let id = self.id("dlt698.omd.method");
        let n = self.node_at(node, id, Span::at(a + 2, 1), NodeKind::Data);
        self.set_value(n, Msg::Uint(method.into()));
        if dictionary::method_names(oi, method).is_some() {
            self.set_text(n, Msg::Code(text::method, u64::from(oi) << 8 | u64::from(method)));
        }
        let id = self.id("dlt698.omd.mode");
        let n = self.node_at(node, id, Span::at(a + 3, 1), NodeKind::Data);
        self.set_value(n, Msg::Uint(b[3].into()));
        let hex = self.hex(start, 4);
        self.set_value(node, hex);
        if dictionary::has_object_name(oi) {
            self.set_text(node, Msg::Code(text::omd, u64::from(oi) << 8 | u64::from(method)));
        }
    }

    /// A ROAD: an OAD and the OADs related to it.
    pub fn road(&mut self, parent: NodeRef, id: &'static str) -> (NodeRef, Option<Column>) {
        let (node, start) = self.open(parent, id);
        let col = self.road_in(node, start);
        (node, col)
    }

    pub(super) fn road_in(&mut self, node: NodeRef, start: usize) -> Option<Column> {
        let at = self.pos();
        let (_, v) = self.oad(node, "dlt698.road.oad");
        let (_, count) = self.count(node, "dlt698.road.count");
        self.items(node, count.unwrap_or(0), |d, parent, _| {
            d.oad(parent, "dlt698.road.related");
        });
        self.close(node, start);
        let (oi, attr, index) = v?;
        let hex = self.hex(at, 4);
        self.set_value(node, hex);
        Some(Column { oi, attr, index, road: true })
    }

    /// A TI: unit and interval.
    pub fn ti(&mut self, parent: NodeRef, id: &'static str) -> NodeRef {
        let (node, start) = self.open(parent, id);
        self.ti_in(node, start);
        node
    }

    pub(super) fn ti_in(&mut self, node: NodeRef, start: usize) {
        let b = self.take(3);
        self.close(node, start);
        if let Some(b) = b {
            let v = u64::from(b[0]) << 16 | u64::from(u16::from_be_bytes([b[1], b[2]]));
            self.set_value(node, Msg::Code(text::interval, v));
        }
    }

    /// A TSA: octet string whose first byte gives the address length − 1.
    pub fn tsa(&mut self, parent: NodeRef, id: &'static str) -> NodeRef {
        let (node, start) = self.open(parent, id);
        self.tsa_in(node, start);
        node
    }

    pub(super) fn tsa_in(&mut self, node: NodeRef, start: usize) {
        let (_, n) = self.count(node, "dlt698.data.length");
        let at = self.pos();
        let b = n.and_then(|n| self.take(n));
        self.close(node, start);
        let Some(b) = b else { return };
        match b.split_first() {
            Some((flag, addr)) => {
                let a = self.cur.base() + at;
                let id = self.id("dlt698.tsa.flag");
                let f = self.node_at(node, id, Span::at(a, 1), NodeKind::Data);
                self.set_value(f, Msg::Code(text::hex2, (*flag).into()));
                let id = self.id("dlt698.tsa.address");
                let ad = self.node_at(node, id, Span::at(a + 1, addr.len()), NodeKind::Address);
                let hex = self.hex(at + 1, addr.len());
                self.set_value(ad, hex.clone());
                self.set_value(node, hex);
                if (*flag & 0x0F) as usize + 1 != addr.len() {
                    let m = msg!("the TSA flag gives another address length", "TSA 地址标志中的长度与地址字节数不符");
                    self.diag(Severity::Warning, Span::at(a, 1), "dlt698.tsa.length", m);
                }
            }
            None => self.set_value(node, Msg::Str("")),
        }
    }

    /// A CSD: an OAD [0] or a ROAD [1].
    pub fn csd(&mut self, parent: NodeRef, id: &'static str) -> (NodeRef, Option<Column>) {
        let (node, start) = self.open(parent, id);
        let col = self.csd_in(node, start);
        (node, col)
    }

    pub(super) fn csd_in(&mut self, node: NodeRef, start: usize) -> Option<Column> {
        let (_, c) = self.byte(node, "dlt698.csd.choice", NodeKind::Control);
        let at = self.pos();
        let col = match c {
            Some(0) => {
                let (o, v) = self.oad(node, "dlt698.csd.oad");
                let text = self.text_of(o);
                self.set_text(node, text);
                v.map(|(oi, attr, index)| Column { oi, attr, index, road: false })
            }
            Some(1) => self.road(node, "dlt698.csd.road").1,
            Some(_) => {
                self.fail_at(start, "dlt698.data.bad-choice", msg!("unknown CSD choice", "未知的 CSD 选择"));
                None
            }
            None => None,
        };
        self.close(node, start);
        if col.is_some() {
            let hex = self.hex(at, 4);
            self.set_value(node, hex);
        }
        col
    }

    /// An RCSD: SEQUENCE OF CSD. Returns the columns it selects.
    pub fn rcsd(&mut self, parent: NodeRef, id: &'static str) -> (NodeRef, Vec<Column>) {
        let (node, start) = self.open(parent, id);
        let cols = self.rcsd_in(node, start);
        (node, cols)
    }

    pub(super) fn rcsd_in(&mut self, node: NodeRef, start: usize) -> Vec<Column> {
        let (_, count) = self.count(node, "dlt698.data.length");
        let mut cols = Vec::new();
        self.items(node, count.unwrap_or(0), |d, parent, _| {
            cols.extend(d.csd(parent, "dlt698.data.csd").1);
        });
        self.close(node, start);
        self.set_text(node, Msg::Code(text::columns, cols.len() as u64));
        cols
    }

    /// An MS (meter set) choice.
    pub fn ms(&mut self, parent: NodeRef, id: &'static str) -> NodeRef {
        let (node, start) = self.open(parent, id);
        self.ms_in(node, start);
        node
    }

    pub(super) fn ms_in(&mut self, node: NodeRef, start: usize) {
        static NAMES: [(&str, &str); 8] = [
            ("no meters", "无电能表"),
            ("all user addresses", "全部用户地址"),
            ("a set of user types", "一组用户类型"),
            ("a set of user addresses", "一组用户地址"),
            ("a set of configuration numbers", "一组配置序号"),
            ("user type regions", "一组用户类型区间"),
            ("user address regions", "一组用户地址区间"),
            ("configuration number regions", "一组配置序号区间"),
        ];
        let (_, c) = self.byte(node, "dlt698.ms.choice", NodeKind::Control);
        if let Some(k) = c {
            if let Some(words) = NAMES.get(k as usize) {
                self.set_text(node, Msg::Bi(words));
            }
            let elem: Option<(u8, &'static str)> = match k {
                0 | 1 => None,
                2 => Some((tag::UNSIGNED, "dlt698.data.unsigned")),
                3 => Some((tag::TSA, "dlt698.data.tsa")),
                4 => Some((tag::LONG_UNSIGNED, "dlt698.data.long-unsigned")),
                5..=7 => Some((tag::REGION, "dlt698.data.region")),
                _ => {
                    self.fail_at(start, "dlt698.data.bad-choice", msg!("unknown MS choice", "未知的 MS 选择"));
                    None
                }
            };
            if let Some((t, eid)) = elem {
                let (_, count) = self.count(node, "dlt698.data.length");
                self.items(node, count.unwrap_or(0), |d, parent, _| {
                    d.typed(parent, t, eid);
                });
            }
        }
        self.close(node, start);
    }

    /// An RSD: selector 0–10 and its parameters.
    pub fn rsd(&mut self, parent: NodeRef, id: &'static str) -> NodeRef {
        let (node, start) = self.open(parent, id);
        self.rsd_in(node, start);
        node
    }

    pub(super) fn rsd_in(&mut self, node: NodeRef, start: usize) {
        let (_, s) = self.byte(node, "dlt698.rsd.selector", NodeKind::Control);
        let Some(s) = s else { return self.close(node, start) };
        match s {
            0 => {}
            1 => {
                self.oad(node, "dlt698.rsd.oad");
                self.data(node, None);
            }
            2 => self.selector2(node),
            3 => {
                let (_, count) = self.count(node, "dlt698.data.length");
                self.items(node, count.unwrap_or(0), |d, parent, _| {
                    let (n, s) = d.open(parent, "dlt698.rsd.selector2");
                    d.selector2(n);
                    d.close(n, s);
                });
            }
            4 | 5 => {
                self.date_time(node, "dlt698.rsd.time", 7);
                self.ms(node, "dlt698.data.ms");
            }
            6..=8 => {
                self.date_time(node, "dlt698.rsd.start", 7);
                self.date_time(node, "dlt698.rsd.end", 7);
                self.ti(node, "dlt698.data.ti");
                self.ms(node, "dlt698.data.ms");
            }
            9 => {
                self.byte(node, "dlt698.rsd.last", NodeKind::Data);
            }
            10 => {
                self.byte(node, "dlt698.rsd.last", NodeKind::Data);
                self.ms(node, "dlt698.data.ms");
            }
            _ => self.fail_at(start, "dlt698.data.bad-choice", msg!("unknown RSD selector", "未知的 RSD 选择方法")),
        }
        self.close(node, start);
        self.set_text(node, Msg::Code(text::selector, s.into()));
    }

    pub(super) fn selector2(&mut self, parent: NodeRef) {
        self.oad(parent, "dlt698.rsd.oad");
        for _ in 0..3 {
            self.data(parent, None);
        }
    }

    /// A SID: identifier and additional data.
    pub fn sid(&mut self, parent: NodeRef, id: &'static str) -> NodeRef {
        let (node, start) = self.open(parent, id);
        self.sid_in(node, start);
        node
    }

    pub(super) fn sid_in(&mut self, node: NodeRef, start: usize) {
        self.raw(node, "dlt698.sid.ident", 4);
        self.octets(node, "dlt698.sid.data");
        self.close(node, start);
    }

    /// A COMDCB: baud rate, parity, data bits, stop bits, flow control.
    pub fn comdcb(&mut self, parent: NodeRef, id: &'static str) -> NodeRef {
        let (node, start) = self.open(parent, id);
        self.comdcb_in(node, start);
        node
    }

    pub(super) fn comdcb_in(&mut self, node: NodeRef, start: usize) {
        static FLOW: [(&str, &str); 3] =
            [("no flow control", "无流控"), ("hardware", "硬件流控"), ("software", "软件流控")];
        let b = self.take(5);
        self.close(node, start);
        let Some(b) = b else { return };
        let v = b.iter().fold(0u64, |a, &x| a << 8 | u64::from(x));
        self.set_value(node, Msg::Code(text::comdcb, v));
        let flow = FLOW.get(b[4] as usize).map_or(Msg::Str("?"), |w| Msg::Bi(w));
        self.set_text(node, flow);
    }
}
