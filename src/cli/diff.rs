//! `skiff diff OLD NEW`: compare two renders object by object. Exit 0 when
//! equal, 1 when different, 2 on error, like diff(1).

use std::io::IsTerminal as _;
use std::path::PathBuf;

use clap::{ArgMatches, Args, ValueEnum};

use super::release_flags::{ReleaseFlags, print_stdout};
use super::values_flags::ValueFlags;
use crate::diff::{self, DiffOptions, Input, PathPattern, text::TextOptions};
use crate::error::{EXIT_FINDINGS, Error, Result};
use crate::release::RenderOptions;
use crate::values::ValueArgs;
use crate::values::strvals::SetKind;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old side: a chart folder, a .tgz, a rendered manifest file, or - for stdin.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The new side: a chart folder, a .tgz, a rendered manifest file, or - for stdin.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    #[command(flatten)]
    pub release: ReleaseFlags,
    #[command(flatten)]
    pub values: ValueFlags,
    /// A values file for the old side only, after the shared ones; repeatable.
    #[arg(long = "old-values", value_name = "FILE")]
    pub old_values: Vec<PathBuf>,
    /// A --set for the old side only, after the shared ones; repeatable.
    #[arg(long = "old-set", value_name = "PATH=VALUE")]
    pub old_set: Vec<String>,
    /// A values file for the new side only, after the shared ones; repeatable.
    #[arg(long = "new-values", value_name = "FILE")]
    pub new_values: Vec<PathBuf>,
    /// A --set for the new side only, after the shared ones; repeatable.
    #[arg(long = "new-set", value_name = "PATH=VALUE")]
    pub new_set: Vec<String>,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Text)]
    pub output: Format,
    /// Print the counts only.
    #[arg(long = "summary")]
    pub summary: bool,
    /// Lines of context in the unified view.
    #[arg(short = 'U', long = "context", value_name = "N", default_value_t = 3)]
    pub context: usize,
    /// Show Secret data and stringData values instead of masking them.
    #[arg(long = "show-secrets")]
    pub show_secrets: bool,
    /// Drop a field before comparing (`metadata.labels.helm\.sh/chart`, `spec.template.spec.containers[*].image`); repeatable.
    #[arg(long = "ignore", value_name = "PATH")]
    pub ignore: Vec<String>,
    /// Colour the text output: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long = "color", value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl DiffArgs {
    fn render_options(&self, values: ValueArgs) -> RenderOptions {
        self.release.render_options(values, None)
    }

    /// One side's values: the shared flags, then that side's own.
    fn side_values(shared: &ValueArgs, files: &[PathBuf], sets: &[String]) -> ValueArgs {
        let mut values = shared.clone();
        values.files.extend(files.iter().cloned());
        values
            .sets
            .extend(sets.iter().map(|s| (SetKind::Auto, s.clone())));
        values
    }

    /// Refuses flags that cannot apply, and stdin read twice.
    fn check(&self, old: &Input, new: &Input, shared: &ValueArgs) -> Result<()> {
        let is_stdin = |p: &PathBuf| p.as_os_str() == "-";
        let shared_given = !shared.files.is_empty() || !shared.sets.is_empty();
        if shared_given && !old.is_chart() && !new.is_chart() {
            return Err(Error::Usage(
                "value flags (-f, --set, ...) apply to charts, but neither OLD nor NEW is a chart\nhint: a chart is a folder or a .tgz".into(),
            ));
        }
        for (flag_given, input, side) in [
            (
                !self.old_values.is_empty() || !self.old_set.is_empty(),
                old,
                "OLD",
            ),
            (
                !self.new_values.is_empty() || !self.new_set.is_empty(),
                new,
                "NEW",
            ),
        ] {
            if flag_given && !input.is_chart() {
                return Err(Error::Usage(format!(
                    "--{}-values/--{}-set apply to a chart, but {side} is a manifest stream",
                    side.to_lowercase(),
                    side.to_lowercase()
                )));
            }
        }
        // A shared `-f -` is read once and serves both chart sides.
        let shared_stdin = shared.files.iter().filter(|p| is_stdin(p)).count();
        let stdin_readers = usize::from(*old == Input::Stdin)
            + usize::from(*new == Input::Stdin)
            + shared_stdin * usize::from(old.is_chart() || new.is_chart())
            + self.old_values.iter().filter(|p| is_stdin(p)).count()
            + self.new_values.iter().filter(|p| is_stdin(p)).count();
        if stdin_readers > 1 {
            return Err(Error::Usage(
                "stdin (-) can be read only once: give at most one of OLD, NEW or a values file as -".into(),
            ));
        }
        Ok(())
    }

    fn use_color(&self) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

pub fn run(args: &DiffArgs, matches: Option<&ArgMatches>) -> Result<i32> {
    let old = Input::from_arg(&args.old);
    let new = Input::from_arg(&args.new);
    let shared = args.values.to_value_args(matches);
    args.check(&old, &new, &shared)?;
    let ignore = args
        .ignore
        .iter()
        .map(|p| PathPattern::parse(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(diff::DiffError::from)?;
    // The shared -f files are read once (one of them may be stdin) and put
    // below each chart side's own files, then all the --set flags, in the
    // order one side's flags would layer them.
    let shared_files = if old.is_chart() && new.is_chart() {
        let files = ValueArgs {
            files: shared.files.clone(),
            sets: Vec::new(),
        };
        Some(files.layers()?)
    } else {
        None
    };
    let load = |input: &Input, files: &[PathBuf], sets: &[String]| -> Result<_> {
        let values = DiffArgs::side_values(&shared, files, sets);
        let layers = match &shared_files {
            Some(shared_files) => {
                let own = ValueArgs {
                    files: files.to_vec(),
                    sets: values.sets.clone(),
                };
                let mut layers = shared_files.clone();
                layers.extend(own.layers()?);
                Some(layers)
            }
            None => None,
        };
        input.load(&args.render_options(values), layers)
    };
    let old_objects = load(&old, &args.old_values, &args.old_set)?;
    let new_objects = load(&new, &args.new_values, &args.new_set)?;
    let opts = DiffOptions {
        context: args.context,
        show_secrets: args.show_secrets,
        ignore,
        namespace: args.release.namespace.clone(),
    };
    let report = diff::diff(&old_objects, &new_objects, &opts)?;
    let text = match args.output {
        Format::Text => diff::text::render(
            &report,
            TextOptions {
                color: args.use_color(),
                summary_only: args.summary,
            },
        ),
        // A serde_json::Value always encodes; `{:#}` is to_string_pretty.
        Format::Json => format!("{:#}\n", diff::json::report(&report, args.summary)),
        Format::Markdown => diff::markdown::render(&report, args.summary),
    };
    print_stdout(&text)?;
    Ok(if report.is_empty() { 0 } else { EXIT_FINDINGS })
}
