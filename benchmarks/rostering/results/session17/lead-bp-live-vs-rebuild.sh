#!/bin/sh
# Branch-and-price with one live LP for every node (colgen_branch_lp=live) against node LPs
# rebuilt each round (the default), Instances 6 and 7, seeds 0-2, 60 s, 2 threads.
# (The session-17 figures beside this file came from two source trees, one with live as its
# default, run alternately; the option gives the same two runs from one tree.)
cd "$(dirname "$0")/../../../.." || exit 1
for seed in 0 1 2; do
  .venv/bin/python benchmarks/rostering/compare.py --instances Instance6 Instance7 --limit 60 \
    --seeds $seed --columns cpsat cpsat:colgen_branch_lp=live --stats
done
