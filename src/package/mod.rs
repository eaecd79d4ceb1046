//! Reproducible chart archives and the repository index.

pub mod archive;

/// (temporary until the pkg branch lands)
pub fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}
