//! `-o markdown`: the report as a pull-request comment (GitHub-flavoured
//! Markdown): a heading with the counts, a table of the objects that differ,
//! then one collapsed `<details>` per object with its fields and its diff.

use std::fmt::Write as _;

use super::{Change, FieldChange, FieldOp, Report};

/// Longest value shown in a table cell; the unified view has the whole value.
const MAX_VALUE_CHARS: usize = 80;

pub fn render(report: &Report, summary_only: bool) -> String {
    let s = &report.summary;
    let mut out = String::new();
    if report.is_empty() {
        let _ = writeln!(
            out,
            "### skiff diff: no changes ({} objects unchanged)",
            s.unchanged
        );
        return out;
    }
    let _ = writeln!(out, "### skiff diff: {}\n", super::text::summary_line(s));
    if summary_only {
        return out;
    }
    out.push_str(
        "| Change | Kind | Namespace | Name | Fields |\n| --- | --- | --- | --- | ---: |\n",
    );
    for c in &report.changes {
        let kind = if c.id.group.is_empty() {
            c.id.kind.clone()
        } else {
            format!("{}.{}", c.id.kind, c.id.group)
        };
        let fields = if c.fields.is_empty() {
            String::new()
        } else {
            c.fields.len().to_string()
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {fields} |",
            c.change.as_str(),
            code(&kind),
            if c.id.namespace.is_empty() {
                String::new()
            } else {
                code(&c.id.namespace)
            },
            code(&c.id.name),
        );
    }
    for c in &report.changes {
        out.push('\n');
        write_details(&mut out, c);
    }
    out
}

fn write_details(out: &mut String, c: &Change) {
    let _ = writeln!(
        out,
        "<details>\n<summary>{} <code>{}</code></summary>\n",
        c.change.as_str(),
        html_escape(&c.id.to_string())
    );
    if !c.fields.is_empty() {
        out.push_str("| Field | Old | New |\n| --- | --- | --- |\n");
        for f in &c.fields {
            write_field_row(out, f);
        }
        out.push('\n');
    }
    if !c.unified.is_empty() {
        let body: String = c
            .unified
            .iter()
            .map(|l| format!("{}\n", l.prefixed()))
            .collect();
        let fence = "`".repeat(longest_backtick_run(&body).max(2) + 1);
        let _ = writeln!(out, "{fence}diff\n{body}{fence}\n");
    }
    out.push_str("</details>\n");
}

fn write_field_row(out: &mut String, f: &FieldChange) {
    let cell = |v| code(&super::json::compact(v, MAX_VALUE_CHARS));
    let (old, new) = match f.op {
        FieldOp::Added => ("—".to_string(), cell(f.new.as_ref())),
        FieldOp::Removed => (cell(f.old.as_ref()), "—".to_string()),
        FieldOp::Changed => (cell(f.old.as_ref()), cell(f.new.as_ref())),
        FieldOp::Reordered => (
            format!("{} (order)", cell(f.old.as_ref())),
            format!("{} (order)", cell(f.new.as_ref())),
        ),
    };
    let _ = writeln!(out, "| {} | {old} | {new} |", code(&f.path.to_string()));
}

/// An inline code span that survives a table cell: `|` escaped, and a fence
/// longer than any run of backticks inside.
fn code(text: &str) -> String {
    let text = text.replace('|', "\\|");
    let fence = "`".repeat(longest_backtick_run(&text) + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

fn longest_backtick_run(text: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_survive_tables_and_backticks() {
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("x`y"), "``x`y``");
        assert_eq!(code("`x"), "`` `x ``");
    }
}
