//! Helpers for chart tests: render a chart with the real `skiff`, parse the
//! output into objects, validate it, and check a chart's values schema and
//! its docs table (the approach of tests/starter.rs, shared by the charts
//! added after it).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_yaml::Value;

use super::root;

/// The parsed objects of a render.
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

    /// The render has exactly these kinds, with these many objects each.
    pub fn assert_kinds(&self, expected: &[(&str, usize)]) {
        let expected: BTreeMap<String, usize> =
            expected.iter().map(|(k, n)| (k.to_string(), *n)).collect();
        assert_eq!(self.kinds(), expected, "{}", self.text);
    }

    /// kind -> how many objects of it.
    pub fn kinds(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for d in &self.docs {
            *out.entry(d["kind"].as_str().unwrap_or("?").to_string())
                .or_default() += 1;
        }
        out
    }
}

/// `skiff render <args>`; panics with stderr unless it succeeds.
pub fn render(args: &[&str]) -> Render {
    let out = super::skiff()
        .arg("render")
        .args(args)
        .output()
        .expect("run skiff");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "skiff render {args:?} failed:\n{stderr}"
    );
    let text = String::from_utf8(out.stdout).expect("utf-8 output");
    let docs = serde_yaml::Deserializer::from_str(&text)
        .map(|d| Value::deserialize(d).expect("the output is valid YAML"))
        .filter(|v| !v.is_null())
        .collect();
    Render { text, docs }
}

/// `skiff render <args>` that must fail with exit code 2; its stderr.
pub fn render_error(args: &[&str]) -> String {
    let out = super::skiff()
        .arg("render")
        .args(args)
        .output()
        .expect("run skiff");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(2),
        "expected exit 2 for {args:?}; stderr:\n{stderr}\nstdout:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    stderr
}

/// A values file in a temp dir, kept alive by the returned guard.
pub fn values_file(yaml: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("values.yaml");
    std::fs::write(&path, yaml).expect("write values");
    (dir, path.to_string_lossy().into_owned())
}

/// The `ci/*.yaml` value sets of a chart (paths relative to the repository).
pub fn ci_sets(chart: &str) -> Vec<String> {
    let mut sets: Vec<String> = std::fs::read_dir(root().join(chart).join("ci"))
        .unwrap_or_else(|e| panic!("{chart}/ci: {e}"))
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

pub fn s(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, found {v:?}"))
}

pub fn pod(workload: &Value) -> &Value {
    &workload["spec"]["template"]["spec"]
}

pub fn container(workload: &Value) -> &Value {
    &pod(workload)["containers"][0]
}

/// A container's `env` as name -> value. Every entry must be a literal
/// value; use `env_with_refs` for a container that reads secretKeyRefs.
pub fn env(workload: &Value) -> BTreeMap<String, String> {
    container(workload)["env"]
        .as_sequence()
        .map(|items| {
            items
                .iter()
                .map(|e| (s(&e["name"]).to_string(), s(&e["value"]).to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// The (kind, name) pairs a container reads through envFrom.
pub fn env_from(workload: &Value) -> Vec<(String, String)> {
    container(workload)["envFrom"]
        .as_sequence()
        .map(|items| {
            items
                .iter()
                .map(|e| {
                    if e["secretRef"].is_mapping() {
                        ("Secret".into(), s(&e["secretRef"]["name"]).to_string())
                    } else {
                        (
                            "ConfigMap".into(),
                            s(&e["configMapRef"]["name"]).to_string(),
                        )
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `env_from` of a container that reads exactly one Secret, `name`.
pub fn env_from_secret(name: &str) -> Vec<(String, String)> {
    vec![("Secret".to_string(), name.to_string())]
}

/// mountPath -> volume name of a container.
pub fn mounts(workload: &Value) -> BTreeMap<String, String> {
    container(workload)["volumeMounts"]
        .as_sequence()
        .map(|items| {
            items
                .iter()
                .map(|m| (s(&m["mountPath"]).to_string(), s(&m["name"]).to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// A pod volume by name.
pub fn volume<'a>(workload: &'a Value, name: &str) -> &'a Value {
    pod(workload)["volumes"]
        .as_sequence()
        .and_then(|v| v.iter().find(|v| v["name"].as_str() == Some(name)))
        .unwrap_or_else(|| panic!("no volume {name} in {workload:?}"))
}

/// True when every label of `selector` is on `labels` with the same value.
pub fn selects(selector: &Value, labels: &Value) -> bool {
    let labels = labels.as_mapping().expect("labels");
    selector
        .as_mapping()
        .expect("selector")
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v))
}

/// A workload runs hardened and bounded: no service account token, a
/// non-root pod, and in every container no privilege escalation, a
/// read-only root filesystem, every capability dropped, and cpu and memory
/// requests and limits.
pub fn assert_hardened(workload: &Value, what: &str) {
    let pod = pod_spec(workload);
    assert_eq!(
        pod["automountServiceAccountToken"].as_bool(),
        Some(false),
        "{what}"
    );
    assert_eq!(
        pod["securityContext"]["runAsNonRoot"].as_bool(),
        Some(true),
        "{what}"
    );
    for c in pod["containers"].as_sequence().expect("containers") {
        let sc = &c["securityContext"];
        assert_eq!(
            sc["allowPrivilegeEscalation"].as_bool(),
            Some(false),
            "{what}"
        );
        assert_eq!(sc["readOnlyRootFilesystem"].as_bool(), Some(true), "{what}");
        assert_eq!(
            sc["capabilities"]["drop"][0].as_str(),
            Some("ALL"),
            "{what}"
        );
        for side in ["requests", "limits"] {
            for res in ["cpu", "memory"] {
                assert!(
                    !c["resources"][side][res].is_null(),
                    "{what}: resources.{side}.{res}"
                );
            }
        }
    }
}

/// Runs scripts/validate-manifests.sh on a rendered stream: kubernetes-validate
/// --strict for core kinds, the CRD models for ESO and prometheus-operator
/// kinds. Returns false (and prints a notice) when the tools are unavailable
/// outside CI; the script itself turns that into a failure when CI=true.
pub fn validate_manifests(what: &str, text: &str) -> bool {
    use std::io::Write as _;
    let mut child = std::process::Command::new("bash")
        .arg(root().join("scripts/validate-manifests.sh"))
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
    assert!(
        out.status.success(),
        "{what}: the rendered manifests are not valid:\n{stderr}"
    );
    true
}

/// The argument lists that render a chart's defaults and then each of
/// `sets` (`[]`, `["-f", set]`, ...), named for messages.
pub fn defaults_and_sets(sets: &[String]) -> Vec<(&str, Vec<&str>)> {
    std::iter::once(("defaults", vec![]))
        .chain(
            sets.iter()
                .map(|set| (set.as_str(), vec!["-f", set.as_str()])),
        )
        .collect()
}

/// The defaults and every one of `sets`, rendered with `render`, pass
/// `validate_manifests`; stops where it says the tools are unavailable.
pub fn assert_sets_validate(sets: &[String], render: impl Fn(&[&str]) -> Render) {
    for (what, args) in defaults_and_sets(sets) {
        if !validate_manifests(what, &render(&args).text) {
            return;
        }
    }
}

/// A chart's values.schema.json.
pub fn schema(chart: &str) -> serde_json::Value {
    let path = root().join(chart).join("values.schema.json");
    serde_json::from_str(&std::fs::read_to_string(&path).expect("schema")).expect("schema is JSON")
}

/// The chart's values.yaml merged with YAML documents, as skiff layers them
/// (without the computed layer).
pub fn merged(chart: &str, extra: &[&str]) -> serde_json::Value {
    let defaults =
        std::fs::read_to_string(root().join(chart).join("values.yaml")).expect("values.yaml");
    let mut values =
        skiff::values::parse_values(&defaults, Path::new("values.yaml")).expect("defaults parse");
    for text in extra {
        let layer =
            skiff::values::parse_values(text, Path::new("extra.yaml")).expect("layer parses");
        skiff::values::merge_into(&mut values, &layer);
    }
    serde_json::Value::Object(values)
}

/// The chart's schema accepts its defaults alone and merged with each of
/// `sets` (paths relative to the repository).
pub fn assert_schema_accepts(chart: &str, sets: &[String]) {
    assert_eq!(
        violations(chart, &merged(chart, &[])),
        Vec::<String>::new(),
        "defaults"
    );
    for set in sets {
        let text =
            std::fs::read_to_string(root().join(set)).unwrap_or_else(|e| panic!("{set}: {e}"));
        assert_eq!(
            violations(chart, &merged(chart, &[&text])),
            Vec::<String>::new(),
            "{set}"
        );
    }
}

/// The schema rejects each YAML document of `cases` with a violation at
/// (or under) its path (`/jobs/mode`).
pub fn assert_schema_rejects_at(chart: &str, cases: &[(&str, &str)]) {
    for (yaml, path) in cases {
        let found = violations(chart, &merged(chart, &[yaml]));
        assert!(
            found.iter().any(|v| v.starts_with(path)),
            "{yaml:?}: {found:?}"
        );
    }
}

/// "<path> <message>" for every schema violation of some values.
pub fn violations(chart: &str, values: &serde_json::Value) -> Vec<String> {
    let schema = schema(chart);
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    validator
        .iter_errors(values)
        .map(|e| format!("{} {}", e.instance_path(), e))
        .collect()
}

/// Every value the schema describes, as dotted paths: the leaves, plus the
/// open maps whose documented keys are leaves themselves.
fn schema_paths(
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
    let props = node.get("properties").and_then(|p| p.as_object());
    let open_map = node
        .get("additionalProperties")
        .is_some_and(|a| a.is_object())
        || (props.is_some() && node.get("additionalProperties").is_none());
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

/// Every value a chart's docs table must have a row for: the schema's paths
/// as `schema_paths` finds them, plus `list[].field` rows for each array of
/// records named in `lists` (tenants[].name).
pub fn documented_paths(chart: &str, lists: &[&str]) -> Vec<String> {
    let schema = schema(chart);
    let mut paths = Vec::new();
    schema_paths(&schema, &schema, "", &mut paths);
    for list in lists {
        let node = schema
            .pointer(&format!("/properties/{list}/items"))
            .unwrap_or_else(|| panic!("{list} is not a list in the schema"));
        schema_paths(node, &schema, &format!("{list}[]"), &mut paths);
    }
    paths
}

/// The "## Values reference" table of a chart's docs page has exactly one
/// row per `documented_paths(chart, lists)`: nothing missing, nothing stale.
pub fn assert_docs_table_matches_schema(chart: &str, doc: &str, lists: &[&str]) {
    let paths = documented_paths(chart, lists);
    let text = std::fs::read_to_string(root().join(doc)).unwrap_or_else(|e| panic!("{doc}: {e}"));
    let section = text
        .split("\n## Values reference")
        .nth(1)
        .unwrap_or_else(|| panic!("{doc}: a \"## Values reference\" section"));
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

/// The pod spec of a Deployment, StatefulSet, Job or CronJob.
pub fn pod_spec(workload: &Value) -> &Value {
    if workload["kind"].as_str() == Some("CronJob") {
        &workload["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    } else {
        pod(workload)
    }
}

/// A container or init container of a workload, by name.
pub fn container_named<'a>(workload: &'a Value, name: &str) -> &'a Value {
    let pod = pod_spec(workload);
    pod["containers"]
        .as_sequence()
        .into_iter()
        .chain(pod["initContainers"].as_sequence())
        .flatten()
        .find(|c| c["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no container {name} in {workload:?}"))
}

/// Every env entry of a container: its value, or `secret:<name>/<key>` for
/// a secretKeyRef.
pub fn env_with_refs(container: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in container["env"].as_sequence().into_iter().flatten() {
        let value = if let Some(v) = e["value"].as_str() {
            v.to_string()
        } else {
            let r = &e["valueFrom"]["secretKeyRef"];
            assert!(r.is_mapping(), "unexpected env entry {e:?}");
            format!("secret:{}/{}", s(&r["name"]), s(&r["key"]))
        };
        out.insert(s(&e["name"]).to_string(), value);
    }
    out
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

/// `skiff package CHART -d <tmp>` writes `archive`.
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
    assert!(dir.path().join(archive).is_file(), "no {archive}");
}
