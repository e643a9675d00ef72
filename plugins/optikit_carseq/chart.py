"""The sequence chart (``optikit solve X --gantt PATH``): one strip of cars in line
order coloured by paint (or by variant without paint), one row per option marking the
cars that need it, and the violated windows drawn as red bars on their option's row.
matplotlib (the ``plot`` extra) is imported only when drawing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optikit_carseq.checker import check, payload_of
from optikit_carseq.model import CarSeqProblem

_PAINT = {"white": "#f4f4f4", "black": "#222222", "silver": "#c0c0c0", "grey": "#808080",
          "blue": "#2f5fa8", "red": "#c0392b", "green": "#2e8b57", "orange": "#e67e22",
          "beige": "#d8c8a0", "brown": "#7b4a2a", "yellow": "#f1c40f"}


def draw(problem: CarSeqProblem, document: Mapping[str, Any], path: Path) -> None:
    """Write the chart to ``path`` (any format matplotlib writes: png, svg, pdf)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    report = check(problem, document)
    ids = {c.id: k for k, c in enumerate(problem.classes)}
    seq = [ids[str(c)] for c in payload_of(document).get("sequence", []) if str(c) in ids]
    n = len(seq)
    rows = len(problem.options)
    cmap = plt.get_cmap("tab20")
    fig, ax = plt.subplots(figsize=(min(24, 4 + n / 12), 1.2 + 0.35 * (rows + 2)))
    for i, k in enumerate(seq):
        c = problem.classes[k]
        if c.colour >= 0:
            name = problem.colours[c.colour]
            face = _PAINT.get(name.lower(), cmap(c.colour % 20))
        else:
            face = cmap(k % 20)
        ax.add_patch(plt.Rectangle((i, rows + 0.2), 1, 0.8, facecolor=face,
                                   edgecolor="#555555", lw=0.2))
        for j in c.options:
            ax.add_patch(plt.Rectangle((i + 0.15, rows - 1 - j + 0.25), 0.7, 0.5,
                                       facecolor="#4e79a7", lw=0))
    windows = report.figures.get("violated_windows", {})
    for j, o in enumerate(problem.options):
        for start, excess in windows.get(o.id, []):
            lo = max(start, 0)
            ax.add_patch(plt.Rectangle((lo, rows - 1 - j + 0.05), start + o.window - lo, 0.12,
                                       facecolor="#e15759", alpha=min(1.0, 0.4 + 0.3 * excess),
                                       lw=0))
    labels = [f"{o.id} {o.max}/{o.window}" for o in problem.options]
    ax.set_yticks([rows - 1 - j + 0.5 for j in range(rows)] + [rows + 0.6])
    ax.set_yticklabels([*labels, "paint" if problem.has_paint else "variant"], fontsize=7)
    ax.set_xlim(0, max(n, 1))
    ax.set_ylim(-0.2, rows + 1.2)
    ax.set_xlabel("position on the line")
    name = document.get("name") or problem.name or "car-sequencing"
    objective = report.objective
    ax.set_title(f"{name}: sequence (objective {objective:g}); red bars: overloaded windows"
                 if objective is not None else f"{name}: sequence", fontsize=9)
    fig.tight_layout()
    fig.savefig(Path(path))
    plt.close(fig)
