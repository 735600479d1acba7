//! What a user asks the concentrator (1376.2) and master station (1376.1)
//! sessions to do, parsed once from the words typed, for every surface that
//! reads (the CLI's `read` and the reader page): typed targets, the typed
//! error of a word that is none (in English and Chinese), and the queueing of
//! each target on its session.
//!
//! Words, 1376.2: `info`, `nodes`, `645:ADDRESS:DI`, `698:ADDRESS:OAD`,
//! `645:ADDRESS:clock`, `698:ADDRESS:clock`.
//! Words, 1376.1: `clock`, `config`, `c1:PN:FN`, `c2:PN:FN:YYYY-MM-DD`,
//! `events[:PM:PN]`, `relay:PORT:ADDRESS:DI`, `relay698:PORT:ADDRESS:OAD`,
//! `set-clock`.

use super::codec::{NodeAddress, parse_node};
use super::concentrator::ConcentratorSession;
use super::master::MasterSession;
use super::module::protocol;
use crate::lang::Lang;
use crate::protocols::dlt645::Address;
use crate::session::{DateTime, Millis};

/// A 1376.2 target: what the concentrator asks its module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModuleTarget {
    /// Vendor, chip, version (AFN 03 F1) and the master node address (AFN 03 F4).
    Info,
    /// The route's slave nodes (AFN 10 F1/F2).
    Nodes,
    /// A meter read through the module (AFN 13 F1): protocol type (2 DL/T
    /// 645-2007, 3 DL/T 698.45), meter address, DI or OAD (none: the clock).
    Read { protocol: u8, meter: NodeAddress, id: Option<u32> },
}

/// A 1376.1 target: what the master station asks the terminal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TerminalTarget {
    /// The terminal's clock (AFN 0C F2).
    Clock,
    /// Version and configuration (AFN 09 F1).
    Config,
    /// Class 1 data: measuring point pn, Fn.
    Class1 { pn: u16, fn_: u16 },
    /// Class 2 data of a day: measuring point pn, Fn, the day.
    Class2 { pn: u16, fn_: u16, day: DateTime },
    /// Important events from pointer pm to pn (AFN 0E F1).
    Events { pm: u8, pn: u8 },
    /// A DL/T 645-2007 read relayed to a meter on a port (AFN 10 F1).
    Relay645 { port: u8, meter: Address, di: u32 },
    /// A DL/T 698.45 GET-Request-Normal relayed to a meter on a port (AFN 10 F1);
    /// the server address in wire order.
    Relay698 { port: u8, meter: NodeAddress, oad: u32 },
    /// The terminal's clock set to the wall clock (AFN 05 F31; needs the session's confirmation).
    SetClock,
}

/// Why a word is no target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetErrorKind {
    /// Not one of the 1376.2 forms.
    NotModuleTarget,
    /// Not one of the 1376.1 forms.
    NotTerminalTarget,
    /// The protocol of a read through the module is not 645 or 698.
    Protocol,
    /// Not a 12-digit meter address.
    MeterAddress,
    /// Not 8 hex digits (a DI or an OAD).
    Identifier,
    /// A number out of its range (the text given).
    Number(String),
    /// A day not written YYYY-MM-DD.
    DayFormat,
    /// A day that does not exist.
    NoSuchDay,
}

/// A word that is no target, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetError {
    pub word: String,
    pub kind: TargetErrorKind,
}

impl TargetError {
    fn new(word: &str, kind: TargetErrorKind) -> TargetError {
        TargetError { word: word.to_string(), kind }
    }

    /// The message in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let w = &self.word;
        match (&self.kind, lang) {
            (TargetErrorKind::NotModuleTarget, Lang::En) => {
                format!("'{w}': give info, nodes, 645:ADDRESS:DI, 698:ADDRESS:OAD or 645|698:ADDRESS:clock")
            }
            (TargetErrorKind::NotModuleTarget, Lang::Zh) => {
                format!("“{w}”：应为 info、nodes、645:表地址:DI、698:表地址:OAD 或 645|698:表地址:clock")
            }
            (TargetErrorKind::NotTerminalTarget, Lang::En) => format!(
                "'{w}': give clock, config, c1:PN:FN, c2:PN:FN:YYYY-MM-DD, events[:PM:PN], relay:PORT:ADDRESS:DI, relay698:PORT:ADDRESS:OAD or set-clock"
            ),
            (TargetErrorKind::NotTerminalTarget, Lang::Zh) => format!(
                "“{w}”：应为 clock、config、c1:测量点:Fn、c2:测量点:Fn:年-月-日、events[:起:止]、relay:端口:表地址:DI、relay698:端口:表地址:OAD 或 set-clock"
            ),
            (TargetErrorKind::Protocol, Lang::En) => format!("'{w}': the protocol is 645 or 698"),
            (TargetErrorKind::Protocol, Lang::Zh) => format!("“{w}”：规约应为 645 或 698"),
            (TargetErrorKind::MeterAddress, Lang::En) => format!("'{w}': not a 12-digit meter address"),
            (TargetErrorKind::MeterAddress, Lang::Zh) => format!("“{w}”：不是 12 位表地址"),
            (TargetErrorKind::Identifier, Lang::En) => format!("'{w}': the identifier is 8 hex digits"),
            (TargetErrorKind::Identifier, Lang::Zh) => format!("“{w}”：标识应为 8 位十六进制数"),
            (TargetErrorKind::Number(t), Lang::En) => format!("'{w}': '{t}' is not a number in range"),
            (TargetErrorKind::Number(t), Lang::Zh) => format!("“{w}”：“{t}”不是范围内的数"),
            (TargetErrorKind::DayFormat, Lang::En) => format!("'{w}': the day is YYYY-MM-DD"),
            (TargetErrorKind::DayFormat, Lang::Zh) => format!("“{w}”：日期应为 年-月-日"),
            (TargetErrorKind::NoSuchDay, Lang::En) => format!("'{w}': no such day"),
            (TargetErrorKind::NoSuchDay, Lang::Zh) => format!("“{w}”：没有这一天"),
        }
    }
}

crate::session::words::english_display!(TargetError);

pub use crate::client::targets::words;

fn hex_u32(word: &str, text: &str) -> Result<u32, TargetError> {
    let t = text.trim_start_matches("0x");
    if t.len() != 8 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(TargetError::new(word, TargetErrorKind::Identifier));
    }
    u32::from_str_radix(t, 16).map_err(|_| TargetError::new(word, TargetErrorKind::Identifier))
}

fn number<T: core::str::FromStr>(word: &str, text: &str) -> Result<T, TargetError> {
    text.parse().map_err(|_| TargetError::new(word, TargetErrorKind::Number(text.to_string())))
}

fn node(word: &str, text: &str) -> Result<NodeAddress, TargetError> {
    parse_node(text).ok_or_else(|| TargetError::new(word, TargetErrorKind::MeterAddress))
}

impl ModuleTarget {
    /// One word as a 1376.2 target.
    pub fn parse(w: &str) -> Result<ModuleTarget, TargetError> {
        match w {
            "info" => return Ok(ModuleTarget::Info),
            "nodes" => return Ok(ModuleTarget::Nodes),
            _ => {}
        }
        let mut parts = w.split(':');
        let (Some(p), Some(meter), Some(id), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(TargetError::new(w, TargetErrorKind::NotModuleTarget));
        };
        let protocol = match p {
            "645" => protocol::DLT645_2007,
            "698" => protocol::DLT698,
            _ => return Err(TargetError::new(w, TargetErrorKind::Protocol)),
        };
        let id = if id.eq_ignore_ascii_case("clock") { None } else { Some(hex_u32(w, id)?) };
        Ok(ModuleTarget::Read { protocol, meter: node(w, meter)?, id })
    }

    /// Put this target in the session's queue.
    pub fn queue(&self, s: &mut ConcentratorSession, now: Millis) {
        match *self {
            ModuleTarget::Info => s.query_module(now),
            ModuleTarget::Nodes => s.read_nodes(now, 32),
            ModuleTarget::Read { protocol, meter, id: None } => s.read_clock(now, meter, protocol),
            ModuleTarget::Read { protocol: protocol::DLT698, meter, id: Some(oad) } => s.read_698(now, meter, &[oad]),
            ModuleTarget::Read { meter, id: Some(di), .. } => s.read_645(now, meter, &[di]),
        }
    }
}

/// Every word of `words` as a 1376.2 target; the first word that is none is the error.
pub fn module_targets<'a>(words: impl IntoIterator<Item = &'a str>) -> Result<Vec<ModuleTarget>, TargetError> {
    words.into_iter().map(ModuleTarget::parse).collect()
}

/// The meters the targets read, once each with their protocol type (to add
/// them to the module's route first).
pub fn route_nodes(targets: &[ModuleTarget]) -> Vec<(NodeAddress, u8)> {
    let mut meters: Vec<(NodeAddress, u8)> = Vec::new();
    for t in targets {
        if let ModuleTarget::Read { protocol, meter, .. } = t
            && !meters.iter().any(|m| m.0 == *meter)
        {
            meters.push((*meter, *protocol));
        }
    }
    meters
}

impl TerminalTarget {
    /// One word as a 1376.1 target.
    pub fn parse(w: &str) -> Result<TerminalTarget, TargetError> {
        let p: Vec<&str> = w.split(':').collect();
        Ok(match p.as_slice() {
            ["clock"] => TerminalTarget::Clock,
            ["config"] => TerminalTarget::Config,
            ["set-clock"] => TerminalTarget::SetClock,
            ["events"] => TerminalTarget::Events { pm: 0, pn: 0xFF },
            ["events", pm, pn] => TerminalTarget::Events { pm: number(w, pm)?, pn: number(w, pn)? },
            ["c1", pn, f] => TerminalTarget::Class1 { pn: number(w, pn)?, fn_: number(w, f)? },
            ["c2", pn, f, day] => {
                let d: Vec<&str> = day.split('-').collect();
                let [y, m, dd] = d.as_slice() else { return Err(TargetError::new(w, TargetErrorKind::DayFormat)) };
                let day = DateTime {
                    year: number(w, y)?,
                    month: number(w, m)?,
                    day: number(w, dd)?,
                    hour: 0,
                    minute: 0,
                    second: 0,
                };
                if !day.is_valid() {
                    return Err(TargetError::new(w, TargetErrorKind::NoSuchDay));
                }
                TerminalTarget::Class2 { pn: number(w, pn)?, fn_: number(w, f)?, day }
            }
            ["relay", port, meter, di] => {
                let meter = Address::parse(meter).ok_or_else(|| TargetError::new(w, TargetErrorKind::MeterAddress))?;
                TerminalTarget::Relay645 { port: number(w, port)?, meter, di: hex_u32(w, di)? }
            }
            ["relay698", port, meter, oad] => {
                TerminalTarget::Relay698 { port: number(w, port)?, meter: node(w, meter)?, oad: hex_u32(w, oad)? }
            }
            _ => return Err(TargetError::new(w, TargetErrorKind::NotTerminalTarget)),
        })
    }

    /// Put this target in the session's queue; `wall_clock` is the time a
    /// `set-clock` sends.
    pub fn queue(&self, s: &mut MasterSession, now: Millis, wall_clock: DateTime) {
        match *self {
            TerminalTarget::Clock => s.read_clock(now),
            TerminalTarget::Config => s.read_config(now),
            TerminalTarget::Class1 { pn, fn_ } => s.class1(now, pn, fn_),
            TerminalTarget::Class2 { pn, fn_, day } => s.class2_day(now, pn, fn_, day),
            TerminalTarget::Events { pm, pn } => s.events(now, true, pm, pn),
            TerminalTarget::Relay645 { port, meter, di } => s.relay_read(now, port, meter, di),
            TerminalTarget::Relay698 { port, meter, oad } => s.relay_get_698(now, port, meter, oad),
            TerminalTarget::SetClock => s.set_clock(now, wall_clock),
        }
    }
}

/// Every word of `words` as a 1376.1 target; the first word that is none is the error.
pub fn terminal_targets<'a>(words: impl IntoIterator<Item = &'a str>) -> Result<Vec<TerminalTarget>, TargetError> {
    words.into_iter().map(TerminalTarget::parse).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_words() {
        let t = module_targets(words("info, nodes 645:202405170001:00010000;698:202405170002:clock")).unwrap();
        assert_eq!(t[0], ModuleTarget::Info);
        assert_eq!(t[1], ModuleTarget::Nodes);
        assert!(matches!(t[2], ModuleTarget::Read { protocol: protocol::DLT645_2007, id: Some(0x0001_0000), .. }));
        assert!(matches!(t[3], ModuleTarget::Read { protocol: protocol::DLT698, id: None, .. }));
        assert_eq!(route_nodes(&t).len(), 2);
        let e = ModuleTarget::parse("646:202405170001:00010000").unwrap_err();
        assert_eq!(e.kind, TargetErrorKind::Protocol);
        assert!(e.text(Lang::Zh).contains("645 或 698"));
        assert_eq!(ModuleTarget::parse("645:2024:00010000").unwrap_err().kind, TargetErrorKind::MeterAddress);
        assert_eq!(ModuleTarget::parse("645:202405170001:0001").unwrap_err().kind, TargetErrorKind::Identifier);
        assert_eq!(ModuleTarget::parse("clock").unwrap_err().kind, TargetErrorKind::NotModuleTarget);
        assert_eq!(
            ModuleTarget::parse("645:202405170001:00010000:x").unwrap_err().kind,
            TargetErrorKind::NotModuleTarget
        );
    }

    #[test]
    fn terminal_words() {
        let t = terminal_targets(words("clock c1:1:25 c2:0:161:2024-02-29 events:0:2 relay:2:000000000001:00010000"))
            .unwrap();
        assert_eq!(t[1], TerminalTarget::Class1 { pn: 1, fn_: 25 });
        assert!(matches!(t[2], TerminalTarget::Class2 { pn: 0, fn_: 161, day } if day.day == 29));
        assert_eq!(t[3], TerminalTarget::Events { pm: 0, pn: 2 });
        assert!(matches!(t[4], TerminalTarget::Relay645 { port: 2, di: 0x0001_0000, .. }));
        assert_eq!(TerminalTarget::parse("c2:0:161:2023-02-29").unwrap_err().kind, TargetErrorKind::NoSuchDay);
        assert_eq!(TerminalTarget::parse("c2:0:161:20230228").unwrap_err().kind, TargetErrorKind::DayFormat);
        assert_eq!(TerminalTarget::parse("c1:70000:1").unwrap_err().kind, TargetErrorKind::Number("70000".into()));
        let e = TerminalTarget::parse("read").unwrap_err();
        assert!(e.to_string().starts_with("'read': give clock"));
        assert!(e.text(Lang::Zh).starts_with("“read”：应为"));
    }
}
