//! The helpers Helm charts lean on, as Jinja filters and functions:
//! `toyaml fromyaml fromjson nindent quote squote b64encode b64decode sha256
//! trunc trim_suffix trim_prefix required` filters and `fail` / `tpl`
//! functions. minijinja's own builtins (`tojson`, `indent`, `default`, ...)
//! stay available.

use base64::Engine as _;
use minijinja::value::{Value, ValueKind};
use minijinja::{Environment, Error, ErrorKind, Output, State};
use sha2::{Digest, Sha256};

use crate::manifest::fast::split_lines;

/// `template_bytes` bounds what one filter call may build (a template's
/// whole output is capped at the same size).
pub(crate) fn register(env: &mut Environment<'static>, template_bytes: usize) {
    env.add_filter("toyaml", super::toyaml::toyaml);
    env.add_filter("fromyaml", fromyaml);
    env.add_filter("fromjson", fromjson);
    env.add_filter("nindent", move |value: Value, width: usize| {
        nindent(value, width, template_bytes)
    });
    env.add_filter("quote", quote);
    env.add_filter("squote", squote);
    env.add_filter("b64encode", b64encode);
    env.add_filter("b64decode", b64decode);
    env.add_filter("sha256", sha256);
    env.add_filter("trunc", trunc);
    env.add_filter("trim_suffix", trim_suffix);
    env.add_filter("trim_prefix", trim_prefix);
    env.add_filter("required", required);
    env.add_function("fail", fail);
    env.add_function("tpl", tpl);
}

/// How `{{ x }}` prints: booleans as YAML's `true`/`false` (minijinja
/// otherwise prints Python's `True`), none as nothing (so `key: {{ none }}`
/// reads back as null), everything else as minijinja prints it. Strings,
/// most of what templates print, are written as they are: minijinja would
/// go through `write!` (auto-escaping is off, so the text is the same).
pub(crate) fn format_value(
    out: &mut Output,
    state: &mut State,
    value: &Value,
) -> Result<(), Error> {
    if let Some(text) = value.as_str() {
        return out.write_str(text).map_err(Error::from);
    }
    match value.kind() {
        ValueKind::Bool => out
            .write_str(if value.is_true() { "true" } else { "false" })
            .map_err(Error::from),
        ValueKind::None => Ok(()),
        _ => minijinja::escape_formatter(out, state, value),
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, message.into())
}

/// The text of a scalar as Helm's string functions see it.
fn scalar_text(value: &Value) -> String {
    match value.kind() {
        ValueKind::None | ValueKind::Undefined => String::new(),
        ValueKind::Bool => if value.is_true() { "true" } else { "false" }.to_string(),
        _ => value.to_string(),
    }
}

fn fromyaml(text: &str) -> Result<Value, Error> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(text)
        .map_err(|e| invalid(format!("fromyaml: not valid YAML: {e}")))?;
    let json = crate::values::yaml_to_json(yaml).map_err(|e| invalid(format!("fromyaml: {e}")))?;
    Ok(super::context::to_value(&json))
}

fn fromjson(text: &str) -> Result<Value, Error> {
    let json: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| invalid(format!("fromjson: not valid JSON: {e}")))?;
    Ok(super::context::to_value(&json))
}

/// `nindent(n)`: a newline, then every line indented by n spaces. Blank
/// lines stay empty (Helm pads them with spaces; YAML reads both the same).
/// A result longer than `limit` bytes is refused before it is built, so a
/// width like `nindent(100000000000)` is an error, not an allocation.
fn nindent(value: Value, width: usize, limit: usize) -> Result<String, Error> {
    let owned;
    let text = match value.as_str() {
        Some(text) => text,
        None => {
            owned = scalar_text(&value);
            &owned
        }
    };
    let is_blank = |line: &str| line.trim().is_empty();
    let size = split_lines(text).fold(0usize, |size, line| {
        let padded = if is_blank(line) {
            0
        } else {
            width.saturating_add(line.len())
        };
        size.saturating_add(1).saturating_add(padded)
    });
    if size > limit {
        return Err(invalid(format!(
            "nindent({width}) would build {size} bytes, over the {limit}-byte limit on a \
             template's output (docs/templates.md)"
        )));
    }
    let mut out = String::with_capacity(size);
    for line in split_lines(text) {
        out.push('\n');
        if !is_blank(line) {
            out.extend(std::iter::repeat_n(' ', width));
            out.push_str(line);
        }
    }
    Ok(out)
}

/// `quote`: a double-quoted YAML/JSON string.
fn quote(value: Value) -> String {
    serde_json::to_string(&scalar_text(&value)).unwrap_or_default()
}

/// `squote`: a single-quoted YAML string (quotes inside doubled).
fn squote(value: Value) -> String {
    format!("'{}'", scalar_text(&value).replace('\'', "''"))
}

fn b64encode(value: Value) -> String {
    base64::engine::general_purpose::STANDARD.encode(scalar_text(&value))
}

fn b64decode(text: &str) -> Result<String, Error> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| invalid(format!("b64decode: not base64: {e}")))?;
    String::from_utf8(bytes).map_err(|_| invalid("b64decode: the decoded bytes are not UTF-8 text"))
}

fn sha256(value: Value) -> String {
    hex::encode(Sha256::digest(scalar_text(&value).as_bytes()))
}

/// `trunc(n)`: the first n characters; a negative n keeps the last -n, as in Helm.
fn trunc(value: Value, n: i64) -> String {
    let text = scalar_text(&value);
    let count = text.chars().count();
    let keep = usize::try_from(n.unsigned_abs()).unwrap_or(usize::MAX);
    if keep >= count {
        return text;
    }
    if n >= 0 {
        text.chars().take(keep).collect()
    } else {
        text.chars().skip(count - keep).collect()
    }
}

fn trim_suffix(value: Value, suffix: &str) -> String {
    let text = scalar_text(&value);
    text.strip_suffix(suffix).unwrap_or(&text).to_string()
}

fn trim_prefix(value: Value, prefix: &str) -> String {
    let text = scalar_text(&value);
    text.strip_prefix(prefix).unwrap_or(&text).to_string()
}

/// `x | required("message")`: fails with the message when x is undefined,
/// none or the empty string, as Helm's `required` does.
fn required(value: Value, message: &str) -> Result<Value, Error> {
    let missing = value.is_undefined() || value.is_none() || value.as_str() == Some("");
    if missing {
        Err(invalid(format!("required: {message}")))
    } else {
        Ok(value)
    }
}

fn fail(message: &str) -> Result<Value, Error> {
    Err(invalid(format!("fail: {message}")))
}

/// `tpl(text)`: renders a string as a template with the current context.
fn tpl(state: &State, text: &str) -> Result<String, Error> {
    let mut ctx = std::collections::BTreeMap::new();
    for name in [
        "values",
        "release",
        "chart",
        "capabilities",
        "files",
        "template",
    ] {
        if let Some(value) = state.lookup(name) {
            ctx.insert(name, value);
        }
    }
    state.env().render_named_str("tpl", text, Value::from(ctx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_helpers_match_helm() {
        assert_eq!(trunc(Value::from("abcdef"), 3), "abc");
        assert_eq!(trunc(Value::from("abcdef"), -2), "ef");
        assert_eq!(trunc(Value::from("ab"), 63), "ab");
        assert_eq!(trim_suffix(Value::from("name-"), "-"), "name");
        assert_eq!(quote(Value::from("a\"b")), "\"a\\\"b\"");
        assert_eq!(quote(Value::from(true)), "\"true\"");
        assert_eq!(squote(Value::from("it's")), "'it''s'");
        assert_eq!(b64encode(Value::from("hi")), "aGk=");
        assert_eq!(b64decode("aGk=").unwrap(), "hi");
        assert!(b64decode("!!").is_err());
        assert_eq!(
            nindent(Value::from("a: 1\n\nb: 2"), 2, 64).unwrap(),
            "\n  a: 1\n\n  b: 2"
        );
        assert_eq!(nindent(Value::from(7), 1, 64).unwrap(), "\n 7");
        // Exactly the limit is fine; one byte more is refused.
        assert_eq!(nindent(Value::from("ab\n\ncd"), 3, 13).unwrap().len(), 13);
        let err = nindent(Value::from("ab\n\ncd"), 3, 12).unwrap_err();
        assert!(
            err.to_string().contains("nindent(3) would build 13 bytes"),
            "{err}"
        );
        assert!(nindent(Value::from("x"), usize::MAX, 1 << 24).is_err());
        assert_eq!(
            sha256(Value::from("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn required_refuses_missing_values() {
        assert!(required(Value::UNDEFINED, "set it").is_err());
        assert!(required(Value::from(()), "set it").is_err());
        assert!(required(Value::from(""), "set it").is_err());
        assert!(required(Value::from(0), "set it").is_ok());
    }
}
