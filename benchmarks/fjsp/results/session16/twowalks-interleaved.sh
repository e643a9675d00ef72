#!/bin/bash
# Interleaved: default vs two walks (child process + foreground walk), mk10/mk06, seeds 0-2, 60 s.
cd "$(dirname "$0")/../../../.."
for seed in 0 1 2; do for inst in mk10 mk06; do
  echo "== $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg) $inst seed $seed default"
  .venv/bin/python benchmarks/fjsp/brandimarte.py --instances $inst --seeds $seed --skip-plain --skip-scale 2>&1 | grep -E "^\| *$inst|$inst" | tail -2
  echo "== $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg) $inst seed $seed twowalks"
  .venv/bin/python benchmarks/fjsp/brandimarte.py --instances $inst --seeds $seed --skip-plain --skip-scale --option tabu_processes=1 --option walk_foreground=1 2>&1 | grep -E "$inst" | tail -2
done; done
