//! Writing a file so that readers see the old content or the new, never a
//! mix, and a failure leaves nothing half-written.
//!
//! The bytes go to a temporary file in the target's directory (so the final
//! rename stays on one filesystem), which is flushed to disk (`fsync`) and
//! then renamed over the target. Until the rename the target is untouched;
//! on any error the temporary file is removed. The new file gets the
//! permissions a plain create would (`0666` minus the umask), not the
//! temporary file's `0600`.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why a file could not be written; the target is unchanged.
#[derive(Debug, thiserror::Error)]
pub enum AtomicWriteError {
    #[error("cannot write {path}: it has no file name")]
    NoFileName { path: PathBuf },
    #[error(
        "cannot create a temporary file in {dir} to write {path}: {source}; check that the folder exists and is writable"
    )]
    CreateTemp {
        dir: PathBuf,
        path: PathBuf,
        source: io::Error,
    },
    #[error("cannot write {path}: {source}; the existing file, if any, was left unchanged")]
    Write { path: PathBuf, source: io::Error },
    #[error(
        "cannot replace {path}: {source}; the existing file, if any, was left unchanged (is the path a folder?)"
    )]
    Rename { path: PathBuf, source: io::Error },
}

/// Replaces (or creates) `path` with `bytes` atomically; see the module docs.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), AtomicWriteError> {
    write_atomically_with(path, |file| file.write_all(bytes))
}

/// Like [`write_atomically`], with the content produced by `write` (for a
/// streaming writer). An error from `write` aborts: the target is untouched
/// and the temporary file removed.
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<(), AtomicWriteError> {
    let Some(file_name) = path.file_name() else {
        return Err(AtomicWriteError::NoFileName {
            path: path.to_path_buf(),
        });
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(file_name);
    prefix.push(".");

    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder
        .tempfile_in(dir)
        .map_err(|source| AtomicWriteError::CreateTemp {
            dir: dir.to_path_buf(),
            path: path.to_path_buf(),
            source,
        })?;

    // On error `temp` is dropped here, which deletes the temporary file.
    let written = write(temp.as_file_mut())
        .and_then(|()| temp.as_file_mut().flush())
        .and_then(|()| temp.as_file().sync_all());
    if let Err(source) = written {
        return Err(AtomicWriteError::Write {
            path: path.to_path_buf(),
            source,
        });
    }

    // A failed persist hands the temporary file back; dropping it deletes it.
    temp.persist(path).map_err(|e| AtomicWriteError::Rename {
        path: path.to_path_buf(),
        source: e.error,
    })?;

    // Make the rename itself durable. Best effort: the new file is complete
    // and in place either way, and some filesystems refuse to fsync a folder.
    #[cfg(unix)]
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    #[test]
    fn creates_and_replaces() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("chart-1.0.0.tgz");
        write_atomically(&target, b"one")?;
        assert_eq!(std::fs::read(&target)?, b"one");
        write_atomically(&target, b"two")?;
        assert_eq!(std::fs::read(&target)?, b"two");
        assert_eq!(entries(dir.path()), ["chart-1.0.0.tgz"]);
        Ok(())
    }

    #[test]
    fn failed_write_keeps_old_file_and_leaves_no_temp() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("index.yaml");
        std::fs::write(&target, b"old")?;
        let result = write_atomically_with(&target, |file| {
            file.write_all(b"half of the new con")?;
            Err(io::Error::other("disk full (injected)"))
        });
        let err = result
            .err()
            .ok_or("the injected failure was not reported")?;
        assert!(matches!(err, AtomicWriteError::Write { .. }));
        let message = err.to_string();
        assert!(message.contains("index.yaml"), "{message}");
        assert!(message.contains("disk full"), "{message}");
        assert_eq!(std::fs::read(&target)?, b"old");
        assert_eq!(entries(dir.path()), ["index.yaml"]);
        Ok(())
    }

    /// The process umask, from /proc on Linux (std has no getter).
    fn umask() -> Option<u32> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("Umask:"))?;
        u32::from_str_radix(line.trim_start_matches("Umask:").trim(), 8).ok()
    }

    #[cfg(unix)]
    #[test]
    fn new_file_gets_create_permissions_not_0600() -> Result<(), Box<dyn std::error::Error>> {
        use std::os::unix::fs::PermissionsExt;
        let Some(umask) = umask() else {
            return Ok(());
        };
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("a.tgz");
        write_atomically(&target, b"x")?;
        let mode = std::fs::metadata(&target)?.permissions().mode() & 0o777;
        assert_eq!(mode, 0o666 & !umask);
        Ok(())
    }
}
