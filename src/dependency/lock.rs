//! Chart.lock: the resolved versions of a chart's dependencies, in Helm's
//! format (`pkg/chart/v2/dependency.go` `Lock`, written by
//! `pkg/downloader/manager.go`):
//!
//! ```yaml
//! dependencies:
//! - name: web
//!   repository: file://../web
//!   version: 1.2.0
//! digest: sha256:<hex>
//! generated: "2024-05-01T12:00:00Z"
//! ```
//!
//! `digest` is Helm's `resolver.HashReq`: the SHA-256 of the JSON array
//! `[<Chart.yaml dependencies>, <locked dependencies>]` as Go's
//! `encoding/json` writes it (struct field order, `omitempty`, map keys
//! sorted, `<`, `>` and `&` escaped). Matching it byte for byte lets Helm
//! and Skiff accept each other's locks.

use serde_json::{Map, Value};

use crate::chart::metadata::Dependency;
use crate::package::digest::sha256_hex;

/// One locked dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locked {
    pub name: String,
    pub repository: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lock {
    pub dependencies: Vec<Locked>,
    pub digest: String,
    pub generated: String,
}

impl Lock {
    /// Parses Chart.lock text; `Err` carries a message for the user.
    pub fn parse(text: &str) -> Result<Lock, String> {
        let yaml: serde_yaml::Value =
            serde_yaml::from_str(text).map_err(|e| format!("not valid YAML: {e}"))?;
        let field = |v: &serde_yaml::Value, k: &str| -> String {
            match v.get(k) {
                Some(serde_yaml::Value::String(s)) => s.clone(),
                Some(serde_yaml::Value::Number(n)) => n.to_string(),
                _ => String::new(),
            }
        };
        let mut dependencies = Vec::new();
        if let Some(serde_yaml::Value::Sequence(items)) = yaml.get("dependencies") {
            for item in items {
                let locked = Locked {
                    name: field(item, "name"),
                    repository: field(item, "repository"),
                    version: field(item, "version"),
                };
                if locked.name.is_empty() {
                    return Err("a dependency has no name".into());
                }
                dependencies.push(locked);
            }
        }
        Ok(Lock {
            dependencies,
            digest: field(&yaml, "digest"),
            generated: field(&yaml, "generated"),
        })
    }

    /// The Chart.lock text (keys sorted, as Helm's JSON-based YAML writer does).
    pub fn to_yaml(&self) -> String {
        let mut root = serde_yaml::Mapping::new();
        let deps: Vec<serde_yaml::Value> = self
            .dependencies
            .iter()
            .map(|d| {
                let mut m = serde_yaml::Mapping::new();
                m.insert("name".into(), d.name.clone().into());
                m.insert("repository".into(), d.repository.clone().into());
                m.insert("version".into(), d.version.clone().into());
                serde_yaml::Value::Mapping(m)
            })
            .collect();
        root.insert("dependencies".into(), serde_yaml::Value::Sequence(deps));
        root.insert("digest".into(), self.digest.clone().into());
        root.insert("generated".into(), self.generated.clone().into());
        crate::manifest::emit::to_string(&serde_yaml::Value::Mapping(root))
    }
}

/// Helm's `resolver.HashReq(req, lock)`: `sha256:<hex>`.
pub fn digest(requested: &[Dependency], locked: &[Locked]) -> String {
    let req: Vec<Value> = requested.iter().map(requested_json).collect();
    let lock: Vec<Value> = locked
        .iter()
        .map(|l| {
            let mut m = Map::new();
            m.insert("name".into(), l.name.clone().into());
            if !l.version.is_empty() {
                m.insert("version".into(), l.version.clone().into());
            }
            m.insert("repository".into(), l.repository.clone().into());
            Value::Object(m)
        })
        .collect();
    let json = Value::Array(vec![Value::Array(req), Value::Array(lock)]);
    format!("sha256:{}", sha256_hex(go_json(&json).as_bytes()))
}

/// A Chart.yaml dependency as Go marshals `chart.Dependency`.
fn requested_json(d: &Dependency) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), d.name.clone().into());
    if !d.version.is_empty() {
        m.insert("version".into(), d.version.clone().into());
    }
    m.insert("repository".into(), d.repository.clone().into());
    if let Some(c) = d.condition.as_ref().filter(|c| !c.is_empty()) {
        m.insert("condition".into(), c.clone().into());
    }
    if !d.tags.is_empty() {
        m.insert("tags".into(), d.tags.clone().into());
    }
    if !d.import_values.is_empty() {
        let values = d
            .import_values
            .iter()
            .map(|v| crate::values::yaml_to_json(v.clone()).unwrap_or(Value::Null))
            .collect();
        m.insert("import-values".into(), Value::Array(values));
    }
    if let Some(a) = d.alias.as_ref().filter(|a| !a.is_empty()) {
        m.insert("alias".into(), a.clone().into());
    }
    Value::Object(m)
}

/// JSON as Go's `encoding/json` writes it: compact, map keys sorted
/// (struct fields keep their order: the maps built above are structs),
/// HTML-sensitive characters escaped.
fn go_json(value: &Value) -> String {
    let text = serde_json::to_string(&sorted_maps(value, true)).unwrap_or_default();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Sorts the keys of every map below the struct level (Go maps marshal
/// sorted; the top-level objects here stand for structs and keep order).
fn sorted_maps(value: &Value, structs: bool) -> Value {
    match value {
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| sorted_maps(v, structs)).collect())
        }
        Value::Object(map) if structs => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), sorted_maps(v, k != "import-values")))
                .collect(),
        ),
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted_maps(&map[k], false)))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_round_trips() {
        let lock = Lock {
            dependencies: vec![Locked {
                name: "web".into(),
                repository: String::new(),
                version: "^1.0.0".into(),
            }],
            digest: "sha256:00".into(),
            generated: "1980-01-01T00:00:00Z".into(),
        };
        assert_eq!(Lock::parse(&lock.to_yaml()), Ok(lock));
    }

    #[test]
    fn go_json_escapes_like_go() {
        let v = serde_json::json!([{"version": ">=1, <2 & x"}]);
        assert_eq!(go_json(&v), r#"[{"version":"\u003e=1, \u003c2 \u0026 x"}]"#);
    }
}
