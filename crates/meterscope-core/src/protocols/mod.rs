//! One module per protocol family; `all()` lists what the registry knows.

pub mod dlms;
pub mod dlt645;
pub mod dlt698;
pub mod iec62056;

use crate::registry::{Analyser, Protocol, Registry};

impl Default for Registry {
    /// Every protocol the core implements, and every family's analysis across frames.
    fn default() -> Self {
        Registry::new(all()).with_analysers(analysers())
    }
}

/// Every family's analysis across the frames of one input, in the order
/// they are run after framing.
pub fn analysers() -> Vec<Analyser> {
    vec![dlt698::reassembly::analyses, dlms::reassembly::analyses]
}

/// Every protocol the core implements, in registry order.
pub fn all() -> Vec<Box<dyn Protocol>> {
    dlt645::protocols()
        .into_iter()
        .chain([Box::new(dlt698::Dlt698) as Box<dyn Protocol>, Box::new(dlt698::Dlt698Apdu)])
        .chain(iec62056::protocols())
        .chain(dlms::protocols())
        .collect()
}

/// The label table of every family, as the families register them: the base
/// modules (`lang`, `model`, `registry`) know no family, each frame carries
/// its family's table.
pub static LABEL_TABLES: &[crate::lang::LabelTable] = &[dlt645::LABELS, dlt698::LABELS, iec62056::LABELS, dlms::LABELS];

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
}
