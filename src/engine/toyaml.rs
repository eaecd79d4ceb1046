//! The `toyaml` filter: a value as canonical YAML (the layout and quoting of
//! `manifest::emit`), without the trailing newline, like Helm's `toYaml`.
//!
//! What templates hand to `toyaml` is nearly always built from values
//! files: maps with string keys, lists, strings, booleans, integers and
//! none. Those are written straight from minijinja's values. Anything else
//! (floats, keys that are not strings, bytes, undefined, objects that are
//! not plain maps or lists) goes through a `serde_yaml::Value` to the same
//! writer, the way every value went before; the tests check that both ways
//! give the same text. The direct way skips building a second tree, whose
//! mappings hash every key: with a big ConfigMap per template, that tree
//! was a fifth of a render.

use std::fmt::Write as _;

use minijinja::value::{Value, ValueKind};
use minijinja::{Error, ErrorKind};

use crate::manifest::emit;

pub(crate) fn toyaml(value: Value) -> Result<String, Error> {
    let mut out = String::new();
    if write_yaml(&mut out, &value).is_none() {
        out = via_serde_yaml(&value)?;
    }
    out.truncate(out.trim_end_matches('\n').len());
    Ok(out)
}

/// The way for any value: a `serde_yaml::Value` written by `emit`.
fn via_serde_yaml(value: &Value) -> Result<String, Error> {
    let yaml = serde_yaml::to_value(value)
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("toyaml: {e}")))?;
    Ok(emit::to_string(&yaml))
}

/// A value's shape as the writer sees it.
enum Shape {
    Map,
    Seq,
    /// A scalar, or an empty map or list (`{}`, `[]`).
    Scalar,
}

/// `None` for a value the direct way does not write.
fn shape(value: &Value) -> Option<Shape> {
    let collection = match value.kind() {
        ValueKind::Map => Shape::Map,
        ValueKind::Seq => Shape::Seq,
        _ => return Some(Shape::Scalar),
    };
    Some(if value.len()? == 0 {
        Shape::Scalar
    } else {
        collection
    })
}

// The functions below follow `emit::write_yaml` and its helpers one for
// one; each returns `None` where the direct way gives up (nothing it wrote
// is kept then).

fn write_yaml(out: &mut String, value: &Value) -> Option<()> {
    match shape(value)? {
        Shape::Map => write_mapping(out, value, 0, false),
        Shape::Seq => write_sequence(out, value, 0, false),
        Shape::Scalar => write_scalar_line(out, value, 2),
    }
}

fn write_mapping(out: &mut String, map: &Value, indent: usize, first_inline: bool) -> Option<()> {
    for (i, (key, value)) in map.as_object()?.try_iter_pairs()?.enumerate() {
        if i > 0 || !first_inline {
            emit::push_indent(out, indent);
        }
        if key.kind() != ValueKind::String {
            return None;
        }
        let key = key.as_str()?;
        // A key too long to be implicit takes the explicit form: the
        // serde_yaml way writes it.
        if !emit::write_str_key(out, key, emit::string_style(key)) {
            return None;
        }
        out.push(':');
        write_after_indicator(out, &value, indent, false)?;
    }
    Some(())
}

fn write_sequence(out: &mut String, seq: &Value, indent: usize, first_inline: bool) -> Option<()> {
    for (i, item) in seq.as_object()?.try_iter()?.enumerate() {
        if i > 0 || !first_inline {
            emit::push_indent(out, indent);
        }
        out.push('-');
        write_after_dash(out, &item, indent)?;
    }
    Some(())
}

fn write_after_dash(out: &mut String, item: &Value, indent: usize) -> Option<()> {
    match shape(item)? {
        Shape::Map => {
            out.push(' ');
            write_mapping(out, item, indent + 2, true)
        }
        Shape::Seq => {
            out.push(' ');
            write_sequence(out, item, indent + 2, true)
        }
        Shape::Scalar => write_after_indicator(out, item, indent, true),
    }
}

fn write_after_indicator(
    out: &mut String,
    value: &Value,
    indent: usize,
    nested_seq_indent: bool,
) -> Option<()> {
    match shape(value)? {
        Shape::Map => {
            out.push('\n');
            write_mapping(out, value, indent + 2, false)
        }
        Shape::Seq => {
            out.push('\n');
            let seq_indent = if nested_seq_indent {
                indent + 2
            } else {
                indent
            };
            write_sequence(out, value, seq_indent, false)
        }
        Shape::Scalar => {
            out.push(' ');
            write_scalar_line(out, value, indent + 2)
        }
    }
}

fn write_scalar_line(out: &mut String, value: &Value, block_indent: usize) -> Option<()> {
    match value.kind() {
        ValueKind::String => {
            let s = value.as_str()?;
            emit::write_str_line(out, s, emit::string_style(s), block_indent);
            return Some(());
        }
        ValueKind::None => out.push_str("null"),
        ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
        // Integers that fit an i64 print the same either way; floats and
        // 128-bit integers take the serde_yaml way.
        ValueKind::Number if value.is_integer() => {
            let _ = write!(out, "{}", value.as_i64()?);
        }
        ValueKind::Map => out.push_str("{}"),
        ValueKind::Seq => out.push_str("[]"),
        _ => return None,
    }
    out.push('\n');
    Some(())
}

#[cfg(test)]
mod tests {
    use super::super::context::to_value;
    use super::*;
    use proptest::prelude::*;
    use serde_yaml::Value as Yaml;

    /// The direct way's text, or `None` where it gives up.
    fn direct(value: &Value) -> Option<String> {
        let mut out = String::new();
        write_yaml(&mut out, value)?;
        Some(out)
    }

    fn assert_same(value: &Value) {
        if let Some(text) = direct(value) {
            assert_eq!(text, via_serde_yaml(value).unwrap(), "{value:?}");
        }
    }

    fn from_yaml(text: &str) -> Value {
        to_value(&serde_yaml::from_str::<Yaml>(text).unwrap())
    }

    #[test]
    fn writes_values_the_way_the_serde_yaml_way_does() {
        let texts = [
            "{a: 1, b: [x, y], c: {d: null, e: true, f: -12}}",
            "[1, [2, [3, []]], {}, [{a: b, c: [d]}, {}], '']",
            "{empty: {}, none: [], nested: {list: [[a, b], [c]]}}",
            "{'yes': 'no', '1': '1.0', ' lead': 'trail ', 'a: b': '#c', '-x': '- y', '': ''}",
            "{multi: \"a\\nb\\n\", keep: \"a\\n\\n\", strip: \"a\\nb\", tab: \"\\tx\", ctrl: \"\\u0001\"}",
            "{big: 18446744073709551615, small: -9223372036854775808, zero: 0}",
            "{unicode: 'héllo ✓', emoji: '😀', nbsp: \"a\\u00a0b\"}",
            "x",
            "\"a\\nb\\n\"",
            "7",
            "null",
            "[]",
            "{}",
        ];
        for text in texts {
            let value = from_yaml(text);
            assert_same(&value);
            // Nested under a key and in a list too.
            assert_same(&to_value(
                &serde_json::json!({ "k": value, "l": [value, "after"] }),
            ));
        }
        // The common shapes really are written directly.
        assert!(direct(&from_yaml("{a: [1, {b: c}], d: 'yes'}")).is_some());
    }

    #[test]
    fn gives_up_where_the_serde_yaml_way_decides() {
        for value in [
            from_yaml("{a: 1.5}"),
            from_yaml("{1: a}"),
            from_yaml("{true: a}"),
            to_value(&serde_json::json!({ "k".repeat(1001): 1 })),
            Value::from(vec![Value::UNDEFINED]),
            Value::from_bytes(b"ab".to_vec()),
            Value::from(u64::MAX),
            Value::from(i128::MAX),
        ] {
            assert_eq!(direct(&value), None, "{value:?}");
        }
        // toyaml itself still writes them, as before.
        assert_eq!(toyaml(from_yaml("{a: 1.5}")).unwrap(), "a: 1.5");
        assert_eq!(toyaml(from_yaml("{1: a}")).unwrap(), "1: a");
    }

    fn tricky_string() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[ \\t\\n:#'\"?a-z0-9.{}\\[\\]|>!&*%@`,~_+=<-]{0,12}",
            "[0-9._:eExob+-]{1,8}",
        ]
    }

    fn json_tree() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value as J;
        let leaf = prop_oneof![
            Just(J::Null),
            any::<bool>().prop_map(J::Bool),
            any::<i64>().prop_map(J::from),
            any::<u64>().prop_map(J::from),
            tricky_string().prop_map(J::String),
        ];
        leaf.prop_recursive(4, 48, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(J::Array),
                prop::collection::vec((tricky_string(), inner), 0..5)
                    .prop_map(|pairs| J::Object(pairs.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn random_values_come_out_the_same(tree in json_tree()) {
            let value = to_value(&tree);
            let text = direct(&value);
            // Only u64s over i64::MAX make the direct way give up here.
            if let Some(text) = text {
                prop_assert_eq!(text, via_serde_yaml(&value).unwrap());
            }
        }
    }
}
