//! `--set` parsing against real Helm: every case in
//! `tests/fixtures/strvals/helm_cases.json` was run through Helm 4.1.4 by
//! `scripts/record-strvals.sh`, and Skiff must give the same values (types
//! included) or fail where Helm failed.

use serde_json::{Map, Value};
use skiff::values::strvals::{SetKind, parse_into};

const CASES: &str = include_str!("fixtures/strvals/helm_cases.json");

fn kind_of(flag: &str) -> SetKind {
    match flag {
        "--set" => SetKind::Auto,
        "--set-string" => SetKind::String,
        "--set-json" => SetKind::Json,
        "--set-file" => SetKind::File,
        "--set-literal" => SetKind::Literal,
        other => panic!("unknown flag {other:?} in helm_cases.json"),
    }
}

/// Equality of values; with `numbers_as_f64`, numbers compare by their float64
/// value, as Helm decodes every `--set-json` number into a float64 where Skiff
/// keeps integers exact.
fn same(ours: &Value, helm: &Value, numbers_as_f64: bool) -> bool {
    match (ours, helm) {
        (Value::Number(a), Value::Number(b)) if numbers_as_f64 => a.as_f64() == b.as_f64(),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y, numbers_as_f64))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, x)| b.get(k).is_some_and(|y| same(x, y, numbers_as_f64)))
        }
        _ => ours == helm,
    }
}

#[test]
fn parse_into_matches_helm() {
    let cases: Vec<Value> = serde_json::from_str(CASES).expect("helm_cases.json is JSON");
    assert!(cases.len() >= 60, "only {} recorded cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let flag = case["flag"].as_str().expect("flag is a string");
        let kind = kind_of(flag);
        let args: Vec<&str> = case["args"]
            .as_array()
            .expect("args is a list")
            .iter()
            .map(|a| a.as_str().expect("each arg is a string"))
            .collect();
        let files = case["files"].as_object().cloned().unwrap_or_default();
        let mut read_file = |path: &str| -> Result<String, String> {
            files
                .get(path)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| format!("open {path}: no such file or directory"))
        };
        let helm_failed = case["error"].as_bool().expect("error is a bool");

        let mut values = Map::new();
        let outcome = args
            .iter()
            .try_for_each(|arg| parse_into(arg, kind, &mut values, &mut read_file));
        let ours = Value::Object(values);
        let described = format!("{flag} {args:?}");
        match (outcome, helm_failed) {
            (Ok(()), false) => {
                if !same(&ours, &case["helm"], kind == SetKind::Json) {
                    failures.push(format!("{described}: Skiff {ours}, Helm {}", case["helm"]));
                }
            }
            (Ok(()), true) => failures.push(format!(
                "{described}: Skiff gave {ours}, Helm failed: {}",
                case["message"]
            )),
            (Err(e), false) => failures.push(format!(
                "{described}: Skiff failed ({e}), Helm gave {}",
                case["helm"]
            )),
            (Err(_), true) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from Helm:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
