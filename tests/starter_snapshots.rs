//! Byte-for-byte snapshots of charts/starter for its defaults and every ci/
//! value set. Refactors of the chart (such as moving it onto the common
//! library chart) must leave these unchanged; a deliberate change is
//! reviewed as a snapshot diff (`cargo insta review`).

mod common;

use common::stdout_of;

fn render(extra: &[&str]) -> String {
    let mut args = vec!["render", "charts/starter", "-r", "starter", "-n", "apps"];
    args.extend_from_slice(extra);
    stdout_of(&args)
}

#[test]
fn starter_defaults() {
    insta::assert_snapshot!("starter_defaults", render(&[]));
}

#[test]
fn starter_ci_value_sets() {
    let mut names: Vec<String> = std::fs::read_dir("charts/starter/ci")
        .expect("charts/starter/ci")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .into_string()
                .expect("utf-8 name")
        })
        .collect();
    names.sort();
    assert!(names.len() >= 4, "{names:?}");
    for name in names {
        let file = format!("charts/starter/ci/{name}");
        let snapshot = format!(
            "starter_ci_{}",
            name.trim_end_matches(".yaml").replace('-', "_")
        );
        insta::assert_snapshot!(snapshot, render(&["-f", &file]));
    }
}
