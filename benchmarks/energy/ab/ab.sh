#!/bin/bash
# Before/after runs of run_benchmark.py --part gaps, interleaved: one instance and seed
# at a time, each tree in turn, so that the machine's load falls on all of them alike.
# usage: ab.sh RESULTS_DIR OUTNAME "instances" "seeds" TREE...
#   TREE: a copy of a source tree (git archive), its folder name the run's tag.
#   Writes RESULTS_DIR/OUTNAME/TAG/INSTANCE-SEED/gaps.json, OUTNAME.TAG.log and
#   OUTNAME.progress.log (start time and load of every run).
set -e
R=$(realpath "$1"); out=$2; inst=$3; seeds=$4; shift 4
PY=${PYTHON:-$(realpath "$(dirname "$0")/../../../.venv/bin/python")}
mkdir -p "$R"
for i in $inst; do for s in $seeds; do for d in "$@"; do
  d=$(realpath "$d"); tag=$(basename "$d")
  echo "$(date -u +%H:%M:%S) $tag $i seed $s load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$R/$out.progress.log"
  (cd "$d" && PYTHONPATH="$d:$d/plugins" "$PY" benchmarks/energy/run_benchmark.py --part gaps \
    --seeds "$s" --instances "$i" --out-dir "$R/$out/$tag/$i-$s" >> "$R/$out.$tag.log" 2>&1)
done; done; done
echo "$(date -u +%H:%M:%S) done load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$R/$out.progress.log"
