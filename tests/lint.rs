//! `skiff lint`: each rule on a chart that fails it, and the well-made
//! chart in tests/fixtures/lint/good (Deployment, Service, Ingress, HPA,
//! PDB, ExternalSecret, ServiceAccount, Job) as the fix that passes.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{CHART_YAML, chart, fixture, packaged, skiff};
use serde_json::Value;

/// The good chart's files with some replaced (or, with "", emptied).
fn good_with(overrides: &[(&str, &str)]) -> tempfile::TempDir {
    let root = fixture("lint/good");
    let mut files: Vec<(String, String)> = Vec::new();
    for dir in ["", "templates/", "ci/"] {
        let mut entries: Vec<_> = std::fs::read_dir(root.join(dir))
            .expect("fixture folder")
            .flatten()
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries.into_iter().filter(|e| e.path().is_file()) {
            let rel = format!("{dir}{}", entry.file_name().to_string_lossy());
            files.push((
                rel,
                std::fs::read_to_string(entry.path()).expect("fixture file"),
            ));
        }
    }
    for (path, text) in overrides {
        match files.iter_mut().find(|(p, _)| p == path) {
            Some(entry) => entry.1 = text.to_string(),
            None => files.push((path.to_string(), text.to_string())),
        }
    }
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    chart(&borrowed)
}

/// Runs `skiff lint DIR -o json ARGS`; returns the exit code and the json.
fn lint_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let out = skiff()
        .arg("lint")
        .arg(dir)
        .args(["-o", "json"])
        .args(args)
        .output()
        .expect("run skiff");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not json ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().expect("exit code"), json)
}

fn rules(json: &Value) -> BTreeSet<String> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().unwrap_or("").to_string())
        .collect()
}

/// Lints a good chart with overrides and asserts exactly `want` rules fire.
#[track_caller]
fn assert_rules(overrides: &[(&str, &str)], want: &[&str]) -> Value {
    let dir = good_with(overrides);
    let (code, json) = lint_json(dir.path(), &[]);
    let want: BTreeSet<String> = want.iter().map(|s| s.to_string()).collect();
    assert_eq!(rules(&json), want, "{json:#}");
    let errors = json["summary"]["errors"].as_u64().expect("summary.errors");
    assert_eq!(code, if errors > 0 { 1 } else { 0 }, "{json:#}");
    json
}

fn finding<'a>(json: &'a Value, rule: &str) -> &'a Value {
    json["findings"]
        .as_array()
        .and_then(|list| list.iter().find(|f| f["rule"] == rule))
        .unwrap_or_else(|| panic!("no {rule} finding in {json:#}"))
}

const DEPLOYMENT: &str = "templates/deployment.yaml";

fn deployment_with(from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(fixture("lint/good").join(DEPLOYMENT)).expect("fixture");
    assert!(text.contains(from), "fixture lacks {from:?}");
    text.replace(from, to)
}

#[test]
fn the_good_chart_lints_clean_with_strict() {
    let (code, json) = lint_json(&fixture("lint/good"), &["--strict"]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(
        json,
        serde_json::json!({"findings": [], "summary": {"errors": 0, "warnings": 0, "info": 0}})
    );
    skiff()
        .args(["lint", "tests/fixtures/lint/good", "--strict"])
        .assert()
        .success()
        .stdout("good: 0 errors, 0 warnings, 0 info (2 value sets: defaults, ci/prod.yaml)\n");
}

#[test]
fn json_findings_have_the_documented_shape() {
    let json = assert_rules(
        &[(
            "templates/service.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ release.name }}-web\nspec:\n  selector: {app: wbe}\n  ports: [{name: http, port: 80, targetPort: http}]\n",
        )],
        &["service-selector"],
    );
    let f = finding(&json, "service-selector");
    let keys: BTreeSet<&str> = f
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "severity",
            "rule",
            "value_set",
            "location",
            "object",
            "message",
            "hint"
        ])
    );
    assert_eq!(f["severity"], "error");
    assert_eq!(f["value_set"], "defaults");
    assert_eq!(f["location"], "templates/service.yaml");
    assert_eq!(f["object"], "Service/release-web");
    assert!(
        f["message"].as_str().unwrap_or("").contains("app=wbe"),
        "{f}"
    );
    assert!(!f["hint"].as_str().unwrap_or("").is_empty());
    // Reported once per value set.
    let sets: Vec<&Value> = json["findings"]
        .as_array()
        .map(|l| l.iter().map(|f| &f["value_set"]).collect())
        .unwrap_or_default();
    assert_eq!(
        sets,
        [&Value::from("defaults"), &Value::from("ci/prod.yaml")]
    );
    assert_eq!(
        json["summary"],
        serde_json::json!({"errors": 2, "warnings": 0, "info": 0})
    );
}

#[test]
fn text_output_lines_and_summary() {
    let dir = good_with(&[(
        "values.yaml",
        "image: nginx:latest\nreplicas: 2\nhost: a.example.com\nautoscaling: {enabled: true, minReplicas: 2, maxReplicas: 5}\n",
    )]);
    let out = skiff().arg("lint").arg(dir.path()).output().expect("run");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("warning[image-tag] defaults Deployment/release-web: container \"web\" image \"nginx:latest\" uses the latest tag\n  hint: pin the image"),
        "{text}"
    );
    assert!(
        text.contains("warning[image-tag] ci/prod.yaml Job/release-migrate:"),
        "{text}"
    );
    assert!(
        text.ends_with(
            "good: 0 errors, 4 warnings, 0 info (2 value sets: defaults, ci/prod.yaml)\n"
        ),
        "{text}"
    );
}

#[test]
fn strict_fails_on_warnings_only() {
    let dir = good_with(&[(
        "values.yaml",
        "image: nginx\nreplicas: 2\nhost: a.example.com\nautoscaling: {enabled: true, minReplicas: 2, maxReplicas: 5}\n",
    )]);
    assert_eq!(lint_json(dir.path(), &[]).0, 0);
    assert_eq!(lint_json(dir.path(), &["--strict"]).0, 1);
    // Info never fails, even with --strict.
    let dir = good_with(&[("README.md", "")]);
    std::fs::remove_file(dir.path().join("README.md")).expect("rm");
    let (code, json) = lint_json(dir.path(), &["--strict"]);
    assert_eq!(
        (code, rules(&json)),
        (0, BTreeSet::from(["chart-readme".to_string()]))
    );
}

#[test]
fn unlintable_charts_exit_2() {
    let missing = chart(&[("values.yaml", "a: 1\n")]);
    skiff()
        .arg("lint")
        .arg(missing.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no Chart.yaml"));
    let broken = chart(&[("Chart.yaml", "apiVersion: v2\nname: [\n")]);
    skiff()
        .arg("lint")
        .arg(broken.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("Chart.yaml"));
    skiff()
        .args(["lint", "tests/fixtures/lint/no-such-chart"])
        .assert()
        .code(2);
    let bad_settings = good_with(&[(".skifflint.yaml", "disabled: [image-tag]\n")]);
    skiff()
        .arg("lint")
        .arg(bad_settings.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains(".skifflint.yaml"));
    let good = fixture("lint/good");
    skiff()
        .arg("lint")
        .arg(&good)
        .args(["-f", "no-such-values.yaml"])
        .assert()
        .code(2);
}

// ---- chart files ----

#[test]
fn an_empty_kube_version_is_no_constraint() {
    let chart_yaml = std::fs::read_to_string(fixture("lint/good").join("Chart.yaml")).unwrap();
    let with_empty = format!("{chart_yaml}kubeVersion: \"\"\n");
    assert_rules(&[("Chart.yaml", with_empty.as_str())], &[]);
}

#[test]
fn chart_yaml_field_problems_are_reported_together() {
    let json = assert_rules(
        &[(
            "Chart.yaml",
            "apiVersion: v1\nname: Good_Chart\nversion: 1.2\nkubeVersion: '>= one'\ntype: app\nicon: https://x/y.svg\nappversion: 1\n",
        )],
        &[
            "chart-api-version",
            "chart-name-format",
            "chart-version",
            "chart-kube-version",
            "chart-type",
            "chart-unknown-field",
        ],
    );
    let f = finding(&json, "chart-version");
    assert_eq!(
        (&f["location"], &f["value_set"], &f["object"]),
        (&Value::from("Chart.yaml"), &Value::Null, &Value::Null)
    );
    assert!(
        finding(&json, "chart-unknown-field")["hint"]
            .as_str()
            .unwrap_or("")
            .contains("appVersion")
    );
}

#[test]
fn chart_name_and_version_are_required() {
    assert_rules(
        &[("Chart.yaml", "apiVersion: v2\nicon: https://x/y.svg\n")],
        &["chart-name", "chart-version"],
    );
    assert_rules(
        &[(
            "Chart.yaml",
            "apiVersion: v2\nname: a/b\nversion: 0.1.0\nicon: https://x/y.svg\n",
        )],
        &["chart-name"],
    );
}

#[test]
fn chart_yaml_wrong_types_skip_renders() {
    assert_rules(
        &[(
            "Chart.yaml",
            "apiVersion: v2\nname: good\nversion: 0.1.0\nicon: i\nmaintainers: bob\n",
        )],
        &["chart-yaml"],
    );
}

#[test]
fn chart_icon_and_readme_are_info() {
    let dir = chart(&[("Chart.yaml", CHART_YAML)]);
    let (code, json) = lint_json(dir.path(), &["--strict"]);
    assert_eq!(code, 0);
    assert_eq!(
        rules(&json),
        BTreeSet::from(["chart-icon".to_string(), "chart-readme".to_string()])
    );
    assert_eq!(json["summary"]["info"], 2);
}

#[test]
fn values_yaml_must_parse() {
    assert_rules(&[("values.yaml", "- a\n")], &["values-yaml"]);
}

#[test]
fn values_schema_must_be_json_and_a_schema() {
    assert_rules(
        &[("values.schema.json", "{\"type\": \"object\",}")],
        &["values-schema"],
    );
    assert_rules(
        &[("values.schema.json", "{\"type\": \"objekt\"}")],
        &["values-schema"],
    );
    assert_rules(&[("values.schema.json", "{\"type\": \"object\"}")], &[]);
}

#[test]
fn settings_name_known_rules_and_disable_rules() {
    let json = assert_rules(
        &[(".skifflint.yaml", "disable: [container-probe]\n")],
        &["lint-settings"],
    );
    assert!(
        finding(&json, "lint-settings")["hint"]
            .as_str()
            .unwrap_or("")
            .contains("container-probes")
    );
    let no_probes = deployment_with("readinessProbe", "startupProbe");
    assert_rules(&[(DEPLOYMENT, &no_probes)], &["container-probes"]);
    assert_rules(
        &[
            (DEPLOYMENT, &no_probes),
            (".skifflint.yaml", "disable: [container-probes]\n"),
        ],
        &[],
    );
}

#[test]
fn an_annotation_disables_rules_for_one_object() {
    let no_probes = deployment_with("readinessProbe", "startupProbe");
    let annotated = no_probes.replace(
        "  labels: {app: web}\n",
        "  labels: {app: web}\n  annotations:\n    skiff.dev/lint-disable: \"image-tag, container-probes\"\n",
    );
    assert_rules(&[(DEPLOYMENT, &annotated)], &[]);
}

// ---- renders ----

#[test]
fn render_failures_are_findings_per_value_set() {
    let ingress =
        std::fs::read_to_string(fixture("lint/good/templates/ingress.yaml")).expect("fixture");
    let ingress = ingress.replace(
        "- host: {{ values.host }}",
        "- host: {{ values.host | required(\"set host\") }}",
    );
    let json = assert_rules(
        &[
            ("ci/broken.yaml", "host: \"\"\n"),
            ("templates/ingress.yaml", &ingress),
        ],
        &["render"],
    );
    let f = finding(&json, "render");
    assert_eq!(f["value_set"], "ci/broken.yaml");
    assert_eq!(f["location"], "ci/broken.yaml");
    assert!(
        f["message"]
            .as_str()
            .unwrap_or("")
            .contains("templates/ingress.yaml"),
        "{f}"
    );
    // The other value sets still render and pass.
    assert_eq!(json["summary"]["errors"], 1);
}

#[test]
fn user_value_flags_apply_to_every_value_set() {
    let dir = good_with(&[]);
    std::fs::write(dir.path().join("extra.yaml"), "image: nginx\n").expect("write");
    let (code, json) = lint_json(
        dir.path(),
        &["-f", &dir.path().join("extra.yaml").to_string_lossy()],
    );
    assert_eq!(code, 0);
    let sets: BTreeSet<&str> = json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["value_set"].as_str())
        .collect();
    assert_eq!(sets, BTreeSet::from(["defaults", "ci/prod.yaml"]));
    assert_eq!(rules(&json), BTreeSet::from(["image-tag".to_string()]));
}

// ---- objects ----

#[test]
fn object_fields() {
    assert_rules(
        &[("templates/extra.yaml", "kind: ConfigMap\ndata: {a: b}\n")],
        &["object-fields"],
    );
}

#[test]
fn object_names_follow_the_kind_rules() {
    let svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: 2nd-web\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";
    assert_rules(&[("templates/extra.yaml", svc)], &["object-name"]);
    let cm = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\n",
        "a".repeat(254)
    );
    assert_rules(&[("templates/extra.yaml", &cm)], &["object-name"]);
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Web_Config\n  namespace: Team\n";
    let json = assert_rules(&[("templates/extra.yaml", cm)], &["object-name"]);
    assert_eq!(json["summary"]["errors"], 4); // name and namespace, in two value sets
    // A dotted ConfigMap name and an RBAC name with ':' are fine.
    let ok = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web.config\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: system:web\nrules: []\n";
    assert_rules(&[("templates/extra.yaml", ok)], &[]);
}

#[test]
fn duplicate_objects() {
    let sa = std::fs::read_to_string(fixture("lint/good/templates/serviceaccount.yaml"))
        .expect("fixture");
    let json = assert_rules(&[("templates/sa2.yaml", &sa)], &["object-duplicate"]);
    let f = finding(&json, "object-duplicate");
    assert!(
        f["message"]
            .as_str()
            .unwrap_or("")
            .contains("good/templates/serviceaccount.yaml"),
        "{f}"
    );
    // Another namespace is another object.
    let other = sa.replace("metadata:\n", "metadata:\n  namespace: other\n");
    assert_rules(&[("templates/sa2.yaml", &other)], &[]);
}

#[test]
fn workload_selector_must_match_pod_labels() {
    let wrong = deployment_with("matchLabels: {app: web}", "matchLabels: {app: api}");
    // The Service and PDB still select the pods; the HPA/PDB are fine.
    assert_rules(&[(DEPLOYMENT, &wrong)], &["workload-selector"]);
    let none = deployment_with("  selector:\n    matchLabels: {app: web}\n", "");
    assert_rules(&[(DEPLOYMENT, &none)], &["workload-selector"]);
}

#[test]
fn service_selector_and_target_ports() {
    let svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ release.name }}-web\nspec:\n  selector: {app: web}\n  ports:\n    - {name: http, port: 80, targetPort: web-http}\n";
    let json = assert_rules(&[("templates/service.yaml", svc)], &["service-target-port"]);
    assert!(
        finding(&json, "service-target-port")["message"]
            .as_str()
            .unwrap_or("")
            .contains("Deployment/release-web")
    );
    // A selector with the pod labels plus matchExpressions-free subset passes; no selector is skipped.
    let headless = "apiVersion: v1\nkind: Service\nmetadata:\n  name: external-db\nspec:\n  ports: [{port: 5432}]\n";
    assert_rules(&[("templates/extra.yaml", headless)], &[]);
    let other_ns = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web2\n  namespace: other\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";
    assert_rules(&[("templates/extra.yaml", other_ns)], &["service-selector"]);
}

#[test]
fn ingress_backends_name_services_and_ports() {
    let ingress =
        std::fs::read_to_string(fixture("lint/good/templates/ingress.yaml")).expect("fixture");
    let wrong_port = ingress.replace("port: {name: http}", "port: {number: 8080}");
    let json = assert_rules(
        &[("templates/ingress.yaml", &wrong_port)],
        &["ingress-backend"],
    );
    assert!(
        finding(&json, "ingress-backend")["message"]
            .as_str()
            .unwrap_or("")
            .contains("no port 8080")
    );
    let right_port = ingress.replace("port: {name: http}", "port: {number: 80}");
    assert_rules(&[("templates/ingress.yaml", &right_port)], &[]);
    let wrong_service = ingress.replace(
        "name: {{ release.name }}-web\n                port",
        "name: web\n                port",
    );
    assert_rules(
        &[("templates/ingress.yaml", &wrong_service)],
        &["ingress-backend"],
    );
}

#[test]
fn hpa_targets_and_replicas() {
    let hpa = std::fs::read_to_string(fixture("lint/good/templates/hpa.yaml")).expect("fixture");
    let wrong = hpa.replace(
        "kind: Deployment, name: {{ release.name }}-web",
        "kind: StatefulSet, name: {{ release.name }}-web",
    );
    // No HPA reaches the Deployment any more, but it runs one replica, so no pdb-missing.
    let json = assert_rules(&[("templates/hpa.yaml", &wrong)], &["hpa-target"]);
    assert_eq!(finding(&json, "hpa-target")["value_set"], "defaults");
    let always_replicas = deployment_with(
        "{% if not values.autoscaling.enabled %}\n  replicas: {{ values.replicas }}\n{% endif %}",
        "  replicas: {{ values.replicas }}",
    );
    let json = assert_rules(&[(DEPLOYMENT, &always_replicas)], &["hpa-replicas"]);
    let f = finding(&json, "hpa-replicas");
    assert_eq!(
        (&f["severity"], &f["object"]),
        (
            &Value::from("warning"),
            &Value::from("Deployment/release-web")
        )
    );
}

#[test]
fn pdbs_select_pods_and_multi_replica_workloads_have_one() {
    let pdb = std::fs::read_to_string(fixture("lint/good/templates/pdb.yaml")).expect("fixture");
    let wrong = pdb.replace("matchLabels: {app: web}", "matchLabels: {app: wbe}");
    let json = assert_rules(
        &[("templates/pdb.yaml", &wrong)],
        &["pdb-selector", "pdb-missing"],
    );
    // defaults: HPA minReplicas 2; ci/prod.yaml: replicas 3.
    let missing: Vec<&Value> = json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "pdb-missing")
        .collect();
    assert_eq!(missing.len(), 2);
    assert!(
        missing[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("HorizontalPodAutoscaler/release-web keeps at least 2")
    );
    assert!(
        missing[1]["message"]
            .as_str()
            .unwrap_or("")
            .contains("runs 3 replicas")
    );
    // One replica needs no PDB.
    assert_rules(
        &[
            ("templates/pdb.yaml", ""),
            (
                "values.yaml",
                "image: a:1\nreplicas: 1\nhost: h\nautoscaling: {enabled: false}\n",
            ),
            ("ci/prod.yaml", "replicas: 1\n"),
        ],
        &[],
    );
}

#[test]
fn secret_references_need_a_creator_or_a_declaration() {
    let dep = deployment_with(
        "secretRef: {name: {{ release.name }}-web-db}",
        "secretRef: {name: db-credentials}",
    );
    let json = assert_rules(&[(DEPLOYMENT, &dep)], &["secret-ref"]);
    assert!(
        finding(&json, "secret-ref")["message"]
            .as_str()
            .unwrap_or("")
            .contains("container \"web\" envFrom references Secret \"db-credentials\"")
    );
    // Declared external, by annotation or settings; or optional.
    let annotated = dep.replace("  labels: {app: web}\n", "  labels: {app: web}\n  annotations: {skiff.dev/external-secrets: \"other, db-credentials\"}\n");
    assert_rules(&[(DEPLOYMENT, &annotated)], &[]);
    assert_rules(
        &[
            (DEPLOYMENT, &dep),
            (
                ".skifflint.yaml",
                "external:\n  secrets: [db-credentials]\n",
            ),
        ],
        &[],
    );
    let optional = dep.replace(
        "{name: db-credentials}",
        "{name: db-credentials, optional: true}",
    );
    assert_rules(&[(DEPLOYMENT, &optional)], &[]);
    // An ExternalSecret's spec.target.name is the Secret it creates.
    let es = std::fs::read_to_string(fixture("lint/good/templates/externalsecret.yaml"))
        .expect("fixture");
    let targeted = es.replace(
        "  refreshInterval: 1h\n",
        "  refreshInterval: 1h\n  target: {name: db-credentials}\n",
    );
    let json = assert_rules(
        &[
            (DEPLOYMENT, &dep),
            ("templates/externalsecret.yaml", &targeted),
        ],
        &["secret-ref"],
    );
    // ... so now the Job's reference to release-web-db is the broken one.
    assert_eq!(
        finding(&json, "secret-ref")["object"],
        "Job/release-migrate"
    );
    // Volumes and env keys are references too; a plain Secret creates one.
    let vol = deployment_with(
        "      containers:\n",
        "      volumes:\n        - name: tls\n          secret: {secretName: web-tls}\n      containers:\n",
    );
    assert_rules(&[(DEPLOYMENT, &vol)], &["secret-ref"]);
    let secret =
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: web-tls\ntype: kubernetes.io/tls\n";
    assert_rules(
        &[(DEPLOYMENT, &vol), ("templates/secret.yaml", secret)],
        &[],
    );
}

#[test]
fn configmap_references_need_a_creator_or_a_declaration() {
    let env = "          env:\n            - name: MODE\n              valueFrom: {configMapKeyRef: {name: web-config, key: mode}}\n          readinessProbe";
    let dep = deployment_with("          readinessProbe", env);
    let json = assert_rules(&[(DEPLOYMENT, &dep)], &["configmap-ref"]);
    assert!(
        finding(&json, "configmap-ref")["message"]
            .as_str()
            .unwrap_or("")
            .contains("env MODE")
    );
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\ndata: {mode: fast}\n";
    assert_rules(&[(DEPLOYMENT, &dep), ("templates/configmap.yaml", cm)], &[]);
    let annotated = dep.replace(
        "  labels: {app: web}\n",
        "  labels: {app: web}\n  annotations: {skiff.dev/external-configmaps: web-config}\n",
    );
    assert_rules(&[(DEPLOYMENT, &annotated)], &[]);
    assert_rules(
        &[
            (DEPLOYMENT, &dep),
            (".skifflint.yaml", "external: {configMaps: [web-config]}\n"),
        ],
        &[],
    );
    let root_ca = deployment_with(
        "      containers:\n",
        "      volumes:\n        - name: ca\n          configMap: {name: kube-root-ca.crt}\n      containers:\n",
    );
    assert_rules(&[(DEPLOYMENT, &root_ca)], &[]);
}

// ---- hygiene ----

#[test]
fn container_resources() {
    let dep = deployment_with("            limits: {memory: 256Mi}\n", "");
    let json = assert_rules(&[(DEPLOYMENT, &dep)], &["container-resources"]);
    assert!(
        finding(&json, "container-resources")["message"]
            .as_str()
            .unwrap_or("")
            .contains("no resource limits")
    );
}

#[test]
fn container_probes_only_for_long_running_workloads() {
    let dep = deployment_with(
        "          livenessProbe: {httpGet: {path: /healthz, port: http}}\n",
        "",
    );
    let json = assert_rules(&[(DEPLOYMENT, &dep)], &["container-probes"]);
    assert!(
        finding(&json, "container-probes")["message"]
            .as_str()
            .unwrap_or("")
            .contains("no livenessProbe")
    );
    // The Job of the good chart has no probes and passes.
}

#[test]
fn run_as_non_root() {
    let dep = deployment_with(
        "      securityContext: {runAsNonRoot: true, runAsUser: 10001}\n",
        "",
    );
    assert_rules(&[(DEPLOYMENT, &dep)], &["run-as-non-root"]);
    let root = deployment_with(
        "securityContext: {allowPrivilegeEscalation: false}",
        "securityContext: {allowPrivilegeEscalation: false, runAsUser: 0}",
    );
    let json = assert_rules(&[(DEPLOYMENT, &root)], &["run-as-non-root"]);
    assert!(
        finding(&json, "run-as-non-root")["message"]
            .as_str()
            .unwrap_or("")
            .contains("runAsUser: 0")
    );
}

#[test]
fn privilege_escalation() {
    let dep = deployment_with(
        "securityContext: {allowPrivilegeEscalation: false}",
        "securityContext: {}",
    );
    assert_rules(&[(DEPLOYMENT, &dep)], &["privilege-escalation"]);
    let privileged = deployment_with(
        "securityContext: {allowPrivilegeEscalation: false}",
        "securityContext: {allowPrivilegeEscalation: false, privileged: true}",
    );
    assert_rules(&[(DEPLOYMENT, &privileged)], &["privilege-escalation"]);
}

#[test]
fn image_tags() {
    let dep = deployment_with("image: {{ values.image }}", "image: ghcr.io/example/web");
    let json = assert_rules(&[(DEPLOYMENT, &dep)], &["image-tag"]);
    assert!(
        finding(&json, "image-tag")["message"]
            .as_str()
            .unwrap_or("")
            .contains("has no tag")
    );
    let digest = deployment_with(
        "image: {{ values.image }}",
        "image: ghcr.io/example/web@sha256:0123456789abcdef",
    );
    assert_rules(&[(DEPLOYMENT, &digest)], &[]);
}

#[test]
fn lints_a_chart_of_the_render_tests() {
    // The render fixture has hygiene warnings but no errors.
    let (code, json) = lint_json(&fixture("basic"), &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["summary"]["errors"], 0);
    assert_eq!(lint_json(&fixture("basic"), &["--strict"]).0, 1);
}

#[test]
fn a_job_sharing_the_service_labels_does_not_need_its_ports() {
    let job = std::fs::read_to_string(fixture("lint/good/templates/job.yaml")).expect("fixture");
    let labelled = job.replace(
        "  template:\n    spec:\n",
        "  template:\n    metadata:\n      labels: {app: web, component: migrate}\n    spec:\n",
    );
    assert!(labelled.contains("component: migrate"));
    assert_rules(&[("templates/job.yaml", &labelled)], &[]);
}

#[test]
fn schema_violations_in_a_value_set_are_values_schema_findings() {
    let dir = chart(&[
        ("Chart.yaml", CHART_YAML),
        ("values.yaml", "replicas: 1\n"),
        (
            "values.schema.json",
            r#"{"type": "object", "additionalProperties": false, "properties": {"replicas": {"type": "integer"}}}"#,
        ),
        ("ci/typo.yaml", "replicsa: 2\n"),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        ),
    ]);
    let (code, json) = lint_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "values-schema")
        .expect("a values-schema finding");
    assert_eq!(finding["value_set"], "ci/typo.yaml");
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("replicsa: unknown key `replicsa`")
    );
    assert_eq!(finding["hint"], "did you mean `replicas`?");
}

#[test]
fn a_subchart_that_does_not_load_is_a_finding() {
    let dir = chart(&[
        ("Chart.yaml", CHART_YAML),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        ),
        ("charts/db-1.0.0.tgz", "not an archive"),
    ]);
    let (code, json) = lint_json(dir.path(), &[]);
    assert_eq!(code, 1, "{json}");
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "dependencies")
        .expect("a dependencies finding");
    assert_eq!(finding["location"], "charts/");
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("db-1.0.0.tgz"),
        "{finding}"
    );
    assert!(
        !json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "render")
    );
}

/// A packaged chart lints like its folder: ci/ value sets are read from the
/// archive, and findings name them by their place in the archive, never by
/// the temporary copy lint renders from.
#[test]
fn a_packaged_chart_lints_its_ci_value_sets_from_the_archive() {
    let src = chart(&[
        ("Chart.yaml", CHART_YAML),
        ("values.yaml", "replicas: 1\n"),
        (
            "values.schema.json",
            r#"{"type": "object", "properties": {"replicas": {"type": "integer"}}}"#,
        ),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  r: \"{{ values.replicas }}\"\n",
        ),
        ("ci/bad.yaml", "replicas: many\n"),
    ]);
    let (_out, archive) = packaged(src.path(), "demo-0.1.0.tgz");
    let run = skiff()
        .arg("lint")
        .arg(&archive)
        .args(["-o", "json"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&run.stdout).unwrap();
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "values-schema")
        .expect("a values-schema finding");
    assert_eq!(finding["value_set"], "ci/bad.yaml");
    let message = finding["message"].as_str().unwrap();
    let shown = format!("{}/demo/ci/bad.yaml:1", archive.display());
    assert!(message.contains(&shown), "{message}");
    assert_eq!(message.matches("ci/bad.yaml").count(), 1, "{message}");
}

/// `-f -` is read once and applies to every value set, the defaults and
/// each ci/ file alike.
#[test]
fn values_from_stdin_apply_to_every_value_set() {
    let src = chart(&[
        ("Chart.yaml", CHART_YAML),
        ("values.yaml", "replicas: 1\nname: x\n"),
        (
            "values.schema.json",
            r#"{"type": "object", "properties": {"replicas": {"type": "integer"}}}"#,
        ),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"{{ values.name }}\"\ndata:\n  r: \"{{ values.replicas }}\"\n",
        ),
        ("ci/other.yaml", "name: y\n"),
    ]);
    let run = skiff()
        .arg("lint")
        .arg(src.path())
        .args(["-f", "-", "-o", "json"])
        .write_stdin("replicas: many\n")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&run.stdout).unwrap();
    let sets: BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "values-schema")
        .map(|f| f["value_set"].as_str().unwrap_or("defaults"))
        .collect();
    assert_eq!(sets, BTreeSet::from(["defaults", "ci/other.yaml"]));
}
