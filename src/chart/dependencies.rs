//! Matching Chart.yaml `dependencies` to the charts in `charts/`.
//!
//! Helm's model (`pkg/chart/v2/util/dependencies.go`): each dependency is
//! the subchart in `charts/` whose Chart.yaml `name` is the dependency's
//! `name`; with an `alias` it renders under that name instead (and the same
//! chart may be listed twice under two aliases). A chart in `charts/` that
//! no dependency names is still part of the chart, always enabled.
//!
//! Where Skiff is stricter than Helm: a dependency with no chart in
//! `charts/`, or whose chart's version does not satisfy the constraint, is
//! an error that says to run `skiff dependency build` (Helm silently
//! renders a mismatched chart under its own name).

use super::constraint::Constraint;
use super::metadata::Dependency;
use super::{Chart, ChartError};

/// A subchart as one release sees it, before conditions and tags.
#[derive(Debug, Clone, Copy)]
pub struct Resolved<'a> {
    /// The alias, else the chart name: the key of its values in the parent
    /// and the folder name in `# Source:` lines.
    pub name: &'a str,
    /// The Chart.yaml entry, or None for a chart in `charts/` that no
    /// dependency names.
    pub dependency: Option<&'a Dependency>,
    pub chart: &'a Chart,
}

/// The dependencies of `chart`, in Chart.yaml order, then unlisted charts
/// from `charts/` in path order.
pub fn resolve(chart: &Chart) -> Result<Vec<Resolved<'_>>, ChartError> {
    let chart_yaml = chart.display_path("Chart.yaml");
    let mut out: Vec<Resolved<'_>> = Vec::new();
    for dep in &chart.metadata.dependencies {
        let problem = |message: String| ChartError::Metadata {
            path: chart_yaml.clone(),
            line: None,
            message,
        };
        let candidates: Vec<&Chart> = chart
            .subcharts
            .iter()
            .filter(|sub| sub.metadata.name == dep.name)
            .collect();
        if candidates.is_empty() {
            return Err(problem(format!(
                "dependency {:?} is not in charts/\nhint: run `skiff dependency build {}` (or `skiff dependency update` to resolve new versions)",
                dep.name,
                chart.source.display()
            )));
        }
        let sub = if dep.version.trim().is_empty() {
            candidates[0]
        } else {
            let constraint = Constraint::parse(&dep.version).map_err(|e| {
                problem(format!(
                    "dependency {:?}: version {:?} is not a valid constraint: {e}",
                    dep.name, dep.version
                ))
            })?;
            candidates
                .iter()
                .copied()
                .find(|sub| sub.metadata.semver().is_some_and(|v| constraint.matches(&v)))
                .ok_or_else(|| {
                    let found: Vec<&str> = candidates
                        .iter()
                        .map(|c| c.metadata.version.as_str())
                        .collect();
                    problem(format!(
                        "dependency {:?} wants version {:?} but charts/ holds {}\nhint: run `skiff dependency update {}`",
                        dep.name,
                        dep.version,
                        found.join(", "),
                        chart.source.display()
                    ))
                })?
        };
        let name = dep.alias.as_deref().unwrap_or(&dep.name);
        if out.iter().any(|r| r.name == name) {
            return Err(problem(format!(
                "two dependencies render as {name:?}\nhint: give one of them an `alias`"
            )));
        }
        out.push(Resolved {
            name,
            dependency: Some(dep),
            chart: sub,
        });
    }
    for sub in &chart.subcharts {
        let listed = chart
            .metadata
            .dependencies
            .iter()
            .any(|d| d.name == sub.metadata.name);
        if listed {
            continue;
        }
        let name = sub.metadata.name.as_str();
        if out.iter().any(|r| r.name == name) {
            return Err(ChartError::Metadata {
                path: sub.source.clone(),
                line: None,
                message: format!(
                    "charts/ holds two charts named {name:?} (or one clashes with an alias)\nhint: remove one of them"
                ),
            });
        }
        out.push(Resolved {
            name,
            dependency: None,
            chart: sub,
        });
    }
    Ok(out)
}

/// The names a library subchart answers to in template paths: every alias
/// Chart.yaml gives it, and its own name (so a library's own files can
/// import each other as `<library>/<file>` whatever the alias). Nested
/// library dependencies of a library are reachable the same way.
pub fn libraries(chart: &Chart) -> Vec<(String, &Chart)> {
    fn add<'c>(name: &str, lib: &'c Chart, out: &mut Vec<(String, &'c Chart)>) {
        if !out.iter().any(|(n, _)| n == name) {
            out.push((name.to_string(), lib));
        }
    }
    let mut out: Vec<(String, &Chart)> = Vec::new();
    let mut queue: Vec<&Chart> = vec![chart];
    let mut seen = 0;
    while let Some(current) = queue.pop() {
        seen += 1;
        if seen > 64 {
            break; // proven bounded by MAX_SUBCHART_DEPTH; this is belt and braces
        }
        for sub in current.subcharts.iter().filter(|s| s.metadata.is_library()) {
            for dep in &current.metadata.dependencies {
                if dep.name == sub.metadata.name
                    && let Some(alias) = &dep.alias
                {
                    add(alias, sub, &mut out);
                }
            }
            add(&sub.metadata.name, sub, &mut out);
            queue.push(sub);
        }
    }
    out
}
