//! Values: layers, merge, `--set` parsing, schema validation, provenance.

pub mod strvals;
