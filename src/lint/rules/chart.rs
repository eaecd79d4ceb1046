//! Rules about the chart's own files: Chart.yaml, values.yaml,
//! values.schema.json, README, and the lint settings file.
//!
//! `load_chart` stops at the first Chart.yaml problem, which is right for
//! rendering; lint reads Chart.yaml leniently instead so that a chart with a
//! bad version *and* a bad type hears about both at once. Only a Chart.yaml
//! that is missing or is not a YAML mapping stops lint (exit 2).

use std::collections::BTreeMap;
use std::path::Path;

use serde_yaml::Value;

use super::{
    CHART_API_VERSION, CHART_ICON, CHART_KUBE_VERSION, CHART_NAME, CHART_NAME_FORMAT, CHART_README,
    CHART_TYPE, CHART_UNKNOWN_FIELD, CHART_VERSION, CHART_YAML, LINT_SETTINGS, VALUES_SCHEMA,
    VALUES_YAML,
};
use crate::chart::constraint::Constraint;
use crate::chart::metadata::parse_chart_version;
use crate::chart::{ChartError, Metadata};
use crate::lint::names::is_label_text;
use crate::lint::settings::SETTINGS_FILE;
use crate::lint::{Settings, Sink};
use crate::values::schema::closest;

/// The keys Helm's Chart.yaml (apiVersion v2) defines.
const CHART_YAML_KEYS: &[&str] = &[
    "apiVersion",
    "name",
    "version",
    "kubeVersion",
    "description",
    "type",
    "keywords",
    "home",
    "sources",
    "dependencies",
    "maintainers",
    "icon",
    "appVersion",
    "deprecated",
    "annotations",
];

/// Checks Chart.yaml field by field. Returns the metadata to render with
/// (None when its fields cannot be read as metadata at all), or an error
/// when Chart.yaml is missing or is not a YAML mapping.
pub(crate) fn check_chart_yaml(
    source: &Path,
    files: &BTreeMap<String, Vec<u8>>,
    sink: &mut Sink<'_>,
) -> Result<Option<Metadata>, ChartError> {
    const FILE: &str = "Chart.yaml";
    let path = source.join(FILE);
    let bytes = files
        .get(FILE)
        .ok_or_else(|| ChartError::MissingChartYaml {
            path: source.to_path_buf(),
        })?;
    let text =
        std::str::from_utf8(bytes).map_err(|_| ChartError::NotUtf8 { path: path.clone() })?;
    let doc: Value = serde_yaml::from_str(text).map_err(|e| ChartError::Metadata {
        path: path.clone(),
        line: e.location().map(|l| l.line()),
        message: format!("not valid YAML: {e}\nhint: fix the YAML syntax; lint needs Chart.yaml to read the chart"),
    })?;
    let Value::Mapping(map) = &doc else {
        return Err(ChartError::Metadata {
            path,
            line: None,
            message: "Chart.yaml must be a mapping of fields (apiVersion, name, version, ...)"
                .into(),
        });
    };

    for key in map.keys() {
        let key = key
            .as_str()
            .map_or_else(|| format!("{key:?}"), str::to_string);
        if !CHART_YAML_KEYS.contains(&key.as_str()) {
            let near = closest(&key, CHART_YAML_KEYS.iter().copied());
            let hint = near.map_or_else(
                || format!("Chart.yaml knows {}", CHART_YAML_KEYS.join(", ")),
                |k| format!("did you mean `{k}`?"),
            );
            sink.file(
                &CHART_UNKNOWN_FIELD,
                FILE,
                format!("unknown field `{key}`"),
                hint,
            );
        }
    }

    let scalar = |key: &str| -> Option<String> {
        match map.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    };

    match scalar("apiVersion").as_deref() {
        None | Some("") => sink.file(
            &CHART_API_VERSION,
            FILE,
            "apiVersion is missing".into(),
            CHART_API_VERSION.hint.into(),
        ),
        Some("v2") => {}
        Some(other) => sink.file(
            &CHART_API_VERSION,
            FILE,
            format!(
                "apiVersion {other:?} is not supported: Skiff reads Helm 3 charts (apiVersion v2)"
            ),
            CHART_API_VERSION.hint.into(),
        ),
    }

    let name = scalar("name").unwrap_or_default();
    if name.is_empty() {
        sink.file(
            &CHART_NAME,
            FILE,
            "name is missing".into(),
            CHART_NAME.hint.into(),
        );
    } else if name.contains(['/', '\\']) || name == "." || name == ".." {
        sink.file(
            &CHART_NAME,
            FILE,
            format!("chart name {name:?} may not contain a path separator"),
            CHART_NAME.hint.into(),
        );
    } else if !is_label_text(&name) {
        // Helm's convention: lower case letters and digits, words separated
        // by dashes (the name is not empty here).
        sink.file(
            &CHART_NAME_FORMAT,
            FILE,
            format!("chart name {name:?} is not lower case letters, digits and dashes"),
            CHART_NAME_FORMAT.hint.into(),
        );
    }

    match scalar("version") {
        None => sink.file(
            &CHART_VERSION,
            FILE,
            "version is missing".into(),
            CHART_VERSION.hint.into(),
        ),
        Some(v) => {
            if let Err(e) = parse_chart_version(&v) {
                sink.file(
                    &CHART_VERSION,
                    FILE,
                    format!("version {v:?} is not SemVer 2: {e}"),
                    CHART_VERSION.hint.into(),
                );
            }
        }
    }

    let mut kube_version_ok = true;
    // An empty kubeVersion is no constraint, as in Helm.
    if let Some(kube) = scalar("kubeVersion").filter(|kube| !kube.is_empty())
        && let Err(e) = Constraint::parse(&kube)
    {
        kube_version_ok = false;
        sink.file(
            &CHART_KUBE_VERSION,
            FILE,
            format!("kubeVersion {kube:?} is not a valid constraint: {e}"),
            CHART_KUBE_VERSION.hint.into(),
        );
    }

    match scalar("type").as_deref() {
        None | Some("" | "application" | "library") => {}
        Some(other) => sink.file(
            &CHART_TYPE,
            FILE,
            format!("type {other:?} is not valid"),
            CHART_TYPE.hint.into(),
        ),
    }

    if scalar("icon").is_none_or(|s| s.is_empty()) {
        sink.file(
            &CHART_ICON,
            FILE,
            "Chart.yaml has no icon".into(),
            CHART_ICON.hint.into(),
        );
    }

    match serde_yaml::from_value::<Metadata>(doc.clone()) {
        Ok(mut metadata) => {
            if !kube_version_ok {
                // Already reported; every render would fail on it again.
                metadata.kube_version = None;
            }
            Ok(Some(metadata))
        }
        Err(e) => {
            sink.file(
                &CHART_YAML,
                FILE,
                format!("Chart.yaml cannot be read: {e}; renders are skipped"),
                CHART_YAML.hint.into(),
            );
            Ok(None)
        }
    }
}

/// Checks values.yaml and values.schema.json. Returns false when
/// values.yaml does not parse: every render would fail the same way, so
/// renders are skipped.
///
/// Whether the defaults satisfy the schema is checked by the `defaults`
/// render, because the schema applies to the final values (values.yaml plus
/// values.computed.yaml), not to values.yaml alone.
pub(crate) fn check_values(files: &BTreeMap<String, Vec<u8>>, sink: &mut Sink<'_>) -> bool {
    let mut ok = true;
    if let Some(bytes) = files.get("values.yaml") {
        let text = String::from_utf8_lossy(bytes);
        if let Err(e) = crate::values::parse_values(&text, Path::new("values.yaml")) {
            ok = false;
            sink.file(
                &VALUES_YAML,
                "values.yaml",
                e.to_string(),
                VALUES_YAML.hint.into(),
            );
        }
    }
    if let Some(bytes) = files.get("values.schema.json") {
        const FILE: &str = "values.schema.json";
        match serde_json::from_slice::<serde_json::Value>(bytes) {
            Err(e) => {
                ok = false;
                sink.file(
                    &VALUES_SCHEMA,
                    FILE,
                    format!("not valid JSON: {e}"),
                    VALUES_SCHEMA.hint.into(),
                );
            }
            Ok(schema @ (serde_json::Value::Object(_) | serde_json::Value::Bool(_))) => {
                if let Err(e) = jsonschema::meta::validate(&schema) {
                    ok = false;
                    let at = e.instance_path().to_string();
                    let at = if at.is_empty() {
                        String::new()
                    } else {
                        format!(" at {at}")
                    };
                    sink.file(
                        &VALUES_SCHEMA,
                        FILE,
                        format!("not a valid JSON Schema{at}: {e}"),
                        VALUES_SCHEMA.hint.into(),
                    );
                }
            }
            Ok(_) => {
                ok = false;
                sink.file(
                    &VALUES_SCHEMA,
                    FILE,
                    "a JSON Schema must be an object (or true/false)".into(),
                    VALUES_SCHEMA.hint.into(),
                );
            }
        }
    }
    ok
}

/// Checks for the files a chart should ship.
pub(crate) fn check_files(files: &BTreeMap<String, Vec<u8>>, sink: &mut Sink<'_>) {
    let has_readme = files
        .keys()
        .any(|k| !k.contains('/') && k.to_ascii_lowercase().starts_with("readme"));
    if !has_readme {
        sink.file(
            &CHART_README,
            "README.md",
            "the chart has no README.md".into(),
            CHART_README.hint.into(),
        );
    }
}

/// Checks that the settings file names only known rules.
pub(crate) fn check_settings(settings: &Settings, sink: &mut Sink<'_>) {
    for id in &settings.disable {
        if super::find(id).is_none() {
            let near = closest(id, super::ALL.iter().map(|r| r.id));
            let hint = near.map_or_else(
                || "see docs/lint.md for the rule ids".to_string(),
                |r| format!("did you mean `{r}`?"),
            );
            sink.file(
                &LINT_SETTINGS,
                SETTINGS_FILE,
                format!("`disable` names an unknown rule `{id}`"),
                hint,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lint_chart_yaml(text: &str) -> (Vec<&'static str>, Option<Metadata>) {
        let settings = Settings::default();
        let mut sink = Sink::new(&settings, None, "demo");
        let files = BTreeMap::from([("Chart.yaml".to_string(), text.as_bytes().to_vec())]);
        let metadata = check_chart_yaml(Path::new("demo"), &files, &mut sink).unwrap();
        (sink.findings.iter().map(|f| f.rule).collect(), metadata)
    }

    #[test]
    fn reports_every_field_problem_at_once() {
        let (rules, metadata) = lint_chart_yaml(
            "apiVersion: v1\nname: My_Chart\nversion: 1.2\nkubeVersion: '>=abc'\ntype: app\nappVersoin: 1\n",
        );
        assert_eq!(
            rules,
            [
                "chart-unknown-field",
                "chart-api-version",
                "chart-name-format",
                "chart-version",
                "chart-kube-version",
                "chart-type",
                "chart-icon"
            ]
        );
        assert_eq!(metadata.and_then(|m| m.kube_version), None);
    }

    #[test]
    fn a_clean_chart_yaml_has_no_findings() {
        let (rules, metadata) = lint_chart_yaml(
            "apiVersion: v2\nname: web-app2\nversion: v1.0.0\nicon: https://x/i.svg\n",
        );
        assert!(rules.is_empty(), "{rules:?}");
        assert!(metadata.is_some());
    }

    #[test]
    fn wrong_types_are_findings_and_broken_yaml_is_an_error() {
        let (rules, metadata) =
            lint_chart_yaml("apiVersion: v2\nname: a\nversion: 1.0.0\nicon: i\nmaintainers: bob\n");
        assert_eq!(rules, ["chart-yaml"]);
        assert!(metadata.is_none());
        let settings = Settings::default();
        let mut sink = Sink::new(&settings, None, "demo");
        let files = BTreeMap::from([("Chart.yaml".to_string(), b"name: [\n".to_vec())]);
        assert!(check_chart_yaml(Path::new("demo"), &files, &mut sink).is_err());
        assert!(check_chart_yaml(Path::new("demo"), &BTreeMap::new(), &mut sink).is_err());
    }
}
