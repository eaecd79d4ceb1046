//! Shared helpers for integration tests: run the real `skiff` binary on
//! fixture charts and assert on its output, exit code and files.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub mod http;
pub mod manifests;
pub mod yaml_cases;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path as the `&str` an argument list wants.
pub fn path_str(p: &Path) -> &str {
    p.to_str().unwrap_or_default()
}

/// The twin charts bench/gen.py writes for `sizes` (`skiff-N/`, `helm-N/`)
/// under `dir`.
pub fn generated_charts(dir: &Path, sizes: &[usize]) {
    generated_charts_with_data(dir, sizes, 0);
}

/// [`generated_charts`] with `data` more ConfigMap entries per component
/// (bench/gen.py `--data`; the folders are `skiff-N-dataK/`, `helm-N-dataK/`
/// when `data` is not 0).
pub fn generated_charts_with_data(dir: &Path, sizes: &[usize], data: usize) {
    let status = std::process::Command::new("python3")
        .arg(root().join("bench/gen.py"))
        .arg("--out")
        .arg(dir)
        .arg(format!("--data={data}"))
        .args(sizes.iter().map(ToString::to_string))
        .stdout(std::process::Stdio::null())
        .status()
        .expect("python3 runs bench/gen.py");
    assert!(status.success(), "bench/gen.py failed");
}

/// Real Helm: `$SKIFF_TOOLS/bin/helm` (default `.cache/tools`, where
/// scripts/install-tools.sh puts it), else `helm` on PATH. None when
/// neither runs, which fails the test under CI=true (`why` says what the
/// test compares against Helm) and skips it with a notice locally.
pub fn helm(why: &str) -> Option<PathBuf> {
    let tools = std::env::var_os("SKIFF_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".cache/tools"));
    let candidates = [tools.join("bin/helm"), PathBuf::from("helm")];
    for candidate in candidates {
        let runs = std::process::Command::new(&candidate)
            .args(["version", "--short"])
            .output()
            .is_ok_and(|o| o.status.success());
        if runs {
            return Some(candidate);
        }
    }
    let message = format!("helm is not installed: run scripts/install-tools.sh ({why})");
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
    eprintln!("notice: skipping: {message}");
    None
}

/// The `skiff` binary under test, run from the repository root.
pub fn skiff() -> assert_cmd::Command {
    let mut cmd =
        assert_cmd::Command::cargo_bin("skiff").expect("the skiff binary is built by cargo test");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    // Archive dates come from SOURCE_DATE_EPOCH when it is set: a runner
    // that exports it must not change what the tests see.
    cmd.env_remove("NO_COLOR").env_remove("SOURCE_DATE_EPOCH");
    cmd
}

/// Path of a fixture under tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A throwaway chart written from (path, text) pairs into a temp folder.
pub fn chart(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("file has a parent")).expect("mkdir");
        std::fs::write(full, text).expect("write fixture file");
    }
    dir
}

/// A minimal valid Chart.yaml for `chart()`.
pub const CHART_YAML: &str = "apiVersion: v2\nname: demo\nversion: 0.1.0\n";

/// Runs `skiff ARGS`, which must succeed; its stdout.
pub fn stdout_of(args: &[&str]) -> String {
    let out = skiff().args(args).assert().success();
    String::from_utf8(out.get_output().stdout.clone()).expect("utf-8 output")
}

/// Runs `skiff ARGS`, which must fail the way a user error does: exit code
/// 2, nothing on stdout, every needle on stderr, and no panic.
pub fn fails_with(args: &[&str], needles: &[&str]) {
    let assert = skiff().args(args).assert().code(2).stdout("");
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr);
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "skiff {args:?}: expected {needle:?} on stderr:\n{stderr}"
        );
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Writes a throwaway chart from `files` and runs `skiff COMMAND <chart>` on
/// it, which must fail as [`fails_with`] says.
pub fn chart_fails(command: &str, files: &[(&str, &str)], needles: &[&str]) {
    let dir = chart(files);
    let path = dir.path().to_str().expect("temp paths are UTF-8");
    fails_with(&[command, path], needles);
}

/// The sorted names in a folder; none when it cannot be read. Atomic-write
/// tests use it to show that no temp file is left behind.
pub fn dir_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// `skiff package --skip-lint` of the chart at `chart` into a new temp
/// folder: the folder (the archive lives as long as it) and the path of
/// the archive, `archive` (`<name>-<version>.tgz`) in it.
pub fn packaged(chart: &Path, archive: &str) -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().expect("a temp folder");
    skiff()
        .args(["package", "--skip-lint", "-d"])
        .arg(out.path())
        .arg(chart)
        .assert()
        .success();
    let path = out.path().join(archive);
    (out, path)
}
