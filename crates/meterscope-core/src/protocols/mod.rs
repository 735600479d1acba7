//! One module per protocol family; `all()` lists what the registry knows.

pub mod dlt645;
pub mod dlt698;
pub mod iec62056;

use crate::registry::Protocol;

/// Every protocol the core implements, in registry order.
pub fn all() -> Vec<Box<dyn Protocol>> {
    dlt645::protocols()
        .into_iter()
        .chain([Box::new(dlt698::Dlt698) as Box<dyn Protocol>])
        .chain(iec62056::protocols())
        .collect()
}
