//! Every lint rule: its id, its severity and a one-line summary. The rules
//! themselves live by subject: [`chart`] (the chart's files), [`objects`]
//! (fields, names, duplicates, selectors and links between objects),
//! [`references`] (Secrets and ConfigMaps) and [`hygiene`] (warnings about
//! how workloads run). docs/lint.md documents each id with an example.

pub mod chart;
pub mod hygiene;
pub mod objects;
pub mod references;

use super::Severity;

/// A lint rule's identity. A rule has one severity, so that `disable`
/// and `--strict` mean the same thing for every finding of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// The default hint, when the finding has nothing more specific to say.
    pub hint: &'static str,
}

const fn rule(
    id: &'static str,
    severity: Severity,
    summary: &'static str,
    hint: &'static str,
) -> Rule {
    Rule {
        id,
        severity,
        summary,
        hint,
    }
}

use Severity::{Error, Info, Warning};

// The chart's files.
pub const CHART_YAML: Rule = rule(
    "chart-yaml",
    Error,
    "Chart.yaml fields have the types Helm expects",
    "see https://helm.sh/docs/topics/charts/#the-chartyaml-file",
);
pub const CHART_UNKNOWN_FIELD: Rule = rule(
    "chart-unknown-field",
    Warning,
    "Chart.yaml has no unknown (misspelt) fields",
    "check the spelling; Chart.yaml keys are camelCase (appVersion, kubeVersion)",
);
pub const CHART_API_VERSION: Rule = rule(
    "chart-api-version",
    Error,
    "Chart.yaml apiVersion is v2",
    "set `apiVersion: v2`",
);
pub const CHART_NAME: Rule = rule(
    "chart-name",
    Error,
    "Chart.yaml has a name without path separators",
    "set `name:` to the chart's folder name, e.g. `name: my-app`",
);
pub const CHART_NAME_FORMAT: Rule = rule(
    "chart-name-format",
    Warning,
    "the chart name is lower case letters, digits and dashes",
    "chart names become part of object names: use lower case letters, digits and dashes",
);
pub const CHART_VERSION: Rule = rule(
    "chart-version",
    Error,
    "Chart.yaml version is SemVer 2",
    "use MAJOR.MINOR.PATCH, e.g. `version: 1.2.3`",
);
pub const CHART_KUBE_VERSION: Rule = rule(
    "chart-kube-version",
    Error,
    "Chart.yaml kubeVersion is a valid constraint",
    "write a constraint such as `kubeVersion: \">=1.27.0-0\"`",
);
pub const CHART_TYPE: Rule = rule(
    "chart-type",
    Error,
    "Chart.yaml type is application or library",
    "set `type: application` or `type: library`, or leave it out",
);
pub const CHART_ICON: Rule = rule(
    "chart-icon",
    Info,
    "Chart.yaml has an icon",
    "add `icon: https://...` (an SVG or PNG URL) for chart repositories to show",
);
pub const CHART_README: Rule = rule(
    "chart-readme",
    Info,
    "the chart has a README.md",
    "add a README.md saying what the chart installs and its main values",
);
pub const VALUES_YAML: Rule = rule(
    "values-yaml",
    Error,
    "values.yaml is a YAML mapping",
    "fix values.yaml; renders are skipped until it parses",
);
pub const VALUES_SCHEMA: Rule = rule(
    "values-schema",
    Error,
    "values.schema.json is valid JSON and a valid JSON Schema, and each value set satisfies it",
    "fix values.schema.json or the value; see https://json-schema.org/understanding-json-schema/",
);
pub const LINT_SETTINGS: Rule = rule(
    "lint-settings",
    Warning,
    ".skifflint.yaml names only known rules",
    "run `skiff lint --help` or see docs/lint.md for the rule ids",
);

pub const DEPENDENCIES: Rule = rule(
    "dependencies",
    Error,
    "the subcharts in charts/ load",
    "fix the subchart, or re-create charts/ with `skiff dependency build`",
);

// Renders.
pub const RENDER: Rule = rule(
    "render",
    Error,
    "the chart renders with each value set",
    "fix the template or the value set; `skiff render` shows the same error",
);

// Objects.
pub const OBJECT_FIELDS: Rule = rule(
    "object-fields",
    Error,
    "objects have apiVersion, kind and metadata.name",
    "every Kubernetes object needs apiVersion, kind and metadata.name",
);
pub const OBJECT_NAME: Rule = rule(
    "object-name",
    Error,
    "object names and namespaces are valid for their kind",
    "names are lower case letters, digits and '-' (and '.' where allowed); truncate long names, e.g. `| trunc(63) | trim_suffix(\"-\")`",
);
pub const OBJECT_DUPLICATE: Rule = rule(
    "object-duplicate",
    Error,
    "no two objects share group, kind, namespace and name",
    "give each object a distinct name, e.g. with a suffix per component",
);
pub const WORKLOAD_SELECTOR: Rule = rule(
    "workload-selector",
    Error,
    "workload selectors match their pod template labels",
    "put the selector's labels into spec.template.metadata.labels (selectors are immutable: change them with care)",
);
pub const SERVICE_SELECTOR: Rule = rule(
    "service-selector",
    Error,
    "each Service selects the pods of some workload in the chart",
    "make spec.selector a subset of a workload's pod template labels",
);
pub const SERVICE_TARGET_PORT: Rule = rule(
    "service-target-port",
    Error,
    "named targetPorts exist on the selected containers",
    "name the container port (`ports: [{name: http, containerPort: 8080}]`) or use the number",
);
pub const INGRESS_BACKEND: Rule = rule(
    "ingress-backend",
    Error,
    "Ingress backends name a Service of the chart and one of its ports",
    "point backend.service.name and port at a Service the chart renders",
);
pub const HPA_TARGET: Rule = rule(
    "hpa-target",
    Error,
    "HorizontalPodAutoscaler scaleTargetRef names an object of the chart",
    "set scaleTargetRef to the apiVersion, kind and name of the workload it scales",
);
pub const HPA_REPLICAS: Rule = rule(
    "hpa-replicas",
    Warning,
    "a workload scaled by an HPA does not set spec.replicas",
    "leave spec.replicas out when autoscaling is on, e.g. `{% if not values.autoscaling.enabled %}replicas: ...{% endif %}`; every apply would reset the HPA's choice",
);
pub const PDB_SELECTOR: Rule = rule(
    "pdb-selector",
    Error,
    "each PodDisruptionBudget selects the pods of some workload in the chart",
    "make spec.selector match a workload's pod template labels",
);
pub const SECRET_REF: Rule = rule(
    "secret-ref",
    Error,
    "referenced Secrets are created by the chart or declared external",
    "create the Secret in the chart (Secret, ExternalSecret), mark the reference `optional: true`, or declare it external: annotation `skiff.dev/external-secrets: \"name\"` on the object or `external.secrets` in .skifflint.yaml",
);
pub const CONFIGMAP_REF: Rule = rule(
    "configmap-ref",
    Error,
    "referenced ConfigMaps are created by the chart or declared external",
    "create the ConfigMap in the chart, mark the reference `optional: true`, or declare it external: annotation `skiff.dev/external-configmaps: \"name\"` on the object or `external.configMaps` in .skifflint.yaml",
);

// Hygiene.
pub const CONTAINER_RESOURCES: Rule = rule(
    "container-resources",
    Warning,
    "containers set resource requests and limits",
    "set resources.requests (cpu, memory) and resources.limits (at least memory)",
);
pub const CONTAINER_PROBES: Rule = rule(
    "container-probes",
    Warning,
    "long-running containers have readiness and liveness probes",
    "add readinessProbe and livenessProbe (httpGet, tcpSocket, grpc or exec)",
);
pub const RUN_AS_NON_ROOT: Rule = rule(
    "run-as-non-root",
    Warning,
    "containers run as a non-root user",
    "set securityContext.runAsNonRoot: true (pod or container) and a non-zero runAsUser",
);
pub const PRIVILEGE_ESCALATION: Rule = rule(
    "privilege-escalation",
    Warning,
    "containers forbid privilege escalation and are not privileged",
    "set securityContext.allowPrivilegeEscalation: false on each container",
);
pub const IMAGE_TAG: Rule = rule(
    "image-tag",
    Warning,
    "images are pinned to a tag other than latest, or a digest",
    "pin the image, e.g. `nginx:1.27.3` or `nginx@sha256:...`",
);
pub const PDB_MISSING: Rule = rule(
    "pdb-missing",
    Warning,
    "multi-replica workloads have a PodDisruptionBudget",
    "add a PodDisruptionBudget selecting the pods, e.g. `maxUnavailable: 1`",
);

/// Every rule, in the order docs/lint.md lists them.
pub const ALL: &[Rule] = &[
    CHART_YAML,
    CHART_UNKNOWN_FIELD,
    CHART_API_VERSION,
    CHART_NAME,
    CHART_NAME_FORMAT,
    CHART_VERSION,
    CHART_KUBE_VERSION,
    CHART_TYPE,
    CHART_ICON,
    CHART_README,
    VALUES_YAML,
    VALUES_SCHEMA,
    LINT_SETTINGS,
    DEPENDENCIES,
    RENDER,
    OBJECT_FIELDS,
    OBJECT_NAME,
    OBJECT_DUPLICATE,
    WORKLOAD_SELECTOR,
    SERVICE_SELECTOR,
    SERVICE_TARGET_PORT,
    INGRESS_BACKEND,
    HPA_TARGET,
    HPA_REPLICAS,
    PDB_SELECTOR,
    SECRET_REF,
    CONFIGMAP_REF,
    CONTAINER_RESOURCES,
    CONTAINER_PROBES,
    RUN_AS_NON_ROOT,
    PRIVILEGE_ESCALATION,
    IMAGE_TAG,
    PDB_MISSING,
];

pub fn find(id: &str) -> Option<&'static Rule> {
    ALL.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        for (i, r) in ALL.iter().enumerate() {
            assert!(
                r.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                r.id
            );
            assert!(ALL[..i].iter().all(|o| o.id != r.id), "duplicate {}", r.id);
        }
    }

    #[test]
    fn every_rule_is_documented() {
        let doc = include_str!("../../../docs/lint.md");
        for r in ALL {
            assert!(
                doc.contains(&format!("### `{}`", r.id)),
                "docs/lint.md lacks a section for {}",
                r.id
            );
        }
    }
}
