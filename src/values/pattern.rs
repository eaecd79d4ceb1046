//! values.schema.json's `pattern` keyword, in place of jsonschema's.
//!
//! jsonschema builds a full `regex` engine for every `pattern` it cannot
//! answer by a cheaper test (forward and reverse automata; `\S` alone
//! zero-fills a 400 KB table), and a chart's schema repeats patterns.
//! This keyword keeps jsonschema's ECMA-262 translation, its cheaper tests
//! (`jsonschema_regex`) and its message, compiles each distinct pattern
//! once per schema, and matches with regex-lite, which is cheap to build
//! and quick enough for the short strings values hold; fancy-regex
//! (jsonschema's engine) takes the patterns regex-lite refuses, those with
//! look-around or back-references. A pattern neither accepts is refused as
//! jsonschema refuses it: `"[" is not a "regex"`, when the schema loads.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use jsonschema::{Keyword, ValidationError};
use jsonschema_regex::{PatternAnalysis, RepeatedClass, Search};
use serde_json::Value;

/// The `pattern` keyword for one schema build: each distinct pattern is
/// compiled once however many places use it.
#[derive(Clone, Default)]
pub(super) struct Patterns {
    compiled: Arc<Mutex<HashMap<String, Arc<Matcher>>>>,
}

impl Patterns {
    /// The keyword factory given to `jsonschema::options().with_keyword`.
    pub(super) fn keyword<'a>(
        &self,
        schema: &'a Value,
    ) -> Result<Box<dyn for<'i> Keyword<'i>>, ValidationError<'a>> {
        let Value::String(pattern) = schema else {
            return Err(ValidationError::schema("`pattern` must be a string"));
        };
        let mut compiled = self.compiled.lock().unwrap_or_else(PoisonError::into_inner);
        let matcher = match compiled.get(pattern) {
            Some(matcher) => Arc::clone(matcher),
            None => {
                let matcher = Arc::new(Matcher::new(pattern).ok_or_else(|| {
                    ValidationError::schema(format!("{schema} is not a \"regex\""))
                })?);
                compiled.insert(pattern.clone(), Arc::clone(&matcher));
                matcher
            }
        };
        Ok(Box::new(Pattern {
            pattern: pattern.clone(),
            matcher,
        }))
    }
}

struct Pattern {
    /// As written in the schema, for messages.
    pattern: String,
    matcher: Arc<Matcher>,
}

enum Matcher {
    /// `^prefix`, `^exact$`, `^(a|b)$` and `^\S*$`, compared without a regex.
    Literal(PatternAnalysis<'static>),
    /// `^X{m,n}$` over one character class: the characters are counted.
    Counted(RepeatedClass),
    /// Most patterns: cheap to build, and values are short strings.
    Lite(regex_lite::Regex),
    /// Patterns with look-around or back-references.
    Fancy(fancy_regex::Regex),
}

impl Matcher {
    /// None when the pattern is not a regex.
    fn new(pattern: &str) -> Option<Matcher> {
        if let Some(literal) = jsonschema_regex::analyze_pattern(pattern) {
            return Some(Matcher::Literal(owned(literal)));
        }
        let translated = jsonschema_regex::to_rust_regex(pattern).ok()?;
        let collapsed;
        let regex = match jsonschema_regex::search_form(pattern, &translated) {
            Some(Search::RepeatedClass(class)) => return Some(Matcher::Counted(class)),
            Some(Search::Collapsed(shorter)) => {
                collapsed = shorter;
                &collapsed
            }
            None => translated.as_ref(),
        };
        match regex_lite::Regex::new(regex) {
            Ok(lite) => Some(Matcher::Lite(lite)),
            Err(_) => fancy_regex::Regex::new(regex).ok().map(Matcher::Fancy),
        }
    }

    fn is_match(&self, text: &str) -> Result<bool, String> {
        match self {
            Matcher::Literal(literal) => Ok(match literal {
                PatternAnalysis::Prefix(prefix) => text.starts_with(prefix.as_ref()),
                PatternAnalysis::Exact(exact) => text == exact.as_ref(),
                PatternAnalysis::Alternation(words) => words.iter().any(|w| w == text),
                PatternAnalysis::NoWhitespace => !jsonschema_regex::contains_ecma_whitespace(text),
            }),
            Matcher::Counted(class) => Ok(class.is_match(text)),
            Matcher::Lite(regex) => Ok(regex.is_match(text)),
            Matcher::Fancy(regex) => regex.is_match(text).map_err(|e| e.to_string()),
        }
    }
}

fn owned(literal: PatternAnalysis<'_>) -> PatternAnalysis<'static> {
    match literal {
        PatternAnalysis::Prefix(prefix) => PatternAnalysis::Prefix(prefix.into_owned().into()),
        PatternAnalysis::Exact(exact) => PatternAnalysis::Exact(exact.into_owned().into()),
        PatternAnalysis::Alternation(words) => PatternAnalysis::Alternation(words),
        PatternAnalysis::NoWhitespace => PatternAnalysis::NoWhitespace,
    }
}

impl<'i> Keyword<'i> for Pattern {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        let Value::String(text) = instance else {
            return Ok(());
        };
        match self.matcher.is_match(text) {
            Ok(true) => Ok(()),
            Ok(false) => Err(ValidationError::custom(format!(
                "{instance} does not match \"{}\"",
                self.pattern
            ))),
            Err(why) => Err(ValidationError::custom(format!(
                "{instance} cannot be checked against \"{}\": {why}",
                self.pattern
            ))),
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        match instance {
            Value::String(text) => self.matcher.is_match(text).unwrap_or(false),
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What jsonschema's own `pattern` answers: the translation, matched by
    /// fancy-regex.
    fn jsonschema_answer(pattern: &str, text: &str) -> bool {
        let translated = jsonschema_regex::to_rust_regex(pattern).unwrap();
        fancy_regex::Regex::new(&translated)
            .unwrap()
            .is_match(text)
            .unwrap()
    }

    /// Every `pattern` in the bundled charts' schemas, and more shapes.
    fn patterns() -> Vec<String> {
        let mut found = Vec::new();
        let charts = concat!(env!("CARGO_MANIFEST_DIR"), "/charts");
        for chart in std::fs::read_dir(charts).unwrap() {
            let path = chart.unwrap().path().join("values.schema.json");
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let json: Value = serde_json::from_str(&text).unwrap();
            collect(&json, &mut found);
        }
        assert!(found.len() > 40, "found only {} patterns", found.len());
        for extra in [
            r"^\S+$",
            r"^$|^\S+$",
            r"\s",
            r"^\d+(\.\d+)?$",
            r"^\w+$",
            r"\W",
            r"^.+$",
            r"^a.c$",
            r"^[^\s:@]+(:[0-9]+)?$",
            r"^(?!latest$)",
            r"(?<=x)y",
            r"^(ab)\1$",
            r"^[a-z]{2,4}-[0-9]{1,}$",
            r"^x{3}",
            r"^(get|put)$",
            r"^sha256:[0-9a-f]{64}$",
            r"é",
            r"^\p{L}+$",
            r"^[\u00e0-\u00ff]+$",
            r"\u2028",
            r"^\x41",
            r"^\t",
            r"(a|)b",
            r"[-.]",
            r"^\[x\]$",
        ] {
            found.push(extra.to_string());
        }
        found
    }

    fn collect(json: &Value, found: &mut Vec<String>) {
        match json {
            Value::Object(map) => {
                if let Some(Value::String(pattern)) = map.get("pattern") {
                    found.push(pattern.clone());
                }
                map.values().for_each(|v| collect(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| collect(v, found)),
            _ => {}
        }
    }

    const TEXTS: &[&str] = &[
        "",
        " ",
        "a",
        "abc",
        "a c",
        "a\nc",
        "a\rc",
        "a\u{2028}c",
        "a\u{a0}c",
        "a\u{3000}c",
        "x",
        "xy",
        "xxx",
        "yx",
        "latest",
        "latest1",
        "v1.2.3",
        "1",
        "12",
        "1.5",
        "1.5Gi",
        "500m",
        "10%",
        "1h30m",
        "0",
        "abab",
        "ab-12",
        "get",
        "put ",
        "https://app.example.com",
        "https://app.example.com/x y",
        "https://\u{e9}.example/\u{e4}",
        "http://",
        "registry.example.com:5000/team/app",
        "team/app@sha256:0000",
        "my-app.example.com",
        "*.example.com",
        "-bad-",
        "UPPER_CASE",
        "_lead",
        "9lead",
        "with-dash",
        "/var/lib/postgresql/data/pgdata",
        "/",
        "é",
        "\u{e0}\u{ff}",
        "Ab",
        "\t",
        "[x]",
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "b",
        "-",
        "A",
        "postgres://user:pw@db:5432/app",
        "* * * * *",
        "@daily",
    ];

    #[test]
    fn answers_as_jsonschema_does() {
        let patterns = patterns();
        for pattern in &patterns {
            let matcher =
                Matcher::new(pattern).unwrap_or_else(|| panic!("{pattern:?} did not compile"));
            for text in TEXTS {
                assert_eq!(
                    matcher.is_match(text),
                    Ok(jsonschema_answer(pattern, text)),
                    "pattern {pattern:?} on {text:?}"
                );
            }
        }
    }

    #[test]
    fn word_boundaries_are_ascii_as_in_ecma_262() {
        // `é` is not a word character to ECMA-262 (nor to Go's regexp, which
        // Helm uses), so `a\b` matches in `aé`; jsonschema's Unicode `\b` does not.
        let matcher = Matcher::new(r"^a\b").unwrap();
        assert_eq!(matcher.is_match("a\u{e9}"), Ok(true));
        assert_eq!(matcher.is_match("ab"), Ok(false));
        assert!(!jsonschema_answer(r"^a\b", "a\u{e9}"));
    }

    #[test]
    fn refuses_what_is_not_a_regex() {
        for pattern in ["[", "a{2,1}", "(", r"\p{Nope}", "x{1000000}{1000000}"] {
            assert!(Matcher::new(pattern).is_none(), "{pattern:?}");
        }
    }

    #[test]
    fn look_around_goes_to_fancy_regex() {
        assert!(matches!(
            Matcher::new(r"^(?!latest$)"),
            Some(Matcher::Fancy(_))
        ));
        assert!(matches!(Matcher::new(r"^$|^\S+$"), Some(Matcher::Lite(_))));
    }

    #[test]
    fn a_match_the_engine_gives_up_on_is_a_violation_that_says_so() {
        // A back-reference after a nested repeat: fancy-regex backtracks
        // until its limit.
        let schema = Value::String(r"^((a|a)+)\1$".into());
        let keyword = Patterns::default().keyword(&schema).unwrap();
        let text = Value::String(format!("{}b", "a".repeat(40)));
        let error = keyword.validate(&text).unwrap_err().to_string();
        assert!(
            error.contains("cannot be checked against \"^((a|a)+)\\1$\": ")
                && error.contains("backtracking"),
            "{error}"
        );
        assert!(!keyword.is_valid(&text));
    }

    #[test]
    fn one_pattern_compiles_once_per_build() {
        let patterns = Patterns::default();
        let schema = Value::String("^[a-z]+-[0-9]+$".into());
        let _first = patterns.keyword(&schema).unwrap();
        let _second = patterns.keyword(&schema).unwrap();
        let compiled = patterns.compiled.lock().unwrap();
        assert_eq!(compiled.len(), 1);
        assert_eq!(Arc::strong_count(&compiled["^[a-z]+-[0-9]+$"]), 3);
    }
}
