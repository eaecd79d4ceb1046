//! The table of tricky scalars (and a few other values) that
//! tests/yaml_roundtrip.rs round-trips through serde_yaml and PyYAML, and
//! tests/fast_yaml.rs reads with the fast YAML path; and the proptest
//! strategies both use for random values.

use proptest::prelude::*;
use serde_yaml::{Mapping, Value};

/// Name and value of each case.
pub fn cases() -> Vec<(&'static str, Value)> {
    let s = |name: &'static str, text: &str| (name, Value::String(text.to_owned()));
    let script = "#!/bin/sh\nset -eu\nexport PGPASSWORD=\"$PGPASSWORD\"\n\
                  psql -h db -c 'select 1' # {{ $value }}\necho \"done: ok\"\n";
    vec![
        s("yes", "yes"),
        s("Yes", "Yes"),
        s("no", "no"),
        s("NO", "NO"),
        s("on", "on"),
        s("off", "off"),
        s("y", "y"),
        s("n", "n"),
        s("Y", "Y"),
        s("true string", "true"),
        s("True string", "True"),
        s("TRUE string", "TRUE"),
        s("false string", "false"),
        s("null string", "null"),
        s("Null string", "Null"),
        s("tilde", "~"),
        s("empty", ""),
        s("octal 1.1", "0777"),
        s("octal 1.2", "0o17"),
        s("hex", "0x1F"),
        s("binary", "0b101"),
        s("exponent", "1e3"),
        s("underscores", "1_000"),
        s("sexagesimal", "12:30"),
        s("sexagesimal float", "1:30.5"),
        s("leading dot", ".5"),
        s("plus one", "+1"),
        s("minus one", "-1"),
        s("-.inf string", "-.inf"),
        s(".inf string", ".inf"),
        s(".NaN string", ".NaN"),
        s("date", "2001-12-14"),
        s("timestamp", "2001-12-14 21:59:43.10 -5"),
        s("merge key", "<<"),
        s("value key", "="),
        s("dash space", "- x"),
        s("lone dash", "-"),
        s("dash flag", "--port=8080"),
        s("doc start", "---"),
        s("doc end", "..."),
        s("question", "?x"),
        s("colon", ":x"),
        s("comma", ","),
        s("brackets", "[a]"),
        s("braces", "{a: 1}"),
        s("hash", "#c"),
        s("anchor", "&a"),
        s("alias", "*a"),
        s("tag", "!t x"),
        s("pipe", "|"),
        s("gt", ">"),
        s("single quote", "'q'"),
        s("double quote", "\"q\""),
        s("percent", "%x"),
        s("at", "@x"),
        s("backtick", "`x`"),
        s("colon space", "a: b"),
        s("space hash", "a #b"),
        s("trailing colon", "a:"),
        s("leading space", " lead"),
        s("trailing space", "trail "),
        s("tab", "a\tb"),
        s("bell", "bell\u{7}"),
        s("nel", "nel\u{85}"),
        s("line separator", "a\u{2028}b"),
        s("bom", "\u{feff}bom"),
        s("del", "del\u{7f}"),
        s("image", "nginx:1.25"),
        s("path", "/api"),
        s("label key", "app.kubernetes.io/name"),
        s("url", "http://example.com/a?b=c#frag"),
        s("version", "1.2.3"),
        s("port string", "80"),
        s("half string", "0.5"),
        s("unicode", "héllo wörld, 日本語"),
        s("emoji", "🚀 launch 🎉"),
        s("script", script),
        s("no final newline", "line one\nline two"),
        s("one final newline", "line one\nline two\n"),
        s("three final newlines", "line one\n\n\n"),
        s("first line indented", "  indented\nnext\n"),
        s("first line empty", "\nafter empty\n"),
        s("tab inside block", "a\n\tb\n"),
        s("line trailing space", "trailing \nnext\n"),
        s("only newlines", "\n\n"),
        s("crlf", "a\r\nb\r\n"),
        ("port int", Value::from(80)),
        ("negative int", Value::from(i64::MIN)),
        ("big int", Value::from(u64::MAX)),
        ("float one", Value::from(1.0)),
        ("float half", Value::from(0.5)),
        ("float big", Value::from(1e100)),
        ("float small", Value::from(-1.5e-7)),
        ("float inf", Value::from(f64::INFINITY)),
        ("float -inf", Value::from(f64::NEG_INFINITY)),
        ("float nan", Value::from(f64::NAN)),
        ("bool", Value::Bool(false)),
        ("null", Value::Null),
        ("empty map", Value::Mapping(Mapping::new())),
        ("empty list", Value::Sequence(Vec::new())),
    ]
}

/// One document per case: the value under a key, as a list item, and (for
/// scalars) as a key.
pub fn document(value: &Value) -> Value {
    let mut doc = Mapping::new();
    doc.insert("value".into(), value.clone());
    doc.insert(
        "list".into(),
        Value::Sequence(vec![value.clone(), "after".into()]),
    );
    if !matches!(value, Value::Mapping(_) | Value::Sequence(_)) {
        let mut keyed = Mapping::new();
        keyed.insert(value.clone(), "v".into());
        doc.insert("key".into(), Value::Mapping(keyed));
    }
    Value::Mapping(doc)
}

/// Strings that stress YAML quoting: anything, indicator soup, whitespace,
/// number look-alikes and long digit runs.
pub fn tricky_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ \\t\\n:#'\"?a-z0-9.{}\\[\\]|>!&*%@`,~_+=<-]{0,12}",
        "[ \\n\\tab]{0,8}",
        "[0-9._:eExob+-]{1,8}",
        "[0-9]{15,45}",
    ]
}

/// Random YAML values: scalars, sequences, mappings with string, integer
/// and boolean keys, and (with `tags`) tagged values.
pub fn value_tree(tags: bool) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        tricky_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        let key = prop_oneof![
            4 => tricky_string().prop_map(Value::String),
            1 => any::<i64>().prop_map(Value::from),
            1 => any::<bool>().prop_map(Value::Bool),
        ];
        let tagged = ("[A-Za-z][A-Za-z0-9]{0,6}", inner.clone()).prop_map(|(tag, value)| {
            // A tag on a tag is not YAML; keep the inner value bare.
            let value = match value {
                Value::Tagged(t) => t.value,
                v => v,
            };
            Value::Tagged(Box::new(serde_yaml::value::TaggedValue {
                tag: serde_yaml::value::Tag::new(tag),
                value,
            }))
        });
        let mut options = vec![
            prop::collection::vec(inner.clone(), 0..5)
                .prop_map(Value::Sequence)
                .boxed(),
            prop::collection::vec((key, inner.clone()), 0..5)
                .prop_map(|pairs| Value::Mapping(pairs.into_iter().collect()))
                .boxed(),
        ];
        if tags {
            options.push(tagged.boxed());
        }
        prop::strategy::Union::new(options)
    })
}
