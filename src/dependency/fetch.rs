//! Fetching a chart from an HTTP chart repository: its `index.yaml`, then
//! the archive of the chosen version, whose SHA-256 must equal the index's
//! `digest` (Helm does not check it; Skiff refuses a mismatch, so a
//! tampered or truncated download never lands in charts/).

use std::io::Read as _;
use std::time::Duration;

use crate::chart::archive::MAX_TOTAL_SIZE;
use crate::chart::metadata::parse_chart_version;
use crate::package::sha256_hex;

/// An index.yaml over this is refused (Helm's own repositories stay far below).
const MAX_INDEX_BYTES: u64 = 20 * 1024 * 1024;

/// A downloaded, verified archive.
pub struct Found {
    pub version: String,
    pub bytes: Vec<u8>,
}

/// Downloads the highest version of `name` in the repository at `repo`
/// that `accepts`, verifying its digest.
pub fn from_repository(
    repo: &str,
    name: &str,
    accepts: &dyn Fn(&str) -> bool,
) -> Result<Found, String> {
    let base = repo.trim_end_matches('/');
    let index_url = format!("{base}/index.yaml");
    let index_bytes = get(&index_url, MAX_INDEX_BYTES)?;
    let index: serde_yaml::Value = serde_yaml::from_slice(&index_bytes)
        .map_err(|e| format!("{index_url}: not a repository index: {e}"))?;
    let Some(serde_yaml::Value::Sequence(entries)) = index.get("entries").and_then(|e| e.get(name))
    else {
        return Err(format!("{index_url} has no chart named {name:?}"));
    };
    let text = |v: &serde_yaml::Value, k: &str| {
        v.get(k)
            .and_then(serde_yaml::Value::as_str)
            .map(str::to_string)
    };
    let mut candidates: Vec<(semver::Version, &serde_yaml::Value)> = entries
        .iter()
        .filter_map(|e| {
            let version = text(e, "version")?;
            let parsed = parse_chart_version(&version).ok()?;
            accepts(&version).then_some((parsed, e))
        })
        .collect();
    candidates.sort_by(|a, b| b.0.cmp(&a.0));
    let Some((_, entry)) = candidates.first() else {
        return Err(format!(
            "{index_url} has no version of {name:?} that satisfies the constraint"
        ));
    };
    let version = text(entry, "version").unwrap_or_default();
    let url = entry
        .get("urls")
        .and_then(|u| u.get(0))
        .and_then(serde_yaml::Value::as_str)
        .ok_or_else(|| format!("{index_url}: {name} {version} lists no urls"))?;
    let url = if url.contains("://") {
        url.to_string()
    } else {
        format!("{base}/{}", url.trim_start_matches("./"))
    };
    let digest = text(entry, "digest").ok_or_else(|| {
        format!("{index_url}: {name} {version} has no digest, so the download cannot be verified")
    })?;
    let bytes = get(&url, MAX_TOTAL_SIZE)?;
    let actual = sha256_hex(&bytes);
    if !actual.eq_ignore_ascii_case(digest.trim_start_matches("sha256:")) {
        return Err(format!(
            "{url}: the archive's sha256 is {actual} but the index says {digest}; refusing it\nhint: the archive or the index was changed after publishing; ask the repository's owner"
        ));
    }
    Ok(Found { version, bytes })
}

/// GET `url`, refusing a body over `limit` bytes.
fn get(url: &str, limit: u64) -> Result<Vec<u8>, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    let response = agent
        .get(url)
        .call()
        .map_err(|e| format!("GET {url}: {e}"))?;
    let mut body = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(limit + 1)
        .read_to_end(&mut body)
        .map_err(|e| format!("GET {url}: {e}"))?;
    if body.len() as u64 > limit {
        return Err(format!(
            "GET {url}: the response is over the {limit}-byte limit"
        ));
    }
    Ok(body)
}
