//! Typed payloads: the data field of each function of both editions, parsed
//! and emitted, and the frame built from them.

use super::*;

/// A data identifier DI3 DI2 DI1 DI0 (DL/T 645-2007 clause 6), sent DI0 first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DataId(pub u32);

impl DataId {
    pub fn from_wire(b: &[u8]) -> Self {
        DataId(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub fn to_wire(self) -> [u8; 4] {
        self.0.to_le_bytes()
    }
    /// `00010000`.
    pub fn canonical(self) -> String {
        format!("{:08X}", self.0)
    }
}

/// Password level PA and password P0 P1 P2 (wire order), clause 7.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Password {
    pub level: u8,
    pub code: [u8; 3],
}

impl Password {
    pub(super) fn from_wire(b: &[u8]) -> Self {
        Password { level: b[0], code: [b[1], b[2], b[3]] }
    }
    pub(super) fn to_wire(self) -> [u8; 4] {
        [self.level, self.code[0], self.code[1], self.code[2]]
    }
}

/// Operator code C0 C1 C2 C3 (wire order), recorded by the meter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OperatorCode(pub [u8; 4]);

/// The data of a DL/T 645-2007 frame, by function (clause 7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    /// 11: DI, with a block count and a start time for load records.
    ReadRequest {
        di: DataId,
        blocks: Option<u8>,
        time: Option<[u8; 5]>,
    },
    /// 91 / B1: DI and data; `follow` when a follow-up frame comes.
    ReadReply {
        di: DataId,
        data: Vec<u8>,
        follow: bool,
    },
    /// 12: DI and frame sequence number.
    ReadFollowUpRequest {
        di: DataId,
        seq: u8,
    },
    /// 92 / B2: DI, data and frame sequence number.
    ReadFollowUpReply {
        di: DataId,
        data: Vec<u8>,
        seq: u8,
        follow: bool,
    },
    /// 13 on the wildcard address.
    ReadAddressRequest,
    /// 93: the meter's address.
    ReadAddressReply {
        address: Address,
    },
    /// 14: DI, password, operator code, data.
    WriteRequest {
        di: DataId,
        password: Password,
        operator: OperatorCode,
        data: Vec<u8>,
    },
    /// 15: the new address.
    WriteAddressRequest {
        address: Address,
    },
    /// 08: ss mm hh DD MM YY (BCD, wire order).
    BroadcastTime {
        time: [u8; 6],
    },
    /// 16: mm hh DD MM (BCD, wire order; 99 wildcards).
    FreezeRequest {
        time: [u8; 4],
    },
    /// 17 / 97: the communication rate feature word Z.
    ChangeBaudRequest {
        z: u8,
    },
    ChangeBaudReply {
        z: u8,
    },
    /// 18: DI (level), old and new password.
    ChangePasswordRequest {
        di: DataId,
        old: Password,
        new: Password,
    },
    /// 98: the new password.
    ChangePasswordReply {
        new: Password,
    },
    /// 19, 1A: password and operator code.
    ClearDemandRequest {
        password: Password,
        operator: OperatorCode,
    },
    ClearMeterRequest {
        password: Password,
        operator: OperatorCode,
    },
    /// 1B: password, operator code and the events' DI (FFFFFFFF all).
    ClearEventsRequest {
        password: Password,
        operator: OperatorCode,
        di: DataId,
    },
    /// 1C: password, operator code, N1 command, N2 reserved, N3..N8 valid until ss mm hh DD MM YY.
    RemoteControlRequest {
        password: Password,
        operator: OperatorCode,
        command: u8,
        reserved: u8,
        valid_until: [u8; 6],
    },
    /// 03 / 83: security authentication, DI and data.
    SecurityRequest {
        di: DataId,
        data: Vec<u8>,
    },
    SecurityReply {
        di: DataId,
        data: Vec<u8>,
    },
    /// A normal reply without data (94, 95, 96, 99, 9A, 9B, 9C).
    Acknowledge {
        function: u8,
    },
    /// An abnormal reply (D1, D4…): the error information word ERR.
    AbnormalReply {
        function: u8,
        err: u8,
    },
}

pub(super) fn need(data: &[u8], n: usize) -> Result<(), ParseError> {
    if data.len() < n {
        Err(ParseError::new(field::DATA + data.len(), ErrorKind::Truncated { needed: n - data.len() }))
    } else {
        Ok(())
    }
}

pub(super) fn exactly(data: &[u8], n: usize) -> Result<(), ParseError> {
    need(data, n)?;
    if data.len() > n {
        return Err(ParseError::new(field::DATA + n, ErrorKind::BadLength { stated: data.len(), actual: n }));
    }
    Ok(())
}

pub(super) fn array<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(&b[..N]);
    a
}

impl Payload {
    /// The control code this payload travels with.
    pub fn control(&self) -> ControlCode {
        use Direction::*;
        use function::*;
        let (f, dir, abnormal, follow) = match self {
            Payload::ReadRequest { .. } => (READ, MasterToSlave, false, false),
            Payload::ReadReply { follow, .. } => (READ, SlaveToMaster, false, *follow),
            Payload::ReadFollowUpRequest { .. } => (READ_FOLLOW_UP, MasterToSlave, false, false),
            Payload::ReadFollowUpReply { follow, .. } => (READ_FOLLOW_UP, SlaveToMaster, false, *follow),
            Payload::ReadAddressRequest => (READ_ADDRESS, MasterToSlave, false, false),
            Payload::ReadAddressReply { .. } => (READ_ADDRESS, SlaveToMaster, false, false),
            Payload::WriteRequest { .. } => (WRITE, MasterToSlave, false, false),
            Payload::WriteAddressRequest { .. } => (WRITE_ADDRESS, MasterToSlave, false, false),
            Payload::BroadcastTime { .. } => (BROADCAST_TIME, MasterToSlave, false, false),
            Payload::FreezeRequest { .. } => (FREEZE, MasterToSlave, false, false),
            Payload::ChangeBaudRequest { .. } => (CHANGE_BAUD, MasterToSlave, false, false),
            Payload::ChangeBaudReply { .. } => (CHANGE_BAUD, SlaveToMaster, false, false),
            Payload::ChangePasswordRequest { .. } => (CHANGE_PASSWORD, MasterToSlave, false, false),
            Payload::ChangePasswordReply { .. } => (CHANGE_PASSWORD, SlaveToMaster, false, false),
            Payload::ClearDemandRequest { .. } => (CLEAR_DEMAND, MasterToSlave, false, false),
            Payload::ClearMeterRequest { .. } => (CLEAR_METER, MasterToSlave, false, false),
            Payload::ClearEventsRequest { .. } => (CLEAR_EVENTS, MasterToSlave, false, false),
            Payload::RemoteControlRequest { .. } => (REMOTE_CONTROL, MasterToSlave, false, false),
            Payload::SecurityRequest { .. } => (SECURITY, MasterToSlave, false, false),
            Payload::SecurityReply { .. } => (SECURITY, SlaveToMaster, false, false),
            Payload::Acknowledge { function } => (*function, SlaveToMaster, false, false),
            Payload::AbnormalReply { function, .. } => (*function, SlaveToMaster, true, false),
        };
        ControlCode::new(f, dir, abnormal, follow)
    }

    /// The data bytes (0x33 not yet added).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Payload::ReadRequest { di, blocks, time } => {
                out.extend(di.to_wire());
                out.extend(blocks.iter());
                out.extend(time.iter().flatten());
            }
            Payload::ReadReply { di, data, .. }
            | Payload::SecurityRequest { di, data }
            | Payload::SecurityReply { di, data } => {
                out.extend(di.to_wire());
                out.extend_from_slice(data);
            }
            Payload::ReadFollowUpRequest { di, seq } => {
                out.extend(di.to_wire());
                out.push(*seq);
            }
            Payload::ReadFollowUpReply { di, data, seq, .. } => {
                out.extend(di.to_wire());
                out.extend_from_slice(data);
                out.push(*seq);
            }
            Payload::ReadAddressRequest | Payload::Acknowledge { .. } => {}
            Payload::ReadAddressReply { address } | Payload::WriteAddressRequest { address } => out.extend(address.0),
            Payload::WriteRequest { di, password, operator, data } => {
                out.extend(di.to_wire());
                out.extend(password.to_wire());
                out.extend(operator.0);
                out.extend_from_slice(data);
            }
            Payload::BroadcastTime { time } => out.extend(time),
            Payload::FreezeRequest { time } => out.extend(time),
            Payload::ChangeBaudRequest { z } | Payload::ChangeBaudReply { z } => out.push(*z),
            Payload::ChangePasswordRequest { di, old, new } => {
                out.extend(di.to_wire());
                out.extend(old.to_wire());
                out.extend(new.to_wire());
            }
            Payload::ChangePasswordReply { new } => out.extend(new.to_wire()),
            Payload::ClearDemandRequest { password, operator } | Payload::ClearMeterRequest { password, operator } => {
                out.extend(password.to_wire());
                out.extend(operator.0);
            }
            Payload::ClearEventsRequest { password, operator, di } => {
                out.extend(password.to_wire());
                out.extend(operator.0);
                out.extend(di.to_wire());
            }
            Payload::RemoteControlRequest { password, operator, command, reserved, valid_until } => {
                out.extend(password.to_wire());
                out.extend(operator.0);
                out.push(*command);
                out.push(*reserved);
                out.extend(valid_until);
            }
            Payload::AbnormalReply { err, .. } => out.push(*err),
        }
        out
    }

    /// Read the data of a frame with control code `c` (offsets in errors count from the frame start).
    pub fn decode(c: ControlCode, data: &[u8]) -> Result<Payload, ParseError> {
        use function::*;
        let f = c.function();
        let reply = c.direction() == Direction::SlaveToMaster;
        if reply && c.is_abnormal() {
            exactly(data, 1)?;
            return Ok(Payload::AbnormalReply { function: f, err: data[0] });
        }
        let password = |at: usize| Password::from_wire(&data[at..at + 4]);
        let operator = |at: usize| OperatorCode(array(&data[at..]));
        let p = match (f, reply) {
            (READ, false) => match data.len() {
                4 => Payload::ReadRequest { di: DataId::from_wire(data), blocks: None, time: None },
                5 => Payload::ReadRequest { di: DataId::from_wire(data), blocks: Some(data[4]), time: None },
                _ => {
                    exactly(data, 10)?;
                    Payload::ReadRequest {
                        di: DataId::from_wire(data),
                        blocks: Some(data[4]),
                        time: Some(array(&data[5..])),
                    }
                }
            },
            (READ, true) => {
                need(data, 4)?;
                Payload::ReadReply { di: DataId::from_wire(data), data: data[4..].to_vec(), follow: c.has_follow_up() }
            }
            (READ_FOLLOW_UP, false) => {
                exactly(data, 5)?;
                Payload::ReadFollowUpRequest { di: DataId::from_wire(data), seq: data[4] }
            }
            (READ_FOLLOW_UP, true) => {
                need(data, 5)?;
                let n = data.len();
                let (di, body, seq) = (DataId::from_wire(data), data[4..n - 1].to_vec(), data[n - 1]);
                Payload::ReadFollowUpReply { di, data: body, seq, follow: c.has_follow_up() }
            }
            (READ_ADDRESS, false) => exactly(data, 0).map(|_| Payload::ReadAddressRequest)?,
            (READ_ADDRESS, true) => {
                exactly(data, 6).map(|_| Payload::ReadAddressReply { address: Address::from_wire(data) })?
            }
            (WRITE, false) => {
                need(data, 12)?;
                let di = DataId::from_wire(data);
                Payload::WriteRequest { di, password: password(4), operator: operator(8), data: data[12..].to_vec() }
            }
            (WRITE_ADDRESS, false) => {
                exactly(data, 6).map(|_| Payload::WriteAddressRequest { address: Address::from_wire(data) })?
            }
            (BROADCAST_TIME, false) => exactly(data, 6).map(|_| Payload::BroadcastTime { time: array(data) })?,
            (FREEZE, false) => exactly(data, 4).map(|_| Payload::FreezeRequest { time: array(data) })?,
            (CHANGE_BAUD, false) => exactly(data, 1).map(|_| Payload::ChangeBaudRequest { z: data[0] })?,
            (CHANGE_BAUD, true) => exactly(data, 1).map(|_| Payload::ChangeBaudReply { z: data[0] })?,
            (CHANGE_PASSWORD, false) => {
                exactly(data, 12)?;
                Payload::ChangePasswordRequest { di: DataId::from_wire(data), old: password(4), new: password(8) }
            }
            (CHANGE_PASSWORD, true) => exactly(data, 4).map(|_| Payload::ChangePasswordReply { new: password(0) })?,
            (CLEAR_DEMAND, false) => exactly(data, 8)
                .map(|_| Payload::ClearDemandRequest { password: password(0), operator: operator(4) })?,
            (CLEAR_METER, false) => {
                exactly(data, 8).map(|_| Payload::ClearMeterRequest { password: password(0), operator: operator(4) })?
            }
            (CLEAR_EVENTS, false) => {
                exactly(data, 12)?;
                Payload::ClearEventsRequest {
                    password: password(0),
                    operator: operator(4),
                    di: DataId::from_wire(&data[8..]),
                }
            }
            (REMOTE_CONTROL, false) => {
                exactly(data, 16)?;
                let (command, reserved, valid_until) = (data[8], data[9], array(&data[10..]));
                Payload::RemoteControlRequest {
                    password: password(0),
                    operator: operator(4),
                    command,
                    reserved,
                    valid_until,
                }
            }
            (SECURITY, _) => {
                need(data, 4)?;
                let (di, body) = (DataId::from_wire(data), data[4..].to_vec());
                if reply {
                    Payload::SecurityReply { di, data: body }
                } else {
                    Payload::SecurityRequest { di, data: body }
                }
            }
            (WRITE | WRITE_ADDRESS | FREEZE | CLEAR_DEMAND | CLEAR_METER | CLEAR_EVENTS | REMOTE_CONTROL, true) => {
                exactly(data, 0).map(|_| Payload::Acknowledge { function: f })?
            }
            _ => return Err(ParseError::new(field::CONTROL, ErrorKind::BadValue { what: "function code" })),
        };
        Ok(p)
    }
}

/// The data of a DL/T 645-1997 frame, by function (clause 4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload1997 {
    /// 01: the 2-byte identifier DI1 DI0 (sent DI0 first).
    ReadRequest {
        di: u16,
    },
    /// 81 / A1: identifier and data.
    ReadReply {
        di: u16,
        data: Vec<u8>,
        follow: bool,
    },
    /// 02: identifier.
    ReadFollowUpRequest {
        di: u16,
    },
    /// 82 / A2: identifier and data.
    ReadFollowUpReply {
        di: u16,
        data: Vec<u8>,
        follow: bool,
    },
    /// 03: read the last reply again.
    RereadRequest,
    /// 04: identifier, password, data.
    WriteRequest {
        di: u16,
        password: Password,
        data: Vec<u8>,
    },
    /// 08: ss mm hh DD MM YY.
    BroadcastTime {
        time: [u8; 6],
    },
    /// 0A: the new address.
    WriteAddressRequest {
        address: Address,
    },
    /// 0C / 8C: rate feature word.
    ChangeBaudRequest {
        z: u8,
    },
    ChangeBaudReply {
        z: u8,
    },
    /// 0F: old and new password; 8F: the new one.
    ChangePasswordRequest {
        old: Password,
        new: Password,
    },
    ChangePasswordReply {
        new: Password,
    },
    /// 10: password.
    ClearDemandRequest {
        password: Password,
    },
    /// A normal reply without data.
    Acknowledge {
        function: u8,
    },
    /// C1, C4…: the error information word.
    AbnormalReply {
        function: u8,
        err: u8,
    },
}

impl Payload1997 {
    pub fn control(&self) -> ControlCode {
        use Direction::*;
        use function::*;
        let (f, dir, abnormal, follow) = match self {
            Payload1997::ReadRequest { .. } => (READ_1997, MasterToSlave, false, false),
            Payload1997::ReadReply { follow, .. } => (READ_1997, SlaveToMaster, false, *follow),
            Payload1997::ReadFollowUpRequest { .. } => (READ_FOLLOW_UP_1997, MasterToSlave, false, false),
            Payload1997::ReadFollowUpReply { follow, .. } => (READ_FOLLOW_UP_1997, SlaveToMaster, false, *follow),
            Payload1997::RereadRequest => (REREAD_1997, MasterToSlave, false, false),
            Payload1997::WriteRequest { .. } => (WRITE_1997, MasterToSlave, false, false),
            Payload1997::BroadcastTime { .. } => (BROADCAST_TIME, MasterToSlave, false, false),
            Payload1997::WriteAddressRequest { .. } => (WRITE_ADDRESS_1997, MasterToSlave, false, false),
            Payload1997::ChangeBaudRequest { .. } => (CHANGE_BAUD_1997, MasterToSlave, false, false),
            Payload1997::ChangeBaudReply { .. } => (CHANGE_BAUD_1997, SlaveToMaster, false, false),
            Payload1997::ChangePasswordRequest { .. } => (CHANGE_PASSWORD_1997, MasterToSlave, false, false),
            Payload1997::ChangePasswordReply { .. } => (CHANGE_PASSWORD_1997, SlaveToMaster, false, false),
            Payload1997::ClearDemandRequest { .. } => (CLEAR_DEMAND_1997, MasterToSlave, false, false),
            Payload1997::Acknowledge { function } => (*function, SlaveToMaster, false, false),
            Payload1997::AbnormalReply { function, .. } => (*function, SlaveToMaster, true, false),
        };
        ControlCode::new(f, dir, abnormal, follow)
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Payload1997::ReadRequest { di } | Payload1997::ReadFollowUpRequest { di } => out.extend(di.to_le_bytes()),
            Payload1997::ReadReply { di, data, .. } | Payload1997::ReadFollowUpReply { di, data, .. } => {
                out.extend(di.to_le_bytes());
                out.extend_from_slice(data);
            }
            Payload1997::RereadRequest | Payload1997::Acknowledge { .. } => {}
            Payload1997::WriteRequest { di, password, data } => {
                out.extend(di.to_le_bytes());
                out.extend(password.to_wire());
                out.extend_from_slice(data);
            }
            Payload1997::BroadcastTime { time } => out.extend(time),
            Payload1997::WriteAddressRequest { address } => out.extend(address.0),
            Payload1997::ChangeBaudRequest { z } | Payload1997::ChangeBaudReply { z } => out.push(*z),
            Payload1997::ChangePasswordRequest { old, new } => {
                out.extend(old.to_wire());
                out.extend(new.to_wire());
            }
            Payload1997::ChangePasswordReply { new } => out.extend(new.to_wire()),
            Payload1997::ClearDemandRequest { password } => out.extend(password.to_wire()),
            Payload1997::AbnormalReply { err, .. } => out.push(*err),
        }
        out
    }

    pub fn decode(c: ControlCode, data: &[u8]) -> Result<Payload1997, ParseError> {
        use function::*;
        let f = c.function();
        let reply = c.direction() == Direction::SlaveToMaster;
        if reply && c.is_abnormal() {
            exactly(data, 1)?;
            return Ok(Payload1997::AbnormalReply { function: f, err: data[0] });
        }
        let di = || u16::from_le_bytes([data[0], data[1]]);
        let p = match (f, reply) {
            (READ_1997, false) => exactly(data, 2).map(|_| Payload1997::ReadRequest { di: di() })?,
            (READ_1997, true) => need(data, 2).map(|_| Payload1997::ReadReply {
                di: di(),
                data: data[2..].to_vec(),
                follow: c.has_follow_up(),
            })?,
            (READ_FOLLOW_UP_1997, false) => exactly(data, 2).map(|_| Payload1997::ReadFollowUpRequest { di: di() })?,
            (READ_FOLLOW_UP_1997, true) => need(data, 2).map(|_| Payload1997::ReadFollowUpReply {
                di: di(),
                data: data[2..].to_vec(),
                follow: c.has_follow_up(),
            })?,
            (REREAD_1997, false) => exactly(data, 0).map(|_| Payload1997::RereadRequest)?,
            (WRITE_1997, false) => {
                need(data, 6)?;
                Payload1997::WriteRequest {
                    di: di(),
                    password: Password::from_wire(&data[2..]),
                    data: data[6..].to_vec(),
                }
            }
            (BROADCAST_TIME, false) => exactly(data, 6).map(|_| Payload1997::BroadcastTime { time: array(data) })?,
            (WRITE_ADDRESS_1997, false) => {
                exactly(data, 6).map(|_| Payload1997::WriteAddressRequest { address: Address::from_wire(data) })?
            }
            (CHANGE_BAUD_1997, false) => exactly(data, 1).map(|_| Payload1997::ChangeBaudRequest { z: data[0] })?,
            (CHANGE_BAUD_1997, true) => exactly(data, 1).map(|_| Payload1997::ChangeBaudReply { z: data[0] })?,
            (CHANGE_PASSWORD_1997, false) => exactly(data, 8).map(|_| Payload1997::ChangePasswordRequest {
                old: Password::from_wire(data),
                new: Password::from_wire(&data[4..]),
            })?,
            (CHANGE_PASSWORD_1997, true) => {
                exactly(data, 4).map(|_| Payload1997::ChangePasswordReply { new: Password::from_wire(data) })?
            }
            (CLEAR_DEMAND_1997, false) => {
                exactly(data, 4).map(|_| Payload1997::ClearDemandRequest { password: Password::from_wire(data) })?
            }
            (WRITE_1997 | WRITE_ADDRESS_1997 | CLEAR_DEMAND_1997, true) => {
                exactly(data, 0).map(|_| Payload1997::Acknowledge { function: f })?
            }
            _ => return Err(ParseError::new(field::CONTROL, ErrorKind::BadValue { what: "function code" })),
        };
        Ok(p)
    }
}

impl Frame645 {
    /// The frame carrying a DL/T 645-2007 payload.
    pub fn from_payload(address: Address, payload: &Payload) -> Self {
        Frame645 { address, control: payload.control(), data: payload.encode() }
    }
    /// The frame carrying a DL/T 645-1997 payload.
    pub fn from_payload_1997(address: Address, payload: &Payload1997) -> Self {
        Frame645 { address, control: payload.control(), data: payload.encode() }
    }
    /// The data read as DL/T 645-2007.
    pub fn payload(&self) -> Result<Payload, ParseError> {
        Payload::decode(self.control, &self.data)
    }
    /// The data read as DL/T 645-1997.
    pub fn payload_1997(&self) -> Result<Payload1997, ParseError> {
        Payload1997::decode(self.control, &self.data)
    }
}
