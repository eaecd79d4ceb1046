//! `skiff package CHART [-d DIR] [--version V] [--app-version V]`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;

use crate::chart::load_chart;
use crate::error::{Error, Result};
use crate::lint;
use crate::package::archive::{DEFAULT_MTIME, source_date_epoch};
use crate::package::{PackOptions, PackageError, PackedChart, Prepared, prepare, write_atomically};
use crate::release::RenderOptions;
use crate::threads;

#[derive(Debug, Args)]
pub struct PackageArgs {
    /// A chart folder or .tgz (a .tgz is re-packaged).
    pub chart: PathBuf,
    /// Folder to write the archive to (created if missing).
    #[arg(
        short = 'd',
        long = "destination",
        value_name = "DIR",
        default_value = "."
    )]
    pub destination: PathBuf,
    /// Set the chart's version (SemVer 2) in the packaged Chart.yaml.
    #[arg(long = "version", value_name = "VERSION")]
    pub version: Option<String>,
    /// Set the chart's appVersion in the packaged Chart.yaml.
    #[arg(long = "app-version", value_name = "VERSION")]
    pub app_version: Option<String>,
    /// Package without linting first: for a pipeline that ran `skiff lint`
    /// on this chart in an earlier step (`helm package` never lints).
    #[arg(long = "skip-lint")]
    pub skip_lint: bool,
}

/// Prints `Packaged <name> <version> to <path>` and `sha256:<hex>`.
pub fn run(args: &PackageArgs) -> Result<i32> {
    let mtime = source_date_epoch()?.unwrap_or(DEFAULT_MTIME);
    let chart = load_chart(&args.chart)?;
    let opts = PackOptions {
        version: args.version.clone(),
        app_version: args.app_version.clone(),
        mtime,
    };
    // Check the chart as packaged: `chart.version` may be the new --version.
    let prepared = prepare(&chart, &opts)?;
    let packed = if args.skip_lint {
        prepared.build()?
    } else {
        build_while_linting(args, &prepared)?
    };
    std::fs::create_dir_all(&args.destination).map_err(|e| Error::Write {
        path: args.destination.clone(),
        source: e,
    })?;
    let path = args.destination.join(&packed.file_name);
    write_atomically(&path, &packed.bytes)?;
    println!(
        "Packaged {} {} to {}",
        packed.name,
        packed.version,
        path.display()
    );
    println!("sha256:{}", packed.sha256);
    Ok(0)
}

/// The archive, built on a second thread while the chart as packaged is
/// linted here (deflate is one thread's work, and the lint leaves the
/// second core idle part of the time). An archive error is reported before
/// the lint's, as when the two ran one after the other.
fn build_while_linting(args: &PackageArgs, prepared: &Prepared<'_>) -> Result<PackedChart> {
    std::thread::scope(|s| {
        let building = (threads::for_items(2, 1) > 1)
            .then(|| threads::spawn(s, "package", || prepared.build()).ok())
            .flatten();
        let linted = refuse_lint_errors(args, prepared.chart_source(), prepared.files());
        let packed = match building {
            Some(building) => building
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            None => prepared.build(),
        };
        let packed = packed?;
        linted?;
        Ok(packed)
    })
}

/// Lints the chart as packaged; lint errors refuse it (warnings do not).
fn refuse_lint_errors(
    args: &PackageArgs,
    source: PathBuf,
    files: BTreeMap<String, Vec<u8>>,
) -> Result<()> {
    let report = lint::lint_files(&args.chart, source, files, &RenderOptions::default())?;
    let errors = report.summary().errors;
    if errors == 0 {
        return Ok(());
    }
    let mut errors_only = report;
    errors_only
        .findings
        .retain(|f| f.severity == lint::Severity::Error);
    Err(PackageError::LintErrors {
        chart: args.chart.clone(),
        errors,
        report: lint::report::text(&errors_only),
    }
    .into())
}
