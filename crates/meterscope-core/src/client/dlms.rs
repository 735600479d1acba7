//! A DLMS/COSEM association as users set it up, checked once for every
//! surface (the CLI's options, the reader page's fields) and turned into the
//! session's [`Config`].

use crate::Lang;
use crate::protocols::dlms::assoc::SuiteKeys;
use crate::protocols::dlms::session::{Auth, Config, Security, Transport};
use crate::session::LineSettings;

/// The system title the client sends when none is given.
pub const CLIENT_TITLE: [u8; 8] = *b"MSC\x00\x00\x00\x00\x10";

/// What an association is made of, as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Association {
    /// Client SAP: 16 public, 1 management… (1 to 127).
    pub client: u16,
    /// Server logical address (upper HDLC address) or wPort.
    pub server: u16,
    /// Server physical address (lower HDLC address); 0 or none for none.
    pub physical: Option<u16>,
    pub transport: Transport,
    /// Authentication: `none`, `low` (a password) or `high` (HLS GMAC).
    pub auth: String,
    pub password: Option<String>,
    /// The suite's cipher and authentication keys, when known.
    pub keys: Option<SuiteKeys>,
    pub system_title: [u8; 8],
    pub invocation_counter: u32,
    /// Cipher the APDUs (needs the keys).
    pub cipher: bool,
    /// A dedicated key for this association (needs the keys).
    pub dedicated_key: Option<[u8; 16]>,
}

impl Default for Association {
    fn default() -> Self {
        Association {
            client: 16,
            server: 1,
            physical: None,
            transport: Transport::Hdlc,
            auth: "none".into(),
            password: None,
            keys: None,
            system_title: CLIENT_TITLE,
            invocation_counter: 0,
            cipher: false,
            dedicated_key: None,
        }
    }
}

/// `hdlc`, or `wrapper` (also `tcp`, `udp`: the wrapper is what runs over IP).
pub fn transport(text: &str, lang: Lang) -> Result<Transport, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "hdlc" => Ok(Transport::Hdlc),
        "wrapper" | "tcp" | "udp" => Ok(Transport::Wrapper),
        other => Err(match lang {
            Lang::En => format!("transport '{other}': give hdlc or wrapper"),
            Lang::Zh => format!("传输方式“{other}”：请填 hdlc 或 wrapper"),
        }),
    }
}

/// `N` bytes written as hex (spaces and colons between them allowed); `what` names it.
pub fn hex_key<const N: usize>(text: &str, what: &str) -> Result<[u8; N], String> {
    let t: String = text.chars().filter(|c| !c.is_whitespace() && *c != ':').collect();
    let bad = || format!("{what} must be {} hex digits", 2 * N);
    if t.len() != 2 * N || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&t[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(out)
}

impl Association {
    /// The session's configuration at `line`, or what is missing or out of range.
    pub fn config(&self, line: LineSettings, lang: Lang) -> Result<Config, String> {
        let say = |en: String, zh: String| if lang == Lang::Zh { zh } else { en };
        let auth = match self.auth.trim().to_ascii_lowercase().as_str() {
            "none" | "" => Auth::None,
            "low" => match &self.password {
                Some(p) if !p.is_empty() => Auth::Low(p.clone().into_bytes()),
                _ => {
                    return Err(say(
                        "low-level security (a password) needs the password".into(),
                        "低级安全认证需要密码".into(),
                    ));
                }
            },
            "high" => Auth::HighGmac,
            other => {
                return Err(say(
                    format!("authentication is none, low or high, not '{other}'"),
                    format!("认证方式为 none、low 或 high，不是“{other}”"),
                ));
            }
        };
        let wants_keys = auth == Auth::HighGmac || self.cipher || self.dedicated_key.is_some();
        let security = match (wants_keys, &self.keys) {
            (false, _) => None,
            (true, Some(keys)) => Some(Security {
                keys: keys.clone(),
                system_title: self.system_title,
                invocation_counter: self.invocation_counter,
                cipher: self.cipher,
            }),
            (true, None) => {
                return Err(say(
                    "high-level security, ciphering and a dedicated key need the cipher and authentication keys".into(),
                    "高级安全认证、加密和专用密钥需要加密密钥和认证密钥".into(),
                ));
            }
        };
        if self.client == 0 || self.client > 0x7F {
            return Err(say(
                format!("client SAP {}: a number of 1 to 127", self.client),
                format!("客户端 SAP {}：应为 1 到 127", self.client),
            ));
        }
        let physical = self.physical.filter(|&p| p != 0);
        if self.server > 0x3FFF || physical.is_some_and(|p| p > 0x3FFF) {
            return Err(say("HDLC server addresses are 0 to 16383".into(), "HDLC 服务器地址为 0 到 16383".into()));
        }
        if self.transport == Transport::Wrapper && physical.is_some() {
            return Err(say(
                "a physical address is an HDLC address: use the HDLC transport".into(),
                "物理地址属于 HDLC：请选择 HDLC 传输".into(),
            ));
        }
        Ok(Config {
            transport: self.transport,
            client: self.client,
            server: self.server,
            physical,
            auth,
            security,
            dedicated_key: self.dedicated_key,
            line,
            ..Config::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> SuiteKeys {
        SuiteKeys { ek: [0x11; 16], ak: [0x22; 16] }
    }

    #[test]
    fn associations_are_checked_once() {
        let line = LineSettings::new(9600, 8, crate::session::Parity::None, 1);
        let public = Association::default().config(line, Lang::En).unwrap();
        assert_eq!((public.client, public.server, public.auth, public.security.is_some()), (16, 1, Auth::None, false));
        let low =
            Association { client: 1, auth: "low".into(), password: Some("ABCDEFGH".into()), ..Default::default() };
        assert_eq!(low.config(line, Lang::En).unwrap().auth, Auth::Low(b"ABCDEFGH".to_vec()));
        assert!(Association { password: None, ..low.clone() }.config(line, Lang::En).unwrap_err().contains("password"));
        let high = Association { client: 1, auth: "high".into(), ..Default::default() };
        assert!(high.config(line, Lang::En).unwrap_err().contains("keys"));
        let high = Association { keys: Some(keys()), invocation_counter: 7, ..high };
        let s = high.config(line, Lang::En).unwrap().security.unwrap();
        assert_eq!((s.cipher, s.invocation_counter, s.system_title), (false, 7, CLIENT_TITLE));
        let ciphered = Association { cipher: true, keys: Some(keys()), ..Default::default() };
        assert!(ciphered.config(line, Lang::En).unwrap().security.unwrap().cipher);
        // Keys alone do not cipher; they wait for a use.
        assert!(
            Association { keys: Some(keys()), ..Default::default() }.config(line, Lang::En).unwrap().security.is_none()
        );
        assert!(Association { dedicated_key: Some([0; 16]), ..Default::default() }.config(line, Lang::En).is_err());
        for bad in [
            Association { client: 0, ..Default::default() },
            Association { client: 128, ..Default::default() },
            Association { server: 0x4000, ..Default::default() },
            Association { physical: Some(0x4000), ..Default::default() },
            Association { physical: Some(17), transport: Transport::Wrapper, ..Default::default() },
            Association { auth: "medium".into(), ..Default::default() },
        ] {
            assert!(bad.config(line, Lang::En).is_err(), "{bad:?}");
        }
        assert_eq!(
            Association { physical: Some(0), ..Default::default() }.config(line, Lang::En).unwrap().physical,
            None
        );
    }

    #[test]
    fn transports_and_keys_as_written() {
        assert_eq!(transport("TCP", Lang::En), Ok(Transport::Wrapper));
        assert_eq!(transport("hdlc", Lang::En), Ok(Transport::Hdlc));
        assert!(transport("serial", Lang::Zh).unwrap_err().contains("传输方式"));
        let zh = Association { client: 0, ..Default::default() }
            .config(LineSettings::new(9600, 8, crate::session::Parity::None, 1), Lang::Zh);
        assert!(zh.unwrap_err().contains("客户端 SAP"));
        assert_eq!(hex_key::<2>("0A:0b", "k"), Ok([0x0A, 0x0B]));
        assert_eq!(hex_key::<2>("0A 0", "k"), Err("k must be 4 hex digits".into()));
    }
}
