//! `skiff render CHART` (alias `template`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::{ArgMatches, Args};

use super::release_flags::{ReleaseFlags, print_stdout_parts};
use super::values_flags::ValueFlags;
use crate::chart::load_chart;
use crate::error::{Error, Result};
use crate::manifest::Written;
use crate::release;

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// `CHART`, or `NAME CHART` as `helm template` takes them.
    #[arg(value_name = "CHART", num_args = 1..=2, required = true)]
    pub positional: Vec<PathBuf>,
    #[command(flatten)]
    pub values: ValueFlags,
    #[command(flatten)]
    pub release: ReleaseFlags,
    /// Only print manifests from this template (`templates/api.yaml`); repeatable.
    #[arg(short = 's', long = "show-only", value_name = "PATH")]
    pub show_only: Vec<String>,
    /// Write each template's manifests to DIR/<chart>/templates/<file> instead of stdout.
    #[arg(long = "output-dir", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Also render templates/NOTES.txt and print it on stderr.
    #[arg(long = "notes")]
    pub notes: bool,
}

impl RenderArgs {
    /// The chart path and, in the `NAME CHART` form, the release name.
    fn chart_and_name(&self) -> Result<(&Path, Option<String>)> {
        match self.positional.as_slice() {
            [chart] => Ok((chart, None)),
            [name, chart] => {
                if self.release.release.is_some() {
                    return Err(Error::Usage(
                        "give the release name either as NAME or with --release, not both".into(),
                    ));
                }
                Ok((chart, Some(name.to_string_lossy().into_owned())))
            }
            _ => Err(Error::Usage("expected CHART or NAME CHART".into())),
        }
    }
}

pub fn run(args: &RenderArgs, matches: Option<&ArgMatches>) -> Result<i32> {
    let (chart_path, name) = args.chart_and_name()?;
    let chart = load_chart(chart_path)?;
    let opts = args
        .release
        .render_options(args.values.to_value_args(matches), name);
    let renderer = release::one_off(&chart, &opts)?;
    let rendered = renderer.render_written(&opts)?;
    let mut objects = rendered.objects;
    if !args.show_only.is_empty() {
        let wanted: Vec<String> = args
            .show_only
            .iter()
            .map(|p| {
                let p = p.trim_start_matches("./");
                if p.starts_with(&format!("{}/", chart.name())) {
                    p.to_string()
                } else {
                    format!("{}/{p}", chart.name())
                }
            })
            .collect();
        for (given, want) in args.show_only.iter().zip(&wanted) {
            if !rendered
                .files
                .iter()
                .any(|f| format!("{}/{}", chart.name(), f.path) == *want)
            {
                let known: Vec<&str> = rendered.files.iter().map(|f| f.path.as_str()).collect();
                return Err(Error::Usage(format!(
                    "--show-only {given}: the chart has no such template\nhint: templates are: {}",
                    known.join(", ")
                )));
            }
        }
        objects.retain(|m| wanted.contains(&m.source));
    }
    if let Some(dir) = &args.output_dir {
        write_output_dir(dir, &objects)?;
    } else {
        let texts: Vec<&str> = objects.iter().map(|o| o.text.as_str()).collect();
        print_stdout_parts(&texts)?;
    }
    if args.notes
        && let Some(notes) = &rendered.notes
    {
        eprint!("{notes}");
    }
    // The process exits next: what the render built is left to the OS.
    // Freeing it took ~0.3 ms of the starter's ~5, most of it the allocator
    // handing emptied pages back one system call at a time.
    std::mem::forget((renderer, rendered.files, rendered.notes, objects));
    std::mem::forget(chart);
    Ok(0)
}

/// Helm's layout: DIR/<chart>/templates/<file>, one file per template with
/// all its documents. Every file is complete before it appears (temp file +
/// rename), and nothing is written unless the whole render succeeded.
fn write_output_dir(dir: &Path, objects: &[Written]) -> Result<()> {
    let mut by_file: BTreeMap<&str, String> = BTreeMap::new();
    for object in objects {
        by_file
            .entry(object.source.as_str())
            .or_default()
            .push_str(&object.text);
    }
    for (source, text) in by_file {
        let path = dir.join(source);
        let parent = path.parent().unwrap_or(dir);
        std::fs::create_dir_all(parent).map_err(|e| Error::Write {
            path: parent.to_path_buf(),
            source: e,
        })?;
        crate::package::write_atomically(&path, text.as_bytes())?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
