//! Field paths: where in an object a change is, written the way users write
//! them in `--set` and `--ignore`: `spec.template.spec.containers[api].image`.
//!
//! A key containing `.`, `[`, `]` or `\` is escaped with `\`
//! (`metadata.labels.helm\.sh/chart`), so every path the report prints can be
//! pasted back into `--ignore`.

use std::fmt;

use serde_yaml::Value;

/// One step into a YAML value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    /// A mapping key: `spec`.
    Key(String),
    /// An item of a list whose items all have a unique `name`: `[api]`.
    Name(String),
    /// An item of any other list, by position: `[0]`.
    Index(usize),
}

/// A path from an object's root to one of its fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldPath(pub Vec<Segment>);

impl FieldPath {
    /// This path extended by one segment.
    #[must_use]
    pub fn child(&self, segment: Segment) -> FieldPath {
        let mut segments = Vec::with_capacity(self.0.len() + 1);
        segments.extend_from_slice(&self.0);
        segments.push(segment);
        FieldPath(segments)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    write_escaped(f, key, &['.', '[', ']', '\\'])?;
                }
                Segment::Name(name) => {
                    f.write_str("[")?;
                    write_escaped(f, name, &[']', '\\'])?;
                    f.write_str("]")?;
                }
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

fn write_escaped(f: &mut fmt::Formatter<'_>, text: &str, special: &[char]) -> fmt::Result {
    for c in text.chars() {
        if special.contains(&c) {
            f.write_str("\\")?;
        }
        write!(f, "{c}")?;
    }
    Ok(())
}

/// The text of a mapping key: a string as is, anything else as YAML shows it.
pub fn key_text(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => serde_yaml::to_string(other)
            .map(|s| s.trim_end().to_string())
            .unwrap_or_default(),
    }
}

/// One step of an `--ignore` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternSegment {
    /// A mapping key, exactly.
    Key(String),
    /// `[x]`: the list item named `x`, or the item at position `x`.
    Item(String),
    /// `*` or `[*]`: every key of a mapping or item of a list.
    Any,
}

/// A field path pattern given to `--ignore`: dotted keys, `\.` escapes a dot,
/// `[name]` or `[0]` picks a list item, `*` or `[*]` matches anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPattern {
    pub segments: Vec<PatternSegment>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "--ignore {pattern:?}: {message}\nhint: write a dotted path like metadata.labels.helm\\.sh/chart or spec.template.spec.containers[api].image"
)]
pub struct PatternError {
    pub pattern: String,
    pub message: String,
}

impl PathPattern {
    pub fn parse(text: &str) -> Result<PathPattern, PatternError> {
        let fail = |message: &str| PatternError {
            pattern: text.to_string(),
            message: message.to_string(),
        };
        let mut segments = Vec::new();
        let mut key = String::new();
        // True right after `]`: the next character must start a new segment.
        let mut after_item = false;
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if after_item {
                        return Err(fail("expected `.` or `[` after `]`"));
                    }
                    key.push(chars.next().ok_or_else(|| fail("ends with a lone `\\`"))?);
                }
                '.' => {
                    if after_item {
                        after_item = false;
                    } else {
                        segments.push(
                            key_segment(std::mem::take(&mut key))
                                .ok_or_else(|| fail("empty key"))?,
                        );
                    }
                }
                '[' => {
                    if !after_item && !key.is_empty() {
                        segments.push(
                            key_segment(std::mem::take(&mut key))
                                .ok_or_else(|| fail("empty key"))?,
                        );
                    } else if !after_item && segments.is_empty() {
                        return Err(fail("starts with `[`; a path starts with a key"));
                    } else if !after_item {
                        return Err(fail("empty key before `[`"));
                    }
                    let mut item = String::new();
                    loop {
                        match chars.next() {
                            None => return Err(fail("unclosed `[`")),
                            Some('\\') => item
                                .push(chars.next().ok_or_else(|| fail("ends with a lone `\\`"))?),
                            Some(']') => break,
                            Some(c) => item.push(c),
                        }
                    }
                    if item.is_empty() {
                        return Err(fail("empty `[]`"));
                    }
                    segments.push(if item == "*" {
                        PatternSegment::Any
                    } else {
                        PatternSegment::Item(item)
                    });
                    after_item = true;
                }
                c => {
                    if after_item {
                        return Err(fail("expected `.` or `[` after `]`"));
                    }
                    key.push(c);
                }
            }
        }
        if !after_item {
            segments.push(key_segment(key).ok_or_else(|| fail("empty key"))?);
        }
        Ok(PathPattern { segments })
    }

    /// Removes every field the pattern matches from `value`.
    pub fn remove_from(&self, value: &mut Value) {
        remove(value, &self.segments);
    }
}

fn key_segment(key: String) -> Option<PatternSegment> {
    match key.as_str() {
        "" => None,
        "*" => Some(PatternSegment::Any),
        _ => Some(PatternSegment::Key(key)),
    }
}

fn item_matches(item: &Value, index: usize, wanted: &str) -> bool {
    item.get("name").and_then(Value::as_str) == Some(wanted)
        || wanted.parse::<usize>().ok() == Some(index)
}

fn remove(value: &mut Value, pattern: &[PatternSegment]) {
    let Some((first, rest)) = pattern.split_first() else {
        return;
    };
    match (value, first) {
        (Value::Mapping(map), PatternSegment::Key(key)) => {
            if rest.is_empty() {
                map.shift_remove(key.as_str());
            } else if let Some(child) = map.get_mut(key.as_str()) {
                remove(child, rest);
            }
        }
        (Value::Mapping(map), PatternSegment::Any) => {
            if rest.is_empty() {
                map.clear();
            } else {
                for (_, child) in map.iter_mut() {
                    remove(child, rest);
                }
            }
        }
        (Value::Sequence(items), PatternSegment::Item(wanted)) => {
            if rest.is_empty() {
                let mut index = 0;
                items.retain(|item| {
                    let keep = !item_matches(item, index, wanted);
                    index += 1;
                    keep
                });
            } else {
                for (index, item) in items.iter_mut().enumerate() {
                    if item_matches(item, index, wanted) {
                        remove(item, rest);
                    }
                }
            }
        }
        (Value::Sequence(items), PatternSegment::Any) => {
            if rest.is_empty() {
                items.clear();
            } else {
                for item in items.iter_mut() {
                    remove(item, rest);
                }
            }
        }
        (Value::Tagged(tagged), _) => remove(&mut tagged.value, pattern),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(segments: &[Segment]) -> String {
        FieldPath(segments.to_vec()).to_string()
    }

    #[test]
    fn renders_keys_names_and_indices() {
        use Segment::{Index, Key, Name};
        assert_eq!(
            path(&[
                Key("spec".into()),
                Key("containers".into()),
                Name("api".into()),
                Key("image".into())
            ]),
            "spec.containers[api].image"
        );
        assert_eq!(
            path(&[
                Key("spec".into()),
                Key("rules".into()),
                Index(0),
                Key("host".into())
            ]),
            "spec.rules[0].host"
        );
        assert_eq!(path(&[]), "");
    }

    #[test]
    fn escapes_dots_and_brackets_in_keys() {
        use Segment::{Key, Name};
        assert_eq!(
            path(&[
                Key("metadata".into()),
                Key("labels".into()),
                Key("helm.sh/chart".into())
            ]),
            r"metadata.labels.helm\.sh/chart"
        );
        assert_eq!(
            path(&[Key("a[b]".into()), Name("x]y".into())]),
            r"a\[b\][x\]y]"
        );
    }

    #[test]
    fn rendered_paths_parse_back_as_patterns() {
        use Segment::{Index, Key, Name};
        let p = FieldPath(vec![
            Key("a.b".into()),
            Name("n.1".into()),
            Index(2),
            Key("c".into()),
        ]);
        let pattern = PathPattern::parse(&p.to_string()).unwrap();
        assert_eq!(
            pattern.segments,
            vec![
                PatternSegment::Key("a.b".into()),
                PatternSegment::Item("n.1".into()),
                PatternSegment::Item("2".into()),
                PatternSegment::Key("c".into()),
            ]
        );
    }

    #[test]
    fn parses_wildcards() {
        let p = PathPattern::parse("spec.*.containers[*].image").unwrap();
        assert_eq!(
            p.segments,
            vec![
                PatternSegment::Key("spec".into()),
                PatternSegment::Any,
                PatternSegment::Key("containers".into()),
                PatternSegment::Any,
                PatternSegment::Key("image".into()),
            ]
        );
    }

    #[test]
    fn rejects_malformed_patterns() {
        for bad in [
            "", ".a", "a..b", "a.", "a[", "a[]", "[0]", "a[0]b", r"a\", "a.[0]",
        ] {
            assert!(
                PathPattern::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn removes_matching_fields() {
        let mut v: Value = serde_yaml::from_str(
            "metadata:\n  labels:\n    helm.sh/chart: x-1\n    app: x\nspec:\n  containers:\n    - name: a\n      image: i\n    - name: b\n      image: j\n",
        )
        .unwrap();
        PathPattern::parse(r"metadata.labels.helm\.sh/chart")
            .unwrap()
            .remove_from(&mut v);
        PathPattern::parse("spec.containers[*].image")
            .unwrap()
            .remove_from(&mut v);
        PathPattern::parse("spec.containers[b]")
            .unwrap()
            .remove_from(&mut v);
        PathPattern::parse("not.there[0].x")
            .unwrap()
            .remove_from(&mut v);
        let want: Value = serde_yaml::from_str(
            "metadata:\n  labels:\n    app: x\nspec:\n  containers:\n    - name: a\n",
        )
        .unwrap();
        assert_eq!(v, want);
    }
}
