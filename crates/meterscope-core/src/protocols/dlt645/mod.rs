//! DL/T 645-2007 and DL/T 645-1997: the multi-function meter protocol of China.
//!
//! - [`frame`]: the frame `FE* 68 A0..A5 68 C L DATA CS 16`, its strict codec
//!   ([`frame::Frame645`], typed payloads per function) and the stream framer.
//! - [`dictionary`]: data identifiers by composition (class, quantity, tariff or
//!   phase, period), with names in English and Chinese, formats and units.
//! - [`value`]: the data formats (`XXXXXX.XX`, `YYMMDDhhmm`, ASCII, …).
//! - [`dissect`]: the tolerant dissector behind both registry protocols.
//!
//! Both editions share the frame, so both framers find the same frames and the
//! score decides: a 1997 function code (or a 2-byte identifier where the
//! function does not tell) favours `dlt645-1997`, everything else `dlt645-2007`.

pub mod dictionary;
pub mod dissect;
pub mod equivalents;
pub mod frame;
pub mod session;
pub mod simulator;
pub mod value;

#[cfg(test)]
mod tests;

use crate::lang::{LabelTable, Lang};
use crate::registry::{FrameStatus, Options, Protocol};
pub use frame::{Address, ControlCode, DataId, Direction, Frame645, Password, Payload, Payload1997, Variant};

/// One edition of DL/T 645 as a registry protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dlt645 {
    pub variant: Variant,
}

impl Dlt645 {
    pub const V2007: Dlt645 = Dlt645 { variant: Variant::V2007 };
    pub const V1997: Dlt645 = Dlt645 { variant: Variant::V1997 };
}

/// Both editions, 2007 first (it wins ties).
pub fn protocols() -> Vec<Box<dyn Protocol>> {
    vec![Box::new(Dlt645::V2007), Box::new(Dlt645::V1997)]
}

impl Protocol for Dlt645 {
    fn name(&self) -> &'static str {
        dissect::protocol_name(self.variant)
    }

    fn title(&self, _: Lang) -> &'static str {
        dissect::title(self.variant)
    }

    fn frame(&self, bytes: &[u8]) -> FrameStatus {
        frame::frame_status(bytes)
    }

    fn preamble_byte(&self) -> Option<u8> {
        Some(frame::WAKE_UP)
    }

    fn may_start(&self, b: u8) -> bool {
        b == frame::WAKE_UP || b == frame::START
    }

    /// Both editions frame alike: a walk frames once for both.
    fn framing_key(&self) -> Option<&'static str> {
        Some("dlt645")
    }

    /// Integrity (length, checksum, end byte), weighed by how well the function
    /// code and data shape fit this edition.
    fn score(&self, f: &[u8]) -> u8 {
        let base = frame::integrity(f);
        match (frame::likely_variant(f), self.variant) {
            (Some(v), mine) if v == mine => base,
            (Some(_), _) => (u16::from(base) * 3 / 5) as u8,
            (None, Variant::V2007) => base.saturating_sub(15),
            (None, Variant::V1997) => base.saturating_sub(20),
        }
    }

    fn dissect(&self, f: &[u8], base: usize, opts: &Options) -> crate::model::Frame {
        dissect::dissect(self.variant, f, base, opts)
    }
}

/// Node labels of both editions, sorted by id.
pub static LABELS: LabelTable = &[
    ("dlt645", "DL/T 645 frame", "DL/T 645 帧"),
    ("dlt645.address", "Address", "地址域"),
    ("dlt645.control", "Control code", "控制码"),
    ("dlt645.control.abnormal", "Abnormal reply flag (D6)", "从站异常标志(D6)"),
    ("dlt645.control.dir", "Direction (D7)", "传送方向(D7)"),
    ("dlt645.control.follow", "Follow-up frame flag (D5)", "后续帧标志(D5)"),
    ("dlt645.control.function", "Function code (D4–D0)", "功能码(D4–D0)"),
    ("dlt645.cs", "Checksum CS", "校验码CS"),
    ("dlt645.data", "Data", "数据域"),
    ("dlt645.data.address", "Communication address", "通信地址"),
    ("dlt645.data.baud", "Communication rate feature word", "通信速率特征字"),
    ("dlt645.data.control_type", "Control command N1", "控制命令类型N1"),
    ("dlt645.data.count", "Number of blocks", "负荷记录块数"),
    ("dlt645.data.di", "Data identifier", "数据标识"),
    ("dlt645.data.err", "Error information word", "错误信息字"),
    ("dlt645.data.err.bit", "Error bit", "错误位"),
    ("dlt645.data.extra", "Unexplained data bytes", "未解释的数据字节"),
    ("dlt645.data.field", "Value", "数据项"),
    ("dlt645.data.freeze_time", "Freeze time", "冻结时间"),
    ("dlt645.data.item", "Block item", "数据块元素"),
    ("dlt645.data.new_password", "New password", "新密码"),
    ("dlt645.data.old_password", "Old password", "原密码"),
    ("dlt645.data.operator", "Operator code", "操作者代码"),
    ("dlt645.data.password", "Password", "密码"),
    ("dlt645.data.password.code", "Password P0–P2", "密码P0–P2"),
    ("dlt645.data.password.level", "Password level PA", "密码权限PA"),
    ("dlt645.data.raw", "Raw data", "原始数据"),
    ("dlt645.data.reserved", "Reserved N2", "保留N2"),
    ("dlt645.data.seq", "Frame sequence number", "帧序号"),
    ("dlt645.data.time", "Time", "时间"),
    ("dlt645.data.valid_until", "Command valid until", "命令有效截止时间"),
    ("dlt645.data.value", "Value", "数据"),
    ("dlt645.end", "End delimiter", "结束符"),
    ("dlt645.length", "Data length L", "数据域长度L"),
    ("dlt645.preamble", "Wake-up bytes", "前导字节"),
    ("dlt645.raw", "Unrecognised bytes", "未识别的字节"),
    ("dlt645.start", "Start delimiter", "帧起始符"),
    ("dlt645.start2", "Second start delimiter", "第二个帧起始符"),
    ("dlt645.trailing", "Bytes after the frame", "帧后的字节"),
];
