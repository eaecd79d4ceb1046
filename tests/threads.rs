//! Large charts render, parse and write their objects on one thread per
//! core (`SKIFF_THREADS` overrides the count): the output, the errors and the
//! exit codes must be those of one thread doing everything.

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
    // 100 templates: enough for several threads (16 templates each).
    let chart = generated(dir.path(), 100);
    let one = run(&chart, "1", &[]);
    assert_eq!(one.0, Some(0), "{}", one.2);
    assert_eq!(one.1.matches("\nkind: Deployment\n").count(), 90);
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
