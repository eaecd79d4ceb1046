//! In-process benchmarks of Skiff's hot paths: values parsing and merge,
//! the schema compile, `--set` parsing, template rendering (by template
//! count and by output size) and YAML canonicalisation (stream and tree).
//!
//!     cargo bench --bench hot_paths
//!
//! The render benchmarks use the charts bench/gen.py writes into
//! `.cache/bench/` (generated here when missing); end-to-end timings against
//! Helm are bench/run.sh's job (docs/performance.md).

use std::path::{Path, PathBuf};
use std::process::Command;

use divan::Bencher;
use skiff::chart::{Chart, load_chart};
use skiff::manifest::{self, Manifest};
use skiff::release::{self, RenderOptions};
use skiff::values::strvals::{self, SetKind};
use skiff::values::{self, Values};

/// The allocator the `skiff` binary uses (src/main.rs), so these numbers
/// match what users run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

const SIZES: &[usize] = &[1, 10, 100, 1000];

/// The generated Skiff chart with `size` component templates.
fn bench_chart(size: usize) -> Chart {
    bench_chart_with_data(size, 0)
}

/// The same with `data` more ConfigMap entries per component (bench/gen.py
/// `--data`, the output-size curve's charts).
fn bench_chart_with_data(size: usize, data: usize) -> Chart {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let name = match data {
        0 => format!("skiff-{size}"),
        _ => format!("skiff-{size}-data{data}"),
    };
    let dir: PathBuf = root.join(".cache/bench").join(name);
    if !dir.join("Chart.yaml").exists() {
        let status = Command::new("python3")
            .arg(root.join("bench/gen.py"))
            .arg(format!("--data={data}"))
            .arg(size.to_string())
            .stdout(std::process::Stdio::null())
            .status()
            .expect("python3 runs bench/gen.py");
        assert!(status.success(), "bench/gen.py --data={data} {size} failed");
    }
    load_chart(&dir).expect("the generated chart loads")
}

fn values_of(chart: &Chart) -> Values {
    let text = chart
        .text("values.yaml")
        .expect("values.yaml is UTF-8")
        .expect("the chart has values.yaml");
    values::parse_values(text, Path::new("values.yaml")).expect("values.yaml parses")
}

/// Deep merge of a user layer over a chart's defaults (1000 components).
#[divan::bench]
fn values_merge(bencher: Bencher) {
    let defaults = values_of(&bench_chart(1000));
    let mut user = Values::new();
    strvals::parse_into(
        "image.tag=2.0.0,env.LOG_LEVEL=debug,components.c0500.replicas=5,components.c0999.enabled=false,commonLabels.extra=yes",
        SetKind::Auto,
        &mut user,
        &mut |_| Err("no files".into()),
    )
    .expect("the --set line parses");
    bencher.bench(|| {
        let mut merged = divan::black_box(&defaults).clone();
        values::merge_into(&mut merged, divan::black_box(&user));
        merged
    });
}

/// Reading a values file: the 1000-component chart's 130 KB values.yaml
/// (the fast YAML reader straight into JSON).
#[divan::bench]
fn values_parse(bencher: Bencher) {
    let chart = bench_chart(1000);
    let text = chart
        .text("values.yaml")
        .expect("values.yaml is UTF-8")
        .expect("the chart has values.yaml");
    bencher.bench(|| {
        values::parse_values(divan::black_box(text), Path::new("values.yaml"))
            .expect("values.yaml parses")
    });
}

/// Loading and compiling charts/starter's values.schema.json (26 KB, 20
/// `pattern`s), which every render of the starter does once. jsonschema
/// keeps its meta-schema validator for the process, so only the first
/// iteration here pays for compiling that (~0.9 M instructions).
#[divan::bench]
fn schema_load(bencher: Bencher) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let chart = load_chart(&root.join("charts/starter")).expect("the starter loads");
    bencher.bench(|| {
        values::schema::Schema::load(divan::black_box(&chart))
            .expect("the schema compiles")
            .expect("the starter has a schema")
    });
}

/// One `--set` argument of typical length: nested keys, an index, a list.
#[divan::bench]
fn set_parse(bencher: Bencher) {
    let line = "image.repository=registry.example.com/app,image.tag=1.2.3,replicas=3,\
                ingress.hosts[0].host=app.example.com,ingress.hosts[0].paths={/,/api},\
                env.LOG_LEVEL=debug,env.FEATURES=a\\,b,resources.limits.cpu=1,enabled=true";
    bencher.bench(|| {
        let mut dest = Values::new();
        strvals::parse_into(
            divan::black_box(line),
            SetKind::Auto,
            &mut dest,
            &mut |_| Err("no files".into()),
        )
        .expect("the --set line parses");
        dest
    });
}

/// The whole pipeline minus I/O: values, engine, render, parse, sort.
#[divan::bench(args = SIZES)]
fn render(bencher: Bencher, size: usize) {
    let chart = bench_chart(size);
    let opts = RenderOptions::default();
    bencher.bench(|| release::render(divan::black_box(&chart), &opts).expect("renders"));
}

/// The 100-template chart with more data per template: the output grows
/// (0.6 and 1.7 MiB), the templates stay the same; the data comes from
/// values.yaml through `toyaml`.
#[divan::bench(args = [128, 512])]
fn render_data(bencher: Bencher, data: usize) {
    let chart = bench_chart_with_data(100, data);
    let opts = RenderOptions::default();
    bencher.bench(|| release::render(divan::black_box(&chart), &opts).expect("renders"));
}

fn rendered_manifests(size: usize) -> Vec<Manifest> {
    release::render(&bench_chart(size), &RenderOptions::default())
        .expect("renders")
        .objects
}

/// Canonical YAML of one Deployment.
#[divan::bench]
fn write_yaml(bencher: Bencher) {
    let manifests = rendered_manifests(1);
    let deployment = manifests
        .iter()
        .find(|m| m.kind() == "Deployment")
        .expect("the chart renders a Deployment");
    bencher.bench(|| {
        let mut out = String::new();
        manifest::emit::write_yaml(&mut out, divan::black_box(&deployment.value));
        out
    });
}

/// The rendered files of a generated chart, as the engine gives them.
fn rendered_texts(size: usize) -> Vec<(String, String)> {
    release::render(&bench_chart(size), &RenderOptions::default())
        .expect("renders")
        .files
        .into_iter()
        .map(|f| (format!("bench/{}", f.path), f.text))
        .collect()
}

/// Rendered text to canonical text as `skiff render` does it: the stream
/// writer, no tree (`manifest::write_file`).
#[divan::bench(args = [10, 100, 1000])]
fn write_rendered_text(bencher: Bencher, size: usize) {
    let texts = rendered_texts(size);
    bencher.bench(|| {
        for (source, text) in divan::black_box(&texts) {
            divan::black_box(manifest::write_file(source, text).expect("writes"));
        }
    });
}

/// The same through a tree (`parse_file`, then `Written::new`), as lint
/// and diff read rendered text.
#[divan::bench(args = [10, 100, 1000])]
fn parse_then_write(bencher: Bencher, size: usize) {
    let texts = rendered_texts(size);
    bencher.bench(|| {
        for (source, text) in divan::black_box(&texts) {
            let parsed = manifest::parse_file(source, text).expect("parses");
            divan::black_box(
                parsed
                    .iter()
                    .map(manifest::Written::new)
                    .collect::<Vec<_>>(),
            );
        }
    });
}
