//! The reader page's options per protocol family, as its fields hold them
//! (text as typed), with the page's defaults, and what each becomes for its
//! session. The checks are the core's client layer's, the ones the CLI's
//! options go through, so both surfaces accept and refuse the same things;
//! here they run natively under `cargo test`.

use meterscope_core::Lang;
use meterscope_core::client::dlms::{self, Association};
use meterscope_core::client::targets::{self, MbusScan};
use meterscope_core::protocols::dlms::assoc::SuiteKeys;
use meterscope_core::protocols::dlt698::session::Connect;
use meterscope_core::protocols::iec62056::session::Mode;
use meterscope_core::session::DateTime;

/// DL/T 698.45: records asked for, client address, application connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dlt698Options {
    /// How many of the last day-freeze records the records flow reads.
    pub records: String,
    /// The client address (CA): `0x10`, `10H` or `16`.
    pub client_address: String,
    /// `auto`, `always` or `never`.
    pub connect: String,
    /// Connection password; empty for NullSecurity.
    pub password: String,
}

impl Default for Dlt698Options {
    fn default() -> Self {
        Dlt698Options {
            records: "3".into(),
            client_address: "0x10".into(),
            connect: "auto".into(),
            password: String::new(),
        }
    }
}

impl Dlt698Options {
    pub fn records(&self, lang: Lang) -> Result<u8, String> {
        let n = self.records.trim().parse::<u8>().ok().filter(|&n| n >= 1);
        n.ok_or_else(|| lang.pick("records: 1 to 255", "记录条数：1 到 255").into())
    }
    pub fn client_address(&self, lang: Lang) -> Result<u8, String> {
        targets::client_address(&self.client_address, lang)
    }
    pub fn connect(&self, lang: Lang) -> Result<Connect, String> {
        targets::connect(&self.connect, lang)
    }
    /// The password's bytes, none for NullSecurity.
    pub fn password(&self) -> Option<Vec<u8>> {
        Some(self.password.clone()).filter(|s| !s.is_empty()).map(String::into_bytes)
    }
}

/// DLMS/COSEM: the association and the load profile's range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DlmsOptions {
    pub client: String,
    pub server: String,
    /// Server physical HDLC address; empty for none.
    pub physical: String,
    /// `hdlc` or `wrapper`.
    pub link: String,
    /// `none`, `low` or `high`.
    pub auth: String,
    pub password: String,
    pub cipher: bool,
    /// The load profile's range, `YYYY-MM-DD hh:mm`.
    pub from: String,
    pub to: String,
}

impl Default for DlmsOptions {
    fn default() -> Self {
        DlmsOptions {
            client: "16".into(),
            server: "1".into(),
            physical: String::new(),
            link: "hdlc".into(),
            auth: "none".into(),
            password: "12345678".into(),
            cipher: false,
            from: "2024-05-17 06:00".into(),
            to: "2024-05-17 10:30".into(),
        }
    }
}

impl DlmsOptions {
    /// Authentication chosen: the client SAP follows it (16, the public
    /// client, without; 1, the management client, with a password or HLS).
    pub fn set_auth(&mut self, auth: &str) {
        self.client = if auth == "none" { "16".into() } else { "1".into() };
        self.auth = auth.into();
    }

    /// The association, with the suite's keys when known (the key panel's).
    pub fn association(
        &self,
        keys: Option<SuiteKeys>,
        invocation_counter: u32,
        lang: Lang,
    ) -> Result<Association, String> {
        let number = |text: &str, what: (&str, &str)| {
            text.trim().parse::<u16>().map_err(|_| match lang {
                Lang::En => format!("{}: a number", what.0),
                Lang::Zh => format!("{}：应为数字", what.1),
            })
        };
        Ok(Association {
            client: number(&self.client, ("client SAP", "客户端 SAP"))?,
            server: number(&self.server, ("server address", "服务器地址"))?,
            physical: match self.physical.trim() {
                "" => None,
                t => Some(number(t, ("physical address", "物理地址"))?),
            },
            transport: dlms::transport(&self.link, lang)?,
            auth: self.auth.clone(),
            password: Some(self.password.clone()),
            keys,
            system_title: dlms::CLIENT_TITLE,
            invocation_counter,
            cipher: self.cipher,
            dedicated_key: None,
        })
    }

    /// The load profile's range.
    pub fn range(&self, lang: Lang) -> Result<(DateTime, DateTime), String> {
        let bad = |en: &str, zh: &str| lang.pick(en, zh).to_string();
        let from = targets::date_time(&self.from).ok_or_else(|| {
            bad("profile range: from is YYYY-MM-DD hh:mm", "负荷曲线范围：起始时间格式为 YYYY-MM-DD hh:mm")
        })?;
        let to = targets::date_time(&self.to).ok_or_else(|| {
            bad("profile range: to is YYYY-MM-DD hh:mm", "负荷曲线范围：结束时间格式为 YYYY-MM-DD hh:mm")
        })?;
        if to < from {
            return Err(bad("profile range: to is before from", "负荷曲线范围：结束时间早于起始时间"));
        }
        Ok((from, to))
    }
}

/// IEC 62056-21: mode, device address, password, timing, highest baud rate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IecOptions {
    /// `A` to `E`.
    pub mode: String,
    /// The device address of the request (empty: any meter).
    pub address: String,
    /// The programming mode's password (P1).
    pub password: String,
    /// Milliseconds to wait after a baud switch.
    pub settle: String,
    /// The highest baud rate to switch to; empty for the meter's.
    pub max_baud: String,
}

impl Default for IecOptions {
    fn default() -> Self {
        IecOptions {
            mode: "C".into(),
            address: String::new(),
            password: "00000000".into(),
            settle: "300".into(),
            max_baud: String::new(),
        }
    }
}

impl IecOptions {
    pub fn mode(&self) -> Mode {
        Mode::parse(&self.mode).unwrap_or(Mode::C)
    }
    pub fn address(&self) -> Option<String> {
        Some(self.address.trim().to_string()).filter(|a| !a.is_empty())
    }
    pub fn settle(&self, lang: Lang) -> Result<u64, String> {
        match self.settle.trim() {
            "" => Ok(300),
            t => t.parse().map_err(|_| match lang {
                Lang::En => format!("settle '{t}': milliseconds"),
                Lang::Zh => format!("切换等待“{t}”：应为毫秒数"),
            }),
        }
    }
    pub fn max_baud(&self, lang: Lang) -> Result<Option<u32>, String> {
        match self.max_baud.trim() {
            "" => Ok(None),
            // 0 (any spelling): no limit.
            t => t.parse::<u32>().map(|b| (b > 0).then_some(b)).map_err(|_| match lang {
                Lang::En => format!("highest baud rate '{t}': a number"),
                Lang::Zh => format!("最高波特率“{t}”：应为数字"),
            }),
        }
    }
}

/// M-Bus: what a scan asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MbusOptions {
    pub scan: String,
}

/// Every primary address.
pub const DEFAULT_SCAN: &str = "0-250";

impl Default for MbusOptions {
    fn default() -> Self {
        MbusOptions { scan: DEFAULT_SCAN.into() }
    }
}

impl MbusOptions {
    pub fn scan(&self, lang: Lang) -> Result<MbusScan, String> {
        targets::mbus_scan(&self.scan).ok_or_else(|| {
            lang.pick(
                "scan: a range of primary addresses (0-250), \"secondary\", or a secondary address mask (1234FFFF)",
                "扫描：一段一次地址（0-250）、“secondary”或二次地址掩码（1234FFFF）",
            )
            .to_string()
        })
    }
}

/// Q/GDW 1376: the carrier module's route and the terminal's address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Qgdw1376Options {
    /// 1376.2: add the meters named to the module's route before reading.
    pub add_nodes: bool,
    /// 1376.1: the terminal's address (empty: find it).
    pub terminal: String,
}

/// Every family's options, as the page keeps them while the protocol changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReaderOptions {
    pub dlt698: Dlt698Options,
    pub dlms: DlmsOptions,
    pub iec: IecOptions,
    pub mbus: MbusOptions,
    pub qgdw1376: Qgdw1376Options,
}

#[cfg(test)]
mod tests {
    use super::*;
    use meterscope_core::protocols::dlms::session::{Auth, Transport};
    use meterscope_core::session::{LineSettings, Parity};

    const EN: Lang = Lang::En;

    #[test]
    fn the_defaults_make_valid_sessions() {
        let o = ReaderOptions::default();
        assert_eq!(
            (o.dlt698.records(EN), o.dlt698.client_address(EN), o.dlt698.connect(EN)),
            (Ok(3), Ok(0x10), Ok(Connect::Auto))
        );
        assert_eq!(o.dlt698.password(), None);
        let line = LineSettings::new(9600, 8, Parity::None, 1);
        let cfg = o.dlms.association(None, 1, EN).unwrap().config(line, EN).unwrap();
        assert_eq!((cfg.client, cfg.server, cfg.transport, cfg.auth), (16, 1, Transport::Hdlc, Auth::None));
        assert_eq!(o.dlms.range(EN).unwrap().0.to_string(), "2024-05-17 06:00:00");
        assert_eq!(
            (o.iec.mode(), o.iec.address(), o.iec.settle(EN), o.iec.max_baud(EN)),
            (Mode::C, None, Ok(300), Ok(None))
        );
        assert_eq!(o.mbus.scan(Lang::En), Ok(MbusScan::Primary(0, 250)));
    }

    #[test]
    fn what_users_type_is_checked_as_the_cli_checks_it() {
        let mut d = DlmsOptions::default();
        d.set_auth("low");
        let line = LineSettings::new(9600, 8, Parity::None, 1);
        assert_eq!(d.association(None, 1, EN).unwrap().config(line, EN).unwrap().auth, Auth::Low(b"12345678".to_vec()));
        d.set_auth("high");
        assert!(d.association(None, 1, EN).unwrap().config(line, EN).unwrap_err().contains("keys"));
        d.set_auth("none");
        assert_eq!(d.client, "16");
        let d = DlmsOptions { physical: "17".into(), link: "wrapper".into(), ..DlmsOptions::default() };
        assert!(d.association(None, 1, EN).unwrap().config(line, EN).is_err());
        assert!(DlmsOptions { client: "x".into(), ..DlmsOptions::default() }.association(None, 1, EN).is_err());
        assert!(DlmsOptions { to: "2024-05-16 00:00".into(), ..DlmsOptions::default() }.range(EN).is_err());
        let t = Dlt698Options { client_address: "A0".into(), records: "0".into(), ..Dlt698Options::default() };
        assert!(t.client_address(EN).is_err() && t.records(Lang::Zh).unwrap_err().contains("记录"));
        assert_eq!(
            Dlt698Options { password: "pw".into(), ..Dlt698Options::default() }.password(),
            Some(b"pw".to_vec())
        );
        assert_eq!(IecOptions { max_baud: "00".into(), ..IecOptions::default() }.max_baud(EN), Ok(None));
        let i =
            IecOptions { settle: "fast".into(), max_baud: "9600".into(), mode: "e".into(), ..IecOptions::default() };
        assert!(i.settle(Lang::Zh).unwrap_err().contains("毫秒"));
        assert_eq!((i.max_baud(EN), i.mode()), (Ok(Some(9600)), Mode::E));
        let zh = MbusOptions { scan: "x".into() }.scan(Lang::Zh).unwrap_err();
        assert!(zh.contains("扫描"), "{zh}");
    }
}
