//! Large charts are read, and render, parse and write their objects, on one
//! thread per core (`SKIFF_THREADS` overrides the count): the output, the
//! errors and the exit codes must be those of one thread doing everything.

mod common;
use common::skiff;

use std::path::Path;

/// A bench/gen.py chart of `n` templates (3 objects each) under `dir`.
fn generated(dir: &Path, n: usize) -> std::path::PathBuf {
    common::generated_charts(dir, &[n]);
    dir.join(format!("skiff-{n}"))
}

fn run(chart: &Path, threads: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    let out = skiff()
        .env("SKIFF_THREADS", threads)
        .arg("render")
        .arg(chart)
        .args(extra)
        .output()
        .expect("skiff runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn output_is_the_same_on_one_thread_and_on_several() {
    let dir = tempfile::tempdir().unwrap();
    // 200 templates: enough for several threads to render (16 templates
    // each) and to read the folder (64 files each).
    let chart = generated(dir.path(), 200);
    let one = run(&chart, "1", &[]);
    assert_eq!(one.0, Some(0), "{}", one.2);
    assert_eq!(one.1.matches("\nkind: Deployment\n").count(), 180);
    for threads in ["2", "3", "7"] {
        let many = run(&chart, threads, &[]);
        assert_eq!(many, one, "SKIFF_THREADS={threads} differs from one thread");
    }
}

#[test]
fn the_first_failing_template_is_reported_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let chart = generated(dir.path(), 100);
    // Two templates fail; the first in path order is the one reported.
    for name in ["c0042.yaml", "c0077.yaml"] {
        let path = chart.join("templates").join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            &path,
            text.replace("{{ c.replicas }}", "{{ c.nope.deeper }}"),
        )
        .unwrap();
    }
    let one = run(&chart, "1", &[]);
    assert_eq!(one.0, Some(2), "{}", one.2);
    assert!(one.2.contains("c0042.yaml"), "{}", one.2);
    assert!(!one.2.contains("c0077.yaml"), "{}", one.2);
    assert!(one.1.is_empty(), "nothing printed on failure: {}", one.1);
    for threads in ["2", "5"] {
        assert_eq!(run(&chart, threads, &[]), one, "SKIFF_THREADS={threads}");
    }
}

#[test]
fn syntax_and_render_errors_are_reported_in_path_order_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let chart = generated(dir.path(), 100);
    let edit = |name: &str, from: &str, to: &str| {
        let path = chart.join("templates").join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace(from, to)).unwrap();
    };
    // A syntax error before a render error...
    edit("c0003.yaml", "{{ c.replicas }}", "{{ c.replicas + }}");
    edit("c0042.yaml", "{{ c.replicas }}", "{{ c.nope.deeper }}");
    let one = run(&chart, "1", &[]);
    assert_eq!(one.0, Some(2), "{}", one.2);
    assert!(one.2.contains("c0003.yaml:"), "{}", one.2);
    assert!(one.2.contains("syntax error"), "{}", one.2);
    for threads in ["2", "5"] {
        assert_eq!(run(&chart, threads, &[]), one, "SKIFF_THREADS={threads}");
    }
    // ...and after one.
    edit("c0003.yaml", "{{ c.replicas + }}", "{{ c.replicas }}");
    edit("c0001.yaml", "{{ c.replicas }}", "{{ c.nope.deeper }}");
    edit("c0002.yaml", "{{ c.replicas }}", "{% if %}");
    let one = run(&chart, "1", &[]);
    assert_eq!(one.0, Some(2), "{}", one.2);
    assert!(one.2.contains("c0001.yaml:"), "{}", one.2);
    for threads in ["2", "5"] {
        assert_eq!(run(&chart, threads, &[]), one, "SKIFF_THREADS={threads}");
    }
    // A values error wins over every template error.
    let bad_set = ["--set", "replicas[x]=1"];
    let one = run(&chart, "1", &bad_set);
    assert_eq!(one.0, Some(2), "{}", one.2);
    assert!(one.2.contains("--set"), "{}", one.2);
    assert!(!one.2.contains("c0001.yaml"), "{}", one.2);
    assert_eq!(run(&chart, "2", &bad_set), one);
}

/// `skiff lint -o json CHART` on `threads` threads: exit code and stdout.
fn lint_json(chart: &Path, threads: &str) -> (Option<i32>, String) {
    let out = skiff()
        .env("SKIFF_THREADS", threads)
        .args(["lint", "-o", "json"])
        .arg(chart)
        .output()
        .expect("skiff runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn lint_findings_are_the_same_whatever_the_threads() {
    // 300+ objects: the object rules and the reference and hygiene rules
    // run on two threads; the findings must come in one thread's order.
    let dir = tempfile::tempdir().unwrap();
    let chart = generated(dir.path(), 100);
    let templates = chart.join("templates");
    std::fs::copy(templates.join("c0003.yaml"), templates.join("c0003b.yaml")).unwrap();
    let lint = |threads: &str| lint_json(&chart, threads);
    let one = lint("1");
    assert_eq!(one.0, Some(1), "{}", one.1);
    for rule in ["object-duplicate", "pdb-missing", "container-probes"] {
        assert!(one.1.contains(&format!("\"{rule}\"")), "{rule}: {}", one.1);
    }
    for threads in ["2", "3"] {
        assert_eq!(lint(threads), one, "SKIFF_THREADS={threads}");
    }
}

/// A small chart's `ci/*.yaml` value sets are linted on several threads
/// after the defaults: every set's findings must be there, the same as on
/// one thread (the report orders them by set).
#[test]
fn small_chart_value_sets_lint_the_same_whatever_the_threads() {
    let mut files: Vec<(String, String)> = vec![
        ("Chart.yaml".into(), common::CHART_YAML.into()),
        ("values.yaml".into(), "fail: \"\"\n".into()),
        (
            "templates/cm.yaml".into(),
            "{% if values.fail %}{{ fail(\"set \" ~ values.fail) }}{% endif %}\n\
             apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"
                .into(),
        ),
    ];
    for set in ["a", "b", "c", "d", "e"] {
        files.push((format!("ci/{set}.yaml"), format!("fail: {set}\n")));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let chart = common::chart(&files);
    let lint = |threads: &str| lint_json(chart.path(), threads);
    let one = lint("1");
    assert_eq!(one.0, Some(1), "{}", one.1);
    let order: Vec<usize> = ["set a", "set b", "set c", "set d", "set e"]
        .iter()
        .map(|m| one.1.find(m).unwrap_or_else(|| panic!("{m}: {}", one.1)))
        .collect();
    assert!(order.is_sorted(), "findings in set order: {}", one.1);
    for threads in ["2", "3"] {
        assert_eq!(lint(threads), one, "SKIFF_THREADS={threads}");
    }
}

/// A chart folder of `n` small files under `files/` (plus Chart.yaml), big
/// enough to be read on several threads.
fn many_files(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Chart.yaml"), common::CHART_YAML).unwrap();
    std::fs::create_dir(dir.path().join("files")).unwrap();
    for i in 0..n {
        std::fs::write(dir.path().join(format!("files/n{i:03}")), "x\n").unwrap();
    }
    dir
}

/// A file of `size` bytes that takes no disk space (a hole).
fn sparse(path: &Path, size: u64) {
    std::fs::File::create(path).unwrap().set_len(size).unwrap();
}

#[test]
fn the_first_file_over_the_limit_is_reported_whatever_the_threads() {
    let dir = many_files(300);
    // Two files over the 5 MiB per-file limit; `n120x` is first in walk order.
    for name in ["n120x", "n260x"] {
        sparse(&dir.path().join("files").join(name), 6 * 1024 * 1024);
    }
    let one = run(dir.path(), "1", &[]);
    assert_eq!(one.0, Some(2), "{}", one.2);
    assert!(
        one.2.contains("files/n120x: file is 6291456 bytes"),
        "{}",
        one.2
    );
    assert!(!one.2.contains("n260x"), "{}", one.2);
    for threads in ["2", "3", "5"] {
        assert_eq!(
            run(dir.path(), threads, &[]),
            one,
            "SKIFF_THREADS={threads}"
        );
    }
}

#[test]
fn a_folder_over_the_total_limit_is_refused_whatever_the_threads() {
    let dir = many_files(150);
    // 140 files of 0.75 MiB: 105 MiB, over the 100 MiB a chart may hold.
    for i in 0..140 {
        sparse(&dir.path().join(format!("files/n{i:03}")), 768 * 1024);
    }
    let one = run(dir.path(), "1", &[]);
    assert_eq!(one.0, Some(2), "{}", one.2);
    assert!(
        one.2
            .contains("chart is over the 104857600-byte limit in total"),
        "{}",
        one.2
    );
    assert_eq!(run(dir.path(), "2", &[]), one, "SKIFF_THREADS=2");
}

#[test]
fn the_schema_thread_changes_nothing_but_the_time() {
    let starter = common::root().join("charts/starter");
    let one = run(&starter, "1", &[]);
    assert_eq!(one.0, Some(0), "{}", one.2);
    assert_eq!(run(&starter, "2", &[]), one);
    // A values error and the template error it causes: the values error.
    let bad = run(&starter, "1", &["--set", "api.replicas=two"]);
    assert_eq!(bad.0, Some(2), "{}", bad.2);
    assert!(
        bad.2
            .contains("api.replicas: \"two\" is not of type \"integer\""),
        "{}",
        bad.2
    );
    assert_eq!(run(&starter, "2", &["--set", "api.replicas=two"]), bad);
}

fn package(chart: &Path, dest: &Path, threads: &str) -> (Option<i32>, String, String) {
    let out = skiff()
        .env("SKIFF_THREADS", threads)
        .arg("package")
        .arg(chart)
        .arg("-d")
        .arg(dest)
        .output()
        .expect("skiff runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).replace(&*dest.to_string_lossy(), "DEST"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `skiff package` builds the archive on a second thread while it lints:
/// the same archive, the same refusals, and an archive error still comes
/// before the lint's, as on one thread.
#[test]
fn package_is_the_same_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let chart = generated(dir.path(), 100);
    let mut archives = Vec::new();
    for threads in ["1", "2"] {
        let dest = dir.path().join(format!("out-{threads}"));
        let out = package(&chart, &dest, threads);
        assert_eq!(out.0, Some(0), "{}", out.2);
        archives.push((out, std::fs::read(dest.join("bench-0.1.0.tgz")).unwrap()));
    }
    assert_eq!(archives[0], archives[1]);

    // A name the archive refuses (a control character) and a template
    // that does not render: the archive error is the one reported.
    let bad = common::chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: \"a\\bb\"\nversion: 0.1.0\n",
        ),
        ("templates/x.yaml", "a: {{ values.missing.key }}\n"),
    ]);
    for threads in ["1", "2"] {
        let dest = dir.path().join(format!("bad-{threads}"));
        let (code, stdout, stderr) = package(bad.path(), &dest, threads);
        assert_eq!(code, Some(2), "{stderr}");
        assert_eq!(stdout, "");
        assert!(
            stderr.contains("cannot be an archive's top folder"),
            "{stderr}"
        );
        assert!(!stderr.contains("skiff lint"), "{stderr}");
        assert!(!dest.exists() || common::dir_entries(&dest).is_empty());
    }
}
