"""Report figures: performance profiles and primal-gap-over-time curves.

matplotlib is imported lazily (an optional extra) and used through the object API
(``Figure``), never pyplot, so no GUI backend or global state is involved.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from typing import Any

from optikit.bench.analysis import Profile

FORMATS = ("png", "svg")
# Overlapping lines (ties are common) stay distinguishable through their dash pattern.
_STYLES = ("-", "--", "-.", ":")


def _figure(width: float = 6.4, height: float = 4.0) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _render(fig: Any, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"plot format must be one of {FORMATS}, not {fmt!r}")
    buf = io.BytesIO()
    import matplotlib

    # Stable SVG element ids, no timestamp: the same ledger gives the same file.
    with matplotlib.rc_context({"svg.hashsalt": "optikit", "svg.fonttype": "none"}):
        metadata = {"Date": None} if fmt == "svg" else {"Software": "optikit"}
        fig.savefig(buf, format=fmt, dpi=110, metadata=metadata)
    return buf.getvalue()


def performance_profile(profile: Profile, fmt: str = "png") -> bytes:
    """rho_s(tau) against tau on a log2 axis, one step line per solver."""
    fig = _figure()
    ax = fig.add_subplot()
    top = max(2.0, profile.max_ratio * 1.5)
    for k, solver in enumerate(sorted(profile.ratios)):
        xs, ys = profile.curve(solver, top)
        ax.step(xs, ys, where="post", label=solver, linewidth=1.8,
                linestyle=_STYLES[k % len(_STYLES)])
    ax.set_xscale("log", base=2)
    ax.set_xlim(1.0, top)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("τ (time relative to the fastest solver on each problem)")
    ax.set_ylabel("share of problems solved within τ")
    ax.set_title(f"{profile.problem_type}: performance profile ({profile.problems} problems)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    return _render(fig, fmt)


def gap_over_time(
    problem_type: str,
    curves: Mapping[str, tuple[list[float], list[float]]],
    integrals: Mapping[str, float | None],
    fmt: str = "png",
) -> bytes:
    """Mean primal gap (Berthold) over time per solver; the legend gives the mean integral."""
    fig = _figure()
    ax = fig.add_subplot()
    horizon = 1.0
    for k, (solver, (grid, mean)) in enumerate(sorted(curves.items())):
        pi = integrals.get(solver)
        label = solver if pi is None or math.isnan(pi) else f"{solver} (primal integral {pi:.3g} s)"
        ax.step(grid, [100.0 * v for v in mean], where="post", label=label, linewidth=1.8,
                linestyle=_STYLES[k % len(_STYLES)])
        horizon = max(horizon, grid[-1] if grid else 1.0)
    # Most improvements come early: linear near 0, logarithmic beyond.
    ax.set_xscale("symlog", linthresh=max(0.01, min(1.0, horizon / 100)))
    ax.set_xlim(0, horizon)
    ax.set_ylim(-2, 102)
    ax.set_xlabel("time (s, logarithmic beyond the first 1 %)")
    ax.set_ylabel("mean primal gap to the reference (%)")
    ax.set_title(f"{problem_type}: primal gap over time")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper right", fontsize="small")
    return _render(fig, fmt)
