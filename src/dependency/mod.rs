//! `skiff dependency list|update|build`: resolving Chart.yaml `dependencies`
//! into archives under `charts/` and a Chart.lock, as Helm's
//! `pkg/downloader/manager.go` and `internal/resolver/resolver.go` do.
//!
//! Repositories: empty (the chart is already in `charts/<name>`),
//! `file://<folder>` (relative to the chart folder; packaged reproducibly
//! with `skiff package`'s writer), or an `http://`/`https://` chart
//! repository with an index.yaml (the archive's SHA-256 must match the
//! index's `digest`). Helm's `@repo-name` aliases and `oci://` are not
//! supported.

pub mod fetch;
pub mod lock;

use std::path::{Path, PathBuf};

use self::lock::{Lock, Locked};
use crate::chart::constraint::Constraint;
use crate::chart::metadata::Dependency;
use crate::chart::metadata::parse_chart_version;
use crate::chart::{Chart, ChartError, Metadata, load_chart};
use crate::package::{PackOptions, pack, write_atomically};

#[derive(Debug, thiserror::Error)]
pub enum DependencyError {
    #[error("{}: {message}", path.display())]
    Chart { path: PathBuf, message: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("dependency {name:?} ({repository}): {message}")]
    Resolve {
        name: String,
        repository: String,
        message: String,
    },
    #[error(
        "{}: Chart.lock is out of date with the dependencies in Chart.yaml\nhint: run `skiff dependency update {}` to resolve them again and rewrite the lock",
        lock.display(),
        chart.display()
    )]
    OutOfDate { lock: PathBuf, chart: PathBuf },
    #[error(transparent)]
    Load(#[from] ChartError),
    /// Writing Chart.lock or an archive; the error names the file.
    #[error(transparent)]
    Write(#[from] crate::package::atomic::AtomicWriteError),
}

/// A dependency's state in `charts/`, as `skiff dependency list` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// An archive whose version satisfies the constraint.
    Ok,
    /// Nothing in charts/ by that name.
    Missing,
    /// A chart by that name whose version does not satisfy the constraint.
    WrongVersion,
    /// A folder (not an archive) whose version satisfies the constraint.
    Unpacked,
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Status::Ok => "ok",
            Status::Missing => "missing",
            Status::WrongVersion => "wrong version",
            Status::Unpacked => "unpacked",
        })
    }
}

#[derive(Debug, Clone)]
pub struct Listed {
    pub dependency: Dependency,
    pub status: Status,
}

/// Reads a chart folder's Chart.yaml (only a folder can be updated: its
/// `charts/` is where archives go).
fn read_metadata(chart_dir: &Path) -> Result<Metadata, DependencyError> {
    if !chart_dir.is_dir() {
        return Err(DependencyError::Chart {
            path: chart_dir.to_path_buf(),
            message: "not a chart folder; dependencies are updated in an unpacked chart".into(),
        });
    }
    let path = chart_dir.join("Chart.yaml");
    let text = std::fs::read_to_string(&path).map_err(|source| DependencyError::Io {
        path: path.clone(),
        source,
    })?;
    // The same error as loading the chart gives: with the line.
    let metadata = Metadata::parse(&text).map_err(|p| ChartError::Metadata {
        path,
        line: p.line,
        message: p.message,
    })?;
    Ok(metadata)
}

/// The status of each dependency of the chart at `chart_path` (a folder or .tgz).
pub fn list(chart_path: &Path) -> Result<Vec<Listed>, DependencyError> {
    let chart = load_chart(chart_path)?;
    let charts_dir = chart.source.join("charts");
    let mut out = Vec::new();
    for dep in &chart.metadata.dependencies {
        let constraint = Constraint::parse(&dep.version).ok();
        let mut status = Status::Missing;
        for sub in chart
            .subcharts
            .iter()
            .filter(|s| s.metadata.name == dep.name)
        {
            let fits = match (&constraint, sub.metadata.semver()) {
                (Some(c), Some(v)) => c.matches(&v),
                _ => dep.version.trim().is_empty(),
            };
            let archived = sub
                .source
                .strip_prefix(&charts_dir)
                .ok()
                .and_then(|p| p.components().next())
                .is_some_and(|c| c.as_os_str().to_string_lossy().ends_with(".tgz"));
            let this = match (fits, archived) {
                (false, _) => Status::WrongVersion,
                (true, true) => Status::Ok,
                (true, false) => Status::Unpacked,
            };
            // The best candidate wins: ok > unpacked > wrong version.
            let rank = |s: Status| match s {
                Status::Ok => 3,
                Status::Unpacked => 2,
                Status::WrongVersion => 1,
                Status::Missing => 0,
            };
            if rank(this) > rank(status) {
                status = this;
            }
        }
        out.push(Listed {
            dependency: dep.clone(),
            status,
        });
    }
    Ok(out)
}

/// What `update` and `build` did.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Archives written into charts/, by file name.
    pub saved: Vec<String>,
    /// Stale archives removed from charts/.
    pub removed: Vec<String>,
    /// Whether Chart.lock was (re)written.
    pub lock_written: bool,
}

/// A dependency resolved to one version, with its archive when it is not
/// already in charts/.
struct Fetched {
    locked: Locked,
    archive: Option<(String, Vec<u8>)>,
}

/// `skiff dependency update`: resolve every constraint against its
/// repository, write the archives into charts/ and Chart.lock.
///
/// `generated` is kept from the previous lock when the digest did not
/// change (the lock is then not rewritten, as Helm does), else
/// `SOURCE_DATE_EPOCH` when set, else the current time.
pub fn update(
    chart_dir: &Path,
    source_date_epoch: Option<u64>,
) -> Result<Outcome, DependencyError> {
    let metadata = read_metadata(chart_dir)?;
    let mut fetched = Vec::new();
    for dep in &metadata.dependencies {
        fetched.push(resolve_one(chart_dir, dep, None)?);
    }
    let locked: Vec<Locked> = fetched.iter().map(|f| f.locked.clone()).collect();
    let digest = lock::digest(&metadata.dependencies, &locked);
    let mut outcome = save(chart_dir, &fetched)?;
    let lock_path = chart_dir.join("Chart.lock");
    let old = read_lock(&lock_path)?;
    if old.as_ref().is_some_and(|o| o.digest == digest) {
        return Ok(outcome);
    }
    let secs = source_date_epoch.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    });
    let lock = Lock {
        dependencies: locked,
        digest,
        generated: crate::package::index::rfc3339_utc(secs),
    };
    write_atomically(&lock_path, lock.to_yaml().as_bytes())?;
    outcome.lock_written = true;
    Ok(outcome)
}

/// `skiff dependency build`: reproduce charts/ from Chart.lock. Without a
/// lock this is `update` (as in Helm); a lock whose digest does not match
/// Chart.yaml is refused.
pub fn build(chart_dir: &Path, source_date_epoch: Option<u64>) -> Result<Outcome, DependencyError> {
    let metadata = read_metadata(chart_dir)?;
    let lock_path = chart_dir.join("Chart.lock");
    let Some(lock) = read_lock(&lock_path)? else {
        return update(chart_dir, source_date_epoch);
    };
    if lock::digest(&metadata.dependencies, &lock.dependencies) != lock.digest
        || lock.dependencies.len() != metadata.dependencies.len()
    {
        return Err(DependencyError::OutOfDate {
            lock: lock_path,
            chart: chart_dir.to_path_buf(),
        });
    }
    let mut fetched = Vec::new();
    for (dep, locked) in metadata.dependencies.iter().zip(&lock.dependencies) {
        fetched.push(resolve_one(chart_dir, dep, Some(&locked.version))?);
    }
    save(chart_dir, &fetched)
}

fn read_lock(path: &Path) -> Result<Option<Lock>, DependencyError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Lock::parse(&text)
            .map(Some)
            .map_err(|message| DependencyError::Chart {
                path: path.to_path_buf(),
                message,
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(DependencyError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Resolves one dependency: to the highest version that satisfies its
/// constraint, or to `exact` (from Chart.lock).
fn resolve_one(
    chart_dir: &Path,
    dep: &Dependency,
    exact: Option<&str>,
) -> Result<Fetched, DependencyError> {
    let fail = |message: String| DependencyError::Resolve {
        name: dep.name.clone(),
        repository: if dep.repository.is_empty() {
            "charts/".into()
        } else {
            dep.repository.clone()
        },
        message,
    };
    let constraint = Constraint::parse(&dep.version).map_err(|e| {
        fail(format!(
            "version {:?} is not a valid constraint: {e}",
            dep.version
        ))
    })?;
    let accepts = |version: &str| -> bool {
        match exact {
            Some(want) => version == want,
            None => parse_chart_version(version).is_ok_and(|v| constraint.matches(&v)),
        }
    };
    let repo = dep.repository.trim();
    if repo.is_empty() {
        let folder = chart_dir.join("charts").join(&dep.name);
        let chart = load_chart(&folder).map_err(|e| {
            fail(format!(
                "no repository given and charts/{} does not load: {e}",
                dep.name
            ))
        })?;
        if !semver_ok(&constraint, &chart) {
            return Err(fail(format!(
                "charts/{} is version {}, which does not satisfy {:?}",
                dep.name, chart.metadata.version, dep.version
            )));
        }
        // Helm locks the constraint itself for a chart kept in charts/.
        return Ok(Fetched {
            locked: Locked {
                name: dep.name.clone(),
                repository: String::new(),
                version: dep.version.clone(),
            },
            archive: None,
        });
    }
    if let Some(path) = repo.strip_prefix("file://") {
        let folder = if Path::new(path).is_absolute() {
            PathBuf::from(path)
        } else {
            chart_dir.join(path)
        };
        let chart = load_chart(&folder).map_err(|e| fail(e.to_string()))?;
        if chart.metadata.name != dep.name {
            return Err(fail(format!(
                "{} holds chart {:?}, not {:?}",
                folder.display(),
                chart.metadata.name,
                dep.name
            )));
        }
        if !accepts(&chart.metadata.version) {
            return Err(fail(match exact {
                Some(want) => format!(
                    "{} is version {} but Chart.lock wants {want}\nhint: run `skiff dependency update`",
                    folder.display(),
                    chart.metadata.version
                ),
                None => format!(
                    "{} is version {}, which does not satisfy {:?}",
                    folder.display(),
                    chart.metadata.version,
                    dep.version
                ),
            }));
        }
        let packed = pack(
            &chart,
            &PackOptions {
                mtime: crate::package::DEFAULT_MTIME,
                ..PackOptions::default()
            },
        )
        .map_err(|e| fail(e.to_string()))?;
        return Ok(Fetched {
            locked: Locked {
                name: dep.name.clone(),
                repository: dep.repository.clone(),
                version: chart.metadata.version.clone(),
            },
            archive: Some((packed.file_name, packed.bytes)),
        });
    }
    if repo.starts_with("http://") || repo.starts_with("https://") {
        let found = fetch::from_repository(repo, &dep.name, &accepts).map_err(fail)?;
        return Ok(Fetched {
            locked: Locked {
                name: dep.name.clone(),
                repository: dep.repository.clone(),
                version: found.version.clone(),
            },
            archive: Some((format!("{}-{}.tgz", dep.name, found.version), found.bytes)),
        });
    }
    Err(fail(
        "unsupported repository: use file://<folder>, an http(s):// chart repository URL, or leave it empty for a chart kept in charts/ (oci:// and @repo names are not supported)".into(),
    ))
}

fn semver_ok(constraint: &Constraint, chart: &Chart) -> bool {
    chart
        .metadata
        .semver()
        .is_some_and(|v| constraint.matches(&v))
}

/// Writes the archives into charts/ (atomically, each) and removes older
/// archives of the same dependencies.
fn save(chart_dir: &Path, fetched: &[Fetched]) -> Result<Outcome, DependencyError> {
    let charts = chart_dir.join("charts");
    let mut outcome = Outcome::default();
    if fetched.iter().any(|f| f.archive.is_some()) {
        std::fs::create_dir_all(&charts).map_err(|source| DependencyError::Io {
            path: charts.clone(),
            source,
        })?;
    }
    let keep: Vec<&str> = fetched
        .iter()
        .filter_map(|f| f.archive.as_ref().map(|(n, _)| n.as_str()))
        .collect();
    for f in fetched {
        let Some((file_name, bytes)) = &f.archive else {
            continue;
        };
        let path = charts.join(file_name);
        let same = std::fs::read(&path).is_ok_and(|old| old == *bytes);
        if !same {
            write_atomically(&path, bytes)?;
        }
        outcome.saved.push(file_name.clone());
        // Older archives of this dependency: `<name>-<semver>.tgz`.
        let entries = std::fs::read_dir(&charts).map_err(|source| DependencyError::Io {
            path: charts.clone(),
            source,
        })?;
        let mut stale: Vec<String> = entries
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| !keep.contains(&n.as_str()))
            .filter(|n| {
                n.strip_prefix(&format!("{}-", f.locked.name))
                    .and_then(|rest| rest.strip_suffix(".tgz"))
                    .is_some_and(|v| semver::Version::parse(v).is_ok())
            })
            .collect();
        stale.sort();
        for name in stale {
            let path = charts.join(&name);
            std::fs::remove_file(&path).map_err(|source| DependencyError::Io { path, source })?;
            outcome.removed.push(name);
        }
    }
    Ok(outcome)
}
