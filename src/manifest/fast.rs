//! A fast path for the YAML that templates emit.
//!
//! [`read_stream`] reads a conservative subset of YAML and reports it to a
//! [`Sink`] as events; [`parse_stream`] builds [`serde_yaml::Value`]s from
//! them, giving exactly what `serde_yaml` 0.9 gives for the same text, and
//! `manifest::stream` writes canonical text from them. Both return `None`
//! as soon as the reader sees anything outside the subset, so the caller
//! falls back to serde_yaml (which also produces every error message).
//!
//! The subset: block mappings and block sequences (with the compact
//! `- key: value` and `- - item` forms), plain scalars on one line, single-
//! and double-quoted scalars on one line, literal block scalars (`|`, `|-`,
//! `|+`, with or without an indentation indicator), one-line flow
//! collections of scalars (`[]`, `{}`, `[a, "b"]`, `{a: 1}`), comments,
//! `---` separators and empty documents. Each document must be a mapping,
//! a sequence or empty. Anything else (anchors, aliases, tags, `?` keys,
//! folded scalars, multi-line plain or quoted scalars, nested flow
//! collections, tabs outside literal blocks, directives, `...`, duplicate
//! keys, carriage returns, deep nesting) gives `None`.
//!
//! Plain scalars resolve as serde_yaml's `visit_untagged_scalar` does
//! (YAML 1.2 core schema as serde_yaml implements it); the helpers below
//! copy its rules.

use std::borrow::Cow;

use serde_yaml::{Mapping, Value};

use super::emit;

/// Deeper nesting than this is left to serde_yaml (which has its own limit).
const MAX_DEPTH: usize = 64;
/// libyaml refuses simple keys longer than 1024 characters.
const MAX_KEY_LEN: usize = 1000;

/// Parses a YAML stream of the supported subset into its documents, as
/// `serde_yaml::Deserializer::from_str` would; `None` if the text is
/// outside the subset (or not YAML at all).
pub fn parse_stream(text: &str) -> Option<Vec<Value>> {
    build_stream(text)
}

/// [`parse_stream`] into any [`Tree`]; `None` also where the tree gives up.
pub fn build_stream<T: Tree>(text: &str) -> Option<Vec<T>> {
    let mut builder = Builder {
        docs: Vec::new(),
        stack: Vec::new(),
        root: None,
    };
    read_stream(text, &mut builder)?;
    Some(builder.docs)
}

/// A tree [`build_stream`] can build from what the reader reports:
/// serde_yaml's, or the JSON one values files become (`values::parse_values`).
pub trait Tree: Sized {
    type Key;
    type Map;
    /// An empty document.
    fn null() -> Self;
    fn new_map() -> Self::Map;
    /// Adds a key; `false` when the map has it already (the build gives up).
    fn insert(map: &mut Self::Map, key: Self::Key, value: Self) -> bool;
    fn from_map(map: Self::Map) -> Self;
    fn from_items(items: Vec<Self>) -> Self;
    /// `None` gives up the build.
    fn key(key: Scalar<'_>) -> Option<Self::Key>;
    /// `None` gives up the build.
    fn scalar(value: Scalar<'_>) -> Option<Self>;
}

impl Tree for Value {
    type Key = Value;
    type Map = Mapping;

    fn null() -> Value {
        Value::Null
    }

    fn new_map() -> Mapping {
        Mapping::new()
    }

    fn insert(map: &mut Mapping, key: Value, value: Value) -> bool {
        map.insert(key, value).is_none()
    }

    fn from_map(map: Mapping) -> Value {
        Value::Mapping(map)
    }

    fn from_items(items: Vec<Value>) -> Value {
        Value::Sequence(items)
    }

    fn key(key: Scalar<'_>) -> Option<Value> {
        Some(key.into_value())
    }

    fn scalar(value: Scalar<'_>) -> Option<Value> {
        Some(value.into_value())
    }
}

/// A scalar as the reader finds it: a string or any other value (null,
/// bool, number, or a one-line flow collection). A borrowed string is
/// always a plain scalar from one line: no line break, tab or
/// non-printable character (the stream writer relies on it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scalar<'a> {
    Str(Cow<'a, str>),
    Other(Value),
}

impl Scalar<'_> {
    pub fn into_value(self) -> Value {
        match self {
            Scalar::Str(s) => Value::String(s.into_owned()),
            Scalar::Other(v) => v,
        }
    }
}

/// What [`read_stream`] reports, in document order: each document, and in
/// it the nodes, keys before their values, `item` before each sequence
/// item. Returning `None` from any method makes the reader give up, and the
/// caller falls back to serde_yaml.
pub trait Sink<'a> {
    fn start_document(&mut self) -> Option<()>;
    fn end_document(&mut self) -> Option<()>;
    fn start_mapping(&mut self) -> Option<()>;
    /// A key of the innermost mapping (the reader does not check for
    /// duplicates: the sink must).
    fn key(&mut self, key: Scalar<'a>) -> Option<()>;
    fn end_mapping(&mut self) -> Option<()>;
    fn start_sequence(&mut self) -> Option<()>;
    fn item(&mut self) -> Option<()>;
    fn end_sequence(&mut self) -> Option<()>;
    fn scalar(&mut self, value: Scalar<'a>) -> Option<()>;
}

/// Reads a YAML stream of the supported subset into `sink`; `None` if the
/// text is outside the subset (or not YAML at all), or the sink gave up.
pub fn read_stream<'a, S: Sink<'a>>(text: &'a str, sink: &mut S) -> Option<()> {
    if !prescan(text) {
        return None;
    }
    let mut lines = Vec::with_capacity(text.len() / 32 + 1);
    lines.extend(split_lines(text));
    if text.ends_with('\n') {
        lines.pop();
    }
    let mut p = Parser {
        lines,
        pos: 0,
        virt: None,
        peeked: None,
        ends_with_newline: text.ends_with('\n') || text.is_empty(),
        has_tab: memchr::memchr(b'\t', text.as_bytes()).is_some(),
    };
    let mut documents = 0;
    if p.peek()?.is_some() {
        p.parse_document(sink)?;
        documents += 1;
    }
    while p.pos < p.lines.len() {
        // peek stopped at a `---` line.
        p.pos += 1;
        p.parse_document(sink)?;
        documents += 1;
    }
    if documents == 0 {
        // serde_yaml reads a stream without documents as one empty document.
        sink.start_document()?;
        sink.end_document()?;
    }
    Some(())
}

/// `text.split('\n')`, with memchr finding the breaks many bytes at a
/// time where `split` looks at each.
pub(crate) fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', text.as_bytes())
        .chain(std::iter::once(text.len()))
        .map(move |end| {
            let line = &text[start..end];
            start = end + 1;
            line
        })
}

/// The sink that builds a [`Tree`].
struct Builder<T: Tree> {
    docs: Vec<T>,
    stack: Vec<Frame<T>>,
    root: Option<T>,
}

enum Frame<T: Tree> {
    /// A mapping and the key whose value comes next.
    Mapping(T::Map, Option<T::Key>),
    Sequence(Vec<T>),
}

impl<T: Tree> Builder<T> {
    /// Puts a finished node where it belongs; `None` on a duplicate key.
    fn put(&mut self, value: T) -> Option<()> {
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Mapping(map, key)) => {
                if !T::insert(map, key.take()?, value) {
                    return None;
                }
            }
            Some(Frame::Sequence(items)) => items.push(value),
        }
        Some(())
    }
}

impl<'a, T: Tree> Sink<'a> for Builder<T> {
    fn start_document(&mut self) -> Option<()> {
        Some(())
    }

    fn end_document(&mut self) -> Option<()> {
        self.docs.push(self.root.take().unwrap_or_else(T::null));
        Some(())
    }

    fn start_mapping(&mut self) -> Option<()> {
        self.stack.push(Frame::Mapping(T::new_map(), None));
        Some(())
    }

    fn key(&mut self, key: Scalar<'a>) -> Option<()> {
        match self.stack.last_mut() {
            Some(Frame::Mapping(_, pending)) => *pending = Some(T::key(key)?),
            _ => return None,
        }
        Some(())
    }

    fn end_mapping(&mut self) -> Option<()> {
        match self.stack.pop()? {
            Frame::Mapping(map, _) => self.put(T::from_map(map)),
            Frame::Sequence(_) => None,
        }
    }

    fn start_sequence(&mut self) -> Option<()> {
        self.stack.push(Frame::Sequence(Vec::new()));
        Some(())
    }

    fn item(&mut self) -> Option<()> {
        Some(())
    }

    fn end_sequence(&mut self) -> Option<()> {
        match self.stack.pop()? {
            Frame::Sequence(items) => self.put(T::from_items(items)),
            Frame::Mapping(..) => None,
        }
    }

    fn scalar(&mut self, value: Scalar<'a>) -> Option<()> {
        self.put(T::scalar(value)?)
    }
}

/// Rejects characters whose handling the fast path does not copy: carriage
/// returns, the byte order mark, other line breaks (NEL, LS, PS) and
/// everything libyaml does not accept as printable.
fn prescan(text: &str) -> bool {
    if text.is_ascii() {
        let ok = |b: &u8| *b == b'\n' || *b == b'\t' || (0x20..0x7f).contains(b);
        // Eight bytes at a time: only a word holding a byte below 0x20 or
        // a DEL (rare but for line breaks) is checked byte by byte.
        let (words, rest) = text.as_bytes().as_chunks::<8>();
        for word in words {
            let x = u64::from_le_bytes(*word);
            let del = x ^ 0x7f7f_7f7f_7f7f_7f7f;
            let suspect = (x.wrapping_sub(0x2020_2020_2020_2020) & !x
                | del.wrapping_sub(0x0101_0101_0101_0101) & !del)
                & 0x8080_8080_8080_8080;
            if suspect != 0 && !word.iter().all(ok) {
                return false;
            }
        }
        return rest.iter().all(ok);
    }
    text.chars().all(|c| {
        let u = u32::from(c);
        c == '\n'
            || c == '\t'
            || (0x20..0x7f).contains(&u)
            || (0xA0..=0xD7FF).contains(&u) && u != 0x2028 && u != 0x2029
            || (0xE000..=0xFFFD).contains(&u) && u != 0xFEFF
            || u >= 0x10000
    })
}

struct Parser<'a> {
    lines: Vec<&'a str>,
    pos: usize,
    /// The rest of the line at `pos`, seen as if it started at this column
    /// (after `- ` in the compact forms).
    virt: Option<(usize, &'a str)>,
    /// The last answer of `peek` and the line it stopped at: the parser
    /// asks about the same line several times.
    peeked: Option<(usize, Option<(usize, &'a str)>)>,
    ends_with_newline: bool,
    /// Whether the text holds a tab anywhere: most rendered text does not,
    /// and then no line needs looking at for one.
    has_tab: bool,
}

fn is_seq_item(t: &str) -> bool {
    t == "-" || t.starts_with("- ")
}

fn is_blank_or_comment(t: &str) -> bool {
    let t = t.trim_start_matches(' ');
    t.is_empty() || t.starts_with('#')
}

impl<'a> Parser<'a> {
    /// The next content line (indent, text after the indent), skipping
    /// blank and comment lines; `Some(None)` at the end of the document
    /// (a `---` line or the end of the text); `None` to give up.
    fn peek(&mut self) -> Option<Option<(usize, &'a str)>> {
        if let Some(v) = self.virt {
            return Some(Some(v));
        }
        if let Some((pos, seen)) = self.peeked
            && pos == self.pos
        {
            return Some(seen);
        }
        let seen = self.scan()?;
        self.peeked = Some((self.pos, seen));
        Some(seen)
    }

    /// [`Parser::peek`] without the memo.
    fn scan(&mut self) -> Option<Option<(usize, &'a str)>> {
        while let Some(&line) = self.lines.get(self.pos) {
            if let Some(after) = line.strip_prefix("---") {
                if after.is_empty() || after.starts_with(' ') {
                    if !is_blank_or_comment(after) {
                        return None;
                    }
                    return Some(None);
                }
                return None;
            }
            if line.starts_with("...")
                || line.starts_with('%')
                || self.has_tab && line.contains('\t')
            {
                return None;
            }
            let text = line.trim_start_matches(' ');
            if text.is_empty() || text.starts_with('#') {
                self.pos += 1;
                continue;
            }
            return Some(Some((line.len() - text.len(), text)));
        }
        Some(None)
    }

    fn advance(&mut self) {
        self.virt = None;
        self.pos += 1;
    }

    /// The next content line's indent, or `None` at the end of the document.
    fn next_indent(&mut self) -> Option<Option<usize>> {
        Some(self.peek()?.map(|(i, _)| i))
    }

    /// After a value that ended its line, the next line may not be indented
    /// deeper than the node holding it (that would continue the scalar or be
    /// an error).
    fn check_ends(&mut self, indent: usize) -> Option<()> {
        match self.next_indent()? {
            Some(i) if i > indent => None,
            _ => Some(()),
        }
    }

    /// One document: from the current line (after its `---`, if any) to
    /// the next `---` line or the end of the text.
    fn parse_document<S: Sink<'a>>(&mut self, sink: &mut S) -> Option<()> {
        sink.start_document()?;
        if self.peek()?.is_some() {
            self.parse_node(sink, None, 0)?;
            if self.peek()?.is_some() {
                return None;
            }
        }
        sink.end_document()
    }

    /// A block mapping or sequence starting at the next content line, which
    /// the caller has checked is indented deeper than `parent`.
    fn parse_node<S: Sink<'a>>(
        &mut self,
        sink: &mut S,
        parent: Option<usize>,
        depth: usize,
    ) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        let (indent, text) = self.peek()??;
        if parent.is_some_and(|p| indent <= p) {
            return None;
        }
        if is_seq_item(text) {
            self.parse_seq(sink, indent, depth)
        } else if key_span(text)?.is_some() {
            self.parse_map(sink, indent, depth)
        } else {
            None
        }
    }

    fn parse_seq<S: Sink<'a>>(&mut self, sink: &mut S, n: usize, depth: usize) -> Option<()> {
        sink.start_sequence()?;
        while let Some((i, t)) = self.peek()? {
            if i < n || (i == n && !is_seq_item(t)) {
                break;
            }
            if i > n {
                return None;
            }
            sink.item()?;
            let rest = &t[1..];
            let value = rest.trim_start_matches(' ');
            let col = i + 1 + (rest.len() - value.len());
            if value.is_empty() || value.starts_with('#') {
                self.advance();
                match self.next_indent()? {
                    Some(i2) if i2 > n => self.parse_node(sink, Some(n), depth + 1)?,
                    _ => sink.scalar(Scalar::Other(Value::Null))?,
                }
            } else {
                self.inline_value(sink, n, col, value, true, depth + 1)?;
            }
        }
        sink.end_sequence()
    }

    fn parse_map<S: Sink<'a>>(&mut self, sink: &mut S, n: usize, depth: usize) -> Option<()> {
        sink.start_mapping()?;
        while let Some((i, t)) = self.peek()? {
            if i < n || (i == n && is_seq_item(t)) {
                break;
            }
            if i > n {
                return None;
            }
            let (key, rest) = split_key(t)??;
            sink.key(key)?;
            let value = rest.trim_start_matches(' ');
            let col = i + (t.len() - value.len());
            if value.is_empty() || value.starts_with('#') {
                self.advance();
                match self.peek()? {
                    Some((i2, _)) if i2 > n => self.parse_node(sink, Some(n), depth + 1)?,
                    Some((i2, t2)) if i2 == n && is_seq_item(t2) => {
                        if depth + 1 > MAX_DEPTH {
                            return None;
                        }
                        self.parse_seq(sink, n, depth + 1)?
                    }
                    _ => sink.scalar(Scalar::Other(Value::Null))?,
                }
            } else {
                self.inline_value(sink, n, col, value, false, depth + 1)?;
            }
        }
        sink.end_mapping()
    }

    /// A value that starts on the current line at column `col`, inside a
    /// node at indent `n`. `compact` allows a mapping or sequence to start
    /// here (after `- `).
    fn inline_value<S: Sink<'a>>(
        &mut self,
        sink: &mut S,
        n: usize,
        col: usize,
        text: &'a str,
        compact: bool,
        depth: usize,
    ) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        let first = text.as_bytes()[0];
        match first {
            b'-' if is_seq_item(text) => {
                if !compact {
                    return None;
                }
                self.virt = Some((col, text));
                self.parse_seq(sink, col, depth)
            }
            b'|' => {
                let value = self.literal(n, text)?;
                self.check_ends(n)?;
                sink.scalar(Scalar::Str(Cow::Owned(value)))
            }
            b'[' | b'{' => {
                let (value, rest) = parse_flow(text)?;
                if !is_blank_or_comment(rest) {
                    return None;
                }
                self.advance();
                self.check_ends(n)?;
                sink.scalar(Scalar::Other(value))
            }
            _ => {
                if compact && key_span(text)?.is_some() {
                    self.virt = Some((col, text));
                    return self.parse_map(sink, col, depth);
                }
                let value = if first == b'"' || first == b'\'' {
                    let (s, rest) = parse_quoted(text)?;
                    if !is_blank_or_comment(rest) {
                        return None;
                    }
                    Scalar::Str(Cow::Owned(s))
                } else {
                    let s = plain_to_comment(text);
                    if emit::holds_colon_space(s.as_bytes())
                        || s.ends_with(':')
                        || !plain_start_ok(s, false)
                    {
                        return None;
                    }
                    resolve(s)?
                };
                self.advance();
                self.check_ends(n)?;
                sink.scalar(value)
            }
        }
    }

    /// A literal block scalar whose header is `header`, in a node at indent `n`.
    fn literal(&mut self, n: usize, header: &str) -> Option<String> {
        let mut chomp = 0i8; // -1 strip, 0 clip, 1 keep
        let mut explicit = None;
        let mut rest = &header[1..];
        for _ in 0..2 {
            match rest.as_bytes().first() {
                Some(b'-') if chomp == 0 => chomp = -1,
                Some(b'+') if chomp == 0 => chomp = 1,
                Some(d @ b'1'..=b'9') if explicit.is_none() => {
                    explicit = Some(usize::from(d - b'0'))
                }
                _ => break,
            }
            rest = &rest[1..];
        }
        if !(rest.is_empty() || rest.starts_with(' ') && is_blank_or_comment(rest)) {
            return None;
        }
        self.advance();
        let indent = match explicit {
            Some(d) => n + d,
            None => {
                let mut max_blank = 0;
                let mut found = None;
                for line in &self.lines[self.pos..] {
                    let text = line.trim_start_matches(' ');
                    let spaces = line.len() - text.len();
                    if text.is_empty() {
                        max_blank = max_blank.max(spaces);
                    } else {
                        found = Some(spaces);
                        break;
                    }
                }
                let k = found?;
                if k <= n || max_blank > k {
                    return None;
                }
                k
            }
        };
        let mut body: Vec<&str> = Vec::new();
        let mut last_content = None;
        while let Some(&line) = self.lines.get(self.pos) {
            let text = line.trim_start_matches(' ');
            let spaces = line.len() - text.len();
            if spaces >= indent {
                let content = &line[indent..];
                if !content.is_empty() {
                    last_content = Some(body.len());
                }
                body.push(content);
            } else if text.is_empty() {
                body.push("");
            } else {
                break;
            }
            self.pos += 1;
        }
        let last = last_content?;
        if self.pos == self.lines.len() && !self.ends_with_newline {
            return None;
        }
        let mut s = body[..=last].join("\n");
        match chomp {
            -1 => {}
            0 => s.push('\n'),
            _ => {
                s.push('\n');
                for _ in last + 1..body.len() {
                    s.push('\n');
                }
            }
        }
        Some(s)
    }
}

/// Splits a `key: value` line: `Some(None)` if the line is not a key line,
/// `None` to give up.
fn split_key(t: &str) -> Option<Option<(Scalar<'_>, &str)>> {
    let Some((key, rest)) = key_span(t)? else {
        return Some(None);
    };
    let key = if key.starts_with(['"', '\'']) {
        Scalar::Str(Cow::Owned(parse_quoted(key)?.0))
    } else {
        resolve(key)?
    };
    Some(Some((key, rest)))
}

/// Where a `key: value` line's key is (its text, quotes included, without
/// trailing spaces) and what follows the `:`, without building the key:
/// `Some(None)` if the line is not a key line, `None` to give up.
fn key_span(t: &str) -> Option<Option<(&str, &str)>> {
    let b = t.as_bytes();
    if b[0] == b'"' || b[0] == b'\'' {
        let (_, rest) = parse_quoted(t)?;
        if let Some(after) = rest.strip_prefix(':') {
            if after.is_empty() || after.starts_with(' ') {
                let key = &t[..t.len() - rest.len()];
                if key.len() > MAX_KEY_LEN {
                    return None;
                }
                return Some(Some((key, after)));
            }
            return None;
        }
        return Some(None);
    }
    for i in 0..b.len() {
        match b[i] {
            b':' if i + 1 == b.len() || b[i + 1] == b' ' => {
                let key = t[..i].trim_end_matches(' ');
                if key.is_empty() || key.len() > MAX_KEY_LEN || !plain_start_ok(key, false) {
                    return None;
                }
                return Some(Some((key, &t[i + 1..])));
            }
            b'#' if i > 0 && b[i - 1] == b' ' => return Some(None),
            _ => {}
        }
    }
    Some(None)
}

/// The plain scalar at the start of `t`, up to a comment, trailing spaces
/// trimmed.
fn plain_to_comment(t: &str) -> &str {
    let b = t.as_bytes();
    let mut end = b.len();
    for i in 1..b.len() {
        if b[i] == b'#' && b[i - 1] == b' ' {
            end = i;
            break;
        }
    }
    t[..end].trim_end_matches(' ')
}

/// Whether a plain scalar may start this way (conservatively).
fn plain_start_ok(s: &str, flow: bool) -> bool {
    let b = s.as_bytes();
    match b.first() {
        None => false,
        Some(b'-') => match b.get(1) {
            None | Some(b' ') => false,
            Some(b',' | b'[' | b']' | b'{' | b'}') => !flow,
            _ => true,
        },
        Some(
            b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|'
            | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`',
        ) => false,
        _ => true,
    }
}

/// A quoted scalar at the start of `t` that closes on this line, and what
/// follows it.
fn parse_quoted(t: &str) -> Option<(String, &str)> {
    let quote = t.as_bytes()[0];
    let body = &t[1..];
    let bytes = body.as_bytes();
    // Runs of text without a quote or backslash are copied whole: both
    // are ASCII, so every stop is a char boundary.
    let next_stop = |at: usize| -> Option<usize> {
        Some(
            at + if quote == b'\'' {
                memchr::memchr(b'\'', &bytes[at..])?
            } else {
                memchr::memchr2(b'"', b'\\', &bytes[at..])?
            },
        )
    };
    let mut at = 0;
    let mut stop = next_stop(0)?;
    // Sized for the usual string, one run to its closing quote.
    let mut out = String::with_capacity(stop);
    loop {
        out.push_str(&body[at..stop]);
        match bytes[stop] {
            b'\'' if bytes.get(stop + 1) == Some(&b'\'') => {
                out.push('\'');
                at = stop + 2;
            }
            b'\\' => {
                let (c, len) = unescape(&bytes[stop + 1..])?;
                out.push(c);
                at = stop + 1 + len;
            }
            _ => return Some((out, &body[stop + 1..])),
        }
        stop = next_stop(at)?;
    }
}

/// The character a double-quoted string's escape stands for (`e` starts
/// after the backslash), and the escape's length after the backslash.
fn unescape(e: &[u8]) -> Option<(char, usize)> {
    let hex = |n: usize| -> Option<(char, usize)> {
        let digits = e.get(1..1 + n)?;
        let mut code = 0u32;
        for &d in digits {
            code = code * 16 + char::from(d).to_digit(16)?;
        }
        Some((char::from_u32(code)?, 1 + n))
    };
    let c = match *e.first()? {
        b'0' => '\0',
        b'a' => '\x07',
        b'b' => '\x08',
        b't' | b'\t' => '\t',
        b'n' => '\n',
        b'v' => '\x0b',
        b'f' => '\x0c',
        b'r' => '\r',
        b'e' => '\x1b',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{a0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        b'x' => return hex(2),
        b'u' => return hex(4),
        b'U' => return hex(8),
        _ => return None,
    };
    Some((c, 1))
}

/// A one-line flow sequence or mapping of scalars at the start of `t`, and
/// what follows it.
fn parse_flow(t: &str) -> Option<(Value, &str)> {
    let mapping = t.starts_with('{');
    let close = if mapping { '}' } else { ']' };
    let mut rest = t[1..].trim_start_matches(' ');
    let mut seq = Vec::new();
    let mut map = Mapping::new();
    if let Some(after) = rest.strip_prefix(close) {
        let value = if mapping {
            Value::Mapping(map)
        } else {
            Value::Sequence(seq)
        };
        return Some((value, after));
    }
    loop {
        let (item, after) = flow_scalar(rest, mapping)?;
        rest = after.trim_start_matches(' ');
        if mapping {
            rest = rest.strip_prefix(": ")?.trim_start_matches(' ');
            let (value, after) = flow_scalar(rest, false)?;
            rest = after.trim_start_matches(' ');
            if map.insert(item, value).is_some() {
                return None;
            }
        } else {
            seq.push(item);
        }
        if let Some(after) = rest.strip_prefix(',') {
            rest = after.trim_start_matches(' ');
            if rest.starts_with(close) {
                return None;
            }
        } else if let Some(after) = rest.strip_prefix(close) {
            let value = if mapping {
                Value::Mapping(map)
            } else {
                Value::Sequence(seq)
            };
            return Some((value, after));
        } else {
            return None;
        }
    }
}

/// A scalar inside a flow collection (a mapping's key if `key`: then it
/// may end at `: `).
fn flow_scalar(t: &str, key: bool) -> Option<(Value, &str)> {
    match t.as_bytes().first()? {
        b'"' | b'\'' => {
            let (s, rest) = parse_quoted(t)?;
            Some((Value::String(s), rest))
        }
        _ => {
            let end = t
                .find([',', '[', ']', '{', '}', ':', '#'])
                .unwrap_or(t.len());
            match t.as_bytes().get(end) {
                Some(b':') if key && t.as_bytes().get(end + 1) == Some(&b' ') => {}
                Some(b':' | b'#' | b'[' | b'{') | None => return None,
                _ => {}
            }
            let s = t[..end].trim_end_matches(' ');
            if !plain_start_ok(s, true) {
                return None;
            }
            Some((resolve(s)?.into_value(), &t[end..]))
        }
    }
}

/// Resolves a non-empty plain scalar as serde_yaml's
/// `visit_untagged_scalar` does; `None` where serde_yaml would not give a
/// `Value` (integers that only fit 128 bits).
fn resolve(v: &str) -> Option<Scalar<'_>> {
    if v.is_empty() || matches!(v, "null" | "Null" | "NULL" | "~") {
        return Some(Scalar::Other(Value::Null));
    }
    match v {
        "true" | "True" | "TRUE" => return Some(Scalar::Other(Value::Bool(true))),
        "false" | "False" | "FALSE" => return Some(Scalar::Other(Value::Bool(false))),
        _ => {}
    }
    // Only text that starts like a number can be one.
    let b = v.as_bytes()[0];
    if !(b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.')) {
        return Some(Scalar::Str(Cow::Borrowed(v)));
    }
    if let Some(int) = parse_unsigned_int(v, u64::from_str_radix) {
        return Some(Scalar::Other(Value::Number(int.into())));
    }
    if let Some(int) = parse_negative_int(v, i64::from_str_radix) {
        return Some(Scalar::Other(Value::Number(int.into())));
    }
    if parse_unsigned_int(v, u128::from_str_radix).is_some()
        || parse_negative_int(v, i128::from_str_radix).is_some()
    {
        // serde_yaml::Value has no 128-bit numbers: an error there.
        return None;
    }
    if !digits_but_not_number(v)
        && let Some(float) = parse_f64(v)
    {
        return Some(Scalar::Other(Value::Number(float.into())));
    }
    Some(Scalar::Str(Cow::Borrowed(v)))
}

// The helpers below are serde_yaml 0.9.34's (src/de.rs), unchanged.

fn parse_unsigned_int<T>(
    scalar: &str,
    from_str_radix: fn(&str, radix: u32) -> Result<T, std::num::ParseIntError>,
) -> Option<T> {
    let unpositive = scalar.strip_prefix('+').unwrap_or(scalar);
    if let Some(rest) = unpositive.strip_prefix("0x") {
        if rest.starts_with(['+', '-']) {
            return None;
        }
        if let Ok(int) = from_str_radix(rest, 16) {
            return Some(int);
        }
    }
    if let Some(rest) = unpositive.strip_prefix("0o") {
        if rest.starts_with(['+', '-']) {
            return None;
        }
        if let Ok(int) = from_str_radix(rest, 8) {
            return Some(int);
        }
    }
    if let Some(rest) = unpositive.strip_prefix("0b") {
        if rest.starts_with(['+', '-']) {
            return None;
        }
        if let Ok(int) = from_str_radix(rest, 2) {
            return Some(int);
        }
    }
    if unpositive.starts_with(['+', '-']) {
        return None;
    }
    if digits_but_not_number(scalar) {
        return None;
    }
    from_str_radix(unpositive, 10).ok()
}

fn parse_negative_int<T>(
    scalar: &str,
    from_str_radix: fn(&str, radix: u32) -> Result<T, std::num::ParseIntError>,
) -> Option<T> {
    if let Some(rest) = scalar.strip_prefix("-0x") {
        let negative = format!("-{rest}");
        if let Ok(int) = from_str_radix(&negative, 16) {
            return Some(int);
        }
    }
    if let Some(rest) = scalar.strip_prefix("-0o") {
        let negative = format!("-{rest}");
        if let Ok(int) = from_str_radix(&negative, 8) {
            return Some(int);
        }
    }
    if let Some(rest) = scalar.strip_prefix("-0b") {
        let negative = format!("-{rest}");
        if let Ok(int) = from_str_radix(&negative, 2) {
            return Some(int);
        }
    }
    if digits_but_not_number(scalar) {
        return None;
    }
    from_str_radix(scalar, 10).ok()
}

fn parse_f64(scalar: &str) -> Option<f64> {
    let unpositive = if let Some(unpositive) = scalar.strip_prefix('+') {
        if unpositive.starts_with(['+', '-']) {
            return None;
        }
        unpositive
    } else {
        scalar
    };
    if let ".inf" | ".Inf" | ".INF" = unpositive {
        return Some(f64::INFINITY);
    }
    if let "-.inf" | "-.Inf" | "-.INF" = scalar {
        return Some(f64::NEG_INFINITY);
    }
    if let ".nan" | ".NaN" | ".NAN" = scalar {
        return Some(f64::NAN.copysign(1.0));
    }
    if let Ok(float) = unpositive.parse::<f64>()
        && float.is_finite()
    {
        return Some(float);
    }
    None
}

fn digits_but_not_number(scalar: &str) -> bool {
    let scalar = scalar.strip_prefix(['-', '+']).unwrap_or(scalar);
    scalar.len() > 1 && scalar.starts_with('0') && scalar[1..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_lines_is_split_on_line_breaks() {
        let long = "x".repeat(70) + "\n" + &"y".repeat(40);
        for text in [
            "", "\n", "\n\n", "a", "a\n", "a\n\nb", "\na", "é\nü\n", &long,
        ] {
            let expected: Vec<&str> = text.split('\n').collect();
            assert_eq!(split_lines(text).collect::<Vec<_>>(), expected, "{text:?}");
        }
    }

    /// The eight-bytes-at-a-time check finds a refused byte wherever it
    /// sits in a word, and lets line breaks and tabs through.
    #[test]
    fn prescan_refuses_control_bytes_at_every_position() {
        let base = "key: abcdefghijklmnopqrstuvwxyz\n";
        assert!(prescan(base));
        for at in 0..base.len() {
            for bad in ['\0', '\x01', '\r', '\x1b', '\x1f', '\x7f'] {
                let mut text = base.to_string();
                text.insert(at, bad);
                assert!(!prescan(&text), "{bad:?} at {at}");
            }
            for fine in ['\n', '\t', ' ', '~'] {
                let mut text = base.to_string();
                text.insert(at, fine);
                assert!(prescan(&text), "{fine:?} at {at}");
            }
        }
    }
}
