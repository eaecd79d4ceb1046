//! `skiff show chart|values|schema|readme CHART`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::chart::load_chart;
use crate::error::{Error, Result};

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// What to show.
    pub what: ShowWhat,
    /// A chart folder or .tgz.
    pub chart: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ShowWhat {
    /// Chart.yaml
    Chart,
    /// values.yaml
    Values,
    /// values.schema.json
    Schema,
    /// README.md
    Readme,
}

pub fn run(args: &ShowArgs) -> Result<i32> {
    let chart = load_chart(&args.chart)?;
    let file = match args.what {
        ShowWhat::Chart => "Chart.yaml",
        ShowWhat::Values => "values.yaml",
        ShowWhat::Schema => "values.schema.json",
        ShowWhat::Readme => chart
            .files
            .keys()
            .find(|k| k.eq_ignore_ascii_case("README.md"))
            .map_or("README.md", String::as_str),
    };
    match chart.text(file)? {
        Some(text) => {
            print!("{text}");
            if !text.is_empty() && !text.ends_with('\n') {
                println!();
            }
            Ok(0)
        }
        None => Err(Error::Usage(format!(
            "{}: the chart has no {file}",
            chart.source.display()
        ))),
    }
}
