//! One module per protocol family; `all()` lists what the registry knows.

pub mod dlt645;

use crate::registry::Protocol;

/// Every protocol the core implements, in registry order.
pub fn all() -> Vec<Box<dyn Protocol>> {
    dlt645::protocols()
}
