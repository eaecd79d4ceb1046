//! Values: layers, merge, `--set` parsing, schema validation, provenance.
//!
//! Layers, lowest first (DESIGN.md "Values"): the chart's values.yaml;
//! computed defaults from values.computed.yaml; each `-f` file; each
//! `--set*` flag in the order given. Maps merge deeply, lists and scalars
//! replace, and `null` deletes a key.

mod pattern;
pub mod provenance;
pub mod schema;
pub mod scope;
pub mod strvals;

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use self::strvals::SetKind;
use crate::manifest::fast;

pub type Values = Map<String, Value>;

#[derive(Debug, thiserror::Error)]
pub enum ValuesError {
    #[error("{}: no such values file\nhint: check the path given to -f/--values", path.display())]
    FileNotFound { path: PathBuf },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}{}: not valid YAML: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Yaml {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error("{}{}: values must be a mapping (key: value), found {found}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    NotAMapping {
        path: PathBuf,
        line: Option<usize>,
        found: &'static str,
    },
    #[error("{0}")]
    Set(#[from] strvals::SetError),
    #[error(transparent)]
    Schema(#[from] schema::SchemaError),
    #[error("{}: {message}", path.display())]
    Computed { path: PathBuf, message: String },
}

/// Where a layer's values came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// The chart's values.yaml.
    Defaults(PathBuf),
    /// values.computed.yaml's output.
    Computed(PathBuf),
    /// A `-f/--values` file.
    File(PathBuf),
    /// One `--set`-family flag.
    Set { kind: SetKind, expr: String },
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Defaults(path) => write!(f, "{}", path.display()),
            Origin::Computed(path) => write!(f, "{} (computed)", path.display()),
            Origin::File(path) => write!(f, "{}", path.display()),
            Origin::Set { kind, expr } => write!(f, "{} {expr}", kind.flag()),
        }
    }
}

/// One layer of values.
#[derive(Debug, Clone)]
pub struct Layer {
    pub origin: Origin,
    /// Shared: a chart's defaults serve its plan and its render uncopied.
    pub values: std::sync::Arc<Values>,
    /// The YAML text, for locating a value's line (files only).
    text: Option<std::sync::Arc<str>>,
    /// Where this layer's values sit in `text`: empty for a chart's own
    /// layers, `["sub"]` for a parent's layer as subchart `sub` sees it.
    pub scope: Vec<String>,
    /// Value path → line in `text`, computed on first use (messages,
    /// `--explain`) and shared by the layer's scoped copies.
    lines: std::sync::Arc<std::sync::OnceLock<LineIndex>>,
}

type LineIndex = std::collections::HashMap<Vec<provenance::Step>, usize>;

impl Layer {
    /// A layer; `text` is the YAML it was parsed from, when it came from a file.
    pub fn new(origin: Origin, values: Values, text: Option<String>) -> Layer {
        Layer::shared(origin, std::sync::Arc::new(values), text)
    }

    /// [`Layer::new`] with values held elsewhere too (a chart's defaults).
    pub fn shared(origin: Origin, values: std::sync::Arc<Values>, text: Option<String>) -> Layer {
        Layer {
            origin,
            values,
            text: text.map(std::sync::Arc::from),
            scope: Vec::new(),
            lines: std::sync::Arc::default(),
        }
    }

    /// The same layer narrowed to `values`, which sit under `key` of this
    /// layer's values (a parent's layer as subchart `key` sees it).
    pub fn narrowed(&self, values: Values, key: &str) -> Layer {
        let mut scope = self.scope.clone();
        scope.push(key.to_string());
        Layer {
            origin: self.origin.clone(),
            values: std::sync::Arc::new(values),
            text: self.text.clone(),
            scope,
            lines: std::sync::Arc::clone(&self.lines),
        }
    }

    /// The 1-based line a value is written on, for layers read from a file.
    pub fn line_of(&self, path: &[provenance::Step]) -> Option<usize> {
        let text = self.text.as_deref()?;
        let index = self.lines.get_or_init(|| provenance::line_index(text));
        if self.scope.is_empty() {
            return index.get(path).copied();
        }
        let full: Vec<provenance::Step> = self
            .scope
            .iter()
            .map(|k| provenance::Step::Key(k.clone()))
            .chain(path.iter().cloned())
            .collect();
        index.get(&full).copied()
    }
}

/// The user's value flags, in the order given on the command line.
#[derive(Debug, Clone, Default)]
pub struct ValueArgs {
    pub files: Vec<PathBuf>,
    pub sets: Vec<(SetKind, String)>,
}

impl ValueArgs {
    /// Layers 3 and 4: the `-f` files, then the `--set*` flags.
    pub fn layers(&self) -> Result<Vec<Layer>, ValuesError> {
        let mut layers = Vec::new();
        for path in &self.files {
            let text = read_values_file(path)?;
            let values = parse_values(&text, path)?;
            layers.push(Layer::new(Origin::File(path.clone()), values, Some(text)));
        }
        for (kind, expr) in &self.sets {
            let mut values = Values::new();
            let mut read_file = |p: &str| std::fs::read_to_string(p).map_err(|e| e.to_string());
            strvals::parse_into(expr, *kind, &mut values, &mut read_file)?;
            let origin = Origin::Set {
                kind: *kind,
                expr: expr.clone(),
            };
            layers.push(Layer::new(origin, values, None));
        }
        Ok(layers)
    }
}

fn read_values_file(path: &Path) -> Result<String, ValuesError> {
    let read = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    };
    read.map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ValuesError::FileNotFound {
            path: path.to_path_buf(),
        },
        _ => ValuesError::Io {
            path: path.to_path_buf(),
            source: e,
        },
    })
}

/// Parses a values document; an empty file is an empty mapping.
pub fn parse_values(text: &str, path: &Path) -> Result<Values, ValuesError> {
    if let Some(mut docs) = fast::build_stream::<Value>(text)
        && docs.len() <= 1
    {
        match docs.pop() {
            Some(Value::Object(map)) => return Ok(map),
            None | Some(Value::Null) => return Ok(Values::new()),
            // Other shapes are errors, worded by the path below.
            _ => {}
        }
    }
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| ValuesError::Yaml {
        path: path.to_path_buf(),
        line: e.location().map(|l| l.line()),
        message: e.to_string(),
    })?;
    let not_a_mapping = |found| ValuesError::NotAMapping {
        path: path.to_path_buf(),
        line: text
            .lines()
            .position(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .map(|i| i + 1),
        found,
    };
    match yaml {
        serde_yaml::Value::Null => Ok(Values::new()),
        serde_yaml::Value::Mapping(_) => match yaml_to_json(yaml) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(not_a_mapping("something else")),
            Err(message) => Err(ValuesError::Yaml {
                path: path.to_path_buf(),
                line: None,
                message,
            }),
        },
        serde_yaml::Value::Sequence(_) => Err(not_a_mapping("a list")),
        _ => Err(not_a_mapping("a scalar")),
    }
}

/// Values files are read by the fast reader straight into JSON: the tree
/// [`yaml_to_json`] would make of the reader's YAML tree, without that tree
/// (no hashed YAML keys, nothing to convert after). The build gives up, and
/// [`parse_values`] takes the serde_yaml path, wherever the two could
/// differ: a key that repeats once made a string (`1` and `"1"` are two
/// YAML keys but one JSON key), a key that is not a scalar, a value JSON
/// cannot hold.
impl fast::Tree for Value {
    type Key = String;
    type Map = Map<String, Value>;

    fn null() -> Value {
        Value::Null
    }

    fn new_map() -> Map<String, Value> {
        Map::new()
    }

    fn insert(map: &mut Map<String, Value>, key: String, value: Value) -> bool {
        map.insert(key, value).is_none()
    }

    fn from_map(map: Map<String, Value>) -> Value {
        Value::Object(map)
    }

    fn from_items(items: Vec<Value>) -> Value {
        Value::Array(items)
    }

    /// [`yaml_to_json`]'s key rules.
    fn key(key: fast::Scalar<'_>) -> Option<String> {
        Some(match key {
            fast::Scalar::Str(s) => s.into_owned(),
            fast::Scalar::Other(serde_yaml::Value::String(s)) => s,
            fast::Scalar::Other(serde_yaml::Value::Number(n)) => n.to_string(),
            fast::Scalar::Other(serde_yaml::Value::Bool(b)) => b.to_string(),
            fast::Scalar::Other(serde_yaml::Value::Null) => "null".to_string(),
            fast::Scalar::Other(_) => return None,
        })
    }

    fn scalar(value: fast::Scalar<'_>) -> Option<Value> {
        match value {
            fast::Scalar::Str(s) => Some(Value::String(s.into_owned())),
            fast::Scalar::Other(other) => yaml_to_json(other).ok(),
        }
    }
}

/// Converts YAML to the JSON data model Kubernetes and Helm use: mapping
/// keys become strings (`1: x` → `"1": x`), tags are dropped.
pub fn yaml_to_json(yaml: serde_yaml::Value) -> Result<Value, String> {
    Ok(match yaml {
        serde_yaml::Value::Null => Value::Null,
        serde_yaml::Value::Bool(b) => Value::Bool(b),
        serde_yaml::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| {
                        format!("{f} cannot be represented in JSON; quote it if it is a string")
                    })?
            }
        }
        serde_yaml::Value::String(s) => Value::String(s),
        serde_yaml::Value::Sequence(items) => Value::Array(
            items
                .into_iter()
                .map(yaml_to_json)
                .collect::<Result<_, _>>()?,
        ),
        serde_yaml::Value::Mapping(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                let key = match k {
                    serde_yaml::Value::String(s) => s,
                    serde_yaml::Value::Number(n) => n.to_string(),
                    serde_yaml::Value::Bool(b) => b.to_string(),
                    serde_yaml::Value::Null => "null".to_string(),
                    _ => return Err("a mapping key must be a scalar".to_string()),
                };
                out.insert(key, yaml_to_json(v)?);
            }
            Value::Object(out)
        }
        serde_yaml::Value::Tagged(tagged) => yaml_to_json(tagged.value)?,
    })
}

/// Merges `src` over `dest`: maps merge deeply, lists and scalars replace,
/// and a `null` in `src` deletes the key.
pub fn merge_into(dest: &mut Values, src: &Values) {
    for (key, value) in src {
        match value {
            Value::Null => {
                dest.shift_remove(key);
            }
            Value::Object(src_map) => match dest.get_mut(key) {
                Some(Value::Object(dest_map)) => merge_into(dest_map, src_map),
                _ => {
                    let mut fresh = Values::new();
                    merge_into(&mut fresh, src_map);
                    dest.insert(key.clone(), Value::Object(fresh));
                }
            },
            other => {
                dest.insert(key.clone(), other.clone());
            }
        }
    }
}

/// Merges layers in order into the final values.
pub fn merge_layers<'a>(layers: impl IntoIterator<Item = &'a Layer>) -> Values {
    let mut out = Values::new();
    let mut first = true;
    for layer in layers {
        if first {
            // The chart's own defaults keep their nulls; only overrides delete.
            out = Values::clone(&layer.values);
            first = false;
        } else {
            merge_into(&mut out, &layer.values);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Values {
        match v {
            Value::Object(m) => m,
            _ => unreachable!("test input is a map"),
        }
    }

    #[test]
    fn merge_rules() {
        let mut dest = map(json!({"a": {"b": 1, "c": [1, 2]}, "d": "x", "e": 1}));
        merge_into(
            &mut dest,
            &map(json!({"a": {"c": [3], "n": {"deep": null}}, "d": null, "f": true})),
        );
        assert_eq!(
            Value::Object(dest),
            json!({"a": {"b": 1, "c": [3], "n": {}}, "e": 1, "f": true})
        );
    }

    #[test]
    fn values_files_must_be_mappings() {
        let p = Path::new("v.yaml");
        assert!(matches!(
            parse_values("- a\n", p),
            Err(ValuesError::NotAMapping { .. })
        ));
        assert!(matches!(
            parse_values("# c\nplain\n", p),
            Err(ValuesError::NotAMapping { line: Some(2), .. })
        ));
        assert!(matches!(
            parse_values("a: [\n", p),
            Err(ValuesError::Yaml { .. })
        ));
        assert_eq!(parse_values("", p).unwrap(), Values::new());
        assert_eq!(
            Value::Object(parse_values("1: x\ntrue: y\n", p).unwrap()),
            json!({"1": "x", "true": "y"})
        );
    }
}
