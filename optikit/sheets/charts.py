"""Interactive charts of a solution (plotly, offline HTML: zoom, hover, legend).

Drawn from the export tables, so any type gets one: a table with ``start``, ``end`` and
``machine`` columns is a Gantt (bars coloured by job, or by any other column; due dates
as markers; late operations outlined in red, the lateness in the hover), otherwise the
first table of numbers is a bar chart.  One style and one title format for all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from optikit.sheets.book import Sheet
from optikit.types import UsageError

#: Bars get a text label only while there are few enough to read.
MAX_LABELLED_BARS = 150


def _plotly() -> Any:
    try:
        import plotly.graph_objects as go
    except ImportError:
        raise UsageError("interactive charts need plotly: pip install 'optikit[charts]'"
                         ) from None
    return go


def title(document: Mapping[str, Any]) -> str:
    objective = document.get("objective")
    from optikit.numbers import number

    return (f"{document.get('name', '')} ({document.get('type', '')}): "
            f"{str(document.get('status', '')).upper()}, objective {number(objective)}")


def _rows(sheet: Sheet) -> list[dict[str, Any]]:
    return [dict(zip(sheet.header, row, strict=False)) for row in sheet.rows]


def _is_timed(sheet: Sheet) -> bool:
    return {"start", "end", "machine"} <= set(sheet.header) and bool(sheet.rows)


def gantt_figure(sheet: Sheet, document: Mapping[str, Any], colour_by: str = "job",
                 others: Sequence[Sheet] = ()) -> Any:
    """The Gantt of ``sheet``; ``others`` (maintenance, ...) drawn hatched beside it."""
    go = _plotly()
    rows = _rows(sheet)
    key = colour_by if colour_by in sheet.header else "machine"
    groups = sorted({str(r.get(key)) for r in rows})
    extra = [(other.name, _rows(other)) for other in others]
    machines = sorted({str(r.get("machine")) for r in rows}
                      | {str(r.get("machine")) for _, rs in extra for r in rs})
    fig = go.Figure()
    for name, mine_rows in extra:
        label = next((h for h in ("task", "job", "id") if h in mine_rows[0]), None)
        fig.add_bar(
            name=name, y=[str(r.get("machine")) for r in mine_rows],
            x=[(r.get("end") or 0) - (r.get("start") or 0) for r in mine_rows],
            base=[r.get("start") or 0 for r in mine_rows], orientation="h",
            marker={"color": "rgba(120,120,120,0.35)", "pattern": {"shape": "/"}},
            text=[str(r.get(label, "")) for r in mine_rows] if label else None,
            textposition="inside", insidetextanchor="middle",
            hovertext=[", ".join(f"{k} {v}" for k, v in r.items() if v is not None)
                       for r in mine_rows],
            hoverinfo="text",
        )
    labelled = len(rows) <= MAX_LABELLED_BARS
    for group in groups:
        mine = [r for r in rows if str(r.get(key)) == group]
        late = [bool(r.get("late_by")) for r in mine]
        fig.add_bar(
            name=f"{key} {group}",
            y=[str(r.get("machine")) for r in mine],
            x=[(r.get("end") or 0) - (r.get("start") or 0) for r in mine],
            base=[r.get("start") or 0 for r in mine],
            orientation="h",
            text=[str(r.get("job", "")) for r in mine] if labelled else None,
            textposition="inside", insidetextanchor="middle",
            marker_line_color=["#d62728" if x else "rgba(0,0,0,0.4)" for x in late],
            marker_line_width=[3 if x else 1 for x in late],
            hovertext=[", ".join(f"{k} {v}" for k, v in r.items() if v is not None)
                       for r in mine],
            hoverinfo="text",
        )
    due = [r for r in rows if r.get("due") is not None]
    if due:
        fig.add_scatter(
            name="due date (late: red outline)", mode="markers",
            x=[r["due"] for r in due], y=[str(r.get("machine")) for r in due],
            marker={"symbol": "line-ns-open", "size": 18, "color": "#d62728",
                    "line": {"width": 2}},
            hovertext=[f"job {r.get('job')} due {r['due']}, late by {r.get('late_by') or 0}"
                       for r in due],
            hoverinfo="text",
        )
    fig.update_layout(
        title=title(document), barmode="overlay", template="plotly_white",
        xaxis_title="time (time units of the problem)", yaxis_title="machine",
        yaxis={"categoryorder": "array", "categoryarray": machines[::-1]},
        legend_title_text=f"colour: {key}", height=max(300, 60 + 40 * len(machines)),
    )
    return fig


def bar_figure(sheet: Sheet, document: Mapping[str, Any]) -> Any:
    go = _plotly()
    rows = _rows(sheet)
    label, value = sheet.header[0], next(
        (h for h in sheet.header[1:] if any(isinstance(r.get(h), int | float) for r in rows)),
        sheet.header[-1])
    fig = go.Figure(go.Bar(name=value, x=[str(r.get(label)) for r in rows],
                           y=[r.get(value) for r in rows]))
    fig.update_layout(title=title(document), template="plotly_white", xaxis_title=label,
                      yaxis_title=f"{value} ({sheet.name})", showlegend=True)
    return fig


def chart(sheets: list[Sheet], document: Mapping[str, Any], path: Path,
          colour_by: str = "job") -> str:
    """Write the chart for these export tables; returns what was drawn."""
    timed = [s for s in sheets if _is_timed(s)]
    if timed:
        main = timed[0]
        # timed tables without jobs (maintenance tasks...); job rows repeat the main table
        others = [s for s in timed[1:] if "job" not in s.header]
        gantt_figure(main, document, colour_by, others).write_html(path, include_plotlyjs=True)
        return f"gantt of {', '.join(s.name for s in [main, *others])}"
    for sheet in sheets:
        if sheet.name != "run" and len(sheet.header) >= 2 and sheet.rows:
            bar_figure(sheet, document).write_html(path, include_plotlyjs=True)
            return f"bars of {sheet.name}"
    raise UsageError("the solution has no table to chart")
