//! Rendering a chart through the real `skiff` binary and looking at the
//! objects it printed, for the chart integration tests
//! (tests/chart_*.rs): parse with serde_yaml, find objects by kind and name,
//! validate with scripts/validate-manifests.sh, and keep a docs values
//! table in sync with values.schema.json.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_yaml::Value;

/// The objects of one render.
pub struct Render {
    pub text: String,
    pub docs: Vec<Value>,
}

impl Render {
    pub fn all(&self, kind: &str) -> Vec<&Value> {
        self.docs
            .iter()
            .filter(|d| d["kind"].as_str() == Some(kind))
            .collect()
    }

    pub fn get(&self, kind: &str, name: &str) -> &Value {
        self.docs
            .iter()
            .find(|d| {
                d["kind"].as_str() == Some(kind) && d["metadata"]["name"].as_str() == Some(name)
            })
            .unwrap_or_else(|| panic!("no {kind}/{name} in the render:\n{}", self.text))
    }

    pub fn has(&self, kind: &str, name: &str) -> bool {
        self.docs.iter().any(|d| {
            d["kind"].as_str() == Some(kind) && d["metadata"]["name"].as_str() == Some(name)
        })
    }

    pub fn kinds(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for d in &self.docs {
            *out.entry(d["kind"].as_str().unwrap_or("?").to_string())
                .or_default() += 1;
        }
        out
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `skiff render CHART ARGS...`, which must succeed.
pub fn render(chart: &str, args: &[&str]) -> Render {
    let out = super::skiff()
        .arg("render")
        .arg(chart)
        .args(args)
        .output()
        .expect("run skiff");
    assert!(
        out.status.success(),
        "skiff render {chart} {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8 output");
    let docs = serde_yaml::Deserializer::from_str(&text)
        .map(|d| Value::deserialize(d).expect("the output is valid YAML"))
        .filter(|v| !v.is_null())
        .collect();
    Render { text, docs }
}

/// `skiff render CHART ARGS...`, which must fail with exit 2; its stderr.
pub fn render_error(chart: &str, args: &[&str]) -> String {
    let out = super::skiff()
        .arg("render")
        .arg(chart)
        .args(args)
        .output()
        .expect("run skiff");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?}: expected exit 2:\n{stderr}"
    );
    stderr
}

/// The chart's ci/*.yaml files, as paths relative to the repository.
pub fn ci_files(chart: &str) -> Vec<String> {
    let mut sets: Vec<String> = std::fs::read_dir(repo().join(chart).join("ci"))
        .expect("the chart has ci/")
        .map(|e| {
            format!(
                "{chart}/ci/{}",
                e.expect("dir entry").file_name().to_string_lossy()
            )
        })
        .filter(|p| p.ends_with(".yaml"))
        .collect();
    sets.sort();
    sets
}

/// A values file in a temp dir, kept alive by the returned guard.
pub fn values_file(yaml: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("values.yaml");
    std::fs::write(&path, yaml).expect("write values");
    (dir, path.to_string_lossy().into_owned())
}

pub fn s(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, found {v:?}"))
}

pub fn pod(workload: &Value) -> &Value {
    if workload["kind"].as_str() == Some("CronJob") {
        &workload["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    } else {
        &workload["spec"]["template"]["spec"]
    }
}

/// A pod's container (or init container) by name.
pub fn container<'a>(workload: &'a Value, name: &str) -> &'a Value {
    let pod = pod(workload);
    pod["containers"]
        .as_sequence()
        .into_iter()
        .chain(pod["initContainers"].as_sequence())
        .flatten()
        .find(|c| c["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no container {name} in {workload:?}"))
}

/// An env entry: a plain value, or `secret:<name>/<key>`, or `configmap:...`.
pub fn env(container: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in container["env"].as_sequence().into_iter().flatten() {
        let value = if let Some(v) = e["value"].as_str() {
            v.to_string()
        } else if let Some(r) = e["valueFrom"]["secretKeyRef"].as_mapping() {
            let r = Value::Mapping(r.clone());
            format!("secret:{}/{}", s(&r["name"]), s(&r["key"]))
        } else {
            panic!("unexpected env entry {e:?}")
        };
        out.insert(s(&e["name"]).to_string(), value);
    }
    out
}

/// Pipes a render through scripts/validate-manifests.sh (kubernetes-validate
/// --strict plus the CRD schemas). Returns false when the tools are
/// unavailable outside CI (exit 3), so the caller can skip.
pub fn validate(what: &str, text: &str) -> bool {
    use std::io::Write as _;
    let mut child = std::process::Command::new("bash")
        .arg(repo().join("scripts/validate-manifests.sh"))
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run scripts/validate-manifests.sh");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write the stream");
    let out = child.wait_with_output().expect("validator finished");
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(3) {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"));
        eprintln!("NOTICE: manifest validation skipped (tools unavailable):\n{stderr}");
        return false;
    }
    assert!(out.status.success(), "{what}: invalid manifests:\n{stderr}");
    true
}

pub fn schema(chart: &str) -> serde_json::Value {
    serde_json::from_str(
        &std::fs::read_to_string(repo().join(chart).join("values.schema.json")).expect("schema"),
    )
    .expect("schema is JSON")
}

/// Every value the schema describes, as dotted paths: the leaves, the open
/// maps, and arrays of objects with their fields (`tenants`, `tenants[].name`).
pub fn schema_paths(
    node: &serde_json::Value,
    root: &serde_json::Value,
    prefix: &str,
    out: &mut Vec<String>,
) {
    let node = match node.get("$ref").and_then(|r| r.as_str()) {
        Some(r) => root
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("dangling $ref {r}")),
        None => node,
    };
    if let Some(items) = node.get("items").filter(|i| i.get("properties").is_some()) {
        out.push(prefix.to_string());
        schema_paths(items, root, &format!("{prefix}[]"), out);
        return;
    }
    let props = node.get("properties").and_then(|p| p.as_object());
    let open_map = node
        .get("additionalProperties")
        .is_some_and(|a| a.is_object());
    if !prefix.is_empty() && (props.is_none() || open_map) {
        out.push(prefix.to_string());
    }
    for (key, child) in props.into_iter().flatten() {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        schema_paths(child, root, &path, out);
    }
}

/// The docs page's "## Values reference" table has one row per schema
/// path and none more.
pub fn assert_values_table_matches_schema(chart: &str, doc: &str) {
    let schema = schema(chart);
    let mut paths = Vec::new();
    schema_paths(&schema, &schema, "", &mut paths);
    let text = std::fs::read_to_string(repo().join(doc)).expect("the docs page exists");
    let section = text
        .split("\n## Values reference")
        .nth(1)
        .expect("a \"## Values reference\" section");
    let section = section.split("\n## ").next().unwrap_or(section);
    let rows: Vec<&str> = section.lines().filter(|l| l.starts_with("| `")).collect();
    let missing: Vec<&String> = paths
        .iter()
        .filter(|p| !rows.iter().any(|r| r.starts_with(&format!("| `{p}` |"))))
        .collect();
    assert!(
        missing.is_empty(),
        "{doc} values table lacks rows for: {missing:?}"
    );
    let stale: Vec<&str> = rows
        .iter()
        .filter_map(|row| row.strip_prefix("| `").and_then(|r| r.split('`').next()))
        .filter(|p| !paths.iter().any(|q| q == p))
        .collect();
    assert!(
        stale.is_empty(),
        "{doc} documents values the schema lacks: {stale:?}"
    );
}

/// `skiff lint CHART --strict` exits 0.
pub fn assert_lints_clean(chart: &str) {
    let out = super::skiff()
        .args(["lint", chart, "--strict"])
        .output()
        .expect("run skiff lint");
    assert!(
        out.status.success(),
        "skiff lint {chart} --strict:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// `skiff package CHART -d <tmp>` writes <name>-<version>.tgz.
pub fn assert_packages(chart: &str, archive: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = super::skiff()
        .args(["package", chart, "-d"])
        .arg(dir.path())
        .output()
        .expect("run skiff package");
    assert!(
        out.status.success(),
        "skiff package {chart}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        Path::new(&dir.path().join(archive)).is_file(),
        "no {archive}"
    );
}
