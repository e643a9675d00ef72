"""Interactive (plotly) charts of the types that are not schedules, each recognised by
the shape of an export table: a blend against its spec bands, flows as a Sankey
diagram, an assignment grid (rosters), a sequence of cars and their options, quantities
per period (lot sizes), routes on the plant layout, and plain bars for anything else."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from optikit.numbers import number
from optikit.plotting import style
from optikit.plotting.igantt import rows_of
from optikit.sheets.book import Sheet

#: Spec panels of the blend chart; more components are left to the summary.
MAX_SPEC_PANELS = 12


def _go() -> Any:
    import plotly.graph_objects as go

    return go


def blend_figure(spec: Sheet, charge: Sheet | None, document: Mapping[str, Any],
                 currency: str = "") -> Any:
    """Top: one small panel per specified component (each on its own scale, so 0.05 %
    phosphorus reads as well as 58 % iron) with its spec band; bottom: the charge."""
    from plotly.subplots import make_subplots

    rows = [r for r in rows_of(spec) if r.get("spec_min") is not None
            or r.get("spec_max") is not None][:MAX_SPEC_PANELS] or rows_of(spec)[:1]
    cols = max(1, min(6, len(rows)))
    spec_rows = -(-len(rows) // cols)
    specs: list[list[Any]] = [[{} for _ in range(cols)] for _ in range(spec_rows)]
    specs.append([{"colspan": cols}] + [None] * (cols - 1))
    fig = make_subplots(
        rows=spec_rows + 1, cols=cols, specs=specs, vertical_spacing=0.12,
        row_heights=[1.0] * spec_rows + [1.3], horizontal_spacing=0.06,
        subplot_titles=[f"{r.get('component')} (spec {_band(r)})" for r in rows]
        + [""] * (spec_rows * cols - len(rows)) + ["charge by material"])
    for n, r in enumerate(rows):
        _spec_panel(fig, r, 1 + n // cols, 1 + n % cols)
    fig.add_scatter(name="spec band (min to max)", mode="markers", x=[None], y=[None],
                    marker={"symbol": "square", "size": 14, "color": style.BAND,
                            "line": {"color": style.OK, "width": 1}}, row=1, col=1)
    for name, colour in (("content within its spec", style.colour(0)),
                         ("content outside its spec", style.LATE)):
        fig.add_scatter(name=name, mode="markers", x=[None], y=[None], row=1, col=1,
                        marker={"symbol": "square", "size": 14, "color": colour})
    if charge is not None and charge.rows:
        mats = sorted(rows_of(charge), key=lambda r: -float(r.get("tonnes") or 0))
        money = f" {currency}" if currency else ""
        fig.add_bar(name="tonnes charged (label: share)",
                    x=[str(r.get("material")) for r in mats],
                    y=[r.get("tonnes") for r in mats], marker_color=style.colour(1),
                    text=[f"{float(r.get('share_pct') or 0):.1f} %" for r in mats],
                    textposition="outside",
                    hovertext=[f"{r.get('material')}: {r.get('tonnes'):.4g} t, "
                               f"{float(r.get('share_pct') or 0):.2f} % of the charge, cost "
                               f"{number(r.get('cost'), currency, decimals=2)}"
                               for r in mats], hoverinfo="text", row=spec_rows + 1, col=1)
        fig.update_yaxes(title_text=style.axis_label("charged", "t"), row=spec_rows + 1, col=1)
        fig.update_xaxes(title_text=f"material (cost in{money or ' the problem currency'})"
                         if money else "material", row=spec_rows + 1, col=1)
    fig.update_layout(title=style.title(document, "composition against the specs, and the "
                                                  "charge"), template="plotly_white",
                      height=320 * spec_rows + 380, showlegend=True, bargap=0.3)
    return fig


def _spec_panel(fig: Any, row: Mapping[str, Any], r: int, c: int) -> None:
    value = float(row.get("pct") or 0.0)
    lo, hi = row.get("spec_min"), row.get("spec_max")
    top = max(value, float(lo or 0.0), float(hi or 0.0)) * 1.25 or 1.0
    band_lo = 0.0 if lo is None else float(lo)
    band_hi = top if hi is None else float(hi)
    if band_hi - band_lo < top * 0.01:  # an equality spec: a visible sliver
        band_lo, band_hi = band_lo - top * 0.006, band_hi + top * 0.006
    fig.add_hrect(y0=band_lo, y1=band_hi, fillcolor=style.BAND, layer="below",
                  line={"color": style.OK, "width": 1, "dash": "dot"}, row=r, col=c,
                  exclude_empty_subplots=False)
    inside = row.get("within_spec") is not False
    fig.add_bar(x=[str(row.get("component"))], y=[value], width=0.5, showlegend=False,
                marker_color=style.colour(0) if inside else style.LATE,
                text=[f"{value:.4g} %"], textposition="outside",
                hovertext=[f"{row.get('component')}: {value:.6g} % (spec {_band(row)} %)"],
                hoverinfo="text", row=r, col=c)
    fig.update_yaxes(range=[0, top], title_text="%" if c == 1 else None, row=r, col=c)


def _band(row: Mapping[str, Any]) -> str:
    lo, hi = row.get("spec_min"), row.get("spec_max")
    return f"{'-' if lo is None else f'{lo:g}'} to {'-' if hi is None else f'{hi:g}'}"


def sankey_figure(sheet: Sheet, document: Mapping[str, Any]) -> Any:
    """Flows from sources through pools to products; periods side by side in the hover."""
    rows = [r for r in rows_of(sheet) if float(r.get("amount") or 0) > 1e-9]
    nodes: list[str] = []
    index: dict[str, int] = {}
    for r in rows:
        for end in ("from", "to"):
            name = str(r.get(end))
            if name not in index:
                index[name] = len(nodes)
                nodes.append(name)
    go = _go()
    fig = go.Figure(go.Sankey(
        node={"label": nodes, "pad": 18,
              "color": [style.colour(i) for i in range(len(nodes))]},
        link={"source": [index[str(r.get("from"))] for r in rows],
              "target": [index[str(r.get("to"))] for r in rows],
              "value": [float(r["amount"]) for r in rows],
              "customdata": [str(r.get("period", "")) for r in rows],
              "hovertemplate": "%{source.label} -> %{target.label}: %{value:,.4g}"
                               "<br>period %{customdata}<extra></extra>"},
    ))
    fig.update_layout(title=style.title(document, "flows (width = amount)"),
                      template="plotly_white", height=520)
    return fig


def grid_figure(sheet: Sheet, document: Mapping[str, Any]) -> Any:
    """Who works which shift on which day: one row per employee, one column per day."""
    rows = rows_of(sheet)
    people = sorted({str(r.get("employee")) for r in rows})
    days = sorted({int(r.get("day") or 0) for r in rows})
    shifts = sorted({str(r.get("shift")) for r in rows})
    code = {s: i for i, s in enumerate(shifts)}
    cell = {(str(r.get("employee")), int(r.get("day") or 0)): str(r.get("shift")) for r in rows}
    # A roster with stations names each person's station (``skill``): "E:press".
    station = {(str(r.get("employee")), int(r.get("day") or 0)): f":{r['skill']}"
               for r in rows if r.get("skill") not in (None, "", "null")}
    z = [[code.get(cell.get((p, d), "")) for d in days] for p in people]
    text = [[cell.get((p, d), "") + station.get((p, d), "") for d in days] for p in people]
    n = max(1, len(shifts))
    scale = []
    for i in range(n):
        scale += [[i / n, style.colour(i)], [(i + 1) / n, style.colour(i)]]
    go = _go()
    fig = go.Figure(go.Heatmap(
        z=z, x=days, y=people, text=text, texttemplate="%{text}" if len(people) * len(days)
        <= 2500 else None, colorscale=scale, zmin=-0.5, zmax=n - 0.5, xgap=1, ygap=1,
        colorbar={"title": {"text": "shift"}, "tickvals": list(range(n)), "ticktext": shifts},
        hovertemplate="%{y}, day %{x}: %{text}<extra></extra>",
    ))
    what = "roster (cell: shift:station)" if station else "roster"
    fig.update_layout(title=style.title(document, what), template="plotly_white",
                      xaxis_title=style.axis_label("day", "from 0"), yaxis_title="employee",
                      yaxis={"autorange": "reversed"},
                      height=max(320, 120 + 22 * len(people)))
    return fig


def sequence_figure(sheet: Sheet, document: Mapping[str, Any]) -> Any:
    """Cars in line order (x) against the options they need (rows); overloaded
    windows' cars in red."""
    rows = rows_of(sheet)
    options = [h for h in sheet.header if h.startswith("option ")]
    go = _go()
    z = [[1 if r.get(o) else 0 for r in rows] for o in options]
    over = [[2 if r.get(o) == "over" else v for v, r in zip(zrow, rows, strict=True)]
            for zrow, o in zip(z, options, strict=True)]
    fig = go.Figure(go.Heatmap(
        z=over, x=[r.get("position") for r in rows], y=[o[7:] for o in options],
        colorscale=[[0, "#f7f7f7"], [0.33, "#f7f7f7"], [0.34, style.colour(0)],
                    [0.66, style.colour(0)], [0.67, style.LATE], [1, style.LATE]],
        zmin=0, zmax=2, xgap=1, ygap=2, showscale=False,
        customdata=[[str(r.get("class")) for r in rows] for _ in options],
        hovertemplate="position %{x}: %{customdata}, option %{y}<extra></extra>",
    ))
    for name, colour in (("car needs the option", style.colour(0)),
                         ("in an overloaded window", style.LATE)):
        fig.add_scatter(name=name, mode="markers", x=[None], y=[None],
                        marker={"symbol": "square", "size": 14, "color": colour})
    fig.update_layout(title=style.title(document, "sequence"), template="plotly_white",
                      xaxis_title="position on the line", yaxis_title="option (max/window)",
                      height=max(280, 140 + 30 * len(options)))
    return fig


def periods_figure(sheet: Sheet, document: Mapping[str, Any], value: str) -> Any:
    """Stacked quantities per period, one colour per item."""
    rows = rows_of(sheet)
    items = sorted({str(r.get("item")) for r in rows})
    go = _go()
    fig = go.Figure()
    for k, item in enumerate(items):
        mine = [r for r in rows if str(r.get("item")) == item]
        fig.add_bar(name=item, x=[r.get("period") for r in mine], y=[r.get(value) for r in mine],
                    marker_color=style.colour(k),
                    hovertemplate=f"{item}, period %{{x}}: %{{y:,}}<extra>{sheet.name}</extra>")
    fig.update_layout(title=style.title(document, f"{sheet.name} per period"),
                      template="plotly_white", barmode="stack",
                      xaxis_title="period", yaxis_title=style.axis_label(value, "units"),
                      legend_title_text="item")
    return fig


def routes_figure(sheet: Sheet, document: Mapping[str, Any]) -> Any:
    """Each vehicle's stops in order on the plant layout (straight lines between stops)."""
    rows = rows_of(sheet)
    go = _go()
    fig = go.Figure()
    for k, vehicle in enumerate(dict.fromkeys(str(r.get("vehicle")) for r in rows)):
        mine = [r for r in rows if str(r.get("vehicle")) == vehicle]
        fig.add_scatter(
            name=vehicle, mode="lines+markers", x=[r.get("x") for r in mine],
            y=[r.get("y") for r in mine], line={"color": style.colour(k), "width": 2},
            hovertext=[f"{vehicle} stop {r.get('stop')}: {r.get('action')} "
                       f"{r.get('order') or ''} at {r.get('location')}" for r in mine],
            hoverinfo="text")
    fig.update_layout(title=style.title(document, "routes"), template="plotly_white",
                      xaxis_title=style.axis_label("x", "m"),
                      yaxis_title=style.axis_label("y", "m"),
                      yaxis={"scaleanchor": "x"}, legend_title_text="vehicle", height=600,
                      showlegend=True)
    return fig


def bar_figure(sheet: Sheet, document: Mapping[str, Any]) -> Any:
    rows = rows_of(sheet)
    label, value = sheet.header[0], next(
        (h for h in sheet.header[1:] if any(isinstance(r.get(h), int | float) for r in rows)),
        sheet.header[-1])
    go = _go()
    fig = go.Figure(go.Bar(name=value, x=[str(r.get(label)) for r in rows],
                           y=[r.get(value) for r in rows], marker_color=style.colour(0)))
    fig.update_layout(title=style.title(document, sheet.name), template="plotly_white",
                      xaxis_title=label, yaxis_title=value, showlegend=True)
    return fig


def find(sheets: Sequence[Sheet], name: str) -> Sheet | None:
    return next((s for s in sheets if s.name == name and s.rows), None)
