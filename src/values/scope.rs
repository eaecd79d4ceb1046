//! Values scoping for subcharts, as Helm does it (`pkg/chart/common/util/
//! coalesce.go` and `pkg/chart/v2/util/dependencies.go`):
//!
//! - a subchart sees the parent's values under its name (or alias), merged
//!   over its own values.yaml, plus `global`: the parent's `global` merged
//!   over the subchart's own;
//! - `tags` (read from the root chart's values) and `condition` (values
//!   paths, the first that holds a boolean wins over tags) enable or
//!   disable a subchart; they are read from the values files and flags
//!   merged over every chart's values.yaml, before values.computed.yaml and
//!   import-values apply, as Helm reads them before import-values;
//! - `import-values` copies a subchart's default values into the parent's
//!   defaults (the parent's own values.yaml wins; the user's layers win
//!   over both).
//!
//! This module plans the release's chart tree; `release.rs` resolves each
//! chart's layers and renders it.

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::Value;

use super::{Layer, Origin, Values, merge_into, merge_layers, parse_values};
use crate::chart::{Chart, dependencies};

/// The key every chart of a release shares.
pub const GLOBAL: &str = "global";

/// A chart of the release: the root, or an enabled, non-library subchart.
#[derive(Debug, Clone)]
pub struct Node<'c> {
    /// The chart, its metadata `name` set to the alias when it has one
    /// (templates see `chart.name` = the alias, as in Helm): borrowed from
    /// the loaded chart, copied only to rename an aliased subchart.
    pub chart: Cow<'c, Chart>,
    /// The key of its values in the parent (alias or name).
    pub name: String,
    /// `root` or `root/charts/sub`: the path in `# Source:` lines.
    pub display: String,
    /// `""` or `charts/sub/`: the prefix of its files below the root chart.
    pub rel: String,
    /// values.yaml with import-values applied.
    pub defaults: Arc<Values>,
    condition: Option<String>,
    tags: Vec<String>,
    import_values: Vec<serde_yaml::Value>,
    pub children: Vec<Node<'c>>,
}

/// The release's chart tree: enabled subcharts only, import-values applied.
pub fn plan<'c>(chart: &'c Chart, user: &[Layer]) -> Result<Node<'c>, crate::error::Error> {
    let mut root = build(
        chart,
        chart.name().to_string(),
        chart.name().to_string(),
        String::new(),
    )?;
    // Without subcharts there is nothing to enable, scope or import.
    if !root.children.is_empty() {
        // Tags and conditions read the user's layers over every values.yaml.
        let defaults = Layer::shared(
            Origin::Defaults(chart.display_path("values.yaml")),
            Arc::clone(&root.defaults),
            None,
        );
        let mut coalesced = merge_layers(std::iter::once(&defaults).chain(user));
        coalesce(&root, &mut coalesced);
        prune(&mut root, &coalesced, &[]);
        import(&mut root);
    }
    Ok(root)
}

fn build<'c>(
    chart: &'c Chart,
    name: String,
    display: String,
    rel: String,
) -> Result<Node<'c>, crate::error::Error> {
    let defaults = match chart.text("values.yaml")? {
        Some(text) => parse_values(text, &chart.display_path("values.yaml"))?,
        None => Values::new(),
    };
    let mut children = Vec::new();
    for dep in dependencies::resolve(chart)? {
        if dep.chart.metadata.is_library() {
            continue;
        }
        let mut sub = build(
            dep.chart,
            dep.name.to_string(),
            format!("{display}/charts/{}", dep.name),
            format!("{rel}charts/{}/", dep.name),
        )?;
        if sub.chart.metadata.name != dep.name {
            sub.chart.to_mut().metadata.name = dep.name.to_string();
        }
        if let Some(d) = dep.dependency {
            sub.condition = d.condition.clone();
            sub.tags = d.tags.clone();
            sub.import_values = d.import_values.clone();
        }
        children.push(sub);
    }
    Ok(Node {
        chart: Cow::Borrowed(chart),
        name,
        display,
        rel,
        defaults: Arc::new(defaults),
        condition: None,
        tags: Vec::new(),
        import_values: Vec::new(),
        children,
    })
}

/// Fills `values[<sub>]` with each subchart's defaults under what the
/// parent set there, globals included, recursively: Helm's coalesce.
fn coalesce(node: &Node<'_>, values: &mut Values) {
    for child in &node.children {
        let mut merged = Values::clone(&child.defaults);
        if let Some(Value::Object(set)) = values.get(&child.name) {
            merge_into(&mut merged, set);
        }
        merge_global(&mut merged, values);
        coalesce(child, &mut merged);
        values.insert(child.name.clone(), Value::Object(merged));
    }
}

/// Drops disabled subcharts. `root` is the coalesced root values; a
/// condition path of a nested subchart is read below its parents' names.
fn prune(node: &mut Node<'_>, root: &Values, prefix: &[String]) {
    node.children.retain(|child| enabled(child, root, prefix));
    for child in &mut node.children {
        let mut path = prefix.to_vec();
        path.push(child.name.clone());
        prune(child, root, &path);
    }
}

/// Helm's rule: tags first (any true tag enables, else any false tag
/// disables), then the first condition path that holds a boolean decides.
/// Non-boolean values are ignored, as Helm ignores them (with a warning).
fn enabled(child: &Node<'_>, root: &Values, prefix: &[String]) -> bool {
    let mut on = true;
    if let Some(Value::Object(tags)) = root.get("tags") {
        let states: Vec<bool> = child
            .tags
            .iter()
            .filter_map(|t| tags.get(t).and_then(Value::as_bool))
            .collect();
        if !states.contains(&true) && states.contains(&false) {
            on = false;
        }
    }
    for path in child
        .condition
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let mut v: Option<&Value> = None;
        let mut map = Some(root);
        for key in prefix.iter().map(String::as_str).chain(path.split('.')) {
            v = map.and_then(|m| m.get(key));
            map = v.and_then(Value::as_object);
        }
        if let Some(b) = v.and_then(Value::as_bool) {
            on = b;
            break;
        }
    }
    on
}

/// import-values, bottom-up: each enabled subchart's defaults (with the
/// parent's values.yaml for it merged over them) are copied into the
/// parent's defaults; the parent's own values win, and the first import
/// wins over a later one, as Helm merges them.
fn import(node: &mut Node<'_>) {
    for child in &mut node.children {
        import(child);
    }
    let mut imported = Values::new();
    for child in &node.children {
        if child.import_values.is_empty() {
            continue;
        }
        let mut seen = Values::clone(&child.defaults);
        if let Some(Value::Object(set)) = node.defaults.get(&child.name) {
            merge_into(&mut seen, set);
        }
        for entry in &child.import_values {
            let (from, to) = match entry {
                serde_yaml::Value::String(name) => (format!("exports.{name}"), ".".to_string()),
                serde_yaml::Value::Mapping(m) => {
                    let get = |k: &str| {
                        m.get(k).and_then(|v| match v {
                            serde_yaml::Value::String(s) => Some(s.clone()),
                            _ => None,
                        })
                    };
                    match (get("child"), get("parent")) {
                        (Some(c), Some(p)) => (c, p),
                        _ => continue,
                    }
                }
                _ => continue,
            };
            let Some(Value::Object(table)) = lookup(&seen, &from) else {
                continue; // Helm warns and skips a missing table
            };
            let mut table = table.clone();
            if to != "." {
                for key in to.rsplit('.') {
                    let mut outer = Values::new();
                    outer.insert(key.to_string(), Value::Object(table));
                    table = outer;
                }
            }
            fill_missing(&mut imported, &table);
        }
    }
    if !imported.is_empty() {
        fill_missing(Arc::make_mut(&mut node.defaults), &imported);
    }
}

fn lookup<'a>(values: &'a Values, dotted: &str) -> Option<&'a Value> {
    let mut parts = dotted.split('.');
    let mut v = values.get(parts.next()?)?;
    for part in parts {
        v = v.as_object()?.get(part)?;
    }
    Some(v)
}

/// Copies what `dest` lacks from `src`, deeply; `dest` wins every conflict.
fn fill_missing(dest: &mut Values, src: &Values) {
    for (key, value) in src {
        match (dest.get_mut(key), value) {
            (None, _) => {
                dest.insert(key.clone(), value.clone());
            }
            (Some(Value::Object(d)), Value::Object(s)) => fill_missing(d, s),
            _ => {}
        }
    }
}

/// A parent's layer as subchart `name` sees it: the values under `name`,
/// with the layer's `global` merged over the subchart-scoped `global`.
/// The origin and file text stay, so messages still name the file and line.
pub fn scoped_layer(layer: &Layer, name: &str) -> Layer {
    let mut values = match layer.values.get(name) {
        Some(Value::Object(m)) => m.clone(),
        _ => Values::new(),
    };
    merge_global(&mut values, &layer.values);
    layer.narrowed(values, name)
}

/// Merges the parent's `global` over the subchart's own `global`, as Helm
/// passes globals down.
fn merge_global(values: &mut Values, parent: &Values) {
    if let Some(Value::Object(global)) = parent.get(GLOBAL) {
        let mut g = match values.get(GLOBAL) {
            Some(Value::Object(g)) => g.clone(),
            _ => Values::new(),
        };
        merge_into(&mut g, global);
        values.insert(GLOBAL.into(), Value::Object(g));
    }
}
