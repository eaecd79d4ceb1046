//! (temporary until the yaml branch lands)
pub fn write_yaml(out: &mut String, value: &serde_yaml::Value) {
    out.push_str(&serde_yaml::to_string(value).unwrap_or_default());
}
