//! `cargo bench --bench diff`: diffing two renders of 1,000 objects each.
//! The new side bumps one image in ten, inserts an env var in one
//! Deployment in five, drops ten ConfigMaps and adds ten.

use skiff::diff::{DiffOptions, diff};
use skiff::manifest::{Manifest, parse_file};

/// The allocator the `skiff` binary uses (src/main.rs), so these numbers
/// match what users run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

const OBJECTS: usize = 1_000;

/// A stream of `OBJECTS` objects: Deployments, Services and ConfigMaps in turn.
fn stream(new: bool) -> Vec<Manifest> {
    let mut text = String::new();
    for i in 0..OBJECTS {
        match i % 3 {
            0 => {
                let tag = if new && i % 10 == 0 { "1.1" } else { "1.0" };
                let extra = if new && i % 5 == 0 { "            - {name: EXTRA, value: \"1\"}\n" } else { "" };
                text.push_str(&format!(
                    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  labels: {{app: app-{i}, helm.sh/chart: bench-1.0.0}}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {{app: app-{i}}}\n  template:\n    metadata:\n      labels: {{app: app-{i}}}\n    spec:\n      containers:\n        - name: api\n          image: registry.example.com/app-{i}:{tag}\n          env:\n            - {{name: A, value: \"1\"}}\n{extra}            - {{name: B, value: \"2\"}}\n            - {{name: C, value: \"3\"}}\n          ports:\n            - {{name: http, containerPort: 8080}}\n        - name: sidecar\n          image: registry.example.com/proxy:2.0\n"
                ));
            }
            1 => text.push_str(&format!(
                "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: app-{i}\nspec:\n  selector: {{app: app-{i}}}\n  ports:\n    - {{name: http, port: 80, targetPort: http}}\n"
            )),
            _ => {
                let name = if new && i < 30 { format!("config-new-{i}") } else { format!("config-{i}") };
                text.push_str(&format!(
                    "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  mode: production\n  level: info\n"
                ));
            }
        }
    }
    parse_file("bench.yaml", &text).unwrap_or_default()
}

#[divan::bench]
fn diff_1000_objects(bencher: divan::Bencher) {
    let old = stream(false);
    let new = stream(true);
    assert_eq!((old.len(), new.len()), (OBJECTS, OBJECTS));
    let opts = DiffOptions::default();
    bencher.bench(|| diff(divan::black_box(&old), divan::black_box(&new), &opts));
}
