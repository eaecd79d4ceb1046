//! `secret-ref` and `configmap-ref`: a pod that references a Secret or
//! ConfigMap that does not exist never starts (CreateContainerConfigError
//! or a volume that never mounts). A reference is satisfied when the chart
//! creates the object in the same namespace, when the reference is
//! `optional: true`, or when the object is declared external.
//!
//! Objects that create Secrets: `Secret`; an External Secrets Operator
//! `ExternalSecret` (its `spec.target.name`, or its own name when the
//! target has none); a Bitnami `SealedSecret` (its name); a cert-manager
//! `Certificate` (its `spec.secretName`). ConfigMaps: `ConfigMap`, and
//! `kube-root-ca.crt`, which Kubernetes publishes in every namespace.

use std::collections::BTreeSet;

use serde_yaml::Value;

use super::{CONFIGMAP_REF, Rule, SECRET_REF};
use crate::lint::workload::Workload;
use crate::lint::{
    EXTERNAL_CONFIGMAPS_ANNOTATION, EXTERNAL_SECRETS_ANNOTATION, Objects, Settings, Sink,
    annotation_list,
};
use crate::manifest::Manifest;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Secret,
    ConfigMap,
}

/// One reference from a pod spec.
#[derive(Debug)]
struct Reference {
    target: Target,
    name: String,
    /// Where in the pod spec, for the message (`container "web" envFrom`).
    field: String,
}

/// The (namespace, name) pairs the chart creates, per target.
fn created<'a>(objects: &Objects<'a>, target: Target) -> BTreeSet<(&'a str, &'a str)> {
    let mut out = BTreeSet::new();
    for m in objects.manifests {
        let ns = objects.namespace_of(m);
        let spec_str = |path: &[&str]| {
            let mut v = m.value.get("spec");
            for key in path {
                v = v.and_then(|x| x.get(key));
            }
            v.and_then(Value::as_str)
        };
        let name = match (target, m.group(), m.kind()) {
            (Target::Secret, "", "Secret") | (Target::ConfigMap, "", "ConfigMap") => Some(m.name()),
            (Target::Secret, "external-secrets.io", "ExternalSecret") => Some(
                spec_str(&["target", "name"])
                    .filter(|s| !s.is_empty())
                    .unwrap_or(m.name()),
            ),
            (Target::Secret, "bitnami.com", "SealedSecret") => Some(m.name()),
            (Target::Secret, "cert-manager.io", "Certificate") => spec_str(&["secretName"]),
            _ => None,
        };
        if let Some(name) = name.filter(|n| !n.is_empty()) {
            out.insert((ns, name));
        }
    }
    out
}

fn optional(v: &Value) -> bool {
    v.get("optional").and_then(Value::as_bool) == Some(true)
}

/// Every non-optional Secret and ConfigMap reference of a pod spec.
fn references(workload: &Workload<'_>) -> Vec<Reference> {
    let mut out = Vec::new();
    let mut push = |target, name: Option<&str>, field: String| {
        if let Some(name) = name.filter(|n| !n.is_empty()) {
            out.push(Reference {
                target,
                name: name.to_string(),
                field,
            });
        }
    };
    let name_of = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    for (_, c) in workload.containers() {
        let container = crate::lint::workload::container_name(c);
        for env in c
            .get("env")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            let from = env.get("valueFrom");
            let var = env.get("name").and_then(Value::as_str).unwrap_or("?");
            for (key, target) in [
                ("secretKeyRef", Target::Secret),
                ("configMapKeyRef", Target::ConfigMap),
            ] {
                if let Some(r) = from.and_then(|f| f.get(key)).filter(|r| !optional(r)) {
                    push(
                        target,
                        name_of(r, "name").as_deref(),
                        format!("container {container:?} env {var}"),
                    );
                }
            }
        }
        for env_from in c
            .get("envFrom")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            for (key, target) in [
                ("secretRef", Target::Secret),
                ("configMapRef", Target::ConfigMap),
            ] {
                if let Some(r) = env_from.get(key).filter(|r| !optional(r)) {
                    push(
                        target,
                        name_of(r, "name").as_deref(),
                        format!("container {container:?} envFrom"),
                    );
                }
            }
        }
    }
    for volume in workload
        .pod
        .get("volumes")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        let vol = volume.get("name").and_then(Value::as_str).unwrap_or("?");
        if let Some(s) = volume.get("secret").filter(|s| !optional(s)) {
            push(
                Target::Secret,
                name_of(s, "secretName").as_deref(),
                format!("volume {vol:?}"),
            );
        }
        if let Some(cm) = volume.get("configMap").filter(|c| !optional(c)) {
            push(
                Target::ConfigMap,
                name_of(cm, "name").as_deref(),
                format!("volume {vol:?}"),
            );
        }
        let sources = volume
            .get("projected")
            .and_then(|p| p.get("sources"))
            .and_then(Value::as_sequence);
        for source in sources.into_iter().flatten() {
            for (key, target) in [("secret", Target::Secret), ("configMap", Target::ConfigMap)] {
                if let Some(r) = source.get(key).filter(|r| !optional(r)) {
                    push(
                        target,
                        name_of(r, "name").as_deref(),
                        format!("projected volume {vol:?}"),
                    );
                }
            }
        }
    }
    out
}

pub(crate) fn check(objects: &Objects<'_>, settings: &Settings, sink: &mut Sink<'_>) {
    let secrets = created(objects, Target::Secret);
    let config_maps = created(objects, Target::ConfigMap);
    // The index holds every workload, in manifest order.
    for workload in &objects.index.workloads {
        let m = workload.manifest;
        let ns = objects.namespace_of(m);
        let mut reported = BTreeSet::new();
        for r in references(workload) {
            let (rule, exists, external): (&Rule, bool, bool) = match r.target {
                Target::Secret => (
                    &SECRET_REF,
                    secrets.contains(&(ns, r.name.as_str())),
                    is_external(
                        m,
                        EXTERNAL_SECRETS_ANNOTATION,
                        &settings.external.secrets,
                        &r.name,
                    ),
                ),
                Target::ConfigMap => (
                    &CONFIGMAP_REF,
                    config_maps.contains(&(ns, r.name.as_str())) || r.name == "kube-root-ca.crt",
                    is_external(
                        m,
                        EXTERNAL_CONFIGMAPS_ANNOTATION,
                        &settings.external.config_maps,
                        &r.name,
                    ),
                ),
            };
            if exists || external || !reported.insert((r.target, r.name.clone())) {
                continue;
            }
            let what = if r.target == Target::Secret {
                "Secret"
            } else {
                "ConfigMap"
            };
            sink.object(
                rule,
                m,
                format!(
                    "{} references {what} {:?}, which the chart does not create",
                    r.field, r.name
                ),
                rule.hint,
            );
        }
    }
}

fn is_external(m: &Manifest, annotation: &str, listed: &[String], name: &str) -> bool {
    listed.iter().any(|l| l == name) || annotation_list(m, annotation).contains(&name)
}
