//! Interface strings in English and Simplified Chinese.

use meterscope_core::Lang;

/// `(key, English, Chinese)`.
static STRINGS: &[(&str, &str, &str)] = &[
    ("app.title", "meterscope: smart-meter protocol workbench", "meterscope：智能电表协议工作台"),
    ("theme.auto", "as the system", "跟随系统"),
    ("theme.dark", "dark", "深色"),
    ("theme.light", "light", "浅色"),
    ("copy.done", "Copied", "已复制"),
    ("copy.failed", "Copy failed", "复制失败"),
    ("mark.bad", "check failed", "校验错误"),
    ("mark.error", "error", "错误"),
    ("mark.warning", "warning", "警告"),
    ("sev.error", "error", "错误"),
    ("sev.warning", "warning", "警告"),
    ("sev.info", "info", "提示"),
    ("offset", "offset", "偏移"),
    ("length", "length", "长度"),
    ("tree.expand", "Expand", "展开"),
    ("tree.collapse", "Collapse", "折叠"),
    ("hex.help", "offsets in decimal · arrows move, shift extends", "偏移为十进制 · 方向键移动，Shift 扩展选择"),
    ("junk.preamble", "preamble", "前导字节"),
    ("junk.unrecognised", "unrecognised", "无法识别"),
    ("app.tagline", "Smart-meter protocol workbench", "智能电表协议工作台"),
    ("tab.decoder", "Decoder", "解析"),
    ("tab.reader", "Reader", "抄表"),
    ("reader.loading", "Loading the reader…", "正在加载抄表模块…"),
    ("reader.load_failed", "The reader could not be loaded", "无法加载抄表模块"),
    (
        "input.label",
        "Frame bytes: hex in any shape, hexdump, base64 or a text telegram",
        "帧数据：任意格式的十六进制、hexdump、base64 或文本报文",
    ),
    (
        "input.placeholder",
        "Paste hex here, e.g. 68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AE 16",
        "在此粘贴十六进制，例如 68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AE 16",
    ),
    ("protocol.auto", "auto-detect", "自动识别"),
    ("protocol.label", "Protocol", "协议"),
    ("frames", "Frames", "帧"),
    ("tree", "Fields", "字段"),
    ("hex", "Bytes", "字节"),
    ("checks", "Checks", "校验"),
    ("diagnostics", "Diagnostics", "诊断"),
    ("junk", "Skipped bytes", "跳过的字节"),
    ("valid", "valid", "有效"),
    ("invalid", "not valid", "无效"),
    ("ok", "ok", "正确"),
    ("incorrect", "incorrect, should be", "错误，应为"),
    ("stated", "stated", "报文值"),
    ("computed", "computed", "计算值"),
    ("empty", "Paste or type bytes to decode them.", "粘贴或输入字节以解析。"),
    ("decoder.loading", "Loading the decoder…", "正在加载解析器…"),
    ("decoder.failed", "The decoder could not be loaded", "无法加载解析器"),
    ("input.error", "Input error", "输入错误"),
    ("bytes", "bytes", "字节"),
    ("permalink", "Permalink", "永久链接"),
    ("theme", "Theme", "主题"),
    ("keys.title", "Keys: DLMS, P1, wireless M-Bus (stay in this tab)", "密钥：DLMS、P1、无线 M-Bus（仅保存在此页面）"),
    ("keys.cipher", "Cipher key", "加密密钥"),
    ("keys.auth", "Authentication key", "认证密钥"),
    ("keys.title_field", "System title", "系统标题"),
    ("keys.test", "Green Book test keys", "绿皮书测试密钥"),
    ("keys.clear", "Clear keys", "清除密钥"),
    (
        "keys.hint",
        "Used to decrypt ciphered DLMS APDUs, encrypted P1 telegrams and wireless M-Bus telegrams (the cipher key). Never put in the link or stored.",
        "用于解密 DLMS 加密 APDU、加密 P1 报文和无线 M-Bus 报文（加密密钥）。不会写入链接，也不会被保存。",
    ),
    ("copy.json", "Copy JSON", "复制 JSON"),
    ("download.json", "Download JSON", "下载 JSON"),
    ("open.file", "Open file…", "打开文件…"),
    ("filter.label", "Filter frames", "筛选帧"),
    (
        "filter.placeholder",
        "e.g. dlt645 invalid, dlt698.oad=40000200, !dlms, \"several words\"",
        "例如 dlt645 invalid、dlt698.oad=40000200、!dlms、\"多个词\"",
    ),
    ("filter.kept", "frames kept", "帧符合"),
    ("filter.error", "Filter error", "筛选条件错误"),
    ("filter.at", "at character", "位于第几个字符："),
    ("filter.on_value", "Filter on this value", "按此值筛选"),
    (
        "big.filter_placeholder",
        "by protocol and validity, e.g. dlms invalid, !dlt645",
        "按协议和有效性，例如 dlms invalid、!dlt645",
    ),
    (
        "big.filter_fields",
        "A long log is split without its fields: here the filter keeps frames by protocol and validity only; field and text terms are not applied.",
        "长日志分帧时不解析字段：此处筛选只按协议和有效性，字段和文本条件不生效。",
    ),
    ("a quote is not closed", "a quote is not closed", "引号未闭合"),
    ("'!' must stand before a term", "'!' must stand before a term", "“!” 之后须有筛选条件"),
    ("a field id must stand before '='", "a field id must stand before '='", "“=” 之前须有字段 id"),
    ("capture.title", "Capture", "抓包"),
    ("capture.packets", "packets: ", "数据包："),
    ("capture.streams", "streams with payload: ", "有载荷的流："),
    ("capture.stream", "stream", "流"),
    ("log.line", "line", "行"),
    ("capture.error", "This capture cannot be read", "无法读取此抓包文件"),
    ("capture.at", "at byte", "位于字节"),
    // Reader page: protocols, line presets, flows, polling, replay.
    // Decoder page: inspector, copy, examples, reassembly, large inputs, keyboard.
    ("inspector", "Selection", "选中字节"),
    (
        "inspector.hint",
        "Click a byte or a field; shift-click extends the selection.",
        "点击字节或字段；按住 Shift 点击可扩展选区。",
    ),
    ("examples", "Examples…", "示例…"),
    ("copy.value", "Copy value", "复制值"),
    ("copy.bytes", "Copy bytes", "复制字节"),
    ("copy.subtree", "Copy subtree", "复制子树"),
    ("copy.c", "Copy as C array", "复制为 C 数组"),
    ("copy.id", "Copy field id", "复制字段标识"),
    ("sums", "Checksums of the selection", "选区的校验和"),
    ("sums.wire", "on the wire: ", "线上字节："),
    ("tree.tools", "Problems and tree", "问题与字段树"),
    // Tools around the bytes: the frame builder and the comparison.
    ("tools", "Tools", "工具"),
    ("hex.mode", "Show the bytes as", "字节显示方式"),
    ("hex.mode.hex", "Hex", "十六进制"),
    ("hex.mode.text", "Text", "文本"),
    ("builder", "Frame builder", "构帧工具"),
    (
        "builder.hint",
        "Edit the bytes or any field; lengths and checks are filled in for the protocol.",
        "编辑字节或任一字段；长度和校验按协议自动填写。",
    ),
    ("builder.from_screen", "Start from the frame on screen", "从当前帧开始"),
    ("builder.bytes", "Bytes", "字节"),
    ("builder.empty", "Type or paste the bytes of a frame.", "输入或粘贴一帧的字节。"),
    ("builder.right", "already right", "原本正确"),
    ("builder.valid", "✓ valid frame", "✓ 有效帧"),
    ("builder.invalid", "✗ not a valid frame", "✗ 不是有效帧"),
    ("builder.field", "Field", "字段"),
    ("builder.value", "Value", "值"),
    ("builder.hex", "Bytes (edit)", "字节（可编辑）"),
    ("builder.decode", "Decode in the page", "在页面中解析"),
    ("compare", "Compare two frames", "对比两帧"),
    ("compare.a", "Frame A", "帧 A"),
    ("compare.b", "Frame B", "帧 B"),
    ("compare.builder", "the builder's frame", "构帧工具中的帧"),
    ("compare.only", "only differences", "只看差异"),
    ("compare.fields", "fields differ", "个字段不同"),
    ("compare.bytes", "bytes differ", "个字节不同"),
    (
        "compare.hint",
        "Choose two frames: paste a request and its reply, or use the builder's frame.",
        "选择两帧：粘贴请求及其应答，或使用构帧工具中的帧。",
    ),
    ("problems.none", "no errors or warnings", "没有错误或警告"),
    ("problems.errors", "errors: ", "错误："),
    ("problems.warnings", "warnings: ", "警告："),
    ("problems.prev", "Previous problem", "上一个问题"),
    ("problems.next", "Next problem", "下一个问题"),
    ("tree.expand_all", "Expand all", "全部展开"),
    ("tree.collapse_all", "Collapse all", "全部折叠"),
    ("copy.text", "Copy text", "复制文本"),
    ("download.text", "Download text", "下载文本"),
    ("more.frames", "more frames not shown", "个帧未显示"),
    ("more.junk", "more skipped ranges not shown", "段跳过的字节未显示"),
    ("more.bytes", "more bytes not shown", "个字节未显示"),
    ("more.nodes", "more fields not shown", "个字段未显示"),
    ("show.all", "Show all", "全部显示"),
    ("big.working", "splitting into frames in the background…", "正在后台分帧…"),
    ("big.cancel", "Cancel", "取消"),
    ("big.close", "Close", "关闭"),
    ("big.frames", "frames", "帧"),
    ("big.junk", "skipped runs", "段跳过的字节"),
    ("big.worker", "split in a worker in", "后台分帧用时"),
    ("big.checking", "dissecting every frame…", "正在逐帧解析…"),
    ("big.checked", "every frame dissected in", "逐帧解析用时"),
    ("big.stop_check", "Stop", "停止"),
    ("big.unchecked", "not checked", "未检查"),
    ("big.stopped", "dissection stopped; frames checked", "逐帧解析已停止，已检查帧数"),
    ("big.problems", "Only frames that are not valid, and skipped bytes", "只显示无效帧和跳过的字节"),
    ("big.pasted", "pasted text", "粘贴的文本"),
    ("check.ok", "correct", "正确"),
    ("check.mismatch", "mismatch", "不匹配"),
    (
        "keys.help",
        "↑↓ rows · ←→ collapse/expand · Enter select · Esc clear · / input · n/p next/previous problem",
        "↑↓ 移动 · ←→ 折叠/展开 · Enter 选中 · Esc 清除 · / 输入框 · n/p 下一个/上一个问题",
    ),
    // Reader: granted ports, unplug and re-plug, DTR/RTS, echo count, port help.
];

pub fn t(lang: Lang, key: &str) -> &'static str {
    STRINGS.iter().find(|(k, _, _)| *k == key).map(|(_, en, zh)| lang.pick(en, zh)).unwrap_or("?")
}

/// All keys (for the test that every key has both languages).
pub fn keys() -> impl Iterator<Item = &'static str> {
    STRINGS.iter().map(|(k, _, _)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ui_string_is_bilingual() {
        for k in keys() {
            assert_ne!(t(Lang::En, k), "?");
            assert!(t(Lang::Zh, k).chars().any(|c| c as u32 > 0x2E80), "{k}");
        }
    }
}
