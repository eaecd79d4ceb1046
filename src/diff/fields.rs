//! Field-by-field comparison of two versions of one object.
//!
//! Mappings are compared key by key (key order is not a change). Lists whose
//! items all carry a unique string `name` (containers, env, ports, volumes,
//! volumeMounts, ...) are matched by name, so inserting an env var is one
//! addition at `env[NEW_VAR]`, not a change at every later position; a
//! change of their order alone is one `reordered` change at the list's path.
//! Other lists of equal length are compared position by position; lists of
//! different lengths are aligned by a longest-common-subsequence diff, or,
//! when they hold only scalars (`args`, `command`), reported whole.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

use serde::Serialize;
use serde_yaml::{Mapping, Value};

use super::path::{FieldPath, Segment, key_text};

/// What happened to one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldOp {
    /// Present only in the new object.
    Added,
    /// Present only in the old object.
    Removed,
    /// Present in both with different values.
    Changed,
    /// A name-matched list whose items kept their names but changed order;
    /// `old` and `new` are the lists of names.
    Reordered,
}

/// One changed field of a changed object. `old` is `None` when the field was
/// added, `new` is `None` when it was removed.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub path: FieldPath,
    pub op: FieldOp,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

/// Every field that differs between `old` and `new`, in the old object's
/// order (additions after the fields they follow).
pub fn field_changes(old: &Value, new: &Value) -> Vec<FieldChange> {
    let mut out = Vec::new();
    compare(&FieldPath::default(), old, new, &mut out);
    out
}

fn compare(path: &FieldPath, old: &Value, new: &Value, out: &mut Vec<FieldChange>) {
    if old == new {
        return;
    }
    match (old, new) {
        (Value::Mapping(old), Value::Mapping(new)) => compare_mappings(path, old, new, out),
        (Value::Sequence(old), Value::Sequence(new)) => compare_lists(path, old, new, out),
        (Value::Tagged(o), Value::Tagged(n)) if o.tag == n.tag => {
            compare(path, &o.value, &n.value, out)
        }
        _ => out.push(changed(path.clone(), old, new)),
    }
}

fn changed(path: FieldPath, old: &Value, new: &Value) -> FieldChange {
    FieldChange {
        path,
        op: FieldOp::Changed,
        old: Some(old.clone()),
        new: Some(new.clone()),
    }
}

fn added(path: FieldPath, new: &Value) -> FieldChange {
    FieldChange {
        path,
        op: FieldOp::Added,
        old: None,
        new: Some(new.clone()),
    }
}

fn removed(path: FieldPath, old: &Value) -> FieldChange {
    FieldChange {
        path,
        op: FieldOp::Removed,
        old: Some(old.clone()),
        new: None,
    }
}

fn compare_mappings(path: &FieldPath, old: &Mapping, new: &Mapping, out: &mut Vec<FieldChange>) {
    for (key, old_value) in old {
        let child = path.child(Segment::Key(key_text(key)));
        match new.get(key) {
            Some(new_value) => compare(&child, old_value, new_value, out),
            None => out.push(removed(child, old_value)),
        }
    }
    for (key, new_value) in new {
        if !old.contains_key(key) {
            out.push(added(path.child(Segment::Key(key_text(key))), new_value));
        }
    }
}

/// The item names of a list whose items are all mappings with a unique
/// string `name`; `None` for any other list.
pub(crate) fn item_names(items: &[Value]) -> Option<Vec<&str>> {
    let mut names = Vec::with_capacity(items.len());
    let mut seen = BTreeSet::new();
    for item in items {
        let name = item.get("name").and_then(Value::as_str)?;
        if !seen.insert(name) {
            return None;
        }
        names.push(name);
    }
    Some(names)
}

fn compare_lists(path: &FieldPath, old: &[Value], new: &[Value], out: &mut Vec<FieldChange>) {
    if let (Some(old_names), Some(new_names)) = (item_names(old), item_names(new)) {
        compare_named(path, old, &old_names, new, &new_names, out);
    } else if old.len() == new.len() {
        for (index, (o, n)) in old.iter().zip(new).enumerate() {
            compare(&path.child(Segment::Index(index)), o, n, out);
        }
    } else if old.iter().chain(new).all(is_scalar) {
        out.push(changed(
            path.clone(),
            &Value::Sequence(old.to_vec()),
            &Value::Sequence(new.to_vec()),
        ));
    } else {
        compare_aligned(path, old, new, out);
    }
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Mapping(_) | Value::Sequence(_) | Value::Tagged(_))
}

fn compare_named(
    path: &FieldPath,
    old: &[Value],
    old_names: &[&str],
    new: &[Value],
    new_names: &[&str],
    out: &mut Vec<FieldChange>,
) {
    let new_by_name: BTreeMap<&str, &Value> = new_names.iter().copied().zip(new).collect();
    let old_set: BTreeSet<&str> = old_names.iter().copied().collect();
    let common_old: Vec<&str> = old_names
        .iter()
        .copied()
        .filter(|n| new_by_name.contains_key(n))
        .collect();
    let common_new: Vec<&str> = new_names
        .iter()
        .copied()
        .filter(|n| old_set.contains(n))
        .collect();
    if common_old != common_new {
        let names = |list: &[&str]| {
            Value::Sequence(
                list.iter()
                    .map(|n| Value::String((*n).to_string()))
                    .collect(),
            )
        };
        out.push(FieldChange {
            path: path.clone(),
            op: FieldOp::Reordered,
            old: Some(names(old_names)),
            new: Some(names(new_names)),
        });
    }
    for (name, old_item) in old_names.iter().zip(old) {
        let child = path.child(Segment::Name((*name).to_string()));
        match new_by_name.get(name) {
            Some(new_item) => compare(&child, old_item, new_item, out),
            None => out.push(removed(child, old_item)),
        }
    }
    for (name, new_item) in new_names.iter().zip(new) {
        if !old_set.contains(name) {
            out.push(added(
                path.child(Segment::Name((*name).to_string())),
                new_item,
            ));
        }
    }
}

/// Lists of different lengths: align equal items (a Myers diff over item
/// hashes, each match re-checked for equality), then compare what is left
/// position by position. Removed items are named by their old position,
/// everything else by its new position.
fn compare_aligned(path: &FieldPath, old: &[Value], new: &[Value], out: &mut Vec<FieldChange>) {
    let hash = |v: &Value| {
        let mut h = DefaultHasher::new();
        v.hash(&mut h);
        h.finish()
    };
    let old_hashes: Vec<u64> = old.iter().map(hash).collect();
    let new_hashes: Vec<u64> = new.iter().map(hash).collect();
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &old_hashes, &new_hashes) {
        let (_, old_range, new_range) = op.as_tag_tuple();
        let mut olds = old_range.clone();
        let mut news = new_range.clone();
        loop {
            match (olds.next(), news.next()) {
                (Some(o), Some(n)) => {
                    compare(&path.child(Segment::Index(n)), &old[o], &new[n], out)
                }
                (Some(o), None) => out.push(removed(path.child(Segment::Index(o)), &old[o])),
                (None, Some(n)) => out.push(added(path.child(Segment::Index(n)), &new[n])),
                (None, None) => break,
            }
        }
    }
}

/// Reorders `new`'s mapping keys to follow `old`'s (keys only in `new` go
/// last, in their own order), recursing into matched fields and list items,
/// so that the unified view of two objects never shows key order, which is
/// not a change.
pub fn align_key_order(new: &mut Value, old: &Value) {
    match (new, old) {
        (Value::Mapping(new), Value::Mapping(old)) => {
            let mut rest = std::mem::take(new);
            for (key, old_value) in old {
                if let Some(mut value) = rest.shift_remove(key) {
                    align_key_order(&mut value, old_value);
                    new.insert(key.clone(), value);
                }
            }
            for (key, value) in rest {
                new.insert(key, value);
            }
        }
        (Value::Sequence(new), Value::Sequence(old)) => {
            if let (Some(old_names), true) = (item_names(old), item_names(new).is_some()) {
                let old_by_name: BTreeMap<&str, &Value> =
                    old_names.into_iter().zip(old.iter()).collect();
                for item in new.iter_mut() {
                    let name = item.get("name").and_then(Value::as_str).map(str::to_string);
                    if let Some(old_item) = name.and_then(|n| old_by_name.get(n.as_str()).copied())
                    {
                        align_key_order(item, old_item);
                    }
                }
            } else {
                for (n, o) in new.iter_mut().zip(old) {
                    align_key_order(n, o);
                }
            }
        }
        (Value::Tagged(new), Value::Tagged(old)) => align_key_order(&mut new.value, &old.value),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap()
    }

    fn summary(changes: &[FieldChange]) -> Vec<String> {
        changes
            .iter()
            .map(|c| format!("{:?} {}", c.op, c.path))
            .collect()
    }

    #[test]
    fn equal_values_have_no_changes() {
        assert!(field_changes(&yaml("a: 1\nb: [x, y]\n"), &yaml("b: [x, y]\na: 1\n")).is_empty());
    }

    #[test]
    fn env_var_inserted_in_the_middle_is_one_addition() {
        let old = yaml("env:\n- {name: A, value: '1'}\n- {name: B, value: '2'}\n");
        let new = yaml(
            "env:\n- {name: A, value: '1'}\n- {name: NEW, value: x}\n- {name: B, value: '2'}\n",
        );
        let changes = field_changes(&old, &new);
        assert_eq!(summary(&changes), ["Added env[NEW]"]);
        assert_eq!(changes[0].new, Some(yaml("{name: NEW, value: x}")));
    }

    #[test]
    fn named_items_are_compared_by_name_not_position() {
        let old = yaml("c:\n- {name: api, image: a:1}\n- {name: side, image: s:1}\n");
        let new = yaml("c:\n- {name: api, image: a:2}\n- {name: side, image: s:1}\n");
        assert_eq!(
            summary(&field_changes(&old, &new)),
            ["Changed c[api].image"]
        );
        let removed = yaml("c:\n- {name: side, image: s:1}\n");
        assert_eq!(summary(&field_changes(&old, &removed)), ["Removed c[api]"]);
    }

    #[test]
    fn reordering_named_items_is_one_change() {
        let old = yaml("p:\n- {name: a}\n- {name: b}\n");
        let new = yaml("p:\n- {name: b}\n- {name: a}\n");
        let changes = field_changes(&old, &new);
        assert_eq!(summary(&changes), ["Reordered p"]);
        assert_eq!(changes[0].old, Some(yaml("[a, b]")));
        assert_eq!(changes[0].new, Some(yaml("[b, a]")));
    }

    #[test]
    fn duplicate_names_fall_back_to_positions() {
        let old = yaml("m:\n- {name: v, mountPath: /a}\n- {name: v, mountPath: /b}\n");
        let new = yaml("m:\n- {name: v, mountPath: /a}\n- {name: v, mountPath: /c}\n");
        assert_eq!(
            summary(&field_changes(&old, &new)),
            ["Changed m[1].mountPath"]
        );
    }

    #[test]
    fn unnamed_lists_of_equal_length_compare_by_position() {
        let old = yaml("rules:\n- host: a.example.com\n- host: b.example.com\n");
        let new = yaml("rules:\n- host: a.example.com\n- host: c.example.com\n");
        assert_eq!(
            summary(&field_changes(&old, &new)),
            ["Changed rules[1].host"]
        );
    }

    #[test]
    fn unnamed_lists_of_different_lengths_are_aligned() {
        let old = yaml("t:\n- {key: a}\n- {key: b}\n");
        let new = yaml("t:\n- {key: a}\n- {key: x}\n- {key: b}\n");
        assert_eq!(summary(&field_changes(&old, &new)), ["Added t[1]"]);
        let shorter = yaml("t:\n- {key: b}\n");
        assert_eq!(summary(&field_changes(&old, &shorter)), ["Removed t[0]"]);
    }

    #[test]
    fn scalar_lists_of_different_lengths_are_one_change() {
        let changes = field_changes(&yaml("args: [--a, --b]"), &yaml("args: [--a, --c, --b]"));
        assert_eq!(summary(&changes), ["Changed args"]);
    }

    #[test]
    fn type_changes_and_keys() {
        let changes = field_changes(&yaml("a: {b: 1}\nc: 1\n"), &yaml("a: 2\nd: 1\n"));
        assert_eq!(summary(&changes), ["Changed a", "Removed c", "Added d"]);
    }

    #[test]
    fn aligning_key_order_follows_the_old_object() {
        let old = yaml("a: 1\nb:\n  x: 1\n  y: 2\nl:\n- {name: n, p: 1, q: 2}\n");
        let mut new = yaml("z: 0\nl:\n- {q: 2, name: n, p: 1}\nb:\n  y: 2\n  x: 3\na: 1\n");
        align_key_order(&mut new, &old);
        let text = serde_yaml::to_string(&new).unwrap();
        assert_eq!(
            text,
            "a: 1\nb:\n  x: 3\n  y: 2\nl:\n- name: n\n  p: 1\n  q: 2\nz: 0\n"
        );
    }
}
