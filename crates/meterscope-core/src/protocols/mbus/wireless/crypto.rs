//! The ciphers of wireless M-Bus: AES-128-CBC of security modes 5 and 7
//! (EN 13757-7, OMS Vol. 2), AES-128-CTR of the extended link layer
//! (EN 13757-4), and the AES-CMAC key derivation and message
//! authentication of mode 7 (OMS Vol. 2 9.2.4, EN 13757-7 9.6.1).

use aes::Aes128;
use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit, generic_array::GenericArray};
use cmac::{Cmac, Mac};

/// AES-128-CBC decryption of whole blocks (`data.len()` a multiple of 16).
pub fn cbc_decrypt(key: &[u8; 16], iv: &[u8; 16], data: &[u8]) -> Vec<u8> {
    let aes = Aes128::new(GenericArray::from_slice(key));
    let mut prev = *iv;
    let mut out = Vec::with_capacity(data.len());
    for block in data.chunks_exact(16) {
        let mut b = GenericArray::clone_from_slice(block);
        aes.decrypt_block(&mut b);
        out.extend(b.iter().zip(prev.iter()).map(|(x, p)| x ^ p));
        prev.copy_from_slice(block);
    }
    out
}

/// AES-128-CBC encryption of whole blocks (`data.len()` a multiple of 16):
/// what a meter does, for the simulated meters and tests.
pub fn cbc_encrypt(key: &[u8; 16], iv: &[u8; 16], data: &[u8]) -> Vec<u8> {
    let aes = Aes128::new(GenericArray::from_slice(key));
    let mut prev = *iv;
    let mut out = Vec::with_capacity(data.len());
    for block in data.chunks_exact(16) {
        let mut b = GenericArray::clone_from_slice(block);
        b.iter_mut().zip(prev.iter()).for_each(|(x, p)| *x ^= p);
        aes.encrypt_block(&mut b);
        prev.copy_from_slice(&b);
        out.extend_from_slice(&b);
    }
    out
}

/// AES-128-CTR over `data`: the counter block is `iv` with its last byte
/// (the block counter) incremented for each block of 16.
pub fn ctr(key: &[u8; 16], iv: &[u8; 16], data: &[u8]) -> Vec<u8> {
    let aes = Aes128::new(GenericArray::from_slice(key));
    let mut counter = *iv;
    let mut out = Vec::with_capacity(data.len());
    for chunk in data.chunks(16) {
        let mut stream = GenericArray::clone_from_slice(&counter);
        aes.encrypt_block(&mut stream);
        out.extend(chunk.iter().zip(stream.iter()).map(|(x, s)| x ^ s));
        counter[15] = counter[15].wrapping_add(1);
    }
    out
}

/// AES-CMAC (RFC 4493) of `data` under `key`.
pub fn cmac(key: &[u8; 16], data: &[u8]) -> [u8; 16] {
    let mut mac = <Cmac<Aes128> as KeyInit>::new(GenericArray::from_slice(key));
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Derivation constants of the key derivation function (OMS Vol. 2 9.2.4,
/// EN 13757-7 9.6.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Derived {
    /// Kenc: encryption, from the meter (DC 00h).
    Enc = 0x00,
    /// Kmac: message authentication, from the meter (DC 01h).
    Mac = 0x01,
    /// Lenc: encryption, from the communication partner (DC 10h).
    PartnerEnc = 0x10,
    /// Lmac: message authentication, from the communication partner (DC 11h).
    PartnerMac = 0x11,
}

/// A session key derived from the meter's key: AES-CMAC over the derivation
/// constant, the message counter and the meter's identification number
/// (both least significant byte first, as on the wire), padded with 07h to
/// one block (OMS Vol. 2 9.2.4).
pub fn derive(key: &[u8; 16], dc: Derived, counter: [u8; 4], id: [u8; 4]) -> [u8; 16] {
    let mut input = [0x07u8; 16];
    input[0] = dc as u8;
    input[1..5].copy_from_slice(&counter);
    input[5..9].copy_from_slice(&id);
    cmac(key, &input)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    /// RFC 4493, example 2 (one block).
    #[test]
    fn cmac_of_rfc_4493() {
        let key: [u8; 16] = h("2b7e151628aed2a6abf7158809cf4f3c").try_into().unwrap();
        let mac = cmac(&key, &h("6bc1bee22e409f96e93d7e117393172a"));
        assert_eq!(mac.to_vec(), h("070a16b46b4d4144f79bdd9dd04a287c"));
        assert_eq!(cmac(&key, &[]).to_vec(), h("bb1d6929e95937287fa37d129b756746"));
    }

    /// NIST SP 800-38A F.2.2 (CBC decryption) and F.5.1 (CTR).
    #[test]
    fn cbc_and_ctr_of_sp_800_38a() {
        let key: [u8; 16] = h("2b7e151628aed2a6abf7158809cf4f3c").try_into().unwrap();
        let iv: [u8; 16] = h("000102030405060708090a0b0c0d0e0f").try_into().unwrap();
        let ct = h("7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2");
        let pt = h("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
        assert_eq!(cbc_decrypt(&key, &iv, &ct), pt);
        let ctr_iv: [u8; 16] = h("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff").try_into().unwrap();
        // Only the first block: the standard's counter carries into the
        // byte before the last one, EN 13757-4's block counter does not.
        assert_eq!(ctr(&key, &ctr_iv, &pt[..16]), h("874d6191b620e3261bef6864990db6ce"));
    }
}
