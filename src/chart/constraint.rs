//! Version constraints in Helm's syntax (Masterminds/semver v3), used by
//! Chart.yaml `kubeVersion` and dependency `version` fields.
//!
//! `||` separates alternatives; commas or spaces separate comparators that
//! must all hold; operators `= != > < >= <= ~ ~> ^`; wildcards `x`, `X`, `*`
//! and partial versions (`1.2`); hyphen ranges (`1.2 - 1.4.5`). As in
//! Masterminds, a pre-release version satisfies a comparator only when that
//! comparator carries a pre-release itself (`>=1.27.0-0` admits `1.28.1-eks-1`).
//! The `semver` crate's own `VersionReq` has Cargo's semantics (a bare `1.2`
//! means `^1.2`), which is why this small parser exists.

use std::fmt;

use semver::{Prerelease, Version};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    text: String,
    alternatives: Vec<Vec<Comparator>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Comparator {
    /// Inclusive lower bound.
    min: Option<Version>,
    /// Upper bound and whether it is inclusive.
    max: Option<(Version, bool)>,
    /// `!=`: the version must fall outside [min, max].
    negate: bool,
    has_prerelease: bool,
}

/// A version with wildcard parts, as written in a constraint.
#[derive(Debug, Clone, Copy)]
struct Partial<'a> {
    major: Option<u64>,
    minor: Option<u64>,
    patch: Option<u64>,
    pre: &'a str,
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Constraint {
    pub fn parse(text: &str) -> Result<Constraint, String> {
        let mut alternatives = Vec::new();
        for alternative in text.split("||") {
            let tokens = tokenize(alternative);
            if tokens.is_empty() {
                return Err("empty constraint: write e.g. `>=1.27.0-0`".into());
            }
            let mut comparators = Vec::new();
            let mut i = 0;
            while i < tokens.len() {
                if tokens.get(i + 1).map(String::as_str) == Some("-") {
                    let low = tokens.get(i).ok_or("a range needs a lower bound")?;
                    let high = tokens
                        .get(i + 2)
                        .ok_or_else(|| format!("range `{low} -` has no upper bound"))?;
                    let low = parse_partial(low)?;
                    let high = parse_partial(high)?;
                    comparators.push(Comparator {
                        min: Some(low.floor()),
                        max: Some(high.upper_inclusive()),
                        negate: false,
                        has_prerelease: !low.pre.is_empty() || !high.pre.is_empty(),
                    });
                    i += 3;
                } else {
                    comparators.push(parse_comparator(&tokens[i])?);
                    i += 1;
                }
            }
            alternatives.push(comparators);
        }
        Ok(Constraint {
            text: text.trim().to_string(),
            alternatives,
        })
    }

    pub fn matches(&self, version: &Version) -> bool {
        self.alternatives
            .iter()
            .any(|all| all.iter().all(|c| c.matches(version)))
    }
}

/// Parses a version the way Helm's `--kube-version` does: an optional `v`,
/// and missing minor/patch parts read as 0 (`1.31` is `1.31.0`).
pub fn parse_loose_version(text: &str) -> Result<Version, String> {
    let partial = parse_partial(text.trim())?;
    if partial.major.is_none() {
        return Err(format!("{text:?} is not a version"));
    }
    Ok(partial.floor())
}

/// Splits a comparator list on commas and spaces, gluing an operator written
/// apart from its version (`>= 1.2`) back together.
fn tokenize(text: &str) -> Vec<String> {
    let mut tokens: Vec<String> = Vec::new();
    for word in text.split([',', ' ', '\t']).filter(|w| !w.is_empty()) {
        match tokens.last_mut() {
            Some(last) if last.chars().all(|c| "=!<>~^".contains(c)) && last != "-" => {
                last.push_str(word)
            }
            _ => tokens.push(word.to_string()),
        }
    }
    tokens
}

fn parse_comparator(token: &str) -> Result<Comparator, String> {
    let split = token
        .find(|c: char| !"=!<>~^".contains(c))
        .ok_or_else(|| format!("`{token}` has an operator but no version"))?;
    let (op, rest) = token.split_at(split);
    let v = parse_partial(rest)?;
    let has_prerelease = !v.pre.is_empty();
    let (min, max, negate) = match op {
        "" | "=" => (Some(v.floor()), Some(v.upper_inclusive()), false),
        "!=" => (Some(v.floor()), Some(v.upper_inclusive()), true),
        ">" => match v.exclusive_next() {
            Some(next) => (Some(next), None, false),
            None => (Some(v.floor()), None, false),
        },
        ">=" | "=>" => (Some(v.floor()), None, false),
        "<" => (None, Some((v.floor(), false)), false),
        "<=" | "=<" => (None, Some(v.upper_inclusive()), false),
        "~" | "~>" => (Some(v.floor()), Some((v.tilde_ceiling(), false)), false),
        "^" => (Some(v.floor()), Some((v.caret_ceiling(), false)), false),
        other => return Err(format!("unknown operator `{other}` in `{token}`")),
    };
    Ok(Comparator {
        min,
        max,
        negate,
        has_prerelease,
    })
}

fn parse_partial(text: &str) -> Result<Partial<'_>, String> {
    let bad = || format!("`{text}` is not a version (expected e.g. 1.27.0, 1.27, 1.x)");
    let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
    let (core, pre) = match text.find(['-', '+']) {
        Some(i) if text.as_bytes()[i] == b'-' => {
            let pre = &text[i + 1..];
            (&text[..i], pre.split('+').next().unwrap_or(""))
        }
        Some(i) => (&text[..i], ""),
        None => (text, ""),
    };
    if !pre.is_empty() {
        Prerelease::new(pre).map_err(|_| bad())?;
    }
    let mut parts = core.split('.');
    let mut next = || -> Result<Option<u64>, String> {
        match parts.next() {
            None | Some("x" | "X" | "*") => Ok(None),
            Some(n) => n.parse::<u64>().map(Some).map_err(|_| bad()),
        }
    };
    let major = next()?;
    let minor = if major.is_some() { next()? } else { None };
    let patch = if minor.is_some() { next()? } else { None };
    if parts.next().is_some() || core.is_empty() && pre.is_empty() {
        return Err(bad());
    }
    Ok(Partial {
        major,
        minor,
        patch,
        pre,
    })
}

impl Partial<'_> {
    fn version(major: u64, minor: u64, patch: u64, pre: &str) -> Version {
        let mut v = Version::new(major, minor, patch);
        v.pre = Prerelease::new(pre).unwrap_or(Prerelease::EMPTY);
        v
    }

    /// The lowest version the partial covers.
    fn floor(&self) -> Version {
        Self::version(
            self.major.unwrap_or(0),
            self.minor.unwrap_or(0),
            self.patch.unwrap_or(0),
            self.pre,
        )
    }

    /// The highest version the partial covers, as an upper bound.
    fn upper_inclusive(&self) -> (Version, bool) {
        match (self.major, self.minor, self.patch) {
            (Some(major), Some(minor), Some(patch)) => {
                (Self::version(major, minor, patch, self.pre), true)
            }
            (Some(major), Some(minor), None) => (Self::version(major, minor + 1, 0, "0"), false),
            (Some(major), None, _) => (Self::version(major + 1, 0, 0, "0"), false),
            (None, _, _) => (Version::new(u64::MAX, u64::MAX, u64::MAX), true),
        }
    }

    /// For `>`: the first version past the partial's range, if it has one.
    fn exclusive_next(&self) -> Option<Version> {
        match (self.major, self.minor, self.patch) {
            (Some(_), Some(_), Some(_)) => None,
            (Some(major), Some(minor), None) => Some(Version::new(major, minor + 1, 0)),
            (Some(major), None, _) => Some(Version::new(major + 1, 0, 0)),
            (None, _, _) => Some(Version::new(u64::MAX, u64::MAX, u64::MAX)),
        }
    }

    fn tilde_ceiling(&self) -> Version {
        match (self.major, self.minor) {
            (Some(major), Some(minor)) => Self::version(major, minor + 1, 0, "0"),
            (Some(major), None) => Self::version(major + 1, 0, 0, "0"),
            _ => Version::new(u64::MAX, 0, 0),
        }
    }

    fn caret_ceiling(&self) -> Version {
        match (self.major, self.minor, self.patch) {
            (Some(0), Some(0), Some(patch)) => Self::version(0, 0, patch + 1, "0"),
            (Some(0), Some(minor), _) => Self::version(0, minor + 1, 0, "0"),
            (Some(major), _, _) => Self::version(major + 1, 0, 0, "0"),
            (None, _, _) => Version::new(u64::MAX, 0, 0),
        }
    }
}

impl Comparator {
    fn matches(&self, version: &Version) -> bool {
        if !version.pre.is_empty() && !self.has_prerelease {
            return false;
        }
        let above = self.min.as_ref().is_none_or(|min| version >= min);
        let below = match &self.max {
            None => true,
            Some((max, true)) => version <= max,
            Some((max, false)) => version < max,
        };
        (above && below) != self.negate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(constraint: &str, version: &str) -> bool {
        let c = Constraint::parse(constraint).unwrap();
        c.matches(&parse_loose_version(version).unwrap())
    }

    #[test]
    fn helm_constraint_table() {
        let cases = [
            (">=1.27.0-0", "1.27.0", true),
            (">=1.27.0-0", "1.26.9", false),
            (">=1.27.0-0", "v1.28.1-eks-1", true),
            (">=1.27.0", "1.28.1-eks-1", false),
            (">= 1.27", "1.30", true),
            ("^1.2", "1.9.0", true),
            ("^1.2", "2.0.0", false),
            ("^0.2.3", "0.2.9", true),
            ("^0.2.3", "0.3.0", false),
            ("~1.2.3", "1.2.9", true),
            ("~1.2.3", "1.3.0", false),
            (">=1, <2", "1.5.0", true),
            (">=1 <2", "2.0.0", false),
            ("1.x", "1.99.0", true),
            ("1.x", "2.0.0", false),
            ("1.2.3", "1.2.3", true),
            ("1.2.3", "1.2.4", false),
            ("1.2 - 1.4.5", "1.4.5", true),
            ("1.2 - 1.4.5", "1.4.6", false),
            ("<1.20 || >=1.25", "1.26.0", true),
            ("<1.20 || >=1.25", "1.22.0", false),
            ("!=1.2.3", "1.2.3", false),
            (">1.2", "1.2.9", false),
            (">1.2", "1.3.0", true),
            ("<=1.2", "1.2.9", true),
            ("*", "3.0.0", true),
        ];
        for (c, v, want) in cases {
            assert_eq!(check(c, v), want, "{c} vs {v}");
        }
    }

    #[test]
    fn refuses_nonsense() {
        for bad in ["", ">=abc", "1.2.3.4", ">=", "1 -", "%1"] {
            assert!(Constraint::parse(bad).is_err(), "{bad:?}");
        }
    }
}
