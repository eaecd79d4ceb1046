//! `skiff diff` driven through the real binary on the fixtures under
//! tests/fixtures/diff: the `shop` chart, value files that each make one
//! kind of change, a copy of the chart with an object moved to another
//! template, and manifest streams.

mod common;

use common::skiff;
use serde_json::Value;

const CHART: &str = "tests/fixtures/diff/chart";

fn values(name: &str) -> String {
    format!("tests/fixtures/diff/values-{name}.yaml")
}

/// Runs `skiff diff` and returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    run_with_stdin(args, "")
}

fn run_with_stdin(args: &[&str], stdin: &str) -> (i32, String, String) {
    let out = skiff()
        .arg("diff")
        .args(args)
        .write_stdin(stdin)
        .output()
        .expect("skiff runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `skiff diff -o json`, checks the exit code, returns the parsed report.
fn json(args: &[&str], code: i32) -> Value {
    json_with_stdin(args, "", code)
}

fn json_with_stdin(args: &[&str], stdin: &str, code: i32) -> Value {
    let mut all = args.to_vec();
    all.extend(["-o", "json"]);
    let (status, stdout, stderr) = run_with_stdin(&all, stdin);
    assert_eq!(status, code, "stdout:\n{stdout}\nstderr:\n{stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
}

fn summary(report: &Value) -> [u64; 4] {
    let s = &report["summary"];
    ["added", "removed", "changed", "unchanged"].map(|k| s[k].as_u64().unwrap_or(u64::MAX))
}

fn field_paths(change: &Value) -> Vec<&str> {
    change["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect()
}

#[test]
fn same_chart_is_no_change() {
    let (code, stdout, stderr) = run(&[CHART, CHART]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "0 added, 0 removed, 0 changed, 4 unchanged\n");
}

#[test]
fn image_bump_is_one_changed_field() {
    let (code, stdout, _) = run(&[CHART, CHART, "--new-values", &values("image")]);
    assert_eq!(code, 1);
    assert!(stdout.contains(
        "~ spec.template.spec.containers[api].image: \"registry.example.com/shop/api:1.4.0\" → \"registry.example.com/shop/api:1.5.0\""
    ));
    assert!(
        stdout.contains("-        image: registry.example.com/shop/api:1.4.0"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+        image: registry.example.com/shop/api:1.5.0"),
        "{stdout}"
    );

    let report = json(&[CHART, CHART, "--new-values", &values("image")], 1);
    assert_eq!(summary(&report), [0, 0, 1, 3]);
    let change = &report["changes"][0];
    assert_eq!(change["change"], "changed");
    assert_eq!(change["group"], "apps");
    assert_eq!(change["kind"], "Deployment");
    assert_eq!(change["namespace"], "default");
    assert_eq!(change["name"], "release-api");
    assert_eq!(change["fields"][0]["op"], "changed");
    assert_eq!(
        change["fields"][0]["old"],
        "registry.example.com/shop/api:1.4.0"
    );
    assert_eq!(
        change["fields"][0]["new"],
        "registry.example.com/shop/api:1.5.0"
    );
    assert!(change["unified"].as_str().unwrap().starts_with("@@ "));
}

#[test]
fn env_var_added_in_the_middle_is_one_addition() {
    let report = json(&[CHART, CHART, "--new-values", &values("env")], 1);
    assert_eq!(summary(&report), [0, 0, 1, 3]);
    let change = &report["changes"][0];
    assert_eq!(
        field_paths(change),
        ["spec.template.spec.containers[api].env[FEATURE_CHECKOUT]"]
    );
    assert_eq!(change["fields"][0]["op"], "added");
    assert_eq!(change["fields"][0]["old"], Value::Null);
    assert_eq!(
        change["fields"][0]["new"],
        serde_json::json!({"name": "FEATURE_CHECKOUT", "value": "checkout-v2"})
    );
}

#[test]
fn enabling_the_worker_adds_objects() {
    let report = json(&[CHART, CHART, "--new-values", &values("worker")], 1);
    assert_eq!(summary(&report), [2, 0, 0, 4]);
    let mut added: Vec<(String, String)> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["change"], "added");
            assert_eq!(c["old_source"], Value::Null);
            assert_eq!(c["new_source"], "shop/templates/worker.yaml");
            (
                c["kind"].as_str().unwrap().to_string(),
                c["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    added.sort();
    assert_eq!(
        added,
        [
            ("ConfigMap".to_string(), "release-worker".to_string()),
            ("Deployment".to_string(), "release-worker".to_string())
        ]
    );
    // Swapping the sides turns the additions into removals.
    let report = json(&[CHART, CHART, "--old-values", &values("worker")], 1);
    assert_eq!(summary(&report), [0, 2, 0, 4]);
}

#[test]
fn ingress_host_renamed() {
    let report = json(&[CHART, CHART, "--new-values", &values("host")], 1);
    assert_eq!(summary(&report), [0, 0, 1, 3]);
    let change = &report["changes"][0];
    assert_eq!(
        (change["group"].as_str(), change["kind"].as_str()),
        (Some("networking.k8s.io"), Some("Ingress"))
    );
    assert_eq!(field_paths(change), ["spec.rules[0].host"]);
    assert_eq!(change["fields"][0]["old"], "shop.example.com");
    assert_eq!(change["fields"][0]["new"], "store.example.com");
}

/// base64 of the old and new passwords in values.yaml and values-secret.yaml.
const OLD_PASSWORD_B64: &str = "czNjcmV0LW9sZA==";
const NEW_PASSWORD_B64: &str = "czNjcmV0LW5ldw==";

#[test]
fn secret_values_are_masked() {
    let args = [CHART, CHART, "--new-values", &values("secret")];
    let (code, text, _) = run(&args);
    assert_eq!(code, 1);
    let report = json(&args, 1);
    let (_, markdown, _) = run(&[&args[..], &["-o", "markdown"]].concat());
    for out in [&text, &report.to_string(), &markdown] {
        assert!(
            !out.contains(OLD_PASSWORD_B64) && !out.contains(NEW_PASSWORD_B64),
            "secret leaked:\n{out}"
        );
        assert!(
            !out.contains("c2hvcA=="),
            "unchanged secret value leaked:\n{out}"
        );
    }
    let change = &report["changes"][0];
    assert_eq!(change["kind"], "Secret");
    assert_eq!(field_paths(change), ["data.password"]);
    assert_eq!(change["fields"][0]["old"], "<masked: old value>");
    assert_eq!(change["fields"][0]["new"], "<masked: new value>");
    assert!(
        text.contains("-  password: '<masked: old value>'"),
        "{text}"
    );
    assert!(
        text.contains("+  password: '<masked: new value>'"),
        "{text}"
    );
}

#[test]
fn secret_values_are_shown_on_request() {
    let report = json(
        &[
            CHART,
            CHART,
            "--new-values",
            &values("secret"),
            "--show-secrets",
        ],
        1,
    );
    let field = &report["changes"][0]["fields"][0];
    assert_eq!(field["old"], OLD_PASSWORD_B64);
    assert_eq!(field["new"], NEW_PASSWORD_B64);
    assert!(
        report["changes"][0]["unified"]
            .as_str()
            .unwrap()
            .contains(&format!("+  password: {NEW_PASSWORD_B64}"))
    );
}

#[test]
fn added_secret_is_masked_whole() {
    let old = "tests/fixtures/diff/keyorder/old.yaml";
    let secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: shop}\nstringData: {token: hunter2}\n";
    let stdin = format!("{}---\n{secret}", std::fs::read_to_string(old).unwrap());
    let report = json_with_stdin(&[old, "-"], &stdin, 1);
    assert_eq!(summary(&report), [1, 0, 0, 2]);
    let unified = report["changes"][0]["unified"].as_str().unwrap();
    assert!(
        unified.contains("+  token: <masked>") && !unified.contains("hunter2"),
        "{unified}"
    );
}

#[test]
fn object_moved_to_another_template_is_no_change() {
    let (code, stdout, stderr) = run(&[CHART, "tests/fixtures/diff/split"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn key_and_document_order_are_no_change() {
    let (code, stdout, _) = run(&[
        "tests/fixtures/diff/keyorder/old.yaml",
        "tests/fixtures/diff/keyorder/new.yaml",
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(stdout, "0 added, 0 removed, 0 changed, 2 unchanged\n");
}

#[test]
fn multi_document_stream_from_stdin() {
    let stdin = std::fs::read_to_string("tests/fixtures/diff/keyorder/changed.yaml").unwrap();
    let report = json_with_stdin(&["tests/fixtures/diff/keyorder/old.yaml", "-"], &stdin, 1);
    assert_eq!(summary(&report), [1, 0, 1, 1]);
    let changes = report["changes"].as_array().unwrap();
    let added = changes.iter().find(|c| c["change"] == "added").unwrap();
    assert_eq!(
        (
            added["kind"].as_str(),
            added["namespace"].as_str(),
            added["name"].as_str()
        ),
        (Some("ConfigMap"), Some("shop"), Some("extra"))
    );
    assert_eq!(added["new_source"], "<stdin>");
    let changed = changes.iter().find(|c| c["change"] == "changed").unwrap();
    assert_eq!(
        field_paths(changed),
        ["spec.template.spec.containers[web].image"]
    );
    // The other way round: stdin as OLD.
    let report = json_with_stdin(&["-", "tests/fixtures/diff/keyorder/old.yaml"], &stdin, 1);
    assert_eq!(summary(&report), [0, 1, 1, 1]);
}

#[test]
fn a_chart_against_its_own_render() {
    let render = skiff().args(["render", CHART]).output().unwrap();
    assert!(render.status.success());
    let stdin = String::from_utf8(render.stdout).unwrap();
    let (code, stdout, stderr) = run_with_stdin(&[CHART, "-"], &stdin);
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn shared_and_per_side_values() {
    // -f applies to both sides: no difference.
    let (code, _, _) = run(&[CHART, CHART, "-f", &values("image")]);
    assert_eq!(code, 0);
    // Per-side flags come after the shared ones and win.
    let report = json(
        &[
            CHART,
            CHART,
            "-f",
            &values("image"),
            "--old-values",
            &values("replicas"),
        ],
        1,
    );
    assert_eq!(field_paths(&report["changes"][0]), ["spec.replicas"]);
    assert_eq!(report["changes"][0]["fields"][0]["old"], 3);
    assert_eq!(report["changes"][0]["fields"][0]["new"], 2);
}

#[test]
fn release_name_and_namespace_apply_to_both_sides() {
    let report = json(
        &[
            CHART,
            CHART,
            "-r",
            "prod",
            "-n",
            "shop",
            "--new-values",
            &values("image"),
        ],
        1,
    );
    let change = &report["changes"][0];
    assert_eq!(
        (change["namespace"].as_str(), change["name"].as_str()),
        (Some("shop"), Some("prod-api"))
    );
}

#[test]
fn ignored_fields_are_not_compared() {
    let args = [
        CHART,
        CHART,
        "--new-values",
        &values("image"),
        "--ignore",
        "spec.template.spec.containers[api].image",
    ];
    assert_eq!(run(&args).0, 0);
    let dir = common::chart(&[
        (
            "old.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    helm.sh/chart: shop-1.0.0\n",
        ),
        (
            "new.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    helm.sh/chart: shop-1.1.0\n",
        ),
    ]);
    let old = dir.path().join("old.yaml");
    let new = dir.path().join("new.yaml");
    let (old, new) = (old.to_str().unwrap(), new.to_str().unwrap());
    let report = json(&[old, new], 1);
    assert_eq!(
        field_paths(&report["changes"][0]),
        [r"metadata.labels.helm\.sh/chart"]
    );
    assert_eq!(
        run(&[old, new, "--ignore", r"metadata.labels.helm\.sh/chart"]).0,
        0
    );
}

#[test]
fn summary_prints_counts_only() {
    let (code, stdout, _) = run(&[CHART, CHART, "--new-values", &values("worker"), "--summary"]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "2 added, 0 removed, 0 changed, 4 unchanged\n");
    let report = json(
        &[CHART, CHART, "--new-values", &values("worker"), "--summary"],
        1,
    );
    assert_eq!(
        report,
        serde_json::json!({"version": 1, "summary": {"added": 2, "removed": 0, "changed": 0, "unchanged": 4}})
    );
}

#[test]
fn context_lines_follow_u() {
    let (_, stdout, _) = run(&[CHART, CHART, "--new-values", &values("image"), "-U", "0"]);
    let unified: Vec<&str> = stdout.lines().filter(|l| l.starts_with("    ")).collect();
    assert_eq!(
        unified,
        [
            "    @@ -23 +23 @@",
            "    -        image: registry.example.com/shop/api:1.4.0",
            "    +        image: registry.example.com/shop/api:1.5.0"
        ]
    );
}

#[test]
fn colour_is_off_off_a_terminal_and_on_when_asked() {
    let args = [CHART, CHART, "--new-values", &values("image")];
    // Not a terminal: no colour.
    let (code, plain, _) = run(&args);
    assert_eq!(code, 1);
    assert!(
        plain.contains("changed") && !plain.contains('\x1b'),
        "{plain}"
    );
    let (code, coloured, _) = run(&[&args[..], &["--color", "always"]].concat());
    assert_eq!(code, 1);
    assert!(coloured.contains("\x1b[33mchanged\x1b[0m"), "{coloured}");
    let (code, never, _) = run(&[&args[..], &["--color", "never"]].concat());
    assert_eq!(code, 1);
    assert!(
        never.contains("changed") && !never.contains('\x1b'),
        "{never}"
    );
}

#[test]
fn markdown_for_a_pull_request() {
    let (code, stdout, stderr) = run(&[
        CHART,
        CHART,
        "--new-values",
        &values("image"),
        "--new-values",
        &values("host"),
        "--new-values",
        &values("secret"),
        "--new-values",
        &values("env"),
        "-o",
        "markdown",
    ]);
    assert_eq!(code, 1, "{stderr}");
    insta::assert_snapshot!("markdown_for_a_pull_request", stdout);
}

#[test]
fn markdown_without_changes() {
    let (code, stdout, _) = run(&[CHART, CHART, "-o", "markdown"]);
    assert_eq!(code, 0);
    assert_eq!(stdout, "### skiff diff: no changes (4 objects unchanged)\n");
}

#[test]
fn errors_exit_2() {
    let cases: &[(&[&str], &str)] = &[
        (
            &[CHART, "tests/fixtures/diff/nope.yaml"],
            "tests/fixtures/diff/nope.yaml",
        ),
        (
            &[CHART, "tests/fixtures/diff/invalid.yaml"],
            "tests/fixtures/diff/invalid.yaml: rendered output is not valid YAML",
        ),
        // A folder is a chart; this one has no Chart.yaml.
        (&[CHART, "tests/fixtures/diff"], "no Chart.yaml"),
        (&[CHART, "tests/fixtures/diff/missing.tgz"], "missing.tgz"),
        (
            &[CHART, CHART, "--ignore", "a..b"],
            "--ignore \"a..b\": empty key",
        ),
        (
            &[
                CHART,
                CHART,
                "--new-values",
                "tests/fixtures/diff/none.yaml",
            ],
            "none.yaml",
        ),
        (&["-", "-"], "stdin (-) can be read only once"),
        (
            &[CHART, CHART, "-f", "-", "--new-values", "-"],
            "stdin (-) can be read only once",
        ),
        (&[CHART, "-", "-f", "-"], "stdin (-) can be read only once"),
        (
            &[
                "tests/fixtures/diff/keyorder/old.yaml",
                CHART,
                "--old-set",
                "a=1",
            ],
            "--old-values/--old-set apply to a chart",
        ),
        (
            &[
                "tests/fixtures/diff/keyorder/old.yaml",
                "tests/fixtures/diff/keyorder/new.yaml",
                "--set",
                "a=1",
            ],
            "neither OLD nor NEW is a chart",
        ),
    ];
    for (args, message) in cases {
        let (code, stdout, stderr) = run(args);
        assert_eq!(code, 2, "{args:?}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        assert!(
            stderr.contains(message),
            "{args:?}: expected {message:?} in:\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, stderr) = run(&[CHART]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, _) = run(&[CHART, CHART, "-o", "yaml"]);
    assert_eq!(code, 2);
}

#[test]
fn duplicate_objects_are_an_error() {
    let text = std::fs::read_to_string("tests/fixtures/diff/keyorder/old.yaml").unwrap();
    let (code, _, stderr) = run_with_stdin(
        &["tests/fixtures/diff/keyorder/old.yaml", "-"],
        &format!("{text}---\n{text}"),
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("NEW: ConfigMap shop/settings appears twice (in <stdin> and <stdin>)"),
        "{stderr}"
    );
}

#[test]
fn set_flags_apply_to_one_side_or_both() {
    let report = json(
        &[
            CHART,
            CHART,
            "--new-set",
            "image=registry.example.com/shop/api:1.5.0",
        ],
        1,
    );
    assert_eq!(summary(&report), [0, 0, 1, 3]);
    assert_eq!(
        field_paths(&report["changes"][0]),
        ["spec.template.spec.containers[api].image"]
    );
    // The same --set on both sides: no difference.
    let report = json(
        &[
            CHART,
            CHART,
            "--set",
            "image=registry.example.com/shop/api:1.5.0",
        ],
        0,
    );
    assert_eq!(summary(&report)[..3], [0, 0, 0]);
}

#[test]
fn a_shared_values_file_on_stdin_serves_both_charts() {
    // Read once, layered under each side's own flags on both sides.
    let stdin = "image: registry.example.com/shop/api:2.0.0\nreplicas: 5\n";
    let args = [
        CHART,
        CHART,
        "-f",
        "-",
        "--new-set",
        "replicas=6",
        "-o",
        "json",
    ];
    let (code, stdout, stderr) = run_with_stdin(&args, stdin);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary(&report), [0, 0, 1, 3]);
    assert_eq!(field_paths(&report["changes"][0]), ["spec.replicas"]);
    // Without the --new-set both sides get the stdin values: no change.
    let (code, stdout, stderr) = run_with_stdin(&[CHART, CHART, "-f", "-"], stdin);
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn a_packaged_chart_against_its_folder() {
    let out = tempfile::tempdir().unwrap();
    skiff()
        .args(["package", CHART, "-d", out.path().to_str().unwrap()])
        .assert()
        .success();
    let archive = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "tgz"))
        .expect("an archive");
    let archive = archive.to_str().unwrap();
    let (code, stdout, stderr) = run(&[archive, CHART]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report = json(&[archive, CHART, "--new-values", &values("image")], 1);
    assert_eq!(summary(&report), [0, 0, 1, 3]);
}

#[test]
fn objects_without_kind_or_name_exit_2() {
    let cases = [
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {}\n",
            "object 1 has no metadata.name",
        ),
        (
            "apiVersion: v1\nmetadata:\n  name: x\n",
            "object 1 has no kind",
        ),
    ];
    for (stdin, message) in cases {
        let (code, stdout, stderr) = run_with_stdin(&[CHART, "-"], stdin);
        assert_eq!(code, 2, "stdout:\n{stdout}\nstderr:\n{stderr}");
        assert!(stdout.is_empty(), "{stdout}");
        assert!(
            stderr.contains(message),
            "expected {message:?} in:\n{stderr}"
        );
        assert!(stderr.contains("hint: every document must be a Kubernetes object"));
    }
}

/// The shared -f and --set reach each side: with the other side's image
/// overridden, the side left alone shows the shared value.
#[test]
fn shared_values_reach_both_sides() {
    const SHARED: &str = "registry.example.com/shop/api:1.5.0";
    const OTHER: &str = "image=registry.example.com/shop/api:9.9.9";
    for shared in [
        vec!["-f".to_string(), values("image")],
        vec!["--set".to_string(), format!("image={SHARED}")],
    ] {
        let shared: Vec<&str> = shared.iter().map(String::as_str).collect();
        let mut args = vec![CHART, CHART];
        args.extend(&shared);
        args.extend(["--old-set", OTHER]);
        let report = json(&args, 1);
        assert_eq!(
            report["changes"][0]["fields"][0]["new"], SHARED,
            "{shared:?}"
        );
        let mut args = vec![CHART, CHART];
        args.extend(&shared);
        args.extend(["--new-set", OTHER]);
        let report = json(&args, 1);
        assert_eq!(
            report["changes"][0]["fields"][0]["old"], SHARED,
            "{shared:?}"
        );
    }
}
