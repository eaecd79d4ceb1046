//! Rules about rendered objects: required fields, names, duplicates, and
//! the links between objects that Kubernetes resolves by labels or names
//! (workload selectors, Services, Ingress backends, HPAs, PDBs). A broken
//! link is accepted by the API server and fails silently at run time, which
//! is why these are errors.

use std::collections::HashMap;

use serde_yaml::Value;

use super::{
    HPA_REPLICAS, HPA_TARGET, INGRESS_BACKEND, OBJECT_DUPLICATE, OBJECT_FIELDS, OBJECT_NAME,
    PDB_SELECTOR, SERVICE_SELECTOR, SERVICE_TARGET_PORT, WORKLOAD_SELECTOR,
};
use crate::lint::names::NameRule;
use crate::lint::workload::{Selector, Workload, show_labels, string_map};
use crate::lint::{Objects, Sink, object_label};
use crate::manifest::Manifest;

pub(crate) fn check(objects: &Objects<'_>, sink: &mut Sink<'_>) {
    required_fields(objects, sink);
    names(objects, sink);
    duplicates(objects, sink);
    workload_selectors(objects, sink);
    services(objects, sink);
    ingresses(objects, sink);
    autoscalers(objects, sink);
    disruption_budgets(objects, sink);
}

fn required_fields(objects: &Objects<'_>, sink: &mut Sink<'_>) {
    for m in objects.manifests {
        let mut missing = Vec::new();
        if m.api_version().is_empty() {
            missing.push("apiVersion");
        }
        if m.kind().is_empty() {
            missing.push("kind");
        }
        let generate_name = m
            .value
            .get("metadata")
            .and_then(|md| md.get("generateName"))
            .and_then(Value::as_str);
        if m.name().is_empty() && generate_name.is_none_or(str::is_empty) {
            missing.push("metadata.name");
        }
        if !missing.is_empty() {
            sink.object(
                &OBJECT_FIELDS,
                m,
                format!("missing {}", missing.join(", ")),
                OBJECT_FIELDS.hint,
            );
        }
    }
}

fn names(objects: &Objects<'_>, sink: &mut Sink<'_>) {
    for m in objects.manifests {
        if !m.name().is_empty()
            && let Some(problem) = NameRule::for_kind(m.kind()).check(m.name())
        {
            let message = format!("name {:?} {problem}", m.name());
            sink.object(&OBJECT_NAME, m, message, OBJECT_NAME.hint);
        }
        if let Some(ns) = m.namespace()
            && let Some(problem) = (NameRule::Label { max: 63 }).check(ns)
        {
            let message = format!("namespace {ns:?} {problem}");
            sink.object(&OBJECT_NAME, m, message, OBJECT_NAME.hint);
        }
    }
}

fn duplicates(objects: &Objects<'_>, sink: &mut Sink<'_>) {
    // Hashed, not ordered: the keys' strings sit in each object's parsed
    // tree, and a tree map compared them at every level of every lookup
    // (9.5 ms of cache misses for 2,700 objects). Findings follow the
    // objects' order either way.
    let mut seen: HashMap<(&str, &str, &str, &str), &Manifest> =
        HashMap::with_capacity(objects.manifests.len());
    for m in objects.manifests {
        if m.kind().is_empty() || m.name().is_empty() {
            continue;
        }
        let key = (m.group(), m.kind(), objects.namespace_of(m), m.name());
        if let Some(first) = seen.get(&key) {
            let ns = if key.2.is_empty() {
                String::new()
            } else {
                format!(" in namespace {}", key.2)
            };
            sink.object(
                &OBJECT_DUPLICATE,
                m,
                format!(
                    "{}{ns} is rendered twice: by {} and by {}",
                    object_label(m),
                    first.source,
                    m.source
                ),
                OBJECT_DUPLICATE.hint,
            );
        } else {
            seen.insert(key, m);
        }
    }
}

fn workload_selectors(objects: &Objects<'_>, sink: &mut Sink<'_>) {
    for m in objects.manifests {
        if !matches!(
            m.kind(),
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
        ) {
            continue;
        }
        let Some(workload) = Workload::of(m) else {
            sink.object(
                &WORKLOAD_SELECTOR,
                m,
                "has no spec.template with a pod spec".into(),
                WORKLOAD_SELECTOR.hint,
            );
            continue;
        };
        let selector = m
            .value
            .get("spec")
            .and_then(|s| s.get("selector"))
            .and_then(Selector::parse);
        match selector {
            None => sink.object(
                &WORKLOAD_SELECTOR,
                m,
                "has no spec.selector (required by apps/v1)".into(),
                WORKLOAD_SELECTOR.hint,
            ),
            Some(s) if s.is_empty() => {
                sink.object(
                    &WORKLOAD_SELECTOR,
                    m,
                    "has an empty spec.selector".into(),
                    WORKLOAD_SELECTOR.hint,
                );
            }
            Some(s) if !s.matches(&workload.labels) => sink.object(
                &WORKLOAD_SELECTOR,
                m,
                format!(
                    "spec.selector ({}) does not match the pod template labels ({})",
                    show_labels(&s.match_labels),
                    show_labels(&workload.labels)
                ),
                WORKLOAD_SELECTOR.hint,
            ),
            Some(_) => {}
        }
    }
}

fn services(objects: &Objects<'_>, sink: &mut Sink<'_>) {
    for m in objects.manifests.iter().filter(|m| m.kind() == "Service") {
        let spec = m.value.get("spec");
        if spec.and_then(|s| s.get("type")).and_then(Value::as_str) == Some("ExternalName") {
            continue;
        }
        let selector = string_map(spec.and_then(|s| s.get("selector")));
        if selector.is_empty() {
            continue; // endpoints managed by hand or by a controller
        }
        let namespace = objects.namespace_of(m);
        let workloads = objects.selected(namespace, &selector, |w| {
            crate::lint::workload::subset(&selector, &w.labels)
        });
        if workloads.is_empty() {
            sink.object(
                &SERVICE_SELECTOR,
                m,
                format!(
                    "spec.selector ({}) matches the pods of no workload in the chart",
                    show_labels(&selector)
                ),
                SERVICE_SELECTOR.hint,
            );
            continue;
        }
        let ports = spec
            .and_then(|s| s.get("ports"))
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten();
        // Serving workloads are what a Service is for; a Job or Pod that
        // shares their labels (a migration Job with the chart's selector
        // labels) is only checked when nothing long-running is selected.
        let serving: Vec<&Workload<'_>> = workloads
            .iter()
            .copied()
            .filter(|w| w.is_long_running())
            .collect();
        let checked = if serving.is_empty() {
            workloads
        } else {
            serving
        };
        for port in ports {
            let Some(target) = port.get("targetPort").and_then(Value::as_str) else {
                continue;
            };
            for w in &checked {
                if !w.port_names().contains(&target) {
                    sink.object(
                        &SERVICE_TARGET_PORT,
                        m,
                        format!(
                            "targetPort {target:?} is not a named container port of {}",
                            object_label(w.manifest)
                        ),
                        SERVICE_TARGET_PORT.hint,
                    );
                }
            }
        }
    }
}

/// A Service port an Ingress backend names.
enum BackendPort {
    Number(i64),
    Name(String),
}

fn backend_port(v: Option<&Value>) -> Option<BackendPort> {
    match v? {
        Value::Number(n) => n.as_i64().map(BackendPort::Number),
        Value::String(s) => Some(
            s.parse()
                .map_or_else(|_| BackendPort::Name(s.clone()), BackendPort::Number),
        ),
        _ => None,
    }
}

/// The (service, port) pairs of an Ingress: networking.k8s.io/v1
/// (`backend.service.{name,port}`) and the old v1beta1 shape
/// (`backend.{serviceName,servicePort}`). Resource backends are skipped.
fn ingress_backends(m: &Manifest) -> Vec<(String, Option<BackendPort>)> {
    let Some(spec) = m.value.get("spec") else {
        return Vec::new();
    };
    let mut backends: Vec<&Value> = Vec::new();
    for key in ["defaultBackend", "backend"] {
        backends.extend(spec.get(key));
    }
    for rule in spec
        .get("rules")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        let paths = rule
            .get("http")
            .and_then(|h| h.get("paths"))
            .and_then(Value::as_sequence);
        backends.extend(paths.into_iter().flatten().filter_map(|p| p.get("backend")));
    }
    backends
        .into_iter()
        .filter_map(|b| {
            if let Some(service) = b.get("service") {
                let name = service.get("name").and_then(Value::as_str)?;
                let port = service
                    .get("port")
                    .and_then(|p| p.get("number").or_else(|| p.get("name")));
                Some((name.to_string(), backend_port(port)))
            } else {
                let name = b.get("serviceName").and_then(Value::as_str)?;
                Some((name.to_string(), backend_port(b.get("servicePort"))))
            }
        })
        .collect()
}

fn ingresses(objects: &Objects<'_>, sink: &mut Sink<'_>) {
    for m in objects.manifests.iter().filter(|m| m.kind() == "Ingress") {
        let namespace = objects.namespace_of(m);
        let mut reported = Vec::new();
        for (name, port) in ingress_backends(m) {
            let service = objects
                .index
                .named("Service", namespace, &name)
                .first()
                .copied();
            let message = match (service, port) {
                (None, _) => format!("backend Service {name:?} is not rendered by the chart"),
                (Some(_), None) => continue,
                (Some(s), Some(port)) => {
                    let ports = s
                        .value
                        .get("spec")
                        .and_then(|s| s.get("ports"))
                        .and_then(Value::as_sequence);
                    let mut ports = ports.into_iter().flatten();
                    match port {
                        BackendPort::Number(n) => {
                            if ports.any(|p| p.get("port").and_then(Value::as_i64) == Some(n)) {
                                continue;
                            }
                            format!("backend Service {name:?} has no port {n}")
                        }
                        BackendPort::Name(port) => {
                            if ports.any(|p| {
                                p.get("name").and_then(Value::as_str) == Some(port.as_str())
                            }) {
                                continue;
                            }
                            format!("backend Service {name:?} has no port named {port:?}")
                        }
                    }
                }
            };
            if !reported.contains(&message) {
                sink.object(&INGRESS_BACKEND, m, message.clone(), INGRESS_BACKEND.hint);
                reported.push(message);
            }
        }
    }
}

/// The object an HPA's `scaleTargetRef` names, if the chart renders it.
pub(crate) fn hpa_target<'a>(
    objects: &Objects<'a>,
    hpa: &Manifest,
) -> Result<&'a Manifest, String> {
    let target = hpa.value.get("spec").and_then(|s| s.get("scaleTargetRef"));
    let field = |k: &str| {
        target
            .and_then(|t| t.get(k))
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    let (api_version, kind, name) = (field("apiVersion"), field("kind"), field("name"));
    if kind.is_empty() || name.is_empty() {
        return Err("spec.scaleTargetRef needs kind and name".into());
    }
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    let namespace = objects.namespace_of(hpa);
    objects
        .index
        .named(kind, namespace, name)
        .iter()
        .copied()
        .find(|m| api_version.is_empty() || m.group() == group)
        .ok_or_else(|| format!("spec.scaleTargetRef {kind}/{name} is not rendered by the chart"))
}

fn autoscalers(objects: &Objects<'_>, sink: &mut Sink<'_>) {
    for hpa in objects
        .manifests
        .iter()
        .filter(|m| m.kind() == "HorizontalPodAutoscaler")
    {
        match hpa_target(objects, hpa) {
            Err(message) => sink.object(&HPA_TARGET, hpa, message, HPA_TARGET.hint),
            Ok(target) => {
                if target
                    .value
                    .get("spec")
                    .and_then(|s| s.get("replicas"))
                    .is_some_and(|r| !r.is_null())
                {
                    sink.object(
                        &HPA_REPLICAS,
                        target,
                        format!("sets spec.replicas while {} scales it", object_label(hpa)),
                        HPA_REPLICAS.hint,
                    );
                }
            }
        }
    }
}

fn disruption_budgets(objects: &Objects<'_>, sink: &mut Sink<'_>) {
    for m in objects
        .manifests
        .iter()
        .filter(|m| m.kind() == "PodDisruptionBudget")
    {
        let selector = m
            .value
            .get("spec")
            .and_then(|s| s.get("selector"))
            .and_then(Selector::parse);
        let Some(selector) = selector else {
            sink.object(
                &PDB_SELECTOR,
                m,
                "has no spec.selector, so it selects no pods".into(),
                PDB_SELECTOR.hint,
            );
            continue;
        };
        if objects
            .selected(objects.namespace_of(m), &selector.match_labels, |w| {
                selector.matches(&w.labels)
            })
            .is_empty()
        {
            sink.object(
                &PDB_SELECTOR,
                m,
                format!(
                    "spec.selector ({}) matches the pods of no workload in the chart",
                    show_labels(&selector.match_labels)
                ),
                PDB_SELECTOR.hint,
            );
        }
    }
}
