//! charts/storefront-workers, the Village Storefront background job
//! workers of the k8s/ deployment guide (seed 002): every ci/ value set
//! renders, lints, packages and validates, and each documented behaviour is
//! checked object by object on the parsed output.

mod common;

use common::manifests::{
    self, container_named as container, env_with_refs as env, pod_spec as pod, render,
    render_error, s, values_file,
};
use serde_yaml::Value;

const CHART: &str = "charts/storefront-workers";
const PROD: &str = "charts/storefront-workers/ci/production.yaml";
const GENERAL: &str = "village-storefront-workers";
const CRITICAL: &str = "village-storefront-workers-critical";

fn prod() -> manifests::Render {
    render(&[
        CHART,
        "-r",
        "village-storefront",
        "-n",
        "village-storefront",
        "-f",
        PROD,
    ])
}

fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).expect("test YAML")
}

#[test]
fn production_runs_both_pools_with_the_guides_names_and_labels() {
    let r = prod();
    for name in [GENERAL, CRITICAL] {
        let d = r.get("Deployment", name);
        for labels in [
            &d["metadata"]["labels"],
            &d["spec"]["template"]["metadata"]["labels"],
        ] {
            assert_eq!(s(&labels["app"]), "village-storefront");
            assert_eq!(s(&labels["component"]), "workers");
        }
        assert_eq!(s(&d["metadata"]["namespace"]), "village-storefront");
        let strategy = &d["spec"]["strategy"];
        assert_eq!(s(&strategy["type"]), "RollingUpdate");
        assert_eq!(strategy["rollingUpdate"]["maxSurge"].as_u64(), Some(1));
        assert_eq!(
            strategy["rollingUpdate"]["maxUnavailable"].as_u64(),
            Some(0)
        );
        assert_eq!(s(&pod(d)["serviceAccountName"]), "village-storefront");
        // The HPA owns the replica count.
        assert!(d["spec"]["replicas"].is_null(), "{name}");
    }
    assert!(r.has("ServiceAccount", "village-storefront"));
    assert!(r.has("ConfigMap", "village-storefront-config"));
}

#[test]
fn critical_pool_is_optional_and_filters_critical_and_high() {
    let r = prod();
    let critical = env(container(r.get("Deployment", CRITICAL), "worker"));
    assert_eq!(critical["WORKER_PRIORITY_FILTER"], "CRITICAL,HIGH");
    let general = env(container(r.get("Deployment", GENERAL), "worker"));
    assert!(!general.contains_key("WORKER_PRIORITY_FILTER"));

    let mvp = render(&[CHART, "-r", "village-storefront"]);
    assert!(mvp.has("Deployment", GENERAL));
    assert!(!mvp.has("Deployment", CRITICAL) && !mvp.has("HorizontalPodAutoscaler", CRITICAL));
}

#[test]
fn requests_and_limits_as_documented() {
    let r = prod();
    let general = &container(r.get("Deployment", GENERAL), "worker")["resources"];
    assert_eq!(
        *general,
        yaml("{requests: {cpu: 250m, memory: 512Mi}, limits: {cpu: 1000m, memory: 2Gi}}")
    );
    let critical = &container(r.get("Deployment", CRITICAL), "worker")["resources"];
    assert_eq!(
        *critical,
        yaml("{requests: {cpu: 500m, memory: 1Gi}, limits: {cpu: 2000m, memory: 4Gi}}")
    );
}

#[test]
fn hpas_have_the_documented_bounds_targets_and_rates() {
    let r = prod();
    let general = &r.get("HorizontalPodAutoscaler", GENERAL)["spec"];
    assert_eq!(s(&general["scaleTargetRef"]["name"]), GENERAL);
    assert_eq!(general["minReplicas"].as_u64(), Some(2));
    assert_eq!(general["maxReplicas"].as_u64(), Some(20));
    assert_eq!(
        general["metrics"],
        yaml(
            "- {type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}\n\
             - {type: Resource, resource: {name: memory, target: {type: Utilization, averageUtilization: 80}}}\n"
        )
    );
    assert_eq!(
        general["behavior"],
        yaml(
            "scaleUp: {stabilizationWindowSeconds: 0, policies: [{type: Percent, value: 50, periodSeconds: 60}]}\n\
             scaleDown: {stabilizationWindowSeconds: 300, policies: [{type: Pods, value: 1, periodSeconds: 60}]}\n"
        )
    );
    let critical = &r.get("HorizontalPodAutoscaler", CRITICAL)["spec"];
    assert_eq!(s(&critical["scaleTargetRef"]["name"]), CRITICAL);
    assert_eq!(critical["minReplicas"].as_u64(), Some(3));
    assert_eq!(critical["maxReplicas"].as_u64(), Some(30));
    assert_eq!(
        critical["metrics"],
        yaml(
            "- {type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}}\n"
        )
    );
    assert_eq!(
        critical["behavior"],
        yaml(
            "scaleUp: {stabilizationWindowSeconds: 0, policies: [{type: Percent, value: 100, periodSeconds: 30}]}\n\
             scaleDown: {stabilizationWindowSeconds: 600, policies: [{type: Pods, value: 1, periodSeconds: 120}]}\n"
        )
    );
    // Both pools can run more than one pod: each has a budget.
    assert!(r.has("PodDisruptionBudget", GENERAL) && r.has("PodDisruptionBudget", CRITICAL));
}

#[test]
fn fixed_replicas_without_autoscaling() {
    let r = render(&[
        CHART,
        "-r",
        "village-storefront",
        "-f",
        "charts/storefront-workers/ci/shadow-mode.yaml",
    ]);
    let d = r.get("Deployment", GENERAL);
    assert_eq!(d["spec"]["replicas"].as_u64(), Some(2));
    assert!(r.all("HorizontalPodAutoscaler").is_empty());
    assert_eq!(
        env(container(d, "worker"))["WORKER_PRIORITY_FILTER"],
        "BULK"
    );
    let (_d, file) = values_file("workers: {general: {autoscaling: {enabled: false}}}\n");
    let r = render(&[CHART, "-r", "village-storefront", "-f", &file]);
    assert_eq!(
        r.get("Deployment", GENERAL)["spec"]["replicas"].as_u64(),
        Some(3)
    );
}

#[test]
fn configmap_holds_the_job_settings_and_rolls_the_pods() {
    let r = prod();
    let cm = r.get("ConfigMap", "village-storefront-config");
    assert_eq!(
        cm["data"],
        yaml(
            "JOBS_QUEUE_CAPACITY_CRITICAL: '1000'\nJOBS_QUEUE_CAPACITY_DEFAULT: '10000'\n\
             JOBS_RETRY_MAX_ATTEMPTS_CRITICAL: '5'\nJOBS_RETRY_MAX_ATTEMPTS_DEFAULT: '3'\n\
             QUARKUS_SCHEDULER_ENABLED: 'true'\n"
        )
    );
    let d = r.get("Deployment", GENERAL);
    let c = container(d, "worker");
    assert_eq!(
        s(&c["envFrom"][0]["configMapRef"]["name"]),
        "village-storefront-config"
    );
    let checksum = |r: &manifests::Render| {
        s(&r.get("Deployment", GENERAL)["spec"]["template"]["metadata"]["annotations"]
            ["checksum/config"])
        .to_string()
    };
    let before = checksum(&r);
    assert_eq!(before.len(), 64);
    let changed = render(&[
        CHART,
        "-r",
        "village-storefront",
        "-f",
        PROD,
        "--set-string",
        "config.QUARKUS_SCHEDULER_ENABLED=false",
    ]);
    assert_ne!(before, checksum(&changed));
}

#[test]
fn the_three_secrets_are_read_by_name() {
    let r = prod();
    let d = r.get("Deployment", CRITICAL);
    let e = env(container(d, "worker"));
    assert_eq!(
        e["QUARKUS_DATASOURCE_JDBC_URL"],
        "secret:village-storefront-db/jdbc-url"
    );
    assert_eq!(
        e["QUARKUS_DATASOURCE_PASSWORD"],
        "secret:village-storefront-db/password"
    );
    assert_eq!(
        e["R2_ACCESS_KEY_ID"],
        "secret:village-storefront-r2/access-key-id"
    );
    assert_eq!(
        e["STRIPE_API_KEY"],
        "secret:village-storefront-stripe/api-key"
    );
    assert_eq!(
        s(&d["metadata"]["annotations"]["skiff.dev/external-secrets"]),
        "village-storefront-db,village-storefront-r2,village-storefront-stripe"
    );
    assert!(r.all("Secret").is_empty() && r.all("ExternalSecret").is_empty());

    let es = render(&[
        CHART,
        "-r",
        "village-storefront",
        "-f",
        "charts/storefront-workers/ci/external-secrets.yaml",
    ]);
    let db = es.get("ExternalSecret", "village-storefront-db");
    assert_eq!(s(&db["apiVersion"]), "external-secrets.io/v1");
    let keys: Vec<&str> = db["spec"]["data"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|d| s(&d["secretKey"]))
        .collect();
    assert_eq!(keys, ["jdbc-url", "password", "username"]);
    assert!(es.has("ExternalSecret", "village-storefront-r2"));
    assert!(es.has("ExternalSecret", "village-storefront-stripe"));
}

#[test]
fn quarkus_health_probes_and_metrics_scraping_on_8080() {
    let r = prod();
    let d = r.get("Deployment", GENERAL);
    let c = container(d, "worker");
    assert_eq!(c["ports"][0]["containerPort"].as_u64(), Some(8080));
    assert_eq!(
        s(&c["readinessProbe"]["httpGet"]["path"]),
        "/q/health/ready"
    );
    assert_eq!(s(&c["livenessProbe"]["httpGet"]["path"]), "/q/health/live");
    let annotations = &d["spec"]["template"]["metadata"]["annotations"];
    assert_eq!(s(&annotations["prometheus.io/scrape"]), "true");
    assert_eq!(s(&annotations["prometheus.io/port"]), "8080");
    assert_eq!(s(&annotations["prometheus.io/path"]), "/q/metrics");
    let pm = r.get("PodMonitor", GENERAL);
    assert_eq!(
        s(&pm["spec"]["podMetricsEndpoints"][0]["path"]),
        "/q/metrics"
    );
    assert_eq!(s(&pm["spec"]["podMetricsEndpoints"][0]["port"]), "http");
    assert_eq!(
        s(&pm["spec"]["selector"]["matchLabels"]["component"]),
        "workers"
    );
}

#[test]
fn prometheus_rule_keeps_the_alert_templates_literal() {
    let r = prod();
    let rule = r.get("PrometheusRule", GENERAL);
    assert_eq!(
        s(&rule["metadata"]["labels"]["release"]),
        "kube-prometheus-stack"
    );
    let group = &rule["spec"]["groups"][0];
    assert_eq!(s(&group["name"]), "background_jobs");
    assert_eq!(s(&group["interval"]), "30s");
    let rules = group["rules"].as_sequence().unwrap();
    let alert = |name: &str| {
        rules
            .iter()
            .find(|r| r["alert"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("no alert {name}"))
    };
    let backlog = alert("CriticalQueueBacklog");
    assert_eq!(
        s(&backlog["expr"]),
        "reporting_refresh_queue_depth{priority=\"critical\"} > 100"
    );
    assert_eq!(s(&backlog["for"]), "2m");
    assert_eq!(s(&backlog["labels"]["severity"]), "critical");
    assert_eq!(
        s(&backlog["annotations"]["description"]),
        "CRITICAL queue depth {{ $value }} exceeds threshold for 2 minutes"
    );
    let dlq = alert("DeadLetterQueueGrowing");
    assert_eq!(s(&dlq["expr"]), "rate(reporting_refresh_dlq_depth[5m]) > 0");
    assert_eq!(s(&dlq["for"]), "5m");
    let failures = alert("JobFailureRateHigh");
    assert_eq!(
        s(&failures["expr"]),
        "rate(reporting_job_failed[5m]) / rate(reporting_job_started[5m]) > 0.1"
    );
    assert_eq!(
        s(&failures["annotations"]["description"]),
        "{{ $value | humanizePercentage }} of jobs failing"
    );
    assert_eq!(s(&failures["labels"]["severity"]), "warning");
    // Off by default (needs the prometheus-operator CRDs).
    let mvp = render(&[CHART]);
    assert!(mvp.all("PrometheusRule").is_empty() && mvp.all("PodMonitor").is_empty());
}

#[test]
fn schema_and_cross_field_errors_name_the_value() {
    let err = render_error(&[CHART, "--set", "workers.genral.replicas=2"]);
    assert!(
        err.contains("genral") && err.contains("workers.general"),
        "{err}"
    );
    let err = render_error(&[CHART, "--set", "workers.critical.priorityFilter=URGENT"]);
    assert!(err.contains("workers.critical.priorityFilter"), "{err}");
    let err = render_error(&[CHART, "--set", "workers.general.autoscaling.minReplicas=30"]);
    assert!(
        err.contains("workers.general.autoscaling.minReplicas"),
        "{err}"
    );
}

#[test]
fn every_value_set_lints_packages_and_validates() {
    manifests::assert_lints_clean(CHART);
    manifests::assert_packages(CHART, "storefront-workers-0.1.0.tgz");
    manifests::assert_sets_validate(&manifests::ci_sets(CHART), |args| {
        render(&[&[CHART, "-r", "village-storefront"], args].concat())
    });
}

#[test]
fn docs_values_table_covers_every_schema_path() {
    manifests::assert_docs_table_matches_schema(
        CHART,
        "docs/charts/storefront-workers.md",
        &["imagePullSecrets"],
    );
}
