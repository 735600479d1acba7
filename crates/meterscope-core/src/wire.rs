//! The wire kit shared by every family: the CRCs the standards name (from
//! the `crc` crate's catalogue) and hex text of bytes.

use crc::{CRC_16_ARC, CRC_16_IBM_SDLC, Crc};

static X25: Crc<u16> = Crc::<u16>::new(&CRC_16_IBM_SDLC);
static ARC: Crc<u16> = Crc::<u16>::new(&CRC_16_ARC);

/// CRC-16/X-25 (also IBM-SDLC: reflected polynomial 0x1021, initial and
/// final XOR 0xFFFF): the HCS and FCS of DL/T 698.45 (clause 5.3) and of
/// DLMS/COSEM HDLC frames (IEC 62056-46).
pub fn crc16_x25(bytes: &[u8]) -> u16 {
    X25.checksum(bytes)
}

/// CRC-16/ARC (polynomial 0x8005 reflected, initial 0, no final XOR): the
/// CRC of DSMR P1 telegrams from DSMR 4.0 on.
pub fn crc16_arc(bytes: &[u8]) -> u16 {
    ARC.checksum(bytes)
}

/// Bytes as compact upper-case hex (`40000200`).
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    let _ = crate::model::write_hex(&mut s, bytes, false, false);
    s
}

/// Bytes as spaced upper-case hex (`68 1F 00`).
pub fn hex_spaced(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    let _ = crate::model::write_hex(&mut s, bytes, true, false);
    s
}

/// Hex digits, most significant byte (the last on the wire) first.
pub fn hex_msb_first(wire: &[u8]) -> String {
    let mut s = String::with_capacity(wire.len() * 2);
    let _ = crate::model::write_hex(&mut s, wire, false, true);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_values_of_the_catalogue() {
        assert_eq!(crc16_x25(b"123456789"), 0x906E);
        assert_eq!(crc16_arc(b"123456789"), 0xBB3D);
        assert_eq!(hex(&[0x40, 0x00, 0x02, 0x00]), "40000200");
        assert_eq!(hex_spaced(&[0x68, 0x1F]), "68 1F");
        assert_eq!(hex_msb_first(&[0x34, 0x12]), "1234");
    }
}
