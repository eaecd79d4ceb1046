//! The objects a template sees besides `values` and `files`: `release`,
//! `chart` and `capabilities`.

use minijinja::value::{Serde, Value};
use serde::Serialize;

use crate::chart::Metadata;

/// `release`: who is installing. Skiff renders offline, so a render is
/// always revision 1 of a fresh install, as `helm template` assumes.
#[derive(Debug, Clone, Serialize)]
pub struct Release {
    pub name: String,
    pub namespace: String,
    pub service: String,
    pub revision: u32,
    pub is_install: bool,
    pub is_upgrade: bool,
}

impl Release {
    pub fn new(name: &str, namespace: &str) -> Release {
        Release {
            name: name.to_string(),
            namespace: namespace.to_string(),
            service: "skiff".to_string(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
        }
    }
}

/// `capabilities`: what the target cluster offers.
#[derive(Debug, Clone)]
pub struct Capabilities {
    pub kube_version: semver::Version,
    /// `group/version` strings (and `group/version/Kind`), built-in ones plus `--api-versions`.
    pub api_versions: Vec<String>,
}

/// The Kubernetes version assumed when `--kube-version` is not given.
pub const DEFAULT_KUBE_VERSION: &str = "1.33.0";

/// The API versions every supported cluster serves, as Helm's default
/// capabilities list them (group/version).
pub const BUILTIN_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "apiextensions.k8s.io/v1",
    "apiregistration.k8s.io/v1",
    "apps/v1",
    "authentication.k8s.io/v1",
    "authorization.k8s.io/v1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "certificates.k8s.io/v1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "events.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1",
    "networking.k8s.io/v1",
    "node.k8s.io/v1",
    "policy/v1",
    "rbac.authorization.k8s.io/v1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1",
];

impl Capabilities {
    pub fn new(kube_version: semver::Version, extra_api_versions: &[String]) -> Capabilities {
        let mut api_versions: Vec<String> =
            BUILTIN_API_VERSIONS.iter().map(|s| s.to_string()).collect();
        for extra in extra_api_versions {
            if !api_versions.contains(extra) {
                api_versions.push(extra.clone());
            }
        }
        Capabilities {
            kube_version,
            api_versions,
        }
    }

    pub fn to_value(&self) -> Value {
        let v = &self.kube_version;
        minijinja::context! {
            kube_version => minijinja::context! {
                version => format!("v{}.{}.{}", v.major, v.minor, v.patch),
                major => v.major.to_string(),
                minor => v.minor.to_string(),
            },
            api_versions => Value::from(self.api_versions.clone()),
        }
    }
}

/// `chart`: Chart.yaml with snake_case keys (`app_version`, `kube_version`).
pub fn chart_value(metadata: &Metadata) -> Value {
    let mut json = match serde_json::to_value(metadata) {
        Ok(serde_json::Value::Object(map)) => serde_json::Value::Object(
            map.into_iter()
                .map(|(k, v)| (to_snake_case(&k), v))
                .collect(),
        ),
        _ => serde_json::Value::Null,
    };
    if let serde_json::Value::Object(map) = &mut json {
        for key in [
            "app_version",
            "kube_version",
            "description",
            "type",
            "home",
            "icon",
        ] {
            map.entry(key).or_insert(serde_json::Value::Null);
        }
        if map.get("type").is_some_and(serde_json::Value::is_null) {
            map.insert("type".into(), "application".into());
        }
    }
    to_value(&json)
}

/// `appVersion` → `app_version`. Only top-level Chart.yaml keys are renamed;
/// annotation keys and the like keep their spelling.
fn to_snake_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

pub fn to_value<T: Serialize>(value: &T) -> Value {
    Value::from(Serde(value))
}
