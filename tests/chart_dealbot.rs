//! charts/dealbot (seed 000, the FilOzone/infra integration guide): every
//! ci/ value set renders and validates, and each behaviour of the guide is
//! checked object by object on the parsed output. Renders use the release
//! name `dealbot`, so object names are the guide's (dealbot-env, ...).

mod common;

use common::manifests::{
    Render, assert_docs_table_matches_schema, assert_hardened, assert_lints_clean, assert_packages,
    assert_schema_accepts, assert_schema_rejects_at, assert_sets_validate, ci_sets, container,
    defaults_and_sets, env, env_from, env_with_refs, merged, mounts, render, render_error, s,
    selects, values_file, violations, volume,
};
use serde_yaml::Value;

const CHART: &str = "charts/dealbot";
const WORKERS: [&str; 3] = ["deal", "retrieval", "metrics"];

fn dealbot(args: &[&str]) -> Render {
    render(&[&["dealbot", CHART], args].concat())
}

fn dealbot_error(args: &[&str]) -> String {
    render_error(&[&["dealbot", CHART], args].concat())
}

fn with_set(set: &str) -> Render {
    dealbot(&["-f", &format!("{CHART}/ci/{set}.yaml")])
}

fn config(r: &Render) -> &Value {
    &r.get("ConfigMap", "dealbot-env")["data"]
}

fn secret_and_config() -> Vec<(String, String)> {
    vec![
        ("ConfigMap".into(), "dealbot-env".into()),
        ("Secret".into(), "dealbot-secrets".into()),
    ]
}

// ---------------------------------------------------------------- defaults

#[test]
fn defaults_render_api_web_config_and_ingress() {
    let r = dealbot(&[]);
    r.assert_kinds(&[
        ("ConfigMap", 1),
        ("Deployment", 2),
        ("Ingress", 2),
        ("Service", 2),
        ("ServiceAccount", 1),
    ]);
    let api = r.get("Deployment", "dealbot-backend");
    assert_eq!(env_from(api), secret_and_config());
    assert_eq!(
        s(&api["metadata"]["annotations"]["skiff.dev/external-secrets"]),
        "dealbot-secrets",
        "the hand-made Secret is declared external for skiff lint"
    );
    assert_eq!(
        s(&container(api)["image"]),
        "ghcr.io/filozone/dealbot:v0.1.0"
    );
    assert_eq!(
        container(api)["ports"][0]["containerPort"].as_u64(),
        Some(3130)
    );
    assert_eq!(
        s(&container(api)["readinessProbe"]["httpGet"]["path"]),
        "/api/health"
    );
    let web = r.get("Deployment", "dealbot-web");
    assert_eq!(
        s(&container(web)["image"]),
        "ghcr.io/filozone/dealbot-web:v0.1.0"
    );
    assert!(env_from(web).is_empty(), "the web UI reads no Secret");
    // The API keeps running jobs and mounts /datasets.
    assert!(!env(api).contains_key("DEALBOT_DISABLE_JOBS"));
    assert_eq!(
        mounts(api).get("/datasets").map(String::as_str),
        Some("datasets")
    );
    assert!(volume(api, "datasets")["emptyDir"].is_mapping());
    // The seed's labels: the API is app.kubernetes.io/name: dealbot.
    assert_eq!(s(&pod_labels(api)["app.kubernetes.io/name"]), "dealbot");
}

fn pod_labels(workload: &Value) -> &Value {
    &workload["spec"]["template"]["metadata"]["labels"]
}

#[test]
fn every_workload_is_hardened_and_bounded() {
    for (set, args) in defaults_and_sets(&ci_sets(CHART)) {
        let r = dealbot(&args);
        for w in r.all("Deployment") {
            let name = s(&w["metadata"]["name"]);
            assert_hardened(w, &format!("{set} {name}"));
            let c = container(w);
            assert!(
                c["readinessProbe"].is_mapping() && c["livenessProbe"].is_mapping(),
                "{name}"
            );
            assert!(
                selects(&w["spec"]["selector"]["matchLabels"], pod_labels(w)),
                "{name}"
            );
        }
    }
}

// ------------------------------------------------------------- image tags

#[test]
fn image_tags_are_sha_or_release_tags() {
    for tag in ["sha-0123abc", "sha-42-0123456789abcdef", "v1.2.3", ""] {
        let yaml =
            format!("backend: {{image: {{tag: {tag:?}}}}}\nweb: {{image: {{tag: {tag:?}}}}}\n");
        assert_eq!(
            violations(CHART, &merged(CHART, &[&yaml])),
            Vec::<String>::new(),
            "{tag}"
        );
    }
    for tag in ["latest", "1.2.3", "v1.2", "sha-XYZ", "main", "sha-abc"] {
        let yaml = format!("backend: {{image: {{tag: {tag:?}}}}}\n");
        let found = violations(CHART, &merged(CHART, &[&yaml]));
        assert!(
            found.iter().any(|v| v.starts_with("/backend/image/tag")),
            "{tag}: {found:?}"
        );
    }
    let err = dealbot_error(&["--set", "web.image.tag=latest"]);
    assert!(
        err.contains("web.image.tag") && err.contains("latest"),
        "{err}"
    );
    let r = dealbot(&["--set", "backend.image.tag=sha-42-89abcdef"]);
    assert_eq!(
        s(&container(r.get("Deployment", "dealbot-backend"))["image"]),
        "ghcr.io/filozone/dealbot:sha-42-89abcdef"
    );
}

// ------------------------------------------------------------------- jobs

#[test]
fn in_process_jobs_set_no_pgboss_variables() {
    let r = dealbot(&[]);
    let data = config(&r).as_mapping().expect("data");
    for key in [
        "DEALBOT_JOBS_MODE",
        "METRICS_PER_HOUR",
        "DEALS_PER_SP_PER_HOUR",
        "RETRIEVALS_PER_SP_PER_HOUR",
    ] {
        assert!(!data.contains_key(key), "{key} in {data:?}");
    }
    assert_eq!(s(&config(&r)["DEALBOT_PORT"]), "3130");
    assert_eq!(s(&config(&r)["DATABASE_HOST"]), "postgres");
    assert_eq!(s(&config(&r)["DATABASE_NAME"]), "filecoin_dealbot");
}

#[test]
fn pgboss_mode_writes_the_mode_and_three_rates_into_the_single_configmap() {
    let r = with_set("pgboss-phase1");
    assert_eq!(r.all("ConfigMap").len(), 1);
    let data = config(&r);
    assert_eq!(s(&data["DEALBOT_JOBS_MODE"]), "pgboss");
    assert_eq!(s(&data["METRICS_PER_HOUR"]), "2");
    assert_eq!(s(&data["DEALS_PER_SP_PER_HOUR"]), "1");
    assert_eq!(s(&data["RETRIEVALS_PER_SP_PER_HOUR"]), "6");
    // Phase 1: one backend Deployment that runs the jobs, /datasets from the claim.
    assert_eq!(r.all("Deployment").len(), 2);
    let api = r.get("Deployment", "dealbot-backend");
    assert!(!env(api).contains_key("DEALBOT_DISABLE_JOBS"));
    assert_eq!(
        s(&volume(api, "datasets")["persistentVolumeClaim"]["claimName"]),
        "dealbot-datasets"
    );
    // A config change rolls the pods.
    let before = s(&pod_annotations(api)["checksum/config"]).to_string();
    let changed = dealbot(&[
        "-f",
        &format!("{CHART}/ci/pgboss-phase1.yaml"),
        "--set",
        "jobs.rates.dealsPerSpPerHour=3",
    ]);
    let after =
        s(&pod_annotations(changed.get("Deployment", "dealbot-backend"))["checksum/config"])
            .to_string();
    assert_ne!(before, after);
    assert_eq!(s(&config(&changed)["DEALS_PER_SP_PER_HOUR"]), "3");
}

fn pod_annotations(workload: &Value) -> &Value {
    &workload["spec"]["template"]["metadata"]["annotations"]
}

#[test]
fn jobs_mode_is_in_process_or_pgboss() {
    let err = dealbot_error(&["--set", "jobs.mode=cron"]);
    assert!(err.contains("jobs.mode") && err.contains("pgboss"), "{err}");
}

// ---------------------------------------------------------------- workers

#[test]
fn phase_two_workers_run_each_job_type_on_the_backend_image() {
    let r = with_set("production");
    let api = r.get("Deployment", "dealbot-backend");
    for kind in WORKERS {
        let name = format!("dealbot-{kind}-worker");
        let w = r.get("Deployment", &name);
        let c = container(w);
        assert_eq!(s(&c["image"]), "ghcr.io/filozone/dealbot:v1.4.0", "{name}");
        assert_eq!(s(&c["image"]), s(&container(api)["image"]));
        assert_eq!(
            env(w).get("DEALBOT_JOB_TYPES").map(String::as_str),
            Some(kind)
        );
        assert!(!env(w).contains_key("DEALBOT_DISABLE_JOBS"), "{name}");
        assert_eq!(
            env_from(w),
            secret_and_config(),
            "{name}: the same ConfigMap and Secret"
        );
        assert_eq!(
            s(&pod_labels(w)["app.kubernetes.io/name"]),
            "dealbot-worker"
        );
        let has_datasets = mounts(w).contains_key("/datasets");
        assert_eq!(has_datasets, kind != "metrics", "{name}: /datasets");
    }
    assert_eq!(
        r.get("Deployment", "dealbot-deal-worker")["spec"]["replicas"].as_u64(),
        Some(2)
    );
    // The single ConfigMap carries the mode and the rates for all of them.
    assert_eq!(r.all("ConfigMap").len(), 1);
    assert_eq!(s(&config(&r)["DEALBOT_JOBS_MODE"]), "pgboss");
    assert_eq!(s(&config(&r)["METRICS_PER_HOUR"]), "4");
}

#[test]
fn no_service_selects_a_worker_pod() {
    let r = with_set("production");
    for kind in WORKERS {
        let w = r.get("Deployment", &format!("dealbot-{kind}-worker"));
        for svc in r.all("Service") {
            assert!(
                !selects(&svc["spec"]["selector"], pod_labels(w)),
                "Service {} selects the {kind} worker",
                s(&svc["metadata"]["name"])
            );
        }
        assert!(container(w)["ports"].is_sequence());
    }
    let api = r.get("Deployment", "dealbot-backend");
    assert!(selects(
        &r.get("Service", "dealbot-backend")["spec"]["selector"],
        pod_labels(api)
    ));
}

/// Computed default (values.computed.yaml): with workers, the API stops
/// running jobs and drops /datasets; the user's explicit value wins.
#[test]
fn workers_disable_jobs_on_the_api_unless_the_user_says_otherwise() {
    let api = with_set("production");
    let api = api.get("Deployment", "dealbot-backend");
    assert_eq!(
        env(api).get("DEALBOT_DISABLE_JOBS").map(String::as_str),
        Some("true")
    );
    assert!(!mounts(api).contains_key("/datasets"));

    let r = dealbot(&[
        "-f",
        &format!("{CHART}/ci/production.yaml"),
        "--set-string",
        "backend.env.DEALBOT_DISABLE_JOBS=false",
    ]);
    let api = r.get("Deployment", "dealbot-backend");
    assert_eq!(
        env(api).get("DEALBOT_DISABLE_JOBS").map(String::as_str),
        Some("false")
    );
    assert!(
        mounts(api).contains_key("/datasets"),
        "the API runs jobs again"
    );

    assert!(!with_set("pgboss-phase1").has("Deployment", "dealbot-deal-worker"));
}

#[test]
fn workers_need_pgboss() {
    let err = dealbot_error(&["--set", "workers.enabled=true"]);
    for needle in ["workers.enabled", "jobs.mode=pgboss", "in-process"] {
        assert!(err.contains(needle), "expected {needle:?} in:\n{err}");
    }
    let r = dealbot(&["--set", "workers.enabled=true,jobs.mode=pgboss"]);
    assert_eq!(r.all("Deployment").len(), 5);
}

// -------------------------------------------------------------- monitoring

#[test]
fn service_monitor_scrapes_only_the_api() {
    assert!(dealbot(&[]).all("ServiceMonitor").is_empty(), "opt-in");
    let r = with_set("production");
    let sm = r.get("ServiceMonitor", "dealbot-backend");
    assert_eq!(s(&sm["apiVersion"]), "monitoring.coreos.com/v1");
    assert_eq!(
        s(&sm["metadata"]["labels"]["release"]),
        "kube-prometheus-stack"
    );
    let selector = &sm["spec"]["selector"]["matchLabels"];
    let selected: Vec<&str> = r
        .all("Service")
        .into_iter()
        .filter(|svc| selects(selector, &svc["metadata"]["labels"]))
        .map(|svc| s(&svc["metadata"]["name"]))
        .collect();
    assert_eq!(selected, ["dealbot-backend"]);
    for kind in WORKERS {
        let w = r.get("Deployment", &format!("dealbot-{kind}-worker"));
        assert!(!selects(selector, pod_labels(w)), "{kind} worker");
    }
    let endpoint = &sm["spec"]["endpoints"][0];
    assert_eq!(s(&endpoint["port"]), "http");
    assert_eq!(s(&endpoint["path"]), "/metrics");
    assert_eq!(s(&endpoint["interval"]), "15s");
    assert_eq!(
        s(&sm["spec"]["namespaceSelector"]["matchNames"][0]),
        "default"
    );
}

// ------------------------------------------------------------ environments

#[test]
fn local_uses_node_ports_and_a_bundled_postgres() {
    let r = with_set("local");
    assert!(r.all("Ingress").is_empty());
    for (name, port) in [("dealbot-backend", 30130), ("dealbot-web", 30080)] {
        let svc = r.get("Service", name);
        assert_eq!(s(&svc["spec"]["type"]), "NodePort");
        assert_eq!(svc["spec"]["ports"][0]["nodePort"].as_u64(), Some(port));
    }
    assert_eq!(s(&config(&r)["DATABASE_HOST"]), "dealbot-postgres");
    assert_eq!(s(&config(&r)["NETWORK"]), "calibration");
    let pg = r.get("Deployment", "dealbot-postgres");
    assert_eq!(s(&pg["spec"]["strategy"]["type"]), "Recreate");
    let pg_env = env_with_refs(container(pg));
    assert_eq!(
        pg_env.get("POSTGRES_PASSWORD").map(String::as_str),
        Some("secret:dealbot-secrets/DATABASE_PASSWORD")
    );
    assert_eq!(
        pg_env.get("POSTGRES_USER").map(String::as_str),
        Some("dealbot")
    );
    assert_eq!(
        pg_env.get("POSTGRES_DB").map(String::as_str),
        Some("filecoin_dealbot")
    );
    assert_eq!(
        s(&volume(pg, "data")["persistentVolumeClaim"]["claimName"]),
        "dealbot-postgres"
    );
    assert_eq!(
        s(
            &r.get("PersistentVolumeClaim", "dealbot-postgres")["spec"]["resources"]["requests"]["storage"]
        ),
        "2Gi"
    );
    assert!(
        s(&r.get("ConfigMap", "dealbot-postgres-initdb")["data"]["pgcrypto.sql"])
            .contains("CREATE EXTENSION IF NOT EXISTS pgcrypto")
    );
    let svc = r.get("Service", "dealbot-postgres");
    assert!(selects(&svc["spec"]["selector"], pod_labels(pg)));
    // The user's explicit database.host wins over the computed one.
    let r = dealbot(&[
        "-f",
        &format!("{CHART}/ci/local.yaml"),
        "--set",
        "database.host=db.local",
    ]);
    assert_eq!(s(&config(&r)["DATABASE_HOST"]), "db.local");
}

#[test]
fn production_uses_cluster_ip_a_managed_database_and_tls_ingress() {
    let r = with_set("production");
    for svc in r.all("Service") {
        assert_eq!(s(&svc["spec"]["type"]), "ClusterIP");
        assert!(svc["spec"]["ports"][0]["nodePort"].is_null());
    }
    assert!(!r.has("Deployment", "dealbot-postgres") && r.all("PersistentVolumeClaim").is_empty());
    assert_eq!(
        s(&config(&r)["DATABASE_HOST"]),
        "dealbot-db.postgres.database.example.com"
    );
    for (component, host, path, tls) in [
        (
            "backend",
            "dealbot-api.filoz.example.com",
            "/api",
            "dealbot-api-tls",
        ),
        ("web", "dealbot.filoz.example.com", "/", "dealbot-web-tls"),
    ] {
        let name = format!("dealbot-{component}");
        let ing = r.get("Ingress", &name);
        assert_eq!(s(&ing["spec"]["ingressClassName"]), "nginx");
        let rule = &ing["spec"]["rules"][0];
        assert_eq!(s(&rule["host"]), host);
        let p = &rule["http"]["paths"][0];
        assert_eq!(s(&p["path"]), path);
        assert_eq!(s(&p["backend"]["service"]["name"]), name);
        assert_eq!(s(&p["backend"]["service"]["port"]["name"]), "http");
        assert_eq!(s(&ing["spec"]["tls"][0]["secretName"]), tls);
        assert_eq!(s(&ing["spec"]["tls"][0]["hosts"][0]), host);
        assert_eq!(
            s(&ing["metadata"]["annotations"]["cert-manager.io/cluster-issuer"]),
            "letsencrypt"
        );
    }
    // Several replicas get a disruption budget each.
    for name in ["dealbot-backend", "dealbot-web", "dealbot-deal-worker"] {
        let pdb = r.get("PodDisruptionBudget", name);
        let w = r.get("Deployment", name);
        assert!(
            selects(&pdb["spec"]["selector"]["matchLabels"], pod_labels(w)),
            "{name}"
        );
    }
    assert!(!r.has("PodDisruptionBudget", "dealbot-metrics-worker"));
}

// ----------------------------------------------------------------- secrets

#[test]
fn external_secrets_sync_the_backend_secret_under_its_configured_name() {
    assert!(dealbot(&[]).all("ExternalSecret").is_empty());
    let r = with_set("external-secrets");
    let es = r.get("ExternalSecret", "dealbot-backend-env");
    assert_eq!(s(&es["apiVersion"]), "external-secrets.io/v1");
    assert_eq!(s(&es["spec"]["target"]["name"]), "dealbot-backend-env");
    assert_eq!(s(&es["spec"]["secretStoreRef"]["kind"]), "SecretStore");
    let data = es["spec"]["data"].as_sequence().expect("data");
    assert_eq!(s(&data[0]["secretKey"]), "DATABASE_PASSWORD");
    assert_eq!(s(&data[0]["remoteRef"]["key"]), "dealbot/prod/database");
    assert_eq!(s(&data[1]["remoteRef"]["property"]), "private_key");
    let api = r.get("Deployment", "dealbot-backend");
    assert_eq!(
        env_from(api),
        vec![
            ("ConfigMap".to_string(), "dealbot-env".to_string()),
            ("Secret".to_string(), "dealbot-backend-env".to_string())
        ]
    );
    assert!(
        api["metadata"]["annotations"].is_null(),
        "the chart makes this Secret"
    );
    assert!(r.all("Secret").is_empty());

    let err = dealbot_error(&["--set", "externalSecrets.enabled=true"]);
    assert!(err.contains("externalSecrets.data"), "{err}");
}

// ------------------------------------------------------- validity and tools

#[test]
fn rendered_manifests_pass_kubernetes_eso_and_prometheus_operator_schemas() {
    assert_sets_validate(&ci_sets(CHART), dealbot);
}

#[test]
fn chart_lints_strict_and_packages() {
    assert_lints_clean(CHART);
    assert_packages(CHART, "dealbot-0.1.0.tgz");
}

// ------------------------------------------------------ schema and docs

#[test]
fn schema_accepts_defaults_and_every_value_set() {
    assert_schema_accepts(CHART, &ci_sets(CHART));
}

#[test]
fn schema_is_closed_and_says_which_key_was_meant() {
    for (yaml, wrong, right) in [
        ("workerz: {enabled: true}\n", "workerz", "workers"),
        ("jobs: {mdoe: pgboss}\n", "mdoe", "mode"),
        ("serviceMonitor: {enabeld: true}\n", "enabeld", "enabled"),
    ] {
        let (_d, file) = values_file(yaml);
        let err = dealbot_error(&["-f", &file]);
        assert!(
            err.contains(wrong) && err.contains(right),
            "{yaml:?}:\n{err}"
        );
    }
    assert_schema_rejects_at(
        CHART,
        &[
            ("service: {type: LoadBalancer}\n", "/service/type"),
            ("backend: {nodePort: 80}\n", "/backend/nodePort"),
            (
                "jobs: {rates: {metricsPerHour: -1}}\n",
                "/jobs/rates/metricsPerHour",
            ),
            ("config: {PORT: 8080}\n", "/config/PORT"),
            (
                "ingress: {web: {host: Dealbot.Example.com}}\n",
                "/ingress/web/host",
            ),
            ("secrets: {name: Bad_Name}\n", "/secrets/name"),
        ],
    );
}

#[test]
fn docs_values_table_matches_the_schema() {
    assert_docs_table_matches_schema(CHART, "docs/charts/dealbot.md", &[]);
}
