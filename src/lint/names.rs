//! Kubernetes name rules (apimachinery's `validation` package) and which
//! one each kind's `metadata.name` follows.

/// The rule an object name must follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameRule {
    /// DNS-1123 subdomain: lower case alphanumerics, '-' and '.', starting
    /// and ending alphanumeric, at most `max` characters (253 by default).
    Subdomain { max: usize },
    /// DNS-1123 label: like a subdomain without '.', at most `max` (63).
    Label { max: usize },
    /// DNS-1035 label: a DNS-1123 label that starts with a letter (Services).
    Dns1035Label,
    /// A path segment (RBAC objects): anything but `.`, `..`, `/` and `%`.
    PathSegment,
}

impl NameRule {
    /// The rule for a kind's `metadata.name`, with the limits that bite at
    /// run time and not only at admission: a StatefulSet's name goes into
    /// its pods' hostnames and the 63-character `controller-revision-hash`
    /// label with an 11-character suffix; a CronJob's name gets an
    /// 11-character suffix for its Jobs (the API refuses over 52); a Job's
    /// name goes into the `job-name` label of its pods (63).
    pub fn for_kind(kind: &str) -> NameRule {
        match kind {
            "Service" => NameRule::Dns1035Label,
            "Namespace" => NameRule::Label { max: 63 },
            "StatefulSet" => NameRule::Label { max: 52 },
            "CronJob" => NameRule::Subdomain { max: 52 },
            "Job" => NameRule::Subdomain { max: 63 },
            "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" => NameRule::PathSegment,
            _ => NameRule::Subdomain { max: 253 },
        }
    }

    /// Why `name` breaks the rule, or None when it follows it.
    pub fn check(self, name: &str) -> Option<String> {
        match self {
            NameRule::Subdomain { max } => {
                if name.len() > max {
                    return Some(format!(
                        "is {} characters long, over the limit of {max}",
                        name.len()
                    ));
                }
                if name.split('.').all(is_label_text) {
                    None
                } else {
                    Some("is not a DNS-1123 subdomain (lower case letters, digits, '-' and '.', starting and ending with a letter or digit)".into())
                }
            }
            NameRule::Label { max } => {
                if name.len() > max {
                    return Some(format!(
                        "is {} characters long, over the limit of {max}",
                        name.len()
                    ));
                }
                if is_label_text(name) {
                    None
                } else {
                    Some("is not a DNS-1123 label (lower case letters, digits and '-', starting and ending with a letter or digit)".into())
                }
            }
            NameRule::Dns1035Label => {
                if name.len() > 63 {
                    return Some(format!(
                        "is {} characters long, over the limit of 63",
                        name.len()
                    ));
                }
                if is_label_text(name) && name.starts_with(|c: char| c.is_ascii_lowercase()) {
                    None
                } else {
                    Some("is not a DNS-1035 label (lower case letters, digits and '-', starting with a letter and ending with a letter or digit)".into())
                }
            }
            NameRule::PathSegment => {
                if name == "." || name == ".." || name.contains(['/', '%']) {
                    Some("may not be '.' or '..' or contain '/' or '%'".into())
                } else {
                    None
                }
            }
        }
    }
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, not empty.
pub(crate) fn is_label_text(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_name_rules() {
        let sub = NameRule::for_kind("Deployment");
        assert_eq!(sub.check("web.v1-x"), None);
        assert!(sub.check("Web").is_some());
        assert!(sub.check("web_1").is_some());
        assert!(sub.check("-web").is_some());
        assert!(sub.check("a..b").is_some());
        assert!(sub.check(&"a".repeat(254)).is_some());
        let svc = NameRule::for_kind("Service");
        assert_eq!(svc.check("web"), None);
        assert!(svc.check("1web").is_some());
        assert!(svc.check("web.api").is_some());
        assert!(svc.check(&"a".repeat(64)).is_some());
        assert!(
            NameRule::for_kind("StatefulSet")
                .check(&"a".repeat(53))
                .is_some()
        );
        assert!(
            NameRule::for_kind("CronJob")
                .check(&"a".repeat(53))
                .is_some()
        );
        assert_eq!(
            NameRule::for_kind("ClusterRole").check("system:aggregate-to-view"),
            None
        );
        assert!(NameRule::for_kind("Role").check("a/b").is_some());
        assert!(sub.check("").is_some());
    }
}
