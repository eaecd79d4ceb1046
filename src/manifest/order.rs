//! Helm's install order: which kinds of objects are applied first.
//!
//! The list is Helm's `InstallOrder`, copied verbatim from Helm 4
//! (`pkg/release/v1/util/kind_sorter.go`, identical in
//! `internal/release/v2/util/kind_sorter.go`).
//!
//! Helm sorts with a stable sort on kind alone: known kinds by their place
//! in the list, unknown kinds after all known ones and alphabetically by
//! kind (byte order), and documents of the same kind keep their source
//! order (template files sorted by path, then document order in a file).
//! We deliberately differ on that last tie: within a kind we sort by name,
//! so the output does not depend on which template file an object lives in
//! and a file rename does not reorder a render. Documents with the same kind
//! and name (e.g. in two namespaces) tie; sort with a stable sort so they
//! keep source order.

use std::cmp::Ordering;

/// Helm's `InstallOrder`, earliest first.
pub const INSTALL_ORDER: [&str; 38] = [
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// The position of `kind` in Helm's install order; every kind Helm does not
/// know (matched case-sensitively, as Helm does) gets `INSTALL_ORDER.len()`.
#[must_use]
pub fn kind_rank(kind: &str) -> usize {
    INSTALL_ORDER
        .iter()
        .position(|known| *known == kind)
        .unwrap_or(INSTALL_ORDER.len())
}

/// Compares two `(kind, name)` pairs in install order: kind rank, then kind
/// (orders unknown kinds alphabetically), then name. Use with a stable sort
/// (`sort_by`).
#[must_use]
pub fn cmp_install_order(a: (&str, &str), b: (&str, &str)) -> Ordering {
    kind_rank(a.0)
        .cmp(&kind_rank(b.0))
        .then_with(|| a.0.cmp(b.0))
        .then_with(|| a.1.cmp(b.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(mut objects: Vec<(&'static str, &'static str)>) -> Vec<(&'static str, &'static str)> {
        objects.sort_by(|a, b| cmp_install_order(*a, *b));
        objects
    }

    #[test]
    fn common_chart_kinds_in_helm_order() {
        let order = [
            "Namespace",
            "ServiceAccount",
            "Secret",
            "ConfigMap",
            "PersistentVolumeClaim",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "Service",
            "Deployment",
            "HorizontalPodAutoscaler",
            "StatefulSet",
            "Job",
            "CronJob",
            "Ingress",
        ];
        for pair in order.windows(2) {
            assert!(kind_rank(pair[0]) < kind_rank(pair[1]), "{pair:?}");
        }
        assert_eq!(kind_rank("PriorityClass"), 0);
        assert_eq!(kind_rank("ValidatingWebhookConfiguration"), 37);
    }

    #[test]
    fn unknown_kinds_last_and_alphabetical() {
        assert_eq!(kind_rank("Certificate"), INSTALL_ORDER.len());
        assert_eq!(
            kind_rank("deployment"),
            INSTALL_ORDER.len(),
            "case-sensitive like Helm"
        );
        let got = sorted(vec![
            ("Unknown2", "t3"),
            ("Unknown", "u2"),
            ("ValidatingWebhookConfiguration", "v"),
            ("Certificate", "c"),
            ("Unknown", "u1"),
            ("Namespace", "ns"),
        ]);
        assert_eq!(
            got,
            vec![
                ("Namespace", "ns"),
                ("ValidatingWebhookConfiguration", "v"),
                ("Certificate", "c"),
                ("Unknown", "u1"),
                ("Unknown", "u2"),
                ("Unknown2", "t3"),
            ]
        );
    }

    /// Helm's own `TestKindSorter` fixture (one object per kind, named by a
    /// letter, in Helm's input order) and its expected install order.
    #[test]
    fn matches_helm_kind_sorter_test() {
        let objects = vec![
            ("IngressClass", "U"),
            ("SecretList", "E"),
            ("ClusterRole", "i"),
            ("ClusterRoleList", "I"),
            ("ClusterRoleBinding", "j"),
            ("ClusterRoleBindingList", "J"),
            ("ConfigMap", "f"),
            ("CronJob", "u"),
            ("CustomResourceDefinition", "2"),
            ("DaemonSet", "n"),
            ("Deployment", "r"),
            ("HonkyTonkSet", "!"),
            ("Ingress", "v"),
            ("Job", "t"),
            ("LimitRange", "c"),
            ("Namespace", "a"),
            ("NetworkPolicy", "A"),
            ("PersistentVolume", "g"),
            ("PersistentVolumeClaim", "h"),
            ("Pod", "o"),
            ("PodDisruptionBudget", "3"),
            ("PodSecurityPolicy", "C"),
            ("ReplicaSet", "q"),
            ("ReplicationController", "p"),
            ("ResourceQuota", "b"),
            ("Role", "k"),
            ("RoleList", "K"),
            ("RoleBinding", "l"),
            ("RoleBindingList", "L"),
            ("Secret", "e"),
            ("Service", "m"),
            ("ServiceAccount", "d"),
            ("StatefulSet", "s"),
            ("StorageClass", "1"),
            ("APIService", "w"),
            ("HorizontalPodAutoscaler", "x"),
            ("PriorityClass", "F"),
            ("MutatingWebhookConfiguration", "M"),
            ("ValidatingWebhookConfiguration", "V"),
        ];
        let names: String = sorted(objects).iter().map(|(_, name)| *name).collect();
        assert_eq!(names, "FaAbcC3deEf1gh2iIjJkKlLmnopqrxstuUvwMV!");
    }

    #[test]
    fn names_then_unknown_kinds_after_known_ones() {
        let a = ("Deployment", "web");
        let b = ("Deployment", "api");
        let c = ("Widget", "a");
        assert_eq!(cmp_install_order(a, b), Ordering::Greater);
        assert_eq!(cmp_install_order(c, a), Ordering::Greater);
    }
}
