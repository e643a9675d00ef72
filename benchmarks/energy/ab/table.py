"""One line per run of an ab.sh output folder (objective, bound, gap, sources, load)."""
from __future__ import annotations

import glob
import json
import sys
from pathlib import Path

for f in sorted(glob.glob(f"{sys.argv[1]}/*/*/gaps.json")):
    for r in json.loads(Path(f).read_text()):
        g = r.get("guided") or {}
        rounds = g.get("retimed") or []
        print(f.split("/")[-3], r["instance"], f.split("-")[-1].split("/")[0],
              round(r["objective"], 2), round(r["bound"], 2), f"{100 * r['gap']:.2f}%",
              r.get("bound_source"), r["source"], "plan", r.get("guided_plan"),
              "rounds", len(rounds), "load", round(r["load_after"], 1),
              "checked", r["checked"], "wall", r["wall_s"])
