//! Render errors that point at the chart file, the line and the expression.

use std::fmt::Write as _;
use std::path::PathBuf;

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
    path_of: &dyn Fn(&str) -> PathBuf,
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
    let (mut message, mut hint) = describe(primary, expression.as_deref());
    if source.as_deref().is_some_and(looks_like_go_template) {
        message =
            format!("looks like a Go template (Helm chart); Skiff charts use Jinja ({message})");
        hint = Some(
            "port the templates to Jinja: `{{ .Values.x }}` becomes `{{ values.x }}`, \
             `{{ include \"name\" . }}` a macro or `{% include %}`, `{{ if }}...{{ end }}` \
             `{% if %}...{% endif %}`; see docs/templates.md"
                .into(),
        );
    }
    for outer in chain.iter().filter(|e| !std::ptr::eq(**e, primary)) {
        if let (Some(outer_name), Some(line)) = (outer.name(), outer.line())
            && outer_name != name
        {
            let _ = write!(
                message,
                "\n  included from {}:{line}",
                path_of(outer_name).display()
            );
        }
    }
    let snippet = match (&source, primary.line()) {
        (Some(source), Some(line)) => snippet(source, line, primary.range()),
        _ => String::new(),
    };
    RenderError::Template {
        path: path_of(name),
        line: primary.line(),
        message,
        snippet,
        hint,
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
            match detail {
                Some(d) => format!("undefined value: {d}"),
                None => format!("undefined value{quoted}"),
            },
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
            Some("include/import names are relative to templates/, e.g. \"_helpers.j2\"; a library dependency's partials are \"<library>/<file>\", e.g. \"common/_names.j2\"".into()),
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

/// Whether `source` uses Go template syntax, as a Helm chart's templates
/// do: a `{{` action (after an optional `-` and spaces) that starts with
/// `.` or `$` (`{{ .Values.x }}`, `{{ $name }}`), a `/*` comment, or a Go
/// keyword or Helm function that is no Jinja expression (`include "x" .`,
/// `define`, `template`, `end`, `else`, `if`, `range`, `with`, `block`).
/// Only consulted once rendering already failed, so a false positive only
/// changes the wording of an error.
pub(crate) fn looks_like_go_template(source: &str) -> bool {
    source.match_indices("{{").any(|(at, _)| {
        let rest = &source[at + 2..];
        let rest = rest.strip_prefix('-').unwrap_or(rest).trim_start();
        if rest.starts_with("/*") {
            return true;
        }
        if let Some(after) = rest.strip_prefix('.') {
            return after
                .chars()
                .next()
                .is_none_or(|c| c.is_ascii_alphabetic() || c == '}' || c.is_whitespace());
        }
        if rest.starts_with('$') {
            return true;
        }
        let word: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let after = rest[word.len()..].trim_start();
        match word.as_str() {
            "end" => after.starts_with('}') || after.starts_with('-'),
            "else" => after.starts_with('}') || after.starts_with('-') || after.starts_with("if "),
            "include" | "define" | "template" | "block" => after.starts_with('"'),
            "if" | "range" | "with" => after.starts_with('.') || after.starts_with('$'),
            _ => false,
        }
    })
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

#[cfg(test)]
mod tests {
    use super::looks_like_go_template;

    #[test]
    fn recognises_go_templates() {
        for go in [
            "name: {{ .Values.name }}",
            "name: {{- .Release.Name }}",
            "{{ include \"demo.labels\" . | nindent 4 }}",
            "{{- define \"demo.name\" -}}x{{- end }}",
            "{{ template \"x\" . }}",
            "{{ if .Values.on }}a{{ end }}",
            "{{- range $k, $v := .Values.env }}",
            "{{ $name := \"x\" }}",
            "{{/* a comment */}}",
            "{{ . }}",
        ] {
            assert!(looks_like_go_template(go), "{go}");
        }
    }

    #[test]
    fn leaves_jinja_alone() {
        for jinja in [
            "name: {{ values.name }}",
            "{{- values.labels | toyaml | nindent(4) }}",
            "{% if values.on %}a{% endif %}",
            "{{ include_file }}",
            "{{ ending }}",
            "{{ range(3) | list }}",
            "{{ '.' ~ x }}",
        ] {
            assert!(!looks_like_go_template(jinja), "{jinja}");
        }
    }
}
