//! `skiff values CHART`: the final values, and `--explain` for where each came from.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{ArgMatches, Args, ValueEnum};

use super::release_flags::ReleaseFlags;
use super::values_flags::ValueFlags;
use crate::chart::load_chart;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::release;
use crate::values::provenance::{self, display_path, parse_path};

#[derive(Debug, Args)]
pub struct ValuesArgs {
    /// A chart folder or .tgz.
    pub chart: PathBuf,
    #[command(flatten)]
    pub values: ValueFlags,
    #[command(flatten)]
    pub release: ReleaseFlags,
    /// Output format.
    #[arg(short = 'o', long = "output", default_value = "yaml")]
    pub output: Format,
    /// For each value (or those under PATH, e.g. `api.env`), the layer that set it
    /// and what each lower layer had.
    #[arg(long = "explain", value_name = "PATH", num_args = 0..=1, default_missing_value = "")]
    pub explain: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Yaml,
    Json,
}

pub fn run(args: &ValuesArgs, matches: Option<&ArgMatches>) -> Result<i32> {
    let chart = load_chart(&args.chart)?;
    let opts = args
        .release
        .render_options(args.values.to_value_args(matches), None);
    let caps = opts.capabilities()?;
    let engine = Engine::new(&chart, opts.limits)?;
    let (values, layers) = release::resolve_values(&chart, &engine, &opts, &caps)?;
    let root = serde_json::Value::Object(values);
    let Some(explain) = &args.explain else {
        print!("{}", format_value(&root, args.output)?);
        return Ok(0);
    };
    let prefix = parse_path(explain);
    let subtree = provenance::lookup(&root, &prefix).ok_or_else(|| {
        Error::Usage(format!(
            "--explain {explain}: no such value\nhint: run `skiff values {}` to see the values",
            args.chart.display()
        ))
    })?;
    let mut out = String::new();
    for leaf in provenance::leaves(subtree) {
        let path = [prefix.clone(), leaf].concat();
        let value = provenance::lookup(&root, &path)
            .cloned()
            .unwrap_or_default();
        let _ = writeln!(out, "{} = {}", display_path(&path), compact(&value));
        let mut sources = provenance::sources(&layers, &path);
        match sources.pop() {
            Some((source, _)) => {
                let _ = writeln!(out, "  set by {source}");
            }
            None => {
                let _ = writeln!(out, "  set by a parent value");
            }
        }
        for (source, lower) in sources.iter().rev() {
            let _ = writeln!(out, "  over   {source} = {}", compact(lower));
        }
    }
    print!("{out}");
    Ok(0)
}

fn compact(value: &serde_json::Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn format_value(value: &serde_json::Value, format: Format) -> Result<String> {
    Ok(match format {
        // A serde_json::Value always encodes; `{:#}` is to_string_pretty.
        Format::Json => format!("{value:#}\n"),
        Format::Yaml => {
            let yaml = serde_yaml::to_value(value).map_err(|e| Error::Usage(e.to_string()))?;
            crate::manifest::emit::to_string(&yaml)
        }
    })
}
