//! Render errors that point at the chart file, the line and the expression.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use minijinja::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template failed: syntax, undefined value, a helper's error, fuel.
    #[error("{}{}: {message}{snippet}{}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default(), hint.as_ref().map(|h| format!("\nhint: {h}")).unwrap_or_default())]
    Template {
        path: PathBuf,
        line: Option<usize>,
        message: String,
        snippet: String,
        hint: Option<String>,
    },
    #[error(
        "a template's output would exceed {limit} bytes\nhint: a loop is probably running away; the limit is documented in docs/templates.md"
    )]
    TemplateTooLarge { limit: usize },
    #[error(
        "the release's output would exceed {limit} bytes\nhint: the limit is documented in docs/templates.md"
    )]
    ReleaseTooLarge { limit: usize },
    #[error("{}: not UTF-8 text; templates must be UTF-8", path.display())]
    NotUtf8 { path: PathBuf },
    #[error("{}: a library chart holds partials only and does not render on its own\nhint: render a chart that depends on it", path.display())]
    LibraryChart { path: PathBuf },
    #[error("internal error: {0}")]
    Internal(String),
}

/// Converts a minijinja error. The innermost template error is the one
/// reported (the include or import that led there is named after it), so
/// the user lands on the line that actually failed.
pub(crate) fn from_minijinja(
    err: &minijinja::Error,
    chart_source: &Path,
    source_of: &dyn Fn(&str) -> Option<String>,
) -> RenderError {
    let mut chain = vec![err];
    let mut cause = std::error::Error::source(err);
    while let Some(inner) = cause {
        if let Some(inner) = inner.downcast_ref::<minijinja::Error>() {
            chain.push(inner);
        }
        cause = inner.source();
    }
    let primary = chain
        .iter()
        .rev()
        .find(|e| e.name().is_some() && e.line().is_some())
        .copied()
        .unwrap_or(err);
    let name = primary.name().unwrap_or("?");
    let source = source_of(name);
    let expression = match (&source, primary.range()) {
        (Some(src), Some(range)) => src.get(range).map(str::to_string),
        _ => None,
    };
    let (message, hint) = describe(primary, expression.as_deref());
    let mut message = message;
    for outer in chain.iter().filter(|e| !std::ptr::eq(**e, primary)) {
        if let (Some(outer_name), Some(line)) = (outer.name(), outer.line())
            && outer_name != name
        {
            let _ = write!(
                message,
                "\n  included from {}:{line}",
                template_path(chart_source, outer_name).display()
            );
        }
    }
    let snippet = match (&source, primary.line()) {
        (Some(source), Some(line)) => snippet(source, line, primary.range()),
        _ => String::new(),
    };
    RenderError::Template {
        path: template_path(chart_source, name),
        line: primary.line(),
        message,
        snippet,
        hint,
    }
}

fn template_path(chart_source: &Path, name: &str) -> PathBuf {
    if name == super::COMPUTED_TEMPLATE {
        chart_source.join(name)
    } else {
        chart_source.join("templates").join(name)
    }
}

/// A message and a hint for each kind of failure.
fn describe(err: &minijinja::Error, expression: Option<&str>) -> (String, Option<String>) {
    let detail = err.detail().map(str::to_string);
    let quoted = expression.map(|e| format!(" `{e}`")).unwrap_or_default();
    match err.kind() {
        ErrorKind::OutOfFuel => (
            "the template ran too long (out of fuel): a loop or recursion does not end".into(),
            Some("the limit is documented in docs/templates.md".into()),
        ),
        ErrorKind::UndefinedError => (
            format!(
                "undefined value{quoted}{}",
                detail.map(|d| format!(" ({d})")).unwrap_or_default()
            ),
            Some(
                "check the name; for an optional value use `x is defined` or `x | default(...)`"
                    .into(),
            ),
        ),
        ErrorKind::SyntaxError => (
            format!("syntax error: {}", detail.unwrap_or_default()),
            None,
        ),
        ErrorKind::TemplateNotFound => (
            format!("template not found: {}", detail.unwrap_or_default()),
            Some("include/import names are relative to templates/, e.g. \"_helpers.j2\"".into()),
        ),
        kind => (
            match detail {
                Some(d) => format!("{kind}: {d}"),
                None => kind.to_string(),
            },
            None,
        ),
    }
}

/// The offending line with a caret under the failing expression.
fn snippet(source: &str, line: usize, range: Option<std::ops::Range<usize>>) -> String {
    let Some(text) = source.lines().nth(line.saturating_sub(1)) else {
        return String::new();
    };
    let mut out = format!("\n{line:>5} | {text}");
    let line_start: usize = source
        .lines()
        .take(line.saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum();
    if let Some(range) = range
        && range.start >= line_start
        && range.start <= line_start + text.len()
    {
        let col = text
            .get(..range.start - line_start)
            .map_or(0, |s| s.chars().count());
        let width = source
            .get(range.start..range.end.min(line_start + text.len()))
            .map_or(1, |s| s.chars().count().max(1));
        let _ = write!(out, "\n      | {}{}", " ".repeat(col), "^".repeat(width));
    }
    out
}
