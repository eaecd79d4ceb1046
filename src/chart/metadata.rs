//! Chart.yaml: the chart's metadata, parsed and checked the way Helm does
//! (apiVersion v2, a name, a SemVer 2 version, `application` or `library`).

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize};

use super::constraint::Constraint;

/// The parsed Chart.yaml. Unknown fields are tolerated (Helm tolerates them;
/// `skiff lint` reports them).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    #[serde(default, deserialize_with = "scalar_string")]
    pub api_version: String,
    #[serde(default, deserialize_with = "scalar_string")]
    pub name: String,
    #[serde(default, deserialize_with = "scalar_string")]
    pub version: String,
    /// None also for `kubeVersion: ""`, which Helm reads as no constraint.
    #[serde(
        default,
        deserialize_with = "opt_constraint",
        skip_serializing_if = "Option::is_none"
    )]
    pub kube_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub chart_type: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Dependency>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub maintainers: Vec<Maintainer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_scalar_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub app_version: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deprecated: bool,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Maintainer {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct Dependency {
    pub name: String,
    #[serde(default, deserialize_with = "scalar_string")]
    pub version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub repository: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub import_values: Vec<serde_yaml::Value>,
}

/// What is wrong with a Chart.yaml, without the file name (the caller adds it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataProblem {
    pub line: Option<usize>,
    pub message: String,
}

impl Metadata {
    /// Parses Chart.yaml text and checks the fields Helm requires.
    pub fn parse(text: &str) -> Result<Metadata, MetadataProblem> {
        let metadata: Metadata = serde_yaml::from_str(text).map_err(|e| MetadataProblem {
            line: e.location().map(|l| l.line()),
            message: format!("not a valid Chart.yaml: {e}"),
        })?;
        metadata.check().map_err(|message| MetadataProblem {
            line: line_of_key(text, &message.0),
            message: message.1,
        })?;
        Ok(metadata)
    }

    /// Checks required fields; on failure returns (offending key, message).
    fn check(&self) -> Result<(), (String, String)> {
        let problem = |key: &str, message: String| Err((key.to_string(), message));
        if self.api_version.is_empty() {
            return problem(
                "apiVersion",
                "apiVersion is required: add `apiVersion: v2`".into(),
            );
        }
        if self.api_version != "v2" {
            return problem(
                "apiVersion",
                format!(
                    "apiVersion {:?} is not supported: Skiff reads Helm 3 charts, set `apiVersion: v2`",
                    self.api_version
                ),
            );
        }
        if self.name.is_empty() {
            return problem("name", "name is required".into());
        }
        if self.name.contains(['/', '\\']) || self.name == "." || self.name == ".." {
            return problem(
                "name",
                format!(
                    "chart name {:?} may not contain a path separator",
                    self.name
                ),
            );
        }
        if self.version.is_empty() {
            return problem(
                "version",
                "version is required (a SemVer 2 version such as 0.1.0)".into(),
            );
        }
        if let Err(e) = parse_chart_version(&self.version) {
            return problem(
                "version",
                format!(
                    "version {:?} is not SemVer 2 ({e}): use MAJOR.MINOR.PATCH, e.g. 1.2.3",
                    self.version
                ),
            );
        }
        match self.chart_type.as_deref() {
            None | Some("") | Some("application") | Some("library") => {}
            Some(other) => {
                return problem(
                    "type",
                    format!("type {other:?} is not valid: use `application` or `library`"),
                );
            }
        }
        if let Some(kube) = &self.kube_version
            && let Err(e) = Constraint::parse(kube)
        {
            return problem(
                "kubeVersion",
                format!("kubeVersion {kube:?} is not a valid constraint: {e}"),
            );
        }
        Ok(())
    }

    pub fn is_library(&self) -> bool {
        self.chart_type.as_deref() == Some("library")
    }

    /// The version as parsed SemVer (checked at load time).
    pub fn semver(&self) -> Option<semver::Version> {
        parse_chart_version(&self.version).ok()
    }
}

/// A chart version: SemVer 2 with an optional leading `v`, as Helm reads
/// Chart.yaml's `version` (one `v`: `vv1.0.0` is not a version).
pub fn parse_chart_version(text: &str) -> Result<semver::Version, semver::Error> {
    semver::Version::parse(text.strip_prefix('v').unwrap_or(text))
}

/// The 1-based line where a top-level key is written, for error messages.
pub fn line_of_key(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}

/// Helm reads `version: 1.0` or `appVersion: 2` as strings; so do we.
fn scalar_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(opt_scalar_string(d)?.unwrap_or_default())
}

/// An optional constraint: an empty one is none, as in Helm (only a
/// non-empty `kubeVersion` is checked).
fn opt_constraint<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(opt_scalar_string(d)?.filter(|text| !text.is_empty()))
}

fn opt_scalar_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::de::Error;
    match serde_yaml::Value::deserialize(d)? {
        serde_yaml::Value::Null => Ok(None),
        serde_yaml::Value::String(s) => Ok(Some(s)),
        serde_yaml::Value::Number(n) => Ok(Some(n.to_string())),
        serde_yaml::Value::Bool(b) => Ok(Some(b.to_string())),
        _ => Err(D::Error::custom("expected a string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_minimal_chart() {
        let m = Metadata::parse("apiVersion: v2\nname: demo\nversion: 0.1.0\nappVersion: 1.0\n")
            .unwrap();
        assert_eq!(m.name, "demo");
        assert_eq!(m.app_version.as_deref(), Some("1.0"));
    }

    #[test]
    fn a_chart_version_may_start_with_one_v() {
        assert_eq!(
            parse_chart_version("v1.2.3").ok(),
            Some(semver::Version::new(1, 2, 3))
        );
        assert!(parse_chart_version("1.2.3-rc.1").is_ok());
        // Loading, lint and packaging all read it the same way now; loading
        // once stripped every leading `v`.
        assert!(parse_chart_version("vv1.2.3").is_err());
        assert!(Metadata::parse("apiVersion: v2\nname: a\nversion: vv1.0.0\n").is_err());
    }

    #[test]
    fn refuses_bad_fields_with_their_line() {
        let cases = [
            ("name: demo\nversion: 0.1.0\n", "apiVersion is required"),
            (
                "apiVersion: v1\nname: demo\nversion: 0.1.0\n",
                "not supported",
            ),
            ("apiVersion: v2\nversion: 0.1.0\n", "name is required"),
            ("apiVersion: v2\nname: demo\n", "version is required"),
            ("apiVersion: v2\nname: demo\nversion: 1.2\n", "not SemVer"),
            (
                "apiVersion: v2\nname: demo\nversion: 1.0.0\ntype: app\n",
                "type \"app\"",
            ),
            (
                "apiVersion: v2\nname: demo\nversion: 1.0.0\nkubeVersion: '>=abc'\n",
                "kubeVersion",
            ),
            ("apiVersion: v2\nname: [\n", "not a valid Chart.yaml"),
        ];
        for (text, want) in cases {
            let err = Metadata::parse(text).unwrap_err();
            assert!(err.message.contains(want), "{text:?}: {}", err.message);
        }
        let err = Metadata::parse("apiVersion: v2\nname: demo\nversion: 1.2\n").unwrap_err();
        assert_eq!(err.line, Some(3));
    }

    #[test]
    fn an_empty_kube_version_is_no_constraint() {
        let base = "apiVersion: v2\nname: demo\nversion: 1.0.0\n";
        for (line, want) in [
            ("kubeVersion: \"\"\n", None),
            ("kubeVersion: ''\n", None),
            ("kubeVersion: '>=1.27.0-0'\n", Some(">=1.27.0-0")),
        ] {
            let metadata = Metadata::parse(&format!("{base}{line}")).expect("valid");
            assert_eq!(metadata.kube_version.as_deref(), want, "{line}");
        }
        // Only the empty string: blanks are a constraint, and not a valid one.
        assert!(Metadata::parse(&format!("{base}kubeVersion: ' '\n")).is_err());
    }
}
