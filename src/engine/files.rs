//! `files`: read-only access to the chart's own non-template files, like
//! Helm's `.Files`. Paths are relative to the chart root; absolute paths and
//! `..` are refused, and templates/, charts/ and the chart's machinery
//! (Chart.yaml, values files) are not visible, as in Helm.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine as _;
use minijinja::value::{Object, Value, from_args};
use minijinja::{Error, ErrorKind, State};

use crate::chart::Chart;

/// The chart's files, shared with the chart (not copied); only the user
/// files among them ([`Chart::is_user_file`]) are visible.
#[derive(Debug)]
pub struct Files {
    files: Arc<BTreeMap<String, Vec<u8>>>,
}

impl Files {
    pub fn new(chart: &Chart) -> Files {
        Files {
            files: Arc::clone(&chart.files),
        }
    }

    fn user_files(&self) -> impl Iterator<Item = (&String, &Vec<u8>)> {
        self.files
            .iter()
            .filter(|(path, _)| Chart::is_user_file(path))
    }

    fn get(&self, path: &str) -> Result<String, Error> {
        let path = checked_path(path)?;
        let bytes = self.files.get(path).filter(|_| Chart::is_user_file(path)).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidOperation,
                format!("files.get({path:?}): the chart has no such file (templates/, charts/ and .helmignore'd files are not visible)"),
            )
        })?;
        String::from_utf8(bytes.to_vec()).map_err(|_| {
            Error::new(
                ErrorKind::InvalidOperation,
                format!(
                    "files.get({path:?}): not UTF-8 text; use files.as_secrets for binary files"
                ),
            )
        })
    }

    fn glob(&self, pattern: &str) -> Result<BTreeMap<&str, &Vec<u8>>, Error> {
        checked_path(pattern)?;
        let matcher = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| {
                Error::new(
                    ErrorKind::InvalidOperation,
                    format!("bad glob {pattern:?}: {e}"),
                )
            })?
            .compile_matcher();
        Ok(self
            .user_files()
            .filter(|(path, _)| matcher.is_match(path.as_str()))
            .map(|(path, bytes)| (path.as_str(), bytes))
            .collect())
    }
}

/// Refuses paths that try to leave the chart.
fn checked_path(path: &str) -> Result<&str, Error> {
    let refuse = |why: &str| {
        Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "files: {path:?} {why}; paths are relative to the chart root, e.g. files.get(\"config/app.toml\")"
            ),
        ))
    };
    if path.starts_with('/')
        || path.starts_with('\\')
        || path.contains(':') && path.len() > 1 && path.as_bytes()[1] == b':'
    {
        return refuse("is absolute");
    }
    if path.split(['/', '\\']).any(|part| part == "..") {
        return refuse("leaves the chart");
    }
    Ok(path.strip_prefix("./").unwrap_or(path))
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

impl Object for Files {
    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match method {
            "get" => {
                let (path,): (&str,) = from_args(args)?;
                Ok(Value::from(self.get(path)?))
            }
            "lines" => {
                let (path,): (&str,) = from_args(args)?;
                let text = self.get(path)?;
                Ok(Value::from(
                    text.lines().map(str::to_string).collect::<Vec<_>>(),
                ))
            }
            "glob" => {
                let (pattern,): (&str,) = from_args(args)?;
                let map: BTreeMap<String, Value> = self
                    .glob(pattern)?
                    .into_iter()
                    .map(|(path, bytes)| {
                        (
                            path.to_string(),
                            Value::from(String::from_utf8_lossy(bytes).into_owned()),
                        )
                    })
                    .collect();
                Ok(Value::from(map))
            }
            "as_config" | "as_secrets" => {
                let (pattern,): (&str,) = from_args(args)?;
                let mut map = serde_yaml::Mapping::new();
                for (path, bytes) in self.glob(pattern)? {
                    let value = if method == "as_secrets" {
                        base64::engine::general_purpose::STANDARD.encode(bytes.as_slice())
                    } else {
                        String::from_utf8(bytes.to_vec()).map_err(|_| {
                            Error::new(ErrorKind::InvalidOperation, format!("files.as_config: {path:?} is not UTF-8 text; use files.as_secrets"))
                        })?
                    };
                    map.insert(basename(path).into(), value.into());
                }
                if map.is_empty() {
                    return Ok(Value::from(""));
                }
                let out = crate::manifest::emit::to_string(&serde_yaml::Value::Mapping(map));
                Ok(Value::from(out.trim_end_matches('\n')))
            }
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!(
                    "files has no method {method:?}; it has get, lines, glob, as_config and as_secrets"
                ),
            )),
        }
    }
}
