//! The release and cluster flags every rendering command shares:
//! `-r/--release`, `-n/--namespace`, `--kube-version`, `--api-versions`.

use std::io::Write as _;
use std::path::PathBuf;

use clap::Args;

use crate::error::{Error, Result};
use crate::release::RenderOptions;
use crate::values::ValueArgs;

/// The release name when none is given, as `helm template` uses.
pub const DEFAULT_RELEASE: &str = "release";

#[derive(Debug, Clone, Args)]
pub struct ReleaseFlags {
    /// Release name [default: release].
    #[arg(short = 'r', long = "release", value_name = "NAME")]
    pub release: Option<String>,
    /// Namespace the release is installed into; objects that name none are in it.
    #[arg(short = 'n', long = "namespace", default_value = "default")]
    pub namespace: String,
    /// Kubernetes version of the target cluster (e.g. 1.31 or v1.31.2).
    #[arg(long = "kube-version", value_name = "VERSION")]
    pub kube_version: Option<String>,
    /// Extra API versions the cluster serves (`monitoring.coreos.com/v1`); repeatable or comma-separated.
    #[arg(
        short = 'a',
        long = "api-versions",
        value_name = "GROUP/VERSION",
        value_delimiter = ','
    )]
    pub api_versions: Vec<String>,
}

impl ReleaseFlags {
    /// Render options for these flags and the given values; `release_name`
    /// overrides `--release` (render's `NAME CHART` form).
    pub fn render_options(&self, values: ValueArgs, release_name: Option<String>) -> RenderOptions {
        RenderOptions {
            release_name: release_name
                .or_else(|| self.release.clone())
                .unwrap_or_else(|| DEFAULT_RELEASE.to_string()),
            namespace: self.namespace.clone(),
            values,
            kube_version: self.kube_version.clone(),
            api_versions: self.api_versions.clone(),
            ..RenderOptions::default()
        }
    }
}

/// Writes a command's output to stdout; a closed pipe (`| head`) is not an error.
pub fn print_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Write {
            path: PathBuf::from("<stdout>"),
            source: e,
        }),
        _ => Ok(()),
    }
}
