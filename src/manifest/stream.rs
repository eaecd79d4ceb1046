//! Canonical text straight from rendered text, without building a tree.
//!
//! `skiff render` only prints: it needs each object's canonical text and
//! its kind and name (for the install order), not the object itself. The
//! `StreamWriter` takes the fast reader's events ([`fast::read_stream`])
//! and writes the same bytes [`emit::write_yaml`] writes for the parsed
//! value, so no `serde_yaml::Value`, no per-mapping hash table and nothing
//! to free for every object. It gives up (and the caller takes the tree
//! path, which also reports every error) wherever the fast reader does, on
//! a duplicate key, and on a document that is not a mapping.

use std::borrow::Cow;

use serde_yaml::Value;

use super::Written;
use super::emit;
use super::fast::{self, Scalar, Sink};

/// Each object of one rendered file as [`Written`], in document order;
/// `None` where the tree path must decide.
pub fn write_stream(source: &str, text: &str) -> Option<Vec<Written>> {
    let mut writer = StreamWriter {
        source,
        docs: Vec::new(),
        out: String::new(),
        frames: Vec::new(),
        keys: Vec::new(),
        next: Next::Root,
        kind: None,
        name: None,
        capture: Capture::None,
    };
    fast::read_stream(text, &mut writer)?;
    Some(writer.docs)
}

struct StreamWriter<'a, 's> {
    source: &'s str,
    docs: Vec<Written>,
    /// The document being written, `---` and `# Source:` included.
    out: String,
    frames: Vec<Frame<'a>>,
    /// The keys of the open mappings, outermost first (each frame knows
    /// where its own start), to refuse duplicates as serde_yaml does.
    keys: Vec<Scalar<'a>>,
    /// Where the next node goes.
    next: Next,
    kind: Option<String>,
    name: Option<String>,
    /// Which string the next scalar is, if it is one we keep.
    capture: Capture,
}

/// An open mapping or sequence, as `emit::write_mapping` and
/// `emit::write_sequence` see it.
struct Frame<'a> {
    /// Column of the keys or dashes.
    indent: usize,
    /// The first entry continues the line of a `- `.
    first_inline: bool,
    entries: usize,
    /// Where this mapping's keys start in `StreamWriter::keys`.
    keys_from: usize,
    /// A big mapping's keys, looked up by hash instead.
    key_set: Option<foldhash::HashSet<Scalar<'a>>>,
    /// The root mapping, or `metadata` right under it.
    role: Role,
}

#[derive(Clone, Copy, PartialEq)]
enum Role {
    Root,
    Metadata,
    Other,
}

#[derive(Clone, Copy)]
enum Next {
    /// The document's root.
    Root,
    /// A mapping value, after `key:` at this column.
    Value(usize),
    /// A sequence item, after `-` at this column.
    Item(usize),
}

#[derive(Clone, Copy, PartialEq)]
enum Capture {
    None,
    Kind,
    Metadata,
    Name,
}

/// Mappings with more keys than this look keys up in a hash set.
const LINEAR_KEYS: usize = 16;

impl<'a> StreamWriter<'a, '_> {
    fn open(&mut self, mapping: bool) -> Option<()> {
        let (indent, first_inline) = match self.next {
            Next::Root if mapping => (0, false),
            // A document that is a list or a scalar is not an object.
            Next::Root => return None,
            Next::Value(indent) => {
                self.out.push('\n');
                // A sequence under a key is not indented (kubectl's form).
                (if mapping { indent + 2 } else { indent }, false)
            }
            Next::Item(indent) => {
                self.out.push(' ');
                (indent + 2, true)
            }
        };
        let role = match (self.frames.is_empty(), self.capture) {
            (true, _) => Role::Root,
            (false, Capture::Metadata) if mapping => Role::Metadata,
            _ => Role::Other,
        };
        self.capture = Capture::None;
        self.frames.push(Frame {
            indent,
            first_inline,
            entries: 0,
            keys_from: self.keys.len(),
            key_set: None,
            role,
        });
        Some(())
    }

    /// Records a key of the innermost mapping: false if it has it already.
    fn new_key(&mut self, key: Scalar<'a>) -> Option<bool> {
        let frame = self.frames.last_mut()?;
        if let Some(set) = &mut frame.key_set {
            return Some(set.insert(key));
        }
        let keys = &self.keys[frame.keys_from..];
        if keys.contains(&key) {
            return Some(false);
        }
        if keys.len() < LINEAR_KEYS {
            self.keys.push(key);
        } else {
            let mut set: foldhash::HashSet<_> = self.keys.drain(frame.keys_from..).collect();
            set.insert(key);
            frame.key_set = Some(set);
        }
        Some(true)
    }

    /// Starts the next entry of the innermost frame on its own line, unless
    /// it is the first one after a `- `.
    fn entry(&mut self) -> Option<&mut Frame<'a>> {
        let frame = self.frames.last_mut()?;
        if frame.entries > 0 || !frame.first_inline {
            emit::push_indent(&mut self.out, frame.indent);
        }
        frame.entries += 1;
        Some(frame)
    }
}

impl<'a> Sink<'a> for StreamWriter<'a, '_> {
    fn start_document(&mut self) -> Option<()> {
        self.out.clear();
        super::write_source_line(&mut self.out, self.source);
        self.next = Next::Root;
        self.kind = None;
        self.name = None;
        Some(())
    }

    fn end_document(&mut self) -> Option<()> {
        if matches!(self.next, Next::Root) {
            // An empty document: not an object, and nothing to print.
            return Some(());
        }
        self.docs.push(Written {
            source: self.source.to_string(),
            kind: self.kind.take().unwrap_or_default(),
            name: self.name.take().unwrap_or_default(),
            // A copy of exactly its length: `out` keeps its capacity for the
            // next document instead of growing from empty each time.
            text: self.out.clone(),
        });
        Some(())
    }

    fn start_mapping(&mut self) -> Option<()> {
        self.open(true)
    }

    fn key(&mut self, key: Scalar<'a>) -> Option<()> {
        let (indent, role) = self.entry().map(|f| (f.indent, f.role))?;
        let capture = match (role, &key) {
            (Role::Root, Scalar::Str(k)) if k == "kind" => Capture::Kind,
            (Role::Root, Scalar::Str(k)) if k == "metadata" => Capture::Metadata,
            (Role::Metadata, Scalar::Str(k)) if k == "name" => Capture::Name,
            _ => Capture::None,
        };
        let written = match &key {
            Scalar::Str(s) => emit::write_str_key(&mut self.out, s, style(s)),
            Scalar::Other(v) => emit::write_simple_key(&mut self.out, v),
        };
        if !written || !self.new_key(key)? {
            return None;
        }
        self.out.push(':');
        self.next = Next::Value(indent);
        self.capture = capture;
        Some(())
    }

    fn end_mapping(&mut self) -> Option<()> {
        let frame = self.frames.pop()?;
        self.keys.truncate(frame.keys_from);
        Some(())
    }

    fn start_sequence(&mut self) -> Option<()> {
        self.open(false)
    }

    fn item(&mut self) -> Option<()> {
        let indent = self.entry()?.indent;
        self.out.push('-');
        self.next = Next::Item(indent);
        self.capture = Capture::None;
        Some(())
    }

    fn end_sequence(&mut self) -> Option<()> {
        self.frames.pop().map(|_| ())
    }

    fn scalar(&mut self, value: Scalar<'a>) -> Option<()> {
        let capture = std::mem::replace(&mut self.capture, Capture::None);
        match (self.next, value) {
            (Next::Root, _) => return None,
            (Next::Value(indent) | Next::Item(indent), Scalar::Str(s)) => {
                self.out.push(' ');
                emit::write_str_line(&mut self.out, &s, style(&s), indent + 2);
                match capture {
                    Capture::Kind => self.kind = Some(s.into_owned()),
                    Capture::Name => self.name = Some(s.into_owned()),
                    _ => {}
                }
            }
            (Next::Value(indent), Scalar::Other(v)) => {
                if capture == Capture::Metadata {
                    // `metadata: {name: x}`, a one-line flow mapping.
                    self.name = v.get("name").and_then(Value::as_str).map(str::to_string);
                }
                emit::write_after_indicator(&mut self.out, &v, indent, false)
            }
            (Next::Item(indent), Scalar::Other(v)) => {
                emit::write_after_dash(&mut self.out, &v, indent)
            }
        }
        Some(())
    }
}

/// How a string scalar is written. A borrowed one is plain text from one
/// line of the stream: no breaks, tabs or control characters (the reader
/// gives up on those), so the full scan of `string_style` is not needed.
#[expect(clippy::ptr_arg, reason = "borrowed or owned is what it asks")]
fn style(s: &Cow<'_, str>) -> emit::Style {
    match s {
        Cow::Borrowed(plain) => emit::one_line_style(plain),
        Cow::Owned(s) => emit::string_style(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(source: &str, text: &str) -> Vec<(String, String, String)> {
        super::super::parse_file(source, text)
            .unwrap()
            .iter()
            .map(Written::new)
            .map(|w| (w.kind.clone(), w.name.clone(), w.text))
            .collect()
    }

    fn streamed(source: &str, text: &str) -> Option<Vec<(String, String, String)>> {
        Some(
            write_stream(source, text)?
                .into_iter()
                .map(|w| (w.kind, w.name, w.text))
                .collect(),
        )
    }

    #[test]
    fn same_bytes_kind_and_name_as_the_tree_path() {
        let text = "\
apiVersion: v1
kind: ConfigMap
metadata:
  labels: {a: b, c: 'yes'}
  name: \"cfg\"
  annotations: {}
data:
  script: |
    echo hi
  list:
  - a
  - - 1
    - 2.50
  -
    x: y
  - {k: v}
  - []
  - key: 0777
    more: ~
  empty:
  when: 2001-12-14
---
# nothing here
---
kind: Secret
metadata: {name: not-captured}
spec:
  kind: Nested
  metadata:
    name: nested
";
        assert_eq!(streamed("c/t.yaml", text).unwrap(), tree("c/t.yaml", text));
        let docs = streamed("c/t.yaml", text).unwrap();
        assert_eq!(
            (docs[0].0.as_str(), docs[0].1.as_str()),
            ("ConfigMap", "cfg")
        );
        // Only the root's kind and metadata.name count, flow form or not.
        assert_eq!(
            (docs[1].0.as_str(), docs[1].1.as_str()),
            ("Secret", "not-captured")
        );
    }

    #[test]
    fn gives_up_where_the_tree_path_must_decide() {
        for text in [
            "- a\n- b\n",
            "just text\n",
            "a: 1\na: 2\n",
            "a: 1\n'a': 2\n",
            "a: &x 1\n",
        ] {
            assert!(streamed("s", text).is_none(), "{text:?}");
        }
    }

    #[test]
    fn many_keys_switch_to_a_set_and_still_catch_duplicates() {
        let mut text: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
        assert_eq!(streamed("s", &text).unwrap(), tree("s", &text));
        text.push_str("k3: again\n");
        assert!(streamed("s", &text).is_none());
    }

    #[test]
    fn value_keys_compare_as_values() {
        // `1` and `0x1` are the same integer key for serde_yaml.
        assert!(streamed("s", "1: a\n0x1: b\n").is_none());
        let text = "1: a\n'1': b\ntrue: c\n";
        assert_eq!(streamed("s", text).unwrap(), tree("s", text));
    }
}
