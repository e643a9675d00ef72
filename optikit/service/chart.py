"""Draw a job's chart in a child process: ``python -m optikit.service.chart``.

Reads ``{"problem": ..., "document": ...}`` on stdin and writes the SVG on stdout.
Plotting libraries are heavy and plugin drawing code is not ours: a separate process
keeps both out of the server, and the server bounds it with a time-out.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

PREFERRED = ("gantt",)


def main() -> int:
    from optikit import api

    request = json.loads(sys.stdin.read())
    loaded = api.load(request["problem"])
    plots = dict(loaded.ptype.plots)
    if not plots:
        sys.stderr.write(f"problem type {loaded.ptype.name!r} has no chart\n")
        return 3
    name = next((p for p in PREFERRED if p in plots), sorted(plots)[0])
    with tempfile.TemporaryDirectory(prefix="optikit-chart-") as tmp:
        path = Path(tmp) / "chart.svg"
        plots[name](loaded.problem, request["document"], path)
        sys.stdout.write(path.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
