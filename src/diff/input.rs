//! One side of a diff: a chart to render, or manifests already rendered.

use std::path::{Path, PathBuf};

use serde_yaml::Value;

use super::DiffError;
use crate::chart::load_chart;
use crate::error::Result;
use crate::manifest::{self, Manifest};
use crate::release::{self, RenderOptions};
use crate::values::Layer;

/// Where one side's objects come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// `-`: a manifest stream on stdin.
    Stdin,
    /// A chart folder, or a `.tgz` / `.tar.gz` archive.
    Chart(PathBuf),
    /// Any other file: a rendered manifest stream (`skiff render`, `helm template`, `kubectl get -o yaml`).
    Manifests(PathBuf),
}

impl Input {
    /// `-` is stdin; a directory or a `.tgz`/`.tar.gz` is a chart; any other path a manifest file.
    pub fn from_arg(arg: &Path) -> Input {
        let text = arg.to_string_lossy();
        if text == "-" {
            Input::Stdin
        } else if arg.is_dir() || text.ends_with(".tgz") || text.ends_with(".tar.gz") {
            Input::Chart(arg.to_path_buf())
        } else {
            Input::Manifests(arg.to_path_buf())
        }
    }

    pub fn is_chart(&self) -> bool {
        matches!(self, Input::Chart(_))
    }

    /// The side's objects: rendered with `opts` for a chart (with `layers`
    /// as the user's values when given, else `opts.values`), parsed
    /// otherwise. A `kind: List` (as `kubectl get -o yaml` prints) is read
    /// as its items.
    pub fn load(&self, opts: &RenderOptions, layers: Option<Vec<Layer>>) -> Result<Vec<Manifest>> {
        let (source, text) = match self {
            Input::Chart(path) => {
                let chart = load_chart(path)?;
                let rendered = match layers {
                    Some(layers) => release::render_with_layers(&chart, opts, layers)?,
                    None => release::render(&chart, opts)?,
                };
                return Ok(rendered.objects);
            }
            Input::Stdin => {
                let text = std::io::read_to_string(std::io::stdin()).map_err(|source| {
                    DiffError::Read {
                        path: "<stdin>".into(),
                        source,
                    }
                })?;
                ("<stdin>".to_string(), text)
            }
            Input::Manifests(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| DiffError::Read {
                    path: path.display().to_string(),
                    source,
                })?;
                (path.display().to_string(), text)
            }
        };
        let objects = manifest::parse_file(&source, &text)?;
        Ok(flatten_lists(objects))
    }
}

fn flatten_lists(objects: Vec<Manifest>) -> Vec<Manifest> {
    let mut out = Vec::with_capacity(objects.len());
    for m in objects {
        let is_list = m.kind() == "List" && m.group().is_empty();
        match m.value.get("items") {
            Some(Value::Sequence(items)) if is_list => out.extend(
                items
                    .iter()
                    .filter(|item| item.is_mapping())
                    .map(|item| Manifest {
                        source: m.source.clone(),
                        value: item.clone(),
                    }),
            ),
            _ => out.push(m),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_arguments() {
        assert_eq!(Input::from_arg(Path::new("-")), Input::Stdin);
        assert_eq!(
            Input::from_arg(Path::new("x-1.0.0.tgz")),
            Input::Chart("x-1.0.0.tgz".into())
        );
        assert_eq!(
            Input::from_arg(Path::new("x.tar.gz")),
            Input::Chart("x.tar.gz".into())
        );
        assert_eq!(
            Input::from_arg(Path::new("src")),
            Input::Chart("src".into())
        );
        assert_eq!(
            Input::from_arg(Path::new("out.yaml")),
            Input::Manifests("out.yaml".into())
        );
    }

    #[test]
    fn lists_are_read_as_their_items() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n";
        let objects = flatten_lists(manifest::parse_file("x", text).unwrap());
        let names: Vec<&str> = objects.iter().map(Manifest::name).collect();
        assert_eq!(names, ["a", "b"]);
    }
}
