#!/bin/bash
# Makespan-only variant of ops600-102 (changeovers, releases kept): before/after, 60 s, 2 threads.
# The shop: fresh_trial.py's ops600:102 (runs/fresh-ops600-102.json) with "objective": "makespan".
# before = git archive fac7072 into /tmp/s18base; after = this branch's worktree.
shop=/tmp/s18runs/ops600-102-makespan.json
/work/main/.venv/bin/python -c "
import json; d=json.load(open('/tmp/s18runs/base1/runs/fresh-ops600-102.json')); d['objective']='makespan'
json.dump(d, open('$shop', 'w'))"
for side in before after; do
  if [ $side = before ]; then tree=/tmp/s18base; else tree=/work/wt/fjsp-s18; fi
  (cd $tree && PYTHONPATH=$tree:$tree/plugins /work/main/.venv/bin/optikit solve $shop --solver cpsat --formulation cpsat --time-limit 60 --threads 2 -q -o /tmp/s18runs/ms-$side.json; echo "$side $(uptime)")
  /work/main/.venv/bin/python -c "
import json; d=json.load(open('/tmp/s18runs/ms-$side.json')); print('$side', d['objective'], d['time_s'], d['check']['feasible'], d['stats'].get('tardy_walk_iterations'), d['stats'].get('lns_iterations'))"
done
