#!/bin/bash
# Bigger generated instances (xl, xxl: trace.py, 60 s, solver seed 0), before/after
# interleaved as in ab.sh.
# usage: ab_big.sh RESULTS_DIR OUTNAME "xl xxl" "0 1" TREE...   (instance seeds)
set -e
R=$(realpath "$1"); out=$2; sizes=$3; seeds=$4; shift 4
HERE=$(realpath "$(dirname "$0")")
PY=${PYTHON:-$(realpath "$HERE/../../../.venv/bin/python")}
mkdir -p "$R/$out"
for z in $sizes; do for s in $seeds; do for d in "$@"; do
  d=$(realpath "$d"); tag=$(basename "$d")
  echo "$(date -u +%H:%M:%S) $tag $z-$s load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$R/$out.progress.log"
  (cd "$d" && PYTHONPATH="$d:$d/plugins" "$PY" "$HERE/trace.py" "$z" "$s" 60 0 \
    "$R/$out/$tag-$z-$s.json" >> "$R/$out.log" 2>&1)
done; done; done
echo "$(date -u +%H:%M:%S) done load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$R/$out.progress.log"
