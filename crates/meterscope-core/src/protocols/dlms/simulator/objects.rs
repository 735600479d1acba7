//! The meter's objects: the object list, registers, profiles and logs, and
//! GET, SET and ACTION on them (selective access by range or entries).

use super::*;

impl DlmsMeter {
    /// Class, version and logical name of every object.
    pub(super) fn objects(&self) -> Vec<(u16, u8, [u8; 6])> {
        let association = if self.cfg.short_names { (12, 4, ASSOCIATION_LN) } else { (15, 1, ASSOCIATION_LN) };
        vec![
            association,
            (8, 0, CLOCK),
            (1, 0, [0, 0, 42, 0, 0, 255]),
            (1, 0, [0, 0, 96, 1, 0, 255]),
            (1, 0, [0, 0, 96, 11, 0, 255]),
            (3, 0, [1, 0, 1, 8, 0, 255]),
            (3, 0, [1, 0, 2, 8, 0, 255]),
            (3, 0, [1, 0, 1, 7, 0, 255]),
            (3, 0, [1, 0, 32, 7, 0, 255]),
            (3, 0, [1, 0, 31, 7, 0, 255]),
            (3, 0, [1, 0, 14, 7, 0, 255]),
            (7, 1, LOAD_PROFILE),
            (7, 1, EVENT_LOG),
            (70, 0, DISCONNECT_CONTROL),
            (1, 0, FIRMWARE[0]),
            (1, 0, FIRMWARE[1]),
            (1, 0, FIRMWARE[2]),
            (1, 0, ALARM_REGISTER),
            (1, 0, ALARM_FILTER),
            (40, 0, PUSH_SETUP),
            (72, 1, MBUS_CLIENT),
            (4, 0, MBUS_VOLUME),
        ]
    }

    pub(super) fn known(&self, class: u16, obis: [u8; 6]) -> bool {
        self.objects().iter().any(|o| o.0 == class && o.2 == obis)
    }

    /// The attribute a short name stands for.
    pub(super) fn sn_attr(&self, name: u16) -> Option<AttrRef> {
        self.objects().into_iter().enumerate().find_map(|(i, (class, _, obis))| {
            let off = name.checked_sub(base_name(i, class))?;
            (off < 0x100 && off % 8 == 0).then(|| AttrRef::new(class, obis, (off / 8 + 1) as i8))
        })
    }

    /// A register: value and scaler-unit.
    pub(super) fn register(&self, obis: [u8; 6], now: DateTime) -> Option<(Data, i8, u8)> {
        let mut r = self.rng(now.to_unix() as u64);
        let amps = if self.relay { r.range(150, 900) } else { 0 };
        Some(match obis {
            [1, 0, 1, 8, 0, 255] => (Data::DoubleLongUnsigned(self.energy_import(now)), 0, 30),
            [1, 0, 2, 8, 0, 255] => (Data::DoubleLongUnsigned(self.energy_export(now)), 0, 30),
            [1, 0, 32, 7, 0, 255] => (Data::LongUnsigned(r.range(2270, 2330) as u16), -1, 35),
            [1, 0, 31, 7, 0, 255] => (Data::LongUnsigned(amps as u16), -2, 33),
            [1, 0, 1, 7, 0, 255] => (Data::DoubleLongUnsigned((amps * 23 / 10) as u32), 0, 27),
            [1, 0, 14, 7, 0, 255] => (Data::LongUnsigned(r.range(4995, 5005) as u16), -2, 44),
            MBUS_VOLUME => (Data::DoubleLongUnsigned(self.gas_volume(now)), -3, 13),
            _ => return None,
        })
    }

    pub(super) fn column(class: u16, obis: [u8; 6], attr: i8) -> Data {
        Data::Structure(vec![
            Data::LongUnsigned(class),
            Data::OctetString(obis.to_vec()),
            Data::Integer(attr),
            Data::LongUnsigned(0),
        ])
    }

    pub(super) fn object_list(&self) -> Data {
        Data::Array(
            self.objects()
                .into_iter()
                .enumerate()
                .map(|(i, (class, version, obis))| {
                    Data::Structure(if self.cfg.short_names {
                        vec![
                            Data::Long(base_name(i, class) as i16),
                            Data::LongUnsigned(class),
                            Data::Unsigned(version),
                            Data::OctetString(obis.to_vec()),
                        ]
                    } else {
                        vec![
                            Data::LongUnsigned(class),
                            Data::Unsigned(version),
                            Data::OctetString(obis.to_vec()),
                            Data::Structure(vec![Data::Array(Vec::new()), Data::Array(Vec::new())]),
                        ]
                    })
                })
                .collect(),
        )
    }

    /// GET of one attribute.
    pub(super) fn get(&self, a: &AttrRef, access: Option<&Access>) -> GetResult {
        let now = self.clock(self.now);
        if !self.known(a.class, a.obis) {
            return Err(4);
        }
        if a.index == 1 {
            return Ok(Data::OctetString(a.obis.to_vec()));
        }
        let assoc = self.assoc.as_ref();
        let dt = |t: DateTime| Data::OctetString(octets(t).to_vec());
        match (a.class, a.obis, a.index) {
            (12 | 15, _, 2) => Ok(self.object_list()),
            (15, _, 3) => Ok(Data::Structure(vec![Data::Integer(16), Data::LongUnsigned(self.cfg.logical)])),
            (15, _, 4) => Ok(Data::OctetString(vec![0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01])),
            (15, _, 5) => Ok(Data::Structure(vec![
                Data::BitString(24, vec![0x00, 0x7E, 0x1F]),
                Data::LongUnsigned(self.cfg.max_pdu),
                Data::LongUnsigned(self.cfg.max_pdu),
                Data::Unsigned(6),
                Data::Integer(0),
                Data::OctetString(Vec::new()),
            ])),
            (15, _, 6) => {
                let m = assoc.map_or(0, |x| x.mechanism.id());
                Ok(Data::OctetString(vec![0x60, 0x85, 0x74, 0x05, 0x08, 0x02, m]))
            }
            (15, _, 7) => Err(3),
            (15, _, 8) => Ok(Data::Enum(2)),
            (15, _, 9) => Ok(Data::OctetString(vec![0, 0, 43, 0, 0, 255])),
            (15, _, 10) => Ok(Data::Array(Vec::new())),
            (15, _, 11) => Ok(Data::Structure(vec![Data::Unsigned(0), Data::VisibleString(Vec::new())])),
            (12, _, 3) => Ok(Data::Array(Vec::new())),
            (12, _, 4) => Ok(Data::OctetString(vec![0, 0, 43, 0, 0, 255])),
            (8, _, 2) => Ok(Data::DateTime(octets(now))),
            (8, _, 3) => Ok(Data::Long(-60)),
            (8, _, 4) => Ok(Data::Unsigned(0)),
            (8, _, 5) => Ok(dt(DateTime { year: now.year, month: 3, day: 31, hour: 2, minute: 0, second: 0 })),
            (8, _, 6) => Ok(dt(DateTime { year: now.year, month: 10, day: 27, hour: 3, minute: 0, second: 0 })),
            (8, _, 7) => Ok(Data::Integer(60)),
            (8, _, 8) => Ok(Data::Boolean(true)),
            (8, _, 9) => Ok(Data::Enum(1)),
            (1, [0, 0, 42, 0, 0, 255], 2) => Ok(Data::OctetString(b"MSC0000000001".to_vec())),
            (1, [0, 0, 96, 1, 0, 255], 2) => Ok(Data::VisibleString(format!("{:08}", self.cfg.seed).into_bytes())),
            (1, [0, 0, 96, 11, 0, 255], 2) => Ok(Data::LongUnsigned(match self.event_rows(now).last() {
                Some(Data::Structure(v)) => match v.get(1) {
                    Some(Data::LongUnsigned(c)) => *c,
                    _ => 0,
                },
                _ => 0,
            })),
            (1, o, 2) if o == FIRMWARE[0] => Ok(Data::OctetString(b"MSC-MET 2.4.1".to_vec())),
            (1, o, 2) if o == FIRMWARE[1] => {
                let mut r = self.rng(5);
                Ok(Data::OctetString((0..8).map(|_| r.range(0, 255) as u8).collect()))
            }
            (1, o, 2) if o == FIRMWARE[2] => Ok(Data::OctetString(b"MSC-COM 1.9.0".to_vec())),
            (1, ALARM_REGISTER, 2) => Ok(Data::DoubleLongUnsigned(self.alarms)),
            (1, ALARM_FILTER, 2) => Ok(Data::DoubleLongUnsigned(0xFFFF_FFFF)),
            (3 | 4, obis, 2) => self.register(obis, now).map(|r| r.0).ok_or(4),
            (3 | 4, obis, 3) => self
                .register(obis, now)
                .map(|(_, s, u)| Data::Structure(vec![Data::Integer(s), Data::Enum(u)]))
                .ok_or(4),
            (4, _, 4) => Ok(Data::Unsigned(0)),
            (4, _, 5) => Ok(Data::DateTime(octets(DateTime::from_unix(now.to_unix().div_euclid(3600) * 3600)))),
            (7, LOAD_PROFILE, 3) => Ok(Data::Array(vec![
                Self::column(8, CLOCK, 2),
                Self::column(3, [1, 0, 1, 8, 0, 255], 2),
                Self::column(3, [1, 0, 2, 8, 0, 255], 2),
            ])),
            (7, EVENT_LOG, 3) => {
                Ok(Data::Array(vec![Self::column(8, CLOCK, 2), Self::column(1, [0, 0, 96, 11, 0, 255], 2)]))
            }
            (7, obis, 2) => {
                let rows = if obis == LOAD_PROFILE { self.profile_rows(now) } else { self.event_rows(now) };
                select(rows, access).map(Data::Array)
            }
            (7, obis, 4) => Ok(Data::DoubleLongUnsigned(if obis == LOAD_PROFILE { 900 } else { 0 })),
            (7, _, 5) => Ok(Data::Enum(1)),
            (7, _, 6) => Ok(Self::column(0, [0; 6], 0)),
            (7, obis, 7) => {
                let n = if obis == LOAD_PROFILE { self.profile_rows(now).len() } else { self.event_rows(now).len() };
                Ok(Data::DoubleLongUnsigned(n as u32))
            }
            (7, obis, 8) => {
                Ok(Data::DoubleLongUnsigned(if obis == LOAD_PROFILE { self.cfg.profile_entries.max(1) } else { 100 }))
            }
            (70, _, 2) => Ok(Data::Boolean(self.relay)),
            (70, _, 3) => Ok(Data::Enum(u8::from(self.relay))),
            (70, _, 4) => Ok(Data::Enum(1)),
            (40, _, 2) => Ok(Data::Array(vec![
                Data::Structure(vec![
                    Data::LongUnsigned(1),
                    Data::OctetString(vec![0, 0, 96, 1, 0, 255]),
                    Data::Integer(2),
                    Data::LongUnsigned(0),
                ]),
                Data::Structure(vec![
                    Data::LongUnsigned(1),
                    Data::OctetString(ALARM_REGISTER.to_vec()),
                    Data::Integer(2),
                    Data::LongUnsigned(0),
                ]),
            ])),
            (40, _, 3) => {
                Ok(Data::Structure(vec![Data::Enum(0), Data::OctetString(b"192.0.2.10:4059".to_vec()), Data::Enum(0)]))
            }
            (40, _, 4) => Ok(Data::Array(Vec::new())),
            (40, _, 5) => Ok(Data::LongUnsigned(30)),
            (40, _, 6) => Ok(Data::Unsigned(3)),
            (40, _, 7) => Ok(Data::LongUnsigned(60)),
            (72, _, 2) => Ok(Data::OctetString(vec![0, 0, 24, 6, 0, 255])),
            (72, _, 3) => Ok(Data::Array(vec![Data::Structure(vec![
                Data::OctetString(vec![0x0C]),
                Data::OctetString(vec![0x13]),
            ])])),
            (72, _, 4) => Ok(Data::DoubleLongUnsigned(3600)),
            (72, _, 5) => Ok(Data::Unsigned(1)),
            (72, _, 6) => Ok(Data::DoubleLongUnsigned(0x1234_5678)),
            (72, _, 7) => Ok(Data::LongUnsigned(0x2C2D)),
            (72, _, 8) => Ok(Data::Unsigned(1)),
            (72, _, 9) => Ok(Data::Unsigned(3)),
            (72, _, 10) => Ok(Data::Unsigned(now.minute)),
            (72, _, 11) => Ok(Data::Unsigned(0)),
            (72, _, 12) => Ok(Data::Unsigned(0)),
            _ => Err(4),
        }
    }

    pub(super) fn may_write(&self) -> bool {
        self.assoc.as_ref().is_some_and(|a| a.mechanism != Mechanism::None)
    }

    pub(super) fn set(&mut self, a: &AttrRef, value: &Data) -> u8 {
        if !self.may_write() {
            return 3;
        }
        match (a.class, a.obis, a.index, value) {
            (8, CLOCK, 2, Data::DateTime(raw)) => match civil(raw) {
                Some(t) => {
                    self.clock_offset += t.to_unix() - self.clock(self.now).to_unix();
                    0
                }
                None => 250,
            },
            (8, CLOCK, 2, _) => 12,
            (1, ALARM_REGISTER, 2, Data::DoubleLongUnsigned(v)) => {
                // Writing clears the bits that are 0 in the value.
                self.alarms &= v;
                0
            }
            (1, ALARM_REGISTER, 2, _) => 12,
            _ if self.known(a.class, a.obis) => 3,
            _ => 4,
        }
    }

    pub(super) fn action(&mut self, m: &AttrRef, params: Option<&Data>) -> (u8, Option<GetResult>) {
        match (m.class, m.obis, m.index) {
            (15, ASSOCIATION_LN, 1) => {
                let Some(assoc) = self.assoc.clone() else { return (3, None) };
                let (Some(title), Some(Data::OctetString(proof))) = (assoc.client_title, params) else {
                    return (3, None);
                };
                if assoc.mechanism != Mechanism::HighGmac
                    || !assoc::hls_gmac_check(&self.cfg.keys, &title, &assoc.stoc, proof)
                {
                    self.assoc = None;
                    return (3, None);
                }
                let answer = assoc::hls_gmac(&self.cfg.keys, &self.cfg.system_title, self.ic, &assoc.ctos);
                self.ic += 1;
                if let Some(a) = &mut self.assoc {
                    a.authenticated = true;
                }
                (0, Some(Ok(Data::OctetString(answer))))
            }
            (70, DISCONNECT_CONTROL, 1 | 2) => {
                if !self.may_write() {
                    return (3, None);
                }
                self.relay = m.index == 2;
                (0, None)
            }
            (40, PUSH_SETUP, 1) => {
                if !self.may_write() {
                    return (3, None);
                }
                self.pushes += 1;
                (0, None)
            }
            _ if self.known(m.class, m.obis) => (3, None),
            _ => (4, None),
        }
    }

    // ---------------------------------------------------------------------
    // Application layer
    // ---------------------------------------------------------------------
}

/// Rows of a profile buffer chosen by selective access.
fn select(rows: Vec<Data>, access: Option<&Access>) -> Result<Vec<Data>, u8> {
    let Some(a) = access else { return Ok(rows) };
    let Data::Structure(p) = &a.parameters else { return Err(12) };
    match (a.selector, p.as_slice()) {
        (1, [_, from, to, ..]) => {
            let time = |d: &Data| match d {
                Data::DateTime(raw) => civil(raw),
                Data::OctetString(b) if b.len() == 12 => {
                    <[u8; 12]>::try_from(b.as_slice()).ok().and_then(|r| civil(&r))
                }
                _ => None,
            };
            let (Some(from), Some(to)) = (time(from), time(to)) else { return Err(250) };
            Ok(rows
                .into_iter()
                .filter(|r| match r {
                    Data::Structure(c) => c.first().and_then(time).is_some_and(|t| t >= from && t <= to),
                    _ => false,
                })
                .collect())
        }
        (2, [Data::DoubleLongUnsigned(from), Data::DoubleLongUnsigned(to), ..]) => {
            let n = rows.len() as u32;
            let to = if *to == 0 { n } else { (*to).min(n) };
            let from = (*from).max(1);
            if from > to {
                return Ok(Vec::new());
            }
            Ok(rows.into_iter().skip(from as usize - 1).take((to - from + 1) as usize).collect())
        }
        _ => Err(250),
    }
}
