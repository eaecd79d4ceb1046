#!/usr/bin/env bash
# Validates a rendered manifest stream (a file, or - for stdin):
#   - core Kubernetes kinds with kubernetes-validate --strict (unknown fields
#     are errors) against KUBE_VERSION;
#   - external-secrets.io objects against the External Secrets Operator's
#     own CRD schemas, as shipped in @kubernetes-models/external-secrets;
#   - monitoring.coreos.com objects (ServiceMonitor, PodMonitor, ...) against
#     the prometheus-operator CRD schemas in @kubernetes-models/prometheus-operator;
#   - any other kind is an error (nothing to check it against).
#
# Tools are installed on first use under .cache/tools (or $SKIFF_TOOLS, as
# for scripts/install-tools.sh, whose venv this reuses): a Python venv at
# .cache/tools/venv and an npm prefix at .cache/tools/node.
#
# Exit codes: 0 valid; 1 invalid; 2 usage error; 3 a tool is missing and
# could not be installed. With CI=true a missing tool is exit 1: CI must
# never pass by skipping the check.
#
#   skiff render charts/starter -f charts/starter/ci/production.yaml \
#     | scripts/validate-manifests.sh -
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${SKIFF_TOOLS:-$ROOT/.cache/tools}"
KUBE_VERSION="${KUBE_VERSION:-1.33.0}"
KUBERNETES_VALIDATE_VERSION="1.33.1"   # ships schemas for Kubernetes up to 1.33
ESO_MODELS_VERSION="2.0.0"             # External Secrets Operator CRDs incl. external-secrets.io/v1
PROMETHEUS_OPERATOR_MODELS_VERSION="6.0.0"  # prometheus-operator CRDs (monitoring.coreos.com/v1)

die_tool() {
  echo "validate-manifests: $1" >&2
  if [[ "${CI:-}" == "true" ]]; then
    echo "validate-manifests: CI=true, so a missing tool is a failure" >&2
    exit 1
  fi
  echo "validate-manifests: SKIPPED (install the tool or fix the network, then re-run)" >&2
  exit 3
}

if [[ $# -ne 1 ]]; then
  echo "usage: $0 FILE|-" >&2
  exit 2
fi

ensure_kubernetes_validate() {
  local kv="$TOOLS/venv/bin/kubernetes-validate"
  if [[ -x "$kv" ]]; then return; fi
  command -v python3 >/dev/null || die_tool "python3 is needed to install kubernetes-validate"
  mkdir -p "$TOOLS"
  { [[ -x "$TOOLS/venv/bin/pip" ]] || python3 -m venv "$TOOLS/venv"; } >&2 \
    || die_tool "could not create the venv $TOOLS/venv"
  "$TOOLS/venv/bin/pip" install --quiet "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" >&2 \
    || die_tool "could not install kubernetes-validate==$KUBERNETES_VALIDATE_VERSION into $TOOLS/venv"
}

# ensure_models PACKAGE VERSION: an @kubernetes-models package in $TOOLS/node.
ensure_models() {
  local name="$1" version="$2"
  local pkg="$TOOLS/node/node_modules/@kubernetes-models/$name/package.json"
  if [[ -f "$pkg" ]] && grep -q "\"version\": \"$version\"" "$pkg"; then return; fi
  command -v node >/dev/null || die_tool "node is needed to validate custom resources"
  command -v npm >/dev/null || die_tool "npm is needed to install @kubernetes-models/$name"
  mkdir -p "$TOOLS/node"
  [[ -f "$TOOLS/node/package.json" ]] || echo '{"name": "skiff-tools", "private": true}' > "$TOOLS/node/package.json"
  npm install --prefix "$TOOLS/node" --no-audit --no-fund --loglevel=error --engine-strict=false \
    "@kubernetes-models/$name@$version" >&2 \
    || die_tool "could not install @kubernetes-models/$name@$version into $TOOLS/node"
}

ensure_kubernetes_validate
ensure_models external-secrets "$ESO_MODELS_VERSION"
ensure_models prometheus-operator "$PROMETHEUS_OPERATOR_MODELS_VERSION"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [[ "$1" == "-" ]]; then cat > "$work/stream.yaml"; else cp "$1" "$work/stream.yaml"; fi

# Split the stream: core kinds to core.yaml, custom resources that have
# published models (ESO, prometheus-operator) to crds.json.
"$TOOLS/venv/bin/python" - "$work" <<'PY'
import json, sys, yaml
work = sys.argv[1]
CRD_GROUPS = ("external-secrets.io/", "monitoring.coreos.com/")
core, crds = [], []
with open(f"{work}/stream.yaml") as f:
    for doc in yaml.safe_load_all(f):
        if doc is None:
            continue
        if str(doc.get("apiVersion", "")).startswith(CRD_GROUPS):
            crds.append(doc)
        else:
            core.append(doc)
with open(f"{work}/core.yaml", "w") as f:
    yaml.safe_dump_all(core, f, sort_keys=False)
with open(f"{work}/crds.json", "w") as f:
    json.dump(crds, f)
print(f"validate-manifests: {len(core)} core object(s), {len(crds)} custom resource(s)", file=sys.stderr)
PY

status=0
if [[ -s "$work/core.yaml" ]]; then
  if ! "$TOOLS/venv/bin/kubernetes-validate" --strict --quiet -k "$KUBE_VERSION" "$work/core.yaml" > "$work/kv.out" 2>&1; then
    status=1
  fi
  # A kind without a schema is only a warning to kubernetes-validate; here
  # it is an error, since nothing checked the object.
  if grep -q "Couldn't find schema" "$work/kv.out"; then status=1; fi
  sed "s#$work/core.yaml#manifest#" "$work/kv.out" >&2
fi

node "$ROOT/scripts/validate-crd-models.mjs" "$TOOLS/node" "$work/crds.json" || status=1

if [[ $status -eq 0 ]]; then echo "validate-manifests: all objects valid" >&2; fi
exit $status
