#!/usr/bin/env bash
# Records how real Helm parses --set, --set-string, --set-json, --set-file and --set-literal
# arguments, for tests/strvals_parity.rs to hold Skiff's parser to.
#
# For each case below it runs `helm template` on a throwaway chart whose only
# template prints the final values as base64-encoded JSON (base64 keeps any
# value from upsetting Helm's own YAML parsing of the rendered document), with
# an empty values.yaml so Helm's coalescing changes nothing. Each case is one
# flag repeated once per argument, applied in order; a case's "files" are
# written into the working directory first (for --set-file).
#
# Output: tests/fixtures/strvals/helm_cases.json, a JSON array of
#   {"flag", "args", ["files"], "helm": <values> or null, "error": bool, ["message"]}
#
# Usage: scripts/install-tools.sh && scripts/record-strvals.sh
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${SKIFF_TOOLS:-$REPO_ROOT/.cache/tools}"
HELM="${HELM:-$TOOLS/bin/helm}"
OUT="$REPO_ROOT/tests/fixtures/strvals/helm_cases.json"

[[ -x "$HELM" ]] || {
	echo "record-strvals.sh: no helm at $HELM; run scripts/install-tools.sh first" >&2
	exit 1
}

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/chart/templates" "$(dirname "$OUT")"
printf 'apiVersion: v2\nname: strvals\nversion: 0.1.0\n' >"$WORK/chart/Chart.yaml"
: >"$WORK/chart/values.yaml"
printf 'values: {{ .Values | toJson | b64enc }}\n' >"$WORK/chart/templates/values.yaml"

HELM="$HELM" WORK="$WORK" OUT="$OUT" python3 - <<'PY'
import base64, json, os, shutil, subprocess

helm, work, out = os.environ["HELM"], os.environ["WORK"], os.environ["OUT"]

S, STR, J, F, L = "--set", "--set-string", "--set-json", "--set-file", "--set-literal"
deep30 = ".".join(f"k{i}" for i in range(31)) + "=1"  # 30 dots: Helm's limit
deep31 = ".".join(f"k{i}" for i in range(32)) + "=1"  # 31 dots: one too many

# (flag, [args...]) or (flag, [args...], {file: contents})
CASES = [
    # --set: paths
    (S, ["a=1"]),
    (S, ["a.b=1"]),
    (S, ["a.b.c=d,a.b.e=f,x=y"]),
    (S, ["a.b=1", "a.c=2"]),
    (S, ["a.b=1", "a=2"]),
    (S, ["a=1", "a=2"]),
    (S, [r"a\.b=c"]),
    (S, [r"a\.b.c=d"]),
    (S, ["a b=c"]),
    (S, ["ключ.клé=значение,emoji🚀=🎉"]),
    (S, [deep30]),
    (S, [deep31]),
    (S, [""]),
    (S, ["=1"]),
    (S, [".a=1"]),
    (S, ["a.b=1,a.=2"]),
    (S, ["a]=1"]),
    # --set: values and typing
    (S, ["i=42,neg=-3,zero=0,mzero=-0,plus=+5"]),
    (S, ["lead=007,mlead=-007,plead=+007,dzero=00"]),
    (S, ["f=1.5,e=1e3,E=1E3,h=0x1F,u=1_000,inf=Inf,nan=NaN"]),
    (S, ["max=9223372036854775807,min=-9223372036854775808"]),
    (S, ["over=9223372036854775808,under=-9223372036854775809"]),
    (S, ["big=12345678901234567890"]),
    (S, ["t=true,T=TRUE,Tr=True,f=false,F=FALSE"]),
    (S, ["n=null,N=NULL,Nu=Null,tilde=~"]),
    (S, ["y=yes,n=no,on=on,off=off"]),
    (S, ["f=fal\u017fe,k=\u212aey"]),
    (S, ["emp="]),
    (S, ["emp=,b=1"]),
    (S, ["a=1,"]),
    (S, [r"n=v\,w"]),
    (S, [r"a=x\\y"]),
    (S, ["a=x\\"]),
    (S, [r"a=\true"]),
    (S, ["a==1"]),
    (S, ["a=b=c"]),
    (S, ["a= b ,c=d "]),
    (S, ["a=x{y}"]),
    (S, ["a=x[0].y"]),
    (S, ["a=héllo wörld"]),
    (S, ["a=null", "a=1"]),
    # --set: {a,b} lists
    (S, ["l={a,b}"]),
    (S, ["l={1,true,null,1.5,}"]),
    (S, ["l={}"]),
    (S, ["l={a,b},c=d"]),
    (S, [r"l={a\,b,c\}}"]),
    (S, ["l={a,{b}}"]),
    (S, ["l={a,b"]),
    (S, ["l={a,b}x"]),
    (S, ["l={a,b}", "l={c}"]),
    # --set: list indexes
    (S, ["l[0]=a"]),
    (S, ["l[2]=x"]),
    (S, ["l[0]=a,l[1]=b"]),
    (S, ["l[1]=b,l[0]=a"]),
    (S, ["l[0]=a", "l[3]=d"]),
    (S, ["l[+1]=x"]),
    (S, ["l[007]=x"]),
    (S, ["l[0]=,b=1"]),
    (S, ["l[0]="]),
    (S, ["l[0]={x,y}"]),
    (S, ["l[0]=1,l[0]=2"]),
    (S, ["a[0].b=1"]),
    (S, ["a[0].b=1,a[0].c=2"]),
    (S, ["a[1].b=1,a[0]=x"]),
    (S, ["a[0]=1,a[0].b=2"]),
    (S, ["a[0].b.c[1].d=e"]),
    (S, ["a[0][1]=x"]),
    (S, ["a[0][0][0]=1"]),
    (S, ["a[0][0]=1", "a[0][1]=2"]),
    (S, ["a[0]=null,a[0][0]=1"]),
    (S, ["a.b[1]=x"]),
    (S, ["a" + "[0]" * 40 + "=deep"]),
    (S, ["a[0].b[0].c[0].d=1"]),
    (S, ["a[3].b=1"]),
    (S, ["l[0]"]),
    (S, ["l[0"]),
    (S, ["l["]),
    (S, ["a[0]."]),
    (S, ["a[0][1]"]),
    # --set: errors
    (S, ["a"]),
    (S, ["a.b"]),
    (S, ["a.="]),
    (S, ["a.=1"]),
    (S, ["a,b=1"]),
    (S, ["a=1,,b=2"]),
    (S, ["a[x]=1"]),
    (S, ["a[]=1"]),
    (S, ["a[-1]=1"]),
    (S, ["a[0][-1]=1"]),
    (S, ["a[ 1]=1"]),
    (S, ["a[65537]=1"]),
    (S, ["a[99999999999999999999]=1"]),
    (S, ["a[0]x=1"]),
    (S, ["a[0]]=1"]),
    (S, ["a[0].b"]),
    (S, ["a=1,a.b=2"]),
    (S, ["a=1", "a.b=2"]),
    (S, ["a=1,a[0]=2"]),
    (S, ["a.b=1,a[0]=2"]),
    (S, ["a[0]=1,a[0][0]=2"]),
    (S, ["a=null", "a.b=1"]),
    (S, ["a=null", "a[0]=1"]),
    # --set-string
    (STR, ["a=1,b=true,c=null,d=007,e=1.5,f=-3"]),
    (STR, ["a.b=12345678901234567890"]),
    (STR, ["l={1,true}"]),
    (STR, ["l[1]=0"]),
    (STR, ["emp="]),
    (STR, [r"a\.b=x\,y"]),
    (STR, ["a"]),
    (STR, ["a[x]=1"]),
    # --set-json
    (J, ["a=1"]),
    (J, ["a=-1,b=1.5,c=1.0,d=1e3"]),
    (J, ["a=12345678901234567890"]),
    (J, ['a="x,y",b=true,c=null']),
    (J, ['a={"b":[1,"x",null,{"c":false}]}']),
    (J, ["a=[1,2],b=3"]),
    (J, ["a="]),
    (J, ["a=,b=2"]),
    (J, ["a= 5"]),
    (J, ["a=1 b=2"]),
    (J, ["a=1x=2"]),
    (J, ['a="s"b=1']),
    (J, ['a={"k":1,"k":2}']),
    (J, [r'a="\u00e9\n"']),
    (J, ["a.b.c=[true]"]),
    (J, ['l[1]={"x":1}']),
    (J, ["l[0]=1", "l[2]=3"]),
    (J, ["l[0]="]),
    (J, ['a={"b":1}', 'a={"c":2}']),
    (J, ['{"a":{"b":1},"l":[1]}']),
    (J, ['{"a":{"b":1},"l":[1]}', '{"a":{"c":2},"l":[2]}']),
    (J, ['  {"a":1}  ']),
    (J, ['{"a":1}', "a=2"]),
    (J, ['{"":{"x":1}}', ".a=1"]),
    (J, ['{"":[1,2]}', "[0]=3"]),
    (J, ['{"":[1]}', "[1]=3"]),
    (J, ['{"a":null}', "a.b=1"]),
    (J, ['{"a":1']),
    (J, ['{"a":1} x']),
    (J, ["a={"]),
    (J, ["a=nul"]),
    (J, ["a=tru"]),
    (J, ["a=01"]),
    (J, ["a=1."]),
    (J, ["a=-"]),
    (J, ["a=x"]),
    (J, ["a=1e400"]),
    (J, ["a"]),
    (J, ["a.=1"]),
    (J, ["a[x]=1"]),
    # --set-file
    (F, ["a=f1"], {"f1": "hello\n"}),
    (F, ["a=f1,b.c=f2"], {"f1": "one", "f2": "123"}),
    (F, ["l={f1,f2}"], {"f1": "x", "f2": "true"}),
    (F, ["l[1]=f1"], {"f1": "a,b\nc: d\n"}),
    (F, ["a="], {}),
    (F, ["a=,b=f1"], {"f1": "x"}),
    (F, ["a=missing"], {}),
    (F, ["a"], {}),
    # --set-literal: one assignment, the rest of the argument as it is
    (L, ["a=1"]),
    (L, ["a=x,b=y"]),
    (L, ["a={x,y}"]),
    (L, [r"a=x\,y\z"]),
    (L, ["a=true"]),
    (L, ["a=null"]),
    (L, ["a="]),
    (L, ["a=b=c"]),
    (L, ["a.b.c=d,e"]),
    (L, ["a,b=1"]),
    (L, [r"a\.b=1"]),
    (L, ["a b=1 2 "]),
    (L, ["l[1]=x,y"]),
    (L, ["l[0].n=v", "l[1].n=w"]),
    (L, ["a[0][1]=x"]),
    (L, ["a.b=1", "a.c=2"]),
    (L, ["a=1", "a.b=2"]),
    (L, ["a.b=1", "a=2"]),
    (L, ["a=ключ 🚀"]),
    (L, [deep30]),
    (L, [deep31]),
    (L, [""]),
    (L, ["a"]),
    (L, ["a."]),
    (L, ["a.=1"]),
    (L, ["l[x]=1"]),
    (L, ["l[-1]=1"]),
    (L, ["l[0"]),
    (L, ["l[0]x=1"]),
    (L, ["l[65537]=1"]),
]

chart = os.path.join(work, "chart")
cwd = os.path.join(work, "cwd")
records = []
for case in CASES:
    flag, args = case[0], case[1]
    files = case[2] if len(case) > 2 else None
    shutil.rmtree(cwd, ignore_errors=True)
    os.makedirs(cwd)
    for name, text in (files or {}).items():
        with open(os.path.join(cwd, name), "w", encoding="utf-8") as f:
            f.write(text)
    cmd = [helm, "template", "r", chart]
    for arg in args:
        cmd += [flag, arg]
    run = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    record = {"flag": flag, "args": args}
    if files is not None:
        record["files"] = files
    if run.returncode == 0:
        line = next(l for l in run.stdout.splitlines() if l.startswith("values: "))
        record["helm"] = json.loads(base64.b64decode(line[len("values: "):]))
        record["error"] = False
    else:
        record["helm"] = None
        record["error"] = True
        record["message"] = run.stderr.strip()
    records.append(record)

with open(out, "w", encoding="utf-8") as f:
    json.dump(records, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(f"recorded {len(records)} cases from {helm} into {out}")
PY
