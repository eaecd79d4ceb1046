//! `skiff render`: output bytes, flags, and every bad-input case of issue 3.

mod common;

use common::{CHART_YAML, chart, chart_fails, fails_with, packaged, skiff, stdout_of};
use predicates::prelude::*;

#[test]
fn renders_the_basic_chart_canonically_and_sorted() {
    let out = stdout_of(&["render", "tests/fixtures/basic"]);
    insta::assert_snapshot!("basic_default", out);
}

#[test]
fn render_is_byte_identical_across_runs_and_alias_template() {
    let a = stdout_of(&["render", "tests/fixtures/basic", "-r", "x", "-n", "prod"]);
    let b = stdout_of(&["template", "x", "tests/fixtures/basic", "-n", "prod"]);
    assert_eq!(a, b);
    assert!(a.contains("name: x-web"));
    assert!(a.contains("namespace: prod"));
}

#[test]
fn install_order_puts_configmap_and_service_before_deployment() {
    let out = stdout_of(&["render", "tests/fixtures/basic"]);
    let kinds: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("kind: "))
        .collect();
    assert_eq!(kinds, ["ConfigMap", "Service", "Deployment"]);
    assert!(out.starts_with("---\n# Source: basic/templates/service.yaml\n"));
}

#[test]
fn values_files_merge_deeply_and_later_files_win() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.yaml");
    let b = dir.path().join("b.yaml");
    std::fs::write(&a, "replicas: 5\nenv:\n  EXTRA: one\n").unwrap();
    std::fs::write(&b, "replicas: 7\nenv:\n  PORT: null\n").unwrap();
    let out = stdout_of(&[
        "render",
        "tests/fixtures/basic",
        "-f",
        a.to_str().unwrap(),
        "-f",
        b.to_str().unwrap(),
    ]);
    assert!(out.contains("replicas: 7"));
    assert!(out.contains("name: EXTRA"));
    assert!(!out.contains("name: PORT"), "null deletes a key");
    assert!(out.contains("name: MODE"));
}

#[test]
fn yaml_1_1_ambiguous_strings_are_quoted() {
    let dir = chart(&[
        ("Chart.yaml", CHART_YAML),
        (
            "values.yaml",
            "items: ['yes', 'on', 'no', 'y', '0777', '1e3', '~', 'null', '1_000', '12:30']\n",
        ),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n{% for v in values['items'] %}\n  k{{ loop.index }}: {{ v | quote }}\n{% endfor %}\n",
        ),
    ]);
    let out = stdout_of(&["render", dir.path().to_str().unwrap()]);
    for v in [
        "'yes'", "'on'", "'no'", "'y'", "'0777'", "'1e3'", "'~'", "'null'", "'1_000'", "'12:30'",
    ] {
        assert!(out.contains(v), "{v} is quoted in:\n{out}");
    }
}

#[test]
fn show_only_filters_and_refuses_unknown_templates() {
    let out = stdout_of(&[
        "render",
        "tests/fixtures/basic",
        "--show-only",
        "templates/deployment.yaml",
    ]);
    assert!(out.contains("kind: Deployment") && !out.contains("kind: Service"));
    let out2 = stdout_of(&[
        "render",
        "tests/fixtures/basic",
        "-s",
        "basic/templates/deployment.yaml",
    ]);
    assert_eq!(out, out2);
    skiff()
        .args([
            "render",
            "tests/fixtures/basic",
            "--show-only",
            "templates/nope.yaml",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--show-only templates/nope.yaml: the chart has no such template",
        ))
        .stderr(predicate::str::contains("templates/deployment.yaml"));
}

#[test]
fn output_dir_uses_helms_layout() {
    let dir = tempfile::tempdir().unwrap();
    skiff()
        .args([
            "render",
            "tests/fixtures/basic",
            "--output-dir",
            dir.path().to_str().unwrap(),
        ])
        .assert()
        .success();
    let service = std::fs::read_to_string(dir.path().join("basic/templates/service.yaml")).unwrap();
    assert!(service.starts_with("---\n# Source: basic/templates/service.yaml\n"));
    assert_eq!(
        service.matches("\n---\n").count() + 1,
        2,
        "ConfigMap and Service"
    );
    assert!(dir.path().join("basic/templates/deployment.yaml").exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("basic/templates"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.ends_with(".yaml"))
        .collect();
    assert!(leftovers.is_empty(), "no temp files left: {leftovers:?}");
}

#[test]
fn unwritable_output_dir_is_an_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    skiff()
        .args([
            "render",
            "tests/fixtures/basic",
            "--output-dir",
            file.to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot write"))
        .stderr(predicate::str::contains("not-a-dir"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
}

#[test]
fn failed_render_writes_nothing_into_output_dir() {
    let dir = chart(&[
        ("Chart.yaml", CHART_YAML),
        (
            "templates/a.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
        ),
        ("templates/b.yaml", "{{ values.missing }}\n"),
    ]);
    let out = tempfile::tempdir().unwrap();
    skiff()
        .args([
            "render",
            dir.path().to_str().unwrap(),
            "--output-dir",
            out.path().to_str().unwrap(),
        ])
        .assert()
        .code(2);
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

#[test]
fn notes_go_to_stderr() {
    skiff()
        .args(["render", "tests/fixtures/basic", "--notes", "-r", "demo"])
        .assert()
        .success()
        .stderr("Installed basic as demo.\n");
}

#[test]
fn template_context_objects() {
    let dir = chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: \"4.5\"\n",
        ),
        ("config/app.toml", "port = 1\n"),
        ("config/b.txt", "b\n"),
        (
            "templates/cm.yaml",
            concat!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ release.name }}\ndata:\n",
                "  chart: {{ chart.name }}-{{ chart.version }}-{{ chart.app_version }}\n",
                "  service: {{ release.service }}\n",
                "  install: {{ release.is_install | quote }}\n",
                "  kube: {{ capabilities.kube_version.version }}\n",
                "  minor: {{ capabilities.kube_version.minor | quote }}\n",
                "  hasapps: {{ ('apps/v1' in capabilities.api_versions) | quote }}\n",
                "  hasmon: {{ ('monitoring.coreos.com/v1' in capabilities.api_versions) | quote }}\n",
                "  template: {{ template.name }}\n",
                "  app.toml: {{ files.get('config/app.toml') | quote }}\n",
                "  lines: {{ files.lines('config/b.txt') | length }}\n",
                "  globbed: {{ files.glob('config/*') | length }}\n",
                "  tpl: {{ tpl('{{ release.namespace }}') }}\n",
                "  secrets: |\n    {{- files.as_secrets('config/b.txt') | nindent(4) }}\n",
            ),
        ),
    ]);
    let out = stdout_of(&[
        "render",
        dir.path().to_str().unwrap(),
        "-r",
        "rel",
        "-n",
        "ns1",
        "--kube-version",
        "1.30",
        "--api-versions",
        "monitoring.coreos.com/v1",
    ]);
    for want in [
        "name: rel",
        "chart: demo-1.2.3-4.5",
        "service: skiff",
        "install: 'true'",
        "kube: v1.30.0",
        "minor: '30'",
        "hasapps: 'true'",
        "hasmon: 'true'",
        "template: demo/templates/cm.yaml",
        "app.toml: |\n    port = 1\n",
        "lines: 1",
        "globbed: 2",
        "tpl: ns1",
        "b.txt: Ygo=",
    ] {
        assert!(out.contains(want), "{want:?} in:\n{out}");
    }
}

#[test]
fn booleans_print_lowercase_and_none_prints_nothing() {
    let dir = chart(&[
        ("Chart.yaml", CHART_YAML),
        ("values.yaml", "on: true\noff: false\nnothing: null\n"),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    a: \"{{ values.on }}\"\n    b: \"{{ values.off }}\"\n    c: \"{{ values.nothing }}\"\n",
        ),
    ]);
    let out = stdout_of(&["render", dir.path().to_str().unwrap()]);
    assert!(
        out.contains("a: 'true'\n    b: 'false'\n    c: ''\n"),
        "{out}"
    );
}

#[test]
fn macros_imports_and_includes_work_across_files() {
    let out = stdout_of(&["render", "tests/fixtures/basic"]);
    assert!(out.contains(
        "  labels:\n    app.kubernetes.io/name: basic\n    app.kubernetes.io/instance: release\n"
    ));
}

#[test]
fn an_empty_kube_version_is_no_constraint() {
    let dir = chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: demo\nversion: 0.1.0\nkubeVersion: \"\"\n",
        ),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        ),
    ]);
    let out = stdout_of(&[
        "render",
        dir.path().to_str().unwrap(),
        "--kube-version",
        "1.20.0",
    ]);
    assert!(out.contains("kind: ConfigMap"), "{out}");
}

#[test]
fn kube_version_constraint_is_checked() {
    let dir = chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: demo\nversion: 0.1.0\nkubeVersion: '>=1.27.0-0'\n",
        ),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        ),
    ]);
    let path = dir.path().to_str().unwrap();
    skiff()
        .args(["render", path, "--kube-version", "1.28.3"])
        .assert()
        .success();
    skiff()
        .args(["render", path, "--kube-version", "v1.26.0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("requires Kubernetes >=1.27.0-0"))
        .stderr(predicate::str::contains("1.26.0"));
    skiff()
        .args(["render", path, "--kube-version", "banana"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--kube-version \"banana\""));
}

// ---- bad input: clear error, exit 2 ----

fn fails(files: &[(&str, &str)], needles: &[&str]) {
    chart_fails("render", files, needles);
}

#[test]
fn missing_chart_folder() {
    fails_with(
        &["render", "tests/fixtures/does-not-exist"],
        &["does-not-exist: no such chart folder or archive"],
    );
}

#[test]
fn missing_chart_yaml() {
    fails(&[("values.yaml", "a: 1\n")], &["no Chart.yaml here"]);
}

#[test]
fn malformed_chart_yaml_names_the_line() {
    fails(
        &[("Chart.yaml", "apiVersion: v2\nname: demo\nversion: [\n")],
        &["Chart.yaml:", "not a valid Chart.yaml"],
    );
}

#[test]
fn non_semver_version_names_the_line() {
    fails(
        &[("Chart.yaml", "apiVersion: v2\nname: demo\nversion: 1.2\n")],
        &["Chart.yaml:3", "not SemVer 2"],
    );
}

#[test]
fn undefined_variable_names_template_line_and_expression() {
    fails(
        &[
            ("Chart.yaml", CHART_YAML),
            ("templates/cm.yaml", "a: 1\nb: {{ values.nope }}\n"),
        ],
        &[
            "templates/cm.yaml:2",
            "undefined value: `values.nope` is undefined",
            "^^^^^^^^^^^",
            "is defined",
        ],
    );
}

#[test]
fn undefined_in_a_partial_points_at_the_partial() {
    fails(
        &[
            ("Chart.yaml", CHART_YAML),
            ("templates/cm.yaml", "{% include \"_p.j2\" %}\n"),
            ("templates/_p.j2", "ok\n{{ nope }}\n"),
        ],
        &["templates/_p.j2:2", "included from", "templates/cm.yaml:1"],
    );
}

#[test]
fn jinja_syntax_error() {
    fails(
        &[
            ("Chart.yaml", CHART_YAML),
            ("templates/cm.yaml", "a: {% if %}\n"),
        ],
        &["templates/cm.yaml:1", "syntax error"],
    );
}

#[test]
fn invalid_yaml_output_names_template_and_rendered_line() {
    fails(
        &[
            ("Chart.yaml", CHART_YAML),
            ("templates/cm.yaml", "a: 1\nb: c: d\n"),
        ],
        &[
            "demo/templates/cm.yaml: rendered output is not valid YAML at line 2",
            ">    2 | b: c: d",
        ],
    );
}

#[test]
fn a_document_that_is_not_an_object() {
    fails(
        &[
            ("Chart.yaml", CHART_YAML),
            ("templates/cm.yaml", "- a\n- b\n"),
        ],
        &["document 1 is a list"],
    );
}

#[test]
fn a_template_loop_that_never_ends_runs_out_of_fuel() {
    fails(
        &[
            ("Chart.yaml", CHART_YAML),
            (
                "templates/cm.yaml",
                "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n",
            ),
        ],
        &["out of fuel", "templates/cm.yaml:1"],
    );
}

#[test]
fn unbounded_recursion_is_stopped() {
    fails(
        &[
            ("Chart.yaml", CHART_YAML),
            (
                "templates/cm.yaml",
                "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}\n",
            ),
        ],
        &["recursion limit exceeded"],
    );
}

#[test]
fn output_over_the_size_cap() {
    fails(
        &[
            ("Chart.yaml", CHART_YAML),
            (
                "templates/cm.yaml",
                "{% for i in range(100000) %}{% for j in range(10) %}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{% endfor %}{% endfor %}\n",
            ),
        ],
        &["output would exceed 16777216 bytes"],
    );
}

#[test]
fn an_nindent_too_wide_is_an_error_not_an_allocation() {
    fails(
        &[
            ("Chart.yaml", CHART_YAML),
            (
                "templates/cm.yaml",
                "data:\n  a: {{ \"x\" | nindent(100000000000) }}\n",
            ),
        ],
        &[
            "templates/cm.yaml:2",
            "nindent(100000000000) would build 100000000002 bytes, over the 16777216-byte limit",
        ],
    );
}

#[test]
fn files_cannot_leave_the_chart() {
    fails(
        &[
            ("Chart.yaml", CHART_YAML),
            ("templates/cm.yaml", "a: {{ files.get('../x') }}\n"),
        ],
        &["\"../x\" leaves the chart"],
    );
    fails(
        &[
            ("Chart.yaml", CHART_YAML),
            ("templates/cm.yaml", "a: {{ files.get('/etc/passwd') }}\n"),
        ],
        &["\"/etc/passwd\" is absolute"],
    );
    fails(
        &[
            ("Chart.yaml", CHART_YAML),
            (
                "templates/cm.yaml",
                "a: {{ files.get('templates/cm.yaml') }}\n",
            ),
        ],
        &["the chart has no such file"],
    );
}

#[test]
fn files_sees_the_user_files_only() {
    // Chart.yaml, the values files, templates/ and charts/ are the chart's
    // machinery: `files` does not list or read them, as Helm's `.Files`.
    let dir = chart(&[
        ("Chart.yaml", CHART_YAML),
        ("values.yaml", "a: 1\n"),
        ("values.schema.json", "{}\n"),
        ("notes.txt", "n\n"),
        ("charts/README.md", "sub\n"),
        (
            "templates/cm.yaml",
            "top: {{ files.glob('*') | list | join(',') }}\nall: {{ files.glob('**') | length }}\nown: {{ files.glob('templates/*') | length }}\n",
        ),
    ]);
    let out = stdout_of(&["render", dir.path().to_str().unwrap()]);
    assert!(out.contains("top: notes.txt\n"), "{out}");
    assert!(out.contains("all: 1\n"), "{out}");
    assert!(out.contains("own: 0\n"), "{out}");
    for hidden in ["values.yaml", "Chart.yaml", "charts/README.md"] {
        fails(
            &[
                ("Chart.yaml", CHART_YAML),
                ("values.yaml", "a: 1\n"),
                ("charts/README.md", "sub\n"),
                (
                    "templates/cm.yaml",
                    &format!("a: {{{{ files.get('{hidden}') }}}}\n"),
                ),
            ],
            &["the chart has no such file"],
        );
    }
}

#[test]
fn required_and_fail_stop_the_render_with_the_message() {
    fails(
        &[
            ("Chart.yaml", CHART_YAML),
            ("values.yaml", "host: ''\n"),
            (
                "templates/cm.yaml",
                "h: {{ values.host | required('set host to the public hostname') }}\n",
            ),
        ],
        &["required: set host to the public hostname"],
    );
    fails(
        &[
            ("Chart.yaml", CHART_YAML),
            ("templates/cm.yaml", "{{ fail('replicas must be odd') }}\n"),
        ],
        &["fail: replicas must be odd"],
    );
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_chart_are_refused() {
    let dir = chart(&[("Chart.yaml", CHART_YAML), ("templates/cm.yaml", "a: 1\n")]);
    std::os::unix::fs::symlink("/etc/hostname", dir.path().join("templates/leak.yaml")).unwrap();
    fails_with(
        &["render", dir.path().to_str().unwrap()],
        &["symlink points outside the chart"],
    );
}

#[cfg(unix)]
#[test]
fn symlinks_inside_the_chart_are_followed() {
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: linked\n";
    let dir = chart(&[
        ("Chart.yaml", CHART_YAML),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: own\n",
        ),
        ("templates/shared/cm.yaml", cm),
    ]);
    let templates = dir.path().join("templates");
    std::os::unix::fs::symlink("shared/cm.yaml", templates.join("linked.yaml")).unwrap();
    // A folder read again through a link, as Helm reads it; a link back
    // to a folder being read (here the chart itself) adds nothing.
    std::os::unix::fs::symlink("shared", templates.join("sub")).unwrap();
    std::os::unix::fs::symlink("../..", templates.join("shared/up")).unwrap();
    let out = stdout_of(&["render", dir.path().to_str().unwrap()]);
    let sources: Vec<&str> = out.lines().filter(|l| l.starts_with("# Source:")).collect();
    assert_eq!(
        sources,
        [
            "# Source: demo/templates/cm.yaml",
            "# Source: demo/templates/linked.yaml",
            "# Source: demo/templates/shared/cm.yaml",
            "# Source: demo/templates/sub/cm.yaml",
        ],
        "{out}"
    );
}

#[cfg(unix)]
#[test]
fn links_that_multiply_folders_stop_at_the_entry_limit() {
    // Each level links to the next twice: 2^20 paths, so the entry limit
    // (an archive's) must stop the walk.
    let dir = chart(&[("Chart.yaml", CHART_YAML), ("d20/x", "")]);
    for level in (0..20).rev() {
        let folder = dir.path().join(format!("d{level}"));
        std::fs::create_dir(&folder).unwrap();
        for link in ["a", "b"] {
            let target = format!("../d{}", level + 1);
            std::os::unix::fs::symlink(target, folder.join(link)).unwrap();
        }
    }
    fails_with(
        &["render", dir.path().to_str().unwrap()],
        &["chart has more than 10000 files and folders"],
    );
}

#[test]
fn a_byte_order_mark_is_dropped_from_folder_and_archive_files() {
    let dir = chart(&[
        (
            "Chart.yaml",
            "\u{feff}apiVersion: v2\nname: bom\nversion: 0.1.0\n",
        ),
        ("values.yaml", "\u{feff}name: x\n"),
        (
            "templates/cm.yaml",
            "\u{feff}apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ values.name }}\n",
        ),
    ]);
    let folder = stdout_of(&["render", dir.path().to_str().unwrap()]);
    assert!(
        folder.contains("\nkind: ConfigMap\nmetadata:\n  name: x\n"),
        "{folder}"
    );
    assert!(!folder.contains('\u{feff}'), "{folder}");

    let (_out, archive) = packaged(dir.path(), "bom-0.1.0.tgz");
    assert_eq!(stdout_of(&["render", archive.to_str().unwrap()]), folder);
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_stdout_is_an_error() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin!("skiff"))
        .args(["render", "tests/fixtures/basic"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot write <stdout>: No space left on device"),
        "{stderr}"
    );
}

#[test]
fn an_archive_whose_top_folder_is_not_the_chart_name_is_refused() {
    let files: [(&str, &[u8]); 1] = [(
        "Chart.yaml",
        b"apiVersion: v2\nname: demo\nversion: 0.1.0\n",
    )];
    let bytes = skiff::package::archive::write_chart_archive(
        "other",
        files,
        skiff::package::archive::DEFAULT_MTIME,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("demo-0.1.0.tgz");
    std::fs::write(&archive, bytes).unwrap();
    fails_with(
        &["render", archive.to_str().unwrap()],
        &["the archive's top folder \"other\" is not the chart's name \"demo\""],
    );
}

#[test]
fn subcharts_nested_more_than_ten_deep_are_refused() {
    let chart_yaml = |name: &str| format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n");
    let mut files = vec![("Chart.yaml".to_string(), chart_yaml("demo"))];
    let mut prefix = String::new();
    for level in 1..=11 {
        prefix.push_str(&format!("charts/s{level}/"));
        files.push((
            format!("{prefix}Chart.yaml"),
            chart_yaml(&format!("s{level}")),
        ));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    fails(&files, &["subcharts nest more than 10 levels deep"]);
    // Ten levels load.
    let ten: Vec<(&str, &str)> = files[..11].to_vec();
    let dir = chart(&ten);
    skiff()
        .args(["render", dir.path().to_str().unwrap()])
        .assert()
        .success();
}

#[test]
fn files_over_the_size_limit_are_refused() {
    let big = "#".repeat(5 * 1024 * 1024 + 1);
    fails(
        &[("Chart.yaml", CHART_YAML), ("big.txt", big.as_str())],
        &["over the 5242880-byte limit"],
    );
}

#[test]
fn library_charts_do_not_render_alone() {
    fails(
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n",
            ),
            ("templates/_x.j2", ""),
        ],
        &["a library chart holds partials only"],
    );
}

// ---- other commands of issue 3 ----

#[test]
fn show_prints_chart_files() {
    skiff()
        .args(["show", "chart", "tests/fixtures/basic"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("apiVersion: v2\nname: basic\n"));
    skiff()
        .args(["show", "values", "tests/fixtures/basic"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("image: nginx:1.27\n"));
    skiff()
        .args(["show", "readme", "tests/fixtures/basic"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the chart has no README.md"));
}

#[test]
fn version_and_completion() {
    skiff()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with(format!(
            "skiff {}",
            env!("CARGO_PKG_VERSION")
        )));
    skiff()
        .args(["completion", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("_skiff()"));
}

#[test]
fn usage_errors_exit_2() {
    skiff().args(["render"]).assert().code(2);
    skiff().args(["frobnicate"]).assert().code(2);
}

#[test]
fn a_helm_chart_with_go_templates_is_named_as_such() {
    fails_with(
        &["render", "tests/fixtures/helm-style"],
        &[
            "templates/deployment.yaml:4: looks like a Go template (Helm chart); Skiff charts use Jinja",
            "hint: port the templates to Jinja",
        ],
    );
}

#[test]
fn release_name_given_twice() {
    fails_with(
        &["render", "one", "tests/fixtures/basic", "--release", "two"],
        &["give the release name either as NAME or with --release, not both"],
    );
}

#[test]
fn including_a_missing_template() {
    fails(
        &[
            ("Chart.yaml", CHART_YAML),
            ("templates/x.yaml", "{% include \"_nope.j2\" %}\n"),
        ],
        &["templates/x.yaml", "template not found", "_nope.j2"],
    );
}

#[test]
fn a_template_that_is_not_utf8() {
    let dir = chart(&[("Chart.yaml", CHART_YAML)]);
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(dir.path().join("templates/x.yaml"), b"a: \xff\xfe\n").unwrap();
    fails_with(
        &["render", dir.path().to_str().unwrap()],
        &["templates/x.yaml", "templates must be UTF-8"],
    );
}

#[test]
fn a_file_that_is_not_an_archive_is_named_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.tgz");
    std::fs::write(&path, "garbage").unwrap();
    let out = skiff().arg("render").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not a gzip-compressed chart archive"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("bad.tgz").count(), 1, "{stderr}");
}

/// Filters and `files` methods that refuse their input stop the render
/// with the template, line and reason.
#[test]
fn filter_and_files_errors_name_the_template() {
    let cases = [
        ("{{ \"a: [\" | fromyaml }}", "fromyaml: not valid YAML"),
        ("{{ \"{nope\" | fromjson }}", "fromjson: not valid JSON"),
        ("{{ \"!!\" | b64decode }}", "b64decode: not base64"),
        (
            "{{ \"//8=\" | b64decode }}",
            "b64decode: the decoded bytes are not UTF-8 text",
        ),
        (
            "{{ files.get(\"bin.dat\") }}",
            "files.get(\"bin.dat\"): not UTF-8 text; use files.as_secrets",
        ),
        (
            "{{ files.as_config(\"*.dat\") }}",
            "files.as_config: \"bin.dat\" is not UTF-8 text",
        ),
        ("{{ files.glob(\"[\") }}", "bad glob \"[\""),
        ("{{ files.nope() }}", "files has no method \"nope\""),
    ];
    for (template, message) in cases {
        let dir = chart(&[
            ("Chart.yaml", CHART_YAML),
            ("templates/x.yaml", &format!("a: 1\n# {template}\n")),
        ]);
        std::fs::write(dir.path().join("bin.dat"), b"\xff\xfe").unwrap();
        fails_with(
            &["render", dir.path().to_str().unwrap()],
            &["templates/x.yaml:2", message],
        );
    }
}
