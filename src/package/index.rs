//! `skiff repo index`: the `index.yaml` of a chart repository, in the shape
//! Helm writes and reads (Helm's `pkg/repo/v1/index.go`).
//!
//! ```yaml
//! apiVersion: v1
//! entries:
//!   demo:                      # chart names, sorted
//!   - apiVersion: v2           # newest version first (SemVer order)
//!     appVersion: "1.0"
//!     created: "2024-05-01T12:00:00Z"
//!     digest: <sha256 of the .tgz>
//!     name: demo
//!     urls:
//!     - https://example.com/charts/demo-0.2.0.tgz
//!     version: 0.2.0
//! generated: "2024-05-01T12:00:00Z"
//! ```
//!
//! Helm marshals through JSON, so every mapping's keys come out sorted;
//! Skiff sorts them too. Each entry carries the Chart.yaml fields Helm's
//! `Metadata` has (apiVersion, name, version, appVersion, description,
//! type, keywords, home, sources, maintainers, icon, annotations,
//! dependencies, kubeVersion, deprecated) plus `created`, `digest`, `urls`.
//!
//! Where Skiff differs from Helm, for determinism:
//! - `created` is `SOURCE_DATE_EPOCH` when set, else the mtime the archive
//!   records for its `Chart.yaml` (when it was packaged: `SOURCE_DATE_EPOCH`
//!   or 1980-01-01 for `skiff package`, the packaging time for
//!   `helm package`). Helm uses the time of indexing, so its index changes
//!   on every run.
//! - `generated` is `SOURCE_DATE_EPOCH` when set, else the newest `created`
//!   of the archives indexed, else the merged index's `generated`.
//! - An archive in DIR that is not a valid chart is an error naming it
//!   (Helm skips it silently, which can publish an index without a chart).
//! - With `--merge`, an entry already in the merged index (same name and
//!   version) is kept as it is, `created` included; if the archive in DIR
//!   has a different digest, that is an error: a published version must not
//!   change. (Helm lets the local archive win, with a new `created`.)

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use super::archive::DEFAULT_MTIME;
use super::digest::sha256_hex;
use crate::chart::metadata::parse_chart_version;
use crate::chart::{ChartError, chart_from_archive, read_archive_file};

/// The file name Helm reads from a repository's base URL.
pub const INDEX_FILE: &str = "index.yaml";

/// Why an index could not be built. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{}: not a chart archive: {source}\nhint: `skiff repo index` reads every .tgz in DIR and in its direct subfolders; move other archives out of DIR",
        path.display()
    )]
    NotAChart { path: PathBuf, source: ChartError },
    #[error(
        "{} and {} both hold chart {name} {version}\nhint: a repository serves one archive per chart version; remove one of them",
        first.display(),
        second.display()
    )]
    Duplicate {
        name: String,
        version: String,
        first: PathBuf,
        second: PathBuf,
    },
    #[error("{0}")]
    ChangedVersion(Box<ChangedVersion>),
    #[error("{}: not a repository index: {message}\nhint: pass an index.yaml written by `skiff repo index` or `helm repo index`", path.display())]
    BadIndex { path: PathBuf, message: String },
}

/// A chart version already in the merged index whose archive in DIR differs.
#[derive(Debug, thiserror::Error)]
#[error(
    "{}: chart {name} {version} is already in {} with a different digest ({old} there, {new} here)\nhint: a published chart version must not change: bump the chart's version, or remove the entry from {} to replace it on purpose",
    file.display(),
    merge.display(),
    merge.display()
)]
pub struct ChangedVersion {
    pub name: String,
    pub version: String,
    pub file: PathBuf,
    pub merge: PathBuf,
    pub old: String,
    pub new: String,
}

/// What `skiff repo index` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct IndexOptions {
    /// Base URL the archives are served under; without it `urls` are
    /// relative to the index (`demo-0.1.0.tgz`), which Helm resolves
    /// against the repository URL.
    pub url: Option<String>,
    /// An existing index whose entries are kept.
    pub merge: Option<PathBuf>,
    /// `SOURCE_DATE_EPOCH`, already parsed.
    pub source_date_epoch: Option<u64>,
}

/// A built index and what went into it.
#[derive(Debug, Clone)]
pub struct RepoIndex {
    /// The `index.yaml` text.
    pub text: String,
    /// Chart names in the index.
    pub charts: usize,
    /// Chart versions in the index.
    pub versions: usize,
    /// Versions added from archives in DIR.
    pub added: usize,
    /// Versions kept from the merged index.
    pub kept: usize,
    /// `--merge` named a file that does not exist (treated as empty, as Helm does).
    pub merge_missing: bool,
}

/// One chart version in the index.
#[derive(Debug, Clone)]
struct Entry {
    version: String,
    digest: Option<String>,
    /// Where it came from, for messages: the archive or the merged index.
    origin: PathBuf,
    fields: Mapping,
}

/// Builds the index of the chart archives in `dir`; see the module docs.
pub fn index_directory(dir: &Path, opts: &IndexOptions) -> Result<RepoIndex, IndexError> {
    let mut entries: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    let mut merged_generated = None;
    let mut merge_missing = false;
    let mut kept = 0;
    if let Some(merge) = &opts.merge {
        match load_index(merge)? {
            Some(old) => {
                merged_generated = old.generated;
                kept = old.entries.values().map(Vec::len).sum();
                entries = old.entries;
            }
            None => merge_missing = true,
        }
    }

    let mut newest_created: Option<u64> = None;
    let mut added = 0;
    let mut from_dir: BTreeMap<(String, String), PathBuf> = BTreeMap::new();
    for (rel, path) in find_archives(dir)? {
        let (name, entry, created) = entry_for_archive(&path, &rel, opts)?;
        let key = (name.clone(), entry.version.clone());
        if let Some(first) = from_dir.insert(key, path.clone()) {
            return Err(IndexError::Duplicate {
                name,
                version: entry.version,
                first,
                second: path,
            });
        }
        let versions = entries.entry(name.clone()).or_default();
        if let Some(old) = versions.iter().find(|e| e.version == entry.version) {
            match (&old.digest, &entry.digest) {
                (Some(old_digest), Some(new_digest)) if old_digest != new_digest => {
                    return Err(IndexError::ChangedVersion(Box::new(ChangedVersion {
                        name,
                        version: entry.version,
                        file: path,
                        merge: old.origin.clone(),
                        old: old_digest.clone(),
                        new: new_digest.clone(),
                    })));
                }
                _ => continue, // the published entry stays as it is
            }
        }
        newest_created = newest_created.max(Some(created));
        versions.push(entry);
        added += 1;
    }

    let generated = match (opts.source_date_epoch, newest_created, merged_generated) {
        (Some(epoch), _, _) | (None, Some(epoch), _) => Value::String(rfc3339_utc(epoch)),
        (None, None, Some(old)) => old,
        (None, None, None) => Value::String(rfc3339_utc(DEFAULT_MTIME)),
    };
    let charts = entries.len();
    let versions = entries.values().map(Vec::len).sum();
    Ok(RepoIndex {
        text: index_text(entries, generated),
        charts,
        versions,
        added,
        kept,
        merge_missing,
    })
}

/// The `.tgz` files directly in `dir` and in its direct subfolders (what
/// Helm's `IndexDirectory` globs: `*.tgz` and `*/*.tgz`), as
/// (`/`-separated path relative to `dir`, path), sorted by relative path.
fn find_archives(dir: &Path) -> Result<Vec<(String, PathBuf)>, IndexError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| IndexError::Io { path, source }
    };
    let mut found = Vec::new();
    let list = |folder: &Path| -> Result<Vec<(String, PathBuf, bool)>, IndexError> {
        let mut items = Vec::new();
        for entry in std::fs::read_dir(folder).map_err(io(folder))? {
            let entry = entry.map_err(io(folder))?;
            let path = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue; // not UTF-8: cannot be a URL we would write
            };
            let is_dir = std::fs::metadata(&path).map_err(io(&path))?.is_dir();
            items.push((name, path, is_dir));
        }
        Ok(items)
    };
    for (name, path, is_dir) in list(dir)? {
        if is_dir {
            for (sub_name, sub_path, sub_is_dir) in list(&path)? {
                if !sub_is_dir && sub_name.ends_with(".tgz") {
                    found.push((format!("{name}/{sub_name}"), sub_path));
                }
            }
        } else if name.ends_with(".tgz") {
            found.push((name, path));
        }
    }
    found.sort();
    Ok(found)
}

/// The index entry for one archive: (chart name, entry, created seconds).
fn entry_for_archive(
    path: &Path,
    rel: &str,
    opts: &IndexOptions,
) -> Result<(String, Entry, u64), IndexError> {
    let not_a_chart = |source| IndexError::NotAChart {
        path: path.to_path_buf(),
        source,
    };
    let bytes = read_archive_file(path).map_err(not_a_chart)?;
    let (chart, mtime) = chart_from_archive(path, &bytes).map_err(not_a_chart)?;
    let created = opts.source_date_epoch.or(mtime).unwrap_or(DEFAULT_MTIME);
    let digest = sha256_hex(&bytes);
    let Ok(Value::Mapping(mut fields)) = serde_yaml::to_value(&chart.metadata) else {
        return Err(IndexError::BadIndex {
            path: path.to_path_buf(),
            message: "internal error: chart metadata is not a mapping".into(),
        });
    };
    let url = match &opts.url {
        Some(base) => url_join(base, rel),
        None => rel.to_owned(),
    };
    let mut put = |key: &str, value: Value| fields.insert(Value::String(key.into()), value);
    put("created", Value::String(rfc3339_utc(created)));
    put("digest", Value::String(digest.clone()));
    put("urls", Value::Sequence(vec![Value::String(url)]));
    let entry = Entry {
        version: chart.metadata.version.clone(),
        digest: Some(digest),
        origin: path.to_path_buf(),
        fields,
    };
    Ok((chart.metadata.name, entry, created))
}

/// `base` + `/` + `rel`, keeping a query or fragment of `base` at the end
/// (Helm joins the file onto the URL's path).
fn url_join(base: &str, rel: &str) -> String {
    let split = base.find(['?', '#']).unwrap_or(base.len());
    let (path, rest) = base.split_at(split);
    format!("{}/{rel}{rest}", path.trim_end_matches('/'))
}

/// An index read back: its entries and `generated`.
struct LoadedIndex {
    entries: BTreeMap<String, Vec<Entry>>,
    generated: Option<Value>,
}

/// Reads an index to merge; `None` when the file does not exist.
fn load_index(path: &Path) -> Result<Option<LoadedIndex>, IndexError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(IndexError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let bad = |message: String| IndexError::BadIndex {
        path: path.to_path_buf(),
        message,
    };
    if text.trim().is_empty() {
        return Err(bad("the file is empty".into()));
    }
    let value: Value = serde_yaml::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let Value::Mapping(top) = value else {
        return Err(bad("the top level is not a mapping".into()));
    };
    if top.get("apiVersion").is_none_or(Value::is_null) {
        return Err(bad(
            "it has no apiVersion (Helm requires `apiVersion: v1`)".into()
        ));
    }
    let mut entries: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    match top.get("entries") {
        None | Some(Value::Null) => {}
        Some(Value::Mapping(by_name)) => {
            for (name, versions) in by_name {
                let Some(name) = scalar(name) else {
                    return Err(bad("an entries key is not a chart name".into()));
                };
                let versions = match versions {
                    Value::Sequence(seq) => seq.as_slice(),
                    Value::Null => &[],
                    _ => return Err(bad(format!("entries.{name} is not a list"))),
                };
                for item in versions {
                    let Value::Mapping(fields) = item else {
                        return Err(bad(format!("an entry of {name} is not a mapping")));
                    };
                    let Some(version) = fields.get("version").and_then(scalar) else {
                        return Err(bad(format!("an entry of {name} has no version")));
                    };
                    entries.entry(name.clone()).or_default().push(Entry {
                        version,
                        digest: fields.get("digest").and_then(scalar),
                        origin: path.to_path_buf(),
                        fields: fields.clone(),
                    });
                }
            }
        }
        Some(_) => return Err(bad("`entries` is not a mapping".into())),
    }
    Ok(Some(LoadedIndex {
        entries,
        generated: top.get("generated").cloned(),
    }))
}

/// A YAML scalar as text (`version: 1.0` reads as "1.0", as Helm reads it).
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The index text: entries by name (sorted), newest version first, every
/// mapping's keys sorted.
fn index_text(entries: BTreeMap<String, Vec<Entry>>, generated: Value) -> String {
    let mut by_name = Mapping::new();
    for (name, mut versions) in entries {
        versions.sort_by(|a, b| newest_first(&a.version, &b.version));
        let list = versions
            .into_iter()
            .map(|e| sorted_keys(Value::Mapping(e.fields)))
            .collect();
        by_name.insert(Value::String(name), Value::Sequence(list));
    }
    let mut top = Mapping::new();
    top.insert("apiVersion".into(), "v1".into());
    top.insert("entries".into(), Value::Mapping(by_name));
    top.insert("generated".into(), generated);
    crate::manifest::emit::to_string(&Value::Mapping(top))
}

/// SemVer order, newest first; versions that are not SemVer go last, in
/// text order, so the order is total and deterministic.
fn newest_first(a: &str, b: &str) -> std::cmp::Ordering {
    let parse = |v: &str| parse_chart_version(v).ok();
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => y.cmp(&x).then_with(|| a.cmp(b)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// The value with every mapping's keys in byte order (what Helm's
/// JSON-based YAML writer produces).
fn sorted_keys(value: Value) -> Value {
    match value {
        Value::Mapping(map) => {
            let mut pairs: Vec<(Value, Value)> = map.into_iter().collect();
            pairs.sort_by_cached_key(|(a, _)| key_text(a));
            Value::Mapping(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k, sorted_keys(v)))
                    .collect(),
            )
        }
        Value::Sequence(seq) => Value::Sequence(seq.into_iter().map(sorted_keys).collect()),
        other => other,
    }
}

fn key_text(key: &Value) -> String {
    scalar(key).unwrap_or_else(|| serde_yaml::to_string(key).unwrap_or_default())
}

/// Seconds since 1970 as RFC 3339 in UTC (`2024-05-01T12:00:00Z`), how Go
/// writes a UTC `time.Time` with no fraction.
pub fn rfc3339_utc(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 → (year, month, day), Howard Hinnant's
/// `civil_from_days` for the proleptic Gregorian calendar (days ≥ 0).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_known_dates() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(DEFAULT_MTIME), "1980-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_utc(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339_utc(4_102_444_799), "2099-12-31T23:59:59Z");
    }

    #[test]
    fn versions_sort_newest_first_semver_not_text() {
        let mut v = vec![
            "0.9.0",
            "0.10.0",
            "1.0.0-rc.1",
            "1.0.0",
            "junk",
            "0.10.0-alpha",
        ];
        v.sort_by(|a, b| newest_first(a, b));
        assert_eq!(
            v,
            [
                "1.0.0",
                "1.0.0-rc.1",
                "0.10.0",
                "0.10.0-alpha",
                "0.9.0",
                "junk"
            ]
        );
    }

    #[test]
    fn urls_join_like_helm() {
        assert_eq!(
            url_join("https://x.io/charts", "a-1.tgz"),
            "https://x.io/charts/a-1.tgz"
        );
        assert_eq!(
            url_join("https://x.io/charts/", "a-1.tgz"),
            "https://x.io/charts/a-1.tgz"
        );
        assert_eq!(
            url_join("https://x.io/c?sig=1", "sub/a-1.tgz"),
            "https://x.io/c/sub/a-1.tgz?sig=1"
        );
    }
}
