"""Solve orchestration: choose a formulation and backend, run, check, and report.

This is where the contract's promises are kept, for every problem type alike:

- every ``optimal``/``feasible`` answer has passed the type's independent checker, and
  the reported objective is the checker's recomputed value;
- ``optimal`` is kept only when the gap between objective and bound is within the
  requested tolerance; a run stopped by a limit is ``feasible``;
- a formulation or backend that crashes gives a document with status ``error``, never a
  traceback on the user's terminal.
"""

from __future__ import annotations

import math
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from optikit import __version__
from optikit.exitcodes import ExitCode, for_status
from optikit.paradigms import relative_gap
from optikit.plan import SolvePlan, make_plan
from optikit.problem_io import LoadedProblem
from optikit.registry import Registry
from optikit.types import (
    Backend,
    CheckReport,
    OptikitError,
    Outcome,
    ProgressEvent,
    SolveContext,
    SolveOptions,
    Status,
    Violation,
)

OBJECTIVE_RTOL = 1e-6
OBJECTIVE_ATOL = 1e-6
MAX_VIOLATIONS_SHOWN = 20


@dataclass
class SolveResult:
    document: dict[str, Any]
    exit_code: int
    check: CheckReport | None = None
    outcome: Outcome | None = None
    trajectory: list[ProgressEvent] = field(default_factory=list)


def select(
    loaded: LoadedProblem,
    registry: Registry,
    solver: str | None = None,
    formulation: str | None = None,
    options: SolveOptions | None = None,
) -> SolvePlan:
    """Plan a solve (see :func:`optikit.plan.make_plan`); raises :class:`UsageError`."""
    return make_plan(loaded, registry, solver=solver, formulation=formulation, options=options)


def _finite(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= OBJECTIVE_ATOL + OBJECTIVE_RTOL * max(abs(a), abs(b))


def _safe_check(loaded: LoadedProblem, payload: Mapping[str, Any]) -> CheckReport:
    try:
        return loaded.ptype.check(loaded.problem, payload)
    except Exception as exc:
        return CheckReport(
            None,
            [Violation("checker", f"the checker failed: {type(exc).__name__}: {exc}")],
        )


def check_payload(loaded: LoadedProblem, payload: Any) -> CheckReport:
    """Run the type's independent checker on a payload of unknown quality."""
    if not isinstance(payload, Mapping):
        return CheckReport(None, [Violation("payload", "the solution is missing or not a mapping")])
    return _safe_check(loaded, payload)


def _beside(bound: float | None, objective: float, sense: str) -> float | None:
    """``bound`` moved onto ``objective`` when it is on the wrong side of the checker's
    value by float noise only (the solver's objective and the checker's sum differ in
    the last digits): a bound never claims less than a checked solution achieves."""
    if bound is None:
        return None
    wrong_side = bound < objective if sense == "max" else bound > objective
    if wrong_side and _close(bound, objective):
        return objective
    return bound


def check_solution(loaded: LoadedProblem, document: Mapping[str, Any]) -> CheckReport:
    """Verify a solution document against its problem, independently of any solver.

    Beyond the type's checker this compares the document's claimed ``objective`` with the
    recomputed one, and its ``type`` with the problem's.
    """
    if not isinstance(document, Mapping):
        return CheckReport(None, [Violation("document", "a solution document must be a mapping")])
    doc_type = document.get("type")
    if doc_type is not None and doc_type != loaded.ptype.name:
        return CheckReport(
            None,
            [Violation("type", f"solution is for type {doc_type!r}, problem is "
                               f"{loaded.ptype.name!r}")],
        )
    report = check_payload(loaded, document.get("solution"))
    claimed = document.get("objective")
    if (
        report.objective is not None
        and isinstance(claimed, int | float)
        and not isinstance(claimed, bool)
        and not _close(float(claimed), report.objective)
    ):
        report.violations.append(
            Violation(
                "objective",
                f"document says {claimed}, recomputed {report.objective}",
                abs(float(claimed) - report.objective),
            )
        )
    return report


def _check_block(report: CheckReport) -> dict[str, Any]:
    return {
        "feasible": report.feasible,
        "objective": report.objective,
        "violations": [
            {"constraint": v.constraint, "message": v.message, "amount": v.amount}
            for v in report.violations[:MAX_VIOLATIONS_SHOWN]
        ],
        "violations_total": len(report.violations),
        "figures": report.figures,
    }


def _versions(registry: Registry, backend: Backend | None) -> dict[str, str]:
    versions = {"optikit": __version__}
    owner = registry.owner.get(("backend", backend.name)) if backend else None
    for record in registry.plugins:
        if record.status == "ok" and record.version and record.name == owner:
            versions[f"plugin:{record.name}"] = record.version
    if backend is not None:
        version = registry.availability(backend).version
        if version:
            versions[backend.name] = version
    return versions


def solve(
    loaded: LoadedProblem,
    registry: Registry,
    *,
    solver: str | None = None,
    formulation: str | None = None,
    options: SolveOptions | None = None,
    stop: threading.Event | None = None,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    log: Callable[[str], None] | None = None,
    started: float | None = None,
) -> SolveResult:
    """Plan and solve a loaded problem; return the checked solution document.

    Raises :class:`UsageError` (exit 2) when no suitable solver or formulation exists or an
    option is not declared; everything that happens after the solve started ends in a
    document.
    """
    plan = select(loaded, registry, solver, formulation, options)
    return execute(plan, registry, stop=stop, on_progress=on_progress, log=log, started=started)


def execute(
    plan: SolvePlan,
    registry: Registry,
    *,
    stop: threading.Event | None = None,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    log: Callable[[str], None] | None = None,
    started: float | None = None,
) -> SolveResult:
    """Carry out a plan: run the formulation, then apply the contract's status rules.

    ``started`` (monotonic) is when the time limit began to count, by default now.
    """
    loaded, backend, chosen, options = plan.loaded, plan.backend, plan.formulation, plan.options
    run: dict[str, Any] = {
        "problem_type": loaded.ptype.name,
        "name": loaded.name,
        "solver": backend.name,
        "formulation": chosen.name,
        "options": options,
    }

    def progress(event: ProgressEvent) -> None:
        registry.notify("on_progress", run=run, event=event)
        if on_progress is not None:
            on_progress(event)

    ctx = SolveContext(
        options,
        on_progress=progress,
        stop=stop,
        log=log,
        started=started,
        backends=registry.available_backend,
        formulation_options=plan.formulation_options,
    )
    registry.notify("before_solve", run=run)
    try:
        outcome = chosen.solve(loaded.problem, backend, ctx)
        if not isinstance(outcome, Outcome):
            raise TypeError(f"formulation returned {type(outcome).__name__}, not Outcome")
    except OptikitError:
        raise
    except Exception as exc:
        outcome = Outcome(Status.ERROR, message=f"{type(exc).__name__}: {exc}")
        outcome.stats["traceback"] = traceback.format_exc()
    result = finish(plan, registry, outcome, ctx, ctx.elapsed())
    registry.notify("after_solve", run=run, document=result.document)
    return result


def finish(
    plan: SolvePlan,
    registry: Registry,
    outcome: Outcome,
    ctx: SolveContext,
    elapsed: float,
    message: str = "",
) -> SolveResult:
    """Apply the contract's status rules to a formulation's outcome."""
    loaded, backend, chosen = plan.loaded, plan.backend, plan.formulation
    options = ctx.options
    status = outcome.status
    messages = [m for m in (outcome.message, message) if m]
    objective = _finite(outcome.objective)
    bound = _finite(outcome.bound)
    report: CheckReport | None = None
    payload = outcome.payload if status.has_solution else None

    if status.has_solution:
        report = check_payload(loaded, payload)
        if not report.feasible:
            status = Status.ERROR
            first = report.violations[0]
            messages.append(
                f"the solver's answer failed the independent check "
                f"({len(report.violations)} violation(s); first: {first.constraint}: "
                f"{first.message})"
            )
        else:
            if report.objective is not None:
                if objective is not None and not _close(objective, report.objective):
                    messages.append(
                        f"solver reported objective {objective}, checker recomputed "
                        f"{report.objective}; the recomputed value is reported"
                    )
                    if status is Status.OPTIMAL:
                        status = Status.FEASIBLE
                objective = report.objective
                bound = _beside(bound, objective, loaded.ptype.sense)
            if status is Status.OPTIMAL and bound is None:
                bound = objective  # the backend proved optimality without giving a bound
    gap = relative_gap(objective, bound) if status.has_solution else None
    if status is Status.OPTIMAL and (gap is None or gap > options.gap * (1 + 1e-9) + 1e-12):
        status = Status.FEASIBLE
        messages.append(f"gap {gap:.3g} exceeds the requested {options.gap:g}")

    document: dict[str, Any] = {
        "type": loaded.ptype.name,
        "name": loaded.name,
        "status": status.value,
        "objective": objective if status.has_solution else None,
        "bound": bound,
        "gap": gap,
        "solver": backend.name,
        "time_s": round(elapsed, 6),
    }
    if status.has_solution and payload is not None:
        document["solution"] = payload
    document["formulation"] = chosen.name
    if messages:
        document["message"] = "; ".join(messages)
    if report is not None:
        document["check"] = _check_block(report)
        if not report.feasible and payload is not None:
            document["rejected_solution"] = payload
    if outcome.analysis:
        document["analysis"] = outcome.analysis
    stats = {k: v for k, v in outcome.stats.items() if k != "traceback"}
    if stats:
        document["stats"] = stats
    document["options"] = {
        "time_limit": options.time_limit,
        "threads": options.threads,
        "seed": options.seed,
        "gap": options.gap,
        **({"extra": dict(options.extra)} if options.extra else {}),
    }
    document["versions"] = _versions(registry, backend)
    exit_code = int(for_status(status))
    if status is Status.ERROR and report is not None and not report.feasible:
        exit_code = int(ExitCode.INTERNAL)
    return SolveResult(document, exit_code, report, outcome, list(ctx.trajectory))


def abandoned_document(
    plan: SolvePlan, registry: Registry, elapsed: float, message: str
) -> dict[str, Any]:
    """The document of a solve that had to be abandoned: no solution, status unknown."""
    ctx = SolveContext(plan.options)
    outcome = Outcome(Status.UNKNOWN, message=message)
    return finish(plan, registry, outcome, ctx, elapsed).document

