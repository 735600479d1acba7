//! DL/T 698.45 — the object-oriented data exchange protocol for electricity
//! meters and terminals (State Grid and China Southern Grid).
//!
//! - [`link`]: frame `68 L L C AF SA CA HCS APDU FCS 16`, framing, HCS/FCS,
//!   fragmentation and scrambling; strict [`link::FrameRepr`].
//! - [`data`]: the Data type (tags 0–96) and the tolerant decoder.
//! - [`apdu`]: every APDU of clause 6.3; [`dissect_apdu`] for APDU-only input.
//! - [`dictionary`]: object, attribute and method names, scaler and unit, DAR.
//! - [`text`]: the words of a dissection, written for a language at render time.
//! - [`codec`]: strict parse and emit of Data values.
//! - [`emit`]: strict parse and emit of the APDUs a client and a meter exchange.
//! - [`reassembly`]: link-layer fragments, confirmations, [`reassemble`].
//! - [`session`]: the sans-IO client session.
//! - [`simulator`]: a self-consistent simulated meter.

pub mod apdu;
pub mod codec;
pub mod data;
pub mod dictionary;
pub mod emit;
pub mod link;
pub mod reassembly;
pub mod session;
pub mod simulator;
#[cfg(test)]
mod tests;
pub mod text;

pub use apdu::dissect_apdu;
pub use reassembly::reassemble;

use crate::lang::{LabelTable, Lang};
use crate::model::{Frame, Severity};
use crate::registry::{FrameStatus, Options, Protocol};

/// Registry name.
pub const NAME: &str = "dlt698.45";

/// The DL/T 698.45 protocol for the registry.
pub struct Dlt698;

impl Protocol for Dlt698 {
    fn name(&self) -> &'static str {
        NAME
    }

    fn title(&self, _: Lang) -> &'static str {
        "DL/T 698.45"
    }

    fn frame(&self, bytes: &[u8]) -> FrameStatus {
        link::frame(bytes)
    }

    fn preamble_byte(&self) -> Option<u8> {
        Some(link::WAKE_UP)
    }

    fn may_start(&self, b: u8) -> bool {
        b == link::WAKE_UP || b == link::START
    }

    fn score(&self, frame: &[u8]) -> u8 {
        link::score(frame)
    }

    fn dissect(&self, frame: &[u8], base: usize, opts: &Options) -> Frame {
        link::dissect(frame, base, opts)
    }
}

/// Registry name of bare APDUs (no link layer), as pasted from logs and documents.
pub const APDU_NAME: &str = "dlt698.45-apdu";

/// Largest input tried as one bare APDU.
pub const MAX_BARE_APDU: usize = 8192;

/// DL/T 698.45 APDUs without the link layer. Anchored: tried only at the
/// start of the input and at line starts, one APDU per line.
pub struct Dlt698Apdu;

impl Dlt698Apdu {
    /// The APDU decodes to its last byte with no error.
    fn clean(bytes: &[u8]) -> bool {
        !apdu::dissect_frame(bytes, 0).diagnostics.iter().any(|d| d.severity == Severity::Error)
    }
}

impl Protocol for Dlt698Apdu {
    fn name(&self) -> &'static str {
        APDU_NAME
    }

    fn title(&self, lang: Lang) -> &'static str {
        lang.pick("DL/T 698.45 APDU", "DL/T 698.45 应用层数据单元")
    }

    fn frame(&self, bytes: &[u8]) -> FrameStatus {
        match bytes.first() {
            Some(&t) if apdu::service_name(t).is_some() && bytes.len() <= MAX_BARE_APDU && Self::clean(bytes) => {
                FrameStatus::Complete { preamble: 0, len: bytes.len() }
            }
            _ => FrameStatus::NoMatch,
        }
    }

    fn may_start(&self, b: u8) -> bool {
        apdu::service_name(b).is_some()
    }

    /// Low, so that any framed protocol wins.
    fn score(&self, frame: &[u8]) -> u8 {
        if apdu::dissect_frame(frame, 0).diagnostics.is_empty() { 30 } else { 15 }
    }

    fn anchored(&self) -> bool {
        true
    }

    fn dissect(&self, frame: &[u8], base: usize, _: &Options) -> Frame {
        apdu::dissect_frame(frame, base)
    }
}

/// Labels of every node id this module emits (numeric suffixes stripped).
pub static LABELS: LabelTable = &[
    ("dlt698", "DL/T 698.45 frame", "DL/T 698.45 帧"),
    ("dlt698.address.ca", "Client address (CA)", "客户机地址 CA"),
    ("dlt698.address.sa", "Server address (SA)", "服务器地址 SA"),
    ("dlt698.apdu", "APDU", "应用层数据单元"),
    ("dlt698.apdu.action.delay", "Delay before reading", "延时读取时间"),
    ("dlt698.apdu.action.item", "Method and result", "对象方法及结果"),
    ("dlt698.apdu.action.oad", "Attribute read after", "操作后读取的属性"),
    ("dlt698.apdu.action.omd", "Method (OMD)", "对象方法描述符 OMD"),
    ("dlt698.apdu.action.piid", "PIID", "服务序号-优先级"),
    ("dlt698.apdu.action.return", "Return data flag", "操作返回数据标志"),
    ("dlt698.apdu.choice", "Service variant", "服务类型选择"),
    ("dlt698.apdu.connect.apdu-max", "Maximum APDU size", "最大可处理APDU尺寸"),
    ("dlt698.apdu.connect.ciphertext", "Ciphertext", "密文"),
    ("dlt698.apdu.connect.extension", "Vendor extension", "厂家扩展信息"),
    ("dlt698.apdu.connect.factory", "Factory version", "厂商版本信息"),
    ("dlt698.apdu.connect.function-conformance", "Function conformance", "功能一致性块"),
    ("dlt698.apdu.connect.hardware-date", "Hardware date", "硬件版本日期"),
    ("dlt698.apdu.connect.hardware-version", "Hardware version", "硬件版本号"),
    ("dlt698.apdu.connect.mechanism", "Connect mechanism", "认证请求对象"),
    ("dlt698.apdu.connect.password", "Password", "密码"),
    ("dlt698.apdu.connect.piid", "PIID", "服务序号-优先级"),
    ("dlt698.apdu.connect.protocol-conformance", "Protocol conformance", "协议一致性块"),
    ("dlt698.apdu.connect.receive-max", "Maximum receive frame size", "接收帧最大尺寸"),
    ("dlt698.apdu.connect.result", "Connect result", "认证结果"),
    ("dlt698.apdu.connect.security", "Security data flag", "认证附加信息标志"),
    ("dlt698.apdu.connect.send-max", "Maximum send frame size", "发送帧最大尺寸"),
    ("dlt698.apdu.connect.server-rn", "Server random number", "服务器随机数"),
    ("dlt698.apdu.connect.server-signature", "Server signature", "服务器签名信息"),
    ("dlt698.apdu.connect.signature", "Signature", "签名"),
    ("dlt698.apdu.connect.software-date", "Software date", "软件版本日期"),
    ("dlt698.apdu.connect.software-version", "Software version", "软件版本号"),
    ("dlt698.apdu.connect.timeout", "Connection timeout", "应用连接超时时间"),
    ("dlt698.apdu.connect.vendor", "Vendor code", "厂商代码"),
    ("dlt698.apdu.connect.version", "Protocol version", "协议版本号"),
    ("dlt698.apdu.connect.window", "Maximum window size", "接收窗口大小"),
    ("dlt698.apdu.count", "Count", "个数"),
    ("dlt698.apdu.dar", "Data access result (DAR)", "数据访问结果 DAR"),
    ("dlt698.apdu.error.piid", "PIID-ACD", "服务序号-优先级-ACD"),
    ("dlt698.apdu.error.type", "Error type", "异常类型"),
    ("dlt698.apdu.follow-report", "Follow report", "跟随上报信息域"),
    ("dlt698.apdu.follow-report.choice", "Follow report kind", "跟随上报类型"),
    ("dlt698.apdu.follow-report.flag", "Follow report flag", "跟随上报标志"),
    ("dlt698.apdu.get.answer", "Answer kind", "响应数据类型"),
    ("dlt698.apdu.get.block", "Block number", "分帧序号"),
    ("dlt698.apdu.get.last-block", "Last block received", "最近一次接收的分帧序号"),
    ("dlt698.apdu.get.last-frame", "Last block flag", "末帧标志"),
    ("dlt698.apdu.get.md5", "MD5", "MD5 值"),
    ("dlt698.apdu.get.oad", "Attribute (OAD)", "对象属性描述符 OAD"),
    ("dlt698.apdu.get.piid", "PIID", "服务序号-优先级"),
    ("dlt698.apdu.get.record", "Record read", "记录型对象属性读取"),
    ("dlt698.apdu.item.oad", "Attribute (OAD)", "对象属性描述符 OAD"),
    ("dlt698.apdu.link.heartbeat", "Heartbeat period", "心跳周期"),
    ("dlt698.apdu.link.piid", "PIID", "服务序号-优先级"),
    ("dlt698.apdu.link.receive-time", "Receive time", "收到时间"),
    ("dlt698.apdu.link.request-time", "Request time", "请求时间"),
    ("dlt698.apdu.link.response-time", "Response time", "响应时间"),
    ("dlt698.apdu.link.result", "Result", "结果"),
    ("dlt698.apdu.link.time", "Request time", "请求时间"),
    ("dlt698.apdu.link.type", "Request type", "请求类型"),
    ("dlt698.apdu.proxy.byte-timeout", "Byte timeout", "字节超时时间"),
    ("dlt698.apdu.proxy.command", "Transparent command", "透明转发命令"),
    ("dlt698.apdu.proxy.delay", "Delay before reading", "延时读取时间"),
    ("dlt698.apdu.proxy.frame-timeout", "Frame timeout", "接收等待报文超时时间"),
    ("dlt698.apdu.proxy.item", "Proxied item", "代理对象"),
    ("dlt698.apdu.proxy.oad", "Attribute (OAD)", "对象属性描述符 OAD"),
    ("dlt698.apdu.proxy.piid", "PIID", "服务序号-优先级"),
    ("dlt698.apdu.proxy.port", "Port", "端口通道"),
    ("dlt698.apdu.proxy.response", "Transparent response", "透明转发结果"),
    ("dlt698.apdu.proxy.server", "Target server", "目标服务器"),
    ("dlt698.apdu.proxy.timeout", "Proxy timeout", "代理超时时间"),
    ("dlt698.apdu.record", "Record result", "记录型对象属性及结果"),
    ("dlt698.apdu.record.row", "Record", "记录"),
    ("dlt698.apdu.record.rows", "Record count", "记录条数"),
    ("dlt698.apdu.release.connect-time", "Connection time", "应用连接建立时间"),
    ("dlt698.apdu.release.piid", "PIID", "服务序号-优先级"),
    ("dlt698.apdu.release.result", "Result", "结果"),
    ("dlt698.apdu.release.server-time", "Server time", "服务器当前时间"),
    ("dlt698.apdu.report.oad", "Attribute (OAD)", "对象属性描述符 OAD"),
    ("dlt698.apdu.report.piid", "PIID", "服务序号-优先级"),
    ("dlt698.apdu.report.trans-data", "Transparent data", "透明数据"),
    ("dlt698.apdu.rest", "Undecoded bytes", "未解析字节"),
    ("dlt698.apdu.result", "Attribute and result", "对象属性及结果"),
    ("dlt698.apdu.result.choice", "Result kind", "结果类型"),
    ("dlt698.apdu.result.oad", "Attribute (OAD)", "对象属性描述符 OAD"),
    ("dlt698.apdu.security.choice", "Security data kind", "应用数据单元类型"),
    ("dlt698.apdu.security.ciphertext", "Ciphertext APDU", "密文应用数据单元"),
    ("dlt698.apdu.security.mac-choice", "Verification kind", "数据验证信息类型"),
    ("dlt698.apdu.security.verify", "Verification", "数据验证信息"),
    ("dlt698.apdu.set.delay", "Delay before reading", "延时读取时间"),
    ("dlt698.apdu.set.get-oad", "Attribute read after", "设置后读取的属性"),
    ("dlt698.apdu.set.item", "Attribute and value", "对象属性及数据"),
    ("dlt698.apdu.set.oad", "Attribute (OAD)", "对象属性描述符 OAD"),
    ("dlt698.apdu.set.piid", "PIID", "服务序号-优先级"),
    ("dlt698.apdu.tag", "Service", "应用层服务"),
    ("dlt698.apdu.time-tag", "Time tag", "时间标签"),
    ("dlt698.apdu.time-tag.delay", "Allowed delay", "允许传输延时时间"),
    ("dlt698.apdu.time-tag.flag", "Time tag flag", "时间标签标志"),
    ("dlt698.apdu.time-tag.send-time", "Send time", "发送时标"),
    ("dlt698.csd.choice", "CSD kind", "列选择描述符类型"),
    ("dlt698.csd.oad", "Column (OAD)", "列 OAD"),
    ("dlt698.csd.road", "Column (ROAD)", "列 ROAD"),
    ("dlt698.data", "Data", "数据"),
    ("dlt698.data.array", "array", "数组"),
    ("dlt698.data.bit-string", "bit-string", "位串"),
    ("dlt698.data.bool", "bool", "布尔值"),
    ("dlt698.data.comdcb", "COMDCB", "串口控制块"),
    ("dlt698.data.csd", "CSD", "列选择描述符"),
    ("dlt698.data.date", "date", "日期"),
    ("dlt698.data.date_time", "date_time", "日期时间"),
    ("dlt698.data.date_time_s", "date_time_s", "日期时间(秒)"),
    ("dlt698.data.double-long", "double-long", "32位整数"),
    ("dlt698.data.double-long-unsigned", "double-long-unsigned", "32位无符号整数"),
    ("dlt698.data.enum", "enum", "枚举"),
    ("dlt698.data.float32", "float32", "32位浮点数"),
    ("dlt698.data.float64", "float64", "64位浮点数"),
    ("dlt698.data.integer", "integer", "8位整数"),
    ("dlt698.data.length", "Length", "长度"),
    ("dlt698.data.long", "long", "16位整数"),
    ("dlt698.data.long-unsigned", "long-unsigned", "16位无符号整数"),
    ("dlt698.data.long64", "long64", "64位整数"),
    ("dlt698.data.long64-unsigned", "long64-unsigned", "64位无符号整数"),
    ("dlt698.data.mac", "MAC", "数据安全MAC"),
    ("dlt698.data.ms", "MS", "电能表集合"),
    ("dlt698.data.null", "NULL", "空"),
    ("dlt698.data.oad", "OAD", "对象属性描述符"),
    ("dlt698.data.octet-string", "octet-string", "字节串"),
    ("dlt698.data.oi", "OI", "对象标识"),
    ("dlt698.data.omd", "OMD", "对象方法描述符"),
    ("dlt698.data.rcsd", "RCSD", "记录列选择描述符"),
    ("dlt698.data.region", "Region", "区间"),
    ("dlt698.data.rn", "RN", "随机数"),
    ("dlt698.data.road", "ROAD", "记录型对象属性描述符"),
    ("dlt698.data.rsd", "RSD", "行选择描述符"),
    ("dlt698.data.scaler_unit", "Scaler_Unit", "换算及单位"),
    ("dlt698.data.sid", "SID", "安全标识"),
    ("dlt698.data.sid_mac", "SID_MAC", "安全标识及MAC"),
    ("dlt698.data.structure", "structure", "结构体"),
    ("dlt698.data.ti", "TI", "时间间隔"),
    ("dlt698.data.time", "time", "时间"),
    ("dlt698.data.tsa", "TSA", "目标服务器地址"),
    ("dlt698.data.type", "Type", "数据类型"),
    ("dlt698.data.unsigned", "unsigned", "8位无符号整数"),
    ("dlt698.data.utf8-string", "UTF8-string", "UTF8字符串"),
    ("dlt698.data.visible-string", "visible-string", "可见字符串"),
    ("dlt698.date_time.day", "Day", "日"),
    ("dlt698.date_time.hour", "Hour", "时"),
    ("dlt698.date_time.millis", "Milliseconds", "毫秒"),
    ("dlt698.date_time.minute", "Minute", "分"),
    ("dlt698.date_time.month", "Month", "月"),
    ("dlt698.date_time.second", "Second", "秒"),
    ("dlt698.date_time.week", "Day of week", "星期"),
    ("dlt698.date_time.year", "Year", "年"),
    ("dlt698.fcs", "Frame check sequence (FCS)", "帧校验 FCS"),
    ("dlt698.hcs", "Header check sequence (HCS)", "帧头校验 HCS"),
    ("dlt698.link.af", "Address flag (AF)", "地址标识 AF"),
    ("dlt698.link.af.len", "Server address length", "服务器地址长度"),
    ("dlt698.link.af.logical", "Logical address", "逻辑地址"),
    ("dlt698.link.af.type", "Address type", "地址类型"),
    ("dlt698.link.control", "Control field (C)", "控制域 C"),
    ("dlt698.link.control.dir", "Direction (DIR)", "传输方向位 DIR"),
    ("dlt698.link.control.frag", "Fragmented", "分帧标志位"),
    ("dlt698.link.control.func", "Function code", "功能码"),
    ("dlt698.link.control.prm", "Initiator (PRM)", "启动标志位 PRM"),
    ("dlt698.link.control.sc", "Scrambled (SC)", "扰码标志位 SC"),
    ("dlt698.link.end", "End", "结束符"),
    ("dlt698.link.fragment", "Fragment format", "分帧格式域"),
    ("dlt698.link.fragment.data", "APDU fragment", "APDU 片段"),
    ("dlt698.link.fragment.seq", "Fragment sequence", "分帧序号"),
    ("dlt698.link.fragment.type", "Fragment type", "分帧类型"),
    ("dlt698.link.length", "Length (L)", "长度域 L"),
    ("dlt698.link.start", "Start", "起始符"),
    ("dlt698.ms.choice", "Meter set kind", "电能表集合类型"),
    ("dlt698.oad.attr", "Attribute", "属性"),
    ("dlt698.oad.index", "Element index", "属性内元素索引"),
    ("dlt698.oad.oi", "Object (OI)", "对象标识 OI"),
    ("dlt698.omd.method", "Method", "方法标识"),
    ("dlt698.omd.mode", "Operation mode", "操作模式"),
    ("dlt698.omd.oi", "Object (OI)", "对象标识 OI"),
    ("dlt698.piid.acd", "Access request (ACD)", "请求访问 ACD"),
    ("dlt698.piid.priority", "Priority", "服务优先级"),
    ("dlt698.piid.seq", "Sequence", "服务序号"),
    ("dlt698.region.unit", "Interval kind", "区间类型"),
    ("dlt698.road.count", "Related count", "关联属性个数"),
    ("dlt698.road.oad", "Attribute (OAD)", "对象属性描述符 OAD"),
    ("dlt698.road.related", "Related attribute", "关联对象属性"),
    ("dlt698.rsd.end", "End time", "结束时间"),
    ("dlt698.rsd.last", "Last n", "上第n次"),
    ("dlt698.rsd.oad", "Attribute (OAD)", "对象属性描述符 OAD"),
    ("dlt698.rsd.selector", "Selector", "选择方法"),
    ("dlt698.rsd.selector2", "Selector 2", "选择方法2"),
    ("dlt698.rsd.start", "Start time", "起始时间"),
    ("dlt698.rsd.time", "Time", "时间"),
    ("dlt698.sid.data", "Additional data", "附加数据"),
    ("dlt698.sid.ident", "Identifier", "标识"),
    ("dlt698.sid_mac.mac", "MAC", "数据MAC"),
    ("dlt698.sid_mac.sid", "SID", "安全标识"),
    ("dlt698.trailing", "Trailing bytes", "多余字节"),
    ("dlt698.tsa.address", "Address", "地址"),
    ("dlt698.tsa.flag", "Address flag", "地址标志"),
];
