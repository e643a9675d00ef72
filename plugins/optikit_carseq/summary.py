"""Key figures of a car-sequencing solution in plant terms, for the CLI's summary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optikit_carseq.checker import check
from optikit_carseq.model import CarSeqProblem

SHOWN = 4


def summarize(problem: CarSeqProblem, document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Violations per option and station, worst windows, colour changes, longest runs."""
    report = check(problem, document)
    fig = report.figures
    if not fig:
        return []
    rows = [("cars", f"{problem.num_cars} in {len(problem.classes)} variants"
             + (f", after {len(problem.previous)} of yesterday's" if problem.previous else ""))]
    per_option = fig["excess_per_option"]
    hit = sorted((o for o in problem.options if per_option[o.id]),
                 key=lambda o: -per_option[o.id])
    if not hit:
        rows.append(("station overloads", "none: every p-in-q rating holds"))
    for o in hit[:SHOWN]:
        station = f" ({o.station})" if o.station else ""
        windows = fig["violated_windows"][o.id]
        worst = max(windows, key=lambda w: w[1])
        rows.append((f"overload {o.id}{station}",
                     f"{per_option[o.id]} car(s) over {o.max}/{o.window} in {len(windows)} "
                     f"window(s), {'high' if o.high else 'low'} priority; worst at "
                     f"position {max(worst[0], 0)} (+{worst[1]})"))
    if len(hit) > SHOWN:
        rows.append(("other overloaded options", str(len(hit) - SHOWN)))
    if problem.has_paint:
        rows.append(("colour changes", f"{fig['colour_changes']} ({fig['runs']} paint batches, "
                     f"longest {fig['longest_run']}"
                     + (f", limit {problem.max_batch})" if problem.max_batch else ")")))
    if problem.weights.level:
        rows.append(("level deviation", f"{fig['level_deviation']:g}"))
    if report.violations:
        rows.append(("hard rules broken", str(len(report.violations))))
    return rows
