//! Dependencies, subcharts and library charts (issue 10): values scoping,
//! condition/tags, alias, import-values, per-chart schemas, library
//! imports, `skiff dependency list|update|build` and Chart.lock, packaging
//! with dependencies. Fixtures: tests/fixtures/deps/.

mod common;

use std::path::{Path, PathBuf};

use common::{chart, fixture, skiff};
use predicates::prelude::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn parent() -> PathBuf {
    fixture("deps/parent")
}

fn render(args: &[&str]) -> String {
    let out = skiff()
        .arg("render")
        .args(args)
        .output()
        .expect("skiff runs");
    assert!(
        out.status.success(),
        "skiff render {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn sources(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# Source: "))
        .collect()
}

/// The document whose `# Source:` is `source`.
fn document<'a>(text: &'a str, source: &str) -> &'a str {
    let start = text
        .find(&format!("# Source: {source}\n"))
        .unwrap_or_else(|| panic!("no document from {source} in:\n{text}"));
    let rest = &text[start..];
    &rest[..rest.find("\n---").unwrap_or(rest.len())]
}

#[test]
fn folder_and_archive_subcharts_render_with_their_own_context() {
    let out = render(&[parent().to_str().unwrap_or_default()]);
    assert_eq!(
        sources(&out),
        [
            "parent/charts/admin/templates/config.yaml",
            "parent/templates/summary.yaml",
            "parent/charts/web/templates/config.yaml",
            "parent/charts/db/templates/service.yaml",
        ],
        "ConfigMaps sort before Services, by name within a kind:\n{out}"
    );
    let web = document(&out, "parent/charts/web/templates/config.yaml");
    // The parent's `web.replicas` wins over web's values.yaml; web's own port stays.
    assert!(web.contains("replicas: '2'"), "{web}");
    assert!(web.contains("port: '8080'"), "{web}");
    // global: the parent's env wins, the subchart's own region stays.
    assert!(web.contains("env: prod"), "{web}");
    assert!(web.contains("region: eu"), "{web}");
    assert!(
        web.contains("template: parent/charts/web/templates/config.yaml"),
        "{web}"
    );
    // The .tgz subchart sees the global too.
    let db = document(&out, "parent/charts/db/templates/service.yaml");
    assert!(db.contains("name: prod"), "{db}");
}

#[test]
fn parent_values_include_subchart_defaults_and_imports() {
    let out = render(&[parent().to_str().unwrap_or_default()]);
    let summary = document(&out, "parent/templates/summary.yaml");
    // values.web holds the subchart's defaults under the parent's overrides.
    assert!(summary.contains("webReplicas: '2'"), "{summary}");
    assert!(summary.contains("webPort: '8080'"), "{summary}");
    // import-values, exports form: db's exports.dbinfo lands at the parent's root.
    assert!(summary.contains("dbPort: '5432'"), "{summary}");
    // child/parent form: db's `service` lands under database.service, and
    // the parent's own values.yaml wins over the imported port.
    assert!(summary.contains("dbService: db-svc"), "{summary}");
    assert!(summary.contains("dbServicePort: '6000'"), "{summary}");
}

#[test]
fn alias_renders_the_subchart_again_under_its_alias() {
    let out = render(&[parent().to_str().unwrap_or_default()]);
    let admin = document(&out, "parent/charts/admin/templates/config.yaml");
    assert!(admin.contains("name: release-admin"), "{admin}");
    assert!(admin.contains("replicas: '1'"), "{admin}");
}

#[test]
fn condition_and_tags_enable_and_disable_subcharts() {
    let p = parent();
    let p = p.to_str().unwrap_or_default();
    let off = render(&[p, "--set", "web.enabled=false"]);
    assert!(!off.contains("charts/web/"), "{off}");
    assert!(
        off.contains("charts/admin/"),
        "the alias has its own condition:\n{off}"
    );
    assert!(
        off.contains("webPort: none"),
        "disabled: no web defaults in the parent:\n{off}"
    );
    // metrics is tagged `monitoring`, which the parent's values.yaml turns off.
    assert!(!off.contains("metrics"), "{off}");
    let on = render(&[p, "--set", "tags.monitoring=true"]);
    assert!(
        on.contains("# Source: parent/charts/metrics/templates/config.yaml"),
        "{on}"
    );
    // metrics has no condition, so metrics.enabled means nothing to it.
    let both = render(&[p, "--set", "tags.monitoring=true,metrics.enabled=false"]);
    assert!(
        both.contains("charts/metrics/"),
        "metrics has no condition:\n{both}"
    );
}

/// Helm's rule: a condition that resolves to a boolean wins over tags.
#[test]
fn a_condition_that_resolves_wins_over_tags() {
    let dir = chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: sub\n    version: 1.0.0\n    condition: sub.enabled\n    tags: [extras]\n",
        ),
        (
            "templates/x.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n",
        ),
        (
            "charts/sub/Chart.yaml",
            "apiVersion: v2\nname: sub\nversion: 1.0.0\n",
        ),
        (
            "charts/sub/templates/y.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sub\n",
        ),
    ]);
    let p = common::path_str(dir.path());
    let off = render(&[p, "--set", "tags.extras=true,sub.enabled=false"]);
    assert!(!off.contains("charts/sub/"), "{off}");
    let on = render(&[p, "--set", "tags.extras=false,sub.enabled=true"]);
    assert!(
        on.contains("# Source: app/charts/sub/templates/y.yaml"),
        "{on}"
    );
    // Without the condition set, the tag decides.
    let tagged_off = render(&[p, "--set", "tags.extras=false"]);
    assert!(!tagged_off.contains("charts/sub/"), "{tagged_off}");
}

#[test]
fn schema_errors_name_the_subchart_and_the_layer() {
    skiff()
        .args(["render"])
        .arg(parent())
        .args(["--set", "db.service.port=abc"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "charts/db-2.1.3.tgz/db/values.schema.json",
        ))
        .stderr(predicate::str::contains("service.port"))
        .stderr(predicate::str::contains("set by --set db.service.port=abc"));
}

#[test]
fn a_values_file_line_is_found_through_the_subchart_scope() -> TestResult {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("bad.yaml");
    std::fs::write(&file, "# comment\ndb:\n  service:\n    port: nope\n")?;
    skiff()
        .args(["render"])
        .arg(parent())
        .arg("-f")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.yaml:4"));
    Ok(())
}

#[test]
fn library_partials_import_by_library_name_and_see_the_importers_context() {
    let out = render(&[parent().to_str().unwrap_or_default(), "--release", "r1"]);
    // lib/_names.j2 imports lib/_util.j2 itself; chart.name is the importer's.
    assert!(out.contains("name: r1-parent\n"), "{out}");
}

#[test]
fn a_library_wins_over_a_chart_folder_of_the_same_name() {
    let dir = chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: lib\n    version: 0.1.0\n",
        ),
        (
            "charts/lib/Chart.yaml",
            "apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n",
        ),
        (
            "charts/lib/templates/_x.j2",
            "{% macro who() %}library{% endmacro %}\n",
        ),
        (
            "templates/lib/_x.j2",
            "{% macro who() %}own{% endmacro %}\n",
        ),
        (
            "templates/cm.yaml",
            "{% import \"lib/_x.j2\" as x %}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ x.who() }}\n",
        ),
    ]);
    skiff()
        .arg("render")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("name: library"));
}

#[test]
fn a_missing_dependency_says_to_build() {
    let dir = chart(&[(
        "Chart.yaml",
        "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: gone\n    version: ^1.0.0\n    repository: file://../gone\n",
    )]);
    skiff()
        .arg("render")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("\"gone\" is not in charts/"))
        .stderr(predicate::str::contains("skiff dependency build"));
}

#[test]
fn rendering_a_library_alone_is_an_error() {
    skiff()
        .arg("render")
        .arg(parent().join("charts/lib"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("library chart"));
}

#[test]
fn dependency_list_shows_each_status() {
    skiff()
        .args(["dependency", "list"])
        .arg(parent())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "NAME     VERSION  REPOSITORY  STATUS",
        ))
        .stdout(predicate::str::is_match(r"db\s+~2.1.0\s+ok").unwrap())
        .stdout(predicate::str::is_match(r"web\s+\^1.0.0\s+unpacked").unwrap());
}

/// A chart depending on `web` (file://) and on the repository's common
/// library chart, in a temp folder next to a copy of web.
fn file_dep_chart() -> tempfile::TempDir {
    let common = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("charts/common");
    let web = fixture("deps/parent/charts/web");
    chart(&[
        (
            "web/Chart.yaml",
            &std::fs::read_to_string(web.join("Chart.yaml")).unwrap_or_default(),
        ),
        (
            "web/values.yaml",
            &std::fs::read_to_string(web.join("values.yaml")).unwrap_or_default(),
        ),
        (
            "web/templates/config.yaml",
            &std::fs::read_to_string(web.join("templates/config.yaml")).unwrap_or_default(),
        ),
        (
            "app/Chart.yaml",
            &format!(
                "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: web\n    version: \">=1, <2\"\n    repository: file://../web\n  - name: common\n    version: ^0.1.0\n    repository: file://{}\n",
                common.display()
            ),
        ),
        (
            "app/templates/cm.yaml",
            "{% import \"common/_names.j2\" as names %}\n{% import \"common/_labels.j2\" as labels %}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ names.fullname() }}\n  labels: {{ labels.labels(\"api\") | nindent(4) }}\n",
        ),
    ])
}

fn update(chart: &Path) -> assert_cmd::assert::Assert {
    skiff()
        .args(["dependency", "update"])
        .arg(chart)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .assert()
}

#[test]
fn update_from_file_repositories_writes_archives_and_a_deterministic_lock() -> TestResult {
    let dir = file_dep_chart();
    let app = dir.path().join("app");
    update(&app).success();
    let lock = std::fs::read_to_string(app.join("Chart.lock"))?;
    assert!(
        lock.starts_with(
            "dependencies:\n- name: web\n  repository: file://../web\n  version: 1.2.0\n- name: common\n"
        ),
        "{lock}"
    );
    assert!(lock.contains("digest: sha256:"), "{lock}");
    assert!(lock.contains("generated: '2023-11-14T22:13:20Z'"), "{lock}");
    let web = std::fs::read(app.join("charts/web-1.2.0.tgz"))?;
    assert!(app.join("charts/common-0.1.0.tgz").is_file());
    // Again, even with another SOURCE_DATE_EPOCH: same archive bytes, lock untouched.
    skiff()
        .args(["dependency", "update"])
        .arg(&app)
        .env("SOURCE_DATE_EPOCH", "1800000000")
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(app.join("Chart.lock"))?, lock);
    assert_eq!(std::fs::read(app.join("charts/web-1.2.0.tgz"))?, web);
    // The library from the archive serves the chart's imports.
    let out = render(&[app.to_str().unwrap_or_default()]);
    assert!(out.contains("name: release-app\n"), "{out}");
    assert!(out.contains("helm.sh/chart: app-0.1.0"), "{out}");
    assert!(
        out.contains("# Source: app/charts/web/templates/config.yaml"),
        "{out}"
    );
    Ok(())
}

#[test]
fn build_reproduces_charts_from_the_lock_and_refuses_an_out_of_date_lock() -> TestResult {
    let dir = file_dep_chart();
    let app = dir.path().join("app");
    update(&app).success();
    let web = std::fs::read(app.join("charts/web-1.2.0.tgz"))?;
    std::fs::remove_dir_all(app.join("charts"))?;
    skiff()
        .args(["dependency", "build"])
        .arg(&app)
        .assert()
        .success()
        .stdout(predicate::str::contains("web-1.2.0.tgz"));
    assert_eq!(std::fs::read(app.join("charts/web-1.2.0.tgz"))?, web);
    let chart_yaml = std::fs::read_to_string(app.join("Chart.yaml"))?;
    std::fs::write(
        app.join("Chart.yaml"),
        chart_yaml.replace("\">=1, <2\"", "^1.2.0"),
    )?;
    skiff()
        .args(["dependency", "build"])
        .arg(&app)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Chart.lock is out of date"))
        .stderr(predicate::str::contains("skiff dependency update"));
    // A constraint nothing satisfies.
    std::fs::write(
        app.join("Chart.yaml"),
        chart_yaml.replace("\">=1, <2\"", "^2.0.0"),
    )?;
    update(&app)
        .code(2)
        .stderr(predicate::str::contains("does not satisfy"));
    Ok(())
}

#[test]
fn update_from_a_loopback_http_repository_checks_the_digest() -> TestResult {
    let repo = tempfile::tempdir()?;
    skiff()
        .args(["package"])
        .arg(fixture("deps/src/db"))
        .arg("-d")
        .arg(repo.path())
        .assert()
        .success();
    skiff()
        .args(["repo", "index"])
        .arg(repo.path())
        .assert()
        .success();
    let url = common::http::serve(repo.path().to_path_buf())?;
    let dir = chart(&[
        (
            "Chart.yaml",
            &format!(
                "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: db\n    version: ~2.1.0\n    repository: {url}/\n"
            ),
        ),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
        ),
    ]);
    update(dir.path()).success();
    assert_eq!(
        std::fs::read(dir.path().join("charts/db-2.1.3.tgz"))?,
        std::fs::read(repo.path().join("db-2.1.3.tgz"))?
    );
    let lock = std::fs::read_to_string(dir.path().join("Chart.lock"))?;
    assert!(
        lock.contains(&format!("repository: {url}/\n  version: 2.1.3")),
        "{lock}"
    );
    // Tamper with the published archive: refused, and charts/ keeps the good one.
    let good = std::fs::read(repo.path().join("db-2.1.3.tgz"))?;
    let mut bad = good.clone();
    bad.extend_from_slice(b"tampered");
    std::fs::write(repo.path().join("db-2.1.3.tgz"), &bad)?;
    std::fs::remove_file(dir.path().join("Chart.lock"))?;
    update(dir.path())
        .code(2)
        .stderr(predicate::str::contains("sha256"))
        .stderr(predicate::str::contains("refusing it"));
    assert_eq!(std::fs::read(dir.path().join("charts/db-2.1.3.tgz"))?, good);
    Ok(())
}

#[test]
fn the_packaged_chart_holds_its_dependencies_and_renders_the_same() -> TestResult {
    let out = tempfile::tempdir()?;
    skiff()
        .args(["package"])
        .arg(parent())
        .arg("-d")
        .arg(out.path())
        .assert()
        .success();
    let archive = out.path().join("parent-0.1.0.tgz");
    let from_folder = render(&[parent().to_str().unwrap_or_default()]);
    let from_archive = render(&[archive.to_str().unwrap_or_default()]);
    assert_eq!(from_folder, from_archive);
    assert!(from_archive.contains("parent/charts/db/templates/service.yaml"));
    Ok(())
}

#[test]
fn lint_renders_the_subcharts() {
    skiff().arg("lint").arg(parent()).assert().success();
    let dir = chart(&[
        ("Chart.yaml", "apiVersion: v2\nname: app\nversion: 0.1.0\n"),
        (
            "charts/sub/Chart.yaml",
            "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
        ),
        (
            "charts/sub/templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n",
        ),
    ]);
    skiff()
        .arg("lint")
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Bad_Name"));
}

/// charts/ holds a subchart at a version the dependency does not accept:
/// the render stops and says how to fix it.
#[test]
fn a_vendored_subchart_at_the_wrong_version_is_an_error() {
    let dir = chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: sub\n    version: ^2.0.0\n",
        ),
        ("templates/x.yaml", "a: b\n"),
        (
            "charts/sub/Chart.yaml",
            "apiVersion: v2\nname: sub\nversion: 1.4.0\n",
        ),
        ("charts/sub/templates/y.yaml", "c: d\n"),
    ]);
    common::fails_with(
        &["render", common::path_str(dir.path())],
        &[
            "dependency \"sub\" wants version \"^2.0.0\" but charts/ holds 1.4.0",
            "hint: run `skiff dependency update",
        ],
    );
}

/// The release byte cap counts the root chart's and every subchart's
/// output together, even when each stays under it alone.
#[test]
fn the_release_byte_cap_spans_subcharts() {
    let dir = chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: sub\n    version: 1.0.0\n",
        ),
        ("templates/x.yaml", &format!("a: {}\n", "x".repeat(60))),
        (
            "charts/sub/Chart.yaml",
            "apiVersion: v2\nname: sub\nversion: 1.0.0\n",
        ),
        (
            "charts/sub/templates/y.yaml",
            &format!("b: {}\n", "y".repeat(60)),
        ),
    ]);
    let chart = skiff::chart::load_chart(dir.path()).unwrap();
    let mut opts = skiff::release::RenderOptions::default();
    opts.limits.release_bytes = 100;
    let err = skiff::release::render(&chart, &opts)
        .unwrap_err()
        .to_string();
    assert!(err.contains("exceed 100 bytes"), "{err}");
    opts.limits.release_bytes = 200;
    assert!(skiff::release::render(&chart, &opts).is_ok());
}

#[test]
fn dependency_update_names_the_bad_line_and_refuses_an_archive() {
    let dir = chart(&[("Chart.yaml", "apiVersion: v2\nname: c\nversion: nope\n")]);
    common::fails_with(
        &["dependency", "update", common::path_str(dir.path())],
        &["Chart.yaml:3: version \"nope\" is not SemVer 2"],
    );
    common::fails_with(
        &[
            "dependency",
            "update",
            "tests/fixtures/deps/parent/charts/db-2.1.3.tgz",
        ],
        &["not a chart folder; dependencies are updated in an unpacked chart"],
    );
}

/// What a repository index can lack, each refused with the index named.
#[test]
fn a_repository_index_without_the_chart_version_url_or_digest_is_refused() -> TestResult {
    let repo = tempfile::tempdir()?;
    let url = common::http::serve(repo.path().to_path_buf())?;
    let dir = chart(&[(
        "Chart.yaml",
        &format!(
            "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: db\n    version: ~2.1.0\n    repository: {url}\n"
        ),
    )]);
    let cases = [
        ("apiVersion: v1\nentries: {}\n", "has no chart named \"db\""),
        (
            "apiVersion: v1\nentries:\n  db:\n    - version: 1.0.0\n      urls: [db-1.0.0.tgz]\n      digest: abc\n",
            "has no version of \"db\" that satisfies the constraint",
        ),
        (
            "apiVersion: v1\nentries:\n  db:\n    - version: 2.1.3\n      digest: abc\n",
            "db 2.1.3 lists no urls",
        ),
        (
            "apiVersion: v1\nentries:\n  db:\n    - version: 2.1.3\n      urls: [db-2.1.3.tgz]\n",
            "db 2.1.3 has no digest, so the download cannot be verified",
        ),
    ];
    for (index, message) in cases {
        std::fs::write(repo.path().join("index.yaml"), index)?;
        update(dir.path())
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(format!("{url}/index.yaml")))
            .stderr(predicate::str::contains(message));
        assert!(!dir.path().join("Chart.lock").exists());
    }
    Ok(())
}

#[test]
fn a_chart_lock_dependency_without_a_name_is_an_error() {
    let dir = common::chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: web\n    version: 1.0.0\n    repository: file://../web\n",
        ),
        (
            "Chart.lock",
            "dependencies:\n- repository: file://../web\n  version: 1.0.0\ndigest: sha256:0\ngenerated: \"2026-01-01T00:00:00Z\"\n",
        ),
    ]);
    skiff()
        .args(["dependency", "build"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Chart.lock"))
        .stderr(predicate::str::contains("a dependency has no name"));
}
