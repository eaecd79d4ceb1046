//! charts/dojo (seed 003, the dojo deployment guide): the single-writer
//! DuckDB topology, the dev/staging/production overlays as value sets, and
//! the two refusals (more than one replica; production on edge) with the
//! reasons they give. Renders use the release name `dojo`.

mod common;

use common::manifests::{
    Render, assert_docs_table_matches_schema, assert_lints_clean, assert_packages,
    assert_schema_accepts, assert_schema_rejects_at, assert_sets_validate, ci_sets, container, env,
    env_from, env_from_secret, merged, mounts, pod, render, render_error, s, selects,
    validate_manifests, values_file, violations, volume,
};

const CHART: &str = "charts/dojo";

fn dojo(args: &[&str]) -> Render {
    render(&[&["dojo", CHART], args].concat())
}

fn dojo_error(args: &[&str]) -> String {
    render_error(&[&["dojo", CHART], args].concat())
}

fn with_set(set: &str) -> Render {
    dojo(&["-f", &format!("{CHART}/ci/{set}.yaml")])
}

#[test]
fn base_deployment_is_one_recreated_replica_of_container_dojo() {
    let r = dojo(&[]);
    let d = r.get("Deployment", "dojo");
    assert_eq!(d["spec"]["replicas"].as_u64(), Some(1));
    assert_eq!(s(&d["spec"]["strategy"]["type"]), "Recreate");
    assert!(d["spec"]["strategy"]["rollingUpdate"].is_null());
    let c = container(d);
    assert_eq!(s(&c["name"]), "dojo");
    assert_eq!(c["ports"][0]["containerPort"].as_u64(), Some(8000));
    assert_eq!(s(&c["ports"][0]["name"]), "http");
    let e = env(d);
    assert_eq!(
        e.get("DOJO_DB_PATH").map(String::as_str),
        Some("/data/ledger.duckdb")
    );
    assert_eq!(e.get("DOJO_ENV").map(String::as_str), Some("production"));
    assert_eq!(e.get("DOJO_LOG_LEVEL").map(String::as_str), Some("info"));
    assert_eq!(
        s(&c["image"]),
        "ghcr.io/blogle/dojo:v0.1.0",
        "pinned by appVersion"
    );
    // /data is the PVC dojo-data, ReadWriteOnce, kept on uninstall.
    assert_eq!(mounts(d).get("/data").map(String::as_str), Some("data"));
    assert_eq!(
        s(&volume(d, "data")["persistentVolumeClaim"]["claimName"]),
        "dojo-data"
    );
    let pvc = r.get("PersistentVolumeClaim", "dojo-data");
    assert_eq!(s(&pvc["spec"]["accessModes"][0]), "ReadWriteOnce");
    assert_eq!(s(&pvc["spec"]["resources"]["requests"]["storage"]), "5Gi");
    assert!(
        pvc["spec"]["storageClassName"].is_null(),
        "the cluster default"
    );
    assert_eq!(
        s(&pvc["metadata"]["annotations"]["helm.sh/resource-policy"]),
        "keep"
    );
    assert!(r.all("Ingress").is_empty(), "Ingress is optional and off");
}

#[test]
fn probes_resources_and_security_context_are_the_documented_ones() {
    let r = dojo(&[]);
    let d = r.get("Deployment", "dojo");
    let c = container(d);
    for (probe, delay, period) in [("readinessProbe", 5, 10), ("livenessProbe", 30, 30)] {
        let p = &c[probe];
        assert_eq!(s(&p["httpGet"]["path"]), "/healthz", "{probe}");
        assert_eq!(
            s(&p["httpGet"]["port"]),
            "http",
            "{probe}: the port named http (8000)"
        );
        assert_eq!(p["initialDelaySeconds"].as_u64(), Some(delay), "{probe}");
        assert_eq!(p["periodSeconds"].as_u64(), Some(period), "{probe}");
    }
    assert_eq!(s(&c["resources"]["requests"]["cpu"]), "100m");
    assert_eq!(s(&c["resources"]["requests"]["memory"]), "256Mi");
    assert_eq!(s(&c["resources"]["limits"]["cpu"]), "1");
    assert_eq!(s(&c["resources"]["limits"]["memory"]), "1Gi");
    let psc = &pod(d)["securityContext"];
    assert_eq!(psc["runAsNonRoot"].as_bool(), Some(true));
    for key in ["runAsUser", "runAsGroup", "fsGroup"] {
        assert_eq!(psc[key].as_u64(), Some(1000), "{key}");
    }
    let sc = &c["securityContext"];
    assert_eq!(sc["readOnlyRootFilesystem"].as_bool(), Some(true));
    assert_eq!(sc["allowPrivilegeEscalation"].as_bool(), Some(false));
    // /data is the only writable path: no other volume is mounted.
    assert_eq!(mounts(d).keys().collect::<Vec<_>>(), ["/data"]);
    assert_eq!(
        pod(d)["automountServiceAccountToken"].as_bool(),
        Some(false)
    );
}

#[test]
fn service_maps_port_80_to_8000() {
    let r = dojo(&[]);
    let svc = r.get("Service", "dojo");
    assert_eq!(s(&svc["spec"]["type"]), "ClusterIP");
    let port = &svc["spec"]["ports"][0];
    assert_eq!(port["port"].as_u64(), Some(80));
    assert_eq!(s(&port["targetPort"]), "http");
    let d = r.get("Deployment", "dojo");
    assert!(selects(
        &svc["spec"]["selector"],
        &d["spec"]["template"]["metadata"]["labels"]
    ));
    assert!(selects(
        &d["spec"]["selector"]["matchLabels"],
        &d["spec"]["template"]["metadata"]["labels"]
    ));
}

// ------------------------------------------------------------ environments

#[test]
fn dev_is_ephemeral_with_debug_logging() {
    let r = with_set("dev");
    assert!(r.all("PersistentVolumeClaim").is_empty());
    let d = r.get("Deployment", "dojo");
    assert!(volume(d, "data")["emptyDir"].is_mapping());
    let e = env(d);
    assert_eq!(e.get("DOJO_ENV").map(String::as_str), Some("dev"));
    assert_eq!(e.get("DOJO_LOG_LEVEL").map(String::as_str), Some("debug"));
    let c = container(d);
    assert_eq!(s(&c["imagePullPolicy"]), "IfNotPresent");
    assert_eq!(s(&c["image"]), "ghcr.io/blogle/dojo:edge");
    assert_eq!(s(&c["resources"]["limits"]["memory"]), "512Mi");
}

#[test]
fn staging_tracks_edge_with_a_pvc_and_its_own_host() {
    let r = with_set("staging");
    let d = r.get("Deployment", "dojo");
    assert_eq!(s(&container(d)["image"]), "ghcr.io/blogle/dojo:edge");
    assert_eq!(env(d).get("DOJO_ENV").map(String::as_str), Some("staging"));
    assert!(r.has("PersistentVolumeClaim", "dojo-data"));
    let ing = r.get("Ingress", "dojo");
    assert_eq!(
        s(&ing["spec"]["rules"][0]["host"]),
        "staging-dojo.example.com"
    );
    assert_eq!(s(&container(d)["resources"]["limits"]["cpu"]), "500m");
}

#[test]
fn production_is_pinned_with_ingress_tls_and_durable_storage() {
    let r = with_set("production");
    let d = r.get("Deployment", "dojo");
    assert_eq!(s(&container(d)["image"]), "ghcr.io/blogle/dojo:v0.1.0");
    assert_eq!(
        env(d).get("DOJO_ENV").map(String::as_str),
        Some("production")
    );
    let pvc = r.get("PersistentVolumeClaim", "dojo-data");
    assert_eq!(s(&pvc["spec"]["storageClassName"]), "ssd-retain");
    assert_eq!(s(&pvc["spec"]["resources"]["requests"]["storage"]), "20Gi");
    // The Ingress is named dojo, so an infra repo's patch of
    // /spec/rules/0/host still applies.
    let ing = r.get("Ingress", "dojo");
    let rule = &ing["spec"]["rules"][0];
    assert_eq!(s(&rule["host"]), "dojo.example.com");
    let path = &rule["http"]["paths"][0];
    assert_eq!(s(&path["path"]), "/");
    assert_eq!(s(&path["backend"]["service"]["name"]), "dojo");
    assert_eq!(s(&path["backend"]["service"]["port"]["name"]), "http");
    assert_eq!(s(&ing["spec"]["tls"][0]["secretName"]), "dojo-tls");
    assert_eq!(s(&ing["spec"]["tls"][0]["hosts"][0]), "dojo.example.com");
}

// --------------------------------------------------------------- refusals

#[test]
fn more_than_one_replica_is_refused_with_the_reason() {
    let err = dojo_error(&["--set", "replicas=2"]);
    for needle in [
        "replicas is 2",
        "exactly one replica",
        "DuckDB allows a single writer",
        "/data/ledger.duckdb",
    ] {
        assert!(err.contains(needle), "expected {needle:?} in:\n{err}");
    }
    // The schema refuses it on its own too (for editors and other tools).
    let found = violations(CHART, &merged(CHART, &["replicas: 3\n"]));
    assert!(
        found.iter().any(|v| v.starts_with("/replicas")),
        "{found:?}"
    );
    // 0 stops the app and is allowed.
    let r = dojo(&["--set", "replicas=0"]);
    assert_eq!(
        r.get("Deployment", "dojo")["spec"]["replicas"].as_u64(),
        Some(0)
    );
}

#[test]
fn production_on_a_moving_tag_is_refused_with_the_reason() {
    for tag in ["edge", "latest"] {
        let err = dojo_error(&["--set", &format!("image.tag={tag}")]);
        for needle in [
            &format!("image.tag is {tag}"),
            "environment is production",
            "pinned releases",
            "image.tag=v0.1.0",
        ] {
            assert!(
                err.contains(needle),
                "{tag}: expected {needle:?} in:\n{err}"
            );
        }
        let yaml = format!("environment: production\nimage: {{tag: {tag}}}\n");
        let found = violations(CHART, &merged(CHART, &[&yaml]));
        assert!(
            found.iter().any(|v| v.starts_with("/image/tag")),
            "{tag}: {found:?}"
        );
    }
    // A production file on edge is refused even when it comes from a file.
    let (_d, file) = values_file("image: {tag: edge}\n");
    let err = dojo_error(&["-f", &format!("{CHART}/ci/production.yaml"), "-f", &file]);
    assert!(err.contains("pinned releases"), "{err}");
    // Staging and dev may track edge; production may pin a sha.
    dojo(&["--set", "image.tag=edge,environment=staging"]);
    dojo(&["--set", "image.tag=sha-0123abcd"]);
    let found = violations(
        CHART,
        &merged(CHART, &["environment: staging\nimage: {tag: edge}\n"]),
    );
    assert_eq!(found, Vec::<String>::new());
}

#[test]
fn production_refuses_an_ephemeral_data_volume() {
    let err = dojo_error(&["--set", "persistence.enabled=false"]);
    assert!(
        err.contains("persistence.enabled") && err.contains("emptyDir"),
        "{err}"
    );
    dojo(&["--set", "persistence.enabled=false,environment=dev"]);
}

// ----------------------------------------------------------------- secrets

#[test]
fn secrets_are_referenced_by_name_or_synced_by_external_secrets() {
    let r = dojo(&[]);
    assert!(
        env_from(r.get("Deployment", "dojo")).is_empty(),
        "no Secret by default"
    );

    let r = dojo(&["--set", "existingSecret=dojo-keys"]);
    let d = r.get("Deployment", "dojo");
    assert_eq!(env_from(d), env_from_secret("dojo-keys"));
    assert_eq!(
        s(&d["metadata"]["annotations"]["skiff.dev/external-secrets"]),
        "dojo-keys"
    );
    assert!(r.all("Secret").is_empty() && r.all("ExternalSecret").is_empty());

    let (_d, file) = values_file(
        "externalSecrets:\n  enabled: true\n  data:\n    SESSION_SIGNING_KEY: dojo/prod/session\n",
    );
    let r = dojo(&["-f", &file]);
    let es = r.get("ExternalSecret", "dojo-secrets");
    assert_eq!(s(&es["apiVersion"]), "external-secrets.io/v1");
    assert_eq!(s(&es["spec"]["target"]["name"]), "dojo-secrets");
    assert_eq!(
        s(&es["spec"]["data"][0]["secretKey"]),
        "SESSION_SIGNING_KEY"
    );
    assert_eq!(
        env_from(r.get("Deployment", "dojo")),
        env_from_secret("dojo-secrets")
    );
    validate_manifests("externalSecrets", &r.text);
}

// ------------------------------------------------------- validity and tools

#[test]
fn rendered_manifests_pass_kubernetes_validate_strict() {
    assert_sets_validate(&ci_sets(CHART), dojo);
}

#[test]
fn chart_lints_strict_and_packages() {
    assert_lints_clean(CHART);
    assert_packages(CHART, "dojo-0.1.0.tgz");
}

#[test]
fn schema_accepts_defaults_and_every_value_set_and_is_closed() {
    assert_schema_accepts(CHART, &ci_sets(CHART));
    let (_d, file) = values_file("persistance: {enabled: false}\n");
    let err = dojo_error(&["-f", &file]);
    assert!(
        err.contains("persistance") && err.contains("persistence"),
        "{err}"
    );
    assert_schema_rejects_at(
        CHART,
        &[
            ("environment: prod\n", "/environment"),
            ("logLevel: verbose\n", "/logLevel"),
            ("dbPath: /tmp/x.duckdb\n", "/dbPath"),
            (
                "securityContext: {readOnlyRootFilesystem: false}\n",
                "/securityContext/readOnlyRootFilesystem",
            ),
            ("image: {tag: main}\n", "/image/tag"),
        ],
    );
}

#[test]
fn docs_values_table_matches_the_schema() {
    assert_docs_table_matches_schema(CHART, "docs/charts/dojo.md", &[]);
}
