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
