//! Reading a chart archive (`.tgz`) defensively, in memory.
//!
//! A chart archive is a gzip-compressed tar whose entries all live under one
//! top folder named after the chart (`mychart/Chart.yaml`, ...). Archives
//! come from the network, so everything unexpected is refused with an error
//! naming the archive and the entry, rather than skipped:
//!
//! - entries outside the top folder, more than one top folder, `..` or `.`
//!   path components, absolute or drive-letter paths, non-UTF-8 names;
//! - symlinks, hard links, devices, FIFOs and other non-regular entries
//!   (Helm reads their empty bodies as files; we refuse them);
//! - duplicate entries, and a file that is also used as a directory;
//! - a file over [`MAX_FILE_SIZE`], contents over [`MAX_TOTAL_SIZE`]
//!   (Helm's limits), more than [`MAX_ENTRIES`] entries, or a decompressed
//!   tar stream over [`MAX_STREAM_SIZE`] (which also bounds tar metadata
//!   such as PAX headers and long names).
//!
//! Limits are enforced while streaming: a declared size is checked before an
//! entry is read, and the decompressed stream is capped, so a decompression
//! bomb stops at the limit instead of filling memory.
//!
//! Tolerated like Helm: directory entries (skipped), PAX global headers such
//! as `git archive`'s `pax_global_header` (skipped), PAX and GNU long names,
//! `\`-separated names from archives made on Windows, concatenated gzip
//! members. Unlike Helm, file bodies are returned unchanged (Helm strips a
//! UTF-8 BOM while loading; that belongs to the chart loader).

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use flate2::read::MultiGzDecoder;
use tar::EntryType;

/// Largest single file, decompressed: Helm's `MaxDecompressedFileSize` (5 MiB).
pub const MAX_FILE_SIZE: u64 = 5 * 1024 * 1024;

/// Largest sum of file sizes, decompressed: Helm's
/// `MaxDecompressedChartSize` (100 MiB). Like Helm, reaching it is an error.
pub const MAX_TOTAL_SIZE: u64 = 100 * 1024 * 1024;

/// Most tar entries (files, directories and global headers). Helm has no
/// such limit; real charts have hundreds of files, and the cap keeps an
/// archive of millions of empty entries from costing unbounded time.
pub const MAX_ENTRIES: usize = 10_000;

/// Largest decompressed tar stream: file contents plus room for headers and
/// padding of [`MAX_ENTRIES`] entries (about 1 KiB each, twice over for PAX
/// headers). This also caps what the tar parser buffers for PAX records and
/// GNU long names, which it reads whole.
pub const MAX_STREAM_SIZE: u64 = MAX_TOTAL_SIZE + 32 * 1024 * 1024;

/// The limits a reader enforces; [`Default`] gives the constants above
/// (Helm's limits). Callers may tighten them; loosening is possible but
/// makes Skiff accept archives Helm refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// See [`MAX_FILE_SIZE`].
    pub max_file_size: u64,
    /// See [`MAX_TOTAL_SIZE`].
    pub max_total_size: u64,
    /// See [`MAX_ENTRIES`].
    pub max_entries: usize,
    /// See [`MAX_STREAM_SIZE`].
    pub max_stream_size: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        Self {
            max_file_size: MAX_FILE_SIZE,
            max_total_size: MAX_TOTAL_SIZE,
            max_entries: MAX_ENTRIES,
            max_stream_size: MAX_STREAM_SIZE,
        }
    }
}

/// A chart read from an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveChart {
    /// The name of the archive's top folder (normally the chart name).
    pub root: String,
    /// Files, with paths relative to `root` (`Chart.yaml`,
    /// `templates/api.yaml`), sorted by path.
    pub files: Vec<(String, Vec<u8>)>,
    /// The modification time recorded for `Chart.yaml` (seconds since
    /// 1970), when the header holds one: when the chart was packaged, as
    /// far as the archive tells. `skiff repo index` dates entries with it.
    pub chart_yaml_mtime: Option<u64>,
}

/// Why a chart archive was refused. Every message names the archive.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error(
        "{archive}: not a gzip-compressed chart archive; pass a chart folder or a .tgz made by `skiff package` or `helm package`"
    )]
    NotGzip { archive: PathBuf },
    #[error(
        "{archive}: the archive is truncated or corrupt ({detail}); download or package it again"
    )]
    Corrupt { archive: PathBuf, detail: String },
    #[error("{archive}: the archive contains no files; package the chart again")]
    Empty { archive: PathBuf },
    #[error(
        "{archive}: entry `{entry}` is not inside the chart's top folder; a chart archive holds exactly one folder named after the chart"
    )]
    OutsideRoot { archive: PathBuf, entry: String },
    #[error(
        "{archive}: entry `{entry}` is under a second top folder `{found}` (the first was `{root}`); a chart archive holds exactly one folder named after the chart"
    )]
    MultipleRoots {
        archive: PathBuf,
        entry: String,
        root: String,
        found: String,
    },
    #[error(
        "{archive}: entry `{entry}` has a `..` path component, which could write outside the chart; the archive is unsafe, do not use it"
    )]
    ParentDir { archive: PathBuf, entry: String },
    #[error(
        "{archive}: entry `{entry}` has an absolute path; the archive is unsafe, do not use it"
    )]
    AbsolutePath { archive: PathBuf, entry: String },
    #[error(
        "{archive}: entry `{entry}` has an unusable name ({reason}); package the chart again with `skiff package` or `helm package`"
    )]
    BadName {
        archive: PathBuf,
        entry: String,
        reason: &'static str,
    },
    #[error(
        "{archive}: entry `{entry}` is a symbolic link (to `{target}`); charts may not contain links, package the chart with the link's target copied in"
    )]
    Symlink {
        archive: PathBuf,
        entry: String,
        target: String,
    },
    #[error(
        "{archive}: entry `{entry}` is a hard link (to `{target}`); charts may not contain links, package the chart with the file copied in"
    )]
    HardLink {
        archive: PathBuf,
        entry: String,
        target: String,
    },
    #[error(
        "{archive}: entry `{entry}` is a {kind}, not a regular file; charts may only contain regular files and folders"
    )]
    SpecialFile {
        archive: PathBuf,
        entry: String,
        kind: &'static str,
    },
    #[error(
        "{archive}: entry `{entry}` appears more than once; the archive is ambiguous, package the chart again"
    )]
    Duplicate { archive: PathBuf, entry: String },
    #[error(
        "{archive}: `{entry}` is both a file and a folder in the archive; the archive is ambiguous, package the chart again"
    )]
    FileDirConflict { archive: PathBuf, entry: String },
    #[error(
        "{archive}: entry `{entry}` is {size} bytes, over the {limit}-byte limit per file; move large data out of the chart"
    )]
    FileTooLarge {
        archive: PathBuf,
        entry: String,
        size: u64,
        limit: u64,
    },
    #[error(
        "{archive}: the decompressed chart reaches the {limit}-byte limit (at entry `{entry}`); make the chart smaller"
    )]
    TotalTooLarge {
        archive: PathBuf,
        entry: String,
        limit: u64,
    },
    #[error(
        "{archive}: the decompressed archive is over the {limit}-byte limit; it is not a plausible chart (possibly a decompression bomb)"
    )]
    StreamTooLarge { archive: PathBuf, limit: u64 },
    #[error("{archive}: the archive has more than {limit} entries; it is not a plausible chart")]
    TooManyEntries { archive: PathBuf, limit: usize },
}

/// Reads a chart archive held in memory. `source` only names the archive in
/// errors. See the module docs for what is refused and what is tolerated.
pub fn read_chart_archive(bytes: &[u8], source: &Path) -> Result<ArchiveChart, ArchiveError> {
    read_chart_archive_with_limits(bytes, source, ArchiveLimits::default())
}

/// [`read_chart_archive`] with other limits.
pub fn read_chart_archive_with_limits(
    bytes: &[u8],
    source: &Path,
    limits: ArchiveLimits,
) -> Result<ArchiveChart, ArchiveError> {
    Reader::new(source, limits).read(bytes)
}

struct Reader {
    archive: PathBuf,
    limits: ArchiveLimits,
    root: Option<String>,
    files: BTreeMap<String, Vec<u8>>,
    dirs: BTreeSet<String>,
    total: u64,
    chart_yaml_mtime: Option<u64>,
}

/// Wraps the decompressor and fails once more than `limit` bytes came out,
/// recording that it did so the caller can tell this from corruption.
struct CappedReader<R> {
    inner: R,
    remaining: u64,
    tripped: Rc<Cell<bool>>,
}

impl<R: Read> Read for CappedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.remaining == 0 {
            // Only fail if there is in fact more data.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => {
                    self.tripped.set(true);
                    Err(io::Error::other("decompressed size limit reached"))
                }
            };
        }
        let want = usize::try_from(self.remaining).map_or(buf.len(), |r| r.min(buf.len()));
        let n = self.inner.read(&mut buf[..want])?;
        self.remaining -= n as u64;
        Ok(n)
    }
}

impl Reader {
    fn new(source: &Path, limits: ArchiveLimits) -> Self {
        Self {
            archive: source.to_path_buf(),
            limits,
            root: None,
            files: BTreeMap::new(),
            dirs: BTreeSet::new(),
            total: 0,
            chart_yaml_mtime: None,
        }
    }

    fn read(mut self, bytes: &[u8]) -> Result<ArchiveChart, ArchiveError> {
        // gzip magic and the deflate method byte, like Helm's sniffing.
        if !bytes.starts_with(&[0x1f, 0x8b, 0x08]) {
            return Err(ArchiveError::NotGzip {
                archive: self.archive,
            });
        }
        let tripped = Rc::new(Cell::new(false));
        let mut stream = CappedReader {
            inner: MultiGzDecoder::new(bytes),
            remaining: self.limits.max_stream_size,
            tripped: Rc::clone(&tripped),
        };
        let result = self.read_entries(&mut stream);
        // Read to the end of the gzip data so a bad checksum or a truncated
        // trailer is noticed even though the tar ended earlier.
        let result = result.and_then(|()| {
            io::copy(&mut stream, &mut io::sink())
                .map(|_| ())
                .map_err(Failure::Io)
        });
        match result {
            Ok(()) => self.finish(),
            Err(Failure::Refused(e)) => Err(e),
            Err(Failure::Io(_)) if tripped.get() => Err(ArchiveError::StreamTooLarge {
                archive: self.archive,
                limit: self.limits.max_stream_size,
            }),
            Err(Failure::Io(e)) => Err(ArchiveError::Corrupt {
                archive: self.archive,
                detail: e.to_string(),
            }),
        }
    }

    fn read_entries<R: Read>(&mut self, stream: R) -> Result<(), Failure> {
        let mut tar = tar::Archive::new(stream);
        let mut count = 0usize;
        for entry in tar.entries().map_err(Failure::Io)? {
            let mut entry = entry.map_err(Failure::Io)?;
            count += 1;
            let limit = self.limits.max_entries;
            if count > limit {
                return Err(self.refuse(|archive| ArchiveError::TooManyEntries { archive, limit }));
            }
            let entry_type = entry.header().entry_type();
            if entry_type.is_pax_global_extensions() || entry_type.is_pax_local_extensions() {
                continue;
            }
            let raw_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let is_dir = entry_type.is_dir()
                || ((entry_type.is_file() || entry_type.is_contiguous())
                    && raw_name.ends_with('/'));
            let path = self.entry_path(&raw_name, &entry)?;
            self.check_kind(&raw_name, entry_type, &entry)?;
            let rel = self.place(&raw_name, path, is_dir)?;
            let Some(rel) = rel else { continue };
            if is_dir {
                self.dirs.insert(rel);
                continue;
            }
            if rel == "Chart.yaml" {
                self.chart_yaml_mtime = entry.header().mtime().ok();
            }
            let mut data = self.read_body(&raw_name, &mut entry)?;
            super::strip_bom(&mut data);
            if self.files.insert(rel, data).is_some() {
                return Err(self.duplicate(&raw_name));
            }
        }
        Ok(())
    }

    /// The entry's path as `/`-separated components, checked for safety.
    fn entry_path<R: Read>(
        &self,
        raw_name: &str,
        entry: &tar::Entry<'_, R>,
    ) -> Result<Vec<String>, Failure> {
        let Ok(name) = std::str::from_utf8(&entry.path_bytes()).map(str::to_owned) else {
            return Err(self.bad_name(raw_name, "not valid UTF-8"));
        };
        // Archives made on Windows may use `\`; Helm accepts them.
        let name = if name.contains('\\') {
            if name.contains('/') {
                return Err(self.bad_name(raw_name, "mixes `/` and `\\` separators"));
            }
            name.replace('\\', "/")
        } else {
            name
        };
        if name.is_empty() {
            return Err(self.bad_name(raw_name, "empty name"));
        }
        if name.starts_with('/') || is_drive_prefixed(&name) {
            return Err(self.refuse(|archive| ArchiveError::AbsolutePath {
                archive,
                entry: raw_name.to_owned(),
            }));
        }
        let mut parts = Vec::new();
        for part in name.split('/') {
            match part {
                "" => {}
                ".." => {
                    return Err(self.refuse(|archive| ArchiveError::ParentDir {
                        archive,
                        entry: raw_name.to_owned(),
                    }));
                }
                "." => return Err(self.bad_name(raw_name, "has a `.` path component")),
                _ if part.contains('\0') => return Err(self.bad_name(raw_name, "contains NUL")),
                _ => parts.push(part.to_owned()),
            }
        }
        // A drive letter after the top folder (`chart/C:/x`) is absolute on
        // Windows once the top folder is stripped; Helm refuses it too.
        if parts.get(1).is_some_and(|p| is_drive_prefixed(p)) {
            return Err(self.refuse(|archive| ArchiveError::AbsolutePath {
                archive,
                entry: raw_name.to_owned(),
            }));
        }
        Ok(parts)
    }

    fn check_kind<R: Read>(
        &self,
        raw_name: &str,
        entry_type: EntryType,
        entry: &tar::Entry<'_, R>,
    ) -> Result<(), Failure> {
        let link_target = || {
            entry
                .link_name_bytes()
                .map(|t| String::from_utf8_lossy(&t).into_owned())
                .unwrap_or_default()
        };
        let entry = raw_name.to_owned();
        let refusal = match entry_type {
            EntryType::Regular | EntryType::Continuous | EntryType::Directory => return Ok(()),
            EntryType::Symlink => ArchiveError::Symlink {
                archive: self.archive.clone(),
                entry,
                target: link_target(),
            },
            EntryType::Link => ArchiveError::HardLink {
                archive: self.archive.clone(),
                entry,
                target: link_target(),
            },
            EntryType::Char => self.special(entry, "character device"),
            EntryType::Block => self.special(entry, "block device"),
            EntryType::Fifo => self.special(entry, "FIFO (named pipe)"),
            EntryType::GNUSparse => self.special(entry, "GNU sparse file"),
            _ => self.special(entry, "entry of an unsupported tar type"),
        };
        Err(Failure::Refused(refusal))
    }

    /// Checks the top folder and returns the path relative to it, or `None`
    /// for the top folder's own directory entry.
    fn place(
        &mut self,
        raw_name: &str,
        mut parts: Vec<String>,
        is_dir: bool,
    ) -> Result<Option<String>, Failure> {
        if parts.is_empty() {
            return Err(self.bad_name(raw_name, "no path components"));
        }
        if parts.len() == 1 && !is_dir {
            return Err(self.refuse(|archive| ArchiveError::OutsideRoot {
                archive,
                entry: raw_name.to_owned(),
            }));
        }
        let top = parts.remove(0);
        match &self.root {
            None => self.root = Some(top),
            Some(root) if *root == top => {}
            Some(root) => {
                let root = root.clone();
                return Err(self.refuse(|archive| ArchiveError::MultipleRoots {
                    archive,
                    entry: raw_name.to_owned(),
                    root,
                    found: top,
                }));
            }
        }
        if parts.is_empty() {
            // The top folder's own directory entry.
            return Ok(None);
        }
        Ok(Some(parts.join("/")))
    }

    fn read_body<R: Read>(
        &mut self,
        raw_name: &str,
        entry: &mut tar::Entry<'_, R>,
    ) -> Result<Vec<u8>, Failure> {
        // The declared size (PAX `size` included) is checked before reading.
        let size = entry.size();
        let ArchiveLimits {
            max_file_size,
            max_total_size,
            ..
        } = self.limits;
        if size > max_file_size {
            return Err(self.refuse(|archive| ArchiveError::FileTooLarge {
                archive,
                entry: raw_name.to_owned(),
                size,
                limit: max_file_size,
            }));
        }
        self.total = self.total.saturating_add(size);
        if self.total >= max_total_size {
            return Err(self.refuse(|archive| ArchiveError::TotalTooLarge {
                archive,
                entry: raw_name.to_owned(),
                limit: max_total_size,
            }));
        }
        // Capped preallocation: the declared size is trusted only this far.
        let mut data = Vec::with_capacity(usize::try_from(size.min(1 << 20)).unwrap_or(0));
        entry
            .take(size)
            .read_to_end(&mut data)
            .map_err(Failure::Io)?;
        if (data.len() as u64) < size {
            return Err(Failure::Io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("entry `{raw_name}` ends before its declared size {size}"),
            )));
        }
        Ok(data)
    }

    fn finish(self) -> Result<ArchiveChart, ArchiveError> {
        let (Some(root), false) = (self.root, self.files.is_empty()) else {
            return Err(ArchiveError::Empty {
                archive: self.archive,
            });
        };
        // A file may not also be a directory (explicit or implied by paths).
        for path in self.files.keys() {
            let is_also_dir = self.dirs.contains(path)
                || path
                    .match_indices('/')
                    .any(|(i, _)| self.files.contains_key(&path[..i]));
            if is_also_dir {
                return Err(ArchiveError::FileDirConflict {
                    archive: self.archive,
                    entry: format!("{root}/{path}"),
                });
            }
        }
        Ok(ArchiveChart {
            root,
            files: self.files.into_iter().collect(),
            chart_yaml_mtime: self.chart_yaml_mtime,
        })
    }

    fn refuse(&self, make: impl FnOnce(PathBuf) -> ArchiveError) -> Failure {
        Failure::Refused(make(self.archive.clone()))
    }

    fn bad_name(&self, raw_name: &str, reason: &'static str) -> Failure {
        self.refuse(|archive| ArchiveError::BadName {
            archive,
            entry: raw_name.to_owned(),
            reason,
        })
    }

    fn duplicate(&self, raw_name: &str) -> Failure {
        self.refuse(|archive| ArchiveError::Duplicate {
            archive,
            entry: raw_name.to_owned(),
        })
    }

    fn special(&self, entry: String, kind: &'static str) -> ArchiveError {
        ArchiveError::SpecialFile {
            archive: self.archive.clone(),
            entry,
            kind,
        }
    }
}

/// Either a refusal decided here, or an I/O error from the decompressor or
/// tar parser (corruption, or the stream cap: see `CappedReader`).
enum Failure {
    Refused(ArchiveError),
    Io(io::Error),
}

/// `C:` or `C:/...`: a Windows drive path.
fn is_drive_prefixed(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b.len() == 2 || b[2] == b'/')
}
