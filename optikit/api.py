"""The public Python API: what notebooks, services and the CLI call.

::

    import optikit
    solution = optikit.solve({"type": "blend", ...}, time_limit=10)
    solution.status, solution.objective, solution.document

Everything here takes a problem as a path, a mapping (the problem document) or a
:class:`LoadedProblem` from :func:`load`.  Bad input of any kind raises
:class:`~optikit.types.InputError` (with ``source``, ``field`` and ``message``); after a
solve has started, whatever happens ends in a :class:`Solution`.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from optikit.exitcodes import ExitCode
from optikit.jsonio import document_json
from optikit.types import (
    CheckReport,
    InputError,
    ProblemType,
    ProgressEvent,
    SolveContext,
    SolveOptions,
    Status,
    UsageError,
)

if TYPE_CHECKING:
    from optikit.plan import SolvePlan
    from optikit.problem_io import LoadedProblem
    from optikit.registry import Registry

MAX_SEED = 2**63 - 1
MAX_THREADS = 1024


def default_threads() -> int:
    """Solver threads when none are asked for: the CPUs, at most 8."""
    import os

    return max(1, min(os.cpu_count() or 1, 8))


def _registry(registry: Registry | None) -> Registry:
    if registry is not None:
        return registry
    from optikit.plugins import get_registry

    return get_registry()


def load(problem: Any, *, registry: Registry | None = None) -> LoadedProblem:
    """Read, validate and parse a problem: a file path, a document mapping, or a problem
    already loaded (returned as it is)."""
    from optikit.problem_io import LoadedProblem, load_document, load_problem

    if isinstance(problem, LoadedProblem):
        return problem
    reg = _registry(registry)
    if isinstance(problem, str | Path):
        return load_problem(Path(problem), reg)
    if isinstance(problem, Mapping):
        return load_document(problem, reg)
    raise InputError(
        "<argument>", "problem",
        f"must be a path, a problem document (mapping) or a loaded problem, "
        f"not {type(problem).__name__}",
    )


def solve_options(
    *,
    time_limit: float | None = 60.0,
    threads: int | None = None,
    seed: int = 0,
    gap: float = 1e-6,
    options: Mapping[str, Any] | None = None,
    verbose: bool = False,
) -> SolveOptions:
    """Checked :class:`SolveOptions`: finite, in range, or :class:`UsageError` naming the
    argument (the CLI refuses the same values with the same words)."""
    if time_limit is not None:
        if isinstance(time_limit, bool) or not isinstance(time_limit, int | float):
            raise UsageError("time limit must be a number of seconds", field="time_limit")
        if not math.isfinite(time_limit) or time_limit <= 0:
            raise UsageError(
                f"time limit must be a finite number of seconds > 0, not {time_limit!r}",
                field="time_limit",
            )
    if threads is not None and (
        isinstance(threads, bool) or not isinstance(threads, int)
        or not 1 <= threads <= MAX_THREADS
    ):
        raise UsageError(f"threads must be an integer from 1 to {MAX_THREADS}, not {threads!r}",
                         field="threads")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise UsageError(f"seed must be an integer from 0 to 2^63-1, not {seed!r}", field="seed")
    if (
        isinstance(gap, bool) or not isinstance(gap, int | float)
        or not math.isfinite(gap) or gap < 0
    ):
        raise UsageError(f"gap must be a finite number >= 0, not {gap!r}", field="gap")
    if options is not None and not isinstance(options, Mapping):
        raise UsageError("options must be a mapping of option names to values", field="options")
    return SolveOptions(
        time_limit=None if time_limit is None else float(time_limit),
        threads=threads if threads is not None else default_threads(),
        seed=seed,
        gap=float(gap),
        verbose=verbose,
        extra=dict(options or {}),
    )


@dataclass
class Solution:
    """A checked answer.  ``document`` is the solution document exactly as ``optikit
    solve -o`` writes it; the properties read from it."""

    document: dict[str, Any]
    exit_code: int
    problem: LoadedProblem
    check: CheckReport | None = None
    trajectory: list[ProgressEvent] = field(default_factory=list)
    traceback: str = ""
    """Where a crashing formulation or solver failed (status ``error``); not in the document."""

    @property
    def status(self) -> Status:
        return Status(self.document["status"])

    @property
    def objective(self) -> float | None:
        value = self.document.get("objective")
        return None if value is None else float(value)

    @property
    def bound(self) -> float | None:
        value = self.document.get("bound")
        return None if value is None else float(value)

    @property
    def gap(self) -> float | None:
        value = self.document.get("gap")
        return None if value is None else float(value)

    @property
    def solution(self) -> dict[str, Any] | None:
        """The payload (schedule, mix, ...), or None when there is no checked solution."""
        payload = self.document.get("solution")
        return payload if isinstance(payload, dict) else None

    @property
    def interrupted(self) -> bool:
        return bool(self.document.get("interrupted", False))

    def to_json(self) -> str:
        """The document as strict JSON text (what the CLI writes)."""
        return document_json(self.document)

    def to_frames(self) -> dict[str, Any]:
        """Every table ``optikit export`` writes, as pandas DataFrames (pandas optional)."""
        from optikit.sheets.export import plant_sheets, sheets_to_frames

        return sheets_to_frames(plant_sheets(self.document, self.problem.problem, _registry(None)))

    def to_frame(self) -> Any:
        """The main table (the plugin's first, e.g. the schedule; else the payload's first)."""
        return next(iter(self.to_frames().values()))


def plan(
    problem: Any,
    *,
    solver: str | None = None,
    formulation: str | None = None,
    time_limit: float | None = 60.0,
    threads: int | None = None,
    seed: int = 0,
    gap: float = 1e-6,
    options: Mapping[str, Any] | None = None,
    verbose: bool = False,
    registry: Registry | None = None,
) -> SolvePlan:
    """Decide how a problem would be solved (formulation, solver, checked options)
    without solving it; raises :class:`InputError` for anything that would stop it."""
    from optikit.plan import make_plan

    reg = _registry(registry)
    loaded = load(problem, registry=reg)
    opts = solve_options(time_limit=time_limit, threads=threads, seed=seed, gap=gap,
                         options=options, verbose=verbose)
    return make_plan(loaded, reg, solver=solver, formulation=formulation, options=opts)


def run(
    chosen: SolvePlan,
    *,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    stop: threading.Event | None = None,
    log: Callable[[str], None] | None = None,
    started: float | None = None,
    registry: Registry | None = None,
) -> Solution:
    """Carry out a plan from :func:`plan`.  Setting ``stop`` ends the search early with
    the best checked answer so far, marked ``interrupted``."""
    from optikit.runner import execute

    reg = _registry(registry)
    result = execute(chosen, reg, stop=stop, on_progress=on_progress, log=log, started=started)
    document = result.document
    if stop is not None and stop.is_set():
        document["interrupted"] = True
    crash = result.outcome.stats.get("traceback", "") if result.outcome is not None else ""
    return Solution(document, result.exit_code, chosen.loaded, result.check,
                    result.trajectory, str(crash))


def abandoned(chosen: SolvePlan, elapsed: float, *, registry: Registry | None = None) -> Solution:
    """The answer for a run whose solver ignored its time limit and was left behind:
    no solution, status ``unknown``, with the reason in the message; a re-plan answers
    with its checked repaired old plan instead (``feasible``), when it has one."""
    from dataclasses import replace

    from optikit.limits import grace_seconds
    from optikit.replan import last_resort
    from optikit.runner import abandoned_document, finish

    limit = chosen.options.time_limit
    within = f"its time limit ({limit:g} s + {grace_seconds(limit):g} s grace)" if (
        limit is not None) else "its limits"
    reg = _registry(registry)
    repaired = last_resort(chosen.loaded)
    if repaired is not None:
        repaired = replace(repaired, message=(
            f"the re-plan did not finish within {within}, start-up and loading included: "
            "the old plan repaired"))
        result = finish(chosen, reg, repaired, SolveContext(chosen.options), elapsed)
        return Solution(result.document, result.exit_code, chosen.loaded, result.check)
    message = (
        f"the {chosen.backend.name} solver did not stop within {within}; optikit stopped "
        "waiting for it" if limit is not None else f"the {chosen.backend.name} solver was "
        "abandoned"
    )
    document = abandoned_document(chosen, reg, elapsed, message)
    return Solution(document, int(ExitCode.NO_SOLUTION), chosen.loaded)


def solve(
    problem: Any,
    *,
    solver: str | None = None,
    formulation: str | None = None,
    time_limit: float | None = 60.0,
    threads: int | None = None,
    seed: int = 0,
    gap: float = 1e-6,
    options: Mapping[str, Any] | None = None,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    stop: threading.Event | None = None,
    verbose: bool = False,
    log: Callable[[str], None] | None = None,
    registry: Registry | None = None,
) -> Solution:
    """Solve a problem and return its checked :class:`Solution`.

    ``problem``: a path, a problem document (mapping) or a :func:`load` result.
    ``options``: formulation and backend options by name (``{"lns": False,
    "cpsat.linearization_level": 2}``), validated against what they declare.
    ``on_progress`` receives every incumbent/bound; ``stop`` (a ``threading.Event``)
    ends the search early.  The time limit counts from this call.
    """
    import time

    started = time.monotonic()
    chosen = plan(problem, solver=solver, formulation=formulation, time_limit=time_limit,
                  threads=threads, seed=seed, gap=gap, options=options, verbose=verbose,
                  registry=registry)
    return run(chosen, on_progress=on_progress, stop=stop, log=log, started=started,
               registry=registry)


def check(problem: Any, document: Mapping[str, Any], *,
          registry: Registry | None = None) -> CheckReport:
    """Check a solution document against a problem, independently of any solver.

    The report's ``ok`` is True when nothing is wrong; ``violations`` says what is.
    """
    from optikit.runner import check_solution

    return check_solution(load(problem, registry=registry), document)


def problem_types(*, registry: Registry | None = None) -> dict[str, ProblemType]:
    """The installed problem types by name (schema, formulations, samples, ...)."""
    reg = _registry(registry)
    return dict(sorted(reg.problem_types.items()))


@dataclass(frozen=True)
class SolverInfo:
    """One solver backend as users see it."""

    name: str
    paradigms: tuple[str, ...]
    available: bool
    reason: str
    version: str
    description: str
    supports_integer: bool


def solvers(*, registry: Registry | None = None) -> list[SolverInfo]:
    """Every registered solver, with whether it can run here and why not."""
    reg = _registry(registry)
    out = []
    for name, backend in sorted(reg.backends.items()):
        status = reg.availability(backend)
        out.append(SolverInfo(name, tuple(sorted(backend.paradigms)), status.available,
                              status.reason, status.version, backend.description,
                              backend.supports_integer))
    return out


def replan(
    problem: Any,
    solution: Any,
    events: Any,
    *,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    stop: threading.Event | None = None,
    log: Callable[[str], None] | None = None,
    registry: Registry | None = None,
    **settings: Any,
) -> Solution:
    """Re-plan an existing schedule after events (machine down, rush order, cancellation,
    an operation running late) and return the checked new plan.

    ``solution``: the old solution document (a path or a mapping), as ``solve`` wrote it;
    ``events``: the events document (a path or a mapping; see docs/contract.md,
    "Re-planning").  ``settings`` are :func:`solve`'s: ``solver``, ``formulation``,
    ``time_limit``, ``threads``, ``seed``, ``gap``, ``options``, ``verbose``.  The new
    document carries the disruption against the old plan under ``replan``.  Types without
    re-planning raise :class:`InputError`.
    """
    import time

    started = time.monotonic()
    chosen = replan_plan(problem, solution, events, registry=registry, **settings)
    return finish_replan(run(chosen, on_progress=on_progress, stop=stop, log=log,
                             started=started, registry=registry))


def replan_plan(problem: Any, solution: Any, events: Any, *,
                registry: Registry | None = None, **settings: Any) -> SolvePlan:
    """:func:`plan` (same keywords in ``settings``) for a re-planning task; raises
    :class:`InputError` before any solve."""
    from optikit.replan import prepare

    reg = _registry(registry)
    task = prepare(load(problem, registry=reg), solution, events)
    return plan(task, registry=reg, **settings)


def finish_replan(solution: Solution) -> Solution:
    """Move the checker's disruption figures to the document's ``replan`` key."""
    check = solution.document.get("check")
    figures = check.get("figures") if isinstance(check, dict) else None
    if isinstance(figures, dict) and isinstance(figures.get("replan"), dict):
        solution.document["replan"] = figures.pop("replan")
    return solution
