"""Draw a job's chart in a child process: ``python -m optikit.service.chart``.

Reads ``{"problem": ..., "document": ..., "format": "svg" | "plotly"}`` on stdin and
writes on stdout either the type's static chart as SVG, or the interactive chart every
type has (:func:`optikit.plotting.interactive.figure`, the one ``optikit chart`` draws)
as plotly figure JSON: ``{"figure": {"data": ..., "layout": ...}, "what": "..."}``.
Plotting libraries are heavy and plugin drawing code is not ours: a separate process
keeps both out of the server, and the server bounds it with a time-out.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

PREFERRED = ("gantt",)
NO_CHART, NO_PLOTLY = 3, 4


def svg(loaded: Any, document: dict[str, Any]) -> int:
    plots = dict(loaded.ptype.plots)
    if not plots:
        sys.stderr.write(f"problem type {loaded.ptype.name!r} has no chart\n")
        return NO_CHART
    name = next((p for p in PREFERRED if p in plots), sorted(plots)[0])
    with tempfile.TemporaryDirectory(prefix="optikit-chart-") as tmp:
        path = Path(tmp) / "chart.svg"
        plots[name](loaded.problem, document, path)
        sys.stdout.write(path.read_text(encoding="utf-8"))
    return 0


def plotly_json(loaded: Any, document: dict[str, Any], registry: Any) -> int:
    from optikit.plotting.interactive import figure
    from optikit.sheets.export import plant_sheets
    from optikit.types import UsageError
    from optikit.units import currency_of

    try:
        import plotly  # noqa: F401
    except ImportError:
        sys.stderr.write("interactive charts need plotly: pip install 'optikit[serve]'\n")
        return NO_PLOTLY
    sheets = plant_sheets(document, loaded.problem, registry)
    try:
        fig, what = figure(sheets, document, loaded.problem, "job",
                           currency_of(loaded.problem))
    except UsageError as exc:  # no table to chart
        sys.stderr.write(f"{exc}\n")
        return NO_CHART
    sys.stdout.write(f'{{"what": {json.dumps(what)}, "figure": {fig.to_json()}}}')
    return 0


def main() -> int:
    from optikit import api
    from optikit.plugins import get_registry

    request = json.loads(sys.stdin.read())
    registry = get_registry()
    loaded = api.load(request["problem"], registry=registry)
    if request.get("format") == "plotly":
        return plotly_json(loaded, request["document"], registry)
    return svg(loaded, request["document"])


if __name__ == "__main__":
    sys.exit(main())
