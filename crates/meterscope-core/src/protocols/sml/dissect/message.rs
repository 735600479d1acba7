//! SML_Message and its bodies: each body's elements by its tag, the server
//! id, times and tree paths.

use super::entry::{E, HEADER_ENTRY, LIST_ENTRY, PERIOD_ENTRY, PROFILE_PERIOD};
use super::{AT_MESSAGE, Parser, Stop, Ty, Val, check, obis_text, pack_obis};
use crate::model::{Id, Msg, NodeKind, NodeRef, Severity};
use crate::msg;
use crate::protocols::dlms::obis_canonical;
use crate::protocols::sml::names;
use crate::wire::crc16_x25;

/// What an element of a message body or entry is.
#[derive(Clone, Copy)]
enum K {
    /// Octet string (text shown when printable).
    Oct,
    ServerId,
    Obis,
    Uint,
    Time,
    Path,
    Tree,
    Entries(&'static [E]),
    Attention,
    /// Anything, shown by its TL fields.
    Any,
}

type Layout = &'static [(&'static str, K)];

const PROFILE_REQ: Layout = &[
    ("sml.message.body.server_id", K::ServerId),
    ("sml.message.body.username", K::Oct),
    ("sml.message.body.password", K::Oct),
    ("sml.message.body.with_rawdata", K::Any),
    ("sml.message.body.begin_time", K::Time),
    ("sml.message.body.end_time", K::Time),
    ("sml.message.body.tree_path", K::Path),
    ("sml.message.body.object_list", K::Any),
    ("sml.message.body.das_details", K::Tree),
];

/// The elements of each message body.
fn layout(tag: u32) -> Option<Layout> {
    Some(match tag {
        0x0100 => &[
            ("sml.message.body.codepage", K::Oct),
            ("sml.message.body.client_id", K::Oct),
            ("sml.message.body.req_file_id", K::Oct),
            ("sml.message.body.server_id", K::ServerId),
            ("sml.message.body.username", K::Oct),
            ("sml.message.body.password", K::Oct),
            ("sml.message.body.sml_version", K::Uint),
        ],
        0x0101 => &[
            ("sml.message.body.codepage", K::Oct),
            ("sml.message.body.client_id", K::Oct),
            ("sml.message.body.req_file_id", K::Oct),
            ("sml.message.body.server_id", K::ServerId),
            ("sml.message.body.ref_time", K::Time),
            ("sml.message.body.sml_version", K::Uint),
        ],
        0x0200 | 0x0201 => &[("sml.message.body.global_signature", K::Oct)],
        0x0300 | 0x0400 => PROFILE_REQ,
        0x0301 => &[
            ("sml.message.body.server_id", K::ServerId),
            ("sml.message.body.act_time", K::Time),
            ("sml.message.body.reg_period", K::Uint),
            ("sml.message.body.tree_path", K::Path),
            ("sml.message.body.header_list", K::Entries(HEADER_ENTRY)),
            ("sml.message.body.period_list", K::Entries(PROFILE_PERIOD)),
            ("sml.message.body.rawdata", K::Oct),
            ("sml.message.body.profile_signature", K::Oct),
        ],
        0x0401 => &[
            ("sml.message.body.server_id", K::ServerId),
            ("sml.message.body.act_time", K::Time),
            ("sml.message.body.reg_period", K::Uint),
            ("sml.message.body.tree_path", K::Path),
            ("sml.message.body.val_time", K::Time),
            ("sml.message.body.status", K::Uint),
            ("sml.message.body.period_list", K::Entries(PERIOD_ENTRY)),
            ("sml.message.body.rawdata", K::Oct),
            ("sml.message.body.period_signature", K::Oct),
        ],
        0x0500 => &[
            ("sml.message.body.server_id", K::ServerId),
            ("sml.message.body.username", K::Oct),
            ("sml.message.body.password", K::Oct),
            ("sml.message.body.tree_path", K::Path),
            ("sml.message.body.attribute", K::Oct),
        ],
        0x0501 => &[
            ("sml.message.body.server_id", K::ServerId),
            ("sml.message.body.tree_path", K::Path),
            ("sml.message.body.parameter_tree", K::Tree),
        ],
        0x0600 => &[
            ("sml.message.body.server_id", K::ServerId),
            ("sml.message.body.username", K::Oct),
            ("sml.message.body.password", K::Oct),
            ("sml.message.body.tree_path", K::Path),
            ("sml.message.body.parameter_tree", K::Tree),
        ],
        0x0700 => &[
            ("sml.message.body.client_id", K::Oct),
            ("sml.message.body.server_id", K::ServerId),
            ("sml.message.body.username", K::Oct),
            ("sml.message.body.password", K::Oct),
            ("sml.message.body.list_name", K::Obis),
        ],
        0x0701 => &[
            ("sml.message.body.client_id", K::Oct),
            ("sml.message.body.server_id", K::ServerId),
            ("sml.message.body.list_name", K::Obis),
            ("sml.message.body.act_sensor_time", K::Time),
            ("sml.message.body.val_list", K::Entries(LIST_ENTRY)),
            ("sml.message.body.list_signature", K::Oct),
            ("sml.message.body.act_gateway_time", K::Time),
        ],
        0xFF01 => &[
            ("sml.message.body.server_id", K::ServerId),
            ("sml.message.body.attention_no", K::Attention),
            ("sml.message.body.attention_msg", K::Oct),
            ("sml.message.body.attention_details", K::Tree),
        ],
        _ => return None,
    })
}

fn body_name(tag: u64, lang: crate::lang::Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    match u32::try_from(tag).ok().and_then(names::body) {
        Some((_, en, zh)) => w.write_str(lang.pick(en, zh)),
        None => w.write_str(lang.pick("unknown message body", "未知的消息体")),
    }
}

impl Parser<'_> {
    /// Every message of the SML file; the body names for the root's text.
    pub(super) fn messages(&mut self, root: NodeRef, end: usize) -> Option<Msg> {
        let mut q = 0;
        let mut k = 0;
        let mut tags: Vec<Msg> = Vec::new();
        while q < end {
            if self.bytes()[q] == 0 {
                // Zero bytes between messages: some meters pad each message.
                let run = self.bytes()[q..end].iter().take_while(|&&x| x == 0).count();
                let n = self.add_counted(root, "sml.fill", q, run, NodeKind::Delimiter);
                self.f.node_mut(n).value(Msg::Uint(run as u64));
                q += run;
                continue;
            }
            k += 1;
            match self.message(root, q, end, k) {
                Ok((next, tag)) => {
                    if let Some(t) = tag
                        && tags.len() < 8
                    {
                        tags.push(Msg::Code(body_name_short, t.into()));
                    }
                    q = next;
                }
                Err(Stop(at)) => {
                    let at = at.max(q);
                    if at < end {
                        let n = self.add(root, "sml.rest", at, end - at, NodeKind::Unknown);
                        let hex = self.hex(at, end - at);
                        self.f.node_mut(n).value(hex);
                    }
                    break;
                }
            }
        }
        (!tags.is_empty()).then(|| Msg::joined(tags, ", "))
    }

    /// One SML_Message: its end and its body tag.
    fn message(&mut self, root: NodeRef, q: usize, end: usize, k: u32) -> Result<(usize, Option<u32>), Stop> {
        let el = self.list(q, end, "SML_Message", &[6])?;
        let m = self.add(root, Id::Indexed("sml.message", k), q, el.tl, NodeKind::Data);
        let mid = |key: &'static str| Id::inner(key, AT_MESSAGE, k);
        let mut at = el.data();
        let mut tag = None;
        let mut ended = false;
        let result = (|| -> Result<(), Stop> {
            for i in 0..el.len {
                match i {
                    0 => {
                        let (_, _, next) = self.element(m, mid("sml.message.transaction_id"), at, end, 1)?;
                        at = next;
                    }
                    1 => {
                        let (_, _, next) = self.element(m, mid("sml.message.group_no"), at, end, 1)?;
                        at = next;
                    }
                    2 => {
                        let (n, v, next) = self.element(m, mid("sml.message.abort_on_error"), at, end, 1)?;
                        if let Val::Uint(a) = v {
                            self.f.node_mut(n).text(Msg::Code(names::abort, a));
                        }
                        at = next;
                    }
                    3 => {
                        let (t, next) = self.body(m, at, end, k)?;
                        tag = t;
                        at = next;
                    }
                    4 => {
                        let (n, v, next) = self.element(m, mid("sml.message.crc"), at, end, 1)?;
                        let computed = crc16_x25(&self.bytes()[q..at]).swap_bytes();
                        match v {
                            Val::Uint(stated) => {
                                self.f
                                    .node_mut(n)
                                    .value(Msg::HexNum { value: stated, digits: 4 })
                                    .text(msg!("CRC-16/X-25 of the message up to here", "本消息至此的 CRC-16/X-25"));
                                let span = self.span(at, next - at);
                                check(
                                    self.f,
                                    mid("sml.message.crc"),
                                    span,
                                    stated as u16,
                                    computed,
                                    "sml.message.crc.mismatch",
                                );
                            }
                            _ => {
                                let msg = msg!("crc16 is an Unsigned16", "crc16 应为 Unsigned16");
                                self.diag(Severity::Error, at, next - at, "sml.message.crc.type", msg);
                            }
                        }
                        at = next;
                    }
                    5 => {
                        let el = self.el(at, end)?;
                        if el.ty == Ty::EndOfMessage {
                            let n = self.add(m, mid("sml.message.end"), at, 1, NodeKind::Delimiter);
                            self.f.node_mut(n).value(Msg::Str("00"));
                            at += 1;
                            ended = true;
                        } else {
                            let (_, _, next) = self.item(m, at, end, 1)?;
                            at = next;
                        }
                    }
                    _ => {
                        let (_, _, next) = self.item(m, at, end, 1)?;
                        at = next;
                    }
                }
            }
            Ok(())
        })();
        let span = self.span(q, at - q);
        self.f.node_mut(m).span(span);
        if let Some(t) = tag {
            self.f.node_mut(m).text(Msg::Code(body_name, t.into()));
        }
        result?;
        if !ended {
            let msg = msg!("the message does not end with endOfSmlMsg (00)", "消息没有以 endOfSmlMsg（00）结束");
            self.diag(Severity::Warning, at, 0, "sml.message.end.missing", msg);
        }
        Ok((at, tag))
    }

    /// The message body: `[tag, body]`.
    fn body(&mut self, m: NodeRef, q: usize, end: usize, k: u32) -> Result<(Option<u32>, usize), Stop> {
        let mid = |key: &'static str| Id::inner(key, AT_MESSAGE, k);
        let el = self.list(q, end, "SML_MessageBody", &[2])?;
        let b = self.add(m, mid("sml.message.body"), q, el.tl, NodeKind::Data);
        let mut at = el.data();
        let mut tag = None;
        let result = (|| -> Result<(), Stop> {
            if el.len == 0 {
                return Ok(());
            }
            let (n, v, next) = self.element(b, mid("sml.message.body.tag"), at, end, 2)?;
            self.f.node_mut(n).kind(NodeKind::Control);
            let t = match v {
                Val::Uint(t) => u32::try_from(t).ok(),
                _ => None,
            };
            match t {
                Some(t) => {
                    self.f
                        .node_mut(n)
                        .value(Msg::HexNum { value: t.into(), digits: 4 })
                        .text(Msg::Code(body_name, t.into()));
                    self.f
                        .node_mut(b)
                        .value(Msg::HexNum { value: t.into(), digits: 4 })
                        .text(Msg::Code(body_name, t.into()));
                    tag = Some(t);
                }
                None => {
                    let msg = msg!(
                        "the message body tag is an Unsigned16 or Unsigned32",
                        "消息体标签应为 Unsigned16 或 Unsigned32"
                    );
                    self.diag(Severity::Error, at, next - at, "sml.message.body.tag", msg);
                }
            }
            let tag_at = (at, next - at);
            at = next;
            if el.len < 2 {
                return Ok(());
            }
            let lay = t.and_then(layout);
            match (t, lay) {
                (Some(_), Some(lay)) => at = self.fields(b, at, end, k, lay)?,
                (t, _) => {
                    if let Some(t) = t
                        && names::body(t).is_none()
                    {
                        let msg = msg!("unknown message body tag 0x{:08X}", "未知的消息体标签 0x{:08X}", t);
                        self.diag(Severity::Error, tag_at.0, tag_at.1, "sml.message.body.unknown", msg);
                    }
                    let (_, _, next) = self.element(b, mid("sml.message.body.content"), at, end, 2)?;
                    at = next;
                }
            }
            for _ in 2..el.len {
                let (_, _, next) = self.item(b, at, end, 2)?;
                at = next;
            }
            Ok(())
        })();
        let span = self.span(q, at - q);
        self.f.node_mut(b).span(span);
        result.map(|()| (tag, at))
    }

    /// The elements of a body by its layout, in the body's own list.
    fn fields(&mut self, b: NodeRef, q: usize, end: usize, k: u32, lay: Layout) -> Result<usize, Stop> {
        let el = self.list(q, end, "the message body", &[lay.len()])?;
        // The fields hang under the body node: the list's TL byte is the body's.
        let mut at = el.data();
        for i in 0..el.len {
            let Some(&(key, kind)) = lay.get(i) else {
                let (_, _, next) = self.item(b, at, end, 3)?;
                at = next;
                continue;
            };
            at = self.field(b, Id::inner(key, AT_MESSAGE, k), at, end, kind)?;
        }
        Ok(at)
    }

    /// One element of a body by its kind; returns where it ends.
    fn field(&mut self, parent: NodeRef, id: Id, q: usize, end: usize, kind: K) -> Result<usize, Stop> {
        match kind {
            K::Time => return self.time(parent, id, q, end),
            K::Path => return self.path(parent, id, q, end),
            K::Tree => return self.tree(parent, id, q, end, 3),
            K::Entries(layout) => return self.entries(parent, id, q, end, layout),
            _ => {}
        }
        let (n, v, next) = self.element(parent, id, q, end, 3)?;
        match (kind, v) {
            (K::ServerId, Val::Oct(at, len)) if len > 0 => self.server_id(n, at, len),
            (K::Obis, Val::Oct(at, 6)) => {
                let code = pack_obis(&self.bytes()[at..at + 6]);
                self.f.node_mut(n).value(Msg::Code(obis_canonical, code)).text(obis_text(code));
            }
            (K::Attention, Val::Oct(at, 6)) => {
                let code = pack_obis(&self.bytes()[at..at + 6]);
                self.f.node_mut(n).text(Msg::Code(names::attention, code));
            }
            _ => {}
        }
        Ok(next)
    }

    /// A server id: the bytes and, in the 10-byte form of DIN 43863-5, the
    /// manufacturer's FLAG id, the medium and the serial number.
    fn server_id(&mut self, n: NodeRef, at: usize, len: usize) {
        let id = &self.p.bytes[at..at + len];
        let parts = names::server_id(id);
        let flag = match parts {
            Some((_, flag, ..)) => Some(flag),
            None if len >= 4 && id[1..4].iter().all(|c| c.is_ascii_uppercase()) => Some([id[1], id[2], id[3]]),
            None => None,
        };
        let Some(flag) = flag else { return };
        self.flag = Some(flag);
        let code = Msg::Code(names::flag, u64::from(flag[0]) << 16 | u64::from(flag[1]) << 8 | u64::from(flag[2]));
        let Some((medium, _, block, serial)) = parts else {
            self.f.node_mut(n).text(msg!("manufacturer {} (FLAG)", "制造商 {}（FLAG）", code));
            return;
        };
        let text = msg!(
            "meter {:X}{}{:02}{:08}: manufacturer {} (FLAG), medium {}, fabrication block {}, serial number {}",
            "电能表 {:X}{}{:02}{:08}：制造商 {}（FLAG），介质 {}，生产批次 {}，序列号 {}",
            medium,
            code.clone(),
            block,
            serial,
            code.clone(),
            medium,
            block,
            serial
        );
        self.f.node_mut(n).text(text);
        let x = self.add_counted(n, "sml.server_id.flag", at + 2, 3, NodeKind::Address);
        self.f.node_mut(x).value(code);
        let x = self.add_counted(n, "sml.server_id.serial", at + 6, 4, NodeKind::Address);
        self.f.node_mut(x).value(Msg::Uint(serial.into()));
    }

    /// SML_Time: `[tag, value]`, tag 1 secIndex, 2 timestamp, 3 localTimestamp.
    pub(super) fn time(&mut self, parent: NodeRef, id: Id, q: usize, end: usize) -> Result<usize, Stop> {
        let el = self.el(q, end)?;
        if el.ty != Ty::List {
            let (n, v, next) = self.element(parent, id, q, end, 3)?;
            if let Val::Uint(_) = v {
                self.f
                    .node_mut(n)
                    .text(msg!("seconds (sent without the SML_Time choice)", "秒数（未带 SML_Time 选择标签）"));
            }
            return Ok(next);
        }
        let n = self.add(parent, id, q, el.tl, NodeKind::Data);
        let mut at = el.data();
        let result = (|| -> Result<(), Stop> {
            if el.len != 2 {
                let msg =
                    msg!("SML_Time has 2 elements; this list has {}", "SML_Time 应有 2 个元素，此列表有 {} 个", el.len);
                self.diag(Severity::Warning, q, el.tl, "sml.list.count", msg);
                at = self.items(n, el.data(), end, el.len, 3)?;
                return Ok(());
            }
            let tid = self.counted("sml.time.tag");
            let (t, tv, next) = self.element(n, tid, at, end, 4)?;
            self.f.node_mut(t).kind(NodeKind::Control);
            let tag_at = (at, next - at);
            at = next;
            let tag = match tv {
                Val::Uint(x) => x,
                _ => 0,
            };
            match tag {
                1 | 2 => {
                    let key = if tag == 1 { "sml.time.sec_index" } else { "sml.time.timestamp" };
                    let vid = self.counted(key);
                    let (v, val, next) = self.element(n, vid, at, end, 4)?;
                    if let Val::Uint(s) = val {
                        if tag == 1 {
                            self.f
                                .node_mut(t)
                                .text(msg!("secIndex (seconds counted by the meter)", "secIndex（表计的秒计数）"));
                            self.f.node_mut(n).value(Msg::Uint(s)).text(msg!("seconds index {}", "秒索引 {}", s));
                        } else {
                            self.f.node_mut(t).text(msg!(
                                "timestamp (UTC seconds since 1970)",
                                "timestamp（自 1970 年起的 UTC 秒数）"
                            ));
                            self.f.node_mut(v).text(Msg::Code(names::timestamp, s));
                            self.f.node_mut(n).value(Msg::Code(names::timestamp, s));
                        }
                    }
                    at = next;
                }
                3 => {
                    self.f.node_mut(t).text(msg!(
                        "localTimestamp (UTC, local and season offsets)",
                        "localTimestamp（UTC 与本地、季节偏移）"
                    ));
                    let lel = self.list(at, end, "SML_TimestampLocal", &[3])?;
                    let l = self.add_counted(n, "sml.time.local", at, lel.tl, NodeKind::Data);
                    let mut a = lel.data();
                    for (i, key) in ["sml.time.timestamp", "sml.time.local_offset", "sml.time.season_offset"]
                        .into_iter()
                        .enumerate()
                        .take(lel.len)
                    {
                        let vid = self.counted(key);
                        let (v, val, next) = self.element(l, vid, a, end, 5)?;
                        match (i, val) {
                            (0, Val::Uint(s)) => {
                                self.f.node_mut(v).text(Msg::Code(names::timestamp, s));
                                self.f.node_mut(n).value(Msg::Code(names::timestamp, s));
                            }
                            (_, Val::Int(_)) => {
                                self.f.node_mut(v).unit(Msg::Str("min"));
                            }
                            _ => {}
                        }
                        a = next;
                    }
                    for _ in 3..lel.len {
                        let (_, _, next) = self.item(l, a, end, 5)?;
                        a = next;
                    }
                    let span = self.span(at, a - at);
                    self.f.node_mut(l).span(span);
                    at = a;
                }
                _ => {
                    let msg = msg!(
                        "SML_Time choice {} is not defined (1, 2 or 3)",
                        "SML_Time 选择 {} 未定义（应为 1、2 或 3）",
                        tag
                    );
                    self.diag(Severity::Warning, tag_at.0, tag_at.1, "sml.time.choice", msg);
                    let (_, _, next) = self.item(n, at, end, 4)?;
                    at = next;
                }
            }
            Ok(())
        })();
        let span = self.span(q, at - q);
        self.f.node_mut(n).span(span);
        result.map(|()| at)
    }

    /// SML_TreePath: a list of parameter names (OBIS codes mostly).
    fn path(&mut self, parent: NodeRef, id: Id, q: usize, end: usize) -> Result<usize, Stop> {
        let el = self.el(q, end)?;
        if el.ty != Ty::List {
            let (_, _, next) = self.element(parent, id, q, end, 3)?;
            return Ok(next);
        }
        let n = self.add(parent, id, q, el.tl, NodeKind::Data);
        let mut at = el.data();
        let result = (|| -> Result<(), Stop> {
            for _ in 0..el.len {
                let pid = self.counted("sml.path.name");
                at = self.name(n, pid, at, end)?;
            }
            Ok(())
        })();
        let span = self.span(q, at - q);
        self.f.node_mut(n).span(span);
        result.map(|()| at)
    }

    /// A parameter name: an OBIS code when it has six bytes.
    pub(super) fn name(&mut self, parent: NodeRef, id: Id, q: usize, end: usize) -> Result<usize, Stop> {
        let (n, v, next) = self.element(parent, id, q, end, 4)?;
        if let Val::Oct(at, 6) = v {
            let code = pack_obis(&self.bytes()[at..at + 6]);
            self.f.node_mut(n).value(Msg::Code(obis_canonical, code)).text(obis_text(code));
        }
        Ok(next)
    }
}

/// A body's short name (the part before the parenthesis).
fn body_name_short(tag: u64, _: crate::lang::Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    match u32::try_from(tag).ok().and_then(names::body) {
        Some((_, en, _)) => w.write_str(en.split(' ').next().unwrap_or(en)),
        None => write!(w, "0x{tag:04X}"),
    }
}
