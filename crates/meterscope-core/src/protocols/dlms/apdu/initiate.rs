//! The InitiateRequest and InitiateResponse of the association, with the
//! conformance bits named.

use super::*;

/// The 24 conformance bits (bit 0 is the first bit of the bit string).
pub static CONFORMANCE: [&str; 24] = [
    "reserved-zero",
    "general-protection",
    "general-block-transfer",
    "read",
    "write",
    "unconfirmed-write",
    "delta-value-encoding",
    "reserved-seven",
    "attribute0-supported-with-set",
    "priority-mgmt-supported",
    "attribute0-supported-with-get",
    "block-transfer-with-get-or-read",
    "block-transfer-with-set-or-write",
    "block-transfer-with-action",
    "multiple-references",
    "information-report",
    "data-notification",
    "access",
    "parameterized-access",
    "get",
    "set",
    "selective-access",
    "event-notification",
    "action",
];

/// Names of the conformance bits set in a 24-bit block.
pub fn conformance_names(bits: u32) -> Vec<&'static str> {
    (0..24).filter(|i| bits & (1 << (23 - i)) != 0).map(|i| CONFORMANCE[i]).collect()
}

/// The names of the conformance bits set in a packed 24-bit block, joined.
pub(super) fn conformance_text(bits: u64, _: Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    for (i, name) in conformance_names(bits as u32).iter().enumerate() {
        if i > 0 {
            w.write_str(", ")?;
        }
        w.write_str(name)?;
    }
    Ok(())
}

/// xDLMS InitiateRequest (0x01) or InitiateResponse (0x08), into `root`.
pub fn initiate(cx: &mut Cx, rd: &mut Rd, root: NodeRef) -> Option<()> {
    let start = rd.at();
    let (tn, t) = byte(cx, rd, root, "dlms.initiate.tag", NodeKind::Control)?;
    let request = t == 0x01;
    let name = if request { "InitiateRequest" } else { "InitiateResponse" };
    cx.set(tn).value(byte_msg(t)).text(Msg::Str(name));
    cx.set(root).value(Msg::Str(name));
    if request {
        let (_, present) = byte(cx, rd, root, "dlms.initiate.dedicated-key-flag", NodeKind::Control)?;
        if present != 0 {
            octets(cx, rd, root, "dlms.initiate.dedicated-key")?;
        }
        let (_, present) = byte(cx, rd, root, "dlms.initiate.response-allowed-flag", NodeKind::Control)?;
        if present != 0 {
            let (n, v) = byte(cx, rd, root, "dlms.initiate.response-allowed", NodeKind::Data)?;
            cx.set(n).value(bool_msg(v != 0));
        } else {
            let at = rd.at();
            cx.add(root, "dlms.initiate.response-allowed", Span::at(at, 0))
                .value(Msg::Str("true"))
                .text(crate::msg!("default", "默认值"));
        }
    }
    let (_, present) = byte(cx, rd, root, "dlms.initiate.qos-flag", NodeKind::Control)?;
    if present != 0 {
        byte(cx, rd, root, "dlms.initiate.qos", NodeKind::Data)?;
    }
    byte(cx, rd, root, "dlms.initiate.version", NodeKind::Data)?;
    // Conformance: [APPLICATION 31] IMPLICIT BIT STRING (SIZE 24): 5F 1F 04 00 b0 b1 b2.
    let at = rd.at();
    let c = need!(cx, rd, rd.take(7));
    let bits = u32::from_be_bytes([0, c[4], c[5], c[6]]);
    let cn = cx
        .add(root, "dlms.initiate.conformance", rd.since(at))
        .kind(NodeKind::Control)
        .value(Msg::HexNum { value: bits.into(), digits: 6 })
        .text(Msg::Code(conformance_text, bits.into()))
        .index();
    if c[0] != 0x5F || c[1] != 0x1F || c[2] != 0x04 {
        cx.error(
            Span::at(at, 3),
            "dlms.initiate.conformance.tag",
            &("the conformance block starts with 5F 1F 04", "一致性块应以 5F 1F 04 开始"),
        );
    }
    for (i, name) in CONFORMANCE.iter().enumerate() {
        if bits & (1 << (23 - i)) != 0 {
            cx.add(cn, Id::Indexed("dlms.initiate.conformance.bit", i as u32), Span::at(at + 4 + i / 8, 1))
                .value(Msg::Str(name));
        }
    }
    u16_field(cx, rd, root, "dlms.initiate.max-pdu")?;
    if !request {
        let (n, v) = u16_field(cx, rd, root, "dlms.initiate.vaa-name")?;
        let text = match v {
            0x0007 => crate::msg!("logical names", "逻辑名"),
            0xFA00 => crate::msg!("short names", "短名"),
            _ => Msg::Str(""),
        };
        cx.set(n).value(Msg::HexNum { value: v.into(), digits: 4 }).text(text);
    }
    cx.set(root).span(rd.since(start));
    Some(())
}
