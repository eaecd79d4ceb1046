//! `skiff diff`: an offline, object-by-object comparison of two renders.
//!
//! Objects are matched by [`ObjectId`] (API group, kind, namespace, name),
//! never by file or position: moving an object to another template, or
//! reordering keys, is not a change. A matched pair that differs becomes a
//! [`Change`] holding its [`FieldChange`]s and a compact unified view of its
//! canonical YAML; objects on one side only are added or removed. The
//! [`Report`] is data; [`text`], [`json`] and [`markdown`] print it.
//!
//! Cost: both sides are indexed in a `BTreeMap` (O(n log n) in objects);
//! each matched pair is compared in time linear in its size (named list
//! items are looked up in maps), so 1,000 objects a side take milliseconds.

pub mod fields;
pub mod input;
pub mod json;
pub mod markdown;
pub mod path;
pub mod secret;
pub mod text;
pub mod unified;

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_yaml::Value;

pub use fields::{FieldChange, FieldOp};
pub use input::Input;
pub use path::{FieldPath, PathPattern, PatternError, Segment};
pub use unified::{LineTag, UnifiedLine};

use crate::manifest::{Manifest, emit, is_cluster_scoped, order};

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error(
        "{side}: {id} appears twice (in {first} and {second})\nhint: an object must be unique by API group, kind, namespace and name; `skiff lint` reports duplicates"
    )]
    Duplicate {
        side: &'static str,
        id: Box<ObjectId>,
        first: String,
        second: String,
    },
    #[error(
        "{source_name}: object {index} has no {missing}\nhint: every document must be a Kubernetes object with apiVersion, kind and metadata.name"
    )]
    Incomplete {
        source_name: String,
        index: usize,
        missing: &'static str,
    },
    #[error(
        "{path}: {source}\nhint: OLD and NEW are each a chart folder, a .tgz, a manifest file, or - for stdin"
    )]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Pattern(#[from] PatternError),
}

/// How an object is identified across the two sides.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjectId {
    /// The API group: `apps`, or empty for the core group.
    pub group: String,
    pub kind: String,
    /// Empty for cluster-scoped kinds.
    pub namespace: String,
    pub name: String,
}

impl fmt::Display for ObjectId {
    /// `Deployment.apps default/web`, `Service default/web`, `ClusterRole.rbac.authorization.k8s.io admin`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kind)?;
        if !self.group.is_empty() {
            write!(f, ".{}", self.group)?;
        }
        f.write_str(" ")?;
        if !self.namespace.is_empty() {
            write!(f, "{}/", self.namespace)?;
        }
        f.write_str(&self.name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

/// One object that differs between the two sides.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub change: ChangeKind,
    pub id: ObjectId,
    /// `# Source:` of the old object (`demo/templates/web.yaml`), or the file it was read from.
    pub old_source: Option<String>,
    pub new_source: Option<String>,
    /// The changed fields; empty for added and removed objects.
    pub fields: Vec<FieldChange>,
    /// Unified view of the canonical YAML: hunks for a changed object, every
    /// line for an added or removed one.
    pub unified: Vec<UnifiedLine>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    pub unchanged: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub summary: Summary,
    /// In Helm's install order by kind, then by id.
    pub changes: Vec<Change>,
}

impl Report {
    /// True when the two sides hold the same objects.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct DiffOptions {
    /// Lines of context around each hunk of the unified view.
    pub context: usize,
    /// Show Secret `data`/`stringData` values instead of masking them.
    pub show_secrets: bool,
    /// Fields dropped from both sides before comparing.
    pub ignore: Vec<PathPattern>,
    /// The namespace of a namespaced object that names none: the release
    /// namespace, as `kubectl apply -n` and Helm would install it.
    pub namespace: String,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            context: 3,
            show_secrets: false,
            ignore: Vec::new(),
            namespace: "default".into(),
        }
    }
}

/// Compares two renders object by object.
pub fn diff(old: &[Manifest], new: &[Manifest], opts: &DiffOptions) -> Result<Report, DiffError> {
    let old_index = index("OLD", old, opts)?;
    let new_index = index("NEW", new, opts)?;
    let mut report = Report::default();
    for (id, o) in &old_index {
        match new_index.get(id) {
            Some(n) => match compare_object(id, o, n, opts) {
                Some(change) => report.changes.push(change),
                None => report.summary.unchanged += 1,
            },
            None => report
                .changes
                .push(one_sided(id, o, ChangeKind::Removed, opts)),
        }
    }
    for (id, n) in &new_index {
        if !old_index.contains_key(id) {
            report
                .changes
                .push(one_sided(id, n, ChangeKind::Added, opts));
        }
    }
    for change in &report.changes {
        match change.change {
            ChangeKind::Added => report.summary.added += 1,
            ChangeKind::Removed => report.summary.removed += 1,
            ChangeKind::Changed => report.summary.changed += 1,
        }
    }
    report.changes.sort_by(|a, b| {
        order::kind_rank(&a.id.kind)
            .cmp(&order::kind_rank(&b.id.kind))
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(report)
}

/// The objects of one side by id; an id seen twice is an error.
fn index<'a>(
    side: &'static str,
    manifests: &'a [Manifest],
    opts: &DiffOptions,
) -> Result<BTreeMap<ObjectId, &'a Manifest>, DiffError> {
    let mut out: BTreeMap<ObjectId, &Manifest> = BTreeMap::new();
    let mut ordinal: BTreeMap<&str, usize> = BTreeMap::new();
    for m in manifests {
        let n = ordinal.entry(m.source.as_str()).or_default();
        *n += 1;
        let missing = if m.kind().is_empty() {
            Some("kind")
        } else if m.name().is_empty() {
            Some("metadata.name")
        } else {
            None
        };
        if let Some(missing) = missing {
            return Err(DiffError::Incomplete {
                source_name: m.source.clone(),
                index: *n,
                missing,
            });
        }
        let id = object_id(m, &opts.namespace);
        if let Some(first) = out.insert(id.clone(), m) {
            return Err(DiffError::Duplicate {
                side,
                id: Box::new(id),
                first: first.source.clone(),
                second: m.source.clone(),
            });
        }
    }
    Ok(out)
}

fn object_id(m: &Manifest, default_namespace: &str) -> ObjectId {
    // A cluster-scoped object has no namespace even when it names one: the
    // API server ignores it, so the object is the same with or without.
    let namespace = match m.namespace() {
        _ if is_cluster_scoped(m.kind()) => String::new(),
        Some(ns) if !ns.is_empty() => ns.to_string(),
        _ => default_namespace.to_string(),
    };
    ObjectId {
        group: m.group().to_string(),
        kind: m.kind().to_string(),
        namespace,
        name: m.name().to_string(),
    }
}

/// An object's value with the ignored fields dropped.
fn prepared(m: &Manifest, opts: &DiffOptions) -> Value {
    let mut value = m.value.clone();
    for pattern in &opts.ignore {
        pattern.remove_from(&mut value);
    }
    value
}

fn compare_object(
    id: &ObjectId,
    old: &Manifest,
    new: &Manifest,
    opts: &DiffOptions,
) -> Option<Change> {
    if opts.ignore.is_empty() && old.value == new.value {
        return None;
    }
    let mut o = prepared(old, opts);
    let mut n = prepared(new, opts);
    if o == n {
        return None;
    }
    if !opts.show_secrets && secret::is_secret(&id.group, &id.kind) {
        secret::mask(Some(&mut o), Some(&mut n));
    }
    let fields = fields::field_changes(&o, &n);
    fields::align_key_order(&mut n, &o);
    let unified = unified::unified(&emit::to_string(&o), &emit::to_string(&n), opts.context);
    Some(Change {
        change: ChangeKind::Changed,
        id: id.clone(),
        old_source: Some(old.source.clone()),
        new_source: Some(new.source.clone()),
        fields,
        unified,
    })
}

fn one_sided(id: &ObjectId, m: &Manifest, change: ChangeKind, opts: &DiffOptions) -> Change {
    let mut value = prepared(m, opts);
    if !opts.show_secrets && secret::is_secret(&id.group, &id.kind) {
        secret::mask(Some(&mut value), None);
    }
    let (tag, old_source, new_source) = match change {
        ChangeKind::Removed => (LineTag::Removed, Some(m.source.clone()), None),
        _ => (LineTag::Added, None, Some(m.source.clone())),
    };
    Change {
        change,
        id: id.clone(),
        old_source,
        new_source,
        fields: Vec::new(),
        unified: unified::whole(&emit::to_string(&value), tag),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse_file;

    fn objects(source: &str, text: &str) -> Vec<Manifest> {
        parse_file(source, text).unwrap()
    }

    const WEB: &str =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n";

    #[test]
    fn matches_by_identity_not_source() {
        let old = objects("a.yaml", WEB);
        let new = objects("b.yaml", WEB);
        let report = diff(&old, &new, &DiffOptions::default()).unwrap();
        assert!(report.is_empty());
        assert_eq!(report.summary.unchanged, 1);
    }

    #[test]
    fn absent_namespace_is_the_release_namespace() {
        let old = objects("a.yaml", WEB);
        let new = objects(
            "a.yaml",
            &WEB.replace("{name: web}", "{name: web, namespace: prod}"),
        );
        let opts = DiffOptions {
            namespace: "prod".into(),
            ..DiffOptions::default()
        };
        let report = diff(&old, &new, &opts).unwrap();
        assert_eq!(report.summary.changed, 1);
        assert_eq!(
            report.changes[0].fields[0].path.to_string(),
            "metadata.namespace"
        );
        let report = diff(&old, &new, &DiffOptions::default()).unwrap();
        assert_eq!((report.summary.added, report.summary.removed), (1, 1));
    }

    #[test]
    fn cluster_scoped_objects_have_no_namespace() {
        let old = objects(
            "a.yaml",
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n",
        );
        let report = diff(&old, &[], &DiffOptions::default()).unwrap();
        assert_eq!(report.changes[0].id.namespace, "");
        assert_eq!(report.changes[0].id.to_string(), "Namespace x");
    }

    #[test]
    fn a_cluster_scoped_object_is_matched_whatever_namespace_it_names() {
        let role = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\n";
        let old = objects("a.yaml", role);
        let new = objects(
            "a.yaml",
            &role.replace("{name: reader}", "{name: reader, namespace: prod}"),
        );
        let report = diff(&old, &new, &DiffOptions::default()).unwrap();
        assert_eq!(report.changes.len(), 1, "{:?}", report.changes);
        assert_eq!(
            report.changes[0].id.to_string(),
            "ClusterRole.rbac.authorization.k8s.io reader"
        );
    }

    #[test]
    fn duplicates_are_an_error() {
        let old = objects("a.yaml", &format!("{WEB}---\n{WEB}"));
        let err = diff(&old, &[], &DiffOptions::default()).unwrap_err();
        assert!(
            err.to_string()
                .contains("Deployment.apps default/web appears twice"),
            "{err}"
        );
    }

    #[test]
    fn objects_without_a_name_are_an_error() {
        let old = objects("a.yaml", "apiVersion: v1\nkind: ConfigMap\n");
        let err = diff(&old, &[], &DiffOptions::default()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("a.yaml: object 1 has no metadata.name"),
            "{err}"
        );
    }

    #[test]
    fn ignored_fields_are_not_compared() {
        let old = objects(
            "a.yaml",
            &WEB.replace("{name: web}", "{name: web, labels: {helm.sh/chart: x-1}}"),
        );
        let new = objects(
            "a.yaml",
            &WEB.replace("{name: web}", "{name: web, labels: {helm.sh/chart: x-2}}"),
        );
        let ignore = vec![PathPattern::parse(r"metadata.labels.helm\.sh/chart").unwrap()];
        let report = diff(
            &old,
            &new,
            &DiffOptions {
                ignore,
                ..DiffOptions::default()
            },
        )
        .unwrap();
        assert!(report.is_empty());
    }
}
