//! charts/starter, the reference chart of the hosting guide (seed 004):
//! every ci/ value set renders, and each behaviour of the contract is
//! checked object by object on the parsed output.
//!
//! Tests that go through values.computed.yaml or values.schema.json need
//! the values pipeline to run them (`skiff render` applies both); the
//! schema itself is also checked directly with the jsonschema crate, so a
//! schema regression shows even without it.

mod common;

use std::path::Path;

use common::manifests::{
    Render, assert_docs_table_matches_schema, assert_hardened, assert_schema_accepts,
    assert_sets_validate, ci_sets, container, documented_paths, env, env_from, env_from_secret,
    merged, s, values_file, violations,
};
use serde_yaml::Value;

const CHART: &str = "charts/starter";

/// The ci/ value sets plus the documented production example.
fn value_sets() -> Vec<String> {
    let mut sets = ci_sets(CHART);
    sets.push(format!("{CHART}/values.prod.yaml"));
    sets
}

fn render(args: &[&str]) -> Render {
    common::manifests::render(&[&[CHART], args].concat())
}

fn render_set(set: &str) -> Render {
    render(&["-f", set])
}

/// A render that must fail with a usage/values error (exit 2); its stderr.
fn render_error(args: &[&str]) -> String {
    common::manifests::render_error(&[&[CHART], args].concat())
}

/// (host, path, service) for every Ingress rule path.
fn routes(ingress: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for rule in ingress["spec"]["rules"].as_sequence().expect("rules") {
        for p in rule["http"]["paths"].as_sequence().expect("paths") {
            assert_eq!(p["pathType"].as_str(), Some("Prefix"));
            assert_eq!(
                p["backend"]["service"]["port"]["name"].as_str(),
                Some("http")
            );
            out.push((
                s(&rule["host"]).into(),
                s(&p["path"]).into(),
                s(&p["backend"]["service"]["name"]).into(),
            ));
        }
    }
    out
}

fn route(host: &str, path: &str, service: &str) -> (String, String, String) {
    (host.into(), path.into(), service.into())
}

// ---------------------------------------------------------------- defaults

#[test]
fn defaults_render_the_seed_topology() {
    let r = render(&[]);
    r.assert_kinds(&[
        ("Deployment", 2),
        ("HorizontalPodAutoscaler", 2),
        ("Ingress", 1),
        ("PodDisruptionBudget", 2),
        ("Service", 2),
        ("ServiceAccount", 1),
    ]);
    // External Secrets is the default path, but with no data nothing is synced.
    assert!(r.all("ExternalSecret").is_empty() && r.all("Secret").is_empty());
    let api = r.get("Deployment", "release-starter-api");
    assert_eq!(s(&container(api)["image"]), "registry/app-api:tag");
    assert_eq!(
        s(&container(r.get("Deployment", "release-starter-web"))["image"]),
        "registry/app-web:tag"
    );
    assert!(env_from(api).is_empty(), "no Secret to read by default");
}

#[test]
fn every_workload_is_hardened_and_probed() {
    for set in value_sets() {
        let r = render_set(&set);
        let workloads: Vec<&Value> = r
            .all("Deployment")
            .into_iter()
            .chain(r.all("Job"))
            .collect();
        assert!(!workloads.is_empty());
        for w in workloads {
            let name = s(&w["metadata"]["name"]);
            assert_hardened(w, &format!("{set} {name}"));
            let pod = &w["spec"]["template"]["spec"];
            assert_eq!(
                s(&pod["serviceAccountName"]),
                "release-starter",
                "{set} {name}"
            );
            assert_eq!(
                s(&pod["securityContext"]["seccompProfile"]["type"]),
                "RuntimeDefault",
                "{set} {name}"
            );
            let tmp = pod["volumes"]
                .as_sequence()
                .expect("volumes")
                .iter()
                .find(|v| v["name"].as_str() == Some("tmp"));
            assert!(
                tmp.is_some_and(|v| v["emptyDir"].is_mapping()),
                "{set} {name}: /tmp emptyDir"
            );
            for c in pod["containers"].as_sequence().expect("containers") {
                let mounts = c["volumeMounts"].as_sequence().expect("mounts");
                assert!(
                    mounts
                        .iter()
                        .any(|m| m["mountPath"].as_str() == Some("/tmp")),
                    "{set} {name}"
                );
                assert!(!s(&c["image"]).is_empty());
            }
            let labels = &w["metadata"]["labels"];
            for key in [
                "name",
                "instance",
                "component",
                "version",
                "managed-by",
                "part-of",
            ] {
                assert!(
                    labels[format!("app.kubernetes.io/{key}").as_str()].is_string(),
                    "{set} {name}: label {key}"
                );
            }
        }
        for component in ["api", "web"] {
            let c = container(r.get("Deployment", &format!("release-starter-{component}")));
            let path = if component == "api" {
                "/health/ready"
            } else {
                "/api/health/ready"
            };
            assert_eq!(s(&c["readinessProbe"]["httpGet"]["path"]), path, "{set}");
            assert_eq!(
                c["readinessProbe"]["httpGet"]["port"].as_str(),
                Some("http"),
                "{set}"
            );
            assert!(
                c["livenessProbe"].is_mapping(),
                "{set}: {component} liveness probe"
            );
        }
        let sa = r.get("ServiceAccount", "release-starter");
        assert_eq!(sa["automountServiceAccountToken"].as_bool(), Some(false));
    }
}

#[test]
fn services_and_selectors_match_their_pods() {
    let r = render(&[]);
    for component in ["api", "web"] {
        let name = format!("release-starter-{component}");
        let deploy = r.get("Deployment", &name);
        let svc = r.get("Service", &name);
        let pod_labels = deploy["spec"]["template"]["metadata"]["labels"]
            .as_mapping()
            .expect("pod labels");
        for (k, v) in svc["spec"]["selector"].as_mapping().expect("selector") {
            assert_eq!(pod_labels.get(k), Some(v), "{name}: Service selector {k:?}");
        }
        for (k, v) in deploy["spec"]["selector"]["matchLabels"]
            .as_mapping()
            .expect("matchLabels")
        {
            assert_eq!(
                pod_labels.get(k),
                Some(v),
                "{name}: Deployment selector {k:?}"
            );
        }
        assert_eq!(s(&svc["spec"]["ports"][0]["targetPort"]), "http");
        assert_eq!(s(&container(deploy)["ports"][0]["name"]), "http");
        assert_eq!(
            s(&svc["spec"]["selector"]["app.kubernetes.io/component"]),
            component
        );
    }
    assert_eq!(
        r.get("Service", "release-starter-api")["spec"]["ports"][0]["port"].as_u64(),
        Some(8000)
    );
    assert_eq!(
        r.get("Service", "release-starter-web")["spec"]["ports"][0]["port"].as_u64(),
        Some(3000)
    );
}

#[test]
fn release_names_follow_helm_fullname_rules() {
    let out = common::skiff()
        .args(["render", "starter", CHART])
        .output()
        .expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("name: starter-api\n") && !text.contains("starter-starter"),
        "{text}"
    );
}

// ----------------------------------------------------------------- ingress

#[test]
fn ingress_routes_web_and_bff_paths_and_separate_api_hosts() {
    let r = render_set(&format!("{CHART}/ci/production.yaml"));
    let ing = r.get("Ingress", "release-starter");
    assert_eq!(s(&ing["apiVersion"]), "networking.k8s.io/v1");
    assert_eq!(s(&ing["spec"]["ingressClassName"]), "nginx");
    assert_eq!(
        s(&ing["metadata"]["annotations"]["cert-manager.io/cluster-issuer"]),
        "letsencrypt"
    );
    assert_eq!(
        routes(ing),
        vec![
            route("app.example.com", "/api", "release-starter-web"),
            route("app.example.com", "/", "release-starter-web"),
            route("api.example.com", "/", "release-starter-api"),
        ]
    );
    let tls: Vec<(String, Vec<String>)> = ing["spec"]["tls"]
        .as_sequence()
        .expect("tls")
        .iter()
        .map(|t| {
            (
                s(&t["secretName"]).into(),
                t["hosts"]
                    .as_sequence()
                    .expect("hosts")
                    .iter()
                    .map(|h| s(h).to_string())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        tls,
        vec![
            ("app-tls".into(), vec!["app.example.com".into()]),
            ("api-tls".into(), vec!["api.example.com".into()])
        ]
    );

    // Defaults: the app host only, and the paths follow ingressPaths.
    let (_d, file) =
        values_file("ingressPaths: {api: /bff, web: /app}\ningress: {className: traefik}\n");
    let r = render(&["-f", &file]);
    let ing = r.get("Ingress", "release-starter");
    assert_eq!(s(&ing["spec"]["ingressClassName"]), "traefik");
    assert_eq!(
        routes(ing),
        vec![
            route("app.example.com", "/bff", "release-starter-web"),
            route("app.example.com", "/app", "release-starter-web")
        ]
    );
}

#[test]
fn ingress_disabled_renders_none() {
    let (_d, file) = values_file("ingress: {enabled: false}\n");
    assert!(render(&["-f", &file]).all("Ingress").is_empty());
}

// ----------------------------------------------------------------- secrets

#[test]
fn external_secrets_map_env_names_to_provider_identifiers() {
    let r = render_set(&format!("{CHART}/ci/production.yaml"));
    assert!(
        r.all("Secret").is_empty(),
        "ESO creates the Secrets, the chart does not"
    );
    let api = r.get("ExternalSecret", "release-starter-api");
    assert_eq!(s(&api["apiVersion"]), "external-secrets.io/v1");
    assert_eq!(
        s(&api["spec"]["secretStoreRef"]["name"]),
        "platform-secrets"
    );
    assert_eq!(
        s(&api["spec"]["secretStoreRef"]["kind"]),
        "ClusterSecretStore"
    );
    assert_eq!(s(&api["spec"]["target"]["name"]), "release-starter-api");
    let data: Vec<(String, String)> = api["spec"]["data"]
        .as_sequence()
        .expect("data")
        .iter()
        .map(|d| (s(&d["secretKey"]).into(), s(&d["remoteRef"]["key"]).into()))
        .collect();
    assert_eq!(
        data,
        vec![
            ("DATABASE_URL".into(), "prod/database_url".into()),
            ("REDIS_URL".into(), "prod/redis_url".into())
        ]
    );
    let web = r.get("ExternalSecret", "release-starter-web");
    let session = web["spec"]["data"]
        .as_sequence()
        .expect("data")
        .iter()
        .find(|d| d["secretKey"].as_str() == Some("SESSION_SECRET"))
        .expect("SESSION_SECRET");
    assert_eq!(s(&session["remoteRef"]["key"]), "prod/web");
    assert_eq!(s(&session["remoteRef"]["property"]), "session_secret");
    for component in ["api", "web"] {
        let name = format!("release-starter-{component}");
        assert_eq!(env_from(r.get("Deployment", &name)), env_from_secret(&name));
    }
    // The migrations Job reads the API's Secret, which is therefore a hook
    // that runs before it.
    assert_eq!(
        s(&api["metadata"]["annotations"]["helm.sh/hook-weight"]),
        "-10"
    );
    assert!(web["metadata"]["annotations"].is_null());
}

#[test]
fn secret_name_overrides_the_external_secret_target() {
    let (_d, file) = values_file(
        "api: {secretName: custom-api-env}\nexternalSecrets: {api: {data: {DATABASE_URL: prod/db}}}\n",
    );
    let r = render(&["-f", &file]);
    let es = r.get("ExternalSecret", "custom-api-env");
    assert_eq!(s(&es["spec"]["target"]["name"]), "custom-api-env");
    assert_eq!(
        env_from(r.get("Deployment", "release-starter-api")),
        env_from_secret("custom-api-env")
    );
}

#[test]
fn static_secrets_fallback_writes_secrets_and_rolls_pods_on_change() {
    let set = format!("{CHART}/ci/static-secrets.yaml");
    let r = render_set(&set);
    assert!(r.all("ExternalSecret").is_empty());
    let api = r.get("Secret", "starter-api-env");
    assert_eq!(s(&api["type"]), "Opaque");
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(s(&api["data"]["REDIS_URL"]))
        .expect("base64");
    assert_eq!(decoded, b"redis://redis.internal:6379/0");
    assert!(r.has("Secret", "release-starter-web"));
    let deploy = r.get("Deployment", "release-starter-api");
    assert_eq!(env_from(deploy), env_from_secret("starter-api-env"));
    let checksum =
        s(&deploy["spec"]["template"]["metadata"]["annotations"]["checksum/secret"]).to_string();
    assert_eq!(checksum.len(), 64);

    // Changing a secret value changes the checksum of that component only.
    let (_d, file) = values_file("api: {secrets: {REDIS_URL: redis://other:6379/0}}\n");
    let changed = render(&["-f", &set, "-f", &file]);
    let checksum_of = |r: &Render, c: &str| {
        s(&r.get("Deployment", &format!("release-starter-{c}"))["spec"]["template"]["metadata"]["annotations"]["checksum/secret"]).to_string()
    };
    assert_ne!(checksum_of(&changed, "api"), checksum);
    assert_eq!(checksum_of(&changed, "web"), checksum_of(&r, "web"));
    assert_eq!(
        changed.get("Secret", "starter-api-env")["metadata"]["annotations"]["helm.sh/hook"]
            .as_str(),
        Some("pre-install,pre-upgrade"),
        "the API Secret exists before the migrations hook"
    );
}

#[test]
fn existing_secret_is_read_by_name_without_creating_one() {
    let r = render_set(&format!("{CHART}/ci/autoscaling-off.yaml"));
    assert_eq!(
        env_from(r.get("Deployment", "release-starter-web")),
        env_from_secret("web-env-managed-elsewhere")
    );
    assert!(
        !r.has("Secret", "web-env-managed-elsewhere")
            && !r.has("ExternalSecret", "web-env-managed-elsewhere")
    );
}

// ------------------------------------------------------------- autoscaling

#[test]
fn hpa_owns_replicas_when_autoscaling_is_enabled() {
    let r = render_set(&format!("{CHART}/ci/production.yaml"));
    for (component, min, max) in [("api", 3, 12), ("web", 2, 6)] {
        let name = format!("release-starter-{component}");
        let hpa = r.get("HorizontalPodAutoscaler", &name);
        assert_eq!(s(&hpa["apiVersion"]), "autoscaling/v2");
        assert_eq!(s(&hpa["spec"]["scaleTargetRef"]["name"]), name);
        assert_eq!(s(&hpa["spec"]["scaleTargetRef"]["kind"]), "Deployment");
        assert_eq!(hpa["spec"]["minReplicas"].as_u64(), Some(min));
        assert_eq!(hpa["spec"]["maxReplicas"].as_u64(), Some(max));
        let metric = &hpa["spec"]["metrics"][0]["resource"];
        assert_eq!(s(&metric["name"]), "cpu");
        assert_eq!(metric["target"]["averageUtilization"].as_u64(), Some(80));
        assert!(
            r.get("Deployment", &name)["spec"]["replicas"].is_null(),
            "{name}: the HPA sets replicas"
        );
        assert!(r.has("PodDisruptionBudget", &name));
    }
}

#[test]
fn fixed_replicas_and_budgets_when_autoscaling_is_off() {
    let r = render_set(&format!("{CHART}/ci/autoscaling-off.yaml"));
    assert!(r.all("HorizontalPodAutoscaler").is_empty());
    assert_eq!(
        r.get("Deployment", "release-starter-api")["spec"]["replicas"].as_u64(),
        Some(3)
    );
    assert_eq!(
        r.get("Deployment", "release-starter-web")["spec"]["replicas"].as_u64(),
        Some(1)
    );
    let pdb = r.get("PodDisruptionBudget", "release-starter-api");
    assert_eq!(pdb["spec"]["maxUnavailable"].as_u64(), Some(1));
    assert_eq!(
        s(&pdb["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"]),
        "api"
    );
    assert!(
        !r.has("PodDisruptionBudget", "release-starter-web"),
        "a single replica gets no budget"
    );
}

// ------------------------------------------------------------------ worker

#[test]
fn worker_only_when_enabled() {
    assert!(!render(&[]).has("Deployment", "release-starter-worker"));
    let r = render_set(&format!("{CHART}/ci/worker.yaml"));
    let worker = r.get("Deployment", "release-starter-worker");
    assert_eq!(
        worker["spec"]["replicas"].as_u64(),
        Some(2),
        "the worker is never autoscaled"
    );
    assert!(container(worker)["ports"].is_null());
    assert_eq!(container(worker)["args"][0].as_str(), Some("worker"));
    assert_eq!(env_from(worker), env_from_secret("release-starter-worker"));
    assert!(r.has("ExternalSecret", "release-starter-worker"));
    assert!(r.has("PodDisruptionBudget", "release-starter-worker"));
    assert!(
        !r.has("Service", "release-starter-worker")
            && !r.has("HorizontalPodAutoscaler", "release-starter-worker")
    );
}

/// Computed defaults (values.computed.yaml): the billing topology.
#[test]
fn worker_takes_billing_retries_unless_the_user_says_otherwise() {
    let r = render_set(&format!("{CHART}/ci/worker.yaml"));
    let api = env(r.get("Deployment", "release-starter-api"));
    assert_eq!(
        api.get("ENABLE_BILLING_RETRY_WORKER").map(String::as_str),
        Some("true"),
        "api.env set by the user wins"
    );
    assert_eq!(
        api.get("ENABLE_BILLING_STREAM_REPLAY").map(String::as_str),
        Some("false")
    );
    let worker = env(r.get("Deployment", "release-starter-worker"));
    assert_eq!(
        worker
            .get("ENABLE_BILLING_RETRY_WORKER")
            .map(String::as_str),
        Some("true")
    );
    assert_eq!(
        worker
            .get("ENABLE_BILLING_STREAM_REPLAY")
            .map(String::as_str),
        Some("true")
    );
    assert_eq!(
        worker
            .get("BILLING_RETRY_DEPLOYMENT_MODE")
            .map(String::as_str),
        Some("dedicated")
    );

    // Without the worker the API keeps its own defaults (nothing injected).
    let api = env(render(&[]).get("Deployment", "release-starter-api"));
    assert!(
        !api.contains_key("ENABLE_BILLING_RETRY_WORKER")
            && !api.contains_key("ENABLE_BILLING_STREAM_REPLAY")
    );

    // With the worker and no user override, both are off on the API.
    let (_d, file) = values_file("worker: {enabled: true}\n");
    let api = env(render(&["-f", &file]).get("Deployment", "release-starter-api"));
    assert_eq!(
        api.get("ENABLE_BILLING_RETRY_WORKER").map(String::as_str),
        Some("false")
    );
    assert_eq!(
        api.get("ENABLE_BILLING_STREAM_REPLAY").map(String::as_str),
        Some("false")
    );
}

/// Computed defaults: the web BFF reaches the API in-cluster unless told otherwise.
#[test]
fn web_api_base_url_defaults_to_the_api_service() {
    let web = env(render(&[]).get("Deployment", "release-starter-web"));
    assert_eq!(
        web.get("API_BASE_URL").map(String::as_str),
        Some("http://release-starter-api:8000")
    );
    // Mapped through External Secrets: no env var shadows the Secret's value.
    let web =
        env(render_set(&format!("{CHART}/ci/production.yaml"))
            .get("Deployment", "release-starter-web"));
    assert!(!web.contains_key("API_BASE_URL"));
}

// -------------------------------------------------------------- migrations

#[test]
fn migrations_job_is_a_pre_deploy_hook_for_helm_and_argo() {
    assert!(render(&[]).all("Job").is_empty(), "migrations are opt-in");
    let r = render_set(&format!("{CHART}/ci/production.yaml"));
    let job = r.get("Job", "release-starter-migrations");
    let ann = &job["metadata"]["annotations"];
    assert_eq!(s(&ann["helm.sh/hook"]), "pre-install,pre-upgrade");
    assert_eq!(s(&ann["argocd.argoproj.io/hook"]), "PreSync");
    assert!(s(&ann["helm.sh/hook-delete-policy"]).contains("before-hook-creation"));
    assert!(s(&ann["argocd.argoproj.io/hook-delete-policy"]).contains("BeforeHookCreation"));
    let hook_weight = |v: &Value| {
        s(&v["metadata"]["annotations"]["helm.sh/hook-weight"])
            .parse::<i32>()
            .expect("weight")
    };
    assert!(hook_weight(r.get("ExternalSecret", "release-starter-api")) < hook_weight(job));
    let c = container(job);
    let command: Vec<&str> = c["command"]
        .as_sequence()
        .expect("command")
        .iter()
        .map(s)
        .collect();
    assert_eq!(command, ["starter-console", "release", "db"]);
    assert_eq!(s(&c["image"]), "registry.example.com/starter/app-api:1.4.2");
    assert_eq!(env_from(job), env_from_secret("release-starter-api"));
    assert_eq!(
        s(&job["spec"]["template"]["spec"]["restartPolicy"]),
        "Never"
    );
}

// ------------------------------------------------- validity of the output

/// Every value set's output passes kubernetes-validate --strict (core
/// kinds) and the External Secrets Operator's CRD schemas.
#[test]
fn rendered_manifests_pass_kubernetes_and_eso_schemas() {
    assert_sets_validate(&value_sets(), render);
}

// ------------------------------------------------------ schema and errors

#[test]
fn schema_accepts_defaults_and_every_value_set() {
    assert_schema_accepts(CHART, &value_sets());
}

#[test]
fn schema_rejects_what_the_contract_forbids() {
    let cases: &[(&str, &str)] = &[
        ("autoscalling: {enabled: false}\n", "autoscalling"),
        ("ingress: {enabeld: true}\n", "enabeld"),
        ("ingres: {enabled: true}\n", "ingres"),
        ("api: {image: \"\"}\n", "/api/image"),
        ("web: {image: null}\n", "image"),
        (
            "api: {env: {SECRETS_PROVIDER: keepass}}\n",
            "/api/env/SECRETS_PROVIDER",
        ),
        ("api: {env: {PORT: 8080}}\n", "/api/env/PORT"),
        ("api: {env: {bad-name: x}}\n", "/api/env"),
        (
            "externalSecrets: {secretStoreRef: {kind: Vault}}\n",
            "/externalSecrets/secretStoreRef/kind",
        ),
        (
            "autoscaling: {api: {minReplicas: 0}}\n",
            "/autoscaling/api/minReplicas",
        ),
        ("ingressPaths: {api: api}\n", "/ingressPaths/api"),
        (
            "ingress: {hosts: [{host: App.Example.com}]}\n",
            "/ingress/hosts/0/host",
        ),
    ];
    for (yaml, expected) in cases {
        let found = violations(CHART, &merged(CHART, &[yaml]));
        assert!(
            found.iter().any(|v| v.contains(expected)),
            "{yaml:?}: expected a violation mentioning {expected:?}, got {found:?}"
        );
    }
}

/// Through skiff: the schema runs on the final values, and unknown keys get
/// a did-you-mean.
#[test]
fn skiff_reports_schema_errors_with_the_closest_key() {
    for (yaml, wrong, right) in [
        (
            "autoscalling: {enabled: false}\n",
            "autoscalling",
            "autoscaling",
        ),
        ("ingres: {enabled: true}\n", "ingres", "ingress"),
    ] {
        let (_d, file) = values_file(yaml);
        let err = render_error(&["-f", &file]);
        assert!(
            err.contains(wrong) && err.contains(right),
            "{yaml:?}:\n{err}"
        );
    }
    let (_d, file) = values_file("api: {image: \"\"}\n");
    assert!(render_error(&["-f", &file]).contains("api.image"));
    let (_d, file) = values_file("api: {env: {SECRETS_PROVIDER: keepass}}\n");
    let err = render_error(&["-f", &file]);
    assert!(
        err.contains("SECRETS_PROVIDER") && err.contains("aws_sm"),
        "{err}"
    );
}

/// Through skiff: the cross-field rules of values.computed.yaml.
#[test]
fn skiff_reports_cross_field_errors() {
    for (yaml, needles) in [
        (
            "autoscaling: {api: {minReplicas: 5, maxReplicas: 3}}\n",
            &["autoscaling.api.minReplicas", "autoscaling.api.maxReplicas"][..],
        ),
        (
            "api: {secrets: {DATABASE_URL: x}}\n",
            &[
                "api.secrets",
                "externalSecrets.api.data",
                "externalSecrets.enabled",
            ][..],
        ),
        (
            "externalSecrets: {enabled: false, web: {data: {A: b}}}\n",
            &["externalSecrets.web.data", "web.secrets"][..],
        ),
        (
            "ingress: {hosts: [], tls: []}\n",
            &["ingress.hosts", "ingress.enabled"][..],
        ),
    ] {
        let (_d, file) = values_file(yaml);
        let err = render_error(&["-f", &file]);
        for needle in needles {
            assert!(
                err.contains(needle),
                "{yaml:?}: expected {needle:?} in:\n{err}"
            );
        }
    }
    // Autoscaling off: the HPA bounds are not used, so they are not checked.
    let (_d, file) =
        values_file("autoscaling: {enabled: false, api: {minReplicas: 5, maxReplicas: 3}}\n");
    render(&["-f", &file]);
}

// -------------------------------------------------------------------- docs

#[test]
fn docs_values_table_covers_every_schema_path() {
    let paths = documented_paths(CHART, &[]);
    assert!(paths.len() > 50, "{paths:?}");
    assert_docs_table_matches_schema(CHART, "docs/charts/starter.md", &[]);
}

/// The values contract of the hosting guide, verbatim: the chart's
/// defaults must keep every key and default it names.
const SEED_CONTRACT: &str = r#"
api:
  image: "registry/app-api:tag"
  env: {}
  secrets: {}
  secretName: ""
web:
  image: "registry/app-web:tag"
  env: {}
  secrets: {}
  secretName: ""
worker:
  enabled: false
  image: "registry/app-api:tag"
  env: {}
  secrets: {}
  secretName: ""
ingress:
  enabled: true
  className: nginx
  hosts:
    - host: app.example.com
  tls:
    - secretName: app-tls
      hosts:
        - app.example.com
  apiHosts: []
  apiTls: []
ingressPaths:
  api: /api
  web: /
  apiHost: /
externalSecrets:
  enabled: true
  secretStoreRef:
    name: platform-secrets
    kind: ClusterSecretStore
  api:
    data: {}
  web:
    data: {}
  worker:
    data: {}
autoscaling:
  enabled: true
  targetCPUUtilizationPercentage: 80
  api:
    minReplicas: 2
    maxReplicas: 10
  web:
    minReplicas: 2
    maxReplicas: 10
"#;

fn assert_contains(contract: &serde_json::Value, actual: &serde_json::Value, path: &str) {
    match (contract, actual) {
        (serde_json::Value::Object(want), serde_json::Value::Object(have)) if !want.is_empty() => {
            for (k, v) in want {
                let child = format!("{path}.{k}");
                let have = have
                    .get(k)
                    .unwrap_or_else(|| panic!("values.yaml lacks {child}"));
                assert_contains(v, have, &child);
            }
        }
        _ => assert_eq!(actual, contract, "values.yaml default of {path}"),
    }
}

#[test]
fn defaults_keep_the_seed_values_contract() {
    let contract =
        skiff::values::parse_values(SEED_CONTRACT, Path::new("seed")).expect("contract parses");
    assert_contains(
        &serde_json::Value::Object(contract),
        &merged(CHART, &[]),
        "",
    );
}
