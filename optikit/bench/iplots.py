"""The report's interactive plots as plotly figure dicts (drawn in the page by plotly.js).

Plain dicts, not plotly objects: the page needs only plotly.js, and the figures stay
testable without a browser.  Every trace carries its solver in ``meta`` so the page's
solver selector can show and hide it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from optikit.bench.analysis import PROFILE_FLOOR, Profile

#: Dash patterns keep tied lines apart, as in the static plots.
_DASHES = ("solid", "dash", "dashdot", "dot")
_LAYOUT: dict[str, Any] = {
    "template": "plotly_white",
    "height": 420,
    "margin": {"l": 70, "r": 20, "t": 60, "b": 60},
    "legend": {"title": {"text": "solver"}},
    "hovermode": "closest",
}


def profile_figure(profile: Profile) -> dict[str, Any]:
    """Dolan-Moré profile: share of problems solved within tau times the fastest."""
    top = max(2.0, profile.max_ratio * 1.5)
    data = []
    for k, solver in enumerate(sorted(profile.ratios)):
        xs, ys = profile.curve(solver, top)
        data.append({
            "type": "scatter", "mode": "lines", "name": solver, "meta": solver,
            "x": xs, "y": ys, "line": {"shape": "hv", "width": 2.5,
                                       "dash": _DASHES[k % len(_DASHES)]},
            "hovertemplate": f"{solver}<br>τ %{{x:.3g}}: %{{y:.0%}} of problems<extra></extra>",
        })
    return {"data": data, "layout": {
        **_LAYOUT,
        "title": {"text": f"{profile.problem_type}: performance profile "
                          f"({profile.problems} problems)"},
        "xaxis": {"type": "log", "title": {"text": "τ: time relative to the fastest solver "
                                                   f"(times under {PROFILE_FLOOR:g} s count "
                                                   f"as {PROFILE_FLOOR:g} s)"},
                  "range": [0, math.log10(top)]},
        "yaxis": {"title": {"text": "share of problems solved within τ"},
                  "range": [-0.02, 1.02], "tickformat": ".0%"},
    }}


def gap_figure(
    problem_type: str,
    curves: Mapping[str, tuple[list[float], list[float]]],
    integrals: Mapping[str, float | None],
) -> dict[str, Any]:
    """Mean primal gap over time per solver, with a linear/logarithmic time switch."""
    data = []
    for k, (solver, (grid, mean)) in enumerate(sorted(curves.items())):
        pi = integrals.get(solver)
        name = solver if pi is None or math.isnan(pi) else f"{solver} (∫ {pi:.3g} s)"
        data.append({
            "type": "scatter", "mode": "lines", "name": name, "meta": solver,
            "x": grid, "y": [100.0 * v for v in mean],
            "line": {"shape": "hv", "width": 2.5, "dash": _DASHES[k % len(_DASHES)]},
            "hovertemplate": f"{solver}<br>%{{x:.3g}} s: gap %{{y:.2f}} %<extra></extra>",
        })
    return {"data": data, "layout": {
        **_LAYOUT,
        "title": {"text": f"{problem_type}: mean primal gap over time"},
        "xaxis": {"title": {"text": "time (s)"}},
        "yaxis": {"title": {"text": "mean primal gap to the reference (%)"},
                  "range": [-2, 102]},
        "margin": {**_LAYOUT["margin"], "b": 90},
        "updatemenus": [{
            "type": "buttons", "direction": "right", "x": 0, "xanchor": "left", "y": -0.16,
            "yanchor": "top",
            "buttons": [
                {"label": "linear time", "method": "relayout",
                 "args": [{"xaxis.type": "linear", "xaxis.autorange": True}]},
                {"label": "log time", "method": "relayout",
                 "args": [{"xaxis.type": "log", "xaxis.autorange": True}]},
            ],
        }],
    }}


def plotly_js() -> str | None:
    """plotly.js from the plotly package (offline), or None without the ``charts`` extra."""
    try:
        from plotly.offline import get_plotlyjs
    except ImportError:
        return None
    return str(get_plotlyjs())
