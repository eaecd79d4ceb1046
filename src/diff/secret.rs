//! Masking Secret payloads, so a diff posted to a pull request or a CI log
//! never shows a secret value.
//!
//! Each value under a Secret's `data` and `stringData` is replaced, before
//! comparing, by a marker that keeps only whether it changed: both sides get
//! [`MASKED`] when the value is the same (or exists on one side only), and
//! [`MASKED_OLD`] / [`MASKED_NEW`] when it differs. Keys stay visible.
//! The field changes and the unified view are computed from the masked
//! objects, so neither can leak a value; not even its length is shown.

use serde_yaml::{Mapping, Value};

/// A secret value that exists on one side only, or is the same on both.
pub const MASKED: &str = "<masked>";
/// The old side of a secret value that changed.
pub const MASKED_OLD: &str = "<masked: old value>";
/// The new side of a secret value that changed.
pub const MASKED_NEW: &str = "<masked: new value>";

const PAYLOAD_FIELDS: [&str; 2] = ["data", "stringData"];

/// True for a core (`v1`) Secret.
pub fn is_secret(group: &str, kind: &str) -> bool {
    group.is_empty() && kind == "Secret"
}

/// Masks the payload of one Secret, or of both versions of a Secret, in place.
pub fn mask(mut old: Option<&mut Value>, mut new: Option<&mut Value>) {
    for field in PAYLOAD_FIELDS {
        let o = old.as_deref_mut().and_then(|v| v.get_mut(field));
        let n = new.as_deref_mut().and_then(|v| v.get_mut(field));
        mask_payload(o, n);
    }
}

fn marker(text: &str) -> Value {
    Value::String(text.to_string())
}

fn mask_payload(old: Option<&mut Value>, new: Option<&mut Value>) {
    match (old, new) {
        (Some(Value::Mapping(old)), Some(Value::Mapping(new))) => {
            for (key, old_value) in old.iter_mut() {
                mask_payload(Some(old_value), new.get_mut(key));
            }
            for (key, new_value) in new.iter_mut() {
                if !old.contains_key(key) {
                    mask_payload(None, Some(new_value));
                }
            }
        }
        (Some(Value::Mapping(map)), None) | (None, Some(Value::Mapping(map))) => mask_all(map),
        (Some(old), Some(new)) => {
            if old == new {
                mask_value(old, MASKED);
                mask_value(new, MASKED);
            } else {
                mask_value(old, MASKED_OLD);
                mask_value(new, MASKED_NEW);
            }
        }
        (Some(one), None) | (None, Some(one)) => mask_value(one, MASKED),
        (None, None) => {}
    }
}

fn mask_all(map: &mut Mapping) {
    for (_, value) in map.iter_mut() {
        mask_value(value, MASKED);
    }
}

/// Replaces a value by a marker; `null` (an empty payload) stays `null`.
fn mask_value(value: &mut Value, text: &str) {
    if !value.is_null() {
        *value = marker(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap()
    }

    #[test]
    fn marks_changed_values_and_hides_all() {
        let mut old = yaml(
            "kind: Secret\ndata:\n  same: YQ==\n  changed: Yg==\n  gone: Yw==\nstringData:\n  s: x\n",
        );
        let mut new = yaml("kind: Secret\ndata:\n  same: YQ==\n  changed: ZA==\n  fresh: ZQ==\n");
        mask(Some(&mut old), Some(&mut new));
        assert_eq!(
            old,
            yaml(
                "kind: Secret\ndata:\n  same: <masked>\n  changed: '<masked: old value>'\n  gone: <masked>\nstringData:\n  s: <masked>\n"
            )
        );
        assert_eq!(
            new,
            yaml(
                "kind: Secret\ndata:\n  same: <masked>\n  changed: '<masked: new value>'\n  fresh: <masked>\n"
            )
        );
    }

    #[test]
    fn masks_a_single_secret() {
        let mut s = yaml("kind: Secret\nmetadata: {name: x}\nstringData: {password: hunter2}\n");
        mask(Some(&mut s), None);
        assert_eq!(
            s,
            yaml("kind: Secret\nmetadata: {name: x}\nstringData: {password: <masked>}\n")
        );
    }
}
