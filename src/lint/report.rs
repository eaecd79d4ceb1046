//! Printers for a lint [`Report`]: text for people, json for programs.
//! The json shape is documented in docs/lint.md and is stable.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Finding, Report, Summary, grouped};

/// Text: one line per finding, grouped (the chart's files, then each value
/// set), each followed by its hint, then a summary line.
///
/// ```text
/// error[service-selector] ci/prod.yaml Service/web: spec.selector (app=x) matches ...
///   hint: make spec.selector a subset of a workload's pod template labels
/// ```
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    for (_, findings) in grouped(report) {
        for f in findings {
            let place = f.value_set.as_deref().unwrap_or(&f.location);
            let object = f
                .object
                .as_deref()
                .map(|o| format!(" {o}"))
                .unwrap_or_default();
            let mut lines = f.message.lines();
            let _ = writeln!(
                out,
                "{}[{}] {place}{object}: {}",
                f.severity.as_str(),
                f.rule,
                lines.next().unwrap_or("")
            );
            for line in lines {
                let _ = writeln!(out, "    {line}");
            }
            if !f.hint.is_empty() {
                let _ = writeln!(out, "  hint: {}", f.hint.replace('\n', "\n        "));
            }
        }
        out.push('\n');
    }
    let s = report.summary();
    let chart = if report.chart.is_empty() {
        "chart"
    } else {
        report.chart.as_str()
    };
    let _ = writeln!(
        out,
        "{chart}: {} error{}, {} warning{}, {} info ({} value set{}: {})",
        s.errors,
        plural(s.errors),
        s.warnings,
        plural(s.warnings),
        s.info,
        report.value_sets.len(),
        plural(report.value_sets.len()),
        report.value_sets.join(", ")
    );
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[derive(Serialize)]
struct Json<'a> {
    findings: &'a [Finding],
    summary: Summary,
}

/// JSON: `{"findings":[{"severity","rule","value_set","location","object",
/// "message","hint"}],"summary":{"errors","warnings","info"}}`, findings in
/// the order the text printer shows them.
pub fn json(report: &Report) -> String {
    let ordered: Vec<Finding> = grouped(report)
        .into_iter()
        .flat_map(|(_, list)| list)
        .cloned()
        .collect();
    let doc = Json {
        findings: &ordered,
        summary: report.summary(),
    };
    // Serialising plain strings and numbers cannot fail.
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
