//! Reproducible chart archives and the repository index.

pub mod archive;
pub mod atomic;
pub mod digest;
pub mod index;
pub mod pack;

pub use archive::{DEFAULT_MTIME, write_chart_archive};
pub use atomic::write_atomically;
pub use digest::sha256_hex;
pub use index::{IndexError, IndexOptions, index_directory};
pub use pack::{PackOptions, PackageError, PackedChart, Prepared, pack, prepare};
