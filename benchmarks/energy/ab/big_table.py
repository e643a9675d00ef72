"""One line per trace.py run of an ab_big.sh folder (objective, bound, gap,
load, the guided plan and the restricted LP)."""
from __future__ import annotations

import glob
import json
import sys
from pathlib import Path

for f in sorted(glob.glob(f"{sys.argv[1]}/*.json")):
    r = json.loads(Path(f).read_text())
    s = r["stats"]
    lp = (s.get("guided") or {}).get("lp") or {}
    print(Path(f).stem, round(r["objective"], 2), round(r["bound"], 2),
          f"{100 * r['gap']:.2f}%", "load", round(r["load_start"], 1), round(r["load_end"], 1),
          "checked", r["checked"], "plan", s.get("guided_plan"),
          "restricted", s.get("restricted_lp"), "rough", lp.get("tries"),
          "bound from", s.get("bound_source"), "answer from", s.get("solution_source"))
