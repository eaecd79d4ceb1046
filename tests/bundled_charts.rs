//! Every chart shipped under charts/: lints clean with --strict, packages,
//! renders the same from its archive as from its folder, and carries
//! dependency archives that match their sources (charts/common).

mod common;

use std::path::{Path, PathBuf};

use common::skiff;

/// The application charts (library charts are checked through them).
fn application_charts() -> Vec<PathBuf> {
    let mut charts: Vec<PathBuf> = std::fs::read_dir("charts")
        .expect("charts/")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            let chart_yaml = std::fs::read_to_string(p.join("Chart.yaml")).unwrap_or_default();
            !chart_yaml.contains("type: library")
        })
        .collect();
    charts.sort();
    assert!(charts.len() >= 3, "{charts:?}");
    charts
}

fn stdout(args: &[&str]) -> Vec<u8> {
    skiff()
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

#[test]
fn every_chart_lints_clean_with_strict() {
    for chart in application_charts() {
        skiff()
            .args(["lint", chart.to_str().unwrap(), "--strict"])
            .assert()
            .code(0);
    }
}

#[test]
fn every_chart_packages_and_renders_the_same_from_its_archive() {
    let out = tempfile::tempdir().unwrap();
    for chart in application_charts() {
        let printed = String::from_utf8(stdout(&[
            "package",
            chart.to_str().unwrap(),
            "-d",
            out.path().to_str().unwrap(),
        ]))
        .unwrap();
        let archive = printed
            .lines()
            .next()
            .and_then(|l| l.rsplit(" to ").next())
            .expect("package prints the archive path");
        assert_eq!(
            stdout(&["render", chart.to_str().unwrap()]),
            stdout(&["render", archive]),
            "{}",
            chart.display()
        );
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn dependency_archives_match_their_sources() {
    for chart in application_charts() {
        let vendored = chart.join("charts");
        if !vendored.exists() {
            continue;
        }
        // A copy of charts/ so `file://../common` resolves as in the repository.
        let scratch = tempfile::tempdir().unwrap();
        copy_dir(Path::new("charts"), scratch.path());
        let name = chart.file_name().unwrap();
        let copy = scratch.path().join(name);
        std::fs::remove_dir_all(copy.join("charts")).unwrap();
        skiff()
            .args(["dependency", "build", copy.to_str().unwrap()])
            .assert()
            .success();
        for entry in std::fs::read_dir(&vendored).unwrap() {
            let entry = entry.unwrap();
            let rebuilt = std::fs::read(copy.join("charts").join(entry.file_name())).unwrap();
            assert!(
                rebuilt == std::fs::read(entry.path()).unwrap(),
                "{} is out of date with its source: run `skiff dependency update {}`",
                entry.path().display(),
                chart.display()
            );
        }
    }
}

#[test]
fn every_common_macro_is_documented() {
    let doc = std::fs::read_to_string("docs/charts/common.md").expect("docs/charts/common.md");
    let mut macros = 0;
    for entry in std::fs::read_dir("charts/common/templates").expect("templates") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("template text");
        for rest in text.split("{% macro ").skip(1) {
            let name = rest.split('(').next().unwrap_or_default().trim();
            macros += 1;
            assert!(
                doc.contains(&format!("`{name}(")),
                "docs/charts/common.md does not document {name}()"
            );
        }
    }
    assert!(macros >= 10, "found {macros} macros");
}
