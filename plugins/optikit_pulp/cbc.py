"""The ``cbc`` backend: CBC through PuLP, with the CBC binary bundled in PuLP's wheel.

PuLP's ``PULP_CBC_CMD`` class warns that it is deprecated; ``COIN_CMD`` pointed at the
same bundled binary runs the same solver without the warning.  The status is derived
from CBC's own words (solution file status via PuLP's ``sol_status``, cross-checked with
the log's ``Result -`` line), never from PuLP's ``status``, which calls a time-limited run
"Optimal".  The bound comes from the log's summary.

CBC always runs sequentially, whatever ``--threads`` says: the bundled CBC 2.10.3's
threaded mode can stall at start-up for 10 s and then stop "on time limit" with an
unproven answer (its log says "Thread 0 used 0 times, waiting to start 10.0"): here 1
run in 15 with ``-threads 1`` and 1 in 40 with ``-threads 2`` on a 6-variable knapsack,
none in 120 sequential runs.
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from optikit.paradigms import LinearModel, LinearResult, start_point
from optikit.types import Availability, SolveContext, Status
from optikit_pulp.base import PulpLinearBackend, probe_result, solver_time_limit
from optikit_pulp.pulp_import import import_pulp


class CbcBackend(PulpLinearBackend):
    name = "cbc"
    description = "COIN-OR CBC (branch-and-cut) through PuLP, using PuLP's bundled binary"

    def availability(self) -> Availability:
        return _probe()

    def run(self, model: LinearModel, ctx: SolveContext) -> LinearResult:
        return _run(model, ctx)


def bundled_cbc_path() -> str:
    pulp = import_pulp()

    return str(pulp.PULP_CBC_CMD.pulp_cbc_path)


@functools.cache
def _cbc_class() -> type:
    """PuLP's ``COIN_CMD`` whose time limit is what is left of the run when CBC starts.

    PuLP writes the MPS file before it reads ``timeLimit`` for CBC's command line; on a
    large model that takes seconds, which must come out of the user's limit.
    """
    pulp = import_pulp()
    base: Any = pulp.COIN_CMD

    class DeadlineCbc(base):
        ctx: SolveContext | None = None

        @property
        def timeLimit(self) -> float | None:  # PuLP's attribute name
            return None if self.ctx is None else solver_time_limit(self.ctx)

        @timeLimit.setter
        def timeLimit(self, value: float | None) -> None:
            """Ignored: the limit always comes from the run's deadline."""

    return DeadlineCbc


def _run(model: LinearModel, ctx: SolveContext) -> LinearResult:
    pulp = import_pulp()

    from optikit_pulp.cbc_log import parse_cbc_log, version_in_log
    from optikit_pulp.cbc_progress import CbcProgress, follow_log
    from optikit_pulp.child_stop import ChildStopper, run_children_in_own_session
    from optikit_pulp.pulp_model import build_pulp_model
    from optikit_pulp.results import solution_result

    pm = build_pulp_model(model)
    if pm.empty_row_infeasible:
        return LinearResult(Status.INFEASIBLE, message="a row without columns excludes 0")
    if ctx.stop.is_set():  # building a large model takes seconds: don't also write it
        return LinearResult(Status.UNKNOWN, message="stopped by the user before CBC started")
    options = ctx.options
    extra = [f"randomCbcSeed {int(options.seed)}"] if options.seed > 0 else []
    start = start_point(model)
    if start is not None:  # CBC reads it as a MIP start (PuLP writes it with -mips)
        for variable, value in zip(pm.variables, start.tolist(), strict=True):
            variable.varValue = value
    # CBC in its own session: Ctrl-C reaches it only through optikit (see child_stop).
    run_children_in_own_session(sys.modules[pulp.COIN_CMD.__module__])
    # PuLP's model, solution and log files in a folder of our own, removed even when CBC
    # had to be killed (PuLP then leaves its files behind).
    with tempfile.TemporaryDirectory(prefix="optikit-cbc-") as folder:
        log_path = Path(folder) / "cbc.log"
        solver = _cbc_class()(
            path=bundled_cbc_path(),
            msg=False,  # stdout belongs to the CLI; the log goes to a file instead
            logPath=str(log_path),
            threads=None,  # sequential, see the module docstring
            gapRel=float(options.gap) if model.is_mip else None,
            options=extra,
            warmStart=start is not None,
        )
        solver.tmpDir = folder
        solver.ctx = ctx
        progress = CbcProgress(ctx, -1.0 if model.sense == "max" else 1.0, float(model.offset))
        stopper = ChildStopper(ctx.stop)
        failure: str | None = None
        try:
            with follow_log(log_path, progress), stopper.watching():
                pm.problem.solve(solver)
        except pulp.PulpSolverError as exc:
            failure = str(exc)
        log = log_path.read_text(errors="replace") if log_path.exists() else ""
    stats: dict[str, Any] = {
        "threads": 1,
        "cbc_version": version_in_log(log),
        "stopped_by_user": stopper.interrupted or stopper.killed,
    }
    if options.verbose:
        for line in log.splitlines():
            ctx.log(line)
    if failure is not None:
        if stopper.killed_before_search:
            return LinearResult(Status.UNKNOWN, message="stopped by the user before CBC started",
                                stats=stats)
        if stopper.killed:
            return _killed(progress.best, stats)
        return LinearResult(Status.ERROR, message=f"cbc failed: {failure}", stats=stats)
    summary = parse_cbc_log(log)
    stats.update(
        pulp_status=pulp.LpStatus.get(pm.problem.status, str(pm.problem.status)),
        pulp_sol_status=int(pm.problem.sol_status),
        cbc_result=summary.result,
    )
    if progress.error:
        stats["progress_error"] = progress.error
    status = _status(pm.problem.status, pm.problem.sol_status, summary.stopped)
    detail = summary.result or stats["pulp_status"]
    if not status.has_solution:
        message = detail if status is not Status.UNKNOWN else f"no solution found ({detail})"
        return LinearResult(status, message=message, stats=stats)
    result = solution_result(pm, model, status, None, max_dual_sign=1.0, message=detail)
    result.stats = stats
    if model.is_mip and result.objective is not None:
        result.bound = _bound(summary, result.objective, log, proven=status is Status.OPTIMAL)
    return result


def _killed(best: float | None, stats: dict[str, Any]) -> LinearResult:
    """CBC ignored the stop request (preprocessing, heuristics) and was killed."""
    from optikit_pulp.child_stop import KILL_AFTER_S

    lost = f"; its best objective so far, {best:g}, was lost with it" if best is not None else ""
    return LinearResult(
        Status.UNKNOWN,
        message=(
            f"stopped by the user: CBC did not stop within {KILL_AFTER_S:g} s of the request "
            f"(it checks for one only between branch-and-bound nodes) and was ended{lost}"
        ),
        stats=stats,
    )


def _status(status: int, sol_status: int, stopped: bool) -> Status:
    pulp = import_pulp()

    if sol_status == pulp.LpSolutionOptimal:
        return Status.FEASIBLE if stopped else Status.OPTIMAL
    if sol_status == pulp.LpSolutionIntegerFeasible:
        return Status.FEASIBLE
    if status == pulp.LpStatusInfeasible:
        return Status.INFEASIBLE
    if status == pulp.LpStatusUnbounded:
        return Status.UNBOUNDED
    if status in (pulp.LpStatusNotSolved, pulp.LpStatusOptimal):
        return Status.UNKNOWN
    return Status.ERROR


def _bound(summary: Any, objective: float, log: str, proven: bool) -> float | None:
    """The log's bound shifted to our objective (CBC never sees PuLP's constant term)."""
    from optikit_pulp.cbc_log import objective_in_log

    if summary.bound is None:
        return objective if proven else None
    printed = objective_in_log(log)
    if printed is None:
        return None
    return summary.bound + (objective - printed)


@functools.cache
def _probe() -> Availability:
    """Find the bundled CBC and solve a one-variable MILP with it; cached per process."""
    try:
        pulp = import_pulp()

        version = f"pulp {pulp.__version__}"
        path = bundled_cbc_path()
        if not os.access(path, os.X_OK):
            return Availability(False, f"PuLP's bundled CBC is missing or not executable: {path}")
        passed, reason, result = probe_result(CbcBackend())
        if not passed:
            return Availability(False, f"CBC probe solve failed: {reason}", version)
        cbc_version = result.stats.get("cbc_version")
        return Availability(True, "", f"CBC {cbc_version} ({version})" if cbc_version else version)
    except Exception as exc:
        return Availability(False, f"CBC through PuLP unusable: {type(exc).__name__}: {exc}")
