"""Schedule tables in plant terms for ``optikit export`` (the ``export_tables`` hook).

Shared by the scheduling types: any problem object with a kernel ``shop`` and a payload
with the kernel's ``operations`` gets a ``schedule`` (one row per operation, late-by on
each job's last operation) and a ``jobs`` table (completion against due date).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from optikit.scheduling.model import Shop


def schedule_tables(
    problem: Any, document: Mapping[str, Any], timed: Sequence[str] = ()
) -> dict[str, list[dict[str, Any]]]:
    """The ``schedule`` and ``jobs`` tables, plus each payload list named in ``timed``
    (records with ``start``/``end``, e.g. maintenance tasks) with clock-time columns."""
    payload = document.get("solution")
    ops = payload.get("operations") if isinstance(payload, Mapping) else None
    if not isinstance(ops, list):
        return {}
    shop = getattr(problem, "shop", None)
    jobs = {job.id: job for job in shop.jobs} if isinstance(shop, Shop) else {}
    clock = shop.clock if isinstance(shop, Shop) else None
    last: dict[Any, int] = {}
    completion: dict[Any, Any] = {}
    for op in ops:
        if isinstance(op, Mapping):
            job = op.get("job")
            last[job] = max(last.get(job, -1), int(op.get("operation", 0)))
            end = op.get("end", 0)
            completion[job] = max(completion.get(job, end), end)
    rows: list[dict[str, Any]] = []
    for op in sorted((o for o in ops if isinstance(o, Mapping)),
                     key=lambda o: (o.get("start", 0), str(o.get("machine")))):
        job_id = op.get("job")
        row = {
            "job": job_id,
            "operation": int(op.get("operation", 0)) + 1,
            "machine": op.get("machine"),
            "start": op.get("start"),
            "end": op.get("end"),
        }
        if "start_time" in op:  # clock times (documents with `start`)
            row["start_time"], row["end_time"] = op.get("start_time"), op.get("end_time")
        elif clock is not None:
            row["start_time"], row["end_time"] = _at(clock, row["start"]), _at(clock, row["end"])
        job = jobs.get(str(job_id))
        if job is not None and job.due is not None:
            is_last = int(op.get("operation", 0)) == last.get(job_id)
            row["due"] = job.due if is_last else None
            row["late_by"] = max(0, op.get("end", 0) - job.due) if is_last else None
        rows.append(row)
    tables: dict[str, list[dict[str, Any]]] = {"schedule": rows}
    if jobs:
        tables["jobs"] = [
            {
                "job": job.id,
                "release": job.release,
                "due": job.due,
                "completion": completion.get(job.id),
                "late_by": None if job.due is None or job.id not in completion
                else max(0, completion[job.id] - job.due),
                "weight": job.weight,
                **({} if clock is None else {  # clock times (documents with `start`)
                    "due_time": _at(clock, job.due),
                    "completion_time": _at(clock, completion.get(job.id)),
                }),
            }
            for job in shop.jobs  # type: ignore[union-attr]
        ]
    if clock is not None and isinstance(payload, Mapping):
        for name in timed:
            records = payload.get(name)
            if isinstance(records, list) and all(isinstance(r, Mapping) for r in records):
                tables[name] = [
                    {**r, "start_time": _at(clock, r.get("start")),
                     "end_time": _at(clock, r.get("end"))}
                    for r in records
                ]
    return tables


def _at(clock: Any, t: Any) -> str | None:
    return None if t is None else clock.to_time(t)


def export_hook(
    type_name: str, timed: Sequence[str] = ()
) -> Callable[..., dict[str, list[dict[str, Any]]] | None]:
    """An ``export_tables`` hook implementation answering for ``type_name`` only::

        export_tables = hookimpl(export_hook(NAME, timed=("maintenance",)))
    """

    def export_tables(
        problem_type: str, problem: Any, document: dict[str, Any]
    ) -> dict[str, list[dict[str, Any]]] | None:
        return schedule_tables(problem, document, timed) if problem_type == type_name else None

    return export_tables
