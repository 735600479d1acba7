//! Interface strings in English and Simplified Chinese.

use meterscope_core::Lang;

/// `(key, English, Chinese)`.
static STRINGS: &[(&str, &str, &str)] = &[
    ("app.tagline", "Smart-meter protocol workbench", "智能电表协议工作台"),
    ("tab.decoder", "Decoder", "解析"),
    ("tab.reader", "Reader", "抄表"),
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
    ("input.error", "Input error", "输入错误"),
    ("bytes", "bytes", "字节"),
    ("permalink", "Permalink", "永久链接"),
    ("theme", "Theme", "主题"),
    (
        "reader.unsupported",
        "This browser has no Web Serial API. Use Chrome or Edge 89+ on a desktop, over https or on localhost, to read meters.",
        "此浏览器不支持 Web Serial API。请在桌面版 Chrome 或 Edge 89+ 中通过 https 或 localhost 打开以抄读电表。",
    ),
    (
        "reader.insecure",
        "Web Serial needs a secure context: open this page over https or on localhost.",
        "Web Serial 需要安全上下文：请通过 https 或 localhost 打开此页面。",
    ),
    ("reader.connect", "Connect…", "连接…"),
    ("reader.disconnect", "Disconnect", "断开"),
    ("reader.baud", "Baud", "波特率"),
    ("reader.parity", "Parity", "校验位"),
    ("reader.send", "Send", "发送"),
    ("reader.trace", "Raw trace", "原始报文"),
    ("reader.decode", "Decode", "解析"),
    ("reader.connected", "Connected", "已连接"),
    ("reader.disconnected", "Not connected", "未连接"),
    ("reader.tx", "TX", "发"),
    ("reader.rx", "RX", "收"),
    ("reader.clear", "Clear", "清空"),
    ("reader.protocol", "Protocol", "协议"),
    ("reader.demo", "Demo meter (in this page)", "演示电表（页面内）"),
    ("reader.serial", "Serial port", "串口"),
    ("reader.find", "Find meter", "查找电表"),
    ("reader.read", "Read", "读取"),
    ("reader.read_clock", "Read clock", "读时钟"),
    ("reader.sync_clock", "Sync clock", "广播校时"),
    ("reader.cancel", "Cancel", "取消"),
    ("reader.dis", "Data identifiers", "数据标识"),
    ("reader.meter", "Meter address", "电表地址"),
    ("reader.clock", "Meter clock", "电表时钟"),
    ("reader.synced", "Time broadcast sent:", "已广播校时："),
    ("reader.done", "Done in", "完成，用时"),
    ("reader.results", "Readings", "读数"),
    ("reader.connect.first", "Connect a port first.", "请先连接串口。"),
    ("keys.title", "DLMS keys (stay in this tab)", "DLMS 密钥（仅保存在此页面）"),
    ("keys.cipher", "Cipher key", "加密密钥"),
    ("keys.auth", "Authentication key", "认证密钥"),
    ("keys.title_field", "System title", "系统标题"),
    ("keys.test", "Green Book test keys", "绿皮书测试密钥"),
    ("keys.clear", "Clear keys", "清除密钥"),
    (
        "keys.hint",
        "Used to decrypt ciphered DLMS APDUs and encrypted P1 telegrams. Never put in the link or stored.",
        "用于解密 DLMS 加密 APDU 和加密 P1 报文。不会写入链接，也不会被保存。",
    ),
    ("copy.json", "Copy JSON", "复制 JSON"),
    ("download.json", "Download JSON", "下载 JSON"),
    ("open.file", "Open file…", "打开文件…"),
];

pub fn t(lang: Lang, key: &str) -> &'static str {
    STRINGS.iter().find(|(k, _, _)| *k == key).map(|(_, en, zh)| lang.pick(en, zh)).unwrap_or("?")
}

/// All keys (for the test that every key has both languages).
pub fn keys() -> impl Iterator<Item = &'static str> {
    STRINGS.iter().map(|(k, _, _)| *k)
}
