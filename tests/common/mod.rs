//! Shared helpers for integration tests: run the real `skiff` binary on
//! fixture charts and assert on its output, exit code and files.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub mod manifests;
pub mod yaml_cases;

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
