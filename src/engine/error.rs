//! Render errors that point at the chart file, the line and the expression.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template failed: syntax, undefined value, a helper's error, fuel.
    #[error("{}{}: {message}{snippet}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Template { path: PathBuf, line: Option<usize>, message: String, snippet: String },
    #[error("a template's output would exceed {limit} bytes\nhint: a loop is probably running away; the limit is documented in docs/templates.md")]
    TemplateTooLarge { limit: usize },
    #[error("the release's output would exceed {limit} bytes\nhint: the limit is documented in docs/templates.md")]
    ReleaseTooLarge { limit: usize },
    #[error("{}: not UTF-8 text; templates must be UTF-8", path.display())]
    NotUtf8 { path: PathBuf },
    #[error("internal error: {0}")]
    Internal(String),
}

/// Converts a minijinja error, naming the chart file of the innermost template.
pub(crate) fn from_minijinja(err: &minijinja::Error, chart_source: &Path, source: Option<&str>) -> RenderError {
    let name = err.name().unwrap_or("?");
    let path = if name == super::COMPUTED_TEMPLATE {
        chart_source.join(name)
    } else {
        chart_source.join("templates").join(name)
    };
    let mut message = match (err.kind(), err.detail()) {
        (minijinja::ErrorKind::OutOfFuel, _) => {
            "the template ran too long (out of fuel): a loop or recursion does not end\nhint: the limit is documented in docs/templates.md".to_string()
        }
        (minijinja::ErrorKind::UndefinedError, detail) => format!(
            "undefined value{}\nhint: check the name; use `x is defined` or `x | default(...)` for optional values",
            detail.map(|d| format!(" ({d})")).unwrap_or_default()
        ),
        (kind, Some(detail)) => format!("{kind}: {detail}"),
        (kind, None) => kind.to_string(),
    };
    let mut cause = std::error::Error::source(err);
    while let Some(inner) = cause {
        if let Some(inner) = inner.downcast_ref::<minijinja::Error>() {
            let _ = write!(message, "\n  caused by: {}", inner.detail().unwrap_or_default());
        } else {
            let _ = write!(message, "\n  caused by: {inner}");
        }
        cause = inner.source();
    }
    let snippet = match (source, err.line()) {
        (Some(source), Some(line)) => snippet(source, line, err.range()),
        _ => String::new(),
    };
    RenderError::Template { path, line: err.line(), message, snippet }
}

/// The offending line with a caret under the failing expression.
fn snippet(source: &str, line: usize, range: Option<std::ops::Range<usize>>) -> String {
    let Some(text) = source.lines().nth(line.saturating_sub(1)) else { return String::new() };
    let mut out = format!("\n{line:>5} | {text}");
    let line_start: usize = source.lines().take(line.saturating_sub(1)).map(|l| l.len() + 1).sum();
    if let Some(range) = range
        && range.start >= line_start
        && range.start <= line_start + text.len()
    {
        let col = text.get(..range.start - line_start).map_or(0, |s| s.chars().count());
        let width = source
            .get(range.start..range.end.min(line_start + text.len()))
            .map_or(1, |s| s.chars().count().max(1));
        let _ = write!(out, "\n      | {}{}", " ".repeat(col), "^".repeat(width));
    }
    out
}
