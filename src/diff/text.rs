//! `-o text`: the report for a terminal or a CI log.

use std::fmt::Write as _;

use super::{Change, ChangeKind, FieldChange, FieldOp, LineTag, Report, Summary};

/// Longest value shown inline after a field path; the unified view (and
/// `-o json`) has the whole value.
const MAX_VALUE_CHARS: usize = 100;

#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// ANSI colours (the CLI decides: terminal, `NO_COLOR`, `--color`).
    pub color: bool,
    /// Counts only.
    pub summary_only: bool,
}

#[derive(Clone, Copy)]
enum Style {
    Bold,
    Red,
    Green,
    Yellow,
    Cyan,
    Dim,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Bold => "1",
            Style::Red => "31",
            Style::Green => "32",
            Style::Yellow => "33",
            Style::Cyan => "36",
            Style::Dim => "2",
        }
    }
}

struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("\x1b[{}m{text}\x1b[0m", style.code())
        } else {
            text.to_string()
        }
    }
}

pub fn render(report: &Report, opts: TextOptions) -> String {
    let p = Painter { color: opts.color };
    let mut out = String::new();
    if !opts.summary_only {
        for change in &report.changes {
            write_change(&mut out, change, &p);
            out.push('\n');
        }
    }
    let _ = writeln!(
        out,
        "{}",
        p.paint(Style::Bold, &summary_line(&report.summary))
    );
    out
}

/// `1 added, 0 removed, 2 changed, 5 unchanged`
pub fn summary_line(s: &Summary) -> String {
    format!(
        "{} added, {} removed, {} changed, {} unchanged",
        s.added, s.removed, s.changed, s.unchanged
    )
}

fn write_change(out: &mut String, change: &Change, p: &Painter) {
    let style = match change.change {
        ChangeKind::Added => Style::Green,
        ChangeKind::Removed => Style::Red,
        ChangeKind::Changed => Style::Yellow,
    };
    let source = change
        .new_source
        .as_deref()
        .or(change.old_source.as_deref())
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{} {}  {}",
        p.paint(style, change.change.as_str()),
        p.paint(Style::Bold, &change.id.to_string()),
        p.paint(Style::Dim, &format!("# {source}"))
    );
    for field in &change.fields {
        write_field(out, field, p);
    }
    for line in &change.unified {
        let style = match line.tag {
            LineTag::Hunk => Some(Style::Cyan),
            LineTag::Context => None,
            LineTag::Removed => Some(Style::Red),
            LineTag::Added => Some(Style::Green),
        };
        let text = line.prefixed();
        let _ = writeln!(
            out,
            "    {}",
            style.map_or(text.clone(), |s| p.paint(s, &text))
        );
    }
}

fn write_field(out: &mut String, field: &FieldChange, p: &Painter) {
    let old = super::json::compact(field.old.as_ref(), MAX_VALUE_CHARS);
    let new = super::json::compact(field.new.as_ref(), MAX_VALUE_CHARS);
    let path = field.path.to_string();
    let _ = match field.op {
        FieldOp::Added => writeln!(out, "  {} {path}: {new}", p.paint(Style::Green, "+")),
        FieldOp::Removed => writeln!(out, "  {} {path}: {old}", p.paint(Style::Red, "-")),
        FieldOp::Changed => writeln!(
            out,
            "  {} {path}: {old} → {new}",
            p.paint(Style::Yellow, "~")
        ),
        FieldOp::Reordered => writeln!(
            out,
            "  {} {path} reordered: {old} → {new}",
            p.paint(Style::Yellow, "~")
        ),
    };
}
