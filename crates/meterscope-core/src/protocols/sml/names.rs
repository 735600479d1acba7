//! The words of SML 1.04: message body tags, attention numbers, abort
//! codes, the status word's energy direction, server ids. Written when a
//! dissection is rendered.

use core::fmt;

use crate::lang::Lang;
use crate::session::DateTime;

/// Message body tags (SML_MessageBody choice), English and Chinese names. Sorted by tag.
pub static BODIES: &[(u32, &str, &str)] = &[
    (0x0100, "SML_PublicOpen.Req (OpenRequest)", "SML_PublicOpen.Req（打开请求）"),
    (0x0101, "SML_PublicOpen.Res (OpenResponse)", "SML_PublicOpen.Res（打开响应）"),
    (0x0200, "SML_PublicClose.Req (CloseRequest)", "SML_PublicClose.Req（关闭请求）"),
    (0x0201, "SML_PublicClose.Res (CloseResponse)", "SML_PublicClose.Res（关闭响应）"),
    (0x0300, "SML_GetProfilePack.Req (GetProfilePackRequest)", "SML_GetProfilePack.Req（读负荷曲线包请求）"),
    (0x0301, "SML_GetProfilePack.Res (GetProfilePackResponse)", "SML_GetProfilePack.Res（读负荷曲线包响应）"),
    (0x0400, "SML_GetProfileList.Req (GetProfileListRequest)", "SML_GetProfileList.Req（读负荷曲线列表请求）"),
    (0x0401, "SML_GetProfileList.Res (GetProfileListResponse)", "SML_GetProfileList.Res（读负荷曲线列表响应）"),
    (0x0500, "SML_GetProcParameter.Req (GetProcParameterRequest)", "SML_GetProcParameter.Req（读参数请求）"),
    (0x0501, "SML_GetProcParameter.Res (GetProcParameterResponse)", "SML_GetProcParameter.Res（读参数响应）"),
    (0x0600, "SML_SetProcParameter.Req (SetProcParameterRequest)", "SML_SetProcParameter.Req（设置参数请求）"),
    (0x0601, "SML_SetProcParameter.Res (SetProcParameterResponse)", "SML_SetProcParameter.Res（设置参数响应）"),
    (0x0700, "SML_GetList.Req (GetListRequest)", "SML_GetList.Req（读列表请求）"),
    (0x0701, "SML_GetList.Res (GetListResponse)", "SML_GetList.Res（读列表响应）"),
    (0x0800, "SML_GetCosem.Req (GetCosemRequest)", "SML_GetCosem.Req（读 COSEM 请求）"),
    (0x0801, "SML_GetCosem.Res (GetCosemResponse)", "SML_GetCosem.Res（读 COSEM 响应）"),
    (0x0900, "SML_SetCosem.Req (SetCosemRequest)", "SML_SetCosem.Req（设置 COSEM 请求）"),
    (0x0901, "SML_SetCosem.Res (SetCosemResponse)", "SML_SetCosem.Res（设置 COSEM 响应）"),
    (0x0A00, "SML_ActionCosem.Req (ActionCosemRequest)", "SML_ActionCosem.Req（COSEM 操作请求）"),
    (0x0A01, "SML_ActionCosem.Res (ActionCosemResponse)", "SML_ActionCosem.Res（COSEM 操作响应）"),
    (0xFF01, "SML_Attention.Res (AttentionResponse)", "SML_Attention.Res（提示响应）"),
];

/// The row of a body tag.
pub fn body(tag: u32) -> Option<&'static (u32, &'static str, &'static str)> {
    BODIES.binary_search_by_key(&tag, |r| r.0).ok().map(|i| &BODIES[i])
}

/// Attention numbers `81 81 C7 C7 FD xx` / `FE xx`: the last two bytes and their meaning. Sorted.
pub static ATTENTIONS: &[(u16, &str, &str)] = &[
    (0xFD00, "OK, positive acknowledgement", "正确，肯定确认"),
    (0xFD01, "OK, the acknowledgement will follow later", "正确，确认稍后发送"),
    (0xFE00, "Error: unknown or unspecified", "错误：未知或未指明"),
    (0xFE01, "Error: unknown SML identifier", "错误：未知的 SML 标识符"),
    (0xFE02, "Error: user or password not authorised", "错误：用户或密码未获授权"),
    (0xFE03, "Error: serverId not available", "错误：serverId 不可用"),
    (0xFE04, "Error: reqFileId not available", "错误：reqFileId 不可用"),
    (0xFE05, "Error: one or more target attributes cannot be written", "错误：一个或多个目标属性不可写"),
    (0xFE06, "Error: one or more target attributes cannot be read", "错误：一个或多个目标属性不可读"),
    (0xFE07, "Error: communication with the measuring point disturbed", "错误：与计量点的通信受到干扰"),
    (0xFE08, "Error: raw data cannot be interpreted", "错误：原始数据无法解释"),
    (0xFE09, "Error: value out of the permitted range", "错误：数值超出允许范围"),
    (0xFE0A, "Error: request not carried out", "错误：请求未执行"),
    (0xFE0B, "Error: checksum wrong", "错误：校验和错误"),
    (0xFE0C, "Error: broadcast not supported", "错误：不支持广播"),
    (0xFE0D, "Error: unexpected SML message", "错误：意外的 SML 消息"),
    (0xFE0E, "Error: unknown object in the load profile", "错误：负荷曲线中有未知对象"),
    (0xFE0F, "Error: data type not supported", "错误：不支持的数据类型"),
    (0xFE10, "Error: optional element not supported", "错误：不支持的可选元素"),
    (0xFE11, "Error: the requested load profile has no entry", "错误：所请求的负荷曲线没有记录"),
    (0xFE12, "Error: end limit before start limit", "错误：结束界限早于开始界限"),
    (0xFE13, "Error: no entries in the requested range", "错误：所请求的范围内没有记录"),
    (0xFE14, "Error: SML file without close", "错误：SML 文件没有关闭消息"),
    (0xFE15, "Error: profile cannot be read at the moment", "错误：负荷曲线暂时无法读取"),
];

/// The meaning of an attention number (six bytes packed big-endian).
pub fn attention(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let prefix = code >> 16 == 0x8181_C7C7;
    let row = ATTENTIONS.binary_search_by_key(&((code & 0xFFFF) as u16), |r| r.0).ok().map(|i| &ATTENTIONS[i]);
    match row {
        Some((_, en, zh)) if prefix => w.write_str(lang.pick(en, zh)),
        _ => w.write_str(lang.pick("manufacturer-specific or unknown attention number", "厂家自定义或未知的提示号")),
    }
}

/// abortOnError values.
pub fn abort(v: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    w.write_str(match v {
        0x00 => lang.pick("continue", "继续"),
        0x01 => lang.pick("continue with the next group", "从下一组继续"),
        0x02 => lang.pick("finish the current group, then abort", "完成当前组后中止"),
        0xFF => lang.pick("abort at once", "立即中止"),
        _ => lang.pick("undefined value", "未定义的值"),
    })
}

/// A UTC time stamp (seconds since 1970-01-01).
pub fn timestamp(secs: u64, _: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    write!(w, "{} UTC", DateTime::from_unix(secs as i64))
}

/// A manufacturer's FLAG id, three letters packed big-endian.
pub fn flag(v: u64, _: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    (0..3).rev().try_for_each(|k| w.write_char(char::from((v >> (8 * k)) as u8)))
}

/// The parts of a server id the dissector explains: medium, manufacturer
/// (FLAG), fabrication block, serial number; `None` when the id is not the
/// 10-byte form (type `0A`, and `09` as eBZ meters send it).
pub fn server_id(id: &[u8]) -> Option<(u8, [u8; 3], u8, u32)> {
    let flag = |b: &[u8]| b.iter().all(|c| c.is_ascii_uppercase());
    match id {
        [0x09 | 0x0A, medium, a, b, c, block, s @ ..] if flag(&[*a, *b, *c]) && s.len() == 4 => {
            Some((*medium, [*a, *b, *c], *block, u32::from_be_bytes([s[0], s[1], s[2], s[3]])))
        }
        _ => None,
    }
}

/// Bit 5 of the status word of the energy registers (FNN, EDL 1.0): the
/// direction of the energy flow, −A (delivery) when set.
pub const DIRECTION_BIT: u64 = 1 << 5;
