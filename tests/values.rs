//! `skiff values` and the value layers: merge, --set family, schema errors
//! with provenance, computed defaults, --explain, and every bad-input case.

mod common;

use common::{CHART_YAML, chart, chart_fails, fails_with, skiff, stdout_of};
use predicates::prelude::*;

const DEMO: &str = "tests/fixtures/values-demo";

fn json_of(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&stdout_of(args)).expect("skiff values -o json prints JSON")
}

fn temp_file(text: &str) -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new().suffix(".yaml").tempfile().unwrap();
    std::fs::write(file.path(), text).unwrap();
    file
}

#[test]
fn layers_merge_in_order_and_null_deletes() {
    let f1 = temp_file("api:\n  replicas: 3\n  env:\n    A: one\n");
    let f2 = temp_file("api:\n  replicas: 4\n  env:\n    LOG_LEVEL: null\n");
    let v = json_of(&[
        "values",
        DEMO,
        "-o",
        "json",
        "-f",
        f1.path().to_str().unwrap(),
        "-f",
        f2.path().to_str().unwrap(),
        "--set",
        "api.replicas=5",
        "--set-string",
        "api.env.C=007",
        "--set-json",
        "api.env.D=\"json\"",
    ]);
    assert_eq!(v["api"]["replicas"], 5);
    assert_eq!(
        v["api"]["env"],
        serde_json::json!({"A": "one", "C": "007", "D": "json"})
    );
    assert_eq!(v["api"]["image"], "registry/api:1.0.0");
}

#[test]
fn set_flags_apply_in_the_order_given() {
    let v = json_of(&[
        "values",
        DEMO,
        "-o",
        "json",
        "--set-string",
        "api.image=a",
        "--set",
        "api.image=b",
    ]);
    assert_eq!(v["api"]["image"], "b");
    let v = json_of(&[
        "values",
        DEMO,
        "-o",
        "json",
        "--set",
        "api.image=b",
        "--set-string",
        "api.image=a",
    ]);
    assert_eq!(v["api"]["image"], "a");
}

#[test]
fn set_file_reads_the_file() {
    let f = temp_file("line1\nline2\n");
    let arg = format!("api.image={}", f.path().display());
    let v = json_of(&["values", DEMO, "-o", "json", "--set-file", &arg]);
    assert_eq!(v["api"]["image"], "line1\nline2\n");
}

#[test]
fn set_literal_takes_the_rest_of_the_argument_as_it_is() {
    let v = json_of(&[
        "values",
        DEMO,
        "-o",
        "json",
        "--set",
        "api.image=first",
        "--set-literal",
        "api.image=--a=1,--b={x,y}\\n",
        "--set-literal",
        "api.env.N=007",
    ]);
    assert_eq!(v["api"]["image"], "--a=1,--b={x,y}\\n");
    assert_eq!(v["api"]["env"]["N"], "007");
    // A malformed one is an error pointing into it, exit 2.
    skiff()
        .args(["values", DEMO, "--set-literal", "api[x]=1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--set-literal \"api[x]=1\": invalid list index \"x\"",
        ));
}

#[test]
fn yaml_output_is_canonical() {
    skiff()
        .args(["values", DEMO, "--set-string", "api.env.X=yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("    X: 'yes'\n"));
}

#[test]
fn computed_defaults_sit_between_chart_defaults_and_user_values() {
    let v = json_of(&["values", DEMO, "-o", "json", "--set", "worker.enabled=true"]);
    assert_eq!(v["api"]["env"]["RETRIES"], "off");
    let v = json_of(&["values", DEMO, "-o", "json"]);
    assert!(v["api"]["env"].get("RETRIES").is_none());
    // An explicit user value wins over the computed one.
    let v = json_of(&[
        "values",
        DEMO,
        "-o",
        "json",
        "--set",
        "worker.enabled=true",
        "--set",
        "api.env.RETRIES=on",
    ]);
    assert_eq!(v["api"]["env"]["RETRIES"], "on");
}

#[test]
fn explain_shows_the_layer_that_set_each_value() {
    let f = temp_file("api:\n  replicas: 3\n");
    let out = stdout_of(&[
        "values",
        DEMO,
        "-f",
        f.path().to_str().unwrap(),
        "--set",
        "worker.enabled=true",
        "--explain",
        "api",
    ]);
    let file = f.path().display().to_string();
    assert!(
        out.contains(&format!(
            "api.replicas = 3\n  set by {file}:2\n  over   {DEMO}/values.yaml:3 = 2\n"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "api.image = \"registry/api:1.0.0\"\n  set by {DEMO}/values.yaml:2\n"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "api.env.RETRIES = \"off\"\n  set by {DEMO}/values.computed.yaml (computed)\n"
        )),
        "{out}"
    );
    // The whole tree when no path is given, a flag as the source of a --set value.
    skiff()
        .args(["values", DEMO, "--set", "worker.enabled=true", "--explain"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "worker.enabled = true\n  set by --set worker.enabled=true\n  over   ",
        ));
    values_fails(
        &["--explain", "nope.x"],
        &["--explain nope.x: no such value"],
    );
}

#[test]
fn schema_errors_are_reported_together_with_layer_and_hint() {
    let f = temp_file("api:\n  imag: x\n  replicas: two\nautoscalling:\n  enabled: false\n");
    let assert = skiff()
        .args([
            "render",
            DEMO,
            "-f",
            f.path().to_str().unwrap(),
            "--set",
            "api.image=null",
        ])
        .assert()
        .code(2)
        .stdout("");
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    let file = f.path().display().to_string();
    for want in [
        "the values do not match the chart's schema (4 problems)",
        &format!(
            "api.imag: unknown key `imag` [additionalProperties]\n    set by {file}:2\n    hint: did you mean `api.image`?"
        ),
        "api.image: is required but not set [required]",
        &format!("api.replicas: \"two\" is not of type \"integer\" [type]\n    set by {file}:3"),
        &format!(
            "autoscalling: unknown key `autoscalling` [additionalProperties]\n    set by {file}:4\n    hint: did you mean `autoscaling`?"
        ),
    ] {
        assert!(err.contains(want), "{want}\nin:\n{err}");
    }
}

#[test]
fn schema_refs_to_chart_files_resolve_and_set_flags_are_named() {
    values_fails(
        &["--set", "autoscaling.minReplicas=0"],
        &[
            "autoscaling.minReplicas: 0 is less than the minimum of 1 [minimum]\n    set by --set autoscaling.minReplicas=0",
        ],
    );
}

/// A chart whose schema gives strings and the keys of mappings patterns:
/// `\S` (Unicode), optional groups, look-ahead (fancy-regex's), and one
/// pattern used in two places.
const PATTERN_SCHEMA: &str = r#"{"properties": {
  "url": {"type": "string", "pattern": "^https?://\\S+$"},
  "host": {"type": "string", "pattern": "^$|^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"},
  "tag": {"type": "string", "pattern": "^(?!latest$)"},
  "size": {"type": "string", "pattern": "^[0-9]{1,3}$"},
  "env": {"propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}},
  "more": {"propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}}
}}"#;

#[test]
fn schema_patterns_match_as_ecma_262_reads_them() {
    let good = "url: https://\u{e9}.example/\u{e4}\nhost: \"\"\ntag: v1\nsize: \"120\"\nenv:\n  A_1: x\nmore:\n  _b: y\n";
    let dir = chart(&[
        ("Chart.yaml", CHART_YAML),
        ("values.yaml", good),
        ("values.schema.json", PATTERN_SCHEMA),
    ]);
    let path = dir.path().to_str().unwrap();
    skiff().args(["values", path]).assert().success();
    // U+00A0 is white space to ECMA-262 (`\S` refuses it); `latest` fails the look-ahead.
    let bad = temp_file(
        "url: \"https://a\\u00a0b\"\nhost: Bad.\ntag: latest\nsize: \"1200\"\nenv:\n  1A: x\nmore:\n  b-c: y\n",
    );
    fails_with(
        &["values", path, "-f", bad.path().to_str().unwrap()],
        &[
            "(6 problems)",
            "env: \"1A\" does not match \"^[A-Za-z_][A-Za-z0-9_]*$\" [propertyNames]",
            "host: \"Bad.\" does not match \"^$|^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$\" [pattern]",
            "more: \"b-c\" does not match \"^[A-Za-z_][A-Za-z0-9_]*$\" [propertyNames]",
            "size: \"1200\" does not match \"^[0-9]{1,3}$\" [pattern]",
            "tag: \"latest\" does not match \"^(?!latest$)\" [pattern]",
            "url: \"https://a\u{a0}b\" does not match \"^https?://\\S+$\" [pattern]",
        ],
    );
}

#[test]
fn schema_pattern_that_is_not_a_regex() {
    chart_fails(
        "values",
        &[
            ("Chart.yaml", CHART_YAML),
            (
                "values.schema.json",
                r#"{"properties": {"a": {"properties": {"b": {"pattern": "a{2,1}"}}}}}"#,
            ),
        ],
        &[
            "values.schema.json: not a valid JSON Schema: \"a{2,1}\" is not a \"regex\"",
            "check the keyword at /properties/a/properties/b/pattern",
        ],
    );
}

#[test]
fn remote_schema_refs_are_refused() {
    let dir = chart(&[
        ("Chart.yaml", CHART_YAML),
        ("values.yaml", "a: 1\n"),
        (
            "values.schema.json",
            r#"{"properties": {"a": {"$ref": "http://example.com/s.json"}}}"#,
        ),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        ),
    ]);
    skiff()
        .args(["values", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("points outside the chart"));
    let dir = chart(&[
        ("Chart.yaml", CHART_YAML),
        (
            "values.schema.json",
            r#"{"properties": {"a": {"$ref": "../../etc/s.json"}}}"#,
        ),
    ]);
    skiff()
        .args(["values", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("outside the chart")
                .or(predicate::str::contains("no such file")),
        );
}

#[test]
fn cross_field_rules_fail_from_computed_values() {
    skiff()
        .args(["render", DEMO, "--set", "autoscaling.minReplicas=9"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("values.computed.yaml:8"))
        .stderr(predicate::str::contains(
            "autoscaling.minReplicas must not exceed autoscaling.maxReplicas",
        ));
}

// ---- bad input: clear error, exit 2 ----

fn values_fails(extra: &[&str], needles: &[&str]) {
    let mut args = vec!["values", DEMO];
    args.extend_from_slice(extra);
    fails_with(&args, needles);
}

#[test]
fn missing_values_file() {
    values_fails(
        &["-f", "no/such.yaml"],
        &["no/such.yaml: no such values file"],
    );
}

#[test]
fn values_file_not_yaml_names_the_line() {
    let f = temp_file("a: 1\nb: [\n");
    values_fails(
        &["-f", f.path().to_str().unwrap()],
        &[&format!("{}:3: not valid YAML", f.path().display())],
    );
}

#[test]
fn values_file_not_a_mapping_names_the_line() {
    let f = temp_file("# comment\n- a\n- b\n");
    values_fails(
        &["-f", f.path().to_str().unwrap()],
        &[&format!(
            "{}:2: values must be a mapping (key: value), found a list",
            f.path().display()
        )],
    );
}

#[test]
fn malformed_set_shows_flag_position_and_caret() {
    values_fails(
        &["--set", "a[x]=1"],
        &[
            "--set \"a[x]=1\": invalid list index \"x\"",
            "  a[x]=1\n    ^",
        ],
    );
}

#[test]
fn huge_list_index_is_an_error_not_an_allocation() {
    values_fails(&["--set", "l[99999999]=x"], &["--set \"l[99999999]=x\""]);
}

#[test]
fn set_file_missing() {
    values_fails(
        &["--set-file", "a=/no/such/file"],
        &["--set-file \"a=/no/such/file\"", "/no/such/file"],
    );
}

#[test]
fn set_json_invalid() {
    values_fails(&["--set-json", "a={x"], &["--set-json \"a={x\""]);
}

/// The schema compiles on another thread while the templates render: a
/// values error must still be the one reported, as when it was checked first.
#[test]
fn schema_errors_win_over_the_template_errors_they_cause() {
    let files = |schema: &'static str| {
        [
            ("Chart.yaml", CHART_YAML),
            ("values.yaml", "replicas: two\n"),
            ("values.schema.json", schema),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  n: \"{{ values.replicas + 1 }}\"\n",
            ),
        ]
    };
    // Lint reports what it finds with exit code 1.
    for (command, code) in [("render", 2), ("lint", 1)] {
        let dir = chart(&files(
            r#"{"properties": {"replicas": {"type": "integer"}}}"#,
        ));
        let path = dir.path().to_str().unwrap();
        let out = skiff().args([command, path]).assert().code(code);
        let text = String::from_utf8_lossy(&out.get_output().stderr).into_owned()
            + &String::from_utf8_lossy(&out.get_output().stdout);
        assert!(
            text.contains("replicas: \"two\" is not of type \"integer\""),
            "{command}: {text}"
        );
        assert!(!text.contains("unsupported operand"), "{command}: {text}");
    }
    // A schema that is not JSON is reported, not the template error.
    chart_fails(
        "render",
        &files("{\n  \"properties\": {,\n}\n"),
        &["values.schema.json:2: not valid JSON"],
    );
    // With valid values the template error is the one reported.
    let dir = chart(&files(
        r#"{"properties": {"replicas": {"type": "string"}}}"#,
    ));
    fails_with(
        &["render", dir.path().to_str().unwrap()],
        &["templates/cm.yaml"],
    );
}

#[test]
fn schema_not_json() {
    chart_fails(
        "values",
        &[
            ("Chart.yaml", CHART_YAML),
            ("values.schema.json", "{\n  \"type\": \"object\",\n}\n"),
        ],
        &["values.schema.json:3: not valid JSON"],
    );
}

#[test]
fn schema_not_a_schema() {
    chart_fails(
        "values",
        &[
            ("Chart.yaml", CHART_YAML),
            ("values.schema.json", r#"{"type": "objekt"}"#),
        ],
        &["values.schema.json: not a valid JSON Schema"],
    );
}

#[test]
fn computed_template_that_fails() {
    chart_fails(
        "values",
        &[
            ("Chart.yaml", CHART_YAML),
            ("values.computed.yaml", "a: {{ values.nope }}\n"),
        ],
        &["values.computed.yaml:1: undefined value"],
    );
}

#[test]
fn computed_template_that_renders_a_non_mapping() {
    chart_fails(
        "values",
        &[
            ("Chart.yaml", CHART_YAML),
            ("values.computed.yaml", "- a\n- b\n"),
        ],
        &["values.computed.yaml: its rendered output must be a YAML mapping"],
    );
}

#[test]
fn values_json_cannot_hold_are_errors() {
    let files = |values: &'static str| {
        [
            ("Chart.yaml", CHART_YAML),
            ("values.yaml", values),
            ("templates/x.yaml", "a: b\n"),
        ]
    };
    chart_fails(
        "render",
        &files("ratio: .nan\n"),
        &["values.yaml", "cannot be represented in JSON; quote it"],
    );
    chart_fails(
        "render",
        &files("? [a, b]\n: c\n"),
        &["values.yaml", "a mapping key must be a scalar"],
    );
}
