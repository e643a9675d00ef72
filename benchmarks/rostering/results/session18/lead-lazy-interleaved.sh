#!/bin/bash
# Lead's interleaved check of DIVE_LAZY on merged main (session 18).
cd /work/main
OUT=benchmarks/rostering/results/session18/lead-lazy-interleaved.txt
: > $OUT
for pair in "Instance8 3" "Instance8 4" "Instance5 0" "Instance7 0" "Instance8 1"; do
  set -- $pair
  for lazy in 0 1; do
    echo "== $1 seed $2 DIVE_LAZY=$lazy $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT
    DIVE_LAZY=$lazy PYTHONPATH=$PWD:$PWD/plugins .venv/bin/python benchmarks/rostering/results/session18/lazy_wrapper.py \
      --instances $1 --limit 60 --seeds $2 --columns cpsat 2>&1 | tail -4 >> $OUT
  done
done
echo "done $(date -u +%H:%M:%S)" >> $OUT
