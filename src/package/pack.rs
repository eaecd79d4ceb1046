//! `skiff package`: a loaded chart → the bytes of `<name>-<version>.tgz`.
//!
//! The archive holds the chart's files as loaded (a folder after
//! `.helmignore`, or every file of an archive being re-packaged), with
//! `Chart.yaml` exactly as authored unless `--version` or `--app-version`
//! changes it. Helm re-serialises Chart.yaml from its parsed metadata on
//! every package, dropping comments and unknown fields; Skiff keeps the
//! author's text and only rewrites the one line it must (see
//! [`chart_yaml_with`]).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_yaml::Value;

use super::archive::{WriteArchiveError, write_chart_archive};
use super::digest::sha256_hex;
use crate::chart::metadata::parse_chart_version;
use crate::chart::{Chart, Metadata};

/// Why a chart was not packaged.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error(
        "--version {value:?} is not a SemVer 2 version ({message}); use MAJOR.MINOR.PATCH, e.g. 1.2.3 or 1.2.3-rc.1"
    )]
    BadVersion { value: String, message: String },
    #[error(
        "--app-version {value:?} contains a line break or control character; pass a single-line version"
    )]
    BadAppVersion { value: String },
    #[error("{}: cannot rewrite Chart.yaml: {message}", path.display())]
    ChartYaml { path: PathBuf, message: String },
    #[error("{}: {source}", chart.display())]
    Archive {
        chart: PathBuf,
        source: WriteArchiveError,
    },
    #[error(
        "{} was not packaged: `skiff lint` found {errors} error{}:\n{report}",
        chart.display(),
        if *errors == 1 { "" } else { "s" }
    )]
    LintErrors {
        chart: PathBuf,
        errors: usize,
        report: String,
    },
}

/// What to change while packaging.
#[derive(Debug, Clone, Default)]
pub struct PackOptions {
    /// Replaces Chart.yaml `version` (must be SemVer 2).
    pub version: Option<String>,
    /// Replaces Chart.yaml `appVersion`.
    pub app_version: Option<String>,
    /// Every entry's mtime; see [`super::archive::mtime_from_source_date_epoch`].
    pub mtime: u64,
}

/// A packaged chart, not yet written anywhere.
#[derive(Debug, Clone)]
pub struct PackedChart {
    pub name: String,
    pub version: String,
    /// `<name>-<version>.tgz`, Helm's file name.
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// Lowercase hex SHA-256 of `bytes`, as a repository index records it.
    pub sha256: String,
}

/// A chart checked and ready to archive: its Chart.yaml as packaged (with
/// `--version` / `--app-version`) and that file's metadata.
pub struct Prepared<'c> {
    chart: &'c Chart,
    chart_yaml: String,
    metadata: Metadata,
    mtime: u64,
}

/// Builds the archive of `chart`; see the module docs.
pub fn pack(chart: &Chart, opts: &PackOptions) -> Result<PackedChart, PackageError> {
    prepare(chart, opts)?.build()
}

/// The checks and the Chart.yaml rewrite of [`pack`], before any archiving.
pub fn prepare<'c>(chart: &'c Chart, opts: &PackOptions) -> Result<Prepared<'c>, PackageError> {
    if let Some(version) = &opts.version {
        check_version(version)?;
    }
    if let Some(app_version) = &opts.app_version
        && app_version.chars().any(char::is_control)
    {
        return Err(PackageError::BadAppVersion {
            value: app_version.clone(),
        });
    }
    let chart_yaml_path = chart.display_path("Chart.yaml");
    let original =
        chart
            .text("Chart.yaml")
            .ok()
            .flatten()
            .ok_or_else(|| PackageError::ChartYaml {
                path: chart_yaml_path.clone(),
                message: "Chart.yaml is missing or not UTF-8".into(),
            })?;
    let chart_yaml = chart_yaml_with(
        original,
        opts.version.as_deref(),
        opts.app_version.as_deref().filter(|v| !v.is_empty()),
    )
    .map_err(|message| PackageError::ChartYaml {
        path: chart_yaml_path.clone(),
        message,
    })?;
    let metadata = Metadata::parse(&chart_yaml).map_err(|p| PackageError::ChartYaml {
        path: chart_yaml_path,
        message: p.message,
    })?;
    Ok(Prepared {
        chart,
        chart_yaml,
        metadata,
        mtime: opts.mtime,
    })
}

impl Prepared<'_> {
    /// Where the chart was loaded from.
    pub fn chart_source(&self) -> PathBuf {
        self.chart.source.clone()
    }

    /// The chart's files as packaged, Chart.yaml rewritten: what the lint
    /// check reads. The archive does not need this copy.
    pub fn files(&self) -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::clone(&self.chart.files);
        files.insert("Chart.yaml".into(), self.chart_yaml.clone().into_bytes());
        files
    }

    /// The archive: the chart's files in path order, Chart.yaml as
    /// rewritten, tarred and gzipped; and its digest.
    pub fn build(&self) -> Result<PackedChart, PackageError> {
        let entries = self.chart.files.iter().map(|(path, data)| {
            if path == "Chart.yaml" {
                (path.as_str(), self.chart_yaml.as_bytes())
            } else {
                (path.as_str(), data.as_slice())
            }
        });
        let name = &self.metadata.name;
        let bytes = write_chart_archive(name, entries, self.mtime).map_err(|source| {
            PackageError::Archive {
                chart: self.chart.source.clone(),
                source,
            }
        })?;
        let sha256 = sha256_hex(&bytes);
        Ok(PackedChart {
            file_name: format!("{}-{}.tgz", name, self.metadata.version),
            name: name.clone(),
            version: self.metadata.version.clone(),
            bytes,
            sha256,
        })
    }
}

/// The same rule as Chart.yaml's `version` (SemVer 2, an optional leading `v`).
fn check_version(version: &str) -> Result<(), PackageError> {
    parse_chart_version(version)
        .map(|_| ())
        .map_err(|e| PackageError::BadVersion {
            value: version.to_owned(),
            message: e.to_string(),
        })
}

/// Chart.yaml text with `version` and `appVersion` set (when given).
///
/// The top-level `key: value` line is rewritten in place (comments and the
/// rest of the file stay), or appended when the key is absent. When that
/// text edit would not mean "the same document with these keys changed"
/// (a flow-style or multi-line value, say), the whole file is written
/// again from its parsed form instead, in authored key order; comments are
/// then lost, as they always are with Helm.
pub fn chart_yaml_with(
    text: &str,
    version: Option<&str>,
    app_version: Option<&str>,
) -> Result<String, String> {
    let changes: Vec<(&str, &str)> = [("version", version), ("appVersion", app_version)]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
    if changes.is_empty() {
        return Ok(text.to_owned());
    }
    let original: Value =
        serde_yaml::from_str(text).map_err(|e| format!("not a valid YAML document: {e}"))?;
    let Value::Mapping(mut wanted) = original else {
        return Err("Chart.yaml is not a mapping".into());
    };
    for (key, value) in &changes {
        wanted.insert(Value::String((*key).into()), Value::String((*value).into()));
    }
    let wanted = Value::Mapping(wanted);

    let mut edited = text.to_owned();
    for (key, value) in &changes {
        edited = set_top_level_line(&edited, key, &scalar_text(value));
    }
    if serde_yaml::from_str::<Value>(&edited).is_ok_and(|v| v == wanted) {
        return Ok(edited);
    }
    Ok(crate::manifest::emit::to_string(&wanted))
}

/// How the canonical YAML writer spells a string scalar (quoted when a
/// YAML 1.1 or 1.2 reader would read it as something else, like `1.0`).
fn scalar_text(value: &str) -> String {
    let out = crate::manifest::emit::to_string(&Value::String(value.to_owned()));
    out.trim_end_matches('\n').to_owned()
}

/// Replaces the first top-level `key:` line with `key: scalar`, or appends
/// one. The caller checks the result still parses to what it wants.
fn set_top_level_line(text: &str, key: &str, scalar: &str) -> String {
    let mut out = String::with_capacity(text.len() + key.len() + scalar.len() + 4);
    let mut done = false;
    for line in text.split_inclusive('\n') {
        let is_key = line
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start_matches([' ', '\t']).starts_with(':'));
        if is_key && !done {
            out.push_str(key);
            out.push_str(": ");
            out.push_str(scalar);
            out.push('\n');
            done = true;
        } else {
            out.push_str(line);
        }
    }
    if !done {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(key);
        out.push_str(": ");
        out.push_str(scalar);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_only_the_changed_lines() {
        let text = "# the demo chart\napiVersion: v2\nname: demo\nversion: 0.1.0 # bump me\nappVersion: \"1.0\"\n";
        let out = chart_yaml_with(text, Some("0.2.0"), None).unwrap_or_default();
        assert_eq!(
            out,
            "# the demo chart\napiVersion: v2\nname: demo\nversion: 0.2.0\nappVersion: \"1.0\"\n"
        );
        let out = chart_yaml_with(text, None, Some("2.0")).unwrap_or_default();
        assert!(
            out.ends_with("version: 0.1.0 # bump me\nappVersion: '2.0'\n"),
            "{out}"
        );
    }

    #[test]
    fn appends_a_missing_key() {
        let out = chart_yaml_with(
            "apiVersion: v2\nname: demo\nversion: 0.1.0",
            None,
            Some("v3"),
        )
        .unwrap_or_default();
        assert_eq!(
            out,
            "apiVersion: v2\nname: demo\nversion: 0.1.0\nappVersion: v3\n"
        );
    }

    #[test]
    fn falls_back_to_rewriting_the_document() {
        let text = "{apiVersion: v2, name: demo, version: 0.1.0}\n";
        let out = chart_yaml_with(text, Some("1.0.0"), None).unwrap_or_default();
        let parsed = Metadata::parse(&out).map_err(|p| p.message);
        assert_eq!(parsed.map(|m| m.version), Ok("1.0.0".to_owned()));
    }

    #[test]
    fn version_must_be_semver() {
        assert!(check_version("1.2.3").is_ok());
        assert!(check_version("v1.2.3-rc.1+build.5").is_ok());
        for bad in ["1.2", "latest", "", "1.2.3.4"] {
            assert!(
                matches!(check_version(bad), Err(PackageError::BadVersion { .. })),
                "{bad}"
            );
        }
    }
}
