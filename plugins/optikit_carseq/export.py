"""The sequence as a table (the ``export_tables`` hook): one row per car in line order,
with its class, paint and one column per option ("yes", or "over" when the car sits in
a window that carries more cars with the option than allowed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optikit_carseq.checker import check, payload_of
from optikit_carseq.model import CarSeqProblem


def sequence_tables(problem: CarSeqProblem, document: Mapping[str, Any]
                    ) -> dict[str, list[dict[str, Any]]]:
    ids = {c.id: k for k, c in enumerate(problem.classes)}
    seq = [str(c) for c in payload_of(document).get("sequence", []) if str(c) in ids]
    if not seq:
        return {}
    windows = check(problem, document).figures.get("violated_windows", {})
    over: set[tuple[int, int]] = set()
    for j, option in enumerate(problem.options):
        for start, _excess in windows.get(option.id, []):
            for pos in range(max(start, 0), min(start + option.window, len(seq))):
                over.add((j, pos))
    rows = []
    for pos, cls_id in enumerate(seq):
        cls = problem.classes[ids[cls_id]]
        row: dict[str, Any] = {"position": pos + 1, "class": cls_id}
        if problem.colours:
            row["paint"] = problem.colours[cls.colour] if cls.colour >= 0 else None
        for j, option in enumerate(problem.options):
            needs = j in cls.options
            row[f"option {option.id} {option.max}/{option.window}"] = (
                ("over" if (j, pos) in over else "yes") if needs else None)
        rows.append(row)
    return {"sequence": rows}
