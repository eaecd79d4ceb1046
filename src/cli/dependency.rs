//! `skiff dependency list|update|build CHART`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::dependency::{self, Outcome};
use crate::error::Result;
use crate::package::archive::source_date_epoch;

#[derive(Debug, Subcommand)]
pub enum DependencyCommand {
    /// Show each dependency: name, version constraint, repository and status (ok, missing, wrong version, unpacked).
    List(ChartArg),
    /// Resolve each version constraint against its repository, write charts/<name>-<version>.tgz and Chart.lock.
    Update(ChartArg),
    /// Reproduce charts/ from Chart.lock (refused when the lock is out of date with Chart.yaml).
    Build(ChartArg),
}

#[derive(Debug, Args)]
pub struct ChartArg {
    /// The chart folder (`list` also takes a .tgz).
    #[arg(default_value = ".")]
    pub chart: PathBuf,
}

pub fn run(cmd: &DependencyCommand) -> Result<i32> {
    match cmd {
        DependencyCommand::List(args) => {
            let listed = dependency::list(&args.chart)?;
            let rows: Vec<[String; 4]> = listed
                .iter()
                .map(|l| {
                    [
                        l.dependency.name.clone(),
                        l.dependency.version.clone(),
                        l.dependency.repository.clone(),
                        l.status.to_string(),
                    ]
                })
                .collect();
            let header = ["NAME", "VERSION", "REPOSITORY", "STATUS"].map(str::to_string);
            let mut widths = [0usize; 4];
            for row in std::iter::once(&header).chain(&rows) {
                for (w, cell) in widths.iter_mut().zip(row) {
                    *w = (*w).max(cell.len());
                }
            }
            for row in std::iter::once(&header).chain(&rows) {
                let line: Vec<String> = row
                    .iter()
                    .zip(widths)
                    .map(|(cell, w)| format!("{cell:<w$}"))
                    .collect();
                println!("{}", line.join("  ").trim_end());
            }
            Ok(0)
        }
        DependencyCommand::Update(args) => {
            let outcome = dependency::update(&args.chart, source_date_epoch()?)?;
            report(&args.chart, &outcome);
            Ok(0)
        }
        DependencyCommand::Build(args) => {
            let outcome = dependency::build(&args.chart, source_date_epoch()?)?;
            report(&args.chart, &outcome);
            Ok(0)
        }
    }
}

fn report(chart: &std::path::Path, outcome: &Outcome) {
    for name in &outcome.saved {
        println!("Saved {}", chart.join("charts").join(name).display());
    }
    for name in &outcome.removed {
        println!("Removed {}", chart.join("charts").join(name).display());
    }
    if outcome.lock_written {
        println!("Wrote {}", chart.join("Chart.lock").display());
    }
}
