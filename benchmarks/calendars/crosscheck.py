"""Cross-check of the calendar models: random small shops with calendars, each solved by
``cpsat`` and ``cpsat-plain``; both answers must pass the independent checker and, when
both are proven optimal, agree.  Prints the disagreements and a count.

    .venv/bin/python benchmarks/calendars/crosscheck.py --seed 2 --count 80
"""

from __future__ import annotations

import argparse
import json
import random
from typing import Any

from optikit import api

CALENDARS = {
    "a": {"working": [{"start": 0, "end": 7}, {"start": 9, "end": 15}], "repeat": 20,
          "downtime": [{"start": 22, "end": 30}]},
    "b": {"working": [{"start": 2, "end": 12}], "repeat": 16},
}


def instance(rng: random.Random) -> dict[str, Any]:
    machines = rng.randint(2, 3)
    doc: dict[str, Any] = {
        "type": "fjsp",
        "calendars": CALENDARS,
        "machines": [{"id": f"M{m}", "calendar": rng.choice(["a", "b", None])}
                     for m in range(machines)],
        "jobs": [],
    }
    for j in range(rng.randint(2, 4)):
        ops = [{"interruptible": rng.random() < 0.5,
                "modes": [{"machine": f"M{m}", "duration": rng.randint(1, 6)}
                          for m in rng.sample(range(machines), rng.randint(1, machines))]}
               for _o in range(rng.randint(1, 3))]
        job: dict[str, Any] = {"id": f"J{j}", "operations": ops, "release": rng.randint(0, 5)}
        if rng.random() < 0.5:
            job["due"] = rng.randint(5, 30)
        doc["jobs"].append(job)
    if any("due" in j for j in doc["jobs"]) and rng.random() < 0.5:
        doc["objective"] = {"makespan": 1, "total_weighted_tardiness": 2}
    if rng.random() < 0.3:
        for k, j in enumerate(doc["jobs"]):
            j["product"] = "xy"[k % 2]
        doc["setups"] = {"M0": {"x": {"y": 2}, "y": {"x": 3}}}
    return doc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--count", type=int, default=80)
    parser.add_argument("--time-limit", type=float, default=8.0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    wrong = agreed = 0
    for n in range(args.count):
        doc = instance(rng)
        answers = []
        for formulation in ("cpsat", "cpsat-plain"):
            out = api.solve(doc, formulation=formulation, time_limit=args.time_limit,
                            threads=1).document
            check = out.get("check") or {}
            answers.append((out["status"], out.get("objective"), check.get("feasible")))
        both_optimal = answers[0][0] == answers[1][0] == "optimal"
        if any(a[2] is False for a in answers) or (both_optimal and answers[0][1] != answers[1][1]):
            wrong += 1
            print(f"#{n} DISAGREE {answers}\n{json.dumps(doc)}")
        elif both_optimal:
            agreed += 1
        else:
            print(f"#{n} not both proven: {answers}")
    print(f"{args.count} instances: {agreed} proven and equal, {wrong} wrong")


if __name__ == "__main__":
    main()
