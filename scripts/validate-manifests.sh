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
# The tools come from scripts/install-tools.sh (scripts/test.sh runs it):
# kubernetes-validate in .cache/tools/venv and the model packages in
# .cache/tools/node (or under $SKIFF_TOOLS).
#
# Exit codes: 0 valid; 1 invalid; 2 usage error; 3 a tool is missing and
# is not installed. With CI=true a missing tool is exit 1: CI must
# never pass by skipping the check.
#
#   skiff render charts/starter -f charts/starter/ci/production.yaml \
#     | scripts/validate-manifests.sh -
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${SKIFF_TOOLS:-$ROOT/.cache/tools}"
KUBE_VERSION="${KUBE_VERSION:-1.33.0}"

die_tool() {
  echo "validate-manifests: $1" >&2
  if [[ "${CI:-}" == "true" ]]; then
    echo "validate-manifests: CI=true, so a missing tool is a failure" >&2
    exit 1
  fi
  echo "validate-manifests: SKIPPED (run scripts/install-tools.sh, then re-run)" >&2
  exit 3
}

if [[ $# -ne 1 ]]; then
  echo "usage: $0 FILE|-" >&2
  exit 2
fi

[[ -x "$TOOLS/venv/bin/kubernetes-validate" ]] ||
  die_tool "kubernetes-validate is not in $TOOLS/venv: run scripts/install-tools.sh"
for name in external-secrets prometheus-operator; do
  [[ -f "$TOOLS/node/node_modules/@kubernetes-models/$name/package.json" ]] ||
    die_tool "@kubernetes-models/$name is not in $TOOLS/node: run scripts/install-tools.sh"
done

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
