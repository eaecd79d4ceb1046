#!/usr/bin/env bash
# Times Skiff against real Helm on the same objects and writes the results
# into docs/performance.md (between the bench:begin/bench:end markers, so a
# rerun replaces them). See docs/performance.md.
#
#   bench/run.sh            # all cases, BENCH_RUNS (default 10) runs of each side
#   BENCH_RUNS=20 bench/run.sh
#
# Cases: `skiff render` vs `helm template` on charts/starter (twin:
# bench/helm-starter) and on the generated charts of bench/gen.py at 1, 10,
# 100 and 1000 templates, and at 100 templates with more data per template
# (the output-size curve); `skiff package` (with and without its lint step)
# vs `helm package` and `skiff lint` vs `helm lint` on the starter and the
# 1000-template chart. Wall time is the median of the runs, taken in
# BENCH_ROUNDS alternating rounds of Skiff and Helm (each round after
# BENCH_WARMUP warm-ups of both);
# peak RSS is the median of 3 runs under /usr/bin/time -v.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
RUNS="${BENCH_RUNS:-10}"
ROUNDS="${BENCH_ROUNDS:-5}"
# Three warm-ups: the first Skiff runs after a Helm run take ~0.9 ms more
# on the starter (Helm's ~50 MB evicts Skiff from the caches), and one
# warm-up did not absorb it (measured: 5.9, 5.1, 5.0, 5.0 ms in a row).
WARMUP="${BENCH_WARMUP:-3}"
SIZES=(1 10 100 1000)
# The output-size curve: the 100-template chart with this many more
# ConfigMap entries per component (bench/gen.py --data), so the output grows
# (0.25 → 0.6 → 1.7 MiB) while the templates stay the same.
DATA_SIZES=(128 512)
OUT="$REPO/.cache/bench"
DOC="$REPO/docs/performance.md"

die() {
	echo "bench/run.sh: $*" >&2
	exit 1
}

# shellcheck source=SCRIPTDIR/../scripts/tools-env.sh
source "$REPO/scripts/tools-env.sh"
command -v helm >/dev/null || die "helm not found: run scripts/install-tools.sh --bench"
command -v hyperfine >/dev/null || die "hyperfine not found: run scripts/install-tools.sh --bench"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found: run scripts/install-tools.sh --bench"

cargo build --release --quiet
SKIFF="$REPO/target/release/skiff"
python3 bench/gen.py --out "$OUT" "${SIZES[@]}" >/dev/null
for k in "${DATA_SIZES[@]}"; do
	python3 bench/gen.py --out "$OUT" --data "$k" 100 >/dev/null
done

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
KUBE_VERSION=1.33.0

# Median wall times of two commands in milliseconds ("ours theirs"), timed
# in alternating rounds (BENCH_ROUNDS, default 5: a share of the runs of
# one, then of the other, and again) so a slow spell of the machine falls
# on both sides; each round warms both up first.
median_pair_ms() {
	local json="$WORK/h.json" per_round=$(((RUNS + ROUNDS - 1) / ROUNDS)) round
	: >"$WORK/times"
	for ((round = 0; round < ROUNDS; round++)); do
		# shellcheck disable=SC2086 # HYPERFINE_EXTRA is empty or one flag
		hyperfine --shell=none --style=none --warmup "$WARMUP" --runs "$per_round" ${HYPERFINE_EXTRA:-} \
			--export-json "$json" "$1" "$2" >/dev/null 2>&1 || die "hyperfine failed on: $1 / $2"
		python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(" ".join(",".join(map(str, x["times"])) for x in r))' \
			"$json" >>"$WORK/times"
	done
	python3 - "$WORK/times" <<'PY'
import statistics, sys
ours, theirs = [], []
for line in open(sys.argv[1]):
    a, b = line.split()
    ours += map(float, a.split(","))
    theirs += map(float, b.split(","))
print("%.1f %.1f" % (statistics.median(ours) * 1000, statistics.median(theirs) * 1000))
PY
}

# Median peak RSS of 3 runs in MiB.
peak_rss_mib() {
	local kb=()
	for _ in 1 2 3; do
		# shellcheck disable=SC2086 # the command is a word list on purpose
		kb+=("$(/usr/bin/time -v $1 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}')")
	done
	python3 -c 'import statistics,sys; print("%.1f" % (statistics.median(map(int, sys.argv[1:]))/1024))' "${kb[@]}"
}

ROWS=()
# case name, skiff command, helm command, note
measure() {
	local name="$1" ours="$2" theirs="$3" note="${4:-}"
	echo "bench/run.sh: $name" >&2
	local s_ms h_ms s_rss h_rss
	read -r s_ms h_ms < <(median_pair_ms "$ours" "$theirs")
	s_rss="$(peak_rss_mib "$ours")"
	h_rss="$(peak_rss_mib "$theirs")"
	ROWS+=("$(python3 - "$name" "$s_ms" "$h_ms" "$s_rss" "$h_rss" "$note" <<'PY'
import sys
name, s_ms, h_ms, s_rss, h_rss, note = sys.argv[1:]
s_ms, h_ms, s_rss, h_rss = map(float, (s_ms, h_ms, s_rss, h_rss))
speedup = h_ms / s_ms
speedup = f"{speedup:.1f}" if speedup >= 1 else f"{speedup:.2f}"
print(f"| {name} | {s_ms:.1f} | {h_ms:.1f} | **{speedup}x** | {s_rss:.1f} | {h_rss:.1f} | {s_rss / h_rss:.2f} | {note} |")
PY
)")
}

output_note() {
	"$SKIFF" render bench "$1" >"$WORK/out.yaml"
	local bytes objects
	bytes="$(wc -c <"$WORK/out.yaml")"
	objects="$(grep -c '^---$' "$WORK/out.yaml" || true)"
	echo "$objects objects, $((bytes / 1024)) KiB"
}

STARTER="charts/starter"

# render
measure "render starter" "$SKIFF render starter $STARTER" \
	"helm template starter bench/helm-starter --kube-version $KUBE_VERSION" "$(output_note "$STARTER")"
for n in "${SIZES[@]}"; do
	measure "render $n templates" "$SKIFF render bench $OUT/skiff-$n" \
		"helm template bench $OUT/helm-$n --kube-version $KUBE_VERSION" "$(output_note "$OUT/skiff-$n")"
done
for k in "${DATA_SIZES[@]}"; do
	measure "render 100 templates, $k more data entries each" "$SKIFF render bench $OUT/skiff-100-data$k" \
		"helm template bench $OUT/helm-100-data$k --kube-version $KUBE_VERSION" "$(output_note "$OUT/skiff-100-data$k")"
done

# package (each side writes into its own scratch folder). `skiff package`
# lints first (renders every value set); `helm package` never lints, which
# is what `skiff package --skip-lint` does.
mkdir -p "$WORK/skiff-pkg" "$WORK/helm-pkg"
for chart in "$STARTER" "$OUT/skiff-1000"; do
	if [[ "$chart" == "$STARTER" ]]; then
		name="starter" twin="bench/helm-starter"
	else
		name="1000 templates" twin="$OUT/helm-1000"
	fi
	measure "package $name (lints first)" "$SKIFF package $chart -d $WORK/skiff-pkg" \
		"helm package $twin -d $WORK/helm-pkg"
	measure "package $name --skip-lint" "$SKIFF package $chart -d $WORK/skiff-pkg --skip-lint" \
		"helm package $twin -d $WORK/helm-pkg"
done

# lint (exit 1 means findings, which is a lint result, not a failure)
HYPERFINE_EXTRA=--ignore-failure
measure "lint starter" "$SKIFF lint $STARTER" "helm lint bench/helm-starter --kube-version $KUBE_VERSION"
measure "lint 1000 templates" "$SKIFF lint $OUT/skiff-1000" "helm lint $OUT/helm-1000 --kube-version $KUBE_VERSION"

TABLE="$WORK/table.md"
{
	echo "<!-- bench:begin (written by bench/run.sh; do not edit by hand) -->"
	echo
	echo "Measured $(date -u +%Y-%m-%d) on $(nproc) CPU(s), $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//');"
	echo "$("$SKIFF" --version), $(helm version --short); $((ROUNDS * ((RUNS + ROUNDS - 1) / ROUNDS))) runs of each side in $ROUNDS alternating rounds, each round after $WARMUP warm-up run(s) (hyperfine $(hyperfine --version | cut -d' ' -f2))."
	echo
	echo "| Case | Skiff median (ms) | Helm median (ms) | Speed-up | Skiff peak RSS (MiB) | Helm peak RSS (MiB) | RSS ratio | Output |"
	echo "|---|---:|---:|---:|---:|---:|---:|---|"
	printf '%s\n' "${ROWS[@]}"
	echo
	echo "<!-- bench:end -->"
} >"$TABLE"

[[ -f "$DOC" ]] || die "$DOC is missing"
python3 - "$DOC" "$TABLE" <<'PY'
import re, sys
doc, table = sys.argv[1], open(sys.argv[2]).read()
text = open(doc).read()
pattern = re.compile(r"<!-- bench:begin.*?<!-- bench:end -->\n?", re.S)
if not pattern.search(text):
    sys.exit(f"{doc}: no <!-- bench:begin --> ... <!-- bench:end --> markers")
open(doc, "w").write(pattern.sub(lambda _: table, text, count=1))
PY
cat "$TABLE"
