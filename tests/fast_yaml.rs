//! The fast YAML path (`manifest::fast::parse_stream`) against serde_yaml:
//! whenever the fast path answers, it must give exactly serde_yaml's
//! documents, and it must answer for everything the charts here render.
//! The stream writer (`manifest::write_file`, what `skiff render` prints)
//! must give the tree path's bytes, kinds, names and errors on every text.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde::Deserialize;
use serde_yaml::Value;
use skiff::chart::load_chart;
use skiff::manifest::emit::{to_string, write_yaml};
use skiff::manifest::fast::parse_stream;
use skiff::manifest::{Ordered, Written, parse_file, write_file};
use skiff::release::{self, RenderOptions};

mod common;
use common::root;
use common::yaml_cases::{document, value_tree};

/// serde_yaml's documents, or `None` where it fails.
fn slow(text: &str) -> Option<Vec<Value>> {
    serde_yaml::Deserializer::from_str(text)
        .map(Value::deserialize)
        .collect::<Result<_, _>>()
        .ok()
}

/// `Debug` tells NaN, -0.0 and key order apart, which `==` does not.
fn same(a: &[Value], b: &[Value]) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

/// What `skiff render` keeps of each object, or the error's text.
fn printed(
    written: Result<Vec<Written>, impl std::fmt::Display>,
) -> Result<Vec<[String; 4]>, String> {
    written
        .map(|docs| {
            docs.into_iter()
                .map(|w| {
                    [
                        w.source.clone(),
                        w.kind().to_string(),
                        w.name().to_string(),
                        w.text,
                    ]
                })
                .collect()
        })
        .map_err(|e| e.to_string())
}

/// The stream writer gives exactly what parsing then writing gives.
fn check_written(text: &str) {
    let streamed = printed(write_file("c/templates/t.yaml", text));
    let tree = printed(
        parse_file("c/templates/t.yaml", text).map(|docs| docs.iter().map(Written::new).collect()),
    );
    assert_eq!(
        streamed, tree,
        "stream writer differs from the tree path on {text:?}"
    );
}

/// What a values file held before values files had their own sink:
/// serde_yaml's tree, converted to JSON; `None` where that is an error.
fn values_the_slow_way(text: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    match serde_yaml::from_str::<Value>(text).ok()? {
        Value::Null => Some(serde_json::Map::new()),
        yaml @ Value::Mapping(_) => match skiff::values::yaml_to_json(yaml).ok()? {
            serde_json::Value::Object(map) => Some(map),
            _ => None,
        },
        _ => None,
    }
}

/// `values::parse_values` (the fast reader with a JSON sink, serde_yaml
/// where it gives up) gives what serde_yaml + `yaml_to_json` give.
fn check_values(text: &str) {
    let fast = skiff::values::parse_values(text, Path::new("values.yaml")).ok();
    let slow = values_the_slow_way(text);
    assert_eq!(
        format!("{fast:?}"),
        format!("{slow:?}"),
        "values differ on {text:?}"
    );
}

/// Checks fast == serde_yaml when the fast path answers, the stream writer
/// against the tree path, and values parsing; whether the fast path
/// answered.
fn check(text: &str) -> bool {
    check_written(text);
    check_values(text);
    let Some(fast) = parse_stream(text) else {
        return false;
    };
    let slow = slow(text);
    assert!(
        slow.as_deref().is_some_and(|slow| same(&fast, slow)),
        "fast path differs from serde_yaml on {text:?}:\nfast: {fast:?}\nslow: {slow:?}"
    );
    true
}

/// Every rendered file of `chart` with its defaults and each `ci/*.yaml`.
fn rendered_texts(chart_dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(chart) = load_chart(chart_dir) else {
        return;
    };
    let mut sets = vec![None];
    if let Ok(entries) = std::fs::read_dir(chart_dir.join("ci")) {
        let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        sets.extend(files.into_iter().map(Some));
    }
    for set in sets {
        let mut opts = RenderOptions::default();
        opts.values.files.extend(set.clone());
        let Ok(rendered) = release::render(&chart, &opts) else {
            continue;
        };
        for file in rendered.files {
            let name = format!("{} {:?} {}", chart_dir.display(), set, file.path);
            out.push((name, file.text));
        }
    }
}

fn chart_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.join("Chart.yaml").exists() {
        out.push(dir.to_path_buf());
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut subdirs: Vec<PathBuf> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        subdirs.sort();
        for sub in subdirs {
            chart_dirs(&sub, out);
        }
    }
}

#[test]
fn fast_path_matches_serde_yaml_on_every_rendered_file_and_handles_them_all() {
    let mut dirs = Vec::new();
    chart_dirs(&root().join("charts"), &mut dirs);
    chart_dirs(&root().join("tests/fixtures"), &mut dirs);
    let bench = tempfile::tempdir().unwrap();
    common::generated_charts(bench.path(), &[10]);
    chart_dirs(bench.path(), &mut dirs);

    let mut texts = Vec::new();
    for dir in &dirs {
        rendered_texts(dir, &mut texts);
    }
    assert!(texts.len() > 200, "only {} rendered files", texts.len());
    let mut missed = Vec::new();
    let mut nested_flow = 0;
    for (name, text) in &texts {
        if !check(text) {
            // Out of the subset on purpose: tests/fixtures/lint/good writes
            // nested flow collections (`{httpGet: {path: /ready}}`) by hand.
            if has_nested_flow(text) {
                nested_flow += 1;
            } else {
                missed.push(name.as_str());
            }
        }
    }
    assert!(nested_flow <= 3, "{nested_flow} files with nested flow");
    assert!(
        missed.is_empty(),
        "the fast path fell back to serde_yaml on {} of {} rendered files: {missed:#?}",
        missed.len(),
        texts.len()
    );
}

/// Every hand-written YAML file of the charts and test fixtures outside
/// templates/ (values*.yaml and ci/*.yaml, and Chart.yaml and the like
/// too): `values::parse_values` reads values files through the fast path
/// first, so where it answers it must agree with serde_yaml, comments and
/// all.
#[test]
fn fast_path_matches_serde_yaml_on_every_values_file() {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml")
                && !path.components().any(|c| c.as_os_str() == "templates")
            {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&root().join("charts"), &mut files);
    walk(&root().join("tests/fixtures"), &mut files);
    let mut answered = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        if check(&text) {
            answered += 1;
        }
    }
    // The bundled charts' values files are all inside the subset.
    assert!(
        answered > 50,
        "the fast path answered for only {answered} of {} files",
        files.len()
    );
}

/// Whether a line opens a flow collection inside a flow collection.
fn has_nested_flow(text: &str) -> bool {
    text.lines().any(|line| {
        line.find(['[', '{'])
            .is_some_and(|i| line[i + 1..].contains(['[', '{']))
    })
}

#[test]
fn fast_path_matches_serde_yaml_on_the_tricky_scalars() {
    let mut handled = 0;
    let cases = common::yaml_cases::cases();
    for (name, value) in &cases {
        let text = to_string(&document(value));
        if check(&text) {
            handled += 1;
        } else {
            eprintln!("fallback: {name}");
        }
        // The plain text itself, as a value, a list item and a key.
        if let Value::String(s) = value
            && !s.contains('\n')
        {
            for text in [format!("k: {s}\n"), format!("- {s}\n"), format!("{s}: v\n")] {
                check(&text);
            }
        }
    }
    assert!(handled * 2 > cases.len(), "{handled} of {}", cases.len());
}

#[test]
fn fast_path_matches_serde_yaml_on_hand_written_edge_cases() {
    let texts = [
        // One JSON key from two YAML keys: serde_yaml's tree decides.
        "1: a\n\"1\": b\n",
        "true: 1\n\"true\": 2\nnull: 3\n~: 4\n",
        "a: .inf\n",
        "a: [1, {b: 2}]\n1.5: x\n",
        "",
        "\n\n",
        "# only a comment\n",
        "---\n",
        "---\n---\n",
        "a: 1\n---\n",
        "---\na: 1\n",
        "a: 1\n---\n# c\n---\nb: 2\n",
        "a: 1",
        "a:\n- x\n- y\nb: 2\n",
        "a:\n  - x\n  -\n  - - y\n    - z\n",
        "- a: 1\n  b: 2\n-   c: 3\n    d:\n      - e\n",
        "a: |\n  x\n  y\n",
        "a: |-\n  x\n\n",
        "a: |+\n  x\n\n\n",
        "a: |2\n    x\n   y\n",
        "a: |+\n  x\n\n   \n",
        "- |\n  x\n- |-\n   y\n",
        "a: |\n  x\n\n  y\n\t\n",
        "a: |\n  x",
        "a: [a, 'b', \"c\", 1, 1.5, ~, true]\nb: {x: 1, 'y': [2]}\nc: []\nd: {}\n",
        "a: [a, b,]\n",
        "a: \"\\x41\\u00e9\\U0001F600\\t\\\\\\\"\\/\\N\\_\"\n",
        "a: 'it''s'\n",
        "a: b # comment\nc: d#e\n",
        "a: 1\na: 2\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "? a\n: b\n",
        "a: >\n  x\n",
        "a: b\n  c\n",
        "a: 'b\n  c'\n",
        "%YAML 1.2\n---\na: 1\n",
        "a: 1\n...\n",
        "a:\n\tb: 1\n",
        "a: 1\r\n",
        "a: 123456789012345678901234567890\n",
        "a: 12345678901234567890123456789012345678901234567890\n",
        "a: [+1, 0b11, 0o17, 0x1F, -0x1F, 0777, 1e3, 1.0e+3, .inf, -.inf, .nan, +.inf, 1_000]\n",
        "  a: 1\n  b: 2\n",
        "a:\n    b: 1\n  c: 2\n",
        "a: 1\n- b\n",
        "- a\nb: 1\n",
        "a: - b\n",
        "\"a\": 1\n'b': 2\n",
        "a: b: c\n",
        "- a:\n  - x\n  b: 1\n",
        "- - a\n  - b\n- c\n",
        "a: |2-\n    x\n",
        "- a: |2\n     x\n",
        "a:\n- |1\n  x\n",
        "a: |\n   \n  x\n",
        "a: |\n\n  x\n",
        "a: \"\\ud800\"\n",
        "a: 'x' # c\n",
        "key with spaces  : v\n",
        "a: b\n# c\n      # indented comment\nc: d\n",
        "--- # c\na: 1\n",
        "---a\n",
        "a: [\"x\": 1]\n",
        "a: {\"x\": 1, y: [z]}\n",
        "a: -1\nb: -0x1F\nc: -0o7\nd: 0b2\ne: 1.\nf: -.5\ng: +.5\nh: 1E3\ni: 0x\n",
        "a: 18446744073709551616\nb: -9223372036854775809\n",
        "a: 18446744073709551615\nb: -9223372036854775808\n",
        "a:  \n  b: 1\n",
        "a: |+\n  x\n\n---\nb: 1\n",
        "a:\n  - |\n    x\n  - y\n",
    ];
    for text in texts {
        check(text);
    }
    for handled in [
        "- a:\n  - x\n  b: 1\n",
        "- - a\n  - b\n- c\n",
        "- a: |2\n     x\n",
        "a: |+\n  x\n\n---\nb: 1\n",
        "a: [a, 'b', \"c\", 1, 1.5, ~, true]\nb: {x: 1, 'y': 2}\nc: []\nd: {}\n",
        "a: {\"x\": 1, y: z}\n",
    ] {
        assert!(check(handled), "not handled: {handled:?}");
    }
    let long_key = format!("{}: 1\n", "k".repeat(2000));
    assert!(parse_stream(&long_key).is_none());
    check(&long_key);
    let mut deep = String::new();
    for i in 0..200 {
        deep.push_str(&format!("{}k{i}:\n", " ".repeat(i)));
    }
    check(&deep);
    assert!(parse_stream("a: &x 1\n").is_none());
    assert!(parse_stream("a: 1\na: 2\n").is_none());
    assert_eq!(parse_stream("").map(|d| d.len()), slow("").map(|d| d.len()));
}

/// Small YAML-ish texts: lines of indentation, indicators and scalars.
fn yamlish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("- ".to_string()),
        Just(": ".to_string()),
        Just(":".to_string()),
        Just("\n".to_string()),
        Just("  ".to_string()),
        Just(" ".to_string()),
        Just("|".to_string()),
        Just("|-".to_string()),
        Just("|+".to_string()),
        Just("|2".to_string()),
        Just("---\n".to_string()),
        Just("# c".to_string()),
        Just("'".to_string()),
        Just("\"".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just(", ".to_string()),
        Just("\\".to_string()),
        "[a-c0-9.~+_-]{1,4}",
        "(true|null|0x1F|0o7|1e3|.inf|-.nan|007|\\+1|-0)",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn fast_matches_serde_yaml_on_emitted_values(value in value_tree(false)) {
        let text = to_string(&value);
        check(&text);
        let mut doc = String::from("---\n");
        write_yaml(&mut doc, &document(&value));
        check(&doc);
    }

    #[test]
    fn fast_matches_serde_yaml_on_yamlish_text(text in yamlish()) {
        check(&text);
    }

    #[test]
    fn fast_never_panics_on_any_text(text in any::<String>()) {
        check(&text);
    }
}

#[test]
fn render_written_keeps_paths_and_sizes_and_frees_the_texts() {
    // `skiff render` writes each file's objects and frees its rendered
    // text; the tree path (lint, diff) keeps the text.
    let chart = load_chart(&root().join("charts/starter")).expect("loads");
    let opts = RenderOptions::default();
    let kept = release::render(&chart, &opts).expect("renders");
    let written = release::one_off(&chart, &opts)
        .and_then(|renderer| renderer.render_written(&opts))
        .expect("renders");
    assert!(!kept.files.is_empty());
    assert_eq!(kept.files.len(), written.files.len());
    for (kept, written) in kept.files.iter().zip(&written.files) {
        assert_eq!(kept.path, written.path);
        assert_eq!(kept.size, kept.text.len());
        assert_eq!(written.size, kept.size, "{}", kept.path);
        assert!(written.text.is_empty(), "{}", written.path);
    }
}
