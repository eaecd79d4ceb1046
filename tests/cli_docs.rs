//! docs/cli.md holds every command's `--help`, generated from the binary.
//! This test fails when the docs drift from the CLI; regenerate with
//! `SKIFF_UPDATE_DOCS=1 cargo test --test cli_docs`.

mod common;

use common::skiff;

const DOC: &str = "docs/cli.md";
const MARKER: &str =
    "<!-- Everything below is generated from `skiff --help` by tests/cli_docs.rs. -->\n";

fn help(path: &[String]) -> String {
    let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
    args.push("--help");
    let out = skiff()
        .args(&args)
        .env("COLUMNS", "100")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).expect("utf-8 help")
}

/// Subcommand names listed under "Commands:" in a help text.
fn subcommands(help: &str) -> Vec<String> {
    let Some((_, rest)) = help.split_once("Commands:\n") else {
        return Vec::new();
    };
    rest.lines()
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

fn generate(path: Vec<String>, out: &mut String) {
    let text = help(&path);
    let title = if path.is_empty() {
        "skiff".to_string()
    } else {
        format!("skiff {}", path.join(" "))
    };
    out.push_str(&format!("\n## `{title}`\n\n```text\n{}```\n", text));
    for sub in subcommands(&text) {
        let mut child = path.clone();
        child.push(sub);
        generate(child, out);
    }
}

#[test]
fn cli_reference_matches_the_binary() {
    let current = std::fs::read_to_string(DOC).expect("docs/cli.md exists");
    let intro = current
        .split_once(MARKER)
        .map_or(current.as_str(), |(intro, _)| intro);
    let mut generated = String::new();
    generate(Vec::new(), &mut generated);
    let expected = format!("{intro}{MARKER}{generated}");
    if std::env::var("SKIFF_UPDATE_DOCS").is_ok() {
        std::fs::write(DOC, &expected).expect("write docs/cli.md");
        return;
    }
    assert!(
        current == expected,
        "docs/cli.md is out of date with the CLI: run `SKIFF_UPDATE_DOCS=1 cargo test --test cli_docs`"
    );
}
