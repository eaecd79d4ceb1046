//! The compact unified view of an object's canonical YAML, as data: printers
//! decide how to show (and colour) each line.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

/// What a line of the unified view is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineTag {
    /// `@@ -a,b +c,d @@`
    Hunk,
    Context,
    Removed,
    Added,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnifiedLine {
    pub tag: LineTag,
    /// The line without its prefix (` `, `-`, `+`) or newline.
    pub text: String,
}

impl UnifiedLine {
    /// The line as `diff -u` prints it.
    pub fn prefixed(&self) -> String {
        match self.tag {
            LineTag::Hunk => self.text.clone(),
            LineTag::Context => format!(" {}", self.text),
            LineTag::Removed => format!("-{}", self.text),
            LineTag::Added => format!("+{}", self.text),
        }
    }
}

/// Hunks of changed lines between two texts, with `context` lines around each.
pub fn unified(old: &str, new: &str, context: usize) -> Vec<UnifiedLine> {
    let diff = TextDiff::from_lines(old, new);
    let mut out = Vec::new();
    for hunk in diff.unified_diff().context_radius(context).iter_hunks() {
        out.push(UnifiedLine {
            tag: LineTag::Hunk,
            text: hunk.header().to_string(),
        });
        for change in hunk.iter_changes() {
            let tag = match change.tag() {
                ChangeTag::Equal => LineTag::Context,
                ChangeTag::Delete => LineTag::Removed,
                ChangeTag::Insert => LineTag::Added,
            };
            let text = change
                .value()
                .strip_suffix('\n')
                .unwrap_or(change.value())
                .to_string();
            out.push(UnifiedLine { tag, text });
        }
    }
    out
}

/// A whole text as added (or removed) lines: the view of an added (removed) object.
pub fn whole(text: &str, tag: LineTag) -> Vec<UnifiedLine> {
    text.lines()
        .map(|line| UnifiedLine {
            tag,
            text: line.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_have_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\n";
        let new = "a\nb\nc\nD\ne\nf\ng\n";
        let lines: Vec<String> = unified(old, new, 1)
            .iter()
            .map(UnifiedLine::prefixed)
            .collect();
        assert_eq!(lines, ["@@ -3,3 +3,3 @@", " c", "-d", "+D", " e"]);
        assert!(unified(old, old, 3).is_empty());
    }
}
