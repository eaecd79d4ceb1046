//! The value flags every chart-taking command shares: `-f` and the `--set` family.

use std::path::PathBuf;

use clap::{ArgMatches, Args};

use crate::values::ValueArgs;
use crate::values::strvals::SetKind;

#[derive(Debug, Clone, Args, Default)]
pub struct ValueFlags {
    /// A values file (YAML), merged over the chart's defaults; repeatable, later wins. `-` reads stdin.
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<PathBuf>,
    /// Set values (`a.b=1,c={x,y}`); types are inferred as Helm does. Repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Set values as strings, never inferring types. Repeatable.
    #[arg(long = "set-string", value_name = "PATH=VALUE")]
    pub set_string: Vec<String>,
    /// Set values from JSON (`a={"b":[1,2]}`). Repeatable.
    #[arg(long = "set-json", value_name = "PATH=JSON")]
    pub set_json: Vec<String>,
    /// Set values from files' contents (`cert=./tls.crt`). Repeatable.
    #[arg(long = "set-file", value_name = "PATH=FILE")]
    pub set_file: Vec<String>,
    /// Set one value as a literal string: everything after the first `=`, commas and backslashes included. Repeatable.
    #[arg(long = "set-literal", value_name = "PATH=VALUE")]
    pub set_literal: Vec<String>,
}

impl ValueFlags {
    /// The flags as value layers, the `--set*` flags in the order they were
    /// given on the command line (clap keeps each flag's own list; the
    /// argument indices restore the interleaving).
    pub fn to_value_args(&self, matches: Option<&ArgMatches>) -> ValueArgs {
        let mut sets: Vec<(usize, SetKind, String)> = Vec::new();
        for (id, kind, list) in [
            ("set", SetKind::Auto, &self.set),
            ("set_string", SetKind::String, &self.set_string),
            ("set_json", SetKind::Json, &self.set_json),
            ("set_file", SetKind::File, &self.set_file),
            ("set_literal", SetKind::Literal, &self.set_literal),
        ] {
            let indices: Vec<usize> = matches
                .and_then(|m| m.indices_of(id))
                .map(|i| i.collect())
                .unwrap_or_default();
            for (n, expr) in list.iter().enumerate() {
                let position = indices.get(n).copied().unwrap_or(usize::MAX);
                sets.push((position, kind, expr.clone()));
            }
        }
        sets.sort_by_key(|(position, _, _)| *position);
        ValueArgs {
            files: self.values.clone(),
            sets: sets
                .into_iter()
                .map(|(_, kind, expr)| (kind, expr))
                .collect(),
        }
    }
}
