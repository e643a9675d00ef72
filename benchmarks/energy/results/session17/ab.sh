#!/bin/bash
# Session 17 (as session 16): before/after interleaved, one instance and seed at a time.
# usage: ab.sh OUTNAME "instances" "seeds" DIR...   (each DIR a copy of a tree: git archive)
out=$1; inst=$2; seeds=$3; shift 3
R=/work/wt/energy-s17/benchmarks/energy/results/session17
for i in $inst; do for s in $seeds; do for d in "$@"; do
  tag=$(basename $d)
  cd $d
  echo "$(date -u +%H:%M:%S) $tag $i seed $s load $(cut -d' ' -f1-3 /proc/loadavg)" >> $R/$out.progress.log
  PYTHONPATH=$d:$d/plugins /work/main/.venv/bin/python benchmarks/energy/run_benchmark.py --part gaps --seeds $s --instances $i --out-dir $R/$out/$tag/$i-$s >> $R/$out.$tag.log 2>&1
done; done; done
echo "$(date -u +%H:%M:%S) done load $(cut -d' ' -f1-3 /proc/loadavg)" >> $R/$out.progress.log
