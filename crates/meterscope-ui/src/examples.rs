//! The examples gallery: one or more frames for every protocol, valid and
//! broken, each filling the decoder input. Every example is decoded in this
//! crate's tests (`examples_tests.rs`), so a frame here never rots.

/// One example: stable id, English and Chinese titles, input text.
pub struct Example {
    pub id: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
    pub input: &'static str,
}

pub static EXAMPLES: &[Example] = &[
    Example {
        id: "645-read",
        en: "DL/T 645-2007: read energy (request)",
        zh: "DL/T 645-2007：读电能（请求）",
        input: "FE FE FE FE 68 12 90 78 56 34 12 68 11 04 33 33 34 33 68 16",
    },
    Example {
        id: "645-reply",
        en: "DL/T 645-2007: energy reply",
        zh: "DL/T 645-2007：电能应答",
        input: "68 76 02 02 47 02 02 68 91 08 33 33 34 33 35 33 33 33 C9 16",
    },
    Example {
        id: "645-voltage",
        en: "DL/T 645-2007: phase voltages",
        zh: "DL/T 645-2007：三相电压",
        input: "68 12 00 00 00 10 20 68 91 0A 33 32 34 35 89 55 32 32 32 32 21 16",
    },
    Example {
        id: "645-1997",
        en: "DL/T 645-1997: read",
        zh: "DL/T 645-1997：读数据",
        input: "68 12 90 78 56 34 12 68 01 02 43 C3 8F 16",
    },
    Example {
        id: "645-bad-cs",
        en: "Broken: 645 wrong checksum and length",
        zh: "错误：645 校验和与长度错误",
        input: "FE FE FE FE 68 66 55 44 33 22 11 68 91 09 33 33 34 33 97 3C 33 33 0B 16",
    },
    Example {
        id: "645-bad-bcd",
        en: "Broken: 645 bad BCD value",
        zh: "错误：645 非法 BCD 数值",
        input: "68 12 90 78 56 34 12 68 91 08 33 33 34 33 4C DD 33 35 7D 16",
    },
    Example {
        id: "698-get",
        en: "DL/T 698.45: GET clock (request)",
        zh: "DL/T 698.45：读时钟（请求）",
        input: "68 17 00 43 05 12 90 78 56 34 12 00 A3 2E 05 01 01 40 00 02 00 00 7D 1B 16",
    },
    Example {
        id: "698-energy",
        en: "DL/T 698.45: energy reply",
        zh: "DL/T 698.45：电能应答",
        input: "68 22 00 C3 05 00 00 00 00 00 00 00 AE 25 85 01 00 00 10 04 01 01 15 00 00 00 00 00 BC 61 4E 00 00 62 BB 16",
    },
    Example {
        id: "698-set",
        en: "DL/T 698.45: SET clock",
        zh: "DL/T 698.45：设置时钟",
        input: "68 1F 00 43 05 08 00 00 00 00 00 10 B5 0B 06 01 04 40 00 02 00 1C 07 E0 09 0B 12 1E 00 00 05 69 16",
    },
    Example {
        id: "698-truncated",
        en: "Broken: 698.45 frame cut short",
        zh: "错误：698.45 帧被截断",
        input: "68 17 00 43 05 00 00 00 00 00 00 00 72 79 05 01 00 00 10",
    },
    Example {
        id: "698-fragments",
        en: "DL/T 698.45: four link fragments",
        zh: "DL/T 698.45：四个链路分帧",
        input: "68 1B 00 E3 05 12 90 78 56 34 12 10 33 EF 00 00 85 01 01 00 10 02 00 01 01 05 F4 1B 16\n68 1B 00 E3 05 12 90 78 56 34 12 10 33 EF 01 C0 06 00 00 12 34 06 00 00 01 00 BD EC 16\n68 1B 00 E3 05 12 90 78 56 34 12 10 33 EF 02 C0 06 00 00 02 00 06 00 00 03 00 56 3A 16\n68 18 00 E3 05 12 90 78 56 34 12 10 80 11 03 40 06 00 00 04 00 00 00 03 96 16",
    },
    Example {
        id: "698-fragment-missing",
        en: "Broken: 698.45 fragments, one missing",
        zh: "错误：698.45 分帧缺少一帧",
        input: "68 1B 00 E3 05 12 90 78 56 34 12 10 33 EF 00 00 85 01 01 00 10 02 00 01 01 05 F4 1B 16\n68 1B 00 E3 05 12 90 78 56 34 12 10 33 EF 01 C0 06 00 00 12 34 06 00 00 01 00 BD EC 16\n68 18 00 E3 05 12 90 78 56 34 12 10 80 11 03 40 06 00 00 04 00 00 00 03 96 16",
    },
    Example {
        id: "hdlc-aarq",
        en: "DLMS HDLC: AARQ",
        zh: "DLMS HDLC：AARQ",
        input: "7E A0 2C 02 23 21 10 AF 9F E6 E6 00 60 1D A1 09 06 07 60 85 74 05 08 01 01 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 00 1E 1D FF FF C5 E4 7E",
    },
    Example {
        id: "hdlc-segments",
        en: "DLMS HDLC: load profile in three segments",
        zh: "DLMS HDLC：负荷曲线分三段传输",
        // Built by the core's HDLC encoder (test `example_frames_for_the_decoder_page`).
        input: "7E A0 1A 02 23 21 10 E6 70 E6 E6 00 C0 01 C1 00 07 01 00 63 01 00 FF 02 00 54 89 7E\n7E A8 5A 21 02 23 30 57 71 E6 E7 00 C4 01 C1 00 01 08 02 03 09 0C 07 E8 05 11 05 0A 00 00 00 80 00 00 06 00 12 D4 50 06 00 00 DA C0 02 03 09 0C 07 E8 05 11 05 0A 0F 00 00 80 00 00 06 00 12 D5 4A 06 00 00 DA C3 02 03 09 0C 07 E8 05 11 05 0A 1E 00 00 80 00 00 06 00 12 B7 13 7E\n7E A0 08 02 23 21 31 A5 E2 7E\n7E A8 5A 21 02 23 32 45 52 D6 44 06 00 00 DA C6 02 03 09 0C 07 E8 05 11 05 0A 2D 00 00 80 00 00 06 00 12 D7 3E 06 00 00 DA C9 02 03 09 0C 07 E8 05 11 05 0B 00 00 00 80 00 00 06 00 12 D8 38 06 00 00 DA CC 02 03 09 0C 07 E8 05 11 05 0B 0F 00 00 80 00 00 06 00 12 D9 32 DB C1 7E\n7E A0 08 02 23 21 51 A3 81 7E\n7E A0 43 21 02 23 34 0F F3 06 00 00 DA CF 02 03 09 0C 07 E8 05 11 05 0B 1E 00 00 80 00 00 06 00 12 DA 2C 06 00 00 DA D2 02 03 09 0C 07 E8 05 11 05 0B 2D 00 00 80 00 00 06 00 12 DB 26 06 00 00 DA D5 74 37 7E",
    },
    Example {
        id: "hdlc-bad-fcs",
        en: "Broken: HDLC wrong FCS",
        zh: "错误：HDLC 帧校验错误",
        input: "7E A0 08 02 23 21 93 BD 65 7E",
    },
    Example {
        id: "wrapper",
        en: "DLMS wrapper: GET float32",
        zh: "DLMS wrapper：读 float32",
        input: "00 01 00 10 00 01 00 0D C0 01 C1 00 03 01 00 00 07 00 FF 02 00\n00 01 00 01 00 10 00 09 C4 01 C1 00 17 42 CA 00 00",
    },
    Example {
        id: "iec21",
        en: "IEC 62056-21: sign-on",
        zh: "IEC 62056-21：登录请求",
        input: "2F 3F 34 35 36 37 38 39 30 33 21 0D 0A",
    },
    Example {
        id: "dsmr",
        en: "DSMR P1 telegram",
        zh: "DSMR P1 报文",
        input: "/NWA-WARMTELINK\r\n\r\n1-3:0.2.8(50)\r\n0-0:1.0.0(260215200523W)\r\n0-0:96.1.1(ADC3100000158491)\r\n0-0:96.13.1()\r\n0-0:96.13.0()\r\n0-1:24.1.0(004)\r\n0-1:96.1.0(621848012D2C0B0C)\r\n0-1:24.2.1(260215200523W)(240.860*GJ)\r\n!B9F\r\n",
    },
    Example {
        id: "1376.1-relay-645",
        en: "Q/GDW 1376.1: relayed DL/T 645 energy (AFN 10)",
        zh: "Q/GDW 1376.1：透明转发 DL/T 645 电能（AFN 10）",
        input: "68 AE 00 AE 00 68 A8 00 02 34 12 04 10 E0 00 00 01 00 1F 14 00 68 61 10 01 30 12 15 68 91 08 33 33 34 33 AB 39 33 33 49 16 4F 00 00 06 50 23 21 05 AE 16",
    },
    Example {
        id: "1376.1-relay-bad-cs",
        en: "Broken: the DL/T 645 frame inside a 1376.1 relay, wrong checksum",
        zh: "错误：1376.1 转发中的 DL/T 645 帧校验和错误",
        input: "68 AE 00 AE 00 68 A8 00 02 34 12 04 10 E0 00 00 01 00 1F 14 00 68 61 10 01 30 12 15 68 91 08 33 33 34 33 AB 39 33 33 4A 16 4F 00 00 06 50 23 21 05 AF 16",
    },
    Example {
        id: "1376.1-class1",
        en: "Q/GDW 1376.1: class 1 data, meter reading status (AFN 0C F170)",
        zh: "Q/GDW 1376.1：一类数据，电能表抄读状态（AFN 0C F170）",
        input: "68 F2 00 F2 00 68 A8 00 02 34 12 04 0C E4 01 01 02 15 01 00 00 00 01 33 00 00 22 E1 17 00 00 00 00 00 00 00 02 01 02 15 1F 00 00 FF 00 EE EE EE EE EE EE 34 00 00 22 E1 17 01 4F 00 04 34 00 00 22 05 15 16",
    },
    Example {
        id: "1376.1-event",
        en: "Q/GDW 1376.1: power off/on event (AFN 0E, ERC 14)",
        zh: "Q/GDW 1376.1：停/上电事件（AFN 0E，ERC 14）",
        input: "68 72 00 72 00 68 C4 12 96 56 34 00 0E 70 00 00 01 00 01 00 00 01 0E 0A 40 14 31 07 10 31 11 03 08 10 88 16",
    },
    Example {
        id: "1376.1-login",
        en: "Q/GDW 1376.1: terminal login (AFN 02 F1)",
        zh: "Q/GDW 1376.1：终端登录（AFN 02 F1）",
        input: "68 32 00 32 00 68 C9 14 03 32 63 00 02 73 00 00 01 00 EB 16",
    },
    Example {
        id: "1376.2-route-698",
        en: "Q/GDW 1376.2: route forward of a DL/T 698.45 GET (AFN 13 F1)",
        zh: "Q/GDW 1376.2：监控从节点转发 DL/T 698.45 读取（AFN 13 F1）",
        input: "68 2D 00 43 00 00 00 B0 04 00 13 01 00 03 00 00 1A 68 18 00 43 05 09 00 00 00 00 00 10 86 34 05 02 00 01 00 10 02 00 00 91 04 16 88 16",
    },
    Example {
        id: "1376.2-forward-645",
        en: "Q/GDW 1376.2: DL/T 645 frame forwarded (AFN 02 F1)",
        zh: "Q/GDW 1376.2：转发 DL/T 645 帧（AFN 02 F1）",
        input: "68 22 00 43 00 00 00 B0 04 00 02 01 00 02 11 FE 68 06 00 00 00 00 00 68 11 04 33 32 34 35 B9 16 93 16",
    },
    Example {
        id: "1376.2-module-info",
        en: "Q/GDW 1376.2: module vendor and version (AFN 03 F1)",
        zh: "Q/GDW 1376.2：模块厂商代码和版本（AFN 03 F1）",
        input: "68 18 00 83 00 00 00 00 FE 00 03 01 00 5A 57 31 30 20 10 16 10 20 0D 16",
    },
    Example {
        id: "1376.2-bad-cs",
        en: "Broken: 1376.2 frame with a wrong checksum",
        zh: "错误：1376.2 帧校验和错误",
        input: "68 22 00 43 00 00 00 B0 04 00 02 01 00 02 11 FE 68 06 00 00 00 00 00 68 11 04 33 32 34 35 B9 16 A3 16",
    },
    Example {
        id: "sml-getlist",
        en: "SML: meter readings of an optical interface (GetList response)",
        zh: "SML：光学接口的电能表读数（GetList 响应）",
        input: "1B 1B 1B 1B 01 01 01 01 76 05 01 38 80 31 62 00 62 00 72 63 01 01 76 01 01 05 00 68 2A BB 0B 0A 01 49 53 4B 00 04 32 5E C5 72 62 01 65 00 68 27 93 62 01 63 F9 AB 00 76 05 01 38 80 32 62 00 62 00 72 63 07 01 77 01 0B 0A 01 49 53 4B 00 04 32 5E C5 07 01 00 62 0A FF FF 72 62 01 65 00 68 27 93 74 77 07 01 00 60 32 01 01 01 01 01 01 04 49 53 4B 01 77 07 01 00 60 01 00 FF 01 01 01 01 0B 0A 01 49 53 4B 00 04 32 5E C5 01 77 07 01 00 01 08 00 FF 65 00 1C 81 04 01 62 1E 52 FF 65 00 1E 5A 99 01 77 07 01 00 10 07 00 FF 01 01 62 1B 52 00 52 1A 01 01 01 63 BF 27 00 76 05 01 38 80 33 62 00 62 00 72 63 02 01 71 01 63 55 67 00 00 00 1B 1B 1B 1B 1A 02 B9 73",
    },
    Example {
        id: "sml-bad-crc",
        en: "Broken: SML transport frame with a wrong CRC",
        zh: "错误：SML 传输帧 CRC 错误",
        input: "1B 1B 1B 1B 01 01 01 01 76 05 01 38 80 31 62 00 62 00 72 63 01 01 76 01 01 05 00 68 2A BB 0B 0A 01 49 53 4B 00 04 32 5E C5 72 62 01 65 00 68 27 93 62 01 63 F9 AB 00 76 05 01 38 80 32 62 00 62 00 72 63 07 01 77 01 0B 0A 01 49 53 4B 00 04 32 5E C5 07 01 00 62 0A FF FF 72 62 01 65 00 68 27 93 74 77 07 01 00 60 32 01 01 01 01 01 01 04 49 53 4B 01 77 07 01 00 60 01 00 FF 01 01 01 01 0B 0A 01 49 53 4B 00 04 32 5E C5 01 77 07 01 00 01 08 00 FF 65 00 1C 81 04 01 62 1E 52 FF 65 00 1E 5A 99 01 77 07 01 00 10 07 00 FF 01 01 62 1B 52 00 52 1A 01 01 01 63 BF 27 00 76 05 01 38 80 33 62 00 62 00 72 63 02 01 71 01 63 55 67 00 00 00 1B 1B 1B 1B 1A 02 B9 74",
    },
    Example {
        id: "mbus-heat",
        en: "M-Bus: heat meter reply (RSP_UD, variable data records)",
        zh: "M-Bus：热量表应答（RSP_UD，可变数据记录）",
        input: "68 42 42 68 08 00 72 95 50 26 21 AE 4C 0E 04 B5 10 00 00 0C 06 00 00 00 00 0C 13 00 00 00 00 0C 3B 00 00 00 00 0C 2B 00 00 00 00 02 5A C9 00 02 5E CA 00 03 60 00 00 00 0C 78 95 50 26 21 0C FD 10 95 50 26 21 1F EC 16",
    },
    Example {
        id: "mbus-request",
        en: "M-Bus: request user data (REQ_UD2) and the acknowledgement E5",
        zh: "M-Bus：请求用户数据（REQ_UD2）及确认 E5",
        input: "10 40 05 45 16\nE5\n10 7B 05 80 16",
    },
    Example {
        id: "mbus-select",
        en: "M-Bus: select a meter by its secondary address (CI 52)",
        zh: "M-Bus：按二次地址选择表计（CI 52）",
        input: "68 0B 0B 68 53 FD 52 78 56 34 12 FF FF FF FF B2 16",
    },
    Example {
        id: "mbus-truncated-record",
        en: "Broken: M-Bus record cut short by the end of the data",
        zh: "错误：M-Bus 数据记录在数据结束处被截断",
        input: "68 1C 1C 68 08 02 72 78 56 34 12 24 40 01 07 55 00 00 00 03 13 15 31 00 DA 02 3B 13 01 8B 60 04 C7 16",
    },
    Example {
        id: "wmbus-heat",
        en: "Wireless M-Bus: heat meter telegram (SND_NR, short header, plain records)",
        zh: "无线 M-Bus：热量表报文（SND_NR，短报头，明文记录）",
        input: "3B 44 A7 32 05 56 63 71 04 04 7A FA 20 00 20 2F 2F 0C 06 77 42 02 00 0C 14 39 99 56 00 0B 2D 02 00 F0 0B 3B 30 18 00 0A 5A 51 03 0A 5E 52 03 02 FD 17 00 00 06 6D 0C 08 0A F4 25 00",
    },
    Example {
        id: "wmbus-mode5",
        en: "Wireless M-Bus: OMS gas meter, mode 5 (key 0102030405060708090A0B0C0D0E0F11)",
        zh: "无线 M-Bus：OMS 燃气表，模式 5（密钥 0102030405060708090A0B0C0D0E0F11）",
        input: "2E 44 93 15 78 56 34 12 33 03 7A 2A 00 20 25 59 23 C9 5A AA 26 D1 B2 E7 49 3B 01 3E C4 A6 F6 D3 52 9B 52 0E DF F0 EA 6D EF C9 9D 6D 69 EB F3",
    },
    Example {
        id: "wmbus-bad-crc",
        en: "Broken: wireless M-Bus frame format A with a wrong block CRC",
        zh: "错误：无线 M-Bus 帧格式 A，数据块 CRC 错误",
        input: "34 44 EE 4D 81 39 29 27 16 08 81 1D 7A 51 00 00 00 04 6D 19 13 A6 2B 03 6E 00 00 00 51 70 42 6C E1 F1 43 6E 00 00 00 02 FF 2C 00 00 02 59 D6 D0 D4 09 02 65 FC 09 02 FD 66 A0 00 44 C4",
    },
    Example {
        id: "serial-log",
        en: "Serial log with junk between frames",
        zh: "夹杂干扰字节的串口日志",
        input: "00 FF 3F FE FE FE FE 68 12 90 78 56 34 12 68 11 04 33 33 34 33 68 16 0D 0A 55 68 76 02 02 47 02 02 68 91 08 33 33 34 33 35 33 33 33 C9 16 FF 68 17 00 43 05 12 90 78 56 34 12 00 A3 2E 05 01 01 40 00 02 00 00 7D 1B 16 00 00",
    },
];

/// The example with this id.
pub fn by_id(id: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.id == id)
}
