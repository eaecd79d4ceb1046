//! The `--set` family of flags: Helm's `strvals` syntax, ported rule for rule.
//!
//! One flag argument holds comma-separated assignments, `path=value`. A path is
//! dot-separated keys (`a.b.c`) with list indexes (`l[0]`, `l[0][1]`, `l[0].k`);
//! a backslash escapes the next character anywhere (`a\.b`, `v\,w`). A value
//! `{x,y}` is a list. What a value becomes depends on the flag:
//!
//! - `--set` infers types like Helm: `true`/`false`/`null` in any case,
//!   decimal integers that fit in int64 and do not start with `0` (so `-3` and
//!   `+5` are integers, `007`, `1.5`, `1e3`, `yes` and `12345678901234567890`
//!   stay strings); `0` is an integer; an empty value is `""`.
//! - `--set-string` keeps every value a string.
//! - `--set-json` reads one JSON document per assignment (`key=jsonvalue`;
//!   empty means `null`), or, when the whole argument is a JSON object, merges
//!   that object deeply into the values.
//! - `--set-file` reads each value as a path and sets the file's contents.
//!
//! Helm's own quirks are kept on purpose, since charts and scripts are written
//! against them: an argument ending inside an index (`a[0`, `a[0]`) is not an
//! error, `{}` is the list `[""]`, setting inside a key that holds `null` or a
//! scalar is an error, a list index above 65536 is refused, and at most 30
//! dotted levels are allowed. `tests/strvals_parity.rs` checks all of this
//! against recordings of Helm 4.1.4.
//!
//! Where Skiff differs from Helm, on purpose:
//! - `--set-json` numbers keep their JSON form (an integer stays an exact
//!   integer, `1.0` stays a float) where Helm turns every number into a
//!   float64; the values compare equal as numbers.
//! - JSON nested deeper than 128 levels, and a path nested deeper than
//!   [`MAX_DEPTH`] levels of keys and indexes, are errors rather than a risk to
//!   the stack (Helm's limits are 10000 and none).
//! - JSON strings holding an unpaired UTF-16 surrogate escape are errors (Helm
//!   replaces them with U+FFFD).

use serde_json::{Map, Value};

/// Helm's `MaxIndex`: the largest list index an assignment may name.
pub const MAX_INDEX: i64 = 65536;

/// Helm's `MaxNestedNameLevel`: how many dots a path may have in a row of keys.
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

/// How deep a path may nest keys and list indexes together (Skiff's own bound).
pub const MAX_DEPTH: usize = 256;

/// Which flag an argument came from; it decides how values are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetKind {
    /// `--set`: values are typed (int64, bool, null, else string).
    Auto,
    /// `--set-string`: values are strings.
    String,
    /// `--set-json`: values are JSON documents.
    Json,
    /// `--set-file`: values are paths whose file contents become strings.
    File,
    /// `--set-literal`: one `path=value` per flag; everything after the
    /// first `=` is the value, a string taken as it is (no `,` lists, no
    /// `\` escapes, no typing), as Helm's literal parser reads it.
    Literal,
}

impl SetKind {
    /// The command-line flag, for messages.
    #[must_use]
    pub fn flag(self) -> &'static str {
        match self {
            SetKind::Auto => "--set",
            SetKind::String => "--set-string",
            SetKind::Json => "--set-json",
            SetKind::File => "--set-file",
            SetKind::Literal => "--set-literal",
        }
    }
}

/// An error that points at the problem: the flag, the expression, a byte
/// position in it and a message. Displays as
///
/// ```text
/// --set "a[x]=1": invalid list index "x" (expected a number)
///   a[x]=1
///     ^
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{flag} {expr:?}: {message}\n{}", caret_lines(.expr, .position))]
pub struct SetError {
    pub flag: &'static str,
    pub expr: String,
    /// Byte offset into `expr` of the problem (may equal `expr.len()`).
    pub position: usize,
    pub message: String,
}

/// The line of `expr` holding `position`, and a caret under it, both indented
/// by two spaces. (`position` is a reference because thiserror passes fields so.)
fn caret_lines(expr: &str, position: &usize) -> String {
    let position = floor_char_boundary(expr, *position);
    let before = expr.get(..position).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = expr
        .get(position..)
        .and_then(|rest| rest.find('\n'))
        .map_or(expr.len(), |i| position + i);
    let line = expr.get(line_start..line_end).unwrap_or("");
    let shown: String = line
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let column = expr
        .get(line_start..position)
        .map_or(0, |s| s.chars().count());
    format!("  {shown}\n  {}^", " ".repeat(column))
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Parses one flag argument (which may hold several comma-separated
/// assignments) and merges the result into `dest` the way Helm does.
/// For [`SetKind::File`] the value of each assignment is a path; `read_file`
/// returns its contents.
///
/// # Errors
/// A [`SetError`] pointing at the first assignment Helm would refuse. `dest`
/// may then hold the assignments made before it, as in Helm; callers give up
/// on the whole command.
pub fn parse_into(
    expr: &str,
    kind: SetKind,
    dest: &mut Map<String, Value>,
    read_file: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<(), SetError> {
    let mut parser = Parser {
        expr,
        pos: 0,
        kind,
        read_file,
    };
    if kind == SetKind::Json {
        let trimmed = expr.trim_start();
        if trimmed.starts_with('{') {
            return parser.merge_json_object(expr.len() - trimmed.len(), dest);
        }
    }
    parser.parse(dest)
}

/// Why parsing stopped early: Helm treats running out of input in most places
/// as the end of a well-formed argument (its `io.EOF`), not as an error.
enum Halt {
    End,
    Fail(SetError),
}

impl From<SetError> for Halt {
    fn from(e: SetError) -> Self {
        Halt::Fail(e)
    }
}

/// What follows an `=`, for the flags other than `--set-json`.
enum ValList {
    List(Vec<Value>),
    End,
    NotList,
}

struct Parser<'a, 'f> {
    expr: &'a str,
    /// Byte offset of the next character; always on a char boundary.
    pos: usize,
    kind: SetKind,
    read_file: &'f mut dyn FnMut(&str) -> Result<String, String>,
}

impl Parser<'_, '_> {
    fn error(&self, position: usize, message: String) -> SetError {
        SetError {
            flag: self.kind.flag(),
            expr: self.expr.to_string(),
            position,
            message,
        }
    }

    fn fail(&self, position: usize, message: String) -> Halt {
        Halt::Fail(self.error(position, message))
    }

    fn peek(&self) -> Option<char> {
        self.expr.get(self.pos..)?.chars().next()
    }

    fn next_char(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Reads up to (and consumes) the first unescaped character in `stop`,
    /// unescaping `\x` to `x` (`--set-literal` has no escapes). The stop
    /// character is `None` at the end of the input.
    fn until(&mut self, stop: &[char]) -> (String, Option<char>) {
        let escapes = self.kind != SetKind::Literal;
        let mut text = String::new();
        loop {
            match self.next_char() {
                None => return (text, None),
                Some(c) if stop.contains(&c) => return (text, Some(c)),
                Some('\\') if escapes => match self.next_char() {
                    None => return (text, None),
                    Some(escaped) => text.push(escaped),
                },
                Some(c) => text.push(c),
            }
        }
    }

    fn parse(&mut self, dest: &mut Map<String, Value>) -> Result<(), SetError> {
        loop {
            match self.key(dest, 0, 0) {
                Ok(()) => {}
                Err(Halt::End) => return Ok(()),
                Err(Halt::Fail(e)) => return Err(e),
            }
        }
    }

    /// One assignment (or the rest of one, below a dot), into `data`.
    fn key(
        &mut self,
        data: &mut Map<String, Value>,
        level: usize,
        depth: usize,
    ) -> Result<(), Halt> {
        let start = self.pos;
        if depth > MAX_DEPTH {
            return Err(self.fail(start, format!("path nests deeper than {MAX_DEPTH} levels")));
        }
        // A literal's key ends only at `=`, `[` or `.`: it may hold a `,`.
        let stop: &[char] = if self.kind == SetKind::Literal {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let (key, last) = self.until(stop);
        match last {
            None if key.is_empty() => Err(Halt::End),
            None => Err(self.fail(
                self.pos,
                format!("key {key:?} has no value (expected \"=\" after it)"),
            )),
            Some(',') => {
                set(data, &key, Value::String(String::new()));
                Err(self.fail(
                    self.pos - 1,
                    format!("key {key:?} has no value (expected \"=\" before \",\")"),
                ))
            }
            Some('[') => self.key_list(data, key, start, level, depth),
            Some('.') => self.key_map(data, &key, start, level, depth),
            Some(_) => self.key_value(data, &key),
        }
    }

    /// `key=value`, after the `=`.
    fn key_value(&mut self, data: &mut Map<String, Value>, key: &str) -> Result<(), Halt> {
        if self.kind == SetKind::Literal {
            let value = self.literal_value();
            set(data, key, value);
            return Ok(());
        }
        if self.kind == SetKind::Json {
            if self.empty_value() {
                set(data, key, Value::Null);
                return Ok(());
            }
            let value = self.json_value()?;
            set(data, key, value);
            self.empty_value();
            return Ok(());
        }
        match self.value_list()? {
            ValList::List(list) => {
                set(data, key, Value::Array(list));
                Ok(())
            }
            ValList::End => {
                set(data, key, Value::String(String::new()));
                Err(Halt::End)
            }
            ValList::NotList => {
                let at = self.pos;
                let (text, _) = self.until(&[',']);
                let value = self.read_value(text, at)?;
                set(data, key, value);
                Ok(())
            }
        }
    }

    /// `key[index]...`, after the `[`.
    fn key_list(
        &mut self,
        data: &mut Map<String, Value>,
        key: String,
        key_at: usize,
        level: usize,
        depth: usize,
    ) -> Result<(), Halt> {
        let index_at = self.pos;
        let index = self.list_index()?;
        let (mut list, existed) = match data.get_mut(&key) {
            None => (Vec::new(), false),
            Some(Value::Array(list)) => (std::mem::take(list), true),
            Some(other) => {
                let what = type_name(other);
                return Err(self.fail(
                    key_at,
                    format!("{key:?} is {what}, not a list: cannot set an index in it"),
                ));
            }
        };
        let original_len = list.len();
        let result = self.list_item(&mut list, index, index_at, level, depth + 1);
        if !key.is_empty() {
            data.insert(key, Value::Array(list));
        } else if existed {
            // Helm stores nothing under the empty key, yet changes it made in
            // place to an existing list show; growing it made a new list.
            let in_place = usize::try_from(index).is_ok_and(|i| i < original_len);
            if !in_place {
                list.truncate(original_len);
            }
            data.insert(key, Value::Array(list));
        }
        result
    }

    /// `key.rest`, after the `.`.
    fn key_map(
        &mut self,
        data: &mut Map<String, Value>,
        key: &str,
        key_at: usize,
        level: usize,
        depth: usize,
    ) -> Result<(), Halt> {
        let dot_at = self.pos - 1;
        let level = level + 1;
        if level > MAX_NESTED_NAME_LEVEL {
            return Err(self.fail(
                dot_at,
                format!(
                    "key nests deeper than Helm's limit of {MAX_NESTED_NAME_LEVEL} dotted levels"
                ),
            ));
        }
        let (mut inner, existed) = match data.get_mut(key) {
            None => (Map::new(), false),
            Some(Value::Object(map)) => (std::mem::take(map), true),
            Some(other) => {
                let what = type_name(other);
                return Err(self.fail(
                    key_at,
                    format!("{key:?} is {what}, not a map: cannot set a key inside it"),
                ));
            }
        };
        let result = self.key(&mut inner, level, depth + 1);
        let empty = inner.is_empty();
        // Helm changes an existing map in place, and stores a new one only when
        // something was set in it under a non-empty key.
        if existed {
            if let Some(slot) = data.get_mut(key) {
                *slot = Value::Object(inner);
            }
        } else if !empty && !key.is_empty() {
            data.insert(key.to_string(), Value::Object(inner));
        }
        if result.is_ok() && empty {
            return Err(self.fail(
                dot_at + 1,
                format!("key map {key:?} has no value (expected a key after \".\")"),
            ));
        }
        result
    }

    /// The index between `[` and `]`, after the `[`.
    fn list_index(&mut self) -> Result<i64, Halt> {
        let at = self.pos;
        let (text, last) = self.until(&[']']);
        if last.is_none() {
            return Err(Halt::End);
        }
        // Go's strconv.Atoi: an optional sign and ASCII digits, within int64;
        // Rust's integer parsing accepts exactly that.
        text.parse::<i64>().map_err(|e| {
            let why = match e.kind() {
                std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                    "out of range"
                }
                _ => "expected a number",
            };
            self.fail(at, format!("invalid list index {text:?} ({why})"))
        })
    }

    /// What follows `[index]`: `=value`, `.key...` or `[index]...`.
    fn list_item(
        &mut self,
        list: &mut Vec<Value>,
        index: i64,
        index_at: usize,
        level: usize,
        depth: usize,
    ) -> Result<(), Halt> {
        if index < 0 {
            return Err(self.fail(
                index_at,
                format!("negative list index {index} is not allowed"),
            ));
        }
        if depth > MAX_DEPTH {
            return Err(self.fail(
                index_at,
                format!("path nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        let at = self.pos;
        let (text, last) = self.until(&['[', '.', '=']);
        if !text.is_empty() {
            return Err(self.fail(
                at,
                format!("unexpected {text:?} after list index (expected \"=\", \".\" or \"[\")"),
            ));
        }
        let existing = usize::try_from(index).ok().filter(|&i| i < list.len());
        match last {
            None => Err(Halt::End),
            Some('=') => {
                let value = if self.kind == SetKind::Literal {
                    self.literal_value()
                } else if self.kind == SetKind::Json {
                    if self.empty_value() {
                        Value::Null
                    } else {
                        let value = self.json_value()?;
                        self.set_index(list, index, index_at, value)?;
                        self.empty_value();
                        return Ok(());
                    }
                } else {
                    match self.value_list()? {
                        ValList::List(values) => Value::Array(values),
                        ValList::End => Value::String(String::new()),
                        ValList::NotList => {
                            let value_at = self.pos;
                            let (text, _) = self.until(&[',']);
                            self.read_value(text, value_at)?
                        }
                    }
                };
                self.set_index(list, index, index_at, value)
            }
            Some('[') => {
                let inner_at = self.pos;
                let inner_index = self.list_index()?;
                let (mut inner, was_list) = match existing.map(|i| &mut list[i]) {
                    None | Some(Value::Null) => (Vec::new(), false),
                    Some(Value::Array(inner)) => (std::mem::take(inner), true),
                    Some(other) => {
                        let what = type_name(other);
                        return Err(self.fail(
                            index_at,
                            format!(
                                "list item {index} is {what}, not a list: cannot set an index in it"
                            ),
                        ));
                    }
                };
                match self.list_item(&mut inner, inner_index, inner_at, level, depth + 1) {
                    Ok(()) => self.set_index(list, index, index_at, Value::Array(inner)),
                    Err(halt) => {
                        if let (true, Some(i)) = (was_list, existing) {
                            list[i] = Value::Array(inner);
                        }
                        Err(halt)
                    }
                }
            }
            Some(_) => {
                // `.`: a map in the list; whatever else was there is replaced.
                let mut inner = match existing.map(|i| &mut list[i]) {
                    Some(Value::Object(map)) => std::mem::take(map),
                    _ => Map::new(),
                };
                match self.key(&mut inner, level, depth + 1) {
                    Ok(()) => self.set_index(list, index, index_at, Value::Object(inner)),
                    Err(halt) => {
                        if let Some(i) = existing {
                            list[i] = Value::Object(inner);
                        }
                        Err(halt)
                    }
                }
            }
        }
    }

    fn set_index(
        &self,
        list: &mut Vec<Value>,
        index: i64,
        index_at: usize,
        value: Value,
    ) -> Result<(), Halt> {
        if index > MAX_INDEX {
            return Err(self.fail(
                index_at,
                format!("list index {index} is larger than Helm's limit of {MAX_INDEX}"),
            ));
        }
        let Ok(i) = usize::try_from(index) else {
            return Err(self.fail(
                index_at,
                format!("negative list index {index} is not allowed"),
            ));
        };
        if list.len() <= i {
            list.resize(i + 1, Value::Null);
        }
        list[i] = value;
        Ok(())
    }

    /// The rest of the argument, as it is: a `--set-literal` value.
    fn literal_value(&mut self) -> Value {
        let rest = self.expr.get(self.pos..).unwrap_or("").to_string();
        self.pos = self.expr.len();
        Value::String(rest)
    }

    /// A `{a,b}` list if one starts here (consuming a `,` after its `}`).
    fn value_list(&mut self) -> Result<ValList, Halt> {
        let open_at = self.pos;
        match self.peek() {
            None => return Ok(ValList::End),
            Some('{') => self.pos += 1,
            Some(_) => return Ok(ValList::NotList),
        }
        let mut list = Vec::new();
        loop {
            let at = self.pos;
            let (text, last) = self.until(&[',', '}']);
            match last {
                None => {
                    return Err(self.fail(open_at, "list has no closing \"}\"".to_string()));
                }
                Some('}') => {
                    if self.peek() == Some(',') {
                        self.pos += 1;
                    }
                    list.push(self.read_value(text, at)?);
                    return Ok(ValList::List(list));
                }
                Some(_) => list.push(self.read_value(text, at)?),
            }
        }
    }

    /// Turns the text of a value into a value, as the flag says.
    fn read_value(&mut self, text: String, at: usize) -> Result<Value, Halt> {
        match self.kind {
            // `--set-json` values never come here; typing them is harmless.
            SetKind::Auto | SetKind::Json => Ok(typed_value(text)),
            SetKind::String | SetKind::Literal => Ok(Value::String(text)),
            SetKind::File => match (self.read_file)(&text) {
                Ok(contents) => Ok(Value::String(contents)),
                Err(why) => Err(self.fail(at, format!("cannot read file {text:?}: {why}"))),
            },
        }
    }

    /// Skips whitespace and one `,`; true when no value follows (a `,` or the
    /// end), false at any other character, which is left unread.
    fn empty_value(&mut self) -> bool {
        loop {
            match self.peek() {
                None => return true,
                Some(',') => {
                    self.pos += 1;
                    return true;
                }
                Some(c) if c.is_whitespace() => self.pos += c.len_utf8(),
                Some(_) => return false,
            }
        }
    }

    /// One JSON document starting here, ending where Go's decoder ends it:
    /// after the closing bracket or quote, or at the first character that
    /// cannot continue a number or literal (so `1x` is `1`, then `x`).
    fn json_value(&mut self) -> Result<Value, Halt> {
        let at = self.pos;
        let rest = self.expr.get(at..).unwrap_or("");
        let parsed = match rest.bytes().next() {
            Some(b'{' | b'[' | b'"') => {
                let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
                match stream.next() {
                    Some(Ok(value)) => Ok((value, stream.byte_offset())),
                    Some(Err(e)) => Err(e),
                    None => return Err(self.fail(at, "missing JSON value".to_string())),
                }
            }
            Some(b'-' | b'0'..=b'9') => match json_number_len(rest) {
                Some(len) => {
                    let text = rest.get(..len).unwrap_or("");
                    serde_json::from_str(text).map(|value| (value, len))
                }
                None => return Err(self.fail(at, "invalid JSON number".to_string())),
            },
            _ => {
                let literal = [
                    ("true", Value::Bool(true)),
                    ("false", Value::Bool(false)),
                    ("null", Value::Null),
                ]
                .into_iter()
                .find(|(word, _)| rest.starts_with(word));
                match literal {
                    Some((word, value)) => Ok((value, word.len())),
                    None => {
                        return Err(self.fail(
                            at,
                            "invalid JSON value (expected an object, list, string, number, true, false or null)"
                                .to_string(),
                        ));
                    }
                }
            }
        };
        match parsed {
            Ok((value, len)) => {
                self.pos = floor_char_boundary(self.expr, at + len);
                Ok(value)
            }
            Err(e) => Err(self.fail(at + json_error_offset(rest, &e), json_message(&e))),
        }
    }

    /// `--set-json '{...}'`: a whole JSON object, merged deeply like Helm's
    /// `MergeMaps` (maps merge, everything else replaces).
    fn merge_json_object(&self, at: usize, dest: &mut Map<String, Value>) -> Result<(), SetError> {
        let text = self.expr.get(at..).unwrap_or("");
        match serde_json::from_str::<Map<String, Value>>(text) {
            Ok(object) => {
                merge_maps(dest, object);
                Ok(())
            }
            Err(e) => Err(self.error(
                at + json_error_offset(text, &e),
                format!("invalid JSON object: {}", json_message(&e)),
            )),
        }
    }
}

fn set(data: &mut Map<String, Value>, key: &str, value: Value) {
    if !key.is_empty() {
        data.insert(key.to_string(), value);
    }
}

fn merge_maps(dest: &mut Map<String, Value>, src: Map<String, Value>) {
    for (key, value) in src {
        match value {
            Value::Object(inner) => {
                if let Some(Value::Object(existing)) = dest.get_mut(&key) {
                    merge_maps(existing, inner);
                } else {
                    dest.insert(key, Value::Object(inner));
                }
            }
            other => {
                dest.insert(key, other);
            }
        }
    }
}

/// Helm's `typedVal` for `--set`.
fn typed_value(text: String) -> Value {
    if go_equal_fold(&text, "true") {
        return Value::Bool(true);
    }
    if go_equal_fold(&text, "false") {
        return Value::Bool(false);
    }
    if go_equal_fold(&text, "null") {
        return Value::Null;
    }
    if text == "0" {
        return Value::from(0);
    }
    if !text.is_empty()
        && !text.starts_with('0')
        && let Ok(n) = text.parse::<i64>()
    {
        return Value::from(n);
    }
    Value::String(text)
}

/// Go's `strings.EqualFold` against an ASCII lower-case word: Unicode simple
/// case folding, under which `ſ` (U+017F) is an `s` and `K` (U+212A) a `k`.
fn go_equal_fold(text: &str, word: &str) -> bool {
    let fold = |c: char| match c {
        '\u{17F}' => 's',
        '\u{212A}' => 'k',
        c => c.to_ascii_lowercase(),
    };
    text.chars().map(fold).eq(word.chars())
}

/// The length of the JSON number at the start of `text`, by Go's scanner:
/// the longest valid number, or `None` when what is there cannot be one.
fn json_number_len(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let mut i = usize::from(b.first() == Some(&b'-'));
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            while digit(i) {
                i += 1;
            }
        }
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digit(i) {
            return None;
        }
        while digit(i) {
            i += 1;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digit(i) {
            return None;
        }
        while digit(i) {
            i += 1;
        }
    }
    Some(i)
}

/// `serde_json`'s message without its " at line L column C" tail.
fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let tail = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&tail).unwrap_or(&text).to_string()
}

/// The byte offset in `text` of a `serde_json` error's line and column.
fn json_error_offset(text: &str, e: &serde_json::Error) -> usize {
    if e.line() == 0 {
        return 0;
    }
    let line_start: usize = text
        .split_inclusive('\n')
        .take(e.line() - 1)
        .map(str::len)
        .sum();
    floor_char_boundary(text, line_start + e.column().saturating_sub(1))
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn no_files(path: &str) -> Result<String, String> {
        Err(format!("no file {path}"))
    }

    fn parse(expr: &str, kind: SetKind) -> Result<Value, SetError> {
        let mut values = Map::new();
        parse_into(expr, kind, &mut values, &mut no_files)?;
        Ok(Value::Object(values))
    }

    fn error(expr: &str, kind: SetKind) -> SetError {
        match parse(expr, kind) {
            Ok(v) => panic!("{expr:?} parsed as {v}, expected an error"),
            Err(e) => e,
        }
    }

    #[test]
    fn error_points_at_the_bad_index() {
        let e = error("a[x]=1", SetKind::Auto);
        assert_eq!(e.position, 2);
        assert_eq!(
            e.to_string(),
            "--set \"a[x]=1\": invalid list index \"x\" (expected a number)\n  a[x]=1\n    ^"
        );
    }

    #[test]
    fn error_for_a_missing_equals_points_past_the_key() {
        let e = error("a.b", SetKind::String);
        assert_eq!(
            e.to_string(),
            "--set-string \"a.b\": key \"b\" has no value (expected \"=\" after it)\n  a.b\n     ^"
        );
    }

    #[test]
    fn caret_counts_characters_not_bytes() {
        let e = error("ключ=1,é[-1]=2", SetKind::Auto);
        assert_eq!(e.message, "negative list index -1 is not allowed");
        assert_eq!(e.position, "ключ=1,é[".len());
        assert!(
            e.to_string().ends_with("\n  ключ=1,é[-1]=2\n           ^"),
            "{e}"
        );
    }

    #[test]
    fn caret_shows_only_the_line_with_the_problem() {
        let e = error("a=[1,\n  2,\n  x]", SetKind::Json);
        assert_eq!(
            e.to_string().lines().skip(1).collect::<Vec<_>>(),
            ["    x]", "    ^"]
        );
    }

    #[test]
    fn error_names_each_flag() {
        assert!(
            error("a", SetKind::Json)
                .to_string()
                .starts_with("--set-json \"a\": ")
        );
        let e = error("a=missing", SetKind::File);
        assert_eq!(e.message, "cannot read file \"missing\": no file missing");
        assert_eq!(e.position, 2);
    }

    #[test]
    fn json_errors_point_into_the_document() {
        let e = error("a={\"b\":tru}", SetKind::Json);
        // serde_json notices the bad literal at the character after it.
        assert_eq!(e.position, "a={\"b\":tru".len(), "{e}");
        let e = error("  {\"a\":1", SetKind::Json);
        assert!(e.message.starts_with("invalid JSON object: EOF"), "{e}");
    }

    #[test]
    fn list_index_limit_is_helms() {
        let v = parse("l[65536]=x", SetKind::Auto).unwrap();
        assert_eq!(v["l"].as_array().map(Vec::len), Some(65537));
        let e = error("l[65537]=x", SetKind::Auto);
        assert_eq!(
            e.message,
            "list index 65537 is larger than Helm's limit of 65536"
        );
        assert_eq!(error("l[9223372036854775807]=1", SetKind::Json).position, 2);
    }

    #[test]
    fn deep_paths_are_errors_not_stack_overflows() {
        let brackets = format!("a{}=1", "[0]".repeat(100_000));
        assert!(
            error(&brackets, SetKind::Auto)
                .message
                .contains("deeper than")
        );
        let mixed = format!("{}=1", "a[0].".repeat(100_000));
        assert!(error(&mixed, SetKind::Auto).message.contains("deeper than"));
        let json = format!("a={}", "[".repeat(100_000));
        assert!(parse(&json, SetKind::Json).is_err());
        assert!(parse(&format!("a{}=1", "[0]".repeat(200)), SetKind::Auto).is_ok());
    }

    #[test]
    fn keeps_authored_key_order() {
        let v = parse("z=1,a=2,m.y=3,m.b=4", SetKind::Auto).unwrap();
        assert_eq!(v.to_string(), r#"{"z":1,"a":2,"m":{"y":3,"b":4}}"#);
    }

    #[test]
    fn set_file_reads_each_path() {
        let mut values = Map::new();
        let mut read = |path: &str| Ok(format!("<{path}>"));
        parse_into("a=x,l={y,z}", SetKind::File, &mut values, &mut read).unwrap();
        assert_eq!(
            Value::Object(values).to_string(),
            r#"{"a":"<x>","l":["<y>","<z>"]}"#
        );
    }

    fn any_kind() -> impl Strategy<Value = SetKind> {
        prop_oneof![
            Just(SetKind::Auto),
            Just(SetKind::String),
            Just(SetKind::Json),
            Just(SetKind::File),
            Just(SetKind::Literal),
        ]
    }

    /// Strings built mostly from the characters the syntax gives meaning to.
    fn set_syntax() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::string::string_regex(r#"[ab0-9=.,\[\]{}\\"\-+ :tn\u{17f}é🚀]{0,40}"#)
                .expect("valid regex"),
            any::<String>(),
        ]
    }

    proptest! {
        #[test]
        fn parse_into_never_panics(kind in any_kind(), expr in set_syntax(), prefill in set_syntax()) {
            let mut values = Map::new();
            let mut read = |path: &str| {
                if path.len().is_multiple_of(2) { Ok(path.to_string()) } else { Err("nope".to_string()) }
            };
            // Existing values of every shape, as earlier flags leave them.
            let _ = parse_into(&prefill, SetKind::Json, &mut values, &mut read);
            let _ = parse_into(&prefill, SetKind::Auto, &mut values, &mut read);
            if let Err(e) = parse_into(&expr, kind, &mut values, &mut read) {
                prop_assert!(e.position <= expr.len());
                let _ = e.to_string();
            }
        }
    }
}
