//! DLMS/COSEM (IEC 62056-5-3, -6-2, -46, -47): four registry protocols over
//! one application layer.
//!
//! - [`hdlc`]: HDLC frames `7E A0 LL dst src ctrl [HCS info] FCS 7E`
//!   (IEC 62056-46, frame format type 3), registry name `dlms-hdlc`.
//! - [`stuffed`]: the byte-stuffed HDLC variant of some customer ports
//!   (`7D 5E` for 0x7E, `7D 5D` for 0x7D), registry name `dlms-hdlc-stuffed`.
//! - [`wrapper`]: the TCP/UDP wrapper `00 01 src dst len APDU` (IEC 62056-47),
//!   registry name `dlms-wrapper`.
//! - [`apdu`]: xDLMS APDUs (GET/SET/ACTION, notifications, short-name
//!   services, errors), and `dlms-apdu` for bare APDUs.
//! - [`acse`]: AARQ, AARE, RLRQ, RLRE (BER) with xDLMS Initiate.
//! - [`axdr`]: A-XDR `Data`: the tolerant dissector and a strict codec.
//! - [`security`]: security suite 0 ciphered APDUs (AES-128-GCM).
//! - [`classes`]: interface classes, attribute and method names, units.
//! - [`reassembly`]: HDLC segments, GET data blocks and general block
//!   transfer joined across the frames of one input and dissected as one.
//! - [`hls`]: HLS-GMAC challenge answers checked across the frames of one input.
//! - [`profile`]: profile generic buffers as tables, columns named from the
//!   capture objects read in the same input.
//! - [`link`], [`assoc`], [`services`]: strict build and parse of HDLC and
//!   wrapper frames, AARQ/AARE/RLRQ with suite 0 ciphering and HLS-GMAC, and
//!   GET/SET/ACTION, for the session and the simulated meter.
//!
//! Shared here: the byte reader [`Rd`] with absolute spans and the decoding
//! context [`Cx`] that builds a language-neutral [`model::Frame`].

pub mod acse;
pub mod apdu;
pub mod assoc;
pub mod axdr;
pub mod classes;
pub mod hdlc;
pub mod hls;
pub mod link;
pub mod profile;
pub mod reassembly;
pub mod security;
pub mod services;
pub mod session;
pub mod simulator;
pub mod stuffed;
pub mod wrapper;

#[cfg(test)]
mod multi_tests;
#[cfg(test)]
mod tests;

use crate::lang::{LabelTable, Lang};
use crate::model::{self, Check, Frame, Id, Msg, NONE, NodeMut, NodeRef, Severity};
use crate::registry::{FrameStatus, Keys, Options, Protocol};
use crate::span::Span;
use crate::wire::Cursor;

/// Registry name of HDLC framed DLMS.
pub const HDLC: &str = "dlms-hdlc";
/// Registry name of the TCP/UDP wrapper.
pub const WRAPPER: &str = "dlms-wrapper";
/// Registry name of bare APDUs.
pub const APDU: &str = "dlms-apdu";

/// Maximum nesting of A-XDR data and of ciphered APDUs.
pub const MAX_DEPTH: usize = 24;

/// Most data values one dissection decodes. Zero-size elements (null-data in
/// nested compact arrays) would otherwise multiply without consuming bytes.
pub const MAX_ELEMENTS: usize = 100_000;

/// The DLMS registry protocols.
pub fn protocols() -> Vec<Box<dyn Protocol>> {
    vec![Box::new(DlmsHdlc), Box::new(DlmsHdlcStuffed), Box::new(DlmsWrapper), Box::new(DlmsApdu)]
}

/// DLMS over HDLC (IEC 62056-46).
pub struct DlmsHdlc;
/// DLMS over byte-stuffed HDLC (some customer ports).
pub struct DlmsHdlcStuffed;
/// DLMS over the TCP/UDP wrapper (IEC 62056-47).
pub struct DlmsWrapper;
/// A bare xDLMS or ACSE APDU.
pub struct DlmsApdu;

impl Protocol for DlmsHdlc {
    fn name(&self) -> &'static str {
        HDLC
    }
    fn title(&self, lang: Lang) -> &'static str {
        lang.pick("DLMS/COSEM over HDLC", "DLMS/COSEM HDLC 帧")
    }
    fn frame(&self, bytes: &[u8]) -> FrameStatus {
        hdlc::frame(bytes)
    }
    fn preamble_byte(&self) -> Option<u8> {
        Some(hdlc::FLAG)
    }
    fn may_start(&self, b: u8) -> bool {
        b == hdlc::FLAG
    }
    fn score(&self, frame: &[u8]) -> u8 {
        hdlc::score(frame)
    }
    fn dissect(&self, frame: &[u8], base: usize, opts: &Options) -> Frame {
        hdlc::dissect(frame, base, opts)
    }
}

impl Protocol for DlmsHdlcStuffed {
    fn name(&self) -> &'static str {
        stuffed::STUFFED
    }
    fn title(&self, lang: Lang) -> &'static str {
        lang.pick("DLMS/COSEM over HDLC, byte-stuffed", "DLMS/COSEM HDLC 帧（字节填充）")
    }
    fn frame(&self, bytes: &[u8]) -> FrameStatus {
        stuffed::frame(bytes)
    }
    fn preamble_byte(&self) -> Option<u8> {
        Some(hdlc::FLAG)
    }
    fn may_start(&self, b: u8) -> bool {
        b == hdlc::FLAG
    }
    fn score(&self, frame: &[u8]) -> u8 {
        stuffed::score(frame)
    }
    fn dissect(&self, frame: &[u8], base: usize, opts: &Options) -> Frame {
        stuffed::dissect(frame, base, opts)
    }
}

impl Protocol for DlmsWrapper {
    fn name(&self) -> &'static str {
        WRAPPER
    }
    fn title(&self, lang: Lang) -> &'static str {
        lang.pick("DLMS/COSEM TCP/UDP wrapper", "DLMS/COSEM TCP/UDP 封装")
    }
    fn frame(&self, bytes: &[u8]) -> FrameStatus {
        wrapper::frame(bytes)
    }
    fn may_start(&self, b: u8) -> bool {
        b == 0x00
    }
    fn score(&self, frame: &[u8]) -> u8 {
        wrapper::score(frame)
    }
    fn dissect(&self, frame: &[u8], base: usize, opts: &Options) -> Frame {
        wrapper::dissect(frame, base, opts)
    }
}

impl Protocol for DlmsApdu {
    fn name(&self) -> &'static str {
        APDU
    }
    fn title(&self, lang: Lang) -> &'static str {
        lang.pick("DLMS/COSEM APDU", "DLMS/COSEM 应用数据单元")
    }
    /// The whole input, when it starts with a known APDU tag and decodes
    /// without a warning or an error (so that it never swallows other frames).
    fn frame(&self, bytes: &[u8]) -> FrameStatus {
        match bytes.first() {
            Some(&t) if apdu::is_known_tag(t) && bytes.len() <= MAX_BARE && plausible(bytes) && clean(bytes) => {
                FrameStatus::Complete { preamble: 0, len: bytes.len() }
            }
            _ => FrameStatus::NoMatch,
        }
    }
    fn may_start(&self, b: u8) -> bool {
        apdu::is_known_tag(b)
    }
    /// Low, so that any framed protocol wins: 30 when the APDU decodes cleanly.
    fn score(&self, frame: &[u8]) -> u8 {
        if clean(frame) { 30 } else { 5 }
    }
    /// Bare APDUs have no delimiters: one per input line.
    fn anchored(&self) -> bool {
        true
    }
    fn dissect(&self, frame: &[u8], base: usize, opts: &Options) -> Frame {
        let mut cx = Cx::new(APDU, frame, base, &opts.keys);
        apdu::apdu(&mut cx, NONE, frame, base);
        cx.finish()
    }
}

/// Largest input `dlms-apdu` tries to frame as one bare APDU.
pub const MAX_BARE: usize = 8192;

/// A cheap look at the first bytes before a full decode: lengths that must
/// cover exactly the rest, and service variants in range.
fn plausible(b: &[u8]) -> bool {
    let rest_len = |at: usize| {
        let mut rd = Rd::new(&b[at..], 0);
        rd.axdr_len().is_some_and(|n| n == rd.left())
    };
    match b {
        [0x60..=0x63, ..] => b.len() >= 2 && rest_len(1),
        [0xDB | 0xDC, ..] => b.len() > 12,
        [t, ..] if apdu::is_ciphered(*t) => rest_len(1),
        [0xC0..=0xC7, c, ..] => (1..=6).contains(c),
        [0x0F, ..] => b.len() >= 6,
        _ => b.len() >= 2,
    }
}

/// Whether bytes decode as one APDU without a warning or an error (not
/// inlined: the framer of bare APDUs and the HDLC dissector share it).
#[inline(never)]
fn clean(bytes: &[u8]) -> bool {
    let keys = Keys::default();
    let mut cx = Cx::new(APDU, &[], 0, &keys);
    apdu::apdu(&mut cx, NONE, bytes, 0);
    !cx.f.diagnostics.iter().any(|d| d.severity >= Severity::Warning)
}

/// Where a subtree starts in the arena, to take it back when it cannot be completed.
#[derive(Clone, Copy)]
pub struct Mark {
    nodes: usize,
    parent: NodeRef,
    last: NodeRef,
}

/// Decoding context: the frame being built, keys, depth and fresh id numbers.
pub struct Cx<'k> {
    pub f: Frame,
    pub keys: &'k Keys,
    pub depth: usize,
    /// Data values decoded so far (bounded by [`MAX_ELEMENTS`]).
    pub elements: usize,
    next: u32,
    truncated: bool,
    ids: model::Occurrences,
    /// While derived bytes are read: the absolute offset their spans start
    /// from, and where they start in the frame's derived bytes.
    src: Option<(usize, u32)>,
}

impl model::ReadDerived for Cx<'_> {
    fn frame_and_source(&mut self) -> (&mut Frame, &mut Option<(usize, u32)>) {
        (&mut self.f, &mut self.src)
    }
}

impl<'k> Cx<'k> {
    /// A context building a frame of `protocol` over `bytes` at `base`.
    pub fn new(protocol: &'static str, bytes: &[u8], base: usize, keys: &'k Keys) -> Self {
        Cx {
            f: Frame::new(protocol, bytes, base).with_labels(LABELS),
            keys,
            depth: 0,
            elements: 0,
            next: 0,
            truncated: false,
            ids: model::Occurrences::default(),
            src: None,
        }
    }

    /// The frame, its validity derived from its checks and diagnostics.
    pub fn finish(self) -> Frame {
        self.f.finish()
    }

    /// A fresh number for ids that must stay unique in one tree.
    pub fn fresh(&mut self) -> u32 {
        self.next += 1;
        self.next
    }

    /// Add a node under `parent` (labelled from its id). A static id seen
    /// before in this frame gets its occurrence number (`dlms.hdlc.flag.2`).
    /// Inlined into its callers: the call itself was a sixth of adding a
    /// node, the most frequent thing a DLMS dissection does.
    #[cfg_attr(any(not(target_arch = "wasm32"), feature = "speed"), inline(always))]
    pub fn add(&mut self, parent: NodeRef, id: impl Into<Id>, span: Span) -> NodeMut<'_> {
        let id = match id.into() {
            Id::Static(s) => match self.ids.count(s) {
                1 => Id::Static(s),
                n => Id::Indexed(s, n),
            },
            other => other,
        };
        self.f.add_inlined(parent, id, span, model::NodeKind::Data)
    }

    /// Add a node whose id occurs once in any frame (the link layer's
    /// fields), without counting it. Inlined like [`Cx::add`].
    #[cfg_attr(any(not(target_arch = "wasm32"), feature = "speed"), inline(always))]
    pub fn add_once(&mut self, parent: NodeRef, id: impl Into<Id>, span: Span) -> NodeMut<'_> {
        self.f.add_inlined(parent, id.into(), span, model::NodeKind::Data)
    }

    /// Change a node added before.
    pub fn set(&mut self, n: NodeRef) -> NodeMut<'_> {
        self.f.node_mut(n)
    }

    pub fn span_of(&self, n: NodeRef) -> Span {
        self.f.node(n).map_or_else(Span::default, |n| n.span)
    }

    /// The number of children of a node.
    pub fn child_count(&self, n: NodeRef) -> usize {
        self.f.children(n).count()
    }

    /// Where nodes added from now on under `parent` start.
    pub fn mark(&self, parent: NodeRef) -> Mark {
        let last = self.f.node(parent).map_or(NONE, |p| p.last_child);
        Mark { nodes: self.f.nodes.len(), parent, last }
    }

    /// Take back every node added since `m`.
    pub fn rollback(&mut self, m: Mark) {
        self.f.nodes.truncate(m.nodes);
        if let Some(p) = self.f.nodes.get_mut(m.parent as usize) {
            p.last_child = m.last;
            if m.last == NONE {
                p.first_child = NONE;
            }
        }
        if let Some(l) = self.f.nodes.get_mut(m.last as usize) {
            l.next_sibling = NONE;
        }
    }

    /// Run `body`, taking back what it added under `parent` when it fails.
    pub fn atomic<T>(&mut self, parent: NodeRef, body: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        let m = self.mark(parent);
        let out = body(self);
        if out.is_none() {
            self.rollback(m);
        }
        out
    }

    pub fn diag(&mut self, severity: Severity, span: Span, code: &'static str, message: Msg) {
        self.f.diag(severity, span, code, message);
    }

    pub fn error(&mut self, span: Span, code: &'static str, words: &'static (&'static str, &'static str)) {
        self.f.diag(Severity::Error, span, code, Msg::Bi(words));
    }

    pub fn warning(&mut self, span: Span, code: &'static str, words: &'static (&'static str, &'static str)) {
        self.f.diag(Severity::Warning, span, code, Msg::Bi(words));
    }

    pub fn info(&mut self, span: Span, code: &'static str, words: &'static (&'static str, &'static str)) {
        self.f.diag(Severity::Info, span, code, Msg::Bi(words));
    }

    pub fn check(&mut self, check: Check) {
        self.f.check(check);
    }

    /// Whether an error was reported so far.
    pub fn has_error(&self) -> bool {
        self.f.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }

    /// Report that the bytes end too early (once per frame).
    pub fn truncated(&mut self, at: usize) {
        if !self.truncated {
            self.truncated = true;
            self.error(
                Span::at(at, 0),
                "dlms.truncated",
                &("the bytes end before this element is complete", "字节在该元素结束前终止"),
            );
        }
    }

    /// The bytes of an absolute span as compact hex (`0102`), from the frame
    /// or from the derived bytes being read.
    pub fn hex(&self, span: Span) -> Msg {
        match self.src {
            None => Msg::Hex { span, spaced: false, reversed: false },
            Some((base, at)) => Msg::Derived {
                at: at + span.start.saturating_sub(base) as u32,
                len: span.len() as u32,
                spaced: false,
                reversed: false,
            },
        }
    }

    /// The bytes of an absolute span as printable ASCII (dots for other bytes).
    pub fn ascii(&self, span: Span, b: &[u8]) -> Msg {
        match self.src {
            None => Msg::Ascii(span),
            Some((base, at)) if b.iter().all(|c| (0x20..0x7F).contains(c)) => {
                Msg::DerivedText { at: at + span.start.saturating_sub(base) as u32, len: span.len() as u32 }
            }
            Some(_) => Msg::owned(ascii(b)),
        }
    }
}

/// The tolerant dissector's reader: the wire kit's [`Cursor`] (absolute
/// offsets), with reads that give `None` when the bytes end, as the
/// dissector reports that itself.
#[derive(Clone, Copy)]
pub struct Rd<'a>(pub Cursor<'a>);

impl<'a> Rd<'a> {
    pub fn new(b: &'a [u8], base: usize) -> Self {
        Rd(Cursor::new(b, base))
    }
    /// All the bytes, read or not.
    pub fn bytes(&self) -> &'a [u8] {
        self.0.bytes()
    }
    /// Position within the bytes.
    pub fn pos(&self) -> usize {
        self.0.pos()
    }
    /// Absolute offset of the first byte.
    pub fn base(&self) -> usize {
        self.0.base()
    }
    pub fn seek(&mut self, pos: usize) {
        self.0.seek(pos);
    }
    /// Bytes left.
    pub fn left(&self) -> usize {
        self.0.left()
    }
    /// Absolute offset of the next byte.
    pub fn at(&self) -> usize {
        self.0.at()
    }
    /// Span from absolute offset `start` to the current position.
    pub fn since(&self, start: usize) -> Span {
        Span::new(start, self.at())
    }
    pub fn peek(&self) -> Option<u8> {
        self.0.peek()
    }
    pub fn u8(&mut self) -> Option<u8> {
        self.0.u8().ok()
    }
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        self.0.take(n).ok()
    }
    pub fn u16(&mut self) -> Option<u16> {
        self.0.u16_be().ok()
    }
    pub fn u32(&mut self) -> Option<u32> {
        self.0.u32_be().ok()
    }
    /// An A-XDR length; `None` (reading nothing) when the bytes end or the
    /// form is not allowed.
    pub fn axdr_len(&mut self) -> Option<usize> {
        self.0.axdr_length().ok()
    }
    /// The rest of the bytes.
    pub fn rest(&mut self) -> &'a [u8] {
        self.0.rest()
    }
}

pub use crate::wire::hex;

/// Printable ASCII with dots for other bytes.
pub fn ascii(b: &[u8]) -> String {
    b.iter().map(|&x| if (0x20..0x7F).contains(&x) { x as char } else { '.' }).collect()
}

/// `0x0B`: a byte as a value.
pub fn byte_msg(v: u8) -> Msg {
    Msg::HexNum { value: v.into(), digits: 2 }
}

/// An OBIS code packed in a `u64` for [`Msg::Code`].
pub fn pack_obis(c: [u8; 6]) -> u64 {
    c.iter().fold(0u64, |a, &x| a << 8 | u64::from(x))
}

fn unpack_obis(v: u64) -> [u8; 6] {
    let b = v.to_be_bytes();
    [b[2], b[3], b[4], b[5], b[6], b[7]]
}

/// The canonical form of a packed OBIS code (`1-0:1.8.0*255`).
pub fn obis_canonical(v: u64, _: Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    let [a, b, c, d, e, f] = unpack_obis(v);
    write!(w, "{a}-{b}:{c}.{d}.{e}*{f}")
}

/// The name of a packed OBIS code, empty when it has none.
pub fn obis_name(v: u64, lang: Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    match crate::obis::describe(unpack_obis(v), lang) {
        Some(n) => w.write_str(&n),
        None => Ok(()),
    }
}

/// The name of a packed OBIS code, else its canonical form.
pub fn obis_name_or_canonical(v: u64, lang: Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    match crate::obis::describe(unpack_obis(v), lang) {
        Some(n) => w.write_str(&n),
        None => obis_canonical(v, lang, w),
    }
}

/// An interface class's name in a language (`?` when unknown).
fn class_code(class: u64, lang: Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    w.write_str(u16::try_from(class).ok().and_then(|c| classes::class_name(c, lang)).unwrap_or("?"))
}

/// An interface class name as a message (`?` when unknown).
pub fn class_msg(class: u16) -> Msg {
    match (classes::class_name(class, Lang::En), classes::class_name(class, Lang::Zh)) {
        (Some(_), Some(_)) => Msg::Code(class_code, class.into()),
        _ => Msg::Str("?"),
    }
}

/// Labels of every node id this module emits (numeric segments stripped).
pub static LABELS: LabelTable = &[
    ("dlms.acse", "ACSE APDU", "ACSE 应用数据单元"),
    ("dlms.acse.application-context", "Application context name", "应用上下文名"),
    ("dlms.acse.authentication-value", "Authentication value", "认证值"),
    ("dlms.acse.called-ae-invocation-id", "Called AE invocation id", "被叫 AE 调用标识"),
    ("dlms.acse.called-ae-qualifier", "Called AE qualifier", "被叫 AE 限定符"),
    ("dlms.acse.called-ap-invocation-id", "Called AP invocation id", "被叫 AP 调用标识"),
    ("dlms.acse.called-ap-title", "Called AP title", "被叫 AP 标题"),
    ("dlms.acse.calling-ae-invocation-id", "Calling AE invocation id", "主叫 AE 调用标识"),
    ("dlms.acse.calling-ae-qualifier", "Calling AE qualifier", "主叫 AE 限定符"),
    ("dlms.acse.calling-ap-invocation-id", "Calling AP invocation id", "主叫 AP 调用标识"),
    ("dlms.acse.calling-ap-title", "Calling AP title (system title)", "主叫 AP 标题(系统标题)"),
    ("dlms.acse.component", "Component", "组件"),
    ("dlms.acse.diagnostic", "Result source diagnostic", "结果源诊断"),
    ("dlms.acse.implementation-information", "Implementation information", "实现信息"),
    ("dlms.acse.length", "Length", "长度"),
    ("dlms.acse.mechanism-name", "Mechanism name", "认证机制名"),
    ("dlms.acse.protocol-version", "Protocol version", "协议版本"),
    ("dlms.acse.reason", "Reason", "原因"),
    ("dlms.acse.requirements", "ACSE requirements", "ACSE 要求"),
    ("dlms.acse.responding-ae-invocation-id", "Responding AE invocation id", "响应 AE 调用标识"),
    ("dlms.acse.responding-ae-qualifier", "Responding AE qualifier", "响应 AE 限定符"),
    ("dlms.acse.responding-ap-invocation-id", "Responding AP invocation id", "响应 AP 调用标识"),
    ("dlms.acse.responding-ap-title", "Responding AP title (system title)", "响应 AP 标题(系统标题)"),
    ("dlms.acse.result", "Association result", "关联结果"),
    ("dlms.acse.tag", "ACSE tag", "ACSE 标签"),
    ("dlms.acse.user-information", "User information", "用户信息"),
    ("dlms.apdu", "xDLMS APDU", "xDLMS 应用数据单元"),
    ("dlms.apdu.access.body", "Access request body", "访问请求体"),
    ("dlms.apdu.access.date-time", "Date-time", "日期时间"),
    ("dlms.apdu.access.invoke", "Long invoke-id and priority", "长调用标识及优先级"),
    ("dlms.apdu.action.block", "Data block", "数据块"),
    ("dlms.apdu.action.block-number", "Block number", "块序号"),
    ("dlms.apdu.action.count", "Count", "个数"),
    ("dlms.apdu.action.descriptor", "Method descriptor", "方法描述符"),
    ("dlms.apdu.action.descriptor.class", "Class", "接口类"),
    ("dlms.apdu.action.descriptor.method", "Method", "方法"),
    ("dlms.apdu.action.descriptor.obis", "Logical name (OBIS)", "逻辑名 OBIS"),
    ("dlms.apdu.action.parameters", "Method parameters", "方法参数"),
    ("dlms.apdu.action.parameters-flag", "Parameters present", "参数存在标志"),
    ("dlms.apdu.action.result", "Action result", "操作结果"),
    ("dlms.apdu.action.return", "Return parameters", "返回参数"),
    ("dlms.apdu.action.return-flag", "Return parameters present", "返回参数存在标志"),
    ("dlms.apdu.block.data", "Raw data", "原始数据"),
    ("dlms.apdu.block.last", "Last block", "最后块"),
    ("dlms.apdu.block.number", "Block number", "块序号"),
    ("dlms.apdu.choice", "Service variant", "服务类型"),
    ("dlms.apdu.data", "Data", "数据"),
    ("dlms.apdu.error.service", "Service", "服务"),
    ("dlms.apdu.error.type", "Error type", "错误类型"),
    ("dlms.apdu.error.value", "Error", "错误"),
    ("dlms.apdu.event.descriptor", "Attribute descriptor", "属性描述符"),
    ("dlms.apdu.event.descriptor.attribute", "Attribute", "属性"),
    ("dlms.apdu.event.descriptor.class", "Class", "接口类"),
    ("dlms.apdu.event.descriptor.obis", "Logical name (OBIS)", "逻辑名 OBIS"),
    ("dlms.apdu.event.time", "Time", "时间"),
    ("dlms.apdu.event.time-flag", "Time present", "时间存在标志"),
    ("dlms.apdu.event.value", "Attribute value", "属性值"),
    ("dlms.apdu.exception.invocation-counter", "Expected invocation counter", "期望的调用计数器"),
    ("dlms.apdu.exception.service-error", "Service error", "服务错误"),
    ("dlms.apdu.exception.state-error", "State error", "状态错误"),
    ("dlms.apdu.gbt.ack", "Block number acknowledged", "已确认块序号"),
    ("dlms.apdu.gbt.control", "Block control", "块控制"),
    ("dlms.apdu.gbt.data", "Block data", "块数据"),
    ("dlms.apdu.gbt.number", "Block number", "块序号"),
    ("dlms.apdu.get.block", "Data block", "数据块"),
    ("dlms.apdu.get.block-number", "Block number", "块序号"),
    ("dlms.apdu.get.count", "Count", "个数"),
    ("dlms.apdu.get.data", "Data", "数据"),
    ("dlms.apdu.get.descriptor", "Attribute descriptor", "属性描述符"),
    ("dlms.apdu.get.descriptor.attribute", "Attribute", "属性"),
    ("dlms.apdu.get.descriptor.class", "Class", "接口类"),
    ("dlms.apdu.get.descriptor.obis", "Logical name (OBIS)", "逻辑名 OBIS"),
    ("dlms.apdu.get.result", "Result", "结果"),
    ("dlms.apdu.get.result-choice", "Result kind", "结果类型"),
    ("dlms.apdu.get.selection", "Selective access", "选择性访问"),
    ("dlms.apdu.get.selection-flag", "Selective access present", "选择性访问存在标志"),
    ("dlms.apdu.get.selection.parameters", "Access parameters", "访问参数"),
    ("dlms.apdu.get.selection.selector", "Access selector", "访问选择器"),
    ("dlms.apdu.invoke", "Invoke-id and priority", "调用标识及优先级"),
    ("dlms.apdu.long-invoke", "Long invoke-id and priority", "长调用标识及优先级"),
    ("dlms.apdu.notification.body", "Notification body", "通知体"),
    ("dlms.apdu.notification.date-time", "Date-time", "日期时间"),
    ("dlms.apdu.rest", "Undecoded bytes", "未解析字节"),
    ("dlms.apdu.set.block", "Data block", "数据块"),
    ("dlms.apdu.set.block-number", "Block number", "块序号"),
    ("dlms.apdu.set.count", "Count", "个数"),
    ("dlms.apdu.set.descriptor", "Attribute descriptor", "属性描述符"),
    ("dlms.apdu.set.descriptor.attribute", "Attribute", "属性"),
    ("dlms.apdu.set.descriptor.class", "Class", "接口类"),
    ("dlms.apdu.set.descriptor.obis", "Logical name (OBIS)", "逻辑名 OBIS"),
    ("dlms.apdu.set.result", "Result", "结果"),
    ("dlms.apdu.set.selection", "Selective access", "选择性访问"),
    ("dlms.apdu.set.selection-flag", "Selective access present", "选择性访问存在标志"),
    ("dlms.apdu.set.selection.parameters", "Access parameters", "访问参数"),
    ("dlms.apdu.set.selection.selector", "Access selector", "访问选择器"),
    ("dlms.apdu.set.value", "Value", "值"),
    ("dlms.apdu.sn.count", "Count", "个数"),
    ("dlms.apdu.sn.data", "Data", "数据"),
    ("dlms.apdu.sn.result", "Result", "结果"),
    ("dlms.apdu.sn.variable", "Variable access", "变量访问"),
    ("dlms.apdu.sn.variable.block-number", "Block number", "块序号"),
    ("dlms.apdu.sn.variable.kind", "Access kind", "访问类型"),
    ("dlms.apdu.sn.variable.name", "Base name", "短名"),
    ("dlms.apdu.sn.variable.parameters", "Parameters", "参数"),
    ("dlms.apdu.sn.variable.selector", "Selector", "选择器"),
    ("dlms.apdu.tag", "Service", "服务"),
    ("dlms.ciphered", "Ciphered APDU", "密文应用数据单元"),
    ("dlms.ciphered.ciphertext", "Ciphertext", "密文"),
    ("dlms.ciphered.invocation-counter", "Invocation counter", "调用计数器"),
    ("dlms.ciphered.length", "Length", "长度"),
    ("dlms.ciphered.plaintext", "Authenticated plaintext", "认证明文"),
    ("dlms.ciphered.security-control", "Security control", "安全控制字节"),
    ("dlms.ciphered.system-title", "System title", "系统标题"),
    ("dlms.ciphered.tag", "Ciphered service", "密文服务"),
    ("dlms.ciphered.tag-value", "Authentication tag", "认证标签"),
    ("dlms.data", "Data", "数据"),
    ("dlms.data.clock-status", "Clock status", "时钟状态"),
    ("dlms.data.count", "Count", "个数"),
    ("dlms.data.day", "Day of month", "日"),
    ("dlms.data.deviation", "Deviation", "时差"),
    ("dlms.data.hour", "Hour", "时"),
    ("dlms.data.hundredths", "Hundredths", "百分秒"),
    ("dlms.data.length", "Length", "长度"),
    ("dlms.data.minute", "Minute", "分"),
    ("dlms.data.month", "Month", "月"),
    ("dlms.data.second", "Second", "秒"),
    ("dlms.data.type", "Type", "数据类型"),
    ("dlms.data.type-description", "Type description", "类型描述"),
    ("dlms.data.weekday", "Day of week", "星期"),
    ("dlms.data.year", "Year", "年"),
    ("dlms.general.date-time", "Date-time", "日期时间"),
    ("dlms.general.key-info", "Key information", "密钥信息"),
    ("dlms.general.key-info-flag", "Key information present", "密钥信息存在标志"),
    ("dlms.general.key-info.choice", "Key information kind", "密钥信息类型"),
    ("dlms.general.key-info.kek-id", "Key encryption key id", "密钥加密密钥标识"),
    ("dlms.general.key-info.key-ciphered-data", "Key ciphered data", "密钥密文数据"),
    ("dlms.general.key-info.key-id", "Key id", "密钥标识"),
    ("dlms.general.key-info.key-parameters", "Key agreement scheme", "密钥协商方案"),
    ("dlms.general.originator-system-title", "Originator system title", "发起方系统标题"),
    ("dlms.general.other-information", "Other information", "其他信息"),
    ("dlms.general.recipient-system-title", "Recipient system title", "接收方系统标题"),
    ("dlms.general.transaction-id", "Transaction id", "事务标识"),
    ("dlms.hdlc", "DLMS HDLC frame", "DLMS HDLC 帧"),
    ("dlms.hdlc.control", "Control field", "控制域"),
    ("dlms.hdlc.control.nr", "Receive sequence N(R)", "接收序号 N(R)"),
    ("dlms.hdlc.control.ns", "Send sequence N(S)", "发送序号 N(S)"),
    ("dlms.hdlc.control.pf", "Poll/final bit", "查询/终结位"),
    ("dlms.hdlc.dst", "Destination address", "目的地址"),
    ("dlms.hdlc.dst.client", "Client SAP", "客户端 SAP"),
    ("dlms.hdlc.dst.lower", "Lower HDLC address (physical)", "HDLC 低地址(物理)"),
    ("dlms.hdlc.dst.upper", "Upper HDLC address (logical)", "HDLC 高地址(逻辑)"),
    ("dlms.hdlc.fcs", "Frame check sequence (FCS)", "帧校验 FCS"),
    ("dlms.hdlc.flag", "Flag", "标志"),
    ("dlms.hdlc.format", "Frame format", "帧格式"),
    ("dlms.hdlc.format.length", "Frame length", "帧长度"),
    ("dlms.hdlc.format.segmented", "Segmentation bit", "分段位"),
    ("dlms.hdlc.format.type", "Format type", "格式类型"),
    ("dlms.hdlc.hcs", "Header check sequence (HCS)", "帧头校验 HCS"),
    ("dlms.hdlc.info", "Information field", "信息域"),
    ("dlms.hdlc.llc", "LLC header", "LLC 头"),
    ("dlms.hdlc.params", "Negotiation parameters", "协商参数"),
    ("dlms.hdlc.params.format", "Format identifier", "格式标识"),
    ("dlms.hdlc.params.group", "Group", "参数组"),
    ("dlms.hdlc.params.group.param", "Parameter", "参数"),
    ("dlms.hdlc.segment", "Segment", "分段数据"),
    ("dlms.hdlc.src", "Source address", "源地址"),
    ("dlms.hdlc.src.client", "Client SAP", "客户端 SAP"),
    ("dlms.hdlc.src.lower", "Lower HDLC address (physical)", "HDLC 低地址(物理)"),
    ("dlms.hdlc.src.upper", "Upper HDLC address (logical)", "HDLC 高地址(逻辑)"),
    ("dlms.hls", "HLS-GMAC authentication", "HLS-GMAC 认证"),
    (
        "dlms.hls.f-ctos",
        "HLS-GMAC f(CtoS): the server's answer to the client challenge",
        "HLS-GMAC f(CtoS)：服务器对客户端挑战的应答",
    ),
    (
        "dlms.hls.f-stoc",
        "HLS-GMAC f(StoC): the client's answer to the server challenge",
        "HLS-GMAC f(StoC)：客户端对服务器挑战的应答",
    ),
    ("dlms.initiate", "xDLMS Initiate", "xDLMS 初始化"),
    ("dlms.initiate.conformance", "Conformance", "一致性块"),
    ("dlms.initiate.conformance.bit", "Conformance bit", "一致性位"),
    ("dlms.initiate.dedicated-key", "Dedicated key", "专用密钥"),
    ("dlms.initiate.dedicated-key-flag", "Dedicated key present", "专用密钥存在标志"),
    ("dlms.initiate.max-pdu", "Maximum receive PDU size", "最大接收 PDU 尺寸"),
    ("dlms.initiate.qos", "Quality of service", "服务质量"),
    ("dlms.initiate.qos-flag", "Quality of service present", "服务质量存在标志"),
    ("dlms.initiate.response-allowed", "Response allowed", "允许响应"),
    ("dlms.initiate.response-allowed-flag", "Response allowed present", "允许响应存在标志"),
    ("dlms.initiate.tag", "Initiate service", "初始化服务"),
    ("dlms.initiate.vaa-name", "VAA name", "VAA 名"),
    ("dlms.initiate.version", "DLMS version", "DLMS 版本"),
    ("dlms.profile", "Profile buffer", "曲线缓冲区"),
    ("dlms.profile.row", "Row", "行"),
    ("dlms.reassembled", "Reassembled", "重组结果"),
    ("dlms.reassembled.data", "Reassembled value", "重组的数据值"),
    ("dlms.reassembly", "Reassembled DLMS/COSEM", "重组的 DLMS/COSEM 数据"),
    ("dlms.signing", "Signed APDU", "签名应用数据单元"),
    ("dlms.signing.content", "Signed content", "签名内容"),
    ("dlms.signing.signature", "Signature", "签名"),
    ("dlms.trailing", "Trailing bytes", "多余字节"),
    ("dlms.wrapper", "DLMS wrapper frame", "DLMS 封装帧"),
    ("dlms.wrapper.destination", "Destination wPort", "目的 wPort"),
    ("dlms.wrapper.length", "Length", "长度"),
    ("dlms.wrapper.source", "Source wPort", "源 wPort"),
    ("dlms.wrapper.version", "Version", "版本"),
];
