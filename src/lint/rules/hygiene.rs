//! Hygiene warnings: how workloads run. Each can be turned off for the
//! chart (`disable` in .skifflint.yaml) or for one object (annotation
//! `skiff.dev/lint-disable`). Every container, init containers included,
//! is checked, except that probes are only expected of the main containers
//! of long-running workloads (not of Jobs, CronJobs or bare Pods).

use std::collections::{HashMap, HashSet};

use serde_yaml::Value;

use super::objects::hpa_target;
use super::{
    CONTAINER_PROBES, CONTAINER_RESOURCES, IMAGE_TAG, PDB_MISSING, PRIVILEGE_ESCALATION,
    RUN_AS_NON_ROOT,
};
use crate::lint::workload::{Selector, Workload, container_name};
use crate::lint::{Objects, Sink, object_label};
use crate::manifest::Manifest;

pub(crate) fn check(objects: &Objects<'_>, sink: &mut Sink<'_>) {
    // The index holds every workload, in manifest order.
    for workload in &objects.index.workloads {
        let m = workload.manifest;
        for (list, c) in workload.containers() {
            let name = container_name(c);
            let what = if list == "containers" {
                "container"
            } else {
                "init container"
            };
            resources(workload, c, what, name, sink);
            if list == "containers" && workload.is_long_running() {
                probes(workload, c, name, sink);
            }
            security(workload, c, what, name, sink);
            if let Some(problem) = c
                .get("image")
                .and_then(Value::as_str)
                .and_then(image_problem)
            {
                sink.object(
                    &IMAGE_TAG,
                    m,
                    format!("{what} {name:?} image {problem}"),
                    IMAGE_TAG.hint,
                );
            }
        }
    }
    disruption_budgets(objects, sink);
}

fn non_empty_map(v: Option<&Value>) -> bool {
    v.and_then(Value::as_mapping).is_some_and(|m| !m.is_empty())
}

fn resources(w: &Workload<'_>, c: &Value, what: &str, name: &str, sink: &mut Sink<'_>) {
    let resources = c.get("resources");
    let mut missing = Vec::new();
    if !non_empty_map(resources.and_then(|r| r.get("requests"))) {
        missing.push("requests");
    }
    if !non_empty_map(resources.and_then(|r| r.get("limits"))) {
        missing.push("limits");
    }
    if !missing.is_empty() {
        sink.object(
            &CONTAINER_RESOURCES,
            w.manifest,
            format!("{what} {name:?} sets no resource {}", missing.join(" or ")),
            CONTAINER_RESOURCES.hint,
        );
    }
}

fn probes(w: &Workload<'_>, c: &Value, name: &str, sink: &mut Sink<'_>) {
    let missing: Vec<&str> = ["readinessProbe", "livenessProbe"]
        .into_iter()
        .filter(|p| c.get(p).is_none_or(Value::is_null))
        .collect();
    if !missing.is_empty() {
        sink.object(
            &CONTAINER_PROBES,
            w.manifest,
            format!("container {name:?} has no {}", missing.join(" or ")),
            CONTAINER_PROBES.hint,
        );
    }
}

/// A security setting, the container's overriding the pod's.
fn security_setting<'v>(w: &Workload<'v>, c: &'v Value, key: &str) -> Option<&'v Value> {
    c.get("securityContext")
        .and_then(|s| s.get(key))
        .or_else(|| w.pod.get("securityContext").and_then(|s| s.get(key)))
        .filter(|v| !v.is_null())
}

fn security(w: &Workload<'_>, c: &Value, what: &str, name: &str, sink: &mut Sink<'_>) {
    let non_root = security_setting(w, c, "runAsNonRoot").and_then(Value::as_bool) == Some(true);
    let user = security_setting(w, c, "runAsUser").and_then(Value::as_i64);
    if user == Some(0) {
        sink.object(
            &RUN_AS_NON_ROOT,
            w.manifest,
            format!("{what} {name:?} runs as root (runAsUser: 0)"),
            RUN_AS_NON_ROOT.hint,
        );
    } else if !non_root && user.is_none() {
        sink.object(
            &RUN_AS_NON_ROOT,
            w.manifest,
            format!("{what} {name:?} may run as root: neither runAsNonRoot: true nor a non-zero runAsUser is set"),
            RUN_AS_NON_ROOT.hint,
        );
    }
    let context = c.get("securityContext");
    let flag = |key: &str| context.and_then(|s| s.get(key)).and_then(Value::as_bool);
    if flag("privileged") == Some(true) {
        sink.object(
            &PRIVILEGE_ESCALATION,
            w.manifest,
            format!("{what} {name:?} is privileged"),
            PRIVILEGE_ESCALATION.hint,
        );
    } else if flag("allowPrivilegeEscalation") != Some(false) {
        sink.object(
            &PRIVILEGE_ESCALATION,
            w.manifest,
            format!("{what} {name:?} allows privilege escalation (allowPrivilegeEscalation is not false)"),
            PRIVILEGE_ESCALATION.hint,
        );
    }
}

/// What is wrong with an image reference's tag, if anything: a digest pins
/// it; no tag or `latest` does not.
fn image_problem(image: &str) -> Option<String> {
    if image.contains('@') {
        return None;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, "latest")) => Some(format!("{image:?} uses the latest tag")),
        Some((_, "")) | None => Some(format!("{image:?} has no tag (which means latest)")),
        Some(_) => None,
    }
}

/// `pdb-missing`: a workload that runs more than one replica (by
/// `spec.replicas` or an HPA's `minReplicas`) has no PodDisruptionBudget
/// selecting its pods, so a node drain may take all of them down at once.
fn disruption_budgets(objects: &Objects<'_>, sink: &mut Sink<'_>) {
    // The first HPA (in manifest order) that scales each object.
    let mut scaled_by: HashMap<*const Manifest, &Manifest> = HashMap::new();
    for h in objects
        .manifests
        .iter()
        .filter(|h| h.kind() == "HorizontalPodAutoscaler")
    {
        if let Ok(target) = hpa_target(objects, h) {
            scaled_by.entry(std::ptr::from_ref(target)).or_insert(h);
        }
    }
    // The workloads (indices into the index's list) some PDB selects.
    let mut budgeted: HashSet<usize> = HashSet::new();
    for m in objects
        .manifests
        .iter()
        .filter(|m| m.kind() == "PodDisruptionBudget")
    {
        let Some(selector) = m
            .value
            .get("spec")
            .and_then(|s| s.get("selector"))
            .and_then(Selector::parse)
        else {
            continue;
        };
        let ns = objects.namespace_of(m);
        budgeted.extend(
            objects
                .index
                .candidates(ns, &selector.match_labels)
                .iter()
                .copied()
                .filter(|&i| selector.matches(&objects.index.workloads[i].labels)),
        );
    }
    for (i, workload) in objects.index.workloads.iter().enumerate() {
        let m = workload.manifest;
        let Some(replicas) = workload.replicas() else {
            continue;
        };
        let hpa_min = scaled_by.get(&std::ptr::from_ref(m)).map(|h| {
            let min = h
                .value
                .get("spec")
                .and_then(|s| s.get("minReplicas"))
                .and_then(Value::as_i64);
            (object_label(h), min.unwrap_or(1))
        });
        let why = match &hpa_min {
            Some((hpa, min)) if *min > 1 => format!("{hpa} keeps at least {min} replicas"),
            Some(_) => continue,
            None if replicas > 1 => format!("it runs {replicas} replicas"),
            None => continue,
        };
        if !budgeted.contains(&i) {
            sink.object(
                &PDB_MISSING,
                m,
                format!("no PodDisruptionBudget selects its pods, and {why}"),
                PDB_MISSING.hint,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::image_problem;

    #[test]
    fn image_tags() {
        assert!(image_problem("nginx").is_some());
        assert!(image_problem("nginx:latest").is_some());
        assert!(image_problem("localhost:5000/team/app").is_some());
        assert_eq!(image_problem("localhost:5000/team/app:1.2"), None);
        assert_eq!(image_problem("nginx:1.27"), None);
        assert_eq!(image_problem("nginx@sha256:abcd"), None);
        assert_eq!(image_problem("ghcr.io/x/y:latest@sha256:abcd"), None);
    }
}
