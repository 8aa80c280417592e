#!/usr/bin/env bash
# Executes every notebook under notebooks/ headlessly with the GoNB kernel and fails on any cell
# error, panic or missing figure. The committed notebooks are never modified: executed copies go
# to an output folder.
#
# Usage: scripts/check_notebooks.sh [NOTEBOOK.ipynb ...]    (default: notebooks/[0-9]*.ipynb)
#
# Environment (all optional):
#   NB_OUT          folder for the executed copies (default: a new temporary folder)
#   NB_TIMEOUT      seconds allowed per notebook, kernel start included (default 900)
#   NB_TOOLS        cache folder for the gonb and goimports binaries (default
#                   ${XDG_CACHE_HOME:-~/.cache}/golemon-notebooks)
#   NB_NO_INSTALL   set to 1 to never call apt-get (Jupyter must then be installed)
#   NB_FRESH        1 (default): run the notebooks in a fresh clone of the committed HEAD, with
#                   no .data/ and $LEMON_DATA unset, as a newcomer would (each notebook fetches
#                   what it needs itself); 0: run them in this working tree, with its data
#
# What it does:
#   1. checks that the committed notebooks carry no outputs;
#   2. installs Jupyter's headless runner from Debian where it is missing
#      (jupyter-nbconvert, python3-nbclient, jupyter-client; no ipykernel is needed);
#   3. builds GoNB at the version go.mod pins (the one GoMLX requires) and goimports, which
#      GoNB runs on every cell, into NB_TOOLS;
#   4. installs the GoNB kernelspec into a private JUPYTER_DATA_DIR (nothing in ~/.local);
#   5. with NB_FRESH=1, clones the committed HEAD into a temporary folder and runs from there;
#   6. runs each notebook with nbconvert under NB_TIMEOUT, then scans the executed copy:
#      nbconvert's exit status is not enough, since a panic inside a GoNB cell can leave it
#      at 0. A notebook fails on an error output, a "panic:", "fatal error:" or "exit status N"
#      in any output, a cell that calls gonbplot.Show without a figure (SVG or PNG) in its
#      outputs unless it printed why ("no figure: <reason>"), or no figure at all. GoNB can
#      drop a display sent just before a cell's program exits (gonbplot.Show waits for GoNB
#      with gonbui.Sync): a notebook whose only problems are missing figures runs again.
set -euo pipefail
shopt -s inherit_errexit

# golang.org/x/tools has no version in go.sum; v0.44.0 is the release that requires the
# golang.org/x/mod and golang.org/x/sync versions of go.mod.
readonly TOOLS_VERSION="v0.44.0"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
start=$SECONDS
timeout_s="${NB_TIMEOUT:-900}"
out="${NB_OUT:-$(mktemp -d -t golemon-notebooks.XXXXXX)}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

say() { echo "=== $* ($((SECONDS - start))s)"; }

if (($# > 0)); then
  notebooks=("$@")
else
  notebooks=(notebooks/[0-9]*.ipynb)
fi
for nb in "${notebooks[@]}"; do
  [[ -f $nb ]] || { echo "error: no notebook $nb" >&2; exit 2; }
done

# A Python with only the standard library is enough for the scans; prefer Debian's, which is
# the one Jupyter from Debian runs on.
py=/usr/bin/python3
[[ -x $py ]] || py="$(command -v python3)"

say "committed notebooks carry no outputs"
"$py" - "${notebooks[@]}" <<'EOF'
import json, sys
bad = []
for path in sys.argv[1:]:
    nb = json.load(open(path, encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count")):
            bad.append(f"{path}: cell {i} has outputs or an execution count")
if bad:
    sys.exit("error: clear the outputs before committing:\n  " + "\n  ".join(bad))
EOF

say "Jupyter (nbconvert, nbclient)"
if ! command -v jupyter-nbconvert >/dev/null || ! "$py" -c 'import nbclient, jupyter_client' 2>/dev/null; then
  [[ ${NB_NO_INSTALL:-0} == 1 ]] && { echo "error: Jupyter's nbconvert/nbclient are missing and NB_NO_INSTALL=1" >&2; exit 2; }
  sudo=()
  [[ $(id -u) == 0 ]] || sudo=(sudo)
  pkgs=(jupyter-nbconvert python3-nbclient jupyter-client)
  if ! "${sudo[@]}" apt-get install -y --no-install-recommends "${pkgs[@]}"; then
    echo "apt-get install failed; refreshing the package lists (apt-get update) and retrying" >&2
    "${sudo[@]}" apt-get update
    "${sudo[@]}" apt-get install -y --no-install-recommends "${pkgs[@]}"
  fi
fi
jupyter nbconvert --version

gonb_version="$(go list -m -f '{{.Version}}' github.com/janpfeifer/gonb)"
tools="${NB_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/golemon-notebooks}/gonb-$gonb_version-tools-$TOOLS_VERSION"
say "GoNB $gonb_version and goimports (x/tools $TOOLS_VERSION) in $tools"
if [[ ! -x $tools/gonb || ! -x $tools/goimports ]]; then
  build="$(mktemp -d)"
  (
    cd "$build"
    go mod init golemon-notebook-tools >/dev/null 2>&1
    go get "github.com/janpfeifer/gonb@$gonb_version" "golang.org/x/tools/cmd/goimports@$TOOLS_VERSION" \
      >get.log 2>&1 || { cat get.log >&2; exit 1; }
    mkdir -p "$tools"
    go build -o "$tools/gonb" github.com/janpfeifer/gonb
    go build -o "$tools/goimports" golang.org/x/tools/cmd/goimports
  )
  rm -rf "$build"
fi
export PATH="$tools:$PATH"

say "GoNB kernelspec in a private Jupyter data folder"
jupyter_dir="$(mktemp -d -t golemon-jupyter.XXXXXX)"
trap 'rm -rf "$jupyter_dir"' EXIT
export JUPYTER_DATA_DIR="$jupyter_dir/data" JUPYTER_CONFIG_DIR="$jupyter_dir/config"
export JUPYTER_RUNTIME_DIR="$jupyter_dir/runtime"
# Raw-text errors make failures readable in the scan; gopls (completion only) is not needed.
gonb --install --raw_error --force_deps >"$jupyter_dir/install.log" 2>&1 ||
  { cat "$jupyter_dir/install.log" >&2; exit 1; }
[[ -f $JUPYTER_DATA_DIR/kernels/gonb/kernel.json ]] ||
  { echo "error: gonb --install wrote no kernelspec:" >&2; cat "$jupyter_dir/install.log" >&2; exit 1; }

# scan EXECUTED: prints the problems of an executed notebook, one per line, each prefixed by
# "error" or "figure" (a missing figure, the flaky kind); prints the figure count last.
scan() {
  "$py" - "$1" <<'EOF'
import json, re, sys
nb = json.load(open(sys.argv[1], encoding="utf-8"))
bad = re.compile(r"^panic: |^fatal error: |exit status [0-9]+", re.M)

def text(value):
    value = value if isinstance(value, str) else "".join(value)
    return re.sub(r"\x1b\[[0-9;]*m", "", value)  # GoNB marks cell lines with terminal colours

def is_figure(out):
    data = out.get("data", {})
    if "image/png" in data or "image/svg+xml" in data:
        return True
    html = text(data.get("text/html", ""))
    return "<svg" in html or "<img" in html  # GoNB displays SVG inside HTML

figures = 0
for i, cell in enumerate(nb["cells"]):
    if cell["cell_type"] != "code":
        continue
    first = text(cell["source"]).strip().splitlines()[:1]
    where = f"cell {i} ({first[0][:60] if first else 'empty'})"
    shown, excused = 0, False
    for out in cell.get("outputs", []):
        if out["output_type"] == "error":
            trace = "\n      ".join(text(out.get("traceback", [])).splitlines()[-6:])
            print(f"error {where}: {out.get('ename')}: {out.get('evalue')}\n      {trace}")
            continue
        body = text(out.get("text", "")) + text(out.get("data", {}).get("text/plain", ""))
        m = bad.search(body)
        if m:
            lines = body[max(0, m.start() - 300):m.end() + 600].splitlines()
            print(f"error {where}: output says {m.group(0)!r}\n      " + "\n      ".join(lines[-12:]))
        if is_figure(out):
            shown += 1
        excused = excused or "no figure:" in body
    figures += shown
    if "gonbplot.Show(" in text(cell["source"]) and shown == 0 and not excused:
        print(f"figure {where}: calls gonbplot.Show but shows no figure")
if figures == 0:
    print("figure: the notebook shows no figure at all")
print(f"figures {figures}")
EOF
}

# descendants PID: prints the PIDs of PID's children, grandchildren and so on. Jupyter starts
# its kernel in a session of its own, out of reach of a signal to nbconvert's process group.
descendants() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

# execute NOTEBOOK LOG: runs nbconvert on NOTEBOOK into $out under the per-notebook timeout;
# on timeout it stops nbconvert, the kernel and the cell's program, and returns 124.
execute() {
  local nb=$1 log=$2 deadline=$((SECONDS + timeout_s)) pid rc=0
  (cd "$(dirname "$nb")" && exec jupyter nbconvert --to notebook --execute --allow-errors \
    --ExecutePreprocessor.kernel_name=gonb --ExecutePreprocessor.timeout="$timeout_s" \
    --ExecutePreprocessor.startup_timeout=120 --output-dir "$out" "$(basename "$nb")") >"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 1
  done
  if kill -0 "$pid" 2>/dev/null; then
    local -a tree
    mapfile -t tree < <(echo "$pid"; descendants "$pid")
    kill "${tree[@]}" 2>/dev/null || true
    sleep 5
    kill -9 "${tree[@]}" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 124
  fi
  wait "$pid" || rc=$?
  return "$rc"
}

# indent TEXT: prints TEXT with every line indented.
indent() {
  local line
  while IFS= read -r line; do
    echo "      $line"
  done <<<"$1"
}

# run NOTEBOOK: executes it and scans the executed copy; returns 0 if clean, 1 on errors, 3
# if only figures are missing (worth one retry).
run() {
  local nb=$1 name log t0 rc=0 problems figures
  name="$(basename "$nb")"
  log="$out/${name%.ipynb}.log"
  t0=$SECONDS
  execute "$nb" "$log" || rc=$?
  local took=$((SECONDS - t0))
  if ((rc == 124)); then
    echo "FAIL $nb: timed out after ${timeout_s}s (log: $log)"
    return 1
  elif ((rc != 0)) || [[ ! -f $out/$name ]]; then
    echo "FAIL $nb: nbconvert exited with status $rc after ${took}s; last lines of $log:"
    indent "$(tail -n 20 "$log")"
    return 1
  fi
  problems="$(scan "$out/$name")"
  figures="$(sed -n 's/^figures //p' <<<"$problems")"
  problems="$(grep -v '^figures ' <<<"$problems" || true)"
  if [[ -z $problems ]]; then
    echo "ok   $nb: ${took}s, $figures figures"
    return 0
  fi
  echo "FAIL $nb after ${took}s (executed copy: $out/$name):"
  indent "$problems"
  grep -q '^error' <<<"$problems" && return 1
  return 3
}

if [[ ${NB_FRESH:-1} == 1 ]]; then
  fresh="$jupyter_dir/clone"
  say "fresh clone of the committed HEAD in $fresh (no .data/, \$LEMON_DATA unset)"
  git clone --quiet --no-hardlinks "$repo_root" "$fresh"
  if ! git diff --quiet HEAD -- notebooks; then
    echo "warning: notebooks/ has uncommitted changes, which the fresh clone does not hold (NB_FRESH=0 runs them)" >&2
  fi
  unset LEMON_DATA
  cd "$fresh"
fi

# Widgets need a front-end to answer them: interactive cells draw their first view only.
export GOLEMON_HEADLESS=1

say "executing ${#notebooks[@]} notebooks (timeout ${timeout_s}s each) into $out"
failed=()
for nb in "${notebooks[@]}"; do
  rc=0
  run "$nb" || rc=$?
  if ((rc == 3)); then
    echo "     retrying $nb once: only figures were missing (a known GoNB flake)"
    rc=0
    run "$nb" || rc=$?
  fi
  ((rc == 0)) || failed+=("$nb")
done

say "done"
if ((${#failed[@]} > 0)); then
  echo "notebooks that failed: ${failed[*]}" >&2
  exit 1
fi
echo "all ${#notebooks[@]} notebooks ran clean; executed copies in $out"
