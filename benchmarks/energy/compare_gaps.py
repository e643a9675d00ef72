"""Before/after table of ``run_benchmark.py --part gaps`` results (gaps.json files).

    .venv/bin/python benchmarks/energy/compare_gaps.py results/before/gaps.json \\
        results/after/gaps.json
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any


def by_instance(path: Path) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in json.loads(path.read_text()):
        if "error" not in row:
            out[row["instance"]].append(row)
    return out


def cell(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "- | - | - | -"
    objs = [r["objective"] for r in rows if r["objective"] is not None]
    bounds = [r["bound"] for r in rows if r["bound"] is not None]
    gaps = [100 * r["gap"] for r in rows if r["gap"] is not None]
    src = sorted({r.get("bound_source") or "-" for r in rows})
    obj = f"{min(objs):,.2f}-{max(objs):,.2f}" if objs else "-"
    bnd = f"{max(bounds):,.2f}" if bounds else "-"
    gap = (f"{min(gaps):.1f}-{max(gaps):.1f}%" if len(gaps) == len(rows) else
           (f"{min(gaps):.1f}-{max(gaps):.1f}% ({len(rows) - len(gaps)} no bound)"
            if gaps else "no bound"))
    return f"{obj} | {bnd} | {gap} | {', '.join(src)}"


def main() -> None:
    before, after = by_instance(Path(sys.argv[1])), by_instance(Path(sys.argv[2]))
    print("| instance | before: objective | bound | gap | bound from | after: objective | "
          "bound | gap | bound from |")
    print("|---|---|---|---|---|---|---|---|---|")
    for inst in sorted(set(before) | set(after)):
        print(f"| {inst} | {cell(before.get(inst, []))} | {cell(after.get(inst, []))} |")


if __name__ == "__main__":
    main()
