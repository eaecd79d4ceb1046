//! The release and cluster flags every rendering command shares:
//! `-r/--release`, `-n/--namespace`, `--kube-version`, `--api-versions`.

use std::io::{IoSlice, Write};
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
    print_stdout_parts(&[text])
}

/// [`print_stdout`] of the parts one after another, handed to the system a
/// batch of parts per call (`writev`) instead of copied into one buffer
/// first: `skiff render` prints thousands of objects.
pub fn print_stdout_parts(parts: &[&str]) -> Result<()> {
    let mut slices: Vec<IoSlice> = parts.iter().map(|p| IoSlice::new(p.as_bytes())).collect();
    let mut stdout = std::io::stdout().lock();
    match write_all_vectored(&mut stdout, &mut slices).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Write {
            path: PathBuf::from("<stdout>"),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// `Write::write_all_vectored`, which is not stable yet.
fn write_all_vectored(out: &mut impl Write, mut slices: &mut [IoSlice<'_>]) -> std::io::Result<()> {
    IoSlice::advance_slices(&mut slices, 0);
    while !slices.is_empty() {
        match out.write_vectored(slices) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut slices, n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Takes at most 3 bytes per call from the first slice, and fails every
    /// other call with `Interrupted`, as a slow pipe may.
    struct Trickle {
        got: Vec<u8>,
        calls: usize,
    }

    impl Write for Trickle {
        fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
            self.calls += 1;
            if self.calls.is_multiple_of(2) {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let n = data.len().min(3);
            self.got.extend_from_slice(&data[..n]);
            Ok(n)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn vectored_writes_survive_short_and_interrupted_writes() {
        let parts = ["---\n", "", "a: 1\n", "---\nb: 22\n"];
        let mut slices: Vec<IoSlice> = parts.iter().map(|p| IoSlice::new(p.as_bytes())).collect();
        let mut out = Trickle {
            got: Vec::new(),
            calls: 0,
        };
        write_all_vectored(&mut out, &mut slices).expect("all written");
        assert_eq!(String::from_utf8(out.got).unwrap(), parts.concat());
    }
}
