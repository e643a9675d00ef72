"""PNG/SVG/PDF charts (matplotlib, the ``plot`` extra) in the shared style.

Object API only (``Figure``, never pyplot): no GUI backend, no global state, safe in
threads.  A type's chart builds its panels with :func:`new_figure`, names them with
:func:`set_title` and :func:`axis_label`, gives every colour and marker a legend entry
through :func:`patch` / :func:`marker` / :func:`line`, places bar labels that must not
overlap with :func:`place_labels`, and writes with :func:`save`.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from optikit.plotting import style

FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
FONT = 8  # points; labels inside bars use LABEL_FONT
LABEL_FONT = 7
_RC: Any = {"font.size": FONT, "axes.titlesize": 10, "axes.labelsize": FONT,
       "legend.fontsize": 7, "axes.spines.top": False, "axes.spines.right": False,
       "svg.hashsalt": "optikit", "svg.fonttype": "none"}


def new_figure(width: float, height: float, rows: int = 1,
               height_ratios: Sequence[float] | None = None, sharex: bool = True) -> Any:
    """A figure with ``rows`` stacked panels; returns (figure, list of axes)."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(width, height), layout="constrained")
        grid = fig.add_gridspec(rows, 1, height_ratios=height_ratios)
        axes: list[Any] = []
        for r in range(rows):
            share = axes[0] if sharex and axes else None
            axes.append(fig.add_subplot(grid[r], sharex=share))
    for ax in axes:
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=FONT)
        ax.grid(True, axis="x", alpha=0.25)
    return fig, axes


def set_title(fig: Any, document: Mapping[str, Any], what: str = "") -> None:
    fig.suptitle(style.title(document, what), fontsize=10)


def axis_label(quantity: str, unit: str = "") -> str:
    return style.axis_label(quantity, unit)


def patch(label: str, colour: str = "none", edge: str = "black", hatch: str = "",
          alpha: float | None = None) -> Any:
    from matplotlib.patches import Patch

    return Patch(facecolor=colour, edgecolor=edge, hatch=hatch or None, alpha=alpha,
                 label=label)


def marker(label: str, symbol: str, colour: str = "black", size: float = 7) -> Any:
    from matplotlib.lines import Line2D

    return Line2D([], [], linestyle="none", marker=symbol, color=colour, markersize=size,
                  label=label)


def line(label: str, colour: str = "black", style_: Any = "-", width: float = 1.2) -> Any:
    from matplotlib.lines import Line2D

    return Line2D([], [], color=colour, linestyle=style_, linewidth=width, label=label)


def legend(ax: Any, handles: Sequence[Any], title: str | None = None, outside: bool = True,
           ncol: int = 1, below: bool = False) -> None:
    """The legend of a panel; outside the plot area (right, or ``below``) so it never
    hides what is drawn."""
    if not handles:
        return
    if below:
        ax.legend(handles=list(handles), title=title, loc="upper center",
                  bbox_to_anchor=(0.5, -0.02), fontsize=7, ncol=max(ncol, 3), frameon=False)
    elif outside:
        ax.legend(handles=list(handles), title=title, loc="upper left",
                  bbox_to_anchor=(1.01, 1.0), fontsize=7, title_fontsize=7, ncol=ncol,
                  frameon=False)
    else:
        ax.legend(handles=list(handles), title=title, loc="upper right", fontsize=7)


@dataclass
class Placed:
    """A label's position: inside its bar (level 0) or on a numbered level above it."""

    text: str
    x: float
    level: int


def text_width(text: str, ax: Any, fontsize: float = LABEL_FONT) -> float:
    """Approximate width of ``text`` in data units of ``ax``'s x axis."""
    fig = ax.get_figure()
    width_in = fig.get_figwidth() * ax.get_position().width
    lo, hi = ax.get_xlim()
    return len(text) * fontsize * 0.65 / 72.0 * (hi - lo) / max(width_in, 1e-6)


def place_labels(ax: Any, spans: Sequence[tuple[float, float, str]],
                 fontsize: float = LABEL_FONT) -> list[Placed]:
    """Labels for bars on one row that never overlap: inside the bar where the text fits,
    else on the lowest level above the row that is free at that place."""
    placed: list[Placed] = []
    levels: list[float] = []  # right end of the last label on each level above
    gap = text_width("m", ax, fontsize)
    for start, end, text in sorted(spans):
        width = text_width(text, ax, fontsize)
        centre = (start + end) / 2
        if width <= (end - start) * 0.95:
            placed.append(Placed(text, centre, 0))
            continue
        left = centre - width / 2
        for k, right in enumerate(levels):
            if left >= right + gap:
                levels[k] = centre + width / 2
                placed.append(Placed(text, centre, k + 1))
                break
        else:
            levels.append(centre + width / 2)
            placed.append(Placed(text, centre, len(levels)))
    return placed


def save(fig: Any, path: Path, title: str = "") -> None:
    """Write ``.png``, ``.svg`` or ``.pdf`` (``.html``: a page wrapping the SVG, for
    callers of a type's own chart; the CLI draws ``.html`` interactively)."""
    import matplotlib

    suffix = Path(path).suffix.lower()
    with matplotlib.rc_context(_RC):
        if suffix in (".html", ".htm"):
            buffer = io.StringIO()
            fig.savefig(buffer, format="svg", metadata={"Date": None})
            Path(path).write_text(
                f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{escape(title)}"
                f"</title></head><body>\n{buffer.getvalue()}\n</body></html>\n",
                encoding="utf-8")
            return
        fmt = FORMATS.get(suffix)
        if fmt is None:
            raise ValueError(f"unsupported chart format {suffix!r} (use .png, .svg, .pdf "
                             "or .html)")
        metadata = {"Date": None} if fmt == "svg" else None
        fig.savefig(path, format=fmt, dpi=130, metadata=metadata)
