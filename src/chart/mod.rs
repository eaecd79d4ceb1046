//! Loading a chart: Chart.yaml metadata, the files of a folder or .tgz, .helmignore.
//!
//! A chart in memory is its metadata plus a sorted map of every file it
//! ships (paths relative to the chart root, `/`-separated). Loading is the
//! only stage that touches the filesystem for the chart; later stages see
//! bytes, which is what makes folder and archive behave the same.

pub mod archive;
pub mod constraint;
pub mod dependencies;
pub mod ignore;
pub mod metadata;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub use metadata::Metadata;

use self::archive::{MAX_ENTRIES, MAX_FILE_SIZE, MAX_TOTAL_SIZE};
use self::ignore::IgnoreRules;
use crate::threads;

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("{}: no such chart folder or archive\nhint: pass a chart folder (with a Chart.yaml) or a .tgz", path.display())]
    NotFound { path: PathBuf },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: no Chart.yaml here\nhint: a chart folder holds Chart.yaml, values.yaml and templates/", path.display())]
    MissingChartYaml { path: PathBuf },
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Metadata {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error("{}: symlink points outside the chart (to {})\nhint: copy the file into the chart; Skiff never follows links out of a chart", path.display(), target.display())]
    SymlinkEscapes { path: PathBuf, target: PathBuf },
    #[error("{}: file is {size} bytes, over the {limit}-byte limit per chart file", path.display())]
    FileTooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("{}: chart is over the {limit}-byte limit in total\nhint: list large files in .helmignore", path.display())]
    ChartTooLarge { path: PathBuf, limit: u64 },
    #[error("{}: chart has more than {limit} files and folders (an archive may hold no more)\nhint: list what is not part of the chart in .helmignore", path.display())]
    TooManyEntries { path: PathBuf, limit: usize },
    #[error("{}: not UTF-8 text; templates and values files must be UTF-8", path.display())]
    NotUtf8 { path: PathBuf },
    #[error("{}: {message}", path.display())]
    Archive { path: PathBuf, message: String },
    /// The archive reader's error, which names the archive itself.
    #[error(transparent)]
    ArchiveRead(#[from] archive::ArchiveError),
    #[error("{}: .helmignore: {message}", path.display())]
    Ignore { path: PathBuf, message: String },
    #[error(
        "chart {chart} requires Kubernetes {constraint} (Chart.yaml kubeVersion) but the target is {version}\nhint: pass --kube-version with the cluster's version"
    )]
    KubeVersion {
        chart: String,
        constraint: String,
        version: String,
    },
    #[error("--kube-version {value:?}: {message}")]
    BadKubeVersion { value: String, message: String },
}

/// A loaded chart.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Where it was loaded from (a folder or an archive), for messages.
    pub source: PathBuf,
    pub metadata: Metadata,
    /// Every file of the chart after .helmignore, keyed by relative path.
    /// A subchart's files stay here too (`charts/sub/...`, `charts/x.tgz`):
    /// packaging archives them as they are. Shared, so that the engine
    /// reads the templates where they are instead of copying them.
    pub files: Arc<BTreeMap<String, Vec<u8>>>,
    /// The charts under `charts/` (folders with a Chart.yaml, and `.tgz`
    /// archives), loaded from [`Chart::files`] with the same defensive rules,
    /// in path order. Which of them render, and under which name, is
    /// decided per release by [`dependencies`].
    pub subcharts: Vec<Chart>,
}

/// How deep subcharts may nest (`charts/a/charts/b/...`); deeper is refused
/// so a hostile archive of archives cannot recurse without end.
pub const MAX_SUBCHART_DEPTH: usize = 10;

impl Chart {
    /// Builds a chart from its files (already read and filtered).
    pub fn from_files(
        source: PathBuf,
        files: BTreeMap<String, Vec<u8>>,
    ) -> Result<Chart, ChartError> {
        let metadata = parse_chart_yaml(&source, &files)?;
        Chart::with_metadata(source, metadata, files)
    }

    /// Builds a chart whose Chart.yaml is already parsed, loading its subcharts.
    pub fn with_metadata(
        source: PathBuf,
        metadata: Metadata,
        files: BTreeMap<String, Vec<u8>>,
    ) -> Result<Chart, ChartError> {
        Chart::at_depth(source, metadata, files, 0)
    }

    fn at_depth(
        source: PathBuf,
        metadata: Metadata,
        files: BTreeMap<String, Vec<u8>>,
        depth: usize,
    ) -> Result<Chart, ChartError> {
        let subcharts = load_subcharts(&source, &files, depth)?;
        Ok(Chart {
            source,
            metadata,
            files: Arc::new(files),
            subcharts,
        })
    }

    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// A file's text, or None when the chart does not ship it.
    pub fn text(&self, name: &str) -> Result<Option<&str>, ChartError> {
        match self.files.get(name) {
            None => Ok(None),
            Some(bytes) => std::str::from_utf8(bytes)
                .map(Some)
                .map_err(|_| ChartError::NotUtf8 {
                    path: self.source.join(name),
                }),
        }
    }

    /// The templates under templates/, by path relative to templates/ (sorted).
    pub fn templates(&self) -> impl Iterator<Item = (&str, &[u8])> {
        templates_in(&self.files)
    }

    /// Files a template may read through `files`: everything but the chart's
    /// own machinery, as Helm's `.Files` does.
    pub fn is_user_file(path: &str) -> bool {
        !(path.starts_with("templates/")
            || path.starts_with("charts/")
            || matches!(
                path,
                "Chart.yaml"
                    | "Chart.lock"
                    | "values.yaml"
                    | "values.schema.json"
                    | "values.computed.yaml"
            ))
    }

    /// The path users see for a chart file in messages: `<source>/<rel>`.
    pub fn display_path(&self, rel: &str) -> PathBuf {
        self.source.join(rel)
    }

    /// Checks Chart.yaml `kubeVersion` against the target cluster version.
    pub fn check_kube_version(&self, version: &semver::Version) -> Result<(), ChartError> {
        let Some(text) = self.metadata.kube_version.as_deref() else {
            return Ok(());
        };
        let constraint =
            constraint::Constraint::parse(text).map_err(|message| ChartError::Metadata {
                path: self.source.join("Chart.yaml"),
                line: None,
                message,
            })?;
        if constraint.matches(version) {
            Ok(())
        } else {
            Err(ChartError::KubeVersion {
                chart: self.metadata.name.clone(),
                constraint: text.to_string(),
                version: version.to_string(),
            })
        }
    }
}

/// The templates among a chart's files (those under templates/), by path
/// relative to templates/, sorted.
pub fn templates_in(files: &BTreeMap<String, Vec<u8>>) -> impl Iterator<Item = (&str, &[u8])> {
    files
        .range::<str, _>((
            std::ops::Bound::Included("templates/"),
            std::ops::Bound::Unbounded,
        ))
        .take_while(|(k, _)| k.starts_with("templates/"))
        .map(|(k, v)| (&k["templates/".len()..], v.as_slice()))
}

/// The files of a chart folder or `.tgz` archive and the chart's source
/// path, without reading Chart.yaml. `skiff lint` parses Chart.yaml itself,
/// leniently, so that it can report every problem with it at once.
pub fn load_chart_files(path: &Path) -> Result<(PathBuf, BTreeMap<String, Vec<u8>>), ChartError> {
    if is_folder(path)? {
        return Ok((path.to_path_buf(), read_folder(path)?));
    }
    let bytes = read_archive_file(path)?;
    let archive = archive::read_chart_archive(&bytes, path)?;
    Ok((
        path.join(&archive.root),
        archive.files.into_iter().collect(),
    ))
}

/// Whether a chart path is a folder (else an archive); a missing path is
/// the "no such chart" error.
fn is_folder(path: &Path) -> Result<bool, ChartError> {
    std::fs::metadata(path)
        .map(|meta| meta.is_dir())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ChartError::NotFound {
                path: path.to_path_buf(),
            },
            _ => ChartError::Io {
                path: path.to_path_buf(),
                source: e,
            },
        })
}

/// The parsed and checked Chart.yaml of a chart's files; errors name
/// `<source>/Chart.yaml` and the line.
fn parse_chart_yaml(
    source: &Path,
    files: &BTreeMap<String, Vec<u8>>,
) -> Result<Metadata, ChartError> {
    let path = source.join("Chart.yaml");
    let bytes = files
        .get("Chart.yaml")
        .ok_or_else(|| ChartError::MissingChartYaml {
            path: source.to_path_buf(),
        })?;
    let text =
        std::str::from_utf8(bytes).map_err(|_| ChartError::NotUtf8 { path: path.clone() })?;
    Metadata::parse(text).map_err(|p| ChartError::Metadata {
        path,
        line: p.line,
        message: p.message,
    })
}

/// Loads a chart from a folder or a `.tgz` archive.
pub fn load_chart(path: &Path) -> Result<Chart, ChartError> {
    if is_folder(path)? {
        let files = read_folder(path)?;
        Chart::from_files(path.to_path_buf(), files)
    } else {
        load_archive(path)
    }
}

fn load_archive(path: &Path) -> Result<Chart, ChartError> {
    let bytes = read_archive_file(path)?;
    Ok(chart_from_archive(path, &bytes)?.0)
}

/// Reads an archive file's bytes, refusing one over [`MAX_TOTAL_SIZE`]
/// (more than its contents may hold).
pub fn read_archive_file(path: &Path) -> Result<Vec<u8>, ChartError> {
    let size = std::fs::metadata(path)
        .map_err(|e| ChartError::Io {
            path: path.to_path_buf(),
            source: e,
        })?
        .len();
    if size > MAX_TOTAL_SIZE {
        return Err(ChartError::ChartTooLarge {
            path: path.to_path_buf(),
            limit: MAX_TOTAL_SIZE,
        });
    }
    std::fs::read(path).map_err(|e| ChartError::Io {
        path: path.to_path_buf(),
        source: e,
    })
}

/// A chart from the bytes of the archive at `path` (named in errors), and
/// the mtime its `Chart.yaml` entry records (see
/// [`archive::ArchiveChart::chart_yaml_mtime`]).
pub fn chart_from_archive(path: &Path, bytes: &[u8]) -> Result<(Chart, Option<u64>), ChartError> {
    chart_from_archive_at(path, bytes, 0)
}

/// [`chart_from_archive`] for a chart `depth` subchart levels down.
fn chart_from_archive_at(
    path: &Path,
    bytes: &[u8],
    depth: usize,
) -> Result<(Chart, Option<u64>), ChartError> {
    let archive = archive::read_chart_archive(bytes, path)?;
    let source = path.join(&archive.root);
    let files: BTreeMap<String, Vec<u8>> = archive.files.into_iter().collect();
    let metadata = parse_chart_yaml(&source, &files)?;
    if metadata.name != archive.root {
        return Err(ChartError::Archive {
            path: path.to_path_buf(),
            message: format!(
                "the archive's top folder {:?} is not the chart's name {:?}",
                archive.root, metadata.name
            ),
        });
    }
    let chart = Chart::at_depth(source, metadata, files, depth)?;
    Ok((chart, archive.chart_yaml_mtime))
}

/// The charts in `charts/`: each folder `charts/<dir>/` holding a
/// Chart.yaml, and each `charts/*.tgz`. Other files there are ignored, as
/// Helm ignores them.
fn load_subcharts(
    source: &Path,
    files: &BTreeMap<String, Vec<u8>>,
    depth: usize,
) -> Result<Vec<Chart>, ChartError> {
    let mut folders: BTreeMap<&str, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
    let mut archives: Vec<(&str, &[u8])> = Vec::new();
    for (path, bytes) in files {
        let Some(rest) = path.strip_prefix("charts/") else {
            continue;
        };
        match rest.split_once('/') {
            Some((dir, inner)) => {
                folders
                    .entry(dir)
                    .or_default()
                    .insert(inner.to_string(), bytes.clone());
            }
            None if rest.ends_with(".tgz") => archives.push((rest, bytes)),
            None => {}
        }
    }
    let mut out = Vec::new();
    let too_deep = |path: PathBuf| ChartError::Archive {
        path,
        message: format!(
            "subcharts nest more than {MAX_SUBCHART_DEPTH} levels deep; Skiff refuses deeper charts"
        ),
    };
    for (dir, sub_files) in folders {
        if !sub_files.contains_key("Chart.yaml") {
            continue;
        }
        let sub_source = source.join("charts").join(dir);
        if depth + 1 > MAX_SUBCHART_DEPTH {
            return Err(too_deep(sub_source));
        }
        let metadata = parse_chart_yaml(&sub_source, &sub_files)?;
        out.push(Chart::at_depth(sub_source, metadata, sub_files, depth + 1)?);
    }
    for (name, bytes) in archives {
        let path = source.join("charts").join(name);
        if depth + 1 > MAX_SUBCHART_DEPTH {
            return Err(too_deep(path));
        }
        out.push(chart_from_archive_at(&path, bytes, depth + 1)?.0);
    }
    Ok(out)
}

/// `map_err` for an I/O error on `path`.
fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ChartError {
    let path = path.to_path_buf();
    move |source| ChartError::Io { path, source }
}

/// Drops a UTF-8 byte order mark from the start of a chart file, as Helm's
/// loaders do (editors on Windows write one; YAML and templates would
/// otherwise see it as text).
pub(crate) fn strip_bom(bytes: &mut Vec<u8>) {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
}

/// Reads every file under `root`, honouring `.helmignore`, refusing links
/// that leave the chart and files over the size limits.
fn read_folder(root: &Path) -> Result<BTreeMap<String, Vec<u8>>, ChartError> {
    let canonical_root = std::fs::canonicalize(root).map_err(io(root))?;
    let rules = match std::fs::read_to_string(root.join(".helmignore")) {
        Ok(text) => IgnoreRules::parse(&text)
            .map_err(|e| ChartError::Ignore {
                path: root.to_path_buf(),
                message: e.to_string(),
            })?
            .with_defaults(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => IgnoreRules::empty().with_defaults(),
        Err(e) => return Err(io(&root.join(".helmignore"))(e)),
    };
    let mut walk = Walk {
        root,
        canonical_root,
        rules,
        files: BTreeMap::new(),
        found: Vec::new(),
        entries: 0,
        reading: Vec::new(),
    };
    walk.dir(root, "")?;
    walk.read_found()?;
    Ok(walk.files)
}

/// Files a thread must have to be worth starting: a small chart reads
/// faster on the calling thread than a thread starts.
const FILES_PER_THREAD: usize = 64;

struct Walk<'a> {
    root: &'a Path,
    canonical_root: PathBuf,
    rules: IgnoreRules,
    files: BTreeMap<String, Vec<u8>>,
    /// Files to read, in walk order: their chart path and where they are.
    found: Vec<(String, PathBuf)>,
    /// Files and folders taken so far, against [`MAX_ENTRIES`].
    entries: usize,
    /// The folders being read, outermost first (canonical paths): a link
    /// to one of them would loop.
    reading: Vec<PathBuf>,
}

impl Walk<'_> {
    fn dir(&mut self, dir: &Path, prefix: &str) -> Result<(), ChartError> {
        let canonical = std::fs::canonicalize(dir).map_err(io(dir))?;
        if self.reading.contains(&canonical) {
            return Ok(()); // a link back to a folder being read
        }
        self.reading.push(canonical);
        self.dir_entries(dir, prefix)?;
        self.reading.pop();
        Ok(())
    }

    fn dir_entries(&mut self, dir: &Path, prefix: &str) -> Result<(), ChartError> {
        // Each name is read once: sorting by `DirEntry::file_name` would
        // allocate two names per comparison.
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .map_err(io(dir))?
            .map(|entry| entry.map(|entry| (entry.file_name(), entry)))
            .collect::<Result<_, _>>()
            .map_err(io(dir))?;
        entries.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
        for (name, entry) in entries {
            let path = entry.path();
            let Some(name) = name.to_str() else {
                return Err(ChartError::NotUtf8 { path });
            };
            let rel = format!("{prefix}{name}");
            // The listing already says what an entry is (no system call);
            // only a link needs its target looked at.
            let file_type = entry.file_type().map_err(io(&path))?;
            let (is_dir, is_file) = if file_type.is_symlink() {
                let target = std::fs::canonicalize(&path).map_err(io(&path))?;
                if !target.starts_with(&self.canonical_root) {
                    return Err(ChartError::SymlinkEscapes { path, target });
                }
                let meta = std::fs::metadata(&target).map_err(io(&path))?;
                (meta.is_dir(), meta.is_file())
            } else {
                (file_type.is_dir(), file_type.is_file())
            };
            if self.rules.ignored(&rel, is_dir) {
                continue;
            }
            // Also bounds a walk that links make read folders many times.
            self.entries += 1;
            if self.entries > MAX_ENTRIES {
                return Err(ChartError::TooManyEntries {
                    path: self.root.to_path_buf(),
                    limit: MAX_ENTRIES,
                });
            }
            if is_dir {
                self.dir(&path, &format!("{rel}/"))?;
            } else if is_file {
                self.found.push((rel, path));
            }
        }
        Ok(())
    }

    /// Reads the files the walk found, a large chart's on one thread per
    /// core, within the per-file and whole-chart limits (the same as an
    /// archive's, reading and writing, so a folder that loads also
    /// packages). The errors are those of reading the files one after
    /// another in walk order: the first file that fails, or the whole-chart
    /// limit at the file that crosses it. (A file that is not a file or a
    /// link that leaves the chart is refused by the walk, before any read.)
    fn read_found(&mut self) -> Result<(), ChartError> {
        let found = std::mem::take(&mut self.found);
        let read = AtomicU64::new(0);
        let slots = threads::run_indexed(
            found.len(),
            threads::for_items(found.len(), FILES_PER_THREAD),
            // Past the limit the ordered pass below fails anyway.
            || read.load(Ordering::Relaxed) >= MAX_TOTAL_SIZE,
            |i| {
                let file = read_file(&found[i].1);
                if let Ok((size, _)) = &file {
                    read.fetch_add(*size, Ordering::Relaxed);
                }
                file
            },
        );
        let mut total = 0u64;
        for ((rel, path), slot) in found.into_iter().zip(slots) {
            // Empty when read on this thread alone, or past the limit.
            let (size, bytes) = slot.unwrap_or_else(|| read_file(&path))?;
            total += size;
            if total >= MAX_TOTAL_SIZE {
                return Err(ChartError::ChartTooLarge {
                    path: self.root.to_path_buf(),
                    limit: MAX_TOTAL_SIZE,
                });
            }
            self.files.insert(rel, bytes);
        }
        Ok(())
    }
}

/// A file's size when opened and its bytes, refusing one over
/// [`MAX_FILE_SIZE`]. The size comes from the open file, so the path is
/// looked up once.
fn read_file(path: &Path) -> Result<(u64, Vec<u8>), ChartError> {
    let file = std::fs::File::open(path).map_err(io(path))?;
    let size = file.metadata().map_err(io(path))?.len();
    if size > MAX_FILE_SIZE {
        return Err(ChartError::FileTooLarge {
            path: path.to_path_buf(),
            size,
            limit: MAX_FILE_SIZE,
        });
    }
    // The file as large as it was when opened: reading stops there (no
    // read just to see the end), so a file that grows meanwhile cannot
    // pass the limits.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    std::io::Read::read_to_end(&mut std::io::Read::take(file, size), &mut bytes)
        .map_err(io(path))?;
    strip_bom(&mut bytes);
    Ok((size, bytes))
}
