//! The canonical YAML writer against two readers: serde_yaml (YAML 1.2,
//! what Skiff itself reads) and PyYAML (YAML 1.1, the family kubectl and
//! Helm's go-yaml v2 belong to). Every tricky scalar must come back as the
//! same value from both, as a mapping value, a sequence item and a key.
//! Random values and strings (proptest) must come back from serde_yaml.
//!
//! PyYAML is looked up as `$SKIFF_TOOLS/venv/bin/python3`, then
//! `.cache/tools/venv/bin/python3` under the repository root (made by
//! `scripts/install-tools.sh`), then `python3` on PATH. With `CI=true` a
//! missing PyYAML fails the test; locally it prints a notice and passes.

use proptest::prelude::*;
use serde_json::{Value as Json, json};
use serde_yaml::{Mapping, Value};
use skiff::manifest::emit::{to_string, write_yaml};
use std::path::PathBuf;
use std::process::Command;

mod common;
use common::yaml_cases::{cases, document, tricky_string, value_tree};

const SCRIPT: &str = r#"
import json, sys, yaml

def enc(x):
    if x is None: return {"null": None}
    if isinstance(x, bool): return {"bool": x}
    if isinstance(x, int): return {"int": str(x)}
    if isinstance(x, float): return {"float": repr(x)}
    if isinstance(x, str): return {"str": x}
    if isinstance(x, list): return {"seq": [enc(i) for i in x]}
    if isinstance(x, dict): return {"map": [[enc(k), enc(v)] for k, v in x.items()]}
    return {"other": type(x).__name__ + ": " + repr(x)}

loaders = [("SafeLoader", yaml.SafeLoader)]
if getattr(yaml, "__with_libyaml__", False):
    loaders.append(("CSafeLoader", yaml.CSafeLoader))
out = {}
for name, loader in loaders:
    with open(sys.argv[1], encoding="utf-8") as f:
        out[name] = [enc(d) for d in yaml.load_all(f, Loader=loader)]
json.dump(out, sys.stdout)
"#;

fn emit_stream(docs: &[Value]) -> String {
    let mut out = String::new();
    for doc in docs {
        out.push_str("---\n");
        write_yaml(&mut out, doc);
    }
    out
}

/// The encoding the Python script produces, computed from our own value.
fn encode(value: &Value) -> Json {
    match value {
        Value::Null => json!({ "null": null }),
        Value::Bool(b) => json!({ "bool": b }),
        Value::Number(n) if n.is_f64() => {
            json!({ "float": float_text(n.as_f64().unwrap_or_default()) })
        }
        Value::Number(n) => json!({ "int": n.to_string() }),
        Value::String(s) => json!({ "str": s }),
        Value::Sequence(seq) => json!({ "seq": seq.iter().map(encode).collect::<Vec<_>>() }),
        Value::Mapping(map) => {
            json!({ "map": map.iter().map(|(k, v)| json!([encode(k), encode(v)])).collect::<Vec<_>>() })
        }
        Value::Tagged(t) => json!({ "other": t.tag.to_string() }),
    }
}

fn float_text(f: f64) -> String {
    if f.is_nan() {
        "nan".to_owned()
    } else {
        format!("{f:?}")
    }
}

/// Rewrites Python's float reprs (`1e+100`, `inf`) into `float_text` form.
fn normalize_floats(value: &mut Json) {
    match value {
        Json::Object(obj) => {
            if let Some(Json::String(text)) = obj.get_mut("float") {
                if let Ok(f) = text.parse::<f64>() {
                    *text = float_text(f);
                }
            } else {
                obj.values_mut().for_each(normalize_floats);
            }
        }
        Json::Array(items) => items.iter_mut().for_each(normalize_floats),
        _ => {}
    }
}

fn find_python() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut candidates = Vec::new();
    if let Some(tools) = std::env::var_os("SKIFF_TOOLS") {
        candidates.push(PathBuf::from(tools).join("venv/bin/python3"));
    }
    candidates.push(root.join(".cache/tools/venv/bin/python3"));
    candidates.push(PathBuf::from("python3"));
    candidates.into_iter().find(|python| {
        Command::new(python)
            .args(["-c", "import yaml"])
            .output()
            .is_ok_and(|out| out.status.success())
    })
}

#[test]
fn tricky_scalars_roundtrip_through_serde_yaml() {
    let cases = cases();
    assert!(cases.len() >= 40);
    for (name, value) in &cases {
        let doc = document(value);
        let text = to_string(&doc);
        let back: Value = serde_yaml::from_str(&text)
            .unwrap_or_else(|e| panic!("case {name:?}: does not parse: {e}\n{text}"));
        assert_eq!(back, doc, "case {name:?} changed; emitted:\n{text}");
    }
}

#[test]
fn tricky_scalars_roundtrip_through_pyyaml() {
    let Some(python) = find_python() else {
        let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(
            !in_ci,
            "PyYAML is required in CI: run scripts/install-tools.sh (venv at .cache/tools/venv)"
        );
        eprintln!("notice: python3 with PyYAML not found; skipping the YAML 1.1 round-trip");
        return;
    };
    let cases = cases();
    let docs: Vec<Value> = cases.iter().map(|(_, v)| document(v)).collect();
    let text = emit_stream(&docs);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cases.yaml");
    std::fs::write(&path, &text).expect("write cases.yaml");

    let out = Command::new(&python)
        .args(["-c", SCRIPT])
        .arg(&path)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "PyYAML could not read our output:\n{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut parsed: Json = serde_json::from_slice(&out.stdout).expect("script prints JSON");
    normalize_floats(&mut parsed);

    let Json::Object(by_loader) = parsed else {
        panic!("script output is an object");
    };
    for (loader, got) in by_loader {
        let got = got.as_array().expect("a list of documents");
        assert_eq!(got.len(), cases.len(), "{loader}: document count");
        for ((name, value), got) in cases.iter().zip(got) {
            let expected = encode(&document(value));
            assert_eq!(got, &expected, "{loader}: case {name:?}");
        }
    }
}

/// Helm (and kubectl) read YAML with go-yaml through sigs.k8s.io/yaml.
/// Every string and boolean case goes into a Helm chart's values.yaml as
/// Skiff writes it; `helm template` prints `.Values | toJson` back, which
/// must hold the same strings and booleans.
#[test]
fn tricky_scalars_roundtrip_through_helm() {
    let Some(helm) = common::helm("the scalar round-trip reads Skiff's YAML with Helm") else {
        return;
    };
    let mut values = Mapping::new();
    let mut expected = serde_json::Map::new();
    for (i, (_, value)) in cases().iter().enumerate() {
        let json = match value {
            Value::String(s) => Json::String(s.clone()),
            Value::Bool(b) => Json::Bool(*b),
            _ => continue,
        };
        let key = format!("case{i}");
        values.insert(key.clone().into(), value.clone());
        values.insert(
            format!("{key}_list").into(),
            Value::Sequence(vec![value.clone()]),
        );
        expected.insert(key.clone(), json.clone());
        expected.insert(format!("{key}_list"), Json::Array(vec![json]));
    }
    assert!(
        expected.len() >= 60,
        "at least 30 cases, as value and list item"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let chart = dir.path().join("roundtrip");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: roundtrip\nversion: 0.1.0\n",
    )
    .unwrap();
    let text = to_string(&Value::Mapping(values));
    std::fs::write(chart.join("values.yaml"), &text).unwrap();
    std::fs::write(
        chart.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  json: {{ .Values | toJson | quote }}\n",
    )
    .unwrap();
    let out = Command::new(&helm)
        .arg("template")
        .arg(&chart)
        .output()
        .expect("run helm");
    assert!(
        out.status.success(),
        "helm template failed:\n{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rendered: Value = serde_yaml::from_slice(&out.stdout).expect("helm prints YAML");
    let json_text = rendered["data"]["json"].as_str().expect("data.json");
    let got: Json = serde_json::from_str(json_text).expect("toJson prints JSON");
    assert_eq!(got, Json::Object(expected), "emitted values.yaml:\n{text}");
}

/// Writes `value` and reads it back with serde_yaml: the same value.
fn roundtrip(value: &Value) {
    let text = to_string(value);
    let back: Value = serde_yaml::from_str(&text)
        .unwrap_or_else(|e| panic!("emitted YAML does not parse: {e}\n{text}"));
    assert_eq!(
        &back, value,
        "round-trip changed the value; emitted:\n{text}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_string_roundtrips(s in tricky_string()) {
        let mut map = Mapping::new();
        map.insert(Value::String(s.clone()), Value::String(s.clone()));
        map.insert("list".into(), Value::Sequence(vec![Value::String(s)]));
        roundtrip(&Value::Mapping(map));
    }

    #[test]
    fn any_value_roundtrips(value in value_tree(true)) {
        roundtrip(&value);
    }
}
