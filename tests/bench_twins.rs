//! The benchmark twins render the same objects with Skiff and with real Helm,
//! so bench/run.sh compares like with like: the generated charts of
//! bench/gen.py (sizes 1 and 10, and 2 with `--data 3`) and charts/starter against its Go-template
//! twin bench/helm-starter (defaults and every ci/*.yaml).
//!
//! Both YAML streams are parsed and compared as multisets of objects, not as
//! text: `# Source:` comments, document order, key order and quoting do not
//! count. Two differences are expected and normalised away:
//! - the `app.kubernetes.io/managed-by` label is the release service, `Helm`
//!   for Helm and `skiff` for Skiff;
//! - a list whose items are all mappings with a `name` (env, ports,
//!   containers, volumes) is compared in name order: Kubernetes merges such
//!   lists by name, and Go templates range over maps in sorted key order
//!   where Jinja keeps the values' authored order.
//!
//! Helm comes from scripts/install-tools.sh (`.cache/tools/bin/helm`, or
//! `$SKIFF_TOOLS/bin/helm`, or PATH). Without it the test fails when
//! `CI=true` and is skipped with a notice otherwise.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_yaml::Value;

mod common;
use common::root;

const RELEASE: &str = "bench";

/// Real Helm, or None (after the CI check) when it is not installed.
fn helm() -> Option<PathBuf> {
    common::helm("the bench twin tests compare against real Helm")
}

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("output is UTF-8")
}

fn skiff_render(chart: &Path, values: Option<&Path>) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_skiff"));
    cmd.arg("render").arg(RELEASE).arg(chart);
    if let Some(file) = values {
        cmd.arg("-f").arg(file);
    }
    stdout_of(&mut cmd)
}

fn helm_template(helm: &Path, chart: &Path, values: Option<&Path>) -> String {
    let mut cmd = Command::new(helm);
    cmd.arg("template")
        .arg(RELEASE)
        .arg(chart)
        .args(["--kube-version", skiff::engine::DEFAULT_KUBE_VERSION]);
    if let Some(file) = values {
        cmd.arg("-f").arg(file);
    }
    stdout_of(&mut cmd)
}

/// The objects of a YAML stream, each normalised and printed as JSON with
/// sorted keys, sorted.
fn objects(stream: &str) -> Vec<String> {
    let mut out = Vec::new();
    for document in serde_yaml::Deserializer::from_str(stream) {
        let value: Value = serde::Deserialize::deserialize(document).expect("valid YAML");
        if value.is_null() {
            continue;
        }
        out.push(canonical(&normalise(value)));
    }
    out.sort();
    out
}

fn normalise(value: Value) -> Value {
    match value {
        Value::Mapping(map) => Value::Mapping(
            map.into_iter()
                .map(|(k, v)| {
                    let v = if k.as_str() == Some("app.kubernetes.io/managed-by") {
                        Value::from("<release service>")
                    } else {
                        normalise(v)
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Sequence(items) => {
            let mut items: Vec<Value> = items.into_iter().map(normalise).collect();
            if !items.is_empty() && items.iter().all(|i| i.get("name").is_some()) {
                items.sort_by_key(canonical);
            }
            Value::Sequence(items)
        }
        other => other,
    }
}

/// JSON text with keys sorted at every level.
fn canonical(value: &Value) -> String {
    match value {
        Value::Mapping(map) => {
            let mut entries: Vec<(String, String)> = map
                .iter()
                .map(|(k, v)| (canonical(k), canonical(v)))
                .collect();
            entries.sort();
            let inner: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Sequence(items) => {
            let inner: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", inner.join(","))
        }
        Value::Tagged(tagged) => canonical(&tagged.value),
        scalar => serde_json::to_string(scalar).expect("a YAML scalar converts to JSON"),
    }
}

/// Asserts that two renders hold the same objects, showing the differences.
fn assert_same_objects(what: &str, skiff: &str, helm: &str) {
    let (ours, theirs) = (objects(skiff), objects(helm));
    assert!(!ours.is_empty(), "{what}: skiff rendered no objects");
    if ours != theirs {
        let only_ours: Vec<_> = ours.iter().filter(|o| !theirs.contains(o)).collect();
        let only_theirs: Vec<_> = theirs.iter().filter(|o| !ours.contains(o)).collect();
        panic!(
            "{what}: skiff rendered {} objects, helm {}\nonly from skiff:\n{}\nonly from helm:\n{}",
            ours.len(),
            theirs.len(),
            only_ours
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            only_theirs
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
}

#[test]
fn generated_twins_render_the_same_objects() {
    let Some(helm) = helm() else { return };
    let out = tempfile::tempdir().expect("temp dir");
    common::generated_charts(out.path(), &[1, 10]);
    for size in [1, 10] {
        let skiff = skiff_render(&out.path().join(format!("skiff-{size}")), None);
        let helm = helm_template(&helm, &out.path().join(format!("helm-{size}")), None);
        assert_same_objects(&format!("generated chart, {size} templates"), &skiff, &helm);
        // Every 10th component is disabled; the rest render 3 objects each.
        let expected = 3 * (size - size / 10);
        assert_eq!(
            objects(&skiff).len(),
            expected,
            "objects of the {size}-template chart"
        );
    }
}

/// The output-size curve's charts (bench/gen.py `--data`): the extra
/// ConfigMap entries come out the same from both twins.
#[test]
fn generated_twins_with_more_data_render_the_same_objects() {
    let Some(helm) = helm() else { return };
    let out = tempfile::tempdir().expect("temp dir");
    common::generated_charts_with_data(out.path(), &[2], 3);
    let skiff = skiff_render(&out.path().join("skiff-2-data3"), None);
    let helm = helm_template(&helm, &out.path().join("helm-2-data3"), None);
    assert_same_objects(
        "generated chart, 2 templates, 3 data entries",
        &skiff,
        &helm,
    );
    for i in 0..2 {
        for k in 0..3 {
            let entry = format!("entry{k:05}: value {k} of c{i:04}");
            assert!(skiff.contains(&entry), "{entry:?} in:\n{skiff}");
        }
    }
}

#[test]
fn starter_twin_renders_the_same_objects() {
    let starter = root().join("charts/starter");
    let Some(helm) = helm() else { return };
    let twin = root().join("bench/helm-starter");
    let skiff = skiff_render(&starter, None);
    let theirs = helm_template(&helm, &twin, None);
    assert_same_objects("starter, default values", &skiff, &theirs);

    let mut ci_files: Vec<PathBuf> = std::fs::read_dir(starter.join("ci"))
        .expect("charts/starter/ci exists")
        .map(|e| e.expect("readable ci/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    ci_files.sort();
    assert!(!ci_files.is_empty(), "charts/starter/ci has value files");
    for file in ci_files {
        let name = file.file_name().expect("a file name");
        let twin_file = twin.join("ci").join(name);
        assert!(
            twin_file.exists(),
            "{} has no twin in bench/helm-starter/ci",
            file.display()
        );
        let skiff = skiff_render(&starter, Some(&file));
        let theirs = helm_template(&helm, &twin, Some(&twin_file));
        assert_same_objects(&format!("starter, {}", file.display()), &skiff, &theirs);
    }
}
