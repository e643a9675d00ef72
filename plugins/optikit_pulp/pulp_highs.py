"""The ``pulp-highs`` backend: HiGHS (highspy, in process) through PuLP's ``HiGHS`` class.

PuLP maps HiGHS' time-limit, interrupt and iteration-limit statuses to "Optimal"; here
the status comes from HiGHS itself (model status plus primal solution status) through
the ``Highs`` object PuLP leaves on ``problem.solverModel``.  PuLP hands HiGHS the
negated objective of a maximisation, so HiGHS' objective, bound and duals are flipped
back for max models.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any

import numpy as np

from optikit.paradigms import LinearModel, LinearResult, start_point
from optikit.types import Availability, SolveContext, Status
from optikit_pulp.base import PulpLinearBackend, probe_result, solver_time_limit
from optikit_pulp.pulp_import import import_pulp

#: MIP presolve of HiGHS before 1.15 can return a sub-optimal point as "Optimal" (HiGHS
#: issues #2957, #3043, #3094; fixed by #2961).  The pinned highspy (<1.15, for OR-Tools)
#: is affected, so MIPs run without presolve there; see optikit_highs.backend.
MIP_PRESOLVE_FIXED = (1, 15)

# HiGHS' text for "infeasible or unbounded" (HighsModelStatus.kUnboundedOrInfeasible).
_AMBIGUOUS = "Primal infeasible or unbounded"


class PulpHighsBackend(PulpLinearBackend):
    name = "pulp-highs"
    description = "HiGHS through PuLP's HiGHS interface (highspy, in process)"

    def availability(self) -> Availability:
        return _probe()

    def run(self, model: LinearModel, ctx: SolveContext) -> LinearResult:
        return _run(model, ctx)


class _Events:
    """HiGHS callbacks for one run: stop requests and improving MIP solutions.

    They run on HiGHS' thread and must never raise; a failure is kept for the message.
    """

    def __init__(self, ctx: SolveContext, model: LinearModel) -> None:
        self.ctx = ctx
        self.sign = -1.0 if model.sense == "max" else 1.0
        self.offset = float(model.offset)
        self.error: str | None = None

    def interrupt(self, event: Any) -> None:
        try:
            if self.ctx.stop.is_set():
                event.interrupt()
        except Exception as exc:
            self.error = self.error or repr(exc)

    def log(self, event: Any) -> None:
        try:
            self.ctx.log(str(event.message).rstrip("\n"))
        except Exception as exc:
            self.error = self.error or repr(exc)

    def improving(self, event: Any) -> None:
        try:
            out = event.data_out
            objective = self.sign * float(out.objective_function_value) + self.offset
            raw_bound = float(out.mip_dual_bound)
            bound = self.sign * raw_bound + self.offset if math.isfinite(raw_bound) else None
            self.ctx.report(objective, bound, "pulp-highs")
        except Exception as exc:
            self.error = self.error or repr(exc)


@functools.cache
def _mip_presolve_trusted() -> bool:
    import highspy

    try:
        version = tuple(int(p) for p in str(highspy.Highs().version()).split(".")[:2])
    except ValueError:
        return False
    return version >= MIP_PRESOLVE_FIXED


@functools.cache
def _solver_class() -> type:
    """PuLP's HiGHS with optikit's callbacks, built on first use (PuLP imported lazily)."""
    pulp = import_pulp()  # before highspy: see optikit_pulp.pulp_import
    import highspy

    base: Any = pulp.HiGHS

    class OptikitHighs(base):
        events: _Events | None = None
        run_status: Any = None
        start: tuple[list[Any], np.ndarray] | None = None  # PuLP variables and their values

        def callSolver(self, lp: Any) -> None:
            highs = lp.solverModel
            if self.events is not None:
                # PuLP set the limit before building the model: what is left now.
                limit = solver_time_limit(self.events.ctx)
                if limit is not None:
                    highs.setOptionValue("time_limit", limit)
                highs.cbSimplexInterrupt.subscribe(self.events.interrupt)
                highs.cbIpmInterrupt.subscribe(self.events.interrupt)
                highs.cbMipInterrupt.subscribe(self.events.interrupt)
                highs.cbMipImprovingSolution.subscribe(self.events.improving)
                if self.events.ctx.options.verbose:
                    # HiGHS' log to ctx.log (stderr with --verbose), never to stdout.
                    highs.setOptionValue("log_to_console", False)
                    highs.setOptionValue("output_flag", True)
                    highs.cbLogging.subscribe(self.events.log)
            if self.start is not None:  # a MIP start, as the highs backend gives one
                variables, values = self.start
                index = np.array([v.index for v in variables], dtype=np.int32)
                highs.setSolution(len(index), index, np.ascontiguousarray(values))
            # HiGHS sizes one task scheduler per process on the first solve; a solve
            # asking for another thread count fails (model status "Not set") until the
            # scheduler is reset.  Reset after our run too, so that the next HiGHS user
            # in this process (the highs backend, say) starts a scheduler of its own size.
            try:
                self.run_status = highs.run()
                if highs.getModelStatus() == highspy.HighsModelStatus.kNotset:
                    highspy.Highs.resetGlobalScheduler(True)
                    self.run_status = highs.run()
            finally:
                highspy.Highs.resetGlobalScheduler(True)

    return OptikitHighs


def _settle(model: LinearModel, ctx: SolveContext, first: LinearResult) -> LinearResult:
    """Turn HiGHS' "infeasible or unbounded" into one of the two with a zero objective.

    Without an objective the model cannot be unbounded: infeasible stays infeasible, and
    a feasible point means the original objective is unbounded.
    """
    if ctx.expired():
        return first
    flat = dataclasses.replace(model, c=np.zeros_like(model.c))
    probe = _run(flat, ctx, settle=False)
    if probe.status is Status.INFEASIBLE:
        return LinearResult(Status.INFEASIBLE, message="infeasible (zero-objective re-solve)")
    if probe.status.has_solution:
        return LinearResult(
            Status.UNBOUNDED, message="unbounded (feasible; settled by a zero-objective re-solve)"
        )
    return first


def _run(model: LinearModel, ctx: SolveContext, settle: bool = True) -> LinearResult:
    pulp = import_pulp()

    from optikit_pulp.pulp_model import build_pulp_model

    pm = build_pulp_model(model)
    if pm.empty_row_infeasible:
        return LinearResult(Status.INFEASIBLE, message="a row without columns excludes 0")
    options = ctx.options
    events = _Events(ctx, model)
    params: dict[str, Any] = {"random_seed": int(options.seed) % 2_147_483_647}
    presolve_off = model.is_mip and not _mip_presolve_trusted()
    if presolve_off:
        params["presolve"] = "off"
    solver = _solver_class()(
        msg=False,  # HiGHS would print to stdout, which belongs to the CLI
        timeLimit=solver_time_limit(ctx),  # reset when HiGHS starts, see callSolver
        threads=max(1, int(options.threads)),
        gapRel=float(options.gap) if model.is_mip else None,
        **params,
    )
    solver.events = events
    start = start_point(model)
    solver.start = None if start is None else (pm.variables, start)
    try:
        pm.problem.solve(solver)
    except pulp.PulpSolverError as exc:
        return LinearResult(Status.ERROR, message=f"pulp-highs failed: {exc}")
    result = _translate(pm, model, pm.problem.solverModel)
    if presolve_off:
        result.stats["presolve"] = "MIP presolve off: this HiGHS can return wrong optima with it"
    result.stats["pulp_status"] = pulp.LpStatus.get(pm.problem.status, str(pm.problem.status))
    if result.stats.get("model_status") == _AMBIGUOUS and settle:
        result = _settle(model, ctx, result)
    if events.error:
        result.message = f"{result.message} (callback problem: {events.error})".strip()
    return result


def _translate(pm: Any, model: LinearModel, highs: Any) -> LinearResult:
    import highspy

    from optikit_pulp.results import solution_result

    status = highs.getModelStatus()
    info = highs.getInfo()
    text = highs.modelStatusToString(status)
    stats: dict[str, Any] = {
        "model_status": text,
        "simplex_iterations": max(0, int(info.simplex_iteration_count)),
        "mip_nodes": max(0, int(info.mip_node_count)) if model.is_mip else 0,
        "solve_time_s": float(highs.getRunTime()),
    }
    S = highspy.HighsModelStatus
    has_primal = int(info.primal_solution_status) == int(
        highspy.SolutionStatus.kSolutionStatusFeasible
    )
    if status == S.kOptimal:
        outcome = Status.OPTIMAL
    elif status == S.kInfeasible:
        return LinearResult(Status.INFEASIBLE, message=text, stats=stats)
    elif status == S.kUnbounded:
        return LinearResult(Status.UNBOUNDED, message=text, stats=stats)
    elif status == S.kUnboundedOrInfeasible:
        return LinearResult(Status.UNKNOWN, message=f"{text}: not settled", stats=stats)
    elif status in (
        S.kTimeLimit,
        S.kIterationLimit,
        S.kSolutionLimit,
        S.kInterrupt,
        S.kObjectiveBound,
        S.kObjectiveTarget,
        S.kMemoryLimit,
        S.kUnknown,
    ):
        outcome = Status.FEASIBLE if has_primal else Status.UNKNOWN
    else:
        return LinearResult(Status.ERROR, message=f"HiGHS failed: {text}", stats=stats)
    if outcome is Status.UNKNOWN:
        return LinearResult(Status.UNKNOWN, message=f"no solution found ({text})", stats=stats)
    bound = None
    if model.is_mip:
        raw = float(info.mip_dual_bound)
        sign = -1.0 if model.sense == "max" else 1.0
        bound = sign * raw + float(model.offset) if math.isfinite(raw) else None
    result = solution_result(pm, model, outcome, bound, max_dual_sign=-1.0, message=text)
    result.stats.update(stats)
    return result


@functools.cache
def _probe() -> Availability:
    """Import highspy, ask PuLP, and solve a one-variable MILP; cached per process.

    The reason names the import error, so a highspy that cannot share the process with
    OR-Tools (highspy >= 1.15 with ortools 9.15) is explained rather than just missing.
    """
    try:
        pulp = import_pulp()
    except Exception as exc:
        return Availability(False, f"PuLP cannot be imported: {type(exc).__name__}: {exc}")
    try:
        import highspy
    except Exception as exc:
        return Availability(
            False,
            f"highspy cannot be imported ({type(exc).__name__}: {exc}); the project pins "
            "highspy<1.15, the last release that can share a process with OR-Tools 9.15",
        )
    try:
        version = f"highspy {highspy.Highs().version()} via pulp {pulp.__version__}"
        if not pulp.HiGHS().available():
            return Availability(False, "PuLP reports its HiGHS interface unavailable", version)
        passed, reason, _ = probe_result(PulpHighsBackend())
        if not passed:
            return Availability(False, f"HiGHS probe solve failed: {reason}", version)
        return Availability(True, "", version)
    except Exception as exc:
        return Availability(False, f"HiGHS through PuLP unusable: {type(exc).__name__}: {exc}")
