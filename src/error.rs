//! The top-level error and its exit code.
//!
//! Every module has its own error enum that carries what the user needs
//! (path, line, value, hint); this type only gathers them so `main.rs` can
//! print one message and pick the exit code, like ripgrep: 0 success,
//! 1 findings, 2 errors.

use std::path::PathBuf;

use crate::chart::ChartError;
use crate::diff::DiffError;
use crate::engine::RenderError;
use crate::lint::settings::SettingsError;
use crate::manifest::ManifestError;
use crate::values::ValuesError;

/// Exit code for a command that ran and found problems (lint findings, diff differences).
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code for a command that could not do its job (bad chart, bad values, I/O, usage).
pub const EXIT_ERROR: i32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error(transparent)]
    Values(#[from] ValuesError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error(transparent)]
    LintSettings(#[from] SettingsError),
    #[error(transparent)]
    Diff(#[from] DiffError),
    #[error(transparent)]
    Dependency(#[from] crate::dependency::DependencyError),
    #[error("cannot write {}: {source}\nhint: check that the folder exists and is writable", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    AtomicWrite(#[from] crate::package::atomic::AtomicWriteError),
    #[error(transparent)]
    Package(#[from] crate::package::PackageError),
    /// Boxed: the largest error, and a rare one.
    #[error(transparent)]
    Index(Box<crate::package::IndexError>),
    #[error(transparent)]
    Archive(#[from] crate::package::archive::WriteArchiveError),
    #[error("{0}")]
    Usage(String),
}

impl From<crate::package::IndexError> for Error {
    fn from(e: crate::package::IndexError) -> Self {
        Error::Index(Box::new(e))
    }
}

impl Error {
    /// Every error is exit code 2: "could not do the job". Findings (exit 1)
    /// are not errors; commands report them as data.
    pub fn exit_code(&self) -> i32 {
        EXIT_ERROR
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
