//! `.skifflint.yaml` at the chart root: rules to skip and objects that exist
//! outside the chart (docs/lint.md "Settings").
//!
//! ```yaml
//! disable: [container-probes, pdb-missing]
//! external:
//!   secrets: [db-credentials]
//!   configMaps: [cluster-ca]
//! ```
//!
//! Unknown keys are refused (a typo would otherwise silently lint with the
//! defaults); unknown rule ids are reported as a `lint-settings` warning.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The settings file's name, at the chart root.
pub const SETTINGS_FILE: &str = ".skifflint.yaml";

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{}{}: {message}\nhint: .skifflint.yaml holds `disable: [rule-id, ...]` and `external: {{secrets: [...], configMaps: [...]}}`; see docs/lint.md", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Rule ids not to run at all.
    #[serde(default)]
    pub disable: Vec<String>,
    #[serde(default)]
    pub external: External,
}

/// Objects the chart references but does not create.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct External {
    #[serde(default)]
    pub secrets: Vec<String>,
    #[serde(default)]
    pub config_maps: Vec<String>,
}

impl Settings {
    /// Reads `.skifflint.yaml`: from disk for a chart folder (so that a
    /// .helmignore leaving it out of packages does not hide it from lint),
    /// from the archive's files otherwise. No file means default settings.
    pub fn load(
        given: &Path,
        source: &Path,
        files: &BTreeMap<String, Vec<u8>>,
    ) -> Result<Settings, SettingsError> {
        let path = source.join(SETTINGS_FILE);
        let text = if given.is_dir() {
            match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Ok(Settings::default());
                }
                Err(e) => return Err(SettingsError::Io { path, source: e }),
            }
        } else {
            match files.get(SETTINGS_FILE) {
                None => return Ok(Settings::default()),
                Some(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            }
        };
        Settings::parse(&text, &path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Settings, SettingsError> {
        if text.trim().is_empty() {
            return Ok(Settings::default());
        }
        serde_yaml::from_str(text).map_err(|e| SettingsError::Invalid {
            path: path.to_path_buf(),
            line: e.location().map(|l| l.line()),
            message: e.to_string(),
        })
    }

    pub fn disables(&self, rule: &str) -> bool {
        self.disable.iter().any(|r| r == rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses_typos() {
        let p = Path::new(".skifflint.yaml");
        let s = Settings::parse(
            "disable: [image-tag]\nexternal:\n  secrets: [a]\n  configMaps: [b]\n",
            p,
        )
        .unwrap();
        assert!(s.disables("image-tag"));
        assert_eq!(s.external.secrets, ["a"]);
        assert_eq!(s.external.config_maps, ["b"]);
        assert_eq!(Settings::parse("", p).unwrap(), Settings::default());
        let err = Settings::parse("external:\n  configmaps: [b]\n", p).unwrap_err();
        assert!(err.to_string().contains("configmaps"), "{err}");
        assert!(Settings::parse("disabled: [x]\n", p).is_err());
    }
}
