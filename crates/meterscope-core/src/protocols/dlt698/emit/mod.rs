//! Strict APDUs for what a client and a meter exchange (clause 6.3): typed
//! values with `emit` and `parse`, `parse(emit(x)) == x`.
//!
//! Covered: every APDU the dissector [`super::apdu`] knows. LINK-Request and
//! -Response; CONNECT-Request (null, password, symmetric and signature
//! mechanisms) and -Response; RELEASE-Request, -Response and -Notification;
//! GET-Request and -Response Normal, NormalList, Record, RecordList, Next and
//! MD5; SET and ACTION Normal, NormalList and ThenGetNormalList with their
//! responses; REPORT-Notification List, RecordList and TransData and the
//! REPORT-Response to each; PROXY-Request and -Response choices 1–7;
//! SECURITY-Request and -Response (plaintext, ciphertext, error; SID_MAC, RN,
//! RN_MAC, SID, MAC); ERROR-Response. Client APDUs end with `TimeTag
//! OPTIONAL`, server APDUs with `FollowReport OPTIONAL, TimeTag OPTIONAL`;
//! LINK and SECURITY APDUs have neither, and SECURITY APDUs have no PIID.

//!
//! The module is in four parts: [`types`] (the typed APDUs and their parts,
//! with accessors), `encode` (`Apdu::emit`), `decode` (`Apdu::parse`, the
//! strict reader) and the tests.

mod decode;
mod encode;
#[cfg(test)]
mod tests;
pub mod types;

pub use types::*;
