//! `skiff lint CHART [value flags] [--strict] [-o text|json]`.

use std::path::PathBuf;

use clap::{ArgMatches, Args, ValueEnum};

use super::release_flags::{ReleaseFlags, print_stdout};
use super::values_flags::ValueFlags;
use crate::error::Result;
use crate::lint::{self, report};

#[derive(Debug, Args)]
pub struct LintArgs {
    /// A chart folder or .tgz.
    pub chart: PathBuf,
    #[command(flatten)]
    pub values: ValueFlags,
    /// Fail (exit 1) on warnings too, not only on errors.
    #[arg(long = "strict")]
    pub strict: bool,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Text)]
    pub output: Format,
    #[command(flatten)]
    pub release: ReleaseFlags,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn run(args: &LintArgs, matches: Option<&ArgMatches>) -> Result<i32> {
    let opts = args
        .release
        .render_options(args.values.to_value_args(matches), None);
    let report = lint::run_lint(&args.chart, &opts)?;
    let text = match args.output {
        Format::Text => report::text(&report),
        Format::Json => report::json(&report),
    };
    print_stdout(&text)?;
    Ok(report.exit_code(args.strict))
}
