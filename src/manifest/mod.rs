//! Rendered text → YAML documents → canonical text in Helm's install order.
//!
//! Every rendered template is parsed as a YAML stream; empty documents are
//! dropped; each remaining document must be a Kubernetes object (a mapping)
//! and is written back canonically by [`emit::write_yaml`]. Documents are
//! sorted by kind in Helm's install order, then by name; documents that tie
//! keep their template order, so the output is a function of the inputs.

pub mod emit;
pub mod fast;
pub mod order;
pub mod stream;

use std::fmt::Write as _;

use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("{source_name}: rendered output is not valid YAML{}: {message}{snippet}\nhint: line numbers count lines of the rendered output, shown above", line.map(|l| format!(" at line {l}")).unwrap_or_default())]
    InvalidYaml {
        source_name: String,
        line: Option<usize>,
        message: String,
        snippet: String,
    },
    #[error(
        "{source_name}: document {index} is {found}, not a Kubernetes object (a mapping with apiVersion and kind)"
    )]
    NotAnObject {
        source_name: String,
        index: usize,
        found: &'static str,
    },
}

/// One Kubernetes object from a render.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// `<chart>/templates/<file>`, as Helm's `# Source:` line shows it.
    pub source: String,
    pub value: serde_yaml::Value,
}

/// `value.get(key)` for a mapping's string key. An object's top level and
/// its metadata hold a few keys, and comparing a few strings beats hashing
/// the key (lint and sort ask for kind, name and namespace over and over).
fn child<'v>(value: &'v serde_yaml::Value, key: &str) -> Option<&'v serde_yaml::Value> {
    let map = value.as_mapping()?;
    if map.len() > 8 {
        return map.get(key);
    }
    map.iter()
        .find(|(k, _)| matches!(k, serde_yaml::Value::String(s) if s == key))
        .map(|(_, v)| v)
}

impl Manifest {
    fn field(&self, path: &[&str]) -> Option<&str> {
        let mut v = &self.value;
        for key in path {
            v = child(v, key)?;
        }
        v.as_str()
    }

    pub fn api_version(&self) -> &str {
        self.field(&["apiVersion"]).unwrap_or("")
    }

    pub fn kind(&self) -> &str {
        self.field(&["kind"]).unwrap_or("")
    }

    pub fn name(&self) -> &str {
        self.field(&["metadata", "name"]).unwrap_or("")
    }

    pub fn namespace(&self) -> Option<&str> {
        self.field(&["metadata", "namespace"])
    }

    /// The API group: `apps` for `apps/v1`, empty for the core `v1`.
    pub fn group(&self) -> &str {
        self.api_version()
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
    }

    /// The canonical document: `---`, the `# Source:` line, the YAML.
    pub fn write(&self, out: &mut String) {
        write_source_line(out, &self.source);
        emit::write_yaml(out, &self.value);
    }
}

/// The `---` and `# Source: <file>` lines that open each printed object.
fn write_source_line(out: &mut String, source: &str) {
    out.push_str("---\n# Source: ");
    out.push_str(source);
    out.push('\n');
}

/// Parses one rendered file into its objects, dropping empty documents.
///
/// The common subset of YAML that templates emit goes through
/// [`fast::parse_stream`]; anything else (and every error) through serde_yaml.
pub fn parse_file(source: &str, text: &str) -> Result<Vec<Manifest>, ManifestError> {
    let mut out = Vec::new();
    if let Some(values) = fast::parse_stream(text) {
        for (index, value) in values.into_iter().enumerate() {
            push_object(&mut out, source, index, value)?;
        }
        return Ok(out);
    }
    for (index, document) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let value = serde_yaml::Value::deserialize(document).map_err(|e| {
            let line = e.location().map(|l| l.line());
            ManifestError::InvalidYaml {
                source_name: source.to_string(),
                line,
                message: e.to_string(),
                snippet: line.map(|l| rendered_snippet(text, l)).unwrap_or_default(),
            }
        })?;
        push_object(&mut out, source, index, value)?;
    }
    Ok(out)
}

/// Each object of a rendered file as canonical text ([`Written`]), with
/// the same bytes, errors and order as [`parse_file`] then
/// [`Written::new`]; text the stream writer reads is never made a tree.
pub fn write_file(source: &str, text: &str) -> Result<Vec<Written>, ManifestError> {
    if let Some(written) = stream::write_stream(source, text) {
        return Ok(written);
    }
    Ok(parse_file(source, text)?.iter().map(Written::new).collect())
}

/// Keeps a document that is an object, drops an empty one, refuses the rest.
fn push_object(
    out: &mut Vec<Manifest>,
    source: &str,
    index: usize,
    value: serde_yaml::Value,
) -> Result<(), ManifestError> {
    let found = match &value {
        serde_yaml::Value::Null => return Ok(()),
        serde_yaml::Value::Mapping(_) => {
            out.push(Manifest {
                source: source.to_string(),
                value,
            });
            return Ok(());
        }
        serde_yaml::Value::Sequence(_) => "a list",
        serde_yaml::Value::Tagged(_) => "a tagged value",
        _ => "a scalar",
    };
    Err(ManifestError::NotAnObject {
        source_name: source.to_string(),
        index: index + 1,
        found,
    })
}

/// The rendered lines around a YAML error, numbered.
fn rendered_snippet(text: &str, line: usize) -> String {
    let mut out = String::new();
    for (i, l) in text
        .lines()
        .enumerate()
        .skip(line.saturating_sub(3))
        .take(4)
    {
        let marker = if i + 1 == line { ">" } else { " " };
        let _ = write!(out, "\n{marker}{:>5} | {l}", i + 1);
    }
    out
}

/// Kinds that live outside namespaces: the built-in ones and the
/// cluster-wide kinds of common operators a chart ships. They get no
/// default namespace (lint and diff key them by kind and name alone).
pub fn is_cluster_scoped(kind: &str) -> bool {
    matches!(
        kind,
        "APIService"
            | "CSIDriver"
            | "CSINode"
            | "CertificateSigningRequest"
            | "ClusterExternalSecret"
            | "ClusterIssuer"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "ClusterSecretStore"
            | "CustomResourceDefinition"
            | "IngressClass"
            | "MutatingWebhookConfiguration"
            | "Namespace"
            | "Node"
            | "PersistentVolume"
            | "PodSecurityPolicy"
            | "PriorityClass"
            | "RuntimeClass"
            | "StorageClass"
            | "ValidatingAdmissionPolicy"
            | "ValidatingAdmissionPolicyBinding"
            | "ValidatingWebhookConfiguration"
            | "VolumeAttachment"
            | "VolumeSnapshotClass"
    )
}

/// What sorting into install order looks at.
pub trait Ordered {
    fn kind(&self) -> &str;
    fn name(&self) -> &str;
}

impl Ordered for Manifest {
    fn kind(&self) -> &str {
        Manifest::kind(self)
    }
    fn name(&self) -> &str {
        Manifest::name(self)
    }
}

/// Sorts in Helm's install order by kind, then by name (stable).
pub fn sort<M: Ordered>(manifests: &mut [M]) {
    // The same order as sorting with `order::cmp_install_order`, with each
    // object's rank, kind and name looked up once (a parsed object's kind
    // and name are hash lookups): sort the positions by those keys, then
    // move the objects.
    let order: Vec<usize> = {
        let keys: Vec<(usize, &str, &str)> = manifests
            .iter()
            .map(|m| (order::kind_rank(m.kind()), m.kind(), m.name()))
            .collect();
        let mut order: Vec<usize> = (0..keys.len()).collect();
        order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
        order
    };
    permute(manifests, order);
}

/// Puts `items[order[i]]` at position `i`, following each cycle of the
/// permutation with swaps.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..order.len() {
        let mut current = start;
        while order[current] != current {
            let next = order[current];
            order[current] = current;
            if next == start {
                break;
            }
            items.swap(current, next);
            current = next;
        }
    }
}

/// An object already written as its canonical document ([`Manifest::write`]),
/// with what sorting and `--show-only` need. `skiff render` only prints
/// objects, so it writes each one on the thread that parsed it and keeps the
/// text, not the parsed tree (a large chart's trees are most of its memory).
#[derive(Debug, Clone)]
pub struct Written {
    pub source: String,
    kind: String,
    name: String,
    pub text: String,
}

impl Written {
    pub fn new(manifest: &Manifest) -> Written {
        let mut text = String::new();
        manifest.write(&mut text);
        Written {
            source: manifest.source.clone(),
            kind: manifest.kind().to_string(),
            name: manifest.name().to_string(),
            text,
        }
    }
}

impl Ordered for Written {
    fn kind(&self) -> &str {
        &self.kind
    }
    fn name(&self) -> &str {
        &self.name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Obj(&'static str, &'static str, usize);

    impl Ordered for Obj {
        fn kind(&self) -> &str {
            self.0
        }
        fn name(&self) -> &str {
            self.1
        }
    }

    #[test]
    fn sort_is_the_install_order_and_stable() {
        let kinds = [
            "Service",
            "Zeta",
            "ConfigMap",
            "Alpha",
            "Deployment",
            "Namespace",
            "",
        ];
        let names = ["b", "a", "c", ""];
        let mut objects = Vec::new();
        for i in 0..60 {
            objects.push(Obj(
                kinds[i * 7 % kinds.len()],
                names[i * 5 % names.len()],
                i,
            ));
        }
        let mut expected: Vec<_> = objects.iter().map(|o| (o.0, o.1, o.2)).collect();
        expected.sort_by(|a, b| order::cmp_install_order((a.0, a.1), (b.0, b.1)));
        sort(&mut objects);
        let got: Vec<_> = objects.iter().map(|o| (o.0, o.1, o.2)).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn child_is_value_get_for_string_keys() {
        let small: serde_yaml::Value =
            serde_yaml::from_str("kind: A\n!t name: tagged\n1: one\nmeta: {name: n}\n").unwrap();
        let mut big_text: String = (0..20).map(|i| format!("k{i}: {i}\n")).collect();
        big_text.push_str("!t name: tagged\n");
        let big: serde_yaml::Value = serde_yaml::from_str(&big_text).unwrap();
        let tagged: serde_yaml::Value = serde_yaml::from_str("!t {kind: B}").unwrap();
        let scalar = serde_yaml::Value::from("kind");
        for value in [&small, &big, &tagged, &scalar] {
            for key in ["kind", "name", "1", "meta", "k7", "k19", "absent", ""] {
                assert_eq!(child(value, key), value.get(key), "{key} in {value:?}");
            }
        }
    }

    #[test]
    fn permute_moves_every_item_once_whatever_the_cycles() {
        for n in 0..40usize {
            for step in [1, 3, 7, 11] {
                // i * step mod n (a bijection when gcd = 1), else a reversal.
                let order: Vec<usize> =
                    if n > 0 && (1..=step).all(|d| d == 1 || n % d != 0 || step % d != 0) {
                        (0..n).map(|i| i * step % n).collect()
                    } else {
                        (0..n).rev().collect()
                    };
                let expected: Vec<usize> = order.clone();
                let mut items: Vec<usize> = (0..n).collect();
                permute(&mut items, order);
                assert_eq!(items, expected, "n {n} step {step}");
            }
        }
    }

    #[test]
    fn cluster_scoped_kinds_from_both_former_lists() {
        // Once only diff's list, once only lint's: one list serves both.
        for kind in ["CSIDriver", "Node", "ClusterSecretStore", "ClusterRole"] {
            assert!(is_cluster_scoped(kind), "{kind}");
        }
        for kind in ["Deployment", "Secret", "SecretStore", "clusterrole"] {
            assert!(!is_cluster_scoped(kind), "{kind}");
        }
    }
}
