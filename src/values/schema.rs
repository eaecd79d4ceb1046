//! values.schema.json: validating the final values, every violation at once.
//!
//! The schema may be draft-07 or 2020-12 (its `$schema` decides). `$ref`
//! resolves only inside the schema file or to other files of the chart:
//! jsonschema is built without its http/file resolvers and given a
//! retriever that sees the chart's files and nothing else.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{Retrieve, Uri};
use serde_json::Value;

use super::provenance::{self, Source, Step, display_path};
use super::{Layer, Values};
use crate::chart::Chart;

/// A chart's schema for its values, at the chart root.
pub const FILE: &str = "values.schema.json";

/// The base URI the schema is loaded under; chart files resolve below it.
const BASE: &str = "file:///chart/";

pub struct Schema {
    pub path: PathBuf,
    json: Value,
    validator: jsonschema::Validator,
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub path: Vec<Step>,
    /// The JSON Schema keyword broken (`type`, `required`, `additionalProperties`, ...).
    pub rule: String,
    pub message: String,
    pub hint: Option<String>,
    /// The layer that set the offending value, when one did.
    pub source: Option<Source>,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = if self.path.is_empty() {
            "(root)".to_string()
        } else {
            display_path(&self.path)
        };
        write!(f, "{path}: {} [{}]", self.message, self.rule)?;
        if let Some(source) = &self.source {
            write!(f, "\n    set by {source}")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n    hint: {hint}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum SchemaError {
    #[error("{}{}: not valid JSON: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Json {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error("{}: not a valid JSON Schema: {message}\nhint: check the keyword at {location}", path.display())]
    Invalid {
        path: PathBuf,
        location: String,
        message: String,
    },
    #[error("{}: the values do not match the chart's schema ({} problem{}):\n{}", path.display(), violations.len(), if violations.len() == 1 { "" } else { "s" }, list(violations))]
    Violations {
        path: PathBuf,
        violations: Vec<Violation>,
    },
}

fn list(violations: &[Violation]) -> String {
    let mut out = String::new();
    for v in violations {
        let _ = writeln!(out, "  - {v}");
    }
    out.truncate(out.trim_end().len());
    out
}

/// Resolves `$ref`s to other files of the chart; refuses everything else.
struct ChartRetriever {
    files: BTreeMap<String, Vec<u8>>,
}

impl Retrieve for ChartRetriever {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let text = uri.as_str();
        let Some(rel) = text.strip_prefix(BASE) else {
            return Err(format!("$ref {text:?} points outside the chart; Skiff resolves $ref only within the chart's own files").into());
        };
        let rel = rel.split('#').next().unwrap_or(rel);
        let bytes = self
            .files
            .get(rel)
            .ok_or_else(|| format!("$ref {rel:?}: the chart has no such file"))?;
        Ok(serde_json::from_slice(bytes)
            .map_err(|e| format!("$ref {rel:?}: not valid JSON: {e}"))?)
    }
}

impl Schema {
    /// Loads and checks the chart's values.schema.json, if it has one.
    pub fn load(chart: &Chart) -> Result<Option<Schema>, SchemaError> {
        let path = chart.display_path(FILE);
        let Some(bytes) = chart.files.get(FILE) else {
            return Ok(None);
        };
        let json: Value = serde_json::from_slice(bytes).map_err(|e| SchemaError::Json {
            path: path.clone(),
            line: Some(e.line()),
            message: e.to_string(),
        })?;
        let files = chart
            .files
            .iter()
            .filter(|(k, _)| k.ends_with(".json"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let patterns = super::pattern::Patterns::default();
        let validator = jsonschema::options()
            .with_base_uri(format!("{BASE}values.schema.json"))
            .with_retriever(ChartRetriever { files })
            .with_keyword("pattern", move |_, schema, _| patterns.keyword(schema))
            .build(&json)
            // `build` checks the schema against its meta-schema first, so an
            // invalid schema is reported here, at the keyword that breaks it.
            .map_err(|e| {
                let at = e.instance_path().to_string();
                SchemaError::Invalid {
                    path: path.clone(),
                    location: if at.is_empty() {
                        e.schema_path().to_string()
                    } else {
                        at
                    },
                    message: e.to_string(),
                }
            })?;
        Ok(Some(Schema {
            path,
            json,
            validator,
        }))
    }

    /// Validates the final values; every violation, with the layer that set
    /// it. `values` is borrowed mutably only to be validated without a copy
    /// (the validator wants a `Value`); it is left as it was.
    pub fn validate(&self, values: &mut Values, layers: &[Layer]) -> Result<(), SchemaError> {
        let instance = Value::Object(std::mem::take(values));
        let violations = self.violations(&instance, layers);
        if let Value::Object(map) = instance {
            *values = map;
        }
        if violations.is_empty() {
            Ok(())
        } else {
            Err(SchemaError::Violations {
                path: self.path.clone(),
                violations,
            })
        }
    }

    /// Every violation of `instance`, sorted by path and rule.
    fn violations(&self, instance: &Value, layers: &[Layer]) -> Vec<Violation> {
        let mut violations = Vec::new();
        for error in self.validator.iter_errors(instance) {
            let at = pointer_steps(error.instance_path().as_str(), instance);
            let rule = error.kind().keyword().to_string();
            match error.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    let known = self.known_keys(error.schema_path().as_str(), &at, layers);
                    for key in unexpected {
                        let mut path = at.clone();
                        path.push(Step::Key(key.clone()));
                        let hint = closest(key, known.iter().map(String::as_str))
                            .map(|k| {
                                format!(
                                    "did you mean `{}`?",
                                    display_path(
                                        &[at.clone(), vec![Step::Key(k.to_string())]].concat()
                                    )
                                )
                            })
                            .or_else(|| {
                                (!known.is_empty())
                                    .then(|| format!("known keys here: {}", known.join(", ")))
                            });
                        violations.push(Violation {
                            source: provenance::setter(layers, &path),
                            path,
                            rule: rule.clone(),
                            message: format!("unknown key `{key}`"),
                            hint,
                        });
                    }
                }
                ValidationErrorKind::Required { property } => {
                    let mut path = at.clone();
                    path.push(Step::Key(property.as_str().unwrap_or_default().to_string()));
                    violations.push(Violation {
                        path,
                        rule,
                        message: "is required but not set".into(),
                        hint: Some("set it in a values file or with --set".into()),
                        source: None,
                    });
                }
                _ => violations.push(Violation {
                    source: provenance::setter(layers, &at),
                    path: at,
                    rule,
                    message: error.to_string(),
                    hint: None,
                }),
            }
        }
        violations.sort_by(|a, b| a.path.cmp(&b.path).then_with(|| a.rule.cmp(&b.rule)));
        violations.dedup();
        violations
    }

    /// Keys a mapping may have: its schema's `properties` (when the schema
    /// location resolves without `$ref`s) and the chart defaults' keys there.
    fn known_keys(&self, schema_path: &str, at: &[Step], layers: &[Layer]) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        let parent = schema_path
            .strip_suffix("/additionalProperties")
            .unwrap_or(schema_path);
        if let Some(Value::Object(props)) = self.json.pointer(&format!("{parent}/properties")) {
            keys.extend(props.keys().cloned());
        }
        if let Some(defaults) = layers.first() {
            let root = Value::Object(Values::clone(&defaults.values));
            if let Some(Value::Object(map)) = provenance::lookup(&root, at) {
                keys.extend(
                    map.keys()
                        .filter(|k| !keys.contains(k))
                        .cloned()
                        .collect::<Vec<_>>(),
                );
            }
        }
        keys
    }
}

/// A JSON pointer (`/api/hosts/0`) as steps, using the instance to tell list
/// indexes from keys that look like numbers.
fn pointer_steps(pointer: &str, instance: &Value) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut node = Some(instance);
    for raw in pointer.split('/').skip(1) {
        let token = raw.replace("~1", "/").replace("~0", "~");
        let step = match (node, token.parse::<usize>()) {
            (Some(Value::Array(_)), Ok(i)) => Step::Index(i),
            _ => Step::Key(token),
        };
        node = node.and_then(|n| provenance::lookup(n, std::slice::from_ref(&step)));
        steps.push(step);
    }
    steps
}

/// The known name closest to a typo (ignoring case), when it is close
/// enough to be a guess: a values key, a Chart.yaml field, a lint rule id.
pub fn closest<'a>(typo: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typo = typo.to_lowercase();
    known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(&typo, &k.to_lowercase()), k))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        let known = ["autoscaling", "ingress", "api"];
        assert_eq!(closest("autoscalling", known), Some("autoscaling"));
        assert_eq!(closest("ingres", known), Some("ingress"));
        assert_eq!(closest("zzz", known), None);
    }
}
