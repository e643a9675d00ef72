"""Why late, and what one more hour on the bottleneck would save (re-solved, not guessed).

For any scheduling type whose parsed problem has a kernel ``shop``
(:mod:`optikit.scheduling`): :func:`why_late` explains each late job of a checked
solution (:mod:`optikit.scheduling.critical`); :func:`overtime_whatif` lengthens the
bottleneck machine's shifts and solves the problem twice with the same budget, once as it
is and once with the overtime, so that the saving compares like with like.

The overtime: every shift of that machine's calendar that ends before the late jobs it
holds up are finished ends ``amount`` time units later (one hour by default, converted with
the document's ``time_unit``).  A shift end is the end of a working window followed by at
least that much closed time; shorter gaps are breaks inside a shift and are kept.  A
machine without a calendar works around the clock: there is no shift to extend, and the
what-if says so instead of inventing a number.  Overtime only adds working time, so a schedule from
before usually stays valid after it; when the checker confirms that, it counts for "after"
too, which is then never worse than "before".
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from optikit import api, scheduling
from optikit.scheduling import ScheduledOperation, Shop
from optikit.scheduling.critical import duration_text, payload_busy, time_unit
from optikit.scheduling.critical import why_late as chains_data
from optikit.types import InputError, UsageError

#: Time units in one hour, for the document's ``time_unit``.
UNITS_PER_HOUR = {"second": 3600, "minute": 60, "hour": 1}
#: The shortest re-solve worth starting, in seconds.
MIN_SOLVE_S = 0.5
#: ``source`` of the InputError raised for a solution that fails the checker.
SOLUTION_SOURCE = "<solution>"
#: The unit assumed when the document names none.
ASSUMED_UNIT = "minute"


def _payload(document: Mapping[str, Any]) -> Mapping[str, Any]:
    solution = document.get("solution")
    return solution if isinstance(solution, Mapping) else document


def _shop(loaded: Any) -> Shop:
    shop = getattr(loaded.problem, "shop", None)
    if not isinstance(shop, Shop):
        raise UsageError(f"why-late needs a scheduling problem; {loaded.ptype.name!r} is not one")
    return shop


def _checked_schedule(loaded: Any, document: Mapping[str, Any]) -> list[ScheduledOperation]:
    report = api.check(loaded, document)
    if not report.ok:
        first = report.violations[0].message if report.violations else "no schedule"
        raise InputError(SOLUTION_SOURCE, "", f"does not pass the checker ({first})")
    schedule, _ = scheduling.schedule_from_payload(_shop(loaded), _payload(document))
    return schedule


def why_late(problem: Any, solution: Mapping[str, Any], *, limit: int | None = None,
             registry: Any = None) -> list[dict[str, Any]]:
    """The late jobs of a checked ``solution`` (a solution document or payload), most
    weighted lateness first: each with its chain, ``bottleneck`` and one-line ``text``."""
    loaded = api.load(problem, registry=registry)
    shop = _shop(loaded)
    schedule = _checked_schedule(loaded, solution)
    return chains_data(shop, schedule, limit, payload_busy(shop, _payload(solution)))


def shift_waits(entries: Sequence[Mapping[str, Any]]) -> list[str]:
    """Machines whose shift opening the chains waited for, the latest wait first."""
    machines: list[str] = []
    for e in entries:
        for step in reversed(e["chain"]):
            if step["link"] == "calendar" and step["machine"] not in machines:
                machines.append(step["machine"])
    return machines


def pick_machine(entries: Sequence[Mapping[str, Any]]) -> str | None:
    """The machine that is the bottleneck of the most weighted lateness."""
    load: dict[str, float] = {}
    for e in entries:
        if e["bottleneck"] is not None:
            load[e["bottleneck"]] = load.get(e["bottleneck"], 0.0) + e["weighted_lateness"]
    return max(load, key=lambda m: load[m]) if load else None


def overtime_amount(document: Mapping[str, Any], hours: float,
                    amount: int | None) -> tuple[int, str]:
    """Time units of overtime per shift, and how they were worked out (for the report)."""
    if amount is not None:
        return amount, f"{amount} time units (given)"
    unit = document.get("time_unit")
    assumed = unit is None
    unit = ASSUMED_UNIT if assumed else str(unit)
    per_hour = UNITS_PER_HOUR.get(unit)
    units = None if per_hour is None else hours * per_hour
    if units is None or units != int(units) or units <= 0:
        raise UsageError(f"{hours:g} h is not a whole number of {unit}s: give the amount "
                         "in time units instead", field="amount")
    note = f"{hours:g} h = {int(units)} {unit} units"
    if assumed:
        note += f" (the problem names no time_unit: {unit}s assumed)"
    return int(units), note


def extended_windows(
    windows: Sequence[tuple[int, int]], amount: int, *, until: int | None = None,
    openings: Collection[int] = (),
) -> tuple[list[tuple[int, int]], list[dict[str, int]]]:
    """Lengthen shifts by ``amount``; returns the new windows and what changed.

    ``until``: shift ends before it move later.  A shift end is a window end followed by
    at least ``amount`` of closed time; a shorter gap is a break inside a shift and stays.
    ``openings``: the windows starting at these times start earlier (not before the
    previous window's end: working through a break joins the two windows).
    """
    out: list[tuple[int, int]] = []
    changed: list[dict[str, int]] = []
    for i, (a, b) in enumerate(windows):
        following = windows[i + 1][0] if i + 1 < len(windows) else None
        change = {"start": a, "end": b}
        if a in openings:
            earliest = max(a - amount, out[-1][1] if out else 0)
            if earliest < a:
                change["new_start"] = a = earliest
        if until is not None and b < until and (following is None or following - b >= amount):
            change["new_end"] = b = b + amount
        if len(change) > 2:
            changed.append(change)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out, changed


def chain_openings(entries: Sequence[Mapping[str, Any]], machine: str,
                   windows: Sequence[tuple[int, int]]) -> set[int]:
    """Starts of the windows of ``machine`` whose opening the chains waited for."""
    starts: set[int] = set()
    for e in entries:
        for step in e["chain"]:
            if step["machine"] == machine and step["link"] == "calendar":
                starts.update(a for a, b in windows if a <= step["start"] < b)
    return starts


def overtime_document(
    document: Mapping[str, Any], shop: Shop, machine: int, amount: int,
    held: Sequence[Mapping[str, Any]], at: str = "end",
) -> tuple[dict[str, Any], list[dict[str, int]]] | None:
    """The problem document with ``machine``'s shifts lengthened (None: no calendar).

    ``at="end"``: the shifts ending before the ``held`` late jobs are finished end later;
    ``at="start"``: the shifts whose opening their chains waited for start earlier.  The
    machine gets its own calendar, written out window by window (downtime already taken
    out) up to twice the shop's horizon, past the end of any sensible schedule.
    """
    calendar = shop.calendar(machine)
    if calendar is None:
        return None
    windows = calendar.working_windows(2 * shop.horizon())
    if at == "start":
        openings = chain_openings(held, shop.machines[machine].id, windows)
        new, changed = extended_windows(windows, amount, openings=openings)
    else:
        until = max((e["completion"] for e in held), default=0)
        new, changed = extended_windows(windows, amount, until=until)
    doc = copy.deepcopy(dict(document))
    calendars = dict(doc.get("calendars") or {})
    name = f"{calendar.name}+overtime"
    while name in calendars:
        name += "+"
    calendars[name] = {"working": [{"start": a, "end": b} for a, b in new]}
    doc["calendars"] = calendars
    machines = [dict(m) for m in doc["machines"]]
    machines[machine]["calendar"] = name
    doc["machines"] = machines
    return doc, changed


def _tardiness(loaded: Any, payload: Mapping[str, Any] | None) -> float | None:
    if payload is None:
        return None
    shop = _shop(loaded)
    schedule, _ = scheduling.schedule_from_payload(shop, payload)
    return scheduling.weighted_tardiness(shop, schedule)


def _run(problem: Any, budget: float, stop: threading.Event | None,
         solve_args: Mapping[str, Any]) -> dict[str, Any]:
    solution = api.solve(problem, time_limit=budget, stop=stop, **solve_args)
    check = solution.check
    return {
        "status": solution.status.value,
        "objective": solution.objective,
        "weighted_tardiness": _tardiness(solution.problem, solution.solution),
        "checked": bool(check is not None and check.ok and solution.solution is not None),
        "time_s": solution.document.get("time_s"),
        "payload": solution.solution,
    }


def overtime_whatif(
    problem: Any,
    solution: Mapping[str, Any],
    *,
    machine: str | None = None,
    hours: float = 1.0,
    amount: int | None = None,
    at: str = "end",
    time_limit: float = 30.0,
    solver: str | None = None,
    formulation: str | None = None,
    threads: int | None = None,
    seed: int = 0,
    stop: threading.Event | None = None,
    registry: Any = None,
    started: float | None = None,
) -> dict[str, Any]:
    """Lengthen the bottleneck machine's shifts and re-solve; the weighted tardiness saved.

    ``machine``: default the bottleneck of the most weighted lateness.  ``hours`` of
    overtime per shift (``amount`` in time units overrides it), at the shift ``end`` or
    ``start`` (see :func:`overtime_document`).  ``time_limit`` covers the
    whole call (counted from ``started``, default now): the problem is solved as it is
    and with the overtime, each with half of what is left.  Returns a JSON-ready mapping
    (see docs/python.md); ``message`` explains when nothing was re-solved.
    """
    started = time.monotonic() if started is None else started
    loaded = api.load(problem, registry=registry)
    shop = _shop(loaded)
    schedule = _checked_schedule(loaded, solution)
    given = scheduling.weighted_tardiness(shop, schedule)
    entries = chains_data(shop, schedule, busy=payload_busy(shop, _payload(solution)))
    result: dict[str, Any] = {"given_weighted_tardiness": given, "late_jobs": len(entries)}
    if at not in ("end", "start"):
        raise UsageError(f"at must be 'end' or 'start', not {at!r}", field="--at")
    result["chosen"] = machine is not None
    if machine is None:
        machine = pick_machine(entries)
    if machine is None:
        return {**result, "message": "no job is late: nothing to extend"}
    if machine not in shop.machine_index:
        raise UsageError(f"unknown machine {machine!r}", field="--machine")
    m = shop.machine_index[machine]
    held = [e for e in entries if e["bottleneck"] == machine] or entries
    units, note = overtime_amount(loaded.document, hours, amount)
    result.update(machine=machine, jobs=[e["job"] for e in held], amount=units,
                  amount_note=note, at=at, waited_for_shifts=shift_waits(held))
    built = overtime_document(loaded.document, shop, m, units, held, at)
    if built is None:
        return {**result, "message": f"{machine} has no shift calendar (it works around the "
                                     "clock): there is no shift to extend"}
    doc, changed = built
    result["extended_windows"] = changed
    if not changed:
        what = ("ends before the late jobs are finished" if at == "end"
                else "opening was waited for by the late jobs")
        return {**result, "message": f"no shift of {machine} {what}: there is no shift "
                                     "to extend"}
    extended = api.load(doc, registry=registry)
    result["given_valid_with_overtime"] = api.check(extended, solution).ok
    solve_args = {"solver": solver, "formulation": formulation, "threads": threads,
                  "seed": seed, "registry": registry}
    left = started + time_limit - time.monotonic()
    if left < 2 * MIN_SOLVE_S:
        return {**result, "message": f"only {max(left, 0):.1f} s of the time limit left: "
                                     "nothing re-solved"}
    result["before"] = _run(loaded, left / 2, stop, solve_args)
    left = started + time_limit - time.monotonic()
    result["after"] = _run(extended, max(left, MIN_SOLVE_S), stop, solve_args)
    before = result["before"]
    result["before"]["valid_with_overtime"] = bool(
        before["checked"] and api.check(extended, {"solution": before["payload"]}).ok)
    unit = time_unit(shop) or loaded.document.get("time_unit")
    return _with_saving(result, given, unit=unit)


def _with_saving(result: dict[str, Any], given: float, unit: str | None) -> dict[str, Any]:
    """Best before (given or re-solved) against best after: the re-solve with overtime,
    or a schedule from before that the checker accepts with the overtime too (it may not:
    an interruptible operation that paused over the new working time ends earlier now)."""
    before, after = result["before"], result["after"]
    best_before = min([given] + ([before["weighted_tardiness"]] if before["checked"] else []))
    candidates = [after["weighted_tardiness"]] if after["checked"] else []
    if result.get("given_valid_with_overtime"):
        candidates.append(given)
    if before["valid_with_overtime"]:
        candidates.append(before["weighted_tardiness"])
    if not candidates:
        return {**result, "message": "no checked schedule with the overtime was found in time"}
    best_after = min(candidates)
    exact = before["status"] == "optimal" and after["status"] == "optimal"
    result.update(
        weighted_tardiness_before=best_before,
        weighted_tardiness_after=best_after,
        saved=best_before - best_after,
        exact=exact,
        unit=unit,
        message=f"{len(result['extended_windows'])} shift(s) of {result['machine']} "
                f"{duration_text(_added(result['extended_windows']), unit)} longer in all "
                f"({'earlier start' if result['at'] == 'start' else 'later end'}): "
                "weighted tardiness "
                f"{best_before:g} -> {best_after:g} (saves {best_before - best_after:g}; "
                + ("both proven optimal)" if exact else "best found in the time limit)"),
    )
    return result


def _added(changed: Sequence[Mapping[str, int]]) -> int:
    """Working time the overtime adds, in time units."""
    return sum(c["start"] - c.get("new_start", c["start"]) + c.get("new_end", c["end"]) - c["end"]
               for c in changed)
