//! The canonical YAML writer: one `serde_yaml::Value` → block-style text that
//! every YAML reader a Kubernetes user meets reads back as the same value.
//!
//! Readers we must satisfy at once:
//! - YAML 1.2 core schema readers (serde_yaml/libyaml, go-yaml v3): `1e3`,
//!   `0o17`, `.5`, `+1` are numbers, `yes`/`on` are strings;
//! - YAML 1.1 readers (PyYAML, go-yaml v2 behind `sigs.k8s.io/yaml`, which
//!   kubectl and Helm use): `yes`/`no`/`on`/`off`/`y`/`n` are booleans,
//!   `0777` is octal, `1_000` and `12:30` (sexagesimal) are integers,
//!   `2001-12-14` is a timestamp, `<<` is a merge key and `=` a value key.
//!
//! A string is therefore written plain only when no reader of either family
//! would resolve it to anything but that string; the ambiguity test is a
//! slight superset of the union of both schemas (over-quoting is harmless,
//! under-quoting changes a user's value), done with byte checks, no regex.
//!
//! Layout follows `kubectl get -o yaml` (go-yaml): 2-space indentation, keys
//! in authored order, and a sequence under a mapping key is *not* indented
//! further (`containers:\n- name: x`). That is what Helm's `toYaml` and
//! kubectl print, so rendered charts diff cleanly against live objects and
//! against Helm's own output; it also keeps deep pod specs narrower.

use serde_yaml::{Mapping, Number, Value};
use std::fmt::Write as _;

/// How a string scalar is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// As is: safe and unambiguous for YAML 1.1 and 1.2 readers.
    Plain,
    /// `'...'` with `'` doubled: printable text that must not be plain.
    SingleQuoted,
    /// `"..."` with escapes: control or non-printable characters, or line
    /// breaks a literal block cannot carry exactly.
    DoubleQuoted,
    /// `|` literal block scalar: multi-line text.
    Literal,
}

/// [`write_yaml`] into a new string.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write_yaml(&mut out, value);
    out
}

/// Writes `value` as one YAML document body (no `---`), block style, ending
/// with a newline. A document that ends in a `|+` block scalar ends with
/// its own trailing empty lines: callers must not add blank lines after it
/// (the next `---` line is fine).
pub fn write_yaml(out: &mut String, value: &Value) {
    match value {
        Value::Mapping(map) if !map.is_empty() => write_mapping(out, map, 0, false),
        Value::Sequence(seq) if !seq.is_empty() => write_sequence(out, seq, 0, false),
        Value::Tagged(tagged) => write_tagged(out, tagged, 0, 2),
        // A top-level literal block is indented too: a content line at
        // column 0 could read as `---`, `...` or a `%` directive.
        scalar => write_scalar_line(out, scalar, 2),
    }
}

/// Writes the entries of a non-empty mapping whose keys sit at column
/// `indent`. With `first_inline`, the cursor is already placed after `- `
/// on the first entry's line.
fn write_mapping(out: &mut String, map: &Mapping, indent: usize, first_inline: bool) {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !first_inline {
            push_indent(out, indent);
        }
        if write_simple_key(out, key) {
            out.push(':');
            write_after_indicator(out, value, indent, false);
        } else {
            // Explicit key: `? <flow key>` then `:` on the next line.
            out.push_str("? ");
            write_flow(out, key);
            out.push('\n');
            push_indent(out, indent);
            out.push(':');
            write_after_indicator(out, value, indent, true);
        }
    }
}

/// Writes the items of a non-empty sequence whose dashes sit at column
/// `indent`.
fn write_sequence(out: &mut String, seq: &[Value], indent: usize, first_inline: bool) {
    for (i, item) in seq.iter().enumerate() {
        if i > 0 || !first_inline {
            push_indent(out, indent);
        }
        out.push('-');
        write_after_dash(out, item, indent);
    }
}

/// Writes a sequence item right after its `-` at column `indent`: a
/// mapping or sequence starts on the same line (`- key: v`, `- - x`).
pub(crate) fn write_after_dash(out: &mut String, item: &Value, indent: usize) {
    match item {
        Value::Mapping(map) if !map.is_empty() => {
            out.push(' ');
            write_mapping(out, map, indent + 2, true);
        }
        Value::Sequence(inner) if !inner.is_empty() => {
            out.push(' ');
            write_sequence(out, inner, indent + 2, true);
        }
        _ => write_after_indicator(out, item, indent, true),
    }
}

/// Writes a node right after a `key:` or `-`/`:` indicator at column
/// `indent` (the cursor is just after the indicator). `nested_seq_indent`
/// asks for a block sequence to be indented by 2 instead of the compact
/// kubectl form; it is used where the compact form is not allowed or is
/// unclear to readers (after a tag, after an explicit-key `:`).
pub(crate) fn write_after_indicator(
    out: &mut String,
    value: &Value,
    indent: usize,
    nested_seq_indent: bool,
) {
    match value {
        Value::Mapping(map) if !map.is_empty() => {
            out.push('\n');
            write_mapping(out, map, indent + 2, false);
        }
        Value::Sequence(seq) if !seq.is_empty() => {
            out.push('\n');
            let seq_indent = if nested_seq_indent {
                indent + 2
            } else {
                indent
            };
            write_sequence(out, seq, seq_indent, false);
        }
        Value::Tagged(tagged) => {
            out.push(' ');
            write_tagged(out, tagged, indent + 2, indent + 2);
        }
        scalar => {
            out.push(' ');
            write_scalar_line(out, scalar, indent + 2);
        }
    }
}

/// Writes a scalar (or an empty collection) and ends the line. A literal
/// block's content lines go at column `block_indent`.
fn write_scalar_line(out: &mut String, value: &Value, block_indent: usize) {
    match value {
        Value::String(s) => write_str_line(out, s, string_style(s), block_indent),
        other => {
            write_inline_scalar(out, other);
            out.push('\n');
        }
    }
}

/// [`write_scalar_line`] for a string written in `style` (its
/// [`string_style`], or [`one_line_style`] where that is known to agree).
pub(crate) fn write_str_line(out: &mut String, s: &str, style: Style, block_indent: usize) {
    match style {
        Style::Literal => write_literal(out, s, block_indent),
        style => {
            write_string_inline(out, s, style);
            out.push('\n');
        }
    }
}

/// Writes a scalar that needs no block context: null, bool, number, empty
/// collections. Strings and non-empty collections are handled by callers;
/// if one arrives here it is written in flow style, which is always valid.
fn write_inline_scalar(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, n),
        Value::Mapping(map) if map.is_empty() => out.push_str("{}"),
        Value::Sequence(seq) if seq.is_empty() => out.push_str("[]"),
        other => write_flow(out, other),
    }
}

/// Writes a mapping key that can be an implicit (simple) key and returns
/// true, or writes nothing and returns false when the key needs the explicit
/// `? ` form: collections, tagged values, multi-line strings, and keys over
/// YAML's 1024-character limit for implicit keys.
pub(crate) fn write_simple_key(out: &mut String, key: &Value) -> bool {
    match key {
        Value::String(s) => write_str_key(out, s, string_style(s)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {
            write_inline_scalar(out, key);
            true
        }
        Value::Sequence(_) | Value::Mapping(_) | Value::Tagged(_) => false,
    }
}

/// [`write_simple_key`] for a string key whose [`string_style`] (or
/// [`one_line_style`]) is `style`.
pub(crate) fn write_str_key(out: &mut String, s: &str, style: Style) -> bool {
    if s.len() > 1000 {
        return false;
    }
    let style = match style {
        Style::Literal => Style::DoubleQuoted,
        style => style,
    };
    write_string_inline(out, s, style);
    true
}

/// Flow style, used only for explicit (complex) keys: strings are always
/// double-quoted so no flow-indicator rules apply.
fn write_flow(out: &mut String, value: &Value) {
    match value {
        Value::String(s) => write_double_quoted(out, s),
        Value::Sequence(seq) => {
            out.push('[');
            for (i, item) in seq.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_flow(out, item);
            }
            out.push(']');
        }
        Value::Mapping(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_flow(out, k);
                out.push_str(": ");
                write_flow(out, v);
            }
            out.push('}');
        }
        Value::Tagged(tagged) => {
            write_tag(out, &tagged.tag);
            out.push(' ');
            write_flow(out, &tagged.value);
        }
        scalar => write_inline_scalar(out, scalar),
    }
}

fn write_string_inline(out: &mut String, s: &str, style: Style) {
    match style {
        Style::Plain => out.push_str(s),
        Style::SingleQuoted => write_single_quoted(out, s),
        Style::DoubleQuoted | Style::Literal => write_double_quoted(out, s),
    }
}

/// `!tag` and its value: a mapping or sequence on the next lines at
/// `child_indent`, a scalar on the same line (continuing at `scalar_indent`).
fn write_tagged(
    out: &mut String,
    tagged: &serde_yaml::value::TaggedValue,
    child_indent: usize,
    scalar_indent: usize,
) {
    write_tag(out, &tagged.tag);
    match &tagged.value {
        Value::Mapping(map) if !map.is_empty() => {
            out.push('\n');
            write_mapping(out, map, child_indent, false);
        }
        Value::Sequence(seq) if !seq.is_empty() => {
            out.push('\n');
            write_sequence(out, seq, child_indent, false);
        }
        inner => {
            out.push(' ');
            write_scalar_line(out, inner, scalar_indent);
        }
    }
}

/// Writes a tag in shorthand form (`!name`). Bytes outside the characters a
/// tag shorthand may hold are percent-encoded, which YAML readers decode.
fn write_tag(out: &mut String, tag: &serde_yaml::value::Tag) {
    let text = tag.to_string();
    let name = text.strip_prefix('!').unwrap_or(&text);
    out.push('!');
    for &b in name.as_bytes() {
        let allowed = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_'
                    | b'.'
                    | b'~'
                    | b':'
                    | b'/'
                    | b';'
                    | b'?'
                    | b'@'
                    | b'&'
                    | b'='
                    | b'+'
                    | b'$'
                    | b'*'
                    | b'('
                    | b')'
                    | b'#'
            );
        if allowed {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

fn write_number(out: &mut String, n: &Number) {
    if let Some(i) = n.as_u64() {
        let _ = write!(out, "{i}");
    } else if let Some(i) = n.as_i64() {
        let _ = write!(out, "{i}");
    } else if let Some(f) = n.as_f64() {
        write_float(out, f);
    }
}

/// Writes a float so that YAML 1.1 and 1.2 readers read back the same f64:
/// the shortest round-trip digits, always with a `.` in the mantissa and a
/// signed exponent (`1.0e+100`), because YAML 1.1 reads `1e100` as a string.
fn write_float(out: &mut String, f: f64) {
    if f.is_nan() {
        out.push_str(".nan");
        return;
    }
    if f.is_infinite() {
        out.push_str(if f > 0.0 { ".inf" } else { "-.inf" });
        return;
    }
    let start = out.len();
    // Debug prints the shortest digits that round-trip, e.g. `1.0`, `1e100`.
    let _ = write!(out, "{f:?}");
    let text = &out[start..];
    match text.find('e') {
        Some(e) => {
            let has_dot = text[..e].contains('.');
            let signed = matches!(text.as_bytes().get(e + 1), Some(b'-' | b'+'));
            if !signed {
                out.insert(start + e + 1, '+');
            }
            if !has_dot {
                out.insert_str(start + e, ".0");
            }
        }
        None if !text.contains('.') => out.push_str(".0"),
        None => {}
    }
}

fn write_single_quoted(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('\'');
    for (i, part) in s.split('\'').enumerate() {
        if i > 0 {
            out.push_str("''");
        }
        out.push_str(part);
    }
    out.push('\'');
}

fn write_double_quoted(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if c < ' ' || is_non_printable(c) => {
                let code = u32::from(c);
                if code <= 0xFF {
                    let _ = write!(out, "\\x{code:02X}");
                } else {
                    let _ = write!(out, "\\u{code:04X}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes a literal block scalar (header, newline, content lines at column
/// `indent`). Only called for strings `string_style` marked `Literal`.
///
/// Chomping is chosen so the value round-trips exactly: `|-` for no final
/// newline, `|` for one, `|+` for several. An indentation indicator is added
/// when the content starts with a space, a tab or an empty line, where a
/// reader's auto-detection would get the indentation wrong or fail.
fn write_literal(out: &mut String, s: &str, indent: usize) {
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    out.push('|');
    if body.starts_with([' ', '\t', '\n']) {
        out.push('2');
    }
    match trailing {
        0 => out.push('-'),
        1 => {}
        _ => out.push('+'),
    }
    out.push('\n');
    for line in body.split('\n') {
        if !line.is_empty() {
            push_indent(out, indent);
            out.push_str(line);
        }
        out.push('\n');
    }
    for _ in 1..trailing {
        out.push('\n');
    }
}

pub(crate) fn push_indent(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut left = n;
    while left > 0 {
        let step = left.min(SPACES.len());
        out.push_str(&SPACES[..step]);
        left -= step;
    }
}

/// Characters that YAML readers refuse in a stream, treat as line breaks, or
/// strip (a BOM at the start of a line): these are only safe escaped inside
/// double quotes. Tab and newline are handled by the callers.
fn is_non_printable(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{8}'
            | '\u{b}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{feff}'
            | '\u{fffe}'
            | '\u{ffff}'
    )
}

/// Picks how a string scalar is written (see [`Style`]).
///
/// - control or non-printable characters (tab included, on a single line)
///   → double quotes with escapes;
/// - line breaks → a literal block, unless a line ends in a space or tab
///   (literal blocks keep them, but editors and linters strip them, and
///   go-yaml falls back to double quotes in that case too) or the text is
///   only line breaks → double quotes;
/// - otherwise plain when plain is allowed and unambiguous, else single
///   quotes.
pub(crate) fn string_style(s: &str) -> Style {
    let mut has_break = false;
    let mut has_tab = false;
    let mut space_before_break = false;
    // Multi-byte characters never hold ASCII bytes, so breaks, tabs and
    // ASCII controls can be found byte by byte once the rest is printable.
    if !s.is_ascii() && s.chars().any(is_non_printable) {
        return Style::DoubleQuoted;
    }
    let mut prev = 0u8;
    for &b in s.as_bytes() {
        match b {
            b'\n' => {
                has_break = true;
                if prev == b' ' || prev == b'\t' {
                    space_before_break = true;
                }
            }
            b'\t' => has_tab = true,
            0..=0x1f | 0x7f => return Style::DoubleQuoted,
            _ => {}
        }
        prev = b;
    }
    if has_break {
        let body = s.trim_end_matches('\n');
        let ends_in_space = body.ends_with([' ', '\t']);
        return if body.is_empty() || space_before_break || ends_in_space {
            Style::DoubleQuoted
        } else {
            Style::Literal
        };
    }
    if has_tab {
        return Style::DoubleQuoted;
    }
    one_line_style(s)
}

/// [`string_style`] of a string known to hold no line break, tab or
/// non-printable character (a plain scalar the fast reader read).
pub(crate) fn one_line_style(s: &str) -> Style {
    if is_plain_allowed(s) && !is_ambiguous(s) {
        Style::Plain
    } else {
        Style::SingleQuoted
    }
}

/// Whether the YAML grammar lets `s` (single line, no tabs or control
/// characters) be a plain scalar in block context, as a value or a key.
///
/// We deliberately allow `-x` (e.g. `--port=80`, as kubectl prints container
/// args) but quote anything starting with another indicator, `- `, `---` or
/// `...`, and anything containing `: ` or ` #` or ending in `:` or a space.
fn is_plain_allowed(s: &str) -> bool {
    let b = s.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return false;
    };
    match first {
        b'-' if b.len() == 1 || b[1] == b' ' || s.starts_with("---") => return false,
        b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|'
        | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' | b' ' => return false,
        b'.' if s.starts_with("...") => return false,
        _ => {}
    }
    if last == b' ' || last == b':' {
        return false;
    }
    !b.windows(2).any(|w| w == b": " || w == b" #")
}

/// Whether `b` holds `": "` (as [`is_plain_allowed`] looks; `str::contains`
/// sets up a substring searcher on every call).
pub(crate) fn holds_colon_space(b: &[u8]) -> bool {
    b.windows(2).any(|w| w == b": ")
}

/// Whether some YAML 1.1 or 1.2 reader would resolve the plain scalar `s` to
/// something other than a string (null, bool, int, float, timestamp, merge
/// or value key). A slight superset of those schemas, on purpose.
fn is_ambiguous(s: &str) -> bool {
    // The words below are at most 5 bytes and start with one of these.
    let may_be_word = s.len() <= 5
        && matches!(
            s.as_bytes().first(),
            None | Some(
                b'~' | b'n'
                    | b'N'
                    | b'y'
                    | b'Y'
                    | b't'
                    | b'T'
                    | b'f'
                    | b'F'
                    | b'o'
                    | b'O'
                    | b'<'
                    | b'='
            )
        );
    if may_be_word
        && matches!(
            s,
            "" | "~"
                | "null"
                | "Null"
                | "NULL"
                | "y"
                | "Y"
                | "yes"
                | "Yes"
                | "YES"
                | "n"
                | "N"
                | "no"
                | "No"
                | "NO"
                | "true"
                | "True"
                | "TRUE"
                | "false"
                | "False"
                | "FALSE"
                | "on"
                | "On"
                | "ON"
                | "off"
                | "Off"
                | "OFF"
                | "<<"
                | "="
        )
    {
        return true;
    }
    let b = s.as_bytes();
    let signed = matches!(b.first(), Some(b'+' | b'-'));
    let rest = if signed { &b[1..] } else { b };
    match rest.first() {
        Some(c) if c.is_ascii_digit() || *c == b'.' => {}
        _ => return false,
    }
    if matches!(
        rest,
        b".inf" | b".Inf" | b".INF" | b".nan" | b".NaN" | b".NAN"
    ) {
        return true;
    }
    // YAML 1.2 / serde_yaml / go-yaml: decimal ints and floats (`1e3`, `.5`).
    if s.parse::<f64>().is_ok() {
        return true;
    }
    // Prefixed ints: `0x1F`, `0o17` (1.2), `0b101`, with 1.1's underscores.
    if rest.len() > 2 && rest[0] == b'0' {
        let digits = &rest[2..];
        let all = |ok: fn(&u8) -> bool| digits.iter().all(|d| ok(d) || *d == b'_');
        match rest[1] {
            b'x' if all(u8::is_ascii_hexdigit) => return true,
            b'o' if all(|d| (b'0'..=b'7').contains(d)) => return true,
            b'b' if all(|d| matches!(d, b'0' | b'1')) => return true,
            _ => {}
        }
    }
    // YAML 1.1 ints (`1_000`, `0777`) and sexagesimal ints and floats
    // (`12:30`, `1:30.5`).
    if rest[0].is_ascii_digit()
        && rest
            .iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b'_' | b':' | b'.'))
        && (rest.contains(&b':') || !rest.contains(&b'.'))
    {
        return true;
    }
    // YAML 1.1 timestamps: `2001-12-14`, `2001-12-14t21:59:43.10-05:00`, ...
    if !signed
        && rest.len() >= 6
        && rest[..4].iter().all(u8::is_ascii_digit)
        && rest[4] == b'-'
        && rest[5].is_ascii_digit()
    {
        return true;
    }
    is_yaml11_float(b)
}

/// YAML 1.1's float form (PyYAML's resolver):
/// `[-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?` or `\.[0-9][0-9_]*(...)?`.
fn is_yaml11_float(b: &[u8]) -> bool {
    let mut i = 0;
    let signed = matches!(b.first(), Some(b'+' | b'-'));
    if signed {
        i = 1;
    }
    let digit_or_underscore = |c: u8| c.is_ascii_digit() || c == b'_';
    match b.get(i) {
        Some(c) if c.is_ascii_digit() => {
            while b.get(i).is_some_and(|&c| digit_or_underscore(c)) {
                i += 1;
            }
            if b.get(i) != Some(&b'.') {
                return false;
            }
            i += 1;
        }
        Some(b'.') if !signed => {
            i += 1;
            if !b.get(i).is_some_and(u8::is_ascii_digit) {
                return false;
            }
        }
        _ => return false,
    }
    while b.get(i).is_some_and(|&c| digit_or_underscore(c)) {
        i += 1;
    }
    if i == b.len() {
        return true;
    }
    if !matches!(b[i], b'e' | b'E') || !matches!(b.get(i + 1), Some(b'-' | b'+')) {
        return false;
    }
    let exp = &b[i + 2..];
    !exp.is_empty() && exp.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(value: &Value) {
        let text = to_string(value);
        let back: Value = serde_yaml::from_str(&text)
            .unwrap_or_else(|e| panic!("emitted YAML does not parse: {e}\n{text}"));
        assert_eq!(
            &back, value,
            "round-trip changed the value; emitted:\n{text}"
        );
    }

    fn yaml(text: &str) -> Value {
        serde_yaml::from_str(text).expect("test input is valid YAML")
    }

    #[test]
    fn style_plain_for_ordinary_strings() {
        for s in [
            "nginx",
            "nginx:1.25",
            "/api",
            "app.kubernetes.io/name",
            "http://example.com/a?b=c#frag",
            "a#b",
            "a:#b",
            "1.2.3",
            "v1",
            "--port=8080",
            "-Xmx512m",
            "inf",
            "nan",
            ".",
            "a,b[c]{d}",
            "héllo wörld",
            "日本語",
            "🚀 launch",
            "ClusterIP",
            "1e",
        ] {
            assert_eq!(string_style(s), Style::Plain, "{s:?}");
        }
    }

    #[test]
    fn style_single_quoted_for_ambiguous_or_indicator_strings() {
        for s in [
            "",
            "yes",
            "Yes",
            "no",
            "on",
            "OFF",
            "y",
            "N",
            "true",
            "True",
            "TRUE",
            "false",
            "null",
            "Null",
            "~",
            "0777",
            "0o17",
            "0x1F",
            "0b101",
            "1e3",
            "1E3",
            "1_000",
            "12:30",
            "1:30.5",
            ".5",
            "+1",
            "-1",
            "0",
            "80",
            "0.5",
            "1.",
            "-.inf",
            ".NaN",
            ".inf",
            "2001-12-14",
            "2001-12-14t21:59:43.10-05:00",
            "<<",
            "=",
            "- x",
            "-",
            "---",
            "...",
            "? x",
            "?x",
            ":x",
            ",a",
            "[a]",
            "]",
            "{a}",
            "}",
            "#c",
            "&a",
            "*a",
            "!t",
            "|",
            ">",
            "'q",
            "\"q",
            "%x",
            "@x",
            "`x",
            "a: b",
            "a #b",
            "x:y: z",
            "a:b c #d",
            "a:",
            " lead",
            "trail ",
            "1_0.5",
            "1.0e+3",
            "99999999999999999999999999999999",
        ] {
            assert_eq!(string_style(s), Style::SingleQuoted, "{s:?}");
        }
    }

    #[test]
    fn style_double_quoted_for_control_and_unrepresentable_text() {
        for s in [
            "a\tb",
            "bell\u{7}",
            "nul\0",
            "cr\r\n",
            "nel\u{85}",
            "ls\u{2028}",
            "\u{feff}bom",
            "del\u{7f}",
            "trailing space \nnext",
            "tab at end\t\nx",
            "ends with space\n ",
            "\n",
            "\n\n",
        ] {
            assert_eq!(string_style(s), Style::DoubleQuoted, "{s:?}");
        }
    }

    #[test]
    fn style_literal_for_multiline_text() {
        for s in [
            "a\nb",
            "a\n",
            "a\n\n",
            "  indented\nx",
            "\nleading",
            "a\n\tb\n",
        ] {
            assert_eq!(string_style(s), Style::Literal, "{s:?}");
        }
    }

    #[test]
    fn literal_chomping_and_indicators() {
        let cases = [
            ("a\nb", "k: |-\n  a\n  b\n"),
            ("a\nb\n", "k: |\n  a\n  b\n"),
            ("a\nb\n\n", "k: |+\n  a\n  b\n\n"),
            ("  a\nb\n", "k: |2\n    a\n  b\n"),
            ("\na\n", "k: |2\n\n  a\n"),
            ("a\n\nb", "k: |-\n  a\n\n  b\n"),
        ];
        for (s, expected) in cases {
            let mut map = Mapping::new();
            map.insert("k".into(), s.into());
            let value = Value::Mapping(map);
            assert_eq!(to_string(&value), expected, "{s:?}");
            roundtrip(&value);
        }
    }

    #[test]
    fn kubectl_layout() {
        let value = yaml(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {}\n\
             spec:\n  template:\n    spec:\n      containers:\n      - name: web\n        \
             image: nginx:1.25\n        args: [--port=80, '80']\n        ports:\n        - \
             containerPort: 80\n      - name: side\n        env: []\n  matrix:\n  - - 1\n    \
             - 2\n  - []\n",
        );
        let expected = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {}
spec:
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.25
        args:
        - --port=80
        - '80'
        ports:
        - containerPort: 80
      - name: side
        env: []
  matrix:
  - - 1
    - 2
  - []
";
        assert_eq!(to_string(&value), expected);
        roundtrip(&value);
    }

    #[test]
    fn scalars_and_keys() {
        let value = yaml(
            "a: null\nb: true\nc: -3\nd: 18446744073709551615\ne: 1.0\nf: .inf\ng: -.inf\n\
             h: .nan\ni: 1.0e+100\nj: 1.5e-7\n1: int key\ntrue: bool key\n'yes': quoted key\n\
             null: null key\n? [a, b]\n: list key\n? {x: 1}\n: - a\n",
        );
        let text = to_string(&value);
        assert!(text.contains("e: 1.0\n"), "{text}");
        assert!(text.contains("i: 1.0e+100\n"), "{text}");
        assert!(text.contains("1: int key\n"), "{text}");
        assert!(text.contains("'yes': quoted key\n"), "{text}");
        assert!(text.contains("? [\"a\", \"b\"]\n: list key\n"), "{text}");
        roundtrip(&value);
    }

    #[test]
    fn floats_rewrite_to_yaml11_form() {
        for (f, text) in [
            (1.0, "1.0"),
            (-0.5, "-0.5"),
            (1e100, "1.0e+100"),
            (1.5e-7, "1.5e-7"),
            (1e21, "1.0e+21"),
        ] {
            let mut out = String::new();
            write_float(&mut out, f);
            assert_eq!(out, text);
        }
    }

    #[test]
    fn tagged_values() {
        let value = yaml("a: !Ref name\nb: !Sub\n  x: 1\nc:\n- !Tag [1, 2]\n- !Empty {}\n");
        let text = to_string(&value);
        assert!(text.contains("a: !Ref name\n"), "{text}");
        assert!(text.contains("b: !Sub\n  x: 1\n"), "{text}");
        roundtrip(&value);
        roundtrip(&yaml("!Top\na: 1\n"));
        roundtrip(&yaml("!Top [a]\n"));
        roundtrip(&yaml("!Top x\n"));
    }

    #[test]
    fn top_level_scalars_and_empty_collections() {
        for text in [
            "x",
            "'yes'",
            "{}",
            "[]",
            "null",
            "|\n  a\n  b\n",
            "|2-\n   a\n  b\n",
        ] {
            roundtrip(&yaml(text));
        }
    }

    #[test]
    fn long_and_multiline_keys_use_explicit_form() {
        let mut map = Mapping::new();
        map.insert("k".repeat(1500).into(), 1.into());
        map.insert("two\nlines".into(), 2.into());
        map.insert("seq".into(), Value::Sequence(vec!["x".into()]));
        let value = Value::Mapping(map);
        assert!(to_string(&value).contains("\"two\\nlines\": 2\n"));
        roundtrip(&value);
    }
}
