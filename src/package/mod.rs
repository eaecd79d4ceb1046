//! Reproducible chart archives and the repository index.

pub mod archive;
