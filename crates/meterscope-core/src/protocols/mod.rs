//! One module per protocol family; `all()` lists what the registry knows.

pub mod build;
pub mod dlms;
pub mod dlt645;
pub mod dlt698;
pub mod families;
pub mod iec62056;
pub mod mbus;
pub mod qgdw1376;
pub mod sml;

use crate::registry::{Analyser, Protocol, Registry};

impl Default for Registry {
    /// Every protocol the core implements, and every family's analysis across frames.
    fn default() -> Self {
        Registry::of::<{ families::ALL }>()
    }
}

/// Every family's analysis across the frames of one input, in the order
/// they are run after framing.
pub fn analysers() -> Vec<Analyser> {
    families::analysers::<{ families::ALL }>()
}

/// Every protocol the core implements, in registry order.
pub fn all() -> Vec<Box<dyn Protocol>> {
    families::protocols::<{ families::ALL }>()
}

/// The label table of every family, as the families register them: the base
/// modules (`lang`, `model`, `registry`) know no family, each frame carries
/// its family's table.
pub static LABEL_TABLES: &[crate::lang::LabelTable] =
    &[dlt645::LABELS, dlt698::LABELS, iec62056::LABELS, dlms::LABELS, qgdw1376::LABELS, sml::LABELS, mbus::LABELS];

/// Whether some family's table (or the shared one) labels `id`: for tests
/// that walk frames of any family.
#[cfg(test)]
pub(crate) fn has_label(id: &str) -> bool {
    LABEL_TABLES.iter().any(|t| crate::lang::lookup(t, id).is_some())
}

#[cfg(test)]
mod tests {
    #[test]
    fn label_tables_are_sorted_unique_and_bilingual() {
        assert_eq!(crate::lang::check_tables(super::LABEL_TABLES), Ok(()));
    }

    /// The contract of `Protocol::preamble_byte`: framed from anywhere inside
    /// a run of the byte, the answer is the one at the run's start with a
    /// shorter preamble (what lets the registry frame each run once).
    #[test]
    fn framing_inside_a_preamble_run_agrees_with_its_start() {
        use crate::registry::{FrameStatus, Registry};
        let frames: [&[u8]; 4] = [
            &[0x68, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12, 0x68, 0x11, 0x04, 0x33, 0x33, 0x34, 0x33, 0xB1, 0x16],
            &[0x68, 0x17, 0x00, 0x43, 0x45, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0x10, 0xDA, 0x5F, 0x05, 0x01],
            &[0x7E, 0xA0, 0x07, 0x03, 0x21, 0x93, 0x0F, 0x01, 0x7E],
            &[0x7E, 0xA0, 0x0A, 0x00, 0x02, 0x7D, 0x5E, 0x21, 0x93, 0x7E],
        ];
        let reg = Registry::default();
        let mut rng = crate::session::Rng::new(7);
        let mut checked = 0;
        for p in reg.protocols() {
            let Some(b) = p.preamble_byte() else { continue };
            for _ in 0..400 {
                let run = rng.range(1, 6) as usize;
                let mut bytes = vec![b; run];
                let f = frames[rng.range(0, 3) as usize];
                let keep = rng.range(0, f.len() as u64) as usize;
                bytes.extend_from_slice(&f[..keep]);
                for _ in 0..rng.range(0, 4) {
                    bytes.push(if rng.chance(30) { b } else { rng.range(0, 255) as u8 });
                }
                let at_start = p.frame(&bytes);
                for d in 1..run {
                    let later = p.frame(&bytes[d..]);
                    let expected = match at_start {
                        FrameStatus::Complete { preamble, len } => {
                            FrameStatus::Complete { preamble: preamble - d, len }
                        }
                        FrameStatus::Incomplete { preamble, needed } => {
                            FrameStatus::Incomplete { preamble: preamble - d, needed }
                        }
                        FrameStatus::NoMatch => FrameStatus::NoMatch,
                    };
                    assert_eq!(later, expected, "{} on {bytes:02X?} from {d}", p.name());
                    checked += 1;
                }
            }
        }
        assert!(checked > 1000, "{checked}");
    }
}
