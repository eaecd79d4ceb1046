//! Provenance: which layer set a value, and where in that layer's file.
//!
//! serde_yaml drops source positions, so a values file's lines come from a
//! second, event-level pass with yaml-rust2 that maps every value path to
//! the line it is written on. This runs only when a message or `--explain`
//! needs a line, never on the render hot path.

use std::collections::HashMap;

use serde_json::Value;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use super::{Layer, Origin};

/// One step of a values path: a mapping key or a list index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// Renders a path the way `--set` writes it: `a.b[0].c`, dots in keys escaped.
pub fn display_path(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&k.replace('.', "\\."));
            }
            Step::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

/// Parses `a.b[0].c` (with `\.` escapes) into steps.
pub fn parse_path(text: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut key = String::new();
    let mut chars = text.chars().peekable();
    let flush = |key: &mut String, steps: &mut Vec<Step>| {
        if !key.is_empty() {
            steps.push(Step::Key(std::mem::take(key)));
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'.') => {
                key.push('.');
                chars.next();
            }
            '.' => flush(&mut key, &mut steps),
            '[' => {
                flush(&mut key, &mut steps);
                let digits: String = chars.by_ref().take_while(|c| *c != ']').collect();
                match digits.parse() {
                    Ok(i) => steps.push(Step::Index(i)),
                    Err(_) => steps.push(Step::Key(format!("[{digits}]"))),
                }
            }
            c => key.push(c),
        }
    }
    flush(&mut key, &mut steps);
    steps
}

/// The value at a path, if present.
pub fn lookup<'a>(root: &'a Value, path: &[Step]) -> Option<&'a Value> {
    let mut v = root;
    for step in path {
        v = match (step, v) {
            (Step::Key(k), Value::Object(m)) => m.get(k)?,
            (Step::Index(i), Value::Array(a)) => a.get(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

/// Maps every value path in a YAML document to its 1-based line.
pub fn line_index(text: &str) -> HashMap<Vec<Step>, usize> {
    let mut receiver = LineIndex::default();
    let mut parser = Parser::new_from_str(text);
    // A document that does not parse has no lines to offer; parse errors
    // are reported by the serde_yaml pass with their own positions.
    let _ = parser.load(&mut receiver, false);
    receiver.lines
}

#[derive(Default)]
struct LineIndex {
    frames: Vec<Frame>,
    path: Vec<Step>,
    lines: HashMap<Vec<Step>, usize>,
}

enum Frame {
    Map { awaiting_key: bool },
    Seq { index: usize },
}

impl LineIndex {
    /// Called when a value (scalar or container) starts at `line`.
    fn value_starts(&mut self, line: usize) {
        if let Some(Frame::Seq { index }) = self.frames.last() {
            self.path.push(Step::Index(*index));
            self.lines.insert(self.path.clone(), line);
        }
    }

    /// Called when a value is complete.
    fn value_ends(&mut self) {
        match self.frames.last_mut() {
            Some(Frame::Seq { index }) => {
                *index += 1;
                self.path.pop();
            }
            Some(Frame::Map { awaiting_key }) => {
                *awaiting_key = true;
                self.path.pop();
            }
            None => {}
        }
    }
}

impl MarkedEventReceiver for LineIndex {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let line = mark.line();
        match event {
            Event::Scalar(text, ..) => {
                if let Some(Frame::Map { awaiting_key }) = self.frames.last_mut()
                    && *awaiting_key
                {
                    *awaiting_key = false;
                    self.path.push(Step::Key(text));
                    self.lines.insert(self.path.clone(), line);
                    return;
                }
                self.value_starts(line);
                self.value_ends();
            }
            Event::Alias(_) => {
                self.value_starts(line);
                self.value_ends();
            }
            Event::MappingStart(..) => {
                self.value_starts(line);
                self.frames.push(Frame::Map { awaiting_key: true });
            }
            Event::SequenceStart(..) => {
                self.value_starts(line);
                self.frames.push(Frame::Seq { index: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.frames.pop();
                self.value_ends();
            }
            _ => {}
        }
    }
}

/// Where a value came from: the layer, and the line for file layers.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub origin: Origin,
    pub line: Option<usize>,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.origin, self.line) {
            (Origin::Defaults(p) | Origin::File(p), Some(line)) => {
                write!(f, "{}:{line}", p.display())
            }
            (Origin::Computed(p), Some(line)) => write!(f, "{}:{line} (computed)", p.display()),
            (origin, _) => write!(f, "{origin}"),
        }
    }
}

/// The layers that hold a value at `path`, lowest first, with their values.
pub fn sources<'a>(layers: &'a [Layer], path: &[Step]) -> Vec<(Source, &'a Value)> {
    let mut out = Vec::new();
    for layer in layers {
        let Some((first, rest)) = path.split_first() else {
            continue;
        };
        let Step::Key(first) = first else { continue };
        let Some(value) = layer.values.get(first).and_then(|v| lookup(v, rest)) else {
            continue;
        };
        let line = layer.line_of(path);
        out.push((
            Source {
                origin: layer.origin.clone(),
                line,
            },
            value,
        ));
    }
    out
}

/// The layer that set the final value at `path` (the highest that holds it).
/// For a path that no layer holds (a parent created by a deeper key), the
/// nearest ancestor's source is used.
pub fn setter(layers: &[Layer], path: &[Step]) -> Option<Source> {
    let mut path = path.to_vec();
    loop {
        if let Some((source, _)) = sources(layers, &path).pop() {
            return Some(source);
        }
        path.pop()?;
    }
}

/// Every leaf path of a value (scalars, empty maps and empty lists), in order.
pub fn leaves(value: &Value) -> Vec<Vec<Step>> {
    fn walk(v: &Value, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, child) in m {
                    path.push(Step::Key(k.clone()));
                    walk(child, path, out);
                    path.pop();
                }
            }
            // A list is replaced whole by a higher layer, so it is one leaf.
            _ => out.push(path.clone()),
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(parts: &[&str]) -> Vec<Step> {
        parts
            .iter()
            .map(|p| {
                p.parse()
                    .map(Step::Index)
                    .unwrap_or_else(|_| Step::Key(p.to_string()))
            })
            .collect()
    }

    #[test]
    fn lines_of_nested_values() {
        let text = "a:\n  b: 1\n  list:\n    - x\n    - name: y\n      port: 80\nc: {d: 2}\n";
        let index = line_index(text);
        assert_eq!(index.get(&key(&["a"])), Some(&1));
        assert_eq!(index.get(&key(&["a", "b"])), Some(&2));
        assert_eq!(index.get(&key(&["a", "list", "0"])), Some(&4));
        assert_eq!(index.get(&key(&["a", "list", "1", "port"])), Some(&6));
        assert_eq!(index.get(&key(&["c", "d"])), Some(&7));
    }

    #[test]
    fn paths_round_trip() {
        let path = parse_path(r"a.b\.c[2].d");
        assert_eq!(
            path,
            vec![
                Step::Key("a".into()),
                Step::Key("b.c".into()),
                Step::Index(2),
                Step::Key("d".into())
            ]
        );
        assert_eq!(display_path(&path), r"a.b\.c[2].d");
    }
}
