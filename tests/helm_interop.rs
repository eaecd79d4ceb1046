//! Real Helm reads what Skiff writes, and Skiff reads what Helm writes:
//! `helm show` on Skiff archives, a repository with Skiff's index.yaml
//! served on 127.0.0.1 (`helm repo add`, `helm search repo --versions`,
//! `helm pull` with the digest checked), and `skiff show` on a
//! `helm package` archive.
//!
//! Helm comes from `scripts/install-tools.sh` (`.cache/tools/bin`, or
//! `$SKIFF_TOOLS/bin`, or PATH). With `CI=true` a missing helm fails these tests; locally
//! they print a notice and pass.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{chart, fixture, path_str, skiff};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Real Helm, or None (locally) when it is not installed.
fn helm() -> Option<PathBuf> {
    common::helm("the interop tests run real Helm on Skiff's archives")
}

/// A helm command with its config, cache and data in `home` (never the user's).
fn helm_cmd(helm: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(helm);
    cmd.env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_DATA_HOME", home.join("data"))
        .env(
            "HELM_REPOSITORY_CONFIG",
            home.join("config/repositories.yaml"),
        )
        .env("HELM_REPOSITORY_CACHE", home.join("cache/repository"))
        .env_remove("HELM_DEBUG")
        .env_remove("KUBECONFIG");
    cmd
}

/// Runs a command, fails the test with its output when it fails, returns stdout.
fn run(cmd: &mut Command) -> Result<String, Box<dyn std::error::Error>> {
    let out = cmd.output()?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed ({}):\nstdout: {}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(String::from_utf8(out.stdout)?)
}

const CHART_YAML: &str = "apiVersion: v2\nname: demo\nversion: 0.1.0\nappVersion: \"1.0\"\ndescription: Demo chart.\nkeywords: [web]\nmaintainers:\n  - name: Ada\n    email: ada@example.com\nannotations:\n  example.com/team: platform\n";

fn demo_chart() -> tempfile::TempDir {
    chart(&[
        ("Chart.yaml", CHART_YAML),
        ("values.yaml", "replicas: 1\nimage: nginx:1.27\n"),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ release.name }}\ndata:\n  replicas: \"{{ values.replicas }}\"\n",
        ),
    ])
}

#[test]
fn helm_show_reads_skiff_archives() -> TestResult {
    let Some(helm) = helm() else { return Ok(()) };
    let home = tempfile::tempdir()?;
    let out = tempfile::tempdir()?;
    let src = demo_chart();
    skiff()
        .args(["package", path_str(src.path()), "-d", path_str(out.path())])
        .assert()
        .success();
    let tgz = out.path().join("demo-0.1.0.tgz");
    let shown = run(helm_cmd(&helm, home.path()).args(["show", "chart", path_str(&tgz)]))?;
    let shown: serde_yaml::Value = serde_yaml::from_str(&shown)?;
    let authored: serde_yaml::Value = serde_yaml::from_str(CHART_YAML)?;
    assert_eq!(shown, authored);
    let values = run(helm_cmd(&helm, home.path()).args(["show", "values", path_str(&tgz)]))?;
    // Helm prints the file and then a newline of its own.
    assert_eq!(values.trim_end(), "replicas: 1\nimage: nginx:1.27");

    // --version/--app-version as Helm would read them.
    skiff()
        .args(["package", path_str(src.path()), "-d", path_str(out.path())])
        .args(["--version", "0.2.0", "--app-version", "2.0"])
        .assert()
        .success();
    let tgz = out.path().join("demo-0.2.0.tgz");
    let shown = run(helm_cmd(&helm, home.path()).args(["show", "chart", path_str(&tgz)]))?;
    assert!(shown.contains("version: 0.2.0\n"), "{shown}");
    assert!(shown.contains("appVersion: \"2.0\"\n"), "{shown}");
    Ok(())
}

#[test]
fn helm_uses_a_repository_indexed_by_skiff() -> TestResult {
    let Some(helm) = helm() else { return Ok(()) };
    let home = tempfile::tempdir()?;
    let repo = tempfile::tempdir()?;
    let src = demo_chart();
    for version in ["0.1.0", "0.2.0", "0.10.0"] {
        skiff()
            .args(["package", path_str(src.path()), "-d", path_str(repo.path())])
            .args(["--version", version])
            .assert()
            .success();
    }
    let url = common::http::serve(repo.path().to_path_buf())?;
    skiff()
        .args(["repo", "index", path_str(repo.path()), "--url", &url])
        .assert()
        .success();
    let index: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(repo.path().join("index.yaml"))?)?;

    run(helm_cmd(&helm, home.path()).args(["repo", "add", "skiffrepo", &url]))?;
    let search = run(helm_cmd(&helm, home.path()).args([
        "search",
        "repo",
        "skiffrepo/demo",
        "--versions",
        "-o",
        "json",
    ]))?;
    let found: serde_json::Value = serde_json::from_str(&search)?;
    let versions: Vec<&str> = found
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["version"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(versions, ["0.10.0", "0.2.0", "0.1.0"]);
    assert!(
        found[0]["description"] == "Demo chart." && found[0]["app_version"] == "1.0",
        "{search}"
    );

    let pulled = tempfile::tempdir()?;
    run(helm_cmd(&helm, home.path()).args([
        "pull",
        "skiffrepo/demo",
        "--version",
        "0.2.0",
        "-d",
        path_str(pulled.path()),
    ]))?;
    let bytes = std::fs::read(pulled.path().join("demo-0.2.0.tgz"))?;
    let entry = index["entries"]["demo"]
        .as_sequence()
        .and_then(|s| s.iter().find(|e| e["version"] == "0.2.0"))
        .ok_or("no 0.2.0 entry in the index")?;
    assert_eq!(
        entry["digest"].as_str(),
        Some(skiff::package::sha256_hex(&bytes).as_str())
    );
    assert_eq!(bytes, std::fs::read(repo.path().join("demo-0.2.0.tgz"))?);
    Ok(())
}

/// Skiff's index.yaml and `helm repo index`'s for the same archives hold
/// the same data, apart from the times Helm takes from the clock.
#[test]
fn skiff_index_matches_helm_repo_index() -> TestResult {
    let Some(helm) = helm() else { return Ok(()) };
    let home = tempfile::tempdir()?;
    let src = demo_chart();
    let skiff_dir = tempfile::tempdir()?;
    for version in ["0.1.0", "1.0.0-rc.1", "1.0.0"] {
        skiff()
            .args([
                "package",
                path_str(src.path()),
                "-d",
                path_str(skiff_dir.path()),
            ])
            .args(["--version", version])
            .assert()
            .success();
    }
    let helm_dir = tempfile::tempdir()?;
    for entry in std::fs::read_dir(skiff_dir.path())? {
        let entry = entry?;
        std::fs::copy(entry.path(), helm_dir.path().join(entry.file_name()))?;
    }
    let url = "https://charts.example.com/stable";
    skiff()
        .args(["repo", "index", path_str(skiff_dir.path()), "--url", url])
        .assert()
        .success();
    run(helm_cmd(&helm, home.path()).args([
        "repo",
        "index",
        path_str(helm_dir.path()),
        "--url",
        url,
    ]))?;
    let load = |dir: &Path| -> Result<serde_yaml::Value, Box<dyn std::error::Error>> {
        let mut v: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(dir.join("index.yaml"))?)?;
        if let Some(top) = v.as_mapping_mut() {
            top.remove("generated");
        }
        if let Some(list) = v["entries"]["demo"].as_sequence_mut() {
            for e in list {
                if let Some(m) = e.as_mapping_mut() {
                    m.remove("created");
                }
            }
        }
        Ok(v)
    };
    assert_eq!(load(skiff_dir.path())?, load(helm_dir.path())?);
    Ok(())
}

#[test]
fn skiff_reads_helm_package_archives() -> TestResult {
    let Some(helm) = helm() else { return Ok(()) };
    let home = tempfile::tempdir()?;
    let out = tempfile::tempdir()?;
    run(helm_cmd(&helm, home.path()).args([
        "package",
        path_str(&fixture("helm-style")),
        "-d",
        path_str(out.path()),
    ]))?;
    let tgz = out.path().join("helmstyle-1.2.3.tgz");
    let shown = skiff()
        .args(["show", "chart", path_str(&tgz)])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let shown: serde_yaml::Value = serde_yaml::from_slice(&shown)?;
    assert_eq!(shown["name"], "helmstyle");
    assert_eq!(shown["version"], "1.2.3");
    assert_eq!(shown["appVersion"], "4.5");
    skiff()
        .args(["show", "values", path_str(&tgz)])
        .assert()
        .success()
        .stdout("replicas: 2\nimage: nginx:1.27\n");
    // The index dates a Helm archive by when Helm packaged it.
    skiff()
        .args(["repo", "index", path_str(out.path())])
        .env_remove("SOURCE_DATE_EPOCH")
        .assert()
        .success();
    let index = std::fs::read_to_string(out.path().join("index.yaml"))?;
    assert!(index.contains("name: helmstyle"), "{index}");
    assert!(!index.contains("created: '1980-"), "{index}");
    // Rendering it names the problem: Go templates, not Jinja.
    skiff()
        .args(["render", path_str(&tgz)])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "looks like a Go template (Helm chart); Skiff charts use Jinja",
        ));
    Ok(())
}
