//! Shared helpers for integration tests: run the real `skiff` binary on
//! fixture charts and assert on its output, exit code and files.
#![allow(dead_code)]

use std::path::PathBuf;

pub mod manifests;

/// The `skiff` binary under test, run from the repository root.
pub fn skiff() -> assert_cmd::Command {
    let mut cmd =
        assert_cmd::Command::cargo_bin("skiff").expect("the skiff binary is built by cargo test");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd.env_remove("NO_COLOR").env("SKIFF_TEST", "1");
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
