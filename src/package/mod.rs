//! Reproducible chart archives and the repository index.

pub mod archive;
pub mod atomic;
pub mod digest;

pub use archive::{DEFAULT_MTIME, write_chart_archive};
pub use atomic::write_atomically;
pub use digest::sha256_hex;
