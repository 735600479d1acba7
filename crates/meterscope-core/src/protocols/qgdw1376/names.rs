//! Names of both parts, in English and Chinese: application function codes
//! (AFN), information classes (Fn) per AFN, link function codes, event
//! record codes (ERC) and the communication modes of 1376.2. Written when a
//! dissection is rendered ([`Msg::Code`](crate::model::Msg::Code)).

use core::fmt;

use crate::lang::Lang;

type Names = &'static [(u8, &'static str, &'static str)];
type FnNames = &'static [(u8, u16, &'static str, &'static str)];

fn find(t: Names, k: u8) -> Option<(&'static str, &'static str)> {
    t.iter().find(|e| e.0 == k).map(|e| (e.1, e.2))
}

fn find_fn(t: FnNames, afn: u8, f: u16) -> Option<(&'static str, &'static str)> {
    t.iter().find(|e| e.0 == afn && e.1 == f).map(|e| (e.2, e.3))
}

/// Application functions of 1376.1.
pub static AFN_1: Names = &[
    (0x00, "confirm/deny", "确认∕否认"),
    (0x01, "reset", "复位"),
    (0x02, "link interface test", "链路接口检测"),
    (0x03, "relay station command", "中继站命令"),
    (0x04, "set parameters", "设置参数"),
    (0x05, "control command", "控制命令"),
    (0x06, "identity authentication and key negotiation", "身份认证及密钥协商"),
    (0x08, "request active report of cascaded terminals", "请求被级联终端主动上报"),
    (0x09, "request terminal configuration", "请求终端配置"),
    (0x0A, "query parameters", "查询参数"),
    (0x0B, "request task data", "请求任务数据"),
    (0x0C, "request class 1 data (real time)", "请求1类数据（实时数据）"),
    (0x0D, "request class 2 data (history)", "请求2类数据（历史数据）"),
    (0x0E, "request class 3 data (events)", "请求3类数据（事件数据）"),
    (0x0F, "file transfer", "文件传输"),
    (0x10, "data forwarding", "数据转发"),
];

/// Information classes of 1376.1 that users meet most, per AFN (04 and 0A share theirs).
static FN_1: FnNames = &[
    (0x00, 1, "all confirmed", "全部确认"),
    (0x00, 2, "all denied", "全部否认"),
    (0x00, 3, "confirmed and denied per data unit", "按数据单元标识确认和否认"),
    (0x00, 4, "hardware security authentication error", "硬件安全认证错误应答"),
    (0x01, 1, "hardware initialisation", "硬件初始化"),
    (0x01, 2, "data area initialisation", "数据区初始化"),
    (
        0x01,
        3,
        "parameters and all data initialisation (factory settings)",
        "参数及全体数据区初始化（即恢复至出厂配置）",
    ),
    (
        0x01,
        4,
        "parameters (except communication) and data initialisation",
        "参数（除与系统主站通信有关的）及全体数据区初始化",
    ),
    (0x02, 1, "login", "登录"),
    (0x02, 2, "logout", "退出登录"),
    (0x02, 3, "heartbeat", "心跳"),
    (0x04, 1, "uplink communication port parameters", "终端上行通信口通信参数"),
    (0x04, 2, "uplink wireless relay forwarding", "终端上行通信口无线中继转发"),
    (0x04, 3, "master station IP addresses and ports, APN", "主站IP地址和端口、APN"),
    (0x04, 4, "master station phone and SMS centre numbers", "主站电话号码和短信中心号码"),
    (0x04, 5, "message authentication parameters", "终端上行通信消息认证参数"),
    (0x04, 6, "group addresses", "终端组地址"),
    (0x04, 7, "terminal IP address and port", "终端IP地址和端口"),
    (0x04, 8, "uplink communication working mode", "终端上行通信工作方式"),
    (0x04, 9, "event record configuration", "终端事件记录配置"),
    (0x04, 10, "meter and AC sampling device configuration", "终端电能表∕交流采样装置配置参数"),
    (0x04, 11, "pulse configuration", "终端脉冲配置参数"),
    (0x04, 12, "state input parameters", "终端状态量输入参数"),
    (0x04, 13, "voltage/current analog configuration", "终端电压∕电流模拟量配置参数"),
    (0x04, 14, "total-adding group configuration", "终端总加组配置参数"),
    (0x04, 16, "virtual private network user name and password", "虚拟专网用户名、密码"),
    (0x04, 25, "measurement point basic parameters", "测量点基本参数"),
    (0x04, 26, "measurement point limit parameters", "测量点限值参数"),
    (0x04, 33, "meter reading run parameters", "终端抄表运行参数"),
    (0x05, 1, "remote trip", "遥控跳闸"),
    (0x05, 2, "allow closing", "允许合闸"),
    (0x05, 9, "time-period power control on", "时段功控投入"),
    (0x05, 15, "monthly energy control on", "月电控投入"),
    (0x05, 16, "purchased energy control on", "购电控投入"),
    (0x05, 17, "time-period power control off", "时段功控解除"),
    (0x05, 25, "keep power on (guarantee) on", "终端保电投入"),
    (0x05, 26, "fee-urging alarm on", "催费告警投入"),
    (0x05, 27, "allow talking with the master station", "允许终端与主站通话"),
    (0x05, 28, "terminal removal on", "终端剔除投入"),
    (0x05, 29, "allow active reports", "允许终端主动上报"),
    (0x05, 31, "set the clock", "对时命令"),
    (0x05, 32, "Chinese message", "中文信息"),
    (0x05, 33, "keep power on off", "终端保电解除"),
    (0x05, 34, "fee-urging alarm off", "催费告警解除"),
    (0x05, 35, "forbid talking with the master station", "禁止终端与主站通话"),
    (0x05, 36, "terminal removal off", "终端剔除解除"),
    (0x05, 37, "forbid active reports", "禁止终端主动上报"),
    (0x05, 38, "connect to the master station", "激活终端连接主站"),
    (0x05, 39, "disconnect from the master station", "命令终端断开连接"),
    (0x05, 49, "pause meter reading on a port", "命令指定通信端口暂停抄表"),
    (0x05, 50, "resume meter reading on a port", "命令指定通信端口恢复抄表"),
    (0x05, 51, "read the meters of a port again", "命令指定通信端口重新抄表"),
    (0x05, 52, "initialise the relay routes of a port", "初始化指定通信端口下的全部中继路由信息"),
    (0x05, 53, "delete every meter of a port", "删除指定通信端口下的全部电表"),
    (0x09, 1, "terminal version information", "终端版本信息"),
    (0x09, 2, "input, output and communication port configuration", "终端支持的输入、输出及通信端口配置"),
    (0x09, 3, "other configuration", "终端支持的其他配置"),
    (0x09, 4, "supported parameters", "终端支持的参数配置"),
    (0x09, 5, "supported controls", "终端支持的控制配置"),
    (0x09, 6, "supported class 1 data", "终端支持的1类数据配置"),
    (0x09, 7, "supported class 2 data", "终端支持的2类数据配置"),
    (0x09, 8, "supported event records", "终端支持的事件记录配置"),
    (0x0C, 2, "terminal clock", "终端日历时钟"),
    (0x0C, 3, "terminal parameter status", "终端参数状态"),
    (0x0C, 4, "uplink communication status", "终端上行通信状态"),
    (0x0C, 5, "control settings status", "终端控制设置状态"),
    (0x0C, 6, "current control status", "终端当前控制状态"),
    (0x0C, 7, "event counters", "终端事件计数器当前值"),
    (0x0C, 8, "event flags", "终端事件标志状态"),
    (0x0C, 9, "state quantities and changes", "终端状态量及变位标志"),
    (0x0C, 10, "communication traffic of the day and month", "终端与主站当日、月通信流量"),
    (0x0C, 11, "meter reading status", "终端集中抄表状态信息"),
    (0x0C, 17, "current total active power of a total-adding group", "当前总加有功功率"),
    (0x0C, 18, "current total reactive power of a total-adding group", "当前总加无功功率"),
    (
        0x0C,
        25,
        "current power, power factor, voltage, current and apparent power",
        "当前三相及总有∕无功功率、功率因数，三相电压、电流、零序电流、视在功率",
    ),
    (0x0C, 26, "phase failure statistics", "A、B、C三相断相统计数据及最近一次断相记录"),
    (0x0C, 27, "meter clock and programming count", "电能表日历时钟、编程次数及其最近一次操作时间"),
    (0x0C, 28, "meter running status words", "电表运行状态字及其变位标志"),
    (0x0C, 31, "current per-phase active energies", "当前A、B、C三相正∕反向有功电能示值"),
    (
        0x0C,
        33,
        "current forward active/reactive, Q1/Q4 reactive energies (total, tariffs 1–M)",
        "当前正向有∕无功电能示值、一∕四象限无功电能示值（总、费率1～M）",
    ),
    (
        0x0C,
        34,
        "current reverse active/reactive, Q2/Q3 reactive energies (total, tariffs 1–M)",
        "当前反向有∕无功电能示值、二∕三象限无功电能示值（总、费率1～M）",
    ),
    (0x0C, 35, "current month forward maximum demand", "当月正向有∕无功最大需量及发生时间"),
    (0x0C, 36, "current month reverse maximum demand", "当月反向有∕无功最大需量及发生时间"),
    (0x0C, 49, "current voltage and current phase angles", "当前电压、电流相位角"),
    (0x0C, 129, "current forward active energy (total, tariffs 1–M)", "当前正向有功电能示值（总、费率1～M）"),
    (0x0C, 130, "current forward reactive energy (total, tariffs 1–M)", "当前正向无功电能示值（总、费率1～M）"),
    (0x0C, 131, "current reverse active energy (total, tariffs 1–M)", "当前反向有功电能示值（总、费率1～M）"),
    (0x0C, 132, "current reverse reactive energy (total, tariffs 1–M)", "当前反向无功电能示值（总、费率1～M）"),
    (0x0C, 161, "meter remote switching status", "电能表远程控制通断电状态及记录"),
    (0x0C, 162, "meter clock", "电能表日历时钟"),
    (0x0C, 166, "meter parameter changes", "电能表参数修改次数及时间"),
    (0x0C, 167, "meter purchase and use", "电能表购、用电信息"),
    (0x0C, 169, "meter reading relay routes", "集中抄表中继路由信息"),
    (0x0C, 170, "meter reading information", "集中抄表电表抄读信息"),
    (
        0x0D,
        1,
        "daily frozen forward active/reactive, Q1/Q4 reactive energies",
        "日冻结正向有∕无功电能示值、一∕四象限无功电能示值（总、费率1～M）",
    ),
    (
        0x0D,
        2,
        "daily frozen reverse active/reactive, Q2/Q3 reactive energies",
        "日冻结反向有∕无功电能示值、二∕三象限无功电能示值（总、费率1～M）",
    ),
    (0x0D, 3, "daily frozen forward maximum demand", "日冻结正向有∕无功最大需量及发生时间"),
    (0x0D, 4, "daily frozen reverse maximum demand", "日冻结反向有∕无功最大需量及发生时间"),
    (0x0D, 17, "monthly frozen forward active/reactive energies", "月冻结正向有∕无功电能示值、一∕四象限无功电能示值"),
    (0x0D, 18, "monthly frozen reverse active/reactive energies", "月冻结反向有∕无功电能示值、二∕三象限无功电能示值"),
    (0x0D, 27, "daily voltage statistics", "日电压统计数据"),
    (0x0D, 49, "daily power supply time and resets", "终端日供电时间、日复位累计次数"),
    (0x0D, 51, "monthly power supply time and resets", "终端月供电时间、月复位累计次数"),
    (0x0D, 161, "daily frozen forward active energy (total, tariffs 1–M)", "日冻结正向有功电能示值（总、费率1～M）"),
    (0x0D, 162, "daily frozen forward reactive energy (total, tariffs 1–M)", "日冻结正向无功电能示值（总、费率1～M）"),
    (0x0D, 163, "daily frozen reverse active energy (total, tariffs 1–M)", "日冻结反向有功电能示值（总、费率1～M）"),
    (0x0D, 164, "daily frozen reverse reactive energy (total, tariffs 1–M)", "日冻结反向无功电能示值（总、费率1～M）"),
    (0x0D, 177, "monthly frozen forward active energy (total, tariffs 1–M)", "月冻结正向有功电能示值（总、费率1～M）"),
    (
        0x0D,
        178,
        "monthly frozen forward reactive energy (total, tariffs 1–M)",
        "月冻结正向无功电能示值（总、费率1～M）",
    ),
    (0x0D, 179, "monthly frozen reverse active energy (total, tariffs 1–M)", "月冻结反向有功电能示值（总、费率1～M）"),
    (
        0x0D,
        180,
        "monthly frozen reverse reactive energy (total, tariffs 1–M)",
        "月冻结反向无功电能示值（总、费率1～M）",
    ),
    (0x0E, 1, "important events", "重要事件"),
    (0x0E, 2, "general events", "一般事件"),
    (0x0F, 1, "file transfer mode 1", "文件传输方式1"),
    (0x10, 1, "transparent forwarding", "透明转发"),
    (0x10, 9, "forward a meter reading command", "转发主站直接对电表的抄读数据命令"),
    (0x10, 10, "forward a remote trip/allow-closing command", "转发主站直接对电表的遥控跳闸∕允许合闸命令"),
    (0x10, 11, "forward a remote power-on command", "转发主站直接对电表的遥控送电命令"),
];

/// Event record codes (ERC) of 1376.1.
pub static ERC: Names = &[
    (1, "data initialisation and version change", "数据初始化和版本变更记录"),
    (2, "parameter loss", "参数丢失记录"),
    (3, "parameter change", "参数变更记录"),
    (4, "state change", "状态量变位记录"),
    (5, "remote trip", "遥控跳闸记录"),
    (6, "power control trip", "功控跳闸记录"),
    (7, "energy control trip", "电控跳闸记录"),
    (8, "meter parameter change", "电能表参数变更"),
    (9, "current circuit abnormal", "电流回路异常"),
    (10, "voltage circuit abnormal", "电压回路异常"),
    (11, "phase sequence abnormal", "相序异常"),
    (12, "meter time deviation", "电能表时间超差"),
    (13, "meter fault", "电表故障信息"),
    (14, "terminal power off/on", "终端停∕上电事件"),
    (15, "harmonic over limit", "谐波越限告警"),
    (16, "DC analog over limit", "直流模拟量越限记录"),
    (17, "voltage/current unbalance over limit", "电压∕电流不平衡度越限记录"),
    (18, "capacitor switching lock", "电容器投切自锁记录"),
    (19, "purchase parameter setting", "购电参数设置记录"),
    (20, "message authentication error", "消息认证错误记录"),
    (21, "terminal fault", "终端故障记录"),
    (22, "active energy differential over limit", "有功总电能量差动越限事件记录"),
    (23, "energy control alarm", "电控告警事件记录"),
    (24, "voltage over limit", "电压越限记录"),
    (25, "current over limit", "电流越限记录"),
    (26, "apparent power over limit", "视在功率越限记录"),
    (27, "meter reading decreasing", "电能表示度下降记录"),
    (28, "energy over deviation", "电能量超差记录"),
    (29, "meter running away", "电能表飞走记录"),
    (30, "meter stopped", "电能表停走记录"),
    (31, "meter reading failure", "终端485抄表失败事件记录"),
    (32, "communication traffic over threshold", "终端与主站通信流量超门限事件记录"),
    (33, "meter status word change", "电能表运行状态字变位事件记录"),
    (34, "CT abnormal", "CT异常事件记录"),
    (35, "unknown meter found", "发现未知电表事件记录"),
    (36, "control output circuit state change", "控制输出回路开关接入状态量变位记录"),
    (37, "meter cover opened", "电能表开表盖事件记录"),
    (38, "meter terminal cover opened", "电能表开端钮盒事件记录"),
    (39, "supplementary reading failed", "补抄失败事件记录"),
    (40, "magnetic field abnormal", "磁场异常事件记录"),
    (41, "clock setting", "对时事件记录"),
];

/// Application functions of 1376.2.
pub static AFN_2: Names = &[
    (0x00, "confirm/deny", "确认∕否认"),
    (0x01, "initialise", "初始化"),
    (0x02, "data forwarding", "数据转发"),
    (0x03, "query data", "查询数据"),
    (0x04, "link interface test", "链路接口检测"),
    (0x05, "control command", "控制命令"),
    (0x06, "active report", "主动上报"),
    (0x10, "route query", "路由查询"),
    (0x11, "route setting", "路由设置"),
    (0x12, "route control", "路由控制"),
    (0x13, "route data forwarding", "路由数据转发"),
    (0x14, "route data reading", "路由数据抄读"),
    (0x15, "file transfer", "文件传输"),
    (0xF0, "internal debugging", "内部调试"),
];

static FN_2: FnNames = &[
    (0x00, 1, "confirm", "确认"),
    (0x00, 2, "deny", "否认"),
    (0x01, 1, "hardware initialisation", "硬件初始化（复位）"),
    (0x01, 2, "parameter area initialisation", "参数区初始化"),
    (0x01, 3, "data area initialisation", "数据区初始化"),
    (0x02, 1, "forward a protocol frame", "转发通信协议数据帧"),
    (0x03, 1, "vendor code and version", "厂商代码和版本信息"),
    (0x03, 2, "noise value", "噪声值"),
    (0x03, 3, "listen to slave node information", "从节点侦听信息"),
    (0x03, 4, "master node address", "主节点地址"),
    (0x03, 5, "master node state and rate", "主节点状态字和通信速率"),
    (0x03, 6, "master node interference state", "主节点干扰状态"),
    (0x03, 7, "slave node monitoring maximum timeout", "读取从节点监控最大超时时间"),
    (0x03, 8, "wireless communication parameters", "查询无线通信参数"),
    (0x03, 9, "communication delay", "通信延时时长"),
    (0x03, 10, "local communication module running mode", "本地通信模块运行模式信息"),
    (0x03, 11, "supported AFN of the module", "本地通信模块AFN索引"),
    (0x03, 12, "module ID information", "查询本地通信模块ID号信息"),
    (0x04, 1, "send test", "发送测试"),
    (0x04, 2, "slave node roll call", "从节点点名"),
    (0x04, 3, "module message communication test", "本地通信模块报文通信测试"),
    (0x05, 1, "set master node address", "设置主节点地址"),
    (0x05, 2, "allow/forbid slave node reports", "允许∕禁止从节点上报"),
    (0x05, 3, "start broadcast", "启动广播"),
    (0x05, 4, "set slave node monitoring maximum timeout", "设置从节点监控最大超时时间"),
    (0x05, 5, "set wireless communication parameters", "设置无线通信参数"),
    (0x05, 6, "allow/forbid area identification", "允许∕禁止台区识别"),
    (0x05, 16, "set communication rate", "设置宽带载波通信速率"),
    (0x06, 1, "report slave node information", "上报从节点信息"),
    (0x06, 2, "report read data", "上报抄读数据"),
    (0x06, 3, "report route change", "上报路由工况变动信息"),
    (0x06, 4, "report slave node information and device type", "上报从节点信息及设备类型"),
    (0x06, 5, "report slave node event", "上报从节点事件"),
    (0x10, 1, "number of slave nodes", "从节点数量"),
    (0x10, 2, "slave node information", "从节点信息"),
    (0x10, 3, "relay routes of a slave node", "指定从节点的上一级中继路由信息"),
    (0x10, 4, "route running state", "路由运行状态"),
    (0x10, 5, "slave nodes not read", "未抄读成功的从节点信息"),
    (0x10, 6, "actively registered slave nodes", "主动注册的从节点信息"),
    (0x10, 21, "network topology", "查询网络拓扑信息"),
    (0x10, 111, "network information", "查询网络信息"),
    (0x11, 1, "add slave nodes", "添加从节点"),
    (0x11, 2, "delete slave nodes", "删除从节点"),
    (0x11, 3, "set a slave node's fixed relay route", "设置从节点固定中继路径"),
    (0x11, 4, "set route working mode", "设置路由工作模式"),
    (0x11, 5, "activate slave node active registration", "激活从节点主动注册"),
    (0x11, 6, "stop slave node active registration", "终止从节点主动注册"),
    (0x12, 1, "restart", "重启"),
    (0x12, 2, "pause", "暂停"),
    (0x12, 3, "resume", "恢复"),
    (0x13, 1, "monitor a slave node", "监控从节点"),
    (0x14, 1, "route requests reading content", "路由请求抄读内容"),
    (0x14, 2, "route requests the concentrator clock", "路由请求集中器时钟"),
    (0x14, 3, "request data corrected for communication delay", "请求依通信延时修正通信数据"),
    (0x15, 1, "file transfer", "文件传输"),
    (0xF0, 1, "internal debugging", "内部调试"),
];

/// Communication modes of 1376.2 (control field D5..D0).
pub static MODES: Names = &[
    (1, "centralised routing carrier", "集中式路由载波通信"),
    (2, "distributed routing carrier", "分布式路由载波通信"),
    (3, "broadband carrier (HPLC)", "宽带载波通信"),
    (10, "micro-power wireless", "微功率无线通信"),
    (20, "Ethernet", "以太网通信"),
];

/// Protocol types of 1376.2 (forwarded frames).
pub static PROTOCOLS_2: Names = &[
    (0, "transparent", "透明传输"),
    (1, "DL/T 645-1997", "DL/T 645-1997"),
    (2, "DL/T 645-2007", "DL/T 645-2007"),
    (3, "DL/T 698.45", "DL/T 698.45"),
];

fn write_name(w: &mut dyn fmt::Write, lang: Lang, name: Option<(&str, &str)>, fallback: fmt::Arguments) -> fmt::Result {
    match name {
        Some((en, zh)) => w.write_str(lang.pick(en, zh)),
        None => w.write_fmt(fallback),
    }
}

/// AFN of 1376.1 (code: the AFN).
pub fn afn_1(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let unknown = lang.pick("reserved", "备用");
    write_name(w, lang, find(AFN_1, code as u8), format_args!("{unknown}"))
}

/// AFN of 1376.2.
pub fn afn_2(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let unknown = lang.pick("reserved", "备用");
    write_name(w, lang, find(AFN_2, code as u8), format_args!("{unknown}"))
}

/// `Fn` code of 1376.1: AFN << 16 | n.
pub fn fn_1(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let (afn, f) = ((code >> 16) as u8, code as u16);
    let table_afn = if afn == 0x0A { 0x04 } else { afn };
    write!(w, "F{f} ")?;
    let unknown = lang.pick("(not in this dictionary)", "（本词典未收录）");
    write_name(w, lang, find_fn(FN_1, table_afn, f), format_args!("{unknown}"))
}

/// `Fn` code of 1376.2: AFN << 16 | n.
pub fn fn_2(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let (afn, f) = ((code >> 16) as u8, code as u16);
    write!(w, "F{f} ")?;
    let unknown = lang.pick("(not in this dictionary)", "（本词典未收录）");
    write_name(w, lang, find_fn(FN_2, afn, f), format_args!("{unknown}"))
}

/// An event record code.
pub fn erc(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    write!(w, "ERC{code} ")?;
    let unknown = lang.pick("(not in this dictionary)", "（本词典未收录）");
    write_name(w, lang, find(ERC, code as u8), format_args!("{unknown}"))
}

/// A communication mode of 1376.2.
pub fn mode(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let unknown = lang.pick("reserved", "备用");
    write_name(w, lang, find(MODES, code as u8), format_args!("{unknown}"))
}

/// A protocol type of 1376.2.
pub fn protocol_2(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let unknown = lang.pick("reserved", "备用");
    write_name(w, lang, find(PROTOCOLS_2, code as u8), format_args!("{unknown}"))
}

/// Link function codes of 1376.1 (code: PRM << 4 | function).
pub fn function_1(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let name = match code {
        0x11 => Some(("reset command", "复位命令")),
        0x14 => Some(("user data", "用户数据")),
        0x19 => Some(("link test", "链路测试")),
        0x1A => Some(("request class 1 data", "请求1级数据")),
        0x1B => Some(("request class 2 data", "请求2级数据")),
        0x00 => Some(("confirm", "认可")),
        0x08 => Some(("user data (response)", "用户数据")),
        0x09 => Some(("deny: no data requested", "否认：无所召唤的数据")),
        0x0B => Some(("link status", "链路状态")),
        _ => None,
    };
    let unknown = lang.pick("reserved", "备用");
    write_name(w, lang, name, format_args!("{unknown}"))
}

/// Deny reasons of 1376.2 AFN 00 F2.
pub fn deny_2(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    const REASONS: Names = &[
        (0, "communication timeout", "通信超时"),
        (1, "invalid data unit", "无效数据单元"),
        (2, "length error", "长度错"),
        (3, "checksum error", "校验错误"),
        (4, "information class does not exist", "信息类不存在"),
        (5, "format error", "格式错误"),
        (6, "meter number repeated", "表号重复"),
        (7, "meter number does not exist", "表号不存在"),
        (8, "no reply from the meter's application layer", "电表应用层无应答"),
        (9, "master node busy", "主节点忙"),
        (10, "master node does not support the command", "主节点不支持此命令"),
        (11, "slave node does not reply", "从节点不应答"),
        (12, "slave node not in the network", "从节点不在网内"),
    ];
    let unknown = lang.pick("reserved", "备用");
    write_name(w, lang, find(REASONS, code as u8), format_args!("{unknown}"))
}
