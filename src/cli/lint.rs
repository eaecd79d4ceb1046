//! `skiff lint CHART [value flags] [--strict] [-o text|json]`.

use std::io::Write as _;
use std::path::PathBuf;

use clap::{ArgMatches, Args, ValueEnum};

use super::values_flags::ValueFlags;
use crate::error::{Error, Result};
use crate::lint::{self, report};
use crate::release::RenderOptions;

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
    /// Release name used for the renders.
    #[arg(
        short = 'r',
        long = "release",
        value_name = "NAME",
        default_value = "release"
    )]
    pub release: String,
    /// Namespace used for the renders.
    #[arg(short = 'n', long = "namespace", default_value = "default")]
    pub namespace: String,
    /// Kubernetes version of the target cluster (e.g. 1.31 or v1.31.2).
    #[arg(long = "kube-version", value_name = "VERSION")]
    pub kube_version: Option<String>,
    /// Extra API versions the cluster serves; repeatable or comma-separated.
    #[arg(
        short = 'a',
        long = "api-versions",
        value_name = "GROUP/VERSION",
        value_delimiter = ','
    )]
    pub api_versions: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn run(args: &LintArgs, matches: Option<&ArgMatches>) -> Result<i32> {
    let opts = RenderOptions {
        release_name: args.release.clone(),
        namespace: args.namespace.clone(),
        values: args.values.to_value_args(matches),
        kube_version: args.kube_version.clone(),
        api_versions: args.api_versions.clone(),
        ..RenderOptions::default()
    };
    let report = lint::run_lint(&args.chart, &opts)?;
    let text = match args.output {
        Format::Text => report::text(&report),
        Format::Json => report::json(&report),
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(Error::Write {
            path: PathBuf::from("<stdout>"),
            source: e,
        });
    }
    Ok(report.exit_code(args.strict))
}
