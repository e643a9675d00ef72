#!/bin/bash
# Paired 60 s runs, interleaved per shop: branch point fac7072 (before) then fjsp-s18 (after).
# usage: s18pair.sh OUTDIR SHOP:SEED...
out=$1; shift
for inst in "$@"; do
  for side in before after; do
    if [ $side = before ]; then tree=/tmp/s18base; else tree=/work/wt/fjsp-s18; fi
    (cd $tree && PYTHONPATH=$tree:$tree/plugins /work/main/.venv/bin/python benchmarks/fjsp/fresh_trial.py \
       --instances $inst --reference-time-limit 0 --formulations cpsat --out $out/$side-${inst/:/-} \
       | grep "cpsat:" | sed "s/^/$side /")
  done
done
