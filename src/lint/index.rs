//! The rendered objects of one value set, indexed once so that every
//! cross-object rule (Service and PDB selectors, Ingress backends, HPA
//! targets) is a lookup instead of a scan of all objects: lint time grows
//! with the number of objects, not with its square.
//!
//! Lookups only: no map here is ever iterated, so the hash order cannot
//! reach a finding; every list keeps manifest order.

use std::collections::HashMap;

use crate::lint::Objects;
use crate::lint::workload::{Labels, Workload};
use crate::manifest::Manifest;

/// Nested maps rather than tuple keys: a lookup borrows its key parts for
/// less than `'a`, which a tuple key cannot express.
type Nested<K, V> = HashMap<K, V>;

pub(crate) struct Index<'a> {
    /// Every object that runs pods, in manifest order.
    pub workloads: Vec<Workload<'a>>,
    /// Workloads (indices into `workloads`) by namespace.
    in_namespace: HashMap<&'a str, Vec<usize>>,
    /// Workloads by namespace, pod label key, pod label value.
    by_label: Nested<&'a str, Nested<String, Nested<String, Vec<usize>>>>,
    /// Objects by kind, namespace and name, in manifest order.
    by_name: Nested<&'a str, Nested<&'a str, Nested<&'a str, Vec<&'a Manifest>>>>,
}

impl<'a> Index<'a> {
    pub fn new(manifests: &'a [Manifest], namespace_of: impl Fn(&'a Manifest) -> &'a str) -> Self {
        let mut index = Index {
            workloads: Vec::new(),
            in_namespace: HashMap::new(),
            by_label: HashMap::new(),
            by_name: HashMap::new(),
        };
        for m in manifests {
            let ns = namespace_of(m);
            index
                .by_name
                .entry(m.kind())
                .or_default()
                .entry(ns)
                .or_default()
                .entry(m.name())
                .or_default()
                .push(m);
            let Some(workload) = Workload::of(m) else {
                continue;
            };
            let i = index.workloads.len();
            index.in_namespace.entry(ns).or_default().push(i);
            let labels = index.by_label.entry(ns).or_default();
            for (k, v) in &workload.labels {
                labels
                    .entry(k.clone())
                    .or_default()
                    .entry(v.clone())
                    .or_default()
                    .push(i);
            }
            index.workloads.push(workload);
        }
        index
    }

    /// The objects of a kind with a name in a namespace, in manifest order.
    pub fn named(&self, kind: &str, namespace: &str, name: &str) -> &[&'a Manifest] {
        self.by_name
            .get(kind)
            .and_then(|by_ns| by_ns.get(namespace))
            .and_then(|by_name| by_name.get(name))
            .map_or(&[], Vec::as_slice)
    }

    /// The workloads in `namespace` that may carry all of `labels` (a
    /// superset of those that do), in manifest order: the shortest list
    /// among the labels' buckets, or every workload there when `labels` is
    /// empty. Callers filter with the real predicate.
    pub fn candidates(&self, namespace: &str, labels: &Labels) -> &[usize] {
        if labels.is_empty() {
            return self.in_namespace.get(namespace).map_or(&[], Vec::as_slice);
        }
        let Some(in_namespace) = self.by_label.get(namespace) else {
            return &[];
        };
        let mut best: &[usize] = &[];
        for (i, (k, v)) in labels.iter().enumerate() {
            let bucket = in_namespace
                .get(k.as_str())
                .and_then(|by_value| by_value.get(v.as_str()))
                .map_or(&[][..], Vec::as_slice);
            if i == 0 || bucket.len() < best.len() {
                best = bucket;
            }
            if best.is_empty() {
                break;
            }
        }
        best
    }
}

impl<'a> Objects<'a> {
    /// The workloads in `namespace` whose pod labels carry all of `labels`
    /// and satisfy `selects`, in manifest order.
    pub fn selected(
        &self,
        namespace: &str,
        labels: &Labels,
        selects: impl Fn(&Workload<'a>) -> bool,
    ) -> Vec<&Workload<'a>> {
        self.index
            .candidates(namespace, labels)
            .iter()
            .map(|&i| &self.index.workloads[i])
            .filter(|w| selects(w))
            .collect()
    }
}
