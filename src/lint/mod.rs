//! `skiff lint`: checks a chart and its renders, returning findings as data.
//!
//! What is checked, in order (every rule id is listed in [`rules::ALL`] and
//! documented in docs/lint.md):
//! 1. the chart's own files: Chart.yaml (read leniently so that every field
//!    problem is reported at once), values.yaml, values.schema.json, README;
//! 2. one render per *value set*: the chart defaults, then each `ci/*.yaml`
//!    layered over them; the user's value flags apply on top of every set;
//! 3. the rendered objects of each value set: required fields, names,
//!    duplicates, selectors and references, and hygiene warnings.
//!
//! A chart that cannot be linted at all (no chart there, Chart.yaml missing
//! or not YAML, a broken `.skifflint.yaml`, unreadable value flags) is an
//! [`Error`] (exit 2); everything else is a [`Finding`]. Like Helm's
//! `lint/support.Message`, findings carry no formatting: [`report`] prints them.

mod index;
mod names;
pub mod report;
pub mod rules;
pub mod settings;
mod workload;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::chart::{self, Chart};
use crate::error::{EXIT_FINDINGS, Error, Result};
use crate::manifest::{self, Manifest};
use crate::release::{self, RenderOptions};
use crate::threads;
use crate::values::schema::SchemaError;
use crate::values::{self, Layer, Origin, ValuesError};

pub use self::rules::Rule;
pub use self::settings::Settings;

/// How bad a finding is. Errors fail `skiff lint`; warnings fail it with
/// `--strict`; info never does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One problem found by one rule. The json output serialises exactly these
/// fields (docs/lint.md "JSON output"); keep the shape stable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// The rule id (`chart-version`, `service-selector`, ...).
    pub rule: &'static str,
    /// `defaults` or `ci/<file>.yaml`; `None` for checks of the chart's files.
    pub value_set: Option<String>,
    /// The chart file concerned, relative to the chart root
    /// (`Chart.yaml`, `templates/deployment.yaml`, `ci/prod.yaml`).
    pub location: String,
    /// `Kind/name` of the rendered object concerned, if any.
    pub object: Option<String>,
    pub message: String,
    pub hint: String,
}

/// The name of the value set made of the chart's defaults (plus user flags).
pub const DEFAULTS: &str = "defaults";

/// Everything `skiff lint` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub chart: String,
    /// The value sets rendered, in order: `defaults`, then `ci/*.yaml`.
    pub value_sets: Vec<String>,
    pub findings: Vec<Finding>,
}

/// Counts per severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub info: usize,
}

impl Report {
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for f in &self.findings {
            match f.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.info += 1,
            }
        }
        s
    }

    /// 1 when there is an error (or, with `strict`, a warning), else 0.
    pub fn exit_code(&self, strict: bool) -> i32 {
        let s = self.summary();
        if s.errors > 0 || (strict && s.warnings > 0) {
            EXIT_FINDINGS
        } else {
            0
        }
    }
}

/// Lints the chart at `path`. `opts` carries the user's value flags, the
/// release name and namespace, and the target cluster's capabilities; it
/// is applied to every value set.
pub fn run_lint(path: &Path, opts: &RenderOptions) -> Result<Report> {
    let (source, files) = chart::load_chart_files(path)?;
    lint_files(path, source, files, opts)
}

/// Lints a chart already in memory (`skiff package` lints the chart as it
/// will be archived). `path` is where it was loaded from, for settings.
pub fn lint_files(
    path: &Path,
    source: PathBuf,
    files: std::collections::BTreeMap<String, Vec<u8>>,
    opts: &RenderOptions,
) -> Result<Report> {
    let settings = Settings::load(path, &source, &files)?;
    let mut sink = Sink::new(&settings, None, "");
    let metadata = rules::chart::check_chart_yaml(&source, &files, &mut sink)?;
    let values_ok = rules::chart::check_values(&files, &mut sink);
    rules::chart::check_files(&files, &mut sink);
    rules::chart::check_settings(&settings, &mut sink);
    let mut findings = sink.findings;

    // The value flags are read once (stdin can be read only once); a flag
    // that cannot be read is the user's error, not the chart's.
    let user = opts.values.layers()?;

    let mut value_sets = vec![DEFAULTS.to_string()];
    value_sets.extend(files.keys().filter(|k| is_ci_values(k)).cloned());
    let chart_name = metadata
        .as_ref()
        .map_or_else(String::new, |m| m.name.clone());
    let renderable = metadata.filter(|m| !m.is_library()).filter(|_| values_ok);
    if let Some(metadata) = renderable {
        // A broken subchart is the chart's problem, reported as a finding;
        // without its subcharts the chart cannot render, so renders stop.
        let chart = match Chart::with_metadata(source.clone(), metadata, files) {
            Ok(chart) => chart,
            Err(e) => {
                let mut sink = Sink::new(&settings, None, &chart_name);
                let (message, hint) = match e.to_string().split_once("\nhint: ") {
                    Some((m, h)) => (m.to_string(), h.to_string()),
                    None => (e.to_string(), rules::DEPENDENCIES.hint.to_string()),
                };
                sink.file(&rules::DEPENDENCIES, "charts/", message, hint);
                findings.extend(sink.findings);
                return Ok(Report {
                    chart: chart_name,
                    value_sets,
                    findings,
                });
            }
        };
        // One engine and schema for every value set (templates compiled
        // once, unless there is a single set); a chart whose engine cannot
        // be built reports that error once per set, as before.
        let renderer = release::Renderer::new(&chart, opts.limits)
            .ok()
            .map(|r| if value_sets.len() == 1 { r.once() } else { r });
        let lint_set = |set: &String| {
            // A ci/ file is read from the chart (folder or archive) and sits
            // below the user's layers, as if given first with -f.
            let layers = if set == DEFAULTS {
                Ok(user.clone())
            } else {
                ci_layer(&chart, set)
                    .map(|ci| std::iter::once(ci).chain(user.iter().cloned()).collect())
            };
            lint_value_set(&chart, renderer.as_ref(), opts, set, layers, &settings)
        };
        // The defaults go first, alone: their render compiles the schema
        // and the templates the other sets reuse. When each render keeps
        // to one thread (a small chart), the other sets share the cores;
        // their findings still come in set order.
        let (defaults, ci_sets) = value_sets.split_at(1);
        findings.extend(defaults.iter().flat_map(lint_set));
        let threads = match &renderer {
            Some(renderer) if renderer.renders_on_one_thread() => {
                threads::for_items(ci_sets.len(), 1)
            }
            _ => 1,
        };
        let slots =
            threads::run_indexed(ci_sets.len(), threads, || false, |i| lint_set(&ci_sets[i]));
        for (set, slot) in ci_sets.iter().zip(slots) {
            findings.extend(slot.unwrap_or_else(|| lint_set(set)));
        }
    }
    Ok(Report {
        chart: chart_name,
        value_sets,
        findings,
    })
}

/// `ci/<name>.yaml` (or `.yml`) directly under ci/, as chart-testing reads them.
fn is_ci_values(path: &str) -> bool {
    path.strip_prefix("ci/").is_some_and(|name| {
        !name.contains('/') && (name.ends_with(".yaml") || name.ends_with(".yml"))
    })
}

/// A `ci/*.yaml` value set as a values layer, named by its path in the chart.
fn ci_layer(chart: &Chart, set: &str) -> Result<Layer> {
    let path = chart.display_path(set);
    let text = chart.text(set)?.unwrap_or_default();
    let values = values::parse_values(text, &path)?;
    Ok(Layer::new(
        Origin::File(path),
        values,
        Some(text.to_string()),
    ))
}

/// Renders one value set and checks its objects; a failed render is one
/// `render` finding.
fn lint_value_set(
    chart: &Chart,
    renderer: Option<&release::Renderer<'_>>,
    opts: &RenderOptions,
    set: &str,
    layers: Result<Vec<Layer>>,
    settings: &Settings,
) -> Vec<Finding> {
    let location = if set == DEFAULTS { "values.yaml" } else { set };
    let rendered = match (renderer, layers) {
        (_, Err(err)) => Err(err),
        (Some(renderer), Ok(layers)) => renderer.render_layers(opts, layers),
        // The engine cannot be built: this reports why.
        (None, Ok(_)) => release::render(chart, opts),
    };
    let mut sink = Sink::new(settings, Some(set), chart.name());
    match rendered {
        Ok(rendered) => {
            let objects = Objects::new(&opts.namespace, &rendered.objects);
            check_objects(&objects, settings, &mut sink);
            drop(objects);
            free_aside(rendered);
        }
        Err(Error::Values(ValuesError::Schema(SchemaError::Violations { violations, .. }))) => {
            for violation in violations {
                let hint = violation
                    .hint
                    .clone()
                    .unwrap_or_else(|| rules::VALUES_SCHEMA.hint.to_string());
                let message = violation.to_string();
                let message = message
                    .split("\n    hint: ")
                    .next()
                    .unwrap_or_default()
                    .to_string();
                sink.file(&rules::VALUES_SCHEMA, location, message, hint);
            }
        }
        Err(err) => {
            let message = err.to_string();
            let (message, hint) = match message.split_once("\nhint: ") {
                Some((m, h)) => (m.to_string(), h.to_string()),
                None => (message, rules::RENDER.hint.to_string()),
            };
            sink.file(&rules::RENDER, location, message, hint);
        }
    }
    sink.findings
}

/// Runs the rules about rendered objects. For a large render the
/// references and hygiene rules run on a second thread (into a sink of
/// their own) while the object rules run here; their findings follow in
/// the same order as on one thread.
fn check_objects(objects: &Objects<'_>, settings: &Settings, sink: &mut Sink<'_>) {
    let others = |sink: &mut Sink<'_>| {
        rules::references::check(objects, settings, sink);
        rules::hygiene::check(objects, sink);
    };
    if objects.manifests.len() < PARALLEL_RULES_OBJECTS || threads::for_items(2, 1) < 2 {
        rules::objects::check(objects, sink);
        others(sink);
        return;
    }
    std::thread::scope(|scope| {
        let mut theirs = sink.sibling();
        let aside = threads::spawn(scope, "lint", move || {
            others(&mut theirs);
            theirs.findings
        });
        rules::objects::check(objects, sink);
        match aside {
            Ok(handle) => sink.findings.extend(
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            ),
            Err(_) => others(sink),
        }
    });
}

/// Objects a render must have for [`check_objects`] to run the rules on
/// two threads: below this the rules take less than a thread's start.
const PARALLEL_RULES_OBJECTS: usize = 256;

/// Objects a value set's render must have for [`free_aside`] to free them
/// on another thread.
const FREE_ASIDE_OBJECTS: usize = 256;

/// Frees a value set's rendered objects. A large chart's parsed trees take
/// milliseconds to free, which the next value set, the report and the
/// process exit need not wait for: they are freed on another thread.
fn free_aside(rendered: release::Rendered) {
    if rendered.objects.len() >= FREE_ASIDE_OBJECTS {
        // A thread that cannot start hands the objects back to be freed here.
        let _ = std::thread::Builder::new().spawn(move || drop(rendered));
    }
}

/// The rendered objects of one value set, with the release namespace that
/// objects without `metadata.namespace` land in, and their [`index::Index`].
pub(crate) struct Objects<'a> {
    pub manifests: &'a [Manifest],
    pub namespace: &'a str,
    pub index: index::Index<'a>,
}

impl<'a> Objects<'a> {
    fn new(namespace: &'a str, manifests: &'a [Manifest]) -> Objects<'a> {
        let index = index::Index::new(manifests, |m| namespace_of(namespace, m));
        Objects {
            manifests,
            namespace,
            index,
        }
    }

    /// The namespace an object lands in (cluster-scoped objects: "").
    pub fn namespace_of<'m>(&self, m: &'m Manifest) -> &'m str
    where
        'a: 'm,
    {
        namespace_of(self.namespace, m)
    }
}

fn namespace_of<'m>(release_namespace: &'m str, m: &'m Manifest) -> &'m str {
    if manifest::is_cluster_scoped(m.kind()) {
        ""
    } else {
        m.namespace().unwrap_or(release_namespace)
    }
}

/// `Kind/name` as findings show an object.
pub(crate) fn object_label(m: &Manifest) -> String {
    let name = match m.name() {
        "" => m
            .value
            .get("metadata")
            .and_then(|md| md.get("generateName"))
            .and_then(serde_yaml::Value::as_str)
            .map_or_else(|| "<unnamed>".to_string(), |g| format!("{g}*")),
        name => name.to_string(),
    };
    let kind = if m.kind().is_empty() {
        "<no kind>"
    } else {
        m.kind()
    };
    format!("{kind}/{name}")
}

/// The annotation naming rules to skip for one object.
pub const DISABLE_ANNOTATION: &str = "skiff.dev/lint-disable";
/// The annotation listing Secrets that exist outside the chart.
pub const EXTERNAL_SECRETS_ANNOTATION: &str = "skiff.dev/external-secrets";
/// The annotation listing ConfigMaps that exist outside the chart.
pub const EXTERNAL_CONFIGMAPS_ANNOTATION: &str = "skiff.dev/external-configmaps";

/// A comma-separated annotation of an object, as a list of trimmed names.
pub(crate) fn annotation_list<'m>(m: &'m Manifest, key: &str) -> Vec<&'m str> {
    m.value
        .get("metadata")
        .and_then(|md| md.get("annotations"))
        .and_then(|a| a.get(key))
        .and_then(serde_yaml::Value::as_str)
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Where rules put their findings. It drops the findings of rules the
/// settings file or the object's annotation disable, so rules never check.
pub(crate) struct Sink<'a> {
    settings: &'a Settings,
    value_set: Option<String>,
    chart_prefix: String,
    pub findings: Vec<Finding>,
}

impl<'a> Sink<'a> {
    pub fn new(settings: &'a Settings, value_set: Option<&str>, chart_name: &str) -> Sink<'a> {
        Sink {
            settings,
            value_set: value_set.map(str::to_string),
            chart_prefix: format!("{chart_name}/"),
            findings: Vec::new(),
        }
    }

    /// An empty sink for the same value set and settings.
    fn sibling(&self) -> Sink<'a> {
        Sink {
            settings: self.settings,
            value_set: self.value_set.clone(),
            chart_prefix: self.chart_prefix.clone(),
            findings: Vec::new(),
        }
    }

    /// A finding about a chart file.
    pub fn file(&mut self, rule: &Rule, location: &str, message: String, hint: String) {
        if self.settings.disables(rule.id) {
            return;
        }
        self.findings.push(Finding {
            severity: rule.severity,
            rule: rule.id,
            value_set: self.value_set.clone(),
            location: location.to_string(),
            object: None,
            message,
            hint,
        });
    }

    /// A finding about a rendered object.
    pub fn object(&mut self, rule: &Rule, m: &Manifest, message: String, hint: impl Into<String>) {
        if self.settings.disables(rule.id)
            || annotation_list(m, DISABLE_ANNOTATION).contains(&rule.id)
        {
            return;
        }
        let location = m
            .source
            .strip_prefix(&self.chart_prefix)
            .unwrap_or(&m.source)
            .to_string();
        self.findings.push(Finding {
            severity: rule.severity,
            rule: rule.id,
            value_set: self.value_set.clone(),
            location,
            object: Some(object_label(m)),
            message,
            hint: hint.into(),
        });
    }
}

/// Findings grouped for printing: the chart's own first, then each value
/// set in order; errors before warnings before info within a group.
pub fn grouped(report: &Report) -> Vec<(Option<&str>, Vec<&Finding>)> {
    let mut groups: BTreeMap<usize, (Option<&str>, Vec<&Finding>)> = BTreeMap::new();
    for f in &report.findings {
        let index = match &f.value_set {
            None => 0,
            Some(set) => report
                .value_sets
                .iter()
                .position(|s| s == set)
                .map_or(usize::MAX, |i| i + 1),
        };
        groups
            .entry(index)
            .or_insert_with(|| (f.value_set.as_deref(), Vec::new()))
            .1
            .push(f);
    }
    groups
        .into_values()
        .map(|(set, mut list)| {
            list.sort_by_key(|f| f.severity);
            (set, list)
        })
        .collect()
}
