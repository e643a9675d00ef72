"""A Gantt chart of production and maintenance per machine (``--gantt out.png``), in the
shared static style: jobs coloured (a legend entry each; or by family or machine),
maintenance hatched, RUL deadlines dotted, due dates marked and late jobs' last
operations outlined in red.  Labels never overlap:
a label that does not fit its bar goes to a free level above the machine's row, with a
leader line (:func:`optikit.plotting.static.place_labels`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optikit.plotting import static, style
from optikit.plotting import static_gantt as sg
from optikit_maintenance.model import Problem

#: Jobs listed one by one in the legend; more are summarised.
MAX_LEGEND_JOBS = 20
_LEVEL = 0.32  # height of one label level above a row, in row units


def draw(problem: Problem, document: Mapping[str, Any], path: Path,
         colour_by: str = "job") -> None:
    """``colour_by``: ``job``, ``family`` (= ``product``) or ``machine``."""
    solution = document["solution"]
    machines = [m.id for m in problem.machines]
    due = {j.id: j.due for j in problem.jobs}
    end: dict[str, int] = {}
    for op in solution["operations"]:
        end[op["job"]] = max(end.get(op["job"], 0), op["end"])
    late = {j for j, e in end.items() if (d := due.get(j)) is not None and e > d}
    fig, (ax,) = static.new_figure(11, 4.0, rows=1)
    ax.set_xlim(0, max(problem.horizon, 1))
    spans: dict[str, list[tuple[float, float, str]]] = {m: [] for m in machines}
    for op in solution["operations"]:
        spans[op["machine"]].append((op["start"], op["end"], str(op["job"])))
    for task in solution["maintenance"]:
        spans[task["machine"]].append((task["start"], task["end"], str(task["task"])))
    placed = {m: static.place_labels(ax, row) for m, row in spans.items()}
    levels = {m: max((p.level for p in ps), default=0) for m, ps in placed.items()}
    ys: dict[str, float] = {}
    y = 0.0
    for m in machines:  # rows with labels above them get the room for those labels
        y += _LEVEL * levels[m]
        ys[m] = y
        y += 1.0
    product = {j.id: j.product for j in problem.jobs}

    def group_of(op: Mapping[str, Any]) -> str:
        if colour_by in ("family", "product"):
            return f"{colour_by} {product.get(op['job']) or '(none)'}"
        return f"machine {op['machine']}" if colour_by == "machine" else f"job {op['job']}"

    # natural order, as the interactive chart, so a job has the same colour in both
    order = sorted({group_of(op) for op in solution["operations"]}, key=style.natural)
    colours = {g: style.colour(k, len(order)) for k, g in enumerate(order)}
    for op in solution["operations"]:
        is_late = op["job"] in late and op["end"] == end[op["job"]]  # its last operation
        ax.broken_barh([(op["start"], op["end"] - op["start"])], (ys[op["machine"]] - 0.3, 0.6),
                       facecolors=colours[group_of(op)],
                       edgecolor=style.LATE if is_late else "black",
                       linewidth=2.0 if is_late else 0.5)
    for task in solution["maintenance"]:
        ax.broken_barh([(task["start"], task["end"] - task["start"])],
                       (ys[task["machine"]] - 0.3, 0.6), facecolors="white",
                       edgecolor=style.SETUP, hatch="///", linewidth=1.0)
    for m, ps in placed.items():
        _labels(ax, ys[m], ps)
    for machine in problem.machines:
        if machine.deadline is not None:
            yy = ys[machine.id]
            ax.plot([machine.deadline] * 2, [yy - 0.42, yy + 0.42], color=style.LATE,
                    linestyle=":", linewidth=1.4)
    for op in solution["operations"]:
        d = due.get(op["job"])
        if d is not None and op["end"] == end[op["job"]]:
            ax.plot([d], [ys[op["machine"]] - 0.42], marker="v", markersize=6,
                    markerfacecolor=colours[group_of(op)], markeredgecolor=style.DUE,
                    linestyle="none", zorder=5, clip_on=False)
    fig.set_figheight(max(2.6, 0.55 * y + 1.8))
    ax.set_yticks([ys[m] for m in machines], machines)
    ax.set_ylim(-0.6, y - 0.4)
    ax.invert_yaxis()
    sg.time_axis(ax, problem.time_unit, problem.clock)
    ax.set_ylabel("machine")
    handles = [static.patch(g, colours[g]) for g in order[:MAX_LEGEND_JOBS]]
    if len(order) > MAX_LEGEND_JOBS:
        handles.append(static.patch(f"... {len(order) - MAX_LEGEND_JOBS} more", "white",
                                    "white"))
    handles += [static.patch("maintenance", "white", style.SETUP, "///"),
                static.line("RUL deadline", style.LATE, ":", 1.4),
                static.marker("due date (in the colour of the job's bars)", "v", style.DUE)]
    if late:
        handles.append(static.patch("late job (its last operation outlined)", "white",
                                    style.LATE))
    static.legend(ax, handles)
    static.set_title(fig, document, "production and maintenance"
                     + (f", {len(late)} late" if late else ""))
    static.save(fig, path, str(document.get("name", "")))


def _labels(ax: Any, y: float, placed: list[static.Placed]) -> None:
    """One row's labels: inside the bar, or on their level above it with a leader line."""
    for p in placed:
        if p.level == 0:
            ax.text(p.x, y, p.text, ha="center", va="center", fontsize=static.LABEL_FONT)
        else:  # above the bar (y grows downwards after invert_yaxis)
            ly = y - 0.3 - _LEVEL * p.level + 0.08
            ax.plot([p.x, p.x], [y - 0.3, ly + 0.1], color="0.5", linewidth=0.5)
            ax.text(p.x, ly, p.text, ha="center", va="center",
                    fontsize=static.LABEL_FONT, color="0.15")
