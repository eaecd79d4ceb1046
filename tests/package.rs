//! `skiff package` and `skiff repo index` (issue 6): reproducible bytes,
//! atomic writes, refused inputs, the index format and --merge, and the
//! commands that read archives. Interop with real Helm is in helm_interop.rs.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::{chart, dir_entries, fixture, path_str, skiff};
use predicates::prelude::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A chart with nested folders, a .helmignore, a ci/ value set and a README.
const DEMO: &[(&str, &str)] = &[
    (
        "Chart.yaml",
        "# demo chart\napiVersion: v2\nname: demo\nversion: 0.1.0\nappVersion: \"1.0\"\ndescription: Demo.\nkeywords: [web]\n",
    ),
    ("values.yaml", "replicas: 1\nname: web\n"),
    (
        "values.schema.json",
        "{\"type\": \"object\", \"properties\": {\"replicas\": {\"type\": \"integer\"}}}\n",
    ),
    ("README.md", "# Demo\n"),
    (".helmignore", "*.bak\nsecrets/\n"),
    ("ci/big.yaml", "replicas: 5\n"),
    ("config/app.toml", "a = 1\n"),
    (
        "templates/_helpers.j2",
        "{% macro name() %}demo{% endmacro %}\n",
    ),
    (
        "templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ values.name }}\ndata:\n  replicas: \"{{ values.replicas }}\"\n  version: {{ chart.version | quote }}\n",
    ),
    ("notes.bak", "ignored by .helmignore\n"),
    ("secrets/key", "ignored by .helmignore\n"),
];

/// Runs `skiff package ARGS` and returns (archive path, sha256) from its output.
fn package(args: &[&str]) -> (PathBuf, String) {
    let out = skiff().arg("package").args(args).assert().success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let mut lines = stdout.lines();
    let first = lines.next().unwrap_or_default();
    let path = first
        .rsplit_once(" to ")
        .map(|(_, p)| p)
        .unwrap_or_default();
    let sha = lines
        .next()
        .and_then(|l| l.strip_prefix("sha256:"))
        .unwrap_or_default();
    (PathBuf::from(path), sha.to_owned())
}

/// Writes `files` under `root` in the given order with the given mode and mtime.
fn write_chart(root: &Path, files: &[(&str, &str)], mode: u32, mtime: SystemTime) -> TestResult {
    for (path, text) in files {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().ok_or("no parent")?)?;
        std::fs::write(&full, text)?;
        let file = std::fs::File::options().write(true).open(&full)?;
        file.set_modified(mtime)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&full, std::fs::Permissions::from_mode(mode))?;
        }
        #[cfg(not(unix))]
        let _ = mode;
    }
    Ok(())
}

#[test]
fn prints_path_and_sha256_and_writes_name_version_tgz() -> TestResult {
    let src = chart(DEMO);
    let out = tempfile::tempdir()?;
    let dest = out.path().join("dist");
    let assert = skiff()
        .args(["package", path_str(src.path()), "-d", path_str(&dest)])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    let archive = dest.join("demo-0.1.0.tgz");
    let bytes = std::fs::read(&archive)?;
    assert_eq!(
        stdout,
        format!(
            "Packaged demo 0.1.0 to {}\nsha256:{}\n",
            archive.display(),
            skiff::package::sha256_hex(&bytes)
        )
    );
    // Helm's layout, .helmignore honoured, Chart.yaml first and untouched.
    let read = skiff::chart::archive::read_chart_archive(&bytes, &archive)?;
    assert_eq!(read.root, "demo");
    let names: Vec<&str> = read.files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        names,
        [
            ".helmignore",
            "Chart.yaml",
            "README.md",
            "ci/big.yaml",
            "config/app.toml",
            "templates/_helpers.j2",
            "templates/cm.yaml",
            "values.schema.json",
            "values.yaml",
        ]
    );
    let chart_yaml = read
        .files
        .iter()
        .find(|(p, _)| p == "Chart.yaml")
        .map(|(_, d)| d.clone())
        .unwrap_or_default();
    assert_eq!(chart_yaml, DEMO[0].1.as_bytes());
    Ok(())
}

#[test]
fn same_content_gives_same_bytes_whatever_mtimes_modes_order_or_folder() -> TestResult {
    let base = tempfile::tempdir()?;
    let a = base.path().join("one/demo");
    let b = base.path().join("elsewhere/deeper/chart-src");
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    write_chart(&a, DEMO, 0o600, old)?;
    let mut reversed: Vec<(&str, &str)> = DEMO.to_vec();
    reversed.reverse();
    write_chart(&b, &reversed, 0o755, SystemTime::now())?;

    let out_a = base.path().join("out-a");
    let out_b = base.path().join("out-b");
    let (pa, sha_a) = package(&[path_str(&a), "-d", path_str(&out_a)]);
    // A different umask for the second run: it may change the file's mode
    // on disk, never the archive's bytes.
    let assert = std::process::Command::new("sh")
        .args([
            "-c",
            "umask 077 && exec \"$0\" package \"$1\" -d \"$2\"",
            env!("CARGO_BIN_EXE_skiff"),
            path_str(&b),
            path_str(&out_b),
        ])
        .env_remove("SOURCE_DATE_EPOCH")
        .output()?;
    assert!(assert.status.success(), "{assert:?}");
    let pb = out_b.join("demo-0.1.0.tgz");
    let bytes_a = std::fs::read(&pa)?;
    let bytes_b = std::fs::read(&pb)?;
    assert_eq!(bytes_a, bytes_b, "archives differ");
    assert!(
        String::from_utf8_lossy(&assert.stdout).contains(&format!("sha256:{sha_a}")),
        "{assert:?}"
    );
    // And packaging again gives the same bytes still.
    let (_, sha_again) = package(&[path_str(&a), "-d", path_str(&out_a)]);
    assert_eq!(sha_a, sha_again);
    Ok(())
}

#[test]
fn source_date_epoch_changes_bytes_deterministically() -> TestResult {
    let src = chart(DEMO);
    let out = tempfile::tempdir()?;
    let run = |epoch: Option<&str>, dir: &str| -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        let dest = out.path().join(dir);
        let mut cmd = skiff();
        cmd.args(["package", path_str(src.path()), "-d", path_str(&dest)]);
        match epoch {
            Some(e) => cmd.env("SOURCE_DATE_EPOCH", e),
            None => cmd.env_remove("SOURCE_DATE_EPOCH"),
        };
        cmd.assert().success();
        Ok(std::fs::read(dest.join("demo-0.1.0.tgz"))?)
    };
    let default = run(None, "a")?;
    let epoch1 = run(Some("1700000000"), "b")?;
    let epoch1_again = run(Some("1700000000"), "c")?;
    let epoch2 = run(Some("1700000001"), "d")?;
    assert_ne!(default, epoch1);
    assert_eq!(epoch1, epoch1_again);
    assert_ne!(epoch1, epoch2);
    let read = skiff::chart::archive::read_chart_archive(&epoch1, Path::new("x.tgz"))?;
    assert_eq!(read.chart_yaml_mtime, Some(1_700_000_000));
    let read = skiff::chart::archive::read_chart_archive(&default, Path::new("x.tgz"))?;
    assert_eq!(read.chart_yaml_mtime, Some(skiff::package::DEFAULT_MTIME));

    skiff()
        .args(["package", path_str(src.path()), "-d", path_str(out.path())])
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("SOURCE_DATE_EPOCH=`yesterday`"));
    Ok(())
}

#[test]
fn version_and_app_version_rewrite_the_archived_chart_yaml() -> TestResult {
    let src = chart(DEMO);
    let out = tempfile::tempdir()?;
    let (path, _) = package(&[
        path_str(src.path()),
        "-d",
        path_str(out.path()),
        "--version",
        "1.2.3-rc.1",
        "--app-version",
        "2.0",
    ]);
    assert_eq!(path, out.path().join("demo-1.2.3-rc.1.tgz"));
    skiff()
        .args(["show", "chart", path_str(&path)])
        .assert()
        .success()
        .stdout(
            "# demo chart\napiVersion: v2\nname: demo\nversion: 1.2.3-rc.1\nappVersion: '2.0'\ndescription: Demo.\nkeywords: [web]\n",
        );
    // The folder is not changed.
    assert_eq!(
        std::fs::read_to_string(src.path().join("Chart.yaml"))?,
        DEMO[0].1
    );
    // Templates see the new version (the pre-check renders the chart as packaged).
    skiff()
        .args(["render", path_str(&path)])
        .assert()
        .success()
        .stdout(predicate::str::contains("version: 1.2.3-rc.1"));
    Ok(())
}

/// The lint step checks the chart as it will be packaged: with
/// `--version`, its templates see the new version.
#[test]
fn the_lint_step_sees_the_packaged_chart_yaml() -> TestResult {
    let out = tempfile::tempdir()?;
    let src = chart(&[
        ("Chart.yaml", common::CHART_YAML),
        (
            "templates/cm.yaml",
            "{% if chart.version == \"9.9.9\" %}{{ fail(\"9.9.9 is withdrawn\") }}{% endif %}\n\
             apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
        ),
    ]);
    skiff()
        .args(["package", path_str(src.path()), "-d", path_str(out.path())])
        .args(["--version", "9.9.9"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("9.9.9 is withdrawn"));
    assert!(dir_entries(out.path()).is_empty());
    skiff()
        .args(["package", path_str(src.path()), "-d", path_str(out.path())])
        .args(["--version", "9.9.10"])
        .assert()
        .success();
    assert_eq!(dir_entries(out.path()).len(), 1);
    Ok(())
}

#[test]
fn repackaging_an_archive_gives_the_same_bytes() -> TestResult {
    let src = chart(DEMO);
    let out = tempfile::tempdir()?;
    let (first, sha) = package(&[path_str(src.path()), "-d", path_str(out.path())]);
    let again = out.path().join("again");
    let (second, sha2) = package(&[path_str(&first), "-d", path_str(&again)]);
    assert_eq!(sha, sha2);
    assert_eq!(std::fs::read(first)?, std::fs::read(second)?);
    Ok(())
}

#[test]
fn show_reads_archives() -> TestResult {
    let src = chart(DEMO);
    let out = tempfile::tempdir()?;
    let (tgz, _) = package(&[path_str(src.path()), "-d", path_str(out.path())]);
    let cases = [
        ("chart", DEMO[0].1),
        ("values", "replicas: 1\nname: web\n"),
        ("schema", DEMO[2].1),
        ("readme", "# Demo\n"),
    ];
    for (what, want) in cases {
        skiff()
            .args(["show", what, path_str(&tgz)])
            .assert()
            .success()
            .stdout(want.to_owned());
    }
    skiff()
        .args(["values", path_str(&tgz)])
        .assert()
        .success()
        .stdout(predicate::str::contains("replicas: 1"));
    Ok(())
}

#[test]
fn a_chart_that_does_not_render_is_not_packaged() -> TestResult {
    let out = tempfile::tempdir()?;
    let broken = chart(&[
        ("Chart.yaml", common::CHART_YAML),
        ("templates/x.yaml", "a: {{ values.missing.key }}\n"),
    ]);
    skiff()
        .args([
            "package",
            path_str(broken.path()),
            "-d",
            path_str(out.path()),
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "was not packaged: `skiff lint` found 1 error",
        ))
        .stderr(predicate::str::contains(
            "templates/x.yaml:1: undefined value",
        ));
    assert!(dir_entries(out.path()).is_empty());

    // A ci/*.yaml value set that breaks the schema is refused too, and named.
    let mut files = DEMO.to_vec();
    files.push(("ci/bad.yaml", "replicas: many\n"));
    let src = chart(&files);
    skiff()
        .args(["package", path_str(src.path()), "-d", path_str(out.path())])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error[values-schema] ci/bad.yaml: replicas: \"many\" is not of type",
        ));
    assert!(dir_entries(out.path()).is_empty());

    // --skip-lint packages it anyway, for a pipeline that linted earlier.
    skiff()
        .args([
            "package",
            path_str(src.path()),
            "-d",
            path_str(out.path()),
            "--skip-lint",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Packaged demo 0.1.0 to"));
    assert_eq!(dir_entries(out.path()), ["demo-0.1.0.tgz"]);
    Ok(())
}

#[test]
fn bad_version_flags_exit_2() -> TestResult {
    let src = chart(DEMO);
    let out = tempfile::tempdir()?;
    for bad in ["1.2", "latest", "1.0.0.0"] {
        skiff()
            .args(["package", path_str(src.path()), "-d", path_str(out.path())])
            .args(["--version", bad])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "--version \"{bad}\" is not a SemVer 2 version"
            )));
    }
    skiff()
        .args(["package", path_str(src.path()), "-d", path_str(out.path())])
        .args(["--app-version", "1\n2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--app-version"));
    assert!(dir_entries(out.path()).is_empty());
    Ok(())
}

#[test]
fn a_failed_package_leaves_the_old_archive_and_no_temp_files() -> TestResult {
    let base = tempfile::tempdir()?;
    let src = base.path().join("demo");
    write_chart(&src, DEMO, 0o644, SystemTime::now())?;
    let out = base.path().join("out");
    let (archive, _) = package(&[path_str(&src), "-d", path_str(&out)]);
    let good = std::fs::read(&archive)?;

    // 1. The chart breaks: nothing is written.
    std::fs::write(src.join("templates/cm.yaml"), "a: {{ nope }}\n")?;
    skiff()
        .args(["package", path_str(&src), "-d", path_str(&out)])
        .assert()
        .code(2);
    assert_eq!(std::fs::read(&archive)?, good);
    assert_eq!(dir_entries(&out), ["demo-0.1.0.tgz"]);
    std::fs::write(src.join("templates/cm.yaml"), DEMO[8].1)?;
    std::fs::write(src.join("values.yaml"), "replicas: 2\nname: web\n")?;

    // 2. The target path is a folder: the rename fails, the temp file goes.
    let blocked = base.path().join("blocked");
    std::fs::create_dir_all(blocked.join("demo-0.1.0.tgz/keep"))?;
    skiff()
        .args(["package", path_str(&src), "-d", path_str(&blocked)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("demo-0.1.0.tgz"));
    assert_eq!(dir_entries(&blocked), ["demo-0.1.0.tgz"]);
    assert_eq!(dir_entries(&blocked.join("demo-0.1.0.tgz")), ["keep"]);

    // 3. The folder is read-only (meaningless as root, who may write anyway).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o555))?;
        let privileged = std::fs::write(out.join("probe"), b"").is_ok();
        let _ = std::fs::remove_file(out.join("probe"));
        if privileged {
            eprintln!("note: running as root; the read-only folder case is not checked");
        } else {
            skiff()
                .args(["package", path_str(&src), "-d", path_str(&out)])
                .assert()
                .code(2)
                .stderr(predicate::str::contains("cannot create a temporary file"));
            assert_eq!(std::fs::read(&archive)?, good);
            assert_eq!(dir_entries(&out), ["demo-0.1.0.tgz"]);
        }
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(())
}

// ---- repo index ----

/// Packages DEMO at each version into `dir` with SOURCE_DATE_EPOCH=`epoch`.
fn package_versions(dir: &Path, versions: &[&str], epoch: &str) -> TestResult {
    let src = chart(DEMO);
    for v in versions {
        skiff()
            .args(["package", path_str(src.path()), "-d", path_str(dir)])
            .args(["--version", v])
            .env("SOURCE_DATE_EPOCH", epoch)
            .assert()
            .success();
    }
    Ok(())
}

fn index(dir: &Path, extra: &[&str]) -> String {
    skiff()
        .args(["repo", "index", path_str(dir)])
        .args(extra)
        .env_remove("SOURCE_DATE_EPOCH")
        .assert()
        .success();
    std::fs::read_to_string(dir.join("index.yaml")).unwrap_or_default()
}

#[test]
fn index_has_helms_shape_sorted_newest_first() -> TestResult {
    let repo = tempfile::tempdir()?;
    package_versions(
        repo.path(),
        &["0.9.0", "0.10.0", "1.0.0-rc.1"],
        "1700000000",
    )?;
    // A second chart, in a subfolder (Helm indexes */*.tgz too).
    let other = chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: another\nversion: 2.0.0\n",
        ),
        (
            "templates/x.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
        ),
    ]);
    skiff()
        .args(["package", path_str(other.path()), "-d"])
        .arg(repo.path().join("sub"))
        .env_remove("SOURCE_DATE_EPOCH")
        .assert()
        .success();
    let digest = |rel: &str| {
        std::fs::read(repo.path().join(rel))
            .map(|b| skiff::package::sha256_hex(&b))
            .unwrap_or_default()
    };
    let text = index(
        repo.path(),
        &["--url", "https://charts.example.com/stable/"],
    );
    let demo = |v: &str| {
        format!(
            "  - apiVersion: v2
    appVersion: '1.0'
    created: '2023-11-14T22:13:20Z'
    description: Demo.
    digest: {}
    keywords:
    - web
    name: demo
    urls:
    - https://charts.example.com/stable/demo-{v}.tgz
    version: {v}
",
            digest(&format!("demo-{v}.tgz"))
        )
    };
    let want = format!(
        "apiVersion: v1
entries:
  another:
  - apiVersion: v2
    created: '1980-01-01T00:00:00Z'
    digest: {}
    name: another
    urls:
    - https://charts.example.com/stable/sub/another-2.0.0.tgz
    version: 2.0.0
  demo:
{}{}{}generated: '2023-11-14T22:13:20Z'
",
        digest("sub/another-2.0.0.tgz"),
        demo("1.0.0-rc.1"),
        demo("0.10.0"),
        demo("0.9.0"),
    );
    assert_eq!(text, want);

    // Without --url, urls are relative to the index; running again is byte-identical.
    let relative = index(repo.path(), &[]);
    assert!(relative.contains("  - demo-0.10.0.tgz\n"), "{relative}");
    assert!(
        relative.contains("  - sub/another-2.0.0.tgz\n"),
        "{relative}"
    );
    assert_eq!(relative, index(repo.path(), &[]));

    // SOURCE_DATE_EPOCH dates every new entry and `generated`.
    skiff()
        .args(["repo", "index", path_str(repo.path())])
        .env("SOURCE_DATE_EPOCH", "1800000000")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Indexed 4 chart versions of 2 charts (4 added, 0 kept) to",
        ));
    let dated = std::fs::read_to_string(repo.path().join("index.yaml"))?;
    assert_eq!(dated.matches("created: '2027-01-15T08:00:00Z'").count(), 4);
    assert!(dated.ends_with("generated: '2027-01-15T08:00:00Z'\n"));
    Ok(())
}

#[test]
fn merge_keeps_published_entries_and_their_created_times() -> TestResult {
    let published = tempfile::tempdir()?;
    package_versions(published.path(), &["0.1.0"], "1600000000")?;
    let old_index = index(published.path(), &["--url", "https://x.io/charts"]);
    assert!(old_index.contains("created: '2020-09-13T12:26:40Z'"));
    let merge_file = published.path().join("index.yaml");

    // The next CI run: only the new version is in DIR, plus a re-packaged
    // 0.1.0 (same content, same digest) with a later date.
    let next = tempfile::tempdir()?;
    package_versions(next.path(), &["0.2.0"], "1700000000")?;
    std::fs::copy(
        published.path().join("demo-0.1.0.tgz"),
        next.path().join("demo-0.1.0.tgz"),
    )?;
    skiff()
        .args(["repo", "index", path_str(next.path())])
        .args([
            "--url",
            "https://x.io/charts",
            "--merge",
            path_str(&merge_file),
        ])
        .env("SOURCE_DATE_EPOCH", "1750000000")
        .assert()
        .success()
        .stdout(predicate::str::contains("(1 added, 1 kept)"));
    let merged = std::fs::read_to_string(next.path().join("index.yaml"))?;
    let v010 = merged.find("version: 0.1.0").unwrap_or(0);
    let v020 = merged.find("version: 0.2.0").unwrap_or(usize::MAX);
    assert!(v020 < v010, "newest first:\n{merged}");
    assert!(
        merged.contains("created: '2020-09-13T12:26:40Z'"),
        "{merged}"
    );
    assert!(
        merged.contains("created: '2025-06-15T15:06:40Z'"),
        "{merged}"
    );
    // The kept entry is exactly the published one.
    let old_entry = &old_index
        [old_index.find("  - apiVersion").unwrap_or(0)..old_index.find("generated:").unwrap_or(0)];
    assert!(merged.contains(old_entry), "{merged}");

    // A published version whose archive changed is refused, naming both files.
    let changed = tempfile::tempdir()?;
    let src = chart(&[
        ("Chart.yaml", "apiVersion: v2\nname: demo\nversion: 0.1.0\n"),
        (
            "templates/x.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: changed\n",
        ),
    ]);
    skiff()
        .args([
            "package",
            path_str(src.path()),
            "-d",
            path_str(changed.path()),
        ])
        .assert()
        .success();
    skiff()
        .args(["repo", "index", path_str(changed.path())])
        .args(["--merge", path_str(&merge_file)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("chart demo 0.1.0 is already in"))
        .stderr(predicate::str::contains("with a different digest"));
    assert!(!changed.path().join("index.yaml").exists());

    // A missing --merge file starts a new index, as in Helm.
    skiff()
        .args(["repo", "index", path_str(next.path())])
        .args(["--merge", path_str(&next.path().join("nope.yaml"))])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "does not exist; starting a new index",
        ));
    // A file that is not an index is an error naming it.
    let junk = next.path().join("junk.yaml");
    std::fs::write(&junk, "entries: []\n")?;
    skiff()
        .args(["repo", "index", path_str(next.path())])
        .args(["--merge", path_str(&junk)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "junk.yaml: not a repository index",
        ));
    Ok(())
}

#[test]
fn index_refuses_non_chart_archives_and_duplicates() -> TestResult {
    let repo = tempfile::tempdir()?;
    package_versions(repo.path(), &["0.1.0"], "1700000000")?;
    std::fs::write(
        repo.path().join("index.yaml"),
        "apiVersion: v1\nentries: {}\n",
    )?;
    let before = std::fs::read(repo.path().join("index.yaml"))?;
    std::fs::write(repo.path().join("notes.tgz"), b"not gzip at all")?;
    skiff()
        .args(["repo", "index", path_str(repo.path())])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("notes.tgz: not a chart archive"));
    assert_eq!(std::fs::read(repo.path().join("index.yaml"))?, before);
    std::fs::remove_file(repo.path().join("notes.tgz"))?;

    std::fs::create_dir(repo.path().join("copy"))?;
    std::fs::copy(
        repo.path().join("demo-0.1.0.tgz"),
        repo.path().join("copy/demo-0.1.0.tgz"),
    )?;
    skiff()
        .args(["repo", "index", path_str(repo.path())])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("both hold chart demo 0.1.0"));

    skiff()
        .args(["repo", "index"])
        .arg(repo.path().join("missing"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing"));
    Ok(())
}

#[test]
fn an_empty_folder_gives_an_empty_index() -> TestResult {
    let repo = tempfile::tempdir()?;
    let text = index(repo.path(), &[]);
    assert_eq!(
        text,
        "apiVersion: v1\nentries: {}\ngenerated: '1980-01-01T00:00:00Z'\n"
    );
    Ok(())
}

#[test]
fn the_basic_fixture_packages() {
    let out = tempfile::tempdir().expect("temp dir");
    let (path, sha) = package(&[path_str(&fixture("basic")), "-d", path_str(out.path())]);
    assert!(path.ends_with("basic-0.1.0.tgz"));
    assert_eq!(sha.len(), 64);
}
