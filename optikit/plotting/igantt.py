"""The interactive Gantt (plotly): operations coloured by job, family or any column;
due dates as markers and late jobs outlined in red (the lateness in the hover);
changeovers and maintenance hatched grey; tariff bands behind the bars and switch-ons
as markers, each with its legend entry.

Labels inside the bars stay while there are few enough to read; the hover always has
every column of the row.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from optikit.plotting import style
from optikit.sheets.book import Sheet

#: Bars carry their job as text (shown where it fits, else only in the hover) up to this.
MAX_LABELLED_BARS = 5000
#: Above this many colour groups the legend lists only the first ones.
MAX_LEGEND_GROUPS = 40


def rows_of(sheet: Sheet) -> list[dict[str, Any]]:
    return [dict(zip(sheet.header, row, strict=False)) for row in sheet.rows]


def _hover(row: Mapping[str, Any]) -> str:
    return "<br>".join(f"{k}: {v}" for k, v in row.items() if v is not None)


def _shop(problem: Any) -> Any:
    """The scheduling kernel's Shop of a parsed problem, if it has one."""
    shop = getattr(problem, "shop", None)
    return shop if shop is not None and hasattr(shop, "jobs") else None


def _job_attribute(problem: Any, attribute: str) -> dict[str, str]:
    """A job field by name (``family`` is the kernel's product family, ``product``)."""
    shop = _shop(problem)
    if shop is None:
        return {}
    out = {}
    for job in shop.jobs:
        raw = getattr(job, "raw", None) or {}
        value = getattr(job, attribute, None) or raw.get(attribute)
        if value is None and attribute == "family":
            value = job.product
        out[str(job.id)] = "" if value is None else str(value)
    return out


def changeovers(problem: Any, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Sequence-dependent setups before each operation (from the kernel's setup table)."""
    shop = _shop(problem)
    if shop is None or not getattr(shop, "has_setups", False):
        return []
    machines, jobs = shop.machine_index, shop.job_index
    out: list[dict[str, Any]] = []
    by_machine: dict[str, list[Mapping[str, Any]]] = {}
    for r in rows:
        by_machine.setdefault(str(r.get("machine")), []).append(r)
    for machine, ops in by_machine.items():
        ops = sorted(ops, key=lambda r: r.get("start") or 0)
        m = machines.get(machine)
        for a, b in itertools.pairwise(ops):
            ja, jb = jobs.get(str(a.get("job"))), jobs.get(str(b.get("job")))
            if m is None or ja is None or jb is None:
                continue
            setup = shop.setup_time(m, ja, jb)
            if setup > 0:
                out.append({"task": "changeover", "machine": machine,
                            "start": (b.get("start") or 0) - setup, "end": b.get("start"),
                            "from": shop.jobs[ja].product, "to": shop.jobs[jb].product})
    return out


def _hatched(fig: Any, name: str, rows: Sequence[Mapping[str, Any]], pattern: str) -> None:
    label = next((h for h in ("task", "job", "id") if h in rows[0]), None)
    fig.add_bar(
        name=name, y=[str(r.get("machine")) for r in rows],
        x=[(r.get("end") or 0) - (r.get("start") or 0) for r in rows],
        base=[r.get("start") or 0 for r in rows], orientation="h",
        marker={"color": "rgba(127,127,127,0.35)", "line": {"color": style.SETUP, "width": 1},
                "pattern": {"shape": pattern}},
        text=[str(r.get(label, "")) for r in rows] if label and len(rows) <= 60 else None,
        textposition="inside", insidetextanchor="middle",
        hovertext=[_hover(r) for r in rows], hoverinfo="text",
    )


def gantt_figure(
    sheet: Sheet, document: Mapping[str, Any], colour_by: str = "job",
    others: Sequence[Sheet] = (), problem: Any = None, extras: Mapping[str, Sheet] = {},
    notes: list[str] | None = None,
) -> Any:
    """The Gantt of ``sheet``; ``others`` (maintenance...) hatched; ``extras`` may hold a
    ``tariff`` table (start, end, price) and a ``switch_on`` table (machine, time)."""
    import plotly.graph_objects as go

    rows = rows_of(sheet)
    if colour_by not in sheet.header:
        attribute = _job_attribute(problem, colour_by)
        if any(attribute.values()):
            for r in rows:
                r[colour_by] = attribute.get(str(r.get("job")), "")
    key = colour_by if any(colour_by in r for r in rows) else "job"
    if key != colour_by and notes is not None:
        notes.append(f"--colour-by {colour_by!r}: neither a column of {sheet.name} nor a job "
                     "attribute; bars coloured by job")
    groups = sorted({str(r.get(key)) for r in rows}, key=style.natural)
    setups = changeovers(problem, rows)
    extra = [(other.name, rows_of(other)) for other in others if other.rows]
    machines = sorted({str(r.get("machine")) for r in rows}
                      | {str(r.get("machine")) for _, rs in extra for r in rs}, key=style.natural)
    fig = go.Figure()
    unit = style.time_unit(document, problem)
    _tariff(fig, extras.get("tariff"))
    _off_shift(fig, problem, max([float(r.get("end") or 0) for r in rows] + [1.0]))
    for n, (name, other_rows) in enumerate(extra):
        _hatched(fig, name, other_rows, "/" if n == 0 else "x")
    if setups:
        _hatched(fig, "changeover", setups, "\\")
    elif getattr(_shop(problem), "has_setups", False):
        fig.add_bar(name="changeover (none in this schedule)", x=[None], y=[None],
                    orientation="h", marker={"color": "rgba(127,127,127,0.35)",
                                             "pattern": {"shape": "\\"}})
    labelled = len(rows) <= MAX_LABELLED_BARS
    for g, group in enumerate(groups):
        mine = [r for r in rows if str(r.get(key)) == group]
        late = [bool(r.get("late_by")) for r in mine]
        fig.add_bar(
            name=f"{key} {group}", legendgroup=group, showlegend=g < MAX_LEGEND_GROUPS,
            y=[str(r.get("machine")) for r in mine],
            x=[(r.get("end") or 0) - (r.get("start") or 0) for r in mine],
            base=[r.get("start") or 0 for r in mine], orientation="h",
            marker={"color": style.colour(g, len(groups)),
                    "line": {"color": [style.LATE if x else "rgba(0,0,0,0.4)" for x in late],
                             "width": [3 if x else 1 for x in late]}},
            text=[str(r.get("job", "")) for r in mine] if labelled else None,
            textposition="inside", insidetextanchor="middle",
            hovertext=[_hover(r) for r in mine], hoverinfo="text",
        )
    due = [r for r in rows if r.get("due") is not None]
    if due:
        fig.add_scatter(
            name="due date", mode="markers",
            x=[r["due"] for r in due], y=[str(r.get("machine")) for r in due],
            marker={"symbol": "line-ns-open", "size": 22, "color": style.DUE,
                    "line": {"width": 3}},
            hovertext=[f"job {r.get('job')} due {r['due']}, late by {r.get('late_by') or 0}"
                       for r in due], hoverinfo="text",
        )
    if any(r.get("late_by") for r in rows):
        fig.add_bar(name="late job (red outline)", x=[None], y=[None], orientation="h",
                    marker={"color": "white", "line": {"color": style.LATE, "width": 3}})
    _switch_ons(fig, extras.get("switch_on"))
    late_jobs = sorted({str(r.get("job")) for r in rows if r.get("late_by")})
    what = "schedule" + (f", {len(late_jobs)} late" if late_jobs else "")
    fig.update_layout(
        title=style.title(document, what), barmode="overlay", template="plotly_white",
        xaxis_title=style.axis_label("time", unit), yaxis_title="machine",
        yaxis={"type": "category", "categoryorder": "array",
               "categoryarray": machines[::-1]},
        legend_title_text=f"colour: {key}",
        # label by job where it fits, the rest in the hover
        uniformtext={"minsize": 9, "mode": "hide"},
        height=min(1400, max(360, 140 + 36 * len(machines),
                             200 + 30 * min(len(fig.data), MAX_LEGEND_GROUPS))),
    )
    fig.update_traces(textangle=0, selector={"type": "bar"})
    clock = style.clock_of(problem)
    if clock is not None:
        _on_clock(fig, clock)
    return fig


def _on_clock(fig: Any, clock: Any) -> None:
    """Put the chart on a date axis (clock times whatever the zoom; the hover keeps the
    time units): bar starts and markers become timestamps, bar lengths milliseconds."""
    import datetime as dt

    ms = clock.seconds * 1000.0

    def at(t: Any) -> Any:
        if not isinstance(t, int | float):
            return t
        return (clock.start + dt.timedelta(seconds=float(t) * clock.seconds)).isoformat()

    for trace in fig.data:
        if trace.type == "bar" and trace.orientation == "h":
            if trace.base is not None:
                trace.base = [at(b) for b in trace.base]
            if trace.x is not None:
                trace.x = [x * ms if isinstance(x, int | float) else x for x in trace.x]
        elif trace.type == "scatter" and trace.x is not None:
            trace.x = [at(x) for x in trace.x]
    for shape in fig.layout.shapes:
        shape.x0, shape.x1 = at(shape.x0), at(shape.x1)
    for note in fig.layout.annotations:
        if note.xref in (None, "x"):
            note.x = at(note.x)
    fig.update_xaxes(type="date", title_text=style.clock_axis_label(clock),
                     tickformat="%a %H:%M\n%d %b")


def _off_shift(fig: Any, problem: Any, horizon: float) -> None:
    """Machines' non-working calendar time as grey bars behind the schedule."""
    shop = _shop(problem)
    if shop is None or not getattr(shop, "has_calendars", False):
        return
    spans: list[tuple[str, int, int]] = []
    for m, machine in enumerate(shop.machines):
        cal = shop.calendar(m)
        if cal is None:
            continue
        t = 0
        for a, b in [*cal.working_windows(int(horizon) + 1), (int(horizon) + 1, 0)]:
            if a > t:
                spans.append((str(machine.id), t, a))
            t = max(t, b)
    if spans:
        fig.add_bar(name="non-working time", y=[m for m, _, _ in spans],
                    x=[b - a for _, a, b in spans], base=[a for _, a, _ in spans],
                    orientation="h", width=0.9, marker={"color": "rgba(200,200,200,0.45)"},
                    hoverinfo="skip")


def _tariff(fig: Any, sheet: Sheet | None) -> None:
    """Tariff periods as background bands shaded by price, with one legend entry."""
    if sheet is None or not sheet.rows:
        return
    periods = rows_of(sheet)
    prices = [float(p.get("price") or 0) for p in periods]
    lo, hi = min(prices), max(prices)
    for p, price in zip(periods, prices, strict=True):
        share = 0.0 if hi <= lo else (price - lo) / (hi - lo)
        fig.add_vrect(x0=p.get("start"), x1=p.get("end"), layer="below", line_width=0,
                      fillcolor=f"rgba(242,142,43,{0.05 + 0.3 * share:.2f})")
    fig.add_scatter(  # the bands' legend entry (a shape has none)
        name="tariff band: price per kWh (darker = dearer)", mode="markers", x=[None],
        y=[None], marker={"symbol": "square", "size": 14, "color": "rgba(242,142,43,0.35)"},
    )
    if len(periods) <= 30:
        for p, price in zip(periods, prices, strict=True):
            fig.add_annotation(x=(p["start"] + p["end"]) / 2, y=1.0, yref="paper",
                               yanchor="bottom", showarrow=False, text=f"{price:g}",
                               font={"size": 10, "color": "#b8651b"})


def _switch_ons(fig: Any, sheet: Sheet | None) -> None:
    if sheet is None or not sheet.rows:
        return
    rows = rows_of(sheet)
    fig.add_scatter(
        name="switch-on", mode="markers", x=[r.get("time") for r in rows],
        y=[str(r.get("machine")) for r in rows],
        marker={"symbol": "triangle-right", "size": 13, "color": "#2f2f2f"},
        hovertemplate="switch-on of %{y} at %{x}<extra></extra>",
    )
