"""Standalone 10 s tardiness walks (session 18): one walk per seed on the three fresh shops.

    PYTHONPATH=$PWD:$PWD/plugins .venv/bin/python \
        benchmarks/fjsp/results/session18/walk_tune.py 10 '{"window": 4, "max_evals": 250}' 1,2

Attributes in the JSON are set on each TardyWalk before it runs (window, max_evals, ...).
"""

from __future__ import annotations

import json
import random
import sys
import time

from optikit_fjsp import generator, heuristic, tardy_walk
from optikit_fjsp.model import parse
from optikit_fjsp.timetable import objective_value

sys.path.insert(0, "benchmarks/fjsp")
from fresh_trial import EXTRA_SIZES

generator.SIZES.update(EXTRA_SIZES)
secs = float(sys.argv[1])
params = json.loads(sys.argv[2])
seeds = [int(x) for x in sys.argv[3].split(",")]
for size, shop_seed in (("ops300", 101), ("ops600", 102), ("large", 103)):
    pr = parse(generator.generate(shop_seed, size))
    start = heuristic.construct(pr, budget=1.0, seed=0, max_restarts=100000)
    res = []
    for s in seeds:
        w = tardy_walk.TardyWalk(pr.flat, pr.objective, start, random.Random(s))
        for k, v in params.items():
            setattr(w, k, v)
        w.run(time.monotonic() + secs)
        res.append((w.best_value, w.iteration, w.restarts))
    print(f"{size}-{shop_seed}", params, objective_value(pr, start), res, flush=True)
