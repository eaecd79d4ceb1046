//! `-o json`: the report for bots. The shape is documented in docs/diff.md
//! and versioned by its top-level `"version"`; fields are only ever added.

use serde_json::{Map, Value as Json, json};
use serde_yaml::Value;

use super::{Change, FieldChange, Report};

/// The JSON shape's version; bumped only on an incompatible change.
pub const VERSION: u64 = 1;

/// The whole report, or the counts only (`--summary`: no `changes` key).
pub fn report(report: &Report, summary_only: bool) -> Json {
    let mut out = Map::new();
    out.insert("version".into(), json!(VERSION));
    out.insert("summary".into(), json!(report.summary));
    if !summary_only {
        out.insert(
            "changes".into(),
            Json::Array(report.changes.iter().map(change).collect()),
        );
    }
    Json::Object(out)
}

fn change(c: &Change) -> Json {
    let unified: String = c
        .unified
        .iter()
        .map(|l| format!("{}\n", l.prefixed()))
        .collect();
    json!({
        "change": c.change,
        "group": c.id.group,
        "kind": c.id.kind,
        "namespace": c.id.namespace,
        "name": c.id.name,
        "old_source": c.old_source,
        "new_source": c.new_source,
        "fields": c.fields.iter().map(field).collect::<Vec<_>>(),
        "unified": unified,
    })
}

fn field(f: &FieldChange) -> Json {
    json!({
        "path": f.path.to_string(),
        "op": f.op,
        "old": f.old.as_ref().map_or(Json::Null, to_json),
        "new": f.new.as_ref().map_or(Json::Null, to_json),
    })
}

/// A YAML value as JSON: non-string keys become their text, a tag is
/// dropped (its value kept), a NaN or infinity becomes its YAML text.
pub fn to_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                json!(i)
            } else if let Some(u) = n.as_u64() {
                json!(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or_else(|| Json::String(n.to_string()), Json::Number)
            }
        }
        Value::String(s) => Json::String(s.clone()),
        Value::Sequence(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Mapping(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (super::path::key_text(k), to_json(v)))
                .collect(),
        ),
        Value::Tagged(tagged) => to_json(&tagged.value),
    }
}

/// A value on one line, as the text and markdown reports show it: JSON
/// (strings quoted), cut to `max` characters with `…`; `(absent)` for none.
pub fn compact(value: Option<&Value>, max: usize) -> String {
    let Some(value) = value else {
        return "(absent)".into();
    };
    let text = to_json(value).to_string();
    if text.chars().count() <= max {
        text
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compacts_and_truncates() {
        let v: Value = serde_yaml::from_str("{a: [1, x], 2: null}").unwrap();
        assert_eq!(compact(Some(&v), 100), r#"{"a":[1,"x"],"2":null}"#);
        assert_eq!(compact(Some(&v), 5), "{\"a\"…");
        assert_eq!(compact(None, 5), "(absent)");
    }
}
