//! A view of the objects that run pods: where their pod template is, its
//! labels and containers, and how label selectors match them.

use std::collections::BTreeMap;

use serde_yaml::Value;

use crate::manifest::Manifest;

/// Labels or a selector's `matchLabels`: string keys and values. YAML
/// scalars that are not strings (`tier: 1`) are compared as their text.
pub(crate) type Labels = BTreeMap<String, String>;

/// An object with a pod template.
pub(crate) struct Workload<'a> {
    pub manifest: &'a Manifest,
    /// The pod template's labels.
    pub labels: Labels,
    /// The pod spec (`spec.template.spec`, or `spec` of a Pod).
    pub pod: &'a Value,
}

impl<'a> Workload<'a> {
    /// The pod template of Deployments, StatefulSets, DaemonSets,
    /// ReplicaSets, ReplicationControllers, Jobs, CronJobs and Pods.
    pub fn of(m: &'a Manifest) -> Option<Workload<'a>> {
        let spec = m.value.get("spec")?;
        let (metadata, pod) = match m.kind() {
            "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicaSet"
            | "ReplicationController"
            | "Job" => {
                let template = spec.get("template")?;
                (template.get("metadata"), template.get("spec")?)
            }
            "CronJob" => {
                let template = spec.get("jobTemplate")?.get("spec")?.get("template")?;
                (template.get("metadata"), template.get("spec")?)
            }
            "Pod" => (m.value.get("metadata"), spec),
            _ => return None,
        };
        Some(Workload {
            manifest: m,
            labels: string_map(metadata.and_then(|md| md.get("labels"))),
            pod,
        })
    }

    /// Runs until stopped (so probes make sense), unlike Jobs and bare Pods.
    pub fn is_long_running(&self) -> bool {
        matches!(
            self.manifest.kind(),
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ReplicationController"
        )
    }

    /// `containers`, then `initContainers`, each with its list name.
    pub fn containers(&self) -> impl Iterator<Item = (&'static str, &'a Value)> {
        let list = |key: &'static str| {
            self.pod
                .get(key)
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
                .map(move |c| (key, c))
        };
        list("containers").chain(list("initContainers"))
    }

    /// The replicas the workload asks for (`spec.replicas`, default 1), for
    /// the kinds that have replicas.
    pub fn replicas(&self) -> Option<i64> {
        match self.manifest.kind() {
            "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController" => Some(
                self.manifest
                    .value
                    .get("spec")
                    .and_then(|s| s.get("replicas"))
                    .and_then(Value::as_i64)
                    .unwrap_or(1),
            ),
            _ => None,
        }
    }

    /// Named container ports of every container.
    pub fn port_names(&self) -> Vec<&'a str> {
        self.containers()
            .flat_map(|(_, c)| {
                c.get("ports")
                    .and_then(Value::as_sequence)
                    .into_iter()
                    .flatten()
            })
            .filter_map(|p| p.get("name").and_then(Value::as_str))
            .collect()
    }
}

/// The `name` of a container, for messages.
pub(crate) fn container_name(c: &Value) -> &str {
    c.get("name").and_then(Value::as_str).unwrap_or("<unnamed>")
}

/// A mapping of scalars as strings; anything else is skipped.
pub(crate) fn string_map(v: Option<&Value>) -> Labels {
    let mut out = Labels::new();
    if let Some(Value::Mapping(map)) = v {
        for (k, v) in map {
            if let (Some(k), Some(v)) = (scalar_text(k), scalar_text(v)) {
                out.insert(k, v);
            }
        }
    }
    out
}

pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

/// A `metav1.LabelSelector`: `matchLabels` and `matchExpressions`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Selector {
    pub match_labels: Labels,
    pub expressions: Vec<Expression>,
}

#[derive(Debug, Clone)]
pub(crate) struct Expression {
    pub key: String,
    pub operator: String,
    pub values: Vec<String>,
}

impl Selector {
    /// Reads a LabelSelector; None when `v` is not a mapping.
    pub fn parse(v: &Value) -> Option<Selector> {
        if !v.is_mapping() {
            return None;
        }
        let expressions = v
            .get("matchExpressions")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .map(|e| Expression {
                key: e.get("key").and_then(scalar_text).unwrap_or_default(),
                operator: e.get("operator").and_then(scalar_text).unwrap_or_default(),
                values: e
                    .get("values")
                    .and_then(Value::as_sequence)
                    .into_iter()
                    .flatten()
                    .filter_map(scalar_text)
                    .collect(),
            })
            .collect();
        Some(Selector {
            match_labels: string_map(v.get("matchLabels")),
            expressions,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.expressions.is_empty()
    }

    /// Whether the labels satisfy the selector (an empty selector matches everything).
    pub fn matches(&self, labels: &Labels) -> bool {
        subset(&self.match_labels, labels)
            && self.expressions.iter().all(|e| {
                let value = labels.get(&e.key);
                match e.operator.as_str() {
                    "In" => value.is_some_and(|v| e.values.contains(v)),
                    "NotIn" => value.is_none_or(|v| !e.values.contains(v)),
                    "Exists" => value.is_some(),
                    "DoesNotExist" => value.is_none(),
                    _ => false,
                }
            })
    }
}

/// Whether every label of `selector` is in `labels` with the same value.
pub(crate) fn subset(selector: &Labels, labels: &Labels) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// `a=b, c=d` for messages.
pub(crate) fn show_labels(labels: &Labels) -> String {
    if labels.is_empty() {
        return "(none)".into();
    }
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn selectors_match_like_kubernetes() {
        let sel: Value = serde_yaml::from_str(
            "matchLabels: {app: web}\nmatchExpressions:\n- {key: tier, operator: In, values: [a, b]}\n- {key: canary, operator: DoesNotExist}\n",
        )
        .unwrap();
        let sel = Selector::parse(&sel).unwrap();
        assert!(sel.matches(&labels(&[("app", "web"), ("tier", "a"), ("x", "y")])));
        assert!(!sel.matches(&labels(&[("app", "web"), ("tier", "c")])));
        assert!(!sel.matches(&labels(&[("app", "web"), ("tier", "a"), ("canary", "1")])));
        assert!(!sel.matches(&labels(&[("tier", "a")])));
        assert!(Selector::default().matches(&Labels::new()));
    }

    #[test]
    fn numbers_in_labels_compare_as_text() {
        let v: Value = serde_yaml::from_str("{version: 2, on: true}").unwrap();
        assert_eq!(
            string_map(Some(&v)),
            labels(&[("on", "true"), ("version", "2")])
        );
    }
}
