//! charts/bow-mark, the DOKS production layout of the Bow-Mark
//! infrastructure document (seed 001): every ci/ value set renders, lints,
//! packages and validates, and each documented behaviour is checked object
//! by object on the parsed output.

mod common;

use common::manifests::{
    self, container_named as container, env_with_refs as env, pod_spec as pod, render,
    render_error, s, values_file,
};
use serde_yaml::Value;

const CHART: &str = "charts/bow-mark";
const PROD: &str = "charts/bow-mark/ci/production.yaml";

fn prod() -> manifests::Render {
    render(&[CHART, "-r", "bow-mark", "-f", PROD])
}

fn annotation<'a>(obj: &'a Value, key: &str) -> &'a str {
    s(&obj["metadata"]["annotations"][key])
}

#[test]
fn production_renders_four_roles_per_tenant() {
    let r = prod();
    for tenant in ["paving", "concrete"] {
        for role in ["server", "worker", "consumer", "client"] {
            let d = r.get("Deployment", &format!("bow-mark-{tenant}-{role}"));
            let labels = &d["spec"]["template"]["metadata"]["labels"];
            assert_eq!(s(&labels["bowmark.ca/tenant"]), tenant);
            assert_eq!(s(&labels["bowmark.ca/role"]), role);
        }
    }
    assert_eq!(r.all("Deployment").len(), 8);
    assert_eq!(r.all("StatefulSet").len(), 2);
    assert_eq!(r.all("CronJob").len(), 2);
    assert_eq!(r.all("Ingress").len(), 1);
    // Hand-made Secrets by default: the chart creates none.
    assert!(r.all("Secret").is_empty() && r.all("ExternalSecret").is_empty());
}

#[test]
fn servers_run_two_replicas_on_the_cpu_optimized_pool() {
    let r = prod();
    for tenant in ["paving", "concrete"] {
        let server = r.get("Deployment", &format!("bow-mark-{tenant}-server"));
        assert_eq!(server["spec"]["replicas"].as_u64(), Some(2));
        assert_eq!(
            s(&pod(server)["nodeSelector"]["doks.digitalocean.com/node-pool"]),
            "dedicated-cpu-optimized"
        );
        assert!(r.has("PodDisruptionBudget", &format!("bow-mark-{tenant}-server")));
        for role in ["worker", "consumer", "client"] {
            let d = r.get("Deployment", &format!("bow-mark-{tenant}-{role}"));
            assert_eq!(d["spec"]["replicas"].as_u64(), Some(1), "{tenant} {role}");
            assert_eq!(
                s(&pod(d)["nodeSelector"]["doks.digitalocean.com/node-pool"]),
                "default-pool"
            );
        }
    }
}

#[test]
fn images_carry_the_release_tag() {
    let r = prod();
    let sha = "3f2c1e9a7b5d4c3e2f1a0b9c8d7e6f5a4b3c2d1e";
    for (name, container_name, image) in [
        (
            "bow-mark-paving-server",
            "server",
            "itsdevin/bow-mark-server",
        ),
        (
            "bow-mark-concrete-worker",
            "worker",
            "itsdevin/bow-mark-server",
        ),
        (
            "bow-mark-paving-client",
            "client",
            "itsdevin/bow-mark-client",
        ),
        (
            "bow-mark-concrete-client",
            "client",
            "itsdevin/bow-mark-concrete-client",
        ),
    ] {
        let c = container(r.get("Deployment", name), container_name);
        assert_eq!(s(&c["image"]), format!("{image}:{sha}"));
    }
}

#[test]
fn consumers_migrate_with_dbmate_then_run_the_consumer_on_their_vhost() {
    let r = prod();
    for (tenant, db, vhost) in [
        ("paving", "bowmark_reports_paving", "bowmark"),
        ("concrete", "bowmark_reports_concrete", "bowmark-concrete"),
    ] {
        let d = r.get("Deployment", &format!("bow-mark-{tenant}-consumer"));
        let consumer = container(d, "consumer");
        assert_eq!(
            consumer["command"],
            serde_yaml::from_str::<Value>("[node, dist/consumer/index.js]").unwrap()
        );
        let e = env(consumer);
        assert_eq!(e["RABBITMQ_VHOST"], vhost);
        assert_eq!(e["POSTGRES_DB"], db);
        assert_eq!(e["MONGO_URI"], format!("secret:{tenant}/mongoURI"));
        assert_eq!(e["POSTGRES_PASSWORD"], "secret:postgres/password");
        assert_eq!(e["RABBITMQ_HOST"], "bow-mark-rabbitmq");
        let migrate = container(d, "migrate");
        assert_eq!(s(&migrate["image"]), "ghcr.io/amacneil/dbmate:2");
        assert_eq!(env(migrate)["POSTGRES_DB"], db);
        let args: Vec<&str> = migrate["args"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(s)
            .collect();
        assert!(
            args.contains(&"up") && args.contains(&"/migrations"),
            "{args:?}"
        );
        assert!(args[1].starts_with("postgres://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@"));
        let volume = &pod(d)["volumes"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|v| v["name"].as_str() == Some("migrations"))
            .expect("migrations volume")["configMap"];
        assert_eq!(s(&volume["name"]), "pg-migrations");
        assert_eq!(
            annotation(d, "skiff.dev/external-configmaps"),
            "pg-migrations"
        );
    }
    // Servers and workers of each tenant are on its vhost too.
    let w = r.get("Deployment", "bow-mark-concrete-worker");
    assert_eq!(
        env(container(w, "worker"))["RABBITMQ_VHOST"],
        "bowmark-concrete"
    );
}

#[test]
fn clients_and_servers_listen_on_the_documented_ports() {
    let r = prod();
    for (tenant, server_port, client_port) in [("paving", 8080, 3000), ("concrete", 8081, 3001)] {
        let svc = r.get("Service", &format!("bow-mark-{tenant}-server"));
        assert_eq!(svc["spec"]["ports"][0]["port"].as_u64(), Some(server_port));
        let svc = r.get("Service", &format!("bow-mark-{tenant}-client"));
        assert_eq!(svc["spec"]["ports"][0]["port"].as_u64(), Some(client_port));
        let client = r.get("Deployment", &format!("bow-mark-{tenant}-client"));
        assert_eq!(
            container(client, "client")["ports"][0]["containerPort"].as_u64(),
            Some(client_port)
        );
    }
}

#[test]
fn postgres_statefulset_as_documented() {
    let r = prod();
    let sts = r.get("StatefulSet", "bow-mark-postgres");
    let c = container(sts, "postgres");
    assert_eq!(s(&c["image"]), "postgres:16");
    let e = env(c);
    assert_eq!(e["PGDATA"], "/var/lib/postgresql/data/pgdata");
    assert_eq!(e["POSTGRES_DB"], "bowmark_reports_paving");
    assert_eq!(e["POSTGRES_EXTRA_DATABASES"], "bowmark_reports_concrete");
    assert_eq!(e["POSTGRES_USER"], "secret:postgres/user");
    for probe in ["readinessProbe", "livenessProbe"] {
        assert_eq!(c[probe]["timeoutSeconds"].as_u64(), Some(10));
        let cmd = c[probe]["exec"]["command"][2].as_str().unwrap();
        assert!(cmd.starts_with("pg_isready"), "{cmd}");
    }
    let pvc = &sts["spec"]["volumeClaimTemplates"][0]["spec"];
    assert_eq!(s(&pvc["storageClassName"]), "do-block-storage");
    assert_eq!(s(&pvc["resources"]["requests"]["storage"]), "10Gi");
    let svc = r.get("Service", "bow-mark-postgres");
    assert_eq!(s(&svc["spec"]["clusterIP"]), "None");
    assert_eq!(s(&sts["spec"]["serviceName"]), "bow-mark-postgres");
    // The init script creates the other databases, its shell variables intact.
    let init = r.get("ConfigMap", "bow-mark-postgres-init");
    let script = s(&init["data"]["create-tenant-databases.sh"]);
    assert!(script.contains("${POSTGRES_EXTRA_DATABASES:-}") && script.contains("\\gexec"));
    assert!(script.contains("CREATE DATABASE"));
}

#[test]
fn rabbitmq_statefulset_declares_every_tenant_vhost() {
    let r = prod();
    let sts = r.get("StatefulSet", "bow-mark-rabbitmq");
    let c = container(sts, "rabbitmq");
    assert_eq!(s(&c["image"]), "rabbitmq:3-management");
    assert_eq!(
        c["readinessProbe"]["exec"]["command"],
        serde_yaml::from_str::<Value>("[rabbitmq-diagnostics, ping]").unwrap()
    );
    assert_eq!(
        c["livenessProbe"]["exec"]["command"],
        serde_yaml::from_str::<Value>("[rabbitmq-diagnostics, status]").unwrap()
    );
    assert_eq!(c["readinessProbe"]["timeoutSeconds"].as_u64(), Some(10));
    assert_eq!(c["livenessProbe"]["timeoutSeconds"].as_u64(), Some(10));
    let pvc = &sts["spec"]["volumeClaimTemplates"][0]["spec"];
    assert_eq!(s(&pvc["storageClassName"]), "do-block-storage");
    assert_eq!(s(&pvc["resources"]["requests"]["storage"]), "5Gi");
    assert_eq!(
        s(&r.get("Service", "bow-mark-rabbitmq")["spec"]["clusterIP"]),
        "None"
    );
    let cm = r.get("ConfigMap", "bow-mark-rabbitmq-config");
    let defs: serde_json::Value =
        serde_json::from_str(s(&cm["data"]["definitions.json"])).expect("definitions JSON");
    let vhosts: Vec<&str> = defs["vhosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(vhosts, ["bowmark", "bowmark-concrete"]);
    assert_eq!(defs["permissions"].as_array().unwrap().len(), 2);
    assert!(s(&cm["data"]["load_definitions.conf"]).contains("load_definitions ="));
    // The pods roll when the definitions change.
    assert!(
        sts["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
            .as_str()
            .is_some_and(|c| c.len() == 64)
    );
}

#[test]
fn pg_backup_runs_daily_at_eight_utc_and_keeps_shell_variables() {
    let r = prod();
    let cron = r.get("CronJob", "bow-mark-pg-backup");
    assert_eq!(s(&cron["spec"]["schedule"]), "0 8 * * *");
    assert_eq!(s(&cron["spec"]["timeZone"]), "Etc/UTC");
    assert_eq!(s(&cron["spec"]["concurrencyPolicy"]), "Forbid");
    let dump = container(cron, "dump");
    assert_eq!(env(dump)["PGPASSWORD"], "secret:postgres/password");
    assert_eq!(
        env(dump)["BACKUP_DATABASES"],
        "bowmark_reports_paving bowmark_reports_concrete"
    );
    assert_eq!(
        env(container(cron, "upload"))["SPACES_KEY"],
        "secret:spaces/key"
    );
    let scripts = r.get("ConfigMap", "bow-mark-pg-backup-scripts");
    let dump_sh = s(&scripts["data"]["pg-backup-dump.sh"]);
    let upload_sh = s(&scripts["data"]["pg-backup-upload.sh"]);
    for needle in [
        "$PGPASSWORD",
        "${PGPASSWORD:?",
        "pg_dump",
        "-Fc",
        "$BACKUP_DATABASES",
    ] {
        assert!(dump_sh.contains(needle), "dump script lacks {needle}");
    }
    for needle in [
        "${SPACES_NAME}",
        "${RETENTION_DAYS}",
        "$SPACES_SECRET",
        "aws s3 rm",
    ] {
        assert!(upload_sh.contains(needle), "upload script lacks {needle}");
    }
    assert_eq!(env(container(cron, "upload"))["RETENTION_DAYS"], "30");
}

#[test]
fn nightly_restart_restarts_workers_and_consumers_with_least_rbac() {
    let r = prod();
    let cron = r.get("CronJob", "bow-mark-nightly-restart");
    assert_eq!(s(&cron["spec"]["schedule"]), "0 7 * * *");
    assert_eq!(s(&cron["spec"]["timeZone"]), "Etc/UTC");
    let p = pod(cron);
    assert_eq!(s(&p["serviceAccountName"]), "bow-mark-nightly-restart");
    let targets = [
        "bow-mark-paving-worker",
        "bow-mark-paving-consumer",
        "bow-mark-concrete-worker",
        "bow-mark-concrete-consumer",
    ];
    let command: Vec<&str> = container(cron, "kubectl")["command"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(s)
        .collect();
    assert_eq!(&command[..3], ["kubectl", "rollout", "restart"]);
    for t in targets {
        assert!(
            command.contains(&format!("deployment/{t}").as_str()),
            "{command:?}"
        );
    }
    let role = r.get("Role", "bow-mark-nightly-restart");
    let names: Vec<&str> = role["rules"][0]["resourceNames"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(s)
        .collect();
    assert_eq!(names, targets);
    let binding = r.get("RoleBinding", "bow-mark-nightly-restart");
    assert_eq!(
        s(&binding["subjects"][0]["name"]),
        "bow-mark-nightly-restart"
    );
    assert!(r.has("ServiceAccount", "bow-mark-nightly-restart"));
}

#[test]
fn ingress_routes_three_hosts_with_one_certificate() {
    let r = prod();
    let ing = r.get("Ingress", "bow-mark");
    let a = |k: &str| annotation(ing, k).to_string();
    assert_eq!(a("nginx.ingress.kubernetes.io/proxy-body-size"), "100m");
    for t in ["connect", "send", "read"] {
        assert_eq!(
            a(&format!("nginx.ingress.kubernetes.io/proxy-{t}-timeout")),
            "600"
        );
    }
    assert!(ing["metadata"]["annotations"]["cert-manager.io/cluster-issuer"].is_string());
    assert_eq!(s(&ing["spec"]["ingressClassName"]), "nginx");
    let tls = ing["spec"]["tls"].as_sequence().unwrap();
    assert_eq!(tls.len(), 1);
    assert_eq!(s(&tls[0]["secretName"]), "bow-mark-tls");
    let hosts: Vec<&str> = tls[0]["hosts"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(s)
        .collect();
    assert_eq!(
        hosts,
        ["app.bowmark.ca", "paving.bowmark.ca", "concrete.bowmark.ca"]
    );
    for rule in ing["spec"]["rules"].as_sequence().unwrap() {
        let host = s(&rule["host"]);
        let (tenant, server_port, client_port) = if host == "concrete.bowmark.ca" {
            ("concrete", 8081, 3001)
        } else {
            ("paving", 8080, 3000)
        };
        let paths = rule["http"]["paths"].as_sequence().unwrap();
        let root = paths
            .iter()
            .find(|p| p["path"].as_str() == Some("/"))
            .unwrap();
        assert_eq!(
            s(&root["backend"]["service"]["name"]),
            format!("bow-mark-{tenant}-client")
        );
        assert_eq!(
            root["backend"]["service"]["port"]["number"].as_u64(),
            Some(client_port)
        );
        let gql = paths
            .iter()
            .find(|p| p["path"].as_str() == Some("/graphql"))
            .unwrap();
        assert_eq!(
            s(&gql["backend"]["service"]["name"]),
            format!("bow-mark-{tenant}-server")
        );
        assert_eq!(
            gql["backend"]["service"]["port"]["number"].as_u64(),
            Some(server_port)
        );
    }
}

#[test]
fn hand_made_secrets_are_referenced_by_configurable_names() {
    let (_d, file) = values_file("secrets: {postgres: pg-credentials}\n");
    let r = render(&[CHART, "-r", "bow-mark", "-f", PROD, "-f", &file]);
    let consumer = r.get("Deployment", "bow-mark-paving-consumer");
    assert_eq!(
        env(container(consumer, "consumer"))["POSTGRES_PASSWORD"],
        "secret:pg-credentials/password"
    );
    assert!(annotation(consumer, "skiff.dev/external-secrets").contains("pg-credentials"));
}

#[test]
fn external_secrets_option_syncs_every_secret() {
    let r = render(&[
        CHART,
        "-r",
        "bow-mark",
        "-f",
        "charts/bow-mark/ci/external-secrets.yaml",
    ]);
    let names: Vec<&str> = r
        .all("ExternalSecret")
        .iter()
        .map(|e| s(&e["metadata"]["name"]))
        .collect();
    for want in [
        "postgres", "rabbitmq", "general", "spaces", "email", "search", "paving", "concrete",
    ] {
        assert!(names.contains(&want), "{names:?}");
    }
    let pg = r.get("ExternalSecret", "postgres");
    assert_eq!(s(&pg["apiVersion"]), "external-secrets.io/v1");
    assert_eq!(
        s(&pg["spec"]["dataFrom"][0]["extract"]["key"]),
        "Bow-Mark Production K8s/postgres"
    );
    assert_eq!(
        s(&r.get("ExternalSecret", "search")["spec"]["dataFrom"][0]["extract"]["key"]),
        "bow-mark/search"
    );
    // The workloads no longer declare the Secrets external.
    let server = r.get("Deployment", "bow-mark-paving-server");
    assert!(server["metadata"]["annotations"]["skiff.dev/external-secrets"].is_null());
}

#[test]
fn schema_and_cross_field_errors_name_the_value() {
    let err = render_error(&[CHART, "--set", "ingres.enabled=false"]);
    assert!(err.contains("ingres") && err.contains("ingress"), "{err}");
    let err = render_error(&[CHART, "--set", "server.nodePool=gpu"]);
    assert!(err.contains("server.nodePool"), "{err}");
    let (_d, file) = values_file(
        "tenants:\n  - {name: a, appName: A, mongoSecret: a, database: db, rabbitmqVhost: v1, searchGroup: a, hosts: [a.example.com]}\n  - {name: b, appName: B, mongoSecret: b, database: db, rabbitmqVhost: v2, searchGroup: b, hosts: [b.example.com]}\n",
    );
    let err = render_error(&[CHART, "-f", &file]);
    assert!(err.contains("tenants[].database"), "{err}");
}

#[test]
fn every_value_set_lints_packages_and_validates() {
    manifests::assert_lints_clean(CHART);
    manifests::assert_packages(CHART, "bow-mark-0.1.0.tgz");
    manifests::assert_sets_validate(&manifests::ci_sets(CHART), |args| {
        render(&[&[CHART, "-r", "bow-mark"], args].concat())
    });
}

#[test]
fn docs_values_table_covers_every_schema_path() {
    manifests::assert_docs_table_matches_schema(
        CHART,
        "docs/charts/bow-mark.md",
        &["imagePullSecrets", "tenants"],
    );
}
