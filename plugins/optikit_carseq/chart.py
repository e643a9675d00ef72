"""The sequence chart (``optikit solve X --gantt PATH``): one strip of cars in line
order coloured by paint (or by variant without paint), one row per option marking the
cars that need it, and the violated windows drawn as red bars on their option's row.
Drawn with the shared static module (matplotlib, the ``plot`` extra, imported when drawing).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optikit.plotting import static, style
from optikit_carseq.checker import check, payload_of
from optikit_carseq.model import CarSeqProblem

#: Paints (or variants) listed one by one in the legend.
MAX_LEGEND = 16
_PAINT = {"white": "#f4f4f4", "black": "#222222", "silver": "#c0c0c0", "grey": "#808080",
          "blue": "#2f5fa8", "red": "#c0392b", "green": "#2e8b57", "orange": "#e67e22",
          "beige": "#d8c8a0", "brown": "#7b4a2a", "yellow": "#f1c40f"}


def draw(problem: CarSeqProblem, document: Mapping[str, Any], path: Path) -> None:
    """Write the chart to ``path`` (.png, .svg or .pdf), in the shared static style."""
    from matplotlib.patches import Rectangle

    report = check(problem, document)
    ids = {c.id: k for k, c in enumerate(problem.classes)}
    seq = [ids[str(c)] for c in payload_of(document).get("sequence", []) if str(c) in ids]
    n = len(seq)
    rows = len(problem.options)
    fig, (ax,) = static.new_figure(min(24, 5 + n / 12), 1.6 + 0.35 * (rows + 2))
    faces: dict[str, str] = {}
    for i, k in enumerate(seq):
        c = problem.classes[k]
        name = problem.colours[c.colour] if c.colour >= 0 else c.id
        face = faces.setdefault(name, _PAINT.get(name.lower(), style.colour(len(faces), 20))
                                if c.colour >= 0 else style.colour(k, len(problem.classes)))
        ax.add_patch(Rectangle((i, rows + 0.2), 1, 0.8, facecolor=face, edgecolor="#555555",
                               lw=0.2))
        for j in c.options:
            ax.add_patch(Rectangle((i + 0.15, rows - 1 - j + 0.25), 0.7, 0.5,
                                   facecolor=style.colour(0), lw=0))
    windows = report.figures.get("violated_windows", {})
    for j, o in enumerate(problem.options):
        for start, excess in windows.get(o.id, []):
            lo = max(start, 0)
            ax.add_patch(Rectangle((lo, rows - 1 - j + 0.05), start + o.window - lo, 0.12,
                                   facecolor=style.LATE, alpha=min(1.0, 0.4 + 0.3 * excess),
                                   lw=0))
    labels = [f"{o.id} {o.max}/{o.window}" for o in problem.options]
    ax.set_yticks([rows - 1 - j + 0.5 for j in range(rows)] + [rows + 0.6],
                  [*labels, "paint" if problem.has_paint else "variant"], fontsize=7)
    ax.set_xlim(0, max(n, 1))
    ax.set_ylim(-0.2, rows + 1.2)
    ax.set_xlabel(static.axis_label("position on the line", "cars"))
    ax.set_ylabel("option (max/window)")
    handles = [static.patch("car needs the option", style.colour(0), "none"),
               static.patch("overloaded window", style.LATE, "none")]
    handles += [static.patch(f"{'paint' if problem.has_paint else 'variant'} {name}", face,
                             "#555555") for name, face in list(faces.items())[:MAX_LEGEND]]
    static.legend(ax, handles)
    static.set_title(fig, document, "sequence")
    static.save(fig, path, str(document.get("name", "")))
