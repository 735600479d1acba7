//! One module per protocol family; `all()` lists what the registry knows.

use crate::registry::Protocol;

/// Every protocol the core implements, in registry order.
pub fn all() -> Vec<Box<dyn Protocol>> {
    Vec::new()
}
