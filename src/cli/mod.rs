//! The command line: flags (clap derive) and one `run` per subcommand. The
//! CLI only parses flags, calls the library and prints; exit codes come
//! from [`crate::error::Error::exit_code`] or a command's findings.

mod completion;
mod dependency;
mod diff;
mod lint;
mod package;
mod render;
mod repo;
mod show;
mod values;
mod values_flags;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::error::Result;

#[derive(Debug, Parser)]
#[command(
    name = "skiff",
    version,
    about = "Render, validate, package, lint and diff Kubernetes charts (Helm-compatible layout, Jinja templates)",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render a chart into Kubernetes manifests on stdout.
    #[command(visible_alias = "template")]
    Render(render::RenderArgs),
    /// Check a chart, its renders with the defaults and each ci/*.yaml, and the rendered objects.
    Lint(lint::LintArgs),
    /// Show a chart's Chart.yaml, values.yaml, values.schema.json or README.
    Show(show::ShowArgs),
    /// Print the final values (all layers merged), or explain where each came from.
    Values(values::ValuesArgs),
    /// Package a chart into a reproducible `<name>-<version>.tgz`.
    // `--version` is the chart version to set here, as in `helm package`.
    #[command(disable_version_flag = true)]
    Package(package::PackageArgs),
    /// Chart repository tools (`repo index`).
    #[command(subcommand)]
    Repo(repo::RepoCommand),
    /// Manage a chart's dependencies (`list`, `update`, `build`) and its Chart.lock.
    #[command(subcommand, visible_alias = "dep")]
    Dependency(dependency::DependencyCommand),
    /// Compare two renders object by object (charts, .tgz or manifest files); exit 1 when they differ.
    Diff(diff::DiffArgs),
    /// Print a shell completion script.
    Completion(completion::CompletionArgs),
}

/// Parses the process arguments, runs the command and returns its exit code.
pub fn main_with_args(args: impl IntoIterator<Item = std::ffi::OsString>) -> Result<i32> {
    let matches = match Cli::command().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            let code = if e.use_stderr() {
                crate::error::EXIT_ERROR
            } else {
                0
            };
            let _ = e.print();
            return Ok(code);
        }
    };
    let cli =
        Cli::from_arg_matches(&matches).map_err(|e| crate::error::Error::Usage(e.to_string()))?;
    let sub = matches.subcommand().map(|(_, m)| m);
    match cli.command {
        Command::Render(args) => render::run(&args, sub),
        Command::Lint(args) => lint::run(&args, sub),
        Command::Show(args) => show::run(&args),
        Command::Values(args) => values::run(&args, sub),
        Command::Package(args) => package::run(&args),
        Command::Repo(cmd) => repo::run(&cmd),
        Command::Dependency(cmd) => dependency::run(&cmd),
        Command::Diff(args) => diff::run(&args, sub),
        Command::Completion(args) => completion::run(&args),
    }
}
