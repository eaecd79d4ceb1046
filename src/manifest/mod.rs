//! Rendered text → YAML documents → canonical text in Helm's install order.

pub mod emit;
pub mod order;
