"""A Gantt chart of production and maintenance per machine (``--gantt out.png``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optikit_maintenance.model import Problem


def draw(problem: Problem, document: Mapping[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    solution = document["solution"]
    rows = {m.id: i for i, m in enumerate(problem.machines)}
    jobs = [j.id for j in problem.jobs]
    palette = plt.get_cmap("tab20")
    height = max(2.5, 0.5 * len(rows) + 1.5)
    fig, ax = plt.subplots(figsize=(11, height))
    try:
        for op in solution["operations"]:
            colour = palette(jobs.index(op["job"]) % 20)
            y = rows[op["machine"]]
            ax.broken_barh([(op["start"], op["end"] - op["start"])], (y - 0.35, 0.7),
                           facecolors=colour, edgecolor="black", linewidth=0.5)
            ax.text((op["start"] + op["end"]) / 2, y, op["job"], ha="center", va="center",
                    fontsize=7)
        for task in solution["maintenance"]:
            y = rows[task["machine"]]
            ax.broken_barh([(task["start"], task["end"] - task["start"])], (y - 0.35, 0.7),
                           facecolors="white", edgecolor="firebrick", hatch="///",
                           linewidth=1.0)
            ax.text((task["start"] + task["end"]) / 2, y, task["task"], ha="center",
                    va="center", fontsize=6, color="firebrick", rotation=90 if
                    task["end"] - task["start"] < 0.04 * problem.horizon else 0)
        for machine in problem.machines:
            if machine.deadline is not None:
                y = rows[machine.id]
                ax.plot([machine.deadline] * 2, [y - 0.45, y + 0.45], color="firebrick",
                        linestyle=":", linewidth=1.2)
        ax.set_yticks(range(len(rows)), list(rows))
        ax.invert_yaxis()
        unit = problem.time_unit or "time unit"
        ax.set_xlabel(f"time ({unit}s); hatched: maintenance, dotted: RUL deadline")
        ax.set_xlim(0, max(problem.horizon, 1))
        objective = document.get("objective")
        shown = f"{objective:,.2f}" if isinstance(objective, int | float) else "-"
        ax.set_title(f"{document.get('name', '')} ({document.get('status')}): objective "
                     f"{shown}")
        fig.tight_layout()
        if Path(path).suffix.lower() == ".html":  # an SVG inside a page, no extra library
            import io

            buffer = io.StringIO()
            fig.savefig(buffer, format="svg")
            Path(path).write_text(f"<!doctype html><meta charset='utf-8'><title>"
                                  f"{document.get('name', '')}</title>\n{buffer.getvalue()}")
        else:
            fig.savefig(path)
    finally:
        plt.close(fig)
