#!/bin/bash
# Session 17 (as session 16): bigger generated instances (trace.py), before/after interleaved.
# usage: ab_big.sh OUTNAME "xl xxl" "0 1" DIR...   (instance seeds; solver seed 0)
out=$1; sizes=$2; seeds=$3; shift 3
R=/work/wt/energy-s17/benchmarks/energy/results/session17
mkdir -p $R/$out
for z in $sizes; do for s in $seeds; do for d in "$@"; do
  tag=$(basename $d)
  echo "$(date -u +%H:%M:%S) $tag $z-$s load $(cut -d' ' -f1-3 /proc/loadavg)" >> $R/$out.progress.log
  PYTHONPATH=$d:$d/plugins /work/main/.venv/bin/python $R/trace.py $z $s 60 0 $R/$out/$tag-$z-$s.json >> $R/$out.log 2>&1
done; done; done
echo "$(date -u +%H:%M:%S) done load $(cut -d' ' -f1-3 /proc/loadavg)" >> $R/$out.progress.log
