"""Judge one finished run: re-check its answer and turn it into a ledger row.

The child already ran the type's checker, but a benchmark cannot take a contender's
word for anything, so the coordinator re-checks every payload against its own parsed
copy of the instance, recomputes the objective, and compares claims with the
best-known bounds.  A claim that fails any of this is ``wrong``, never ``solved``.

Outcomes (one per run):

- ``solved``: proven optimal (or proven infeasible/unbounded) and every check passed;
- ``feasible``: a checked solution, stopped by a limit before a proof;
- ``nosolution``: no solution within the limits;
- ``failed``: error, crash, or hard kill at the wall-clock limit;
- ``wrong``: a payload that fails the check, an objective that does not match the
  recomputed one, or a claim contradicted by a best-known bound;
- ``skipped``: never ran (plugin or solver missing), with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from optikit.bench.executors import ChildTask
from optikit.bench.ledger import RunRecord
from optikit.bench.plan import RunSpec

SOLVED, FEASIBLE, NOSOLUTION, FAILED, WRONG, SKIPPED = (
    "solved", "feasible", "nosolution", "failed", "wrong", "skipped",
)
OUTCOMES = (SOLVED, FEASIBLE, NOSOLUTION, FAILED, WRONG, SKIPPED)

CheckFunction = Callable[[Any, Mapping[str, Any]], Any]
LOG_TAIL = 4000


def tolerance(value: float, gap: float = 0.0) -> float:
    """How far two objective values may differ and still count as equal."""
    return max(gap, 1e-6) * max(1.0, abs(value)) + 1e-9


def _num(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def base_values(spec: RunSpec, context: Mapping[str, Any]) -> dict[str, Any]:
    """The columns every row has, whatever happened to the run."""
    inst = spec.instance
    return {
        "run_key": spec.key,
        "suite": spec.suite,
        "instance_set": inst.set_name,
        "instance": inst.name,
        "problem_type": inst.problem_type,
        "sense": inst.sense,
        "instance_source": inst.source,
        "instance_checksum": inst.checksum,
        "solver": spec.label,
        "backend": spec.backend,
        "formulation": spec.formulation,
        "seed": spec.seed,
        "repeat": spec.repeat,
        "time_limit": spec.time_limit,
        "threads": spec.threads,
        "gap_limit": spec.gap,
        "kill_after": spec.kill_after,
        "options": dict(spec.options),
        "known_lb": inst.known_lb,
        "known_ub": inst.known_ub,
        "checked": "none",
        "killed": 0,
        **context,
    }


def skipped_record(spec: RunSpec, context: Mapping[str, Any], now: str) -> RunRecord:
    values = base_values(spec, context)
    values.update(status="skipped", outcome=SKIPPED, message=spec.skip_reason,
                  started_at=now, finished_at=now)
    return RunRecord(values)


def judge(
    spec: RunSpec, task: ChildTask, child: Mapping[str, Any], context: Mapping[str, Any],
    check: CheckFunction,
) -> RunRecord:
    """Build the ledger row of a run from its child record."""
    values = base_values(spec, context)
    values.update(
        wall_s=child.get("wall_s"),
        exit_code=child.get("returncode"),
        started_at=child.get("started_at"),
        finished_at=child.get("finished_at"),
    )
    result = child.get("result")
    if isinstance(result, Mapping):
        values["timings"] = result.get("timings")
        prov = result.get("provenance") or {}
        for key in ("optikit_version", "plugin_versions", "solver_version", "python_version",
                    "platform", "cpu", "cores", "hostname"):
            if key in prov:
                values[key] = prov[key]
    # Keep the end of the child's stderr (and any traceback) for runs that went wrong.
    tail = str(child.get("stderr_tail") or "")
    if isinstance(result, Mapping) and result.get("traceback"):
        tail = (tail + "\n" + str(result["traceback"])).strip()
    if child.get("killed"):
        values.update(
            status="killed", outcome=FAILED, killed=1,
            message=f"killed after {task.kill_after:g} s wall clock "
            f"(time limit {spec.time_limit:g} s + grace {spec.grace:g} s)",
            log=tail[-LOG_TAIL:] or None,
        )
        return RunRecord(values)
    if not isinstance(result, Mapping):
        last = tail.strip().splitlines()
        values.update(
            status="crashed", outcome=FAILED,
            message=f"child exited with code {child.get('returncode')} and no result"
            + (f": {last[-1]}" if last else ""),
            log=tail[-LOG_TAIL:] or None,
        )
        return RunRecord(values)
    if not result.get("ok"):
        values.update(
            status="error", outcome=FAILED,
            message=f"{result.get('error_kind', 'error')}: {result.get('error', '')}",
            log=tail[-LOG_TAIL:] or None,
        )
        return RunRecord(values)
    document = result.get("document") or {}
    trajectory = [
        (float(t), _num(obj), _num(bound), str(src or ""))
        for t, obj, bound, src in (result.get("trajectory") or [])
    ]
    values.update(_judge_document(spec, document, check))
    values["document"] = document
    if values["outcome"] in (FAILED, WRONG) and tail:
        values["log"] = tail[-LOG_TAIL:]
    values["exit_code"] = result.get("exit_code", values["exit_code"])
    return RunRecord(values, trajectory)


def _judge_document(
    spec: RunSpec, document: Mapping[str, Any], check: CheckFunction
) -> dict[str, Any]:
    status = str(document.get("status", "unknown"))
    objective = _num(document.get("objective"))
    bound = _num(document.get("bound"))
    out: dict[str, Any] = {
        "status": status,
        "objective": objective,
        "bound": bound,
        "gap": _num(document.get("gap")),
        "time_s": _num(document.get("time_s")),
        "backend": document.get("solver") or spec.backend,
        "formulation": document.get("formulation") or spec.formulation,
    }
    problems: list[str] = []
    violations: list[dict[str, Any]] = []

    child_check = document.get("check")
    if isinstance(child_check, Mapping) and child_check.get("feasible") is False:
        problems.append("the run's own check rejected its solution")
        violations.extend(_violation_dicts(child_check.get("violations")))

    rejected = document.get("rejected_solution")
    if rejected is not None:
        # The runner withheld a payload that failed its check; confirm it ourselves.
        try:
            report = check(spec.instance.loaded, {**document, "solution": rejected})
        except Exception as exc:
            report = None
            problems.append(f"independent check raised {type(exc).__name__}: {exc}")
        if report is not None and not report.feasible:
            problems.append(
                f"the reported solution fails the independent check "
                f"({len(report.violations)} violation(s))"
            )
            if not violations:
                violations.extend(_violation_dicts(report.violations))
        elif report is not None:
            problems.append("the run rejected a solution the independent check accepts")

    payload = document.get("solution")
    if payload is not None:
        try:
            report = check(spec.instance.loaded, document)
        except Exception as exc:
            problems.append(f"independent check raised {type(exc).__name__}: {exc}")
        else:
            if not report.feasible:
                problems.append(f"independent check: {len(report.violations)} violation(s)")
                violations.extend(_violation_dicts(report.violations))
            recomputed = _num(report.objective)
            if recomputed is not None and objective is not None:
                if abs(recomputed - objective) > tolerance(recomputed):
                    problems.append(
                        f"objective {objective:g} does not match the recomputed {recomputed:g}"
                    )
            elif recomputed is not None and status in ("optimal", "feasible"):
                out["objective"] = objective = recomputed
    elif status in ("optimal", "feasible"):
        problems.append(f"status {status} without a solution payload")

    problems.extend(_bound_contradictions(spec, status, objective, bound))
    notes = _bound_notes(spec, objective) if not problems else []

    if problems:
        out.update(outcome=WRONG, checked="failed")
    elif payload is not None:
        out["checked"] = "passed"
    if not problems:
        out["outcome"] = {
            "optimal": SOLVED,
            "infeasible": SOLVED,
            "unbounded": SOLVED,
            "feasible": FEASIBLE,
            "unknown": NOSOLUTION,
        }.get(status, FAILED)
    message = "; ".join(problems + notes)
    if not message and out["outcome"] == FAILED:
        message = str(document.get("message") or "")
    out["message"] = message or None
    out["violations"] = violations or None
    return out


def _violation_dicts(items: Any) -> list[dict[str, Any]]:
    out = []
    for v in items or []:
        if isinstance(v, Mapping):
            out.append(dict(v))
        else:
            out.append({
                "constraint": getattr(v, "constraint", ""),
                "message": getattr(v, "message", str(v)),
                "amount": getattr(v, "amount", None),
            })
    return out[:50]


def _bound_contradictions(
    spec: RunSpec, status: str, objective: float | None, bound: float | None
) -> list[str]:
    """Claims that the best-known values prove false (MIPLIB's ``mismatch``)."""
    inst = spec.instance
    lb, ub = inst.known_lb, inst.known_ub
    minimise = (inst.sense or "min") == "min"
    # The best solution anyone has, and the best proven bound, in this type's sense.
    known_solution = ub if minimise else lb
    problems = []
    sign = 1.0 if minimise else -1.0
    if status == "optimal" and objective is not None and known_solution is not None:
        slack = tolerance(known_solution, spec.gap)
        if sign * (objective - known_solution) > slack:
            problems.append(
                f"claims optimal {objective:g} but a solution of {known_solution:g} is known"
            )
    if bound is not None and known_solution is not None and not problems:
        slack = tolerance(known_solution)
        if sign * (bound - known_solution) > slack:
            problems.append(
                f"claims bound {bound:g}, beyond the known solution {known_solution:g}"
            )
    if status in ("infeasible", "unbounded") and known_solution is not None:
        problems.append(f"claims {status} but a solution of {known_solution:g} is known")
    return problems


def _bound_notes(spec: RunSpec, objective: float | None) -> list[str]:
    """A checked solution better than the known bound: the reference data is wrong."""
    inst = spec.instance
    minimise = (inst.sense or "min") == "min"
    known_bound = inst.known_lb if minimise else inst.known_ub
    if objective is None or known_bound is None:
        return []
    sign = 1.0 if minimise else -1.0
    if sign * (known_bound - objective) > tolerance(known_bound):
        return [f"checked objective {objective:g} beats the recorded bound {known_bound:g}"]
    return []
