"""Interactive HTML charts of any solution (plotly, offline: zoom, hover, legend).

Drawn from the export tables (:func:`optikit.sheets.export.plant_sheets`), so every
type gets one: the first table whose shape a chart knows decides (a schedule, a blend
against its specs, flows, a roster grid, a car sequence, quantities per period, routes),
else the first table of numbers becomes bars.  ``optikit solve --gantt x.html`` and
``optikit chart`` both come here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optikit.plotting import ipanels
from optikit.plotting.igantt import gantt_figure
from optikit.sheets.book import Sheet
from optikit.types import UsageError


def require_plotly() -> None:
    try:
        import plotly  # noqa: F401
    except ImportError:
        raise UsageError("interactive charts need plotly: pip install 'optikit[charts]'"
                         ) from None


def _has(sheet: Sheet, *columns: str) -> bool:
    return bool(sheet.rows) and set(columns) <= set(sheet.header)


def figure(sheets: list[Sheet], document: Mapping[str, Any], problem: Any = None,
           colour_by: str = "job", currency: str = "",
           notes: list[str] | None = None) -> tuple[Any, str]:
    """The chart for these export tables, and a few words on what it shows; what could
    not be drawn as asked (an unknown ``colour_by``) is appended to ``notes``."""
    require_plotly()
    timed = [s for s in sheets if _has(s, "start", "end", "machine")]
    if timed:
        main = timed[0]
        # timed tables without jobs (maintenance tasks...); job rows repeat the main table
        others = [s for s in timed[1:] if "job" not in s.header]
        extras = {n: s for n in ("tariff", "switch_on") if (s := ipanels.find(sheets, n))}
        fig = gantt_figure(main, document, colour_by, others, problem, extras, notes)
        return fig, f"gantt of {', '.join(s.name for s in [main, *others, *extras.values()])}"
    for sheet in sheets:
        if _has(sheet, "component", "pct", "spec_min", "spec_max"):
            return (ipanels.blend_figure(sheet, ipanels.find(sheets, "charge"), document,
                                         currency), "blend against its specs and the charge")
        if _has(sheet, "from", "to", "amount"):
            return ipanels.sankey_figure(sheet, document), f"flows of {sheet.name}"
        if _has(sheet, "employee", "day", "shift"):
            return ipanels.grid_figure(sheet, document), f"roster grid of {sheet.name}"
        if _has(sheet, "position", "class"):
            return ipanels.sequence_figure(sheet, document), f"sequence of {sheet.name}"
        if _has(sheet, "item", "period", "quantity"):
            return (ipanels.periods_figure(sheet, document, "quantity"),
                    f"{sheet.name} per period")
        if _has(sheet, "vehicle", "x", "y"):
            return ipanels.routes_figure(sheet, document), f"routes of {sheet.name}"
    for sheet in sheets:
        if sheet.name != "run" and len(sheet.header) >= 2 and sheet.rows:
            return ipanels.bar_figure(sheet, document), f"bars of {sheet.name}"
    raise UsageError("the solution has no table to chart")


def write_html(fig: Any, path: Path) -> None:
    """A self-contained page: plotly.js inline, so it opens without a network."""
    fig.write_html(path, include_plotlyjs=True, full_html=True,
                   config={"displaylogo": False, "responsive": True})


def chart(sheets: list[Sheet], document: Mapping[str, Any], path: Path,
          colour_by: str = "job", problem: Any = None, currency: str = "",
          notes: list[str] | None = None) -> str:
    """Write the chart for these export tables; returns what was drawn."""
    fig, what = figure(sheets, document, problem, colour_by, currency, notes)
    write_html(fig, path)
    return what
