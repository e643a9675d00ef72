"""Linear backends on OR-Tools MathOpt: ``glop``, ``pdlp``, ``scip`` and ``ortools-highs``.

The model goes to MathOpt's solver entry point as a ``ModelProto`` built from the
arrays (:mod:`optikit_ortools.mathopt_model`), and the ``SolveResultProto`` is read back
by position, so nothing is created per variable in Python.  MathOpt already reports duals
as d(objective)/d(bound) in the model's own sense for both senses (checked by finite
differences in ``tests/backends``), which is optikit's convention.
"""

from __future__ import annotations

import functools
import math
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from optikit.native import call_stoppable, left_behind_result
from optikit.paradigms import (
    LinearBackend,
    LinearModel,
    LinearResult,
    answer_without_solver,
    start_point,
)
from optikit.types import Availability, Paradigm, SolveContext, Status, UsageError

_STOP_POLL_S = 0.05


@dataclass(frozen=True)
class SolverSpec:
    """What MathOpt accepts and returns for one underlying solver (found by probing)."""

    solver_type: str  # a SolverTypeProto name, e.g. "SOLVER_TYPE_GLOP"
    supports_integer: bool
    threads: bool  # accepts SolveParameters.threads
    seed: bool  # accepts SolveParameters.random_seed
    duals: bool  # returns LP duals and reduced costs
    mip_progress: bool  # fires CALLBACK_EVENT_MIP_SOLUTION
    first_order: bool = False  # PDLP: needs tight tolerances to pass optikit's checker


GLOP = SolverSpec(
    "SOLVER_TYPE_GLOP", False, threads=True, seed=True, duals=True, mip_progress=False
)
PDLP = SolverSpec(
    "SOLVER_TYPE_PDLP",
    False,
    threads=True,
    seed=False,
    duals=True,
    mip_progress=False,
    first_order=True,
)
GSCIP = SolverSpec(
    "SOLVER_TYPE_GSCIP", True, threads=False, seed=True, duals=False, mip_progress=True
)
HIGHS = SolverSpec(
    "SOLVER_TYPE_HIGHS", True, threads=False, seed=True, duals=True, mip_progress=False
)

# PDLP stops at a relative residual of 1e-6 by default, which leaves rows violated by more
# than the checker's 1e-6 relative tolerance; a componentwise 1e-9 keeps answers checkable.
_PDLP_EPS = 1e-9


class MathOptBackend(LinearBackend):
    """One MathOpt solver behind optikit's ``linear`` paradigm."""

    paradigm = Paradigm.LINEAR

    def __init__(self, name: str, spec: SolverSpec, description: str) -> None:
        self.name = name
        self.spec = spec
        self.description = description
        self.supports_integer = spec.supports_integer

    def availability(self) -> Availability:
        return _probe(self.spec)

    def solve(self, model: Any, ctx: SolveContext, **kwargs: Any) -> LinearResult:
        if kwargs:
            raise TypeError(f"{self.name} backend: unexpected arguments {sorted(kwargs)}")
        if not isinstance(model, LinearModel):
            raise TypeError(f"{self.name} backend needs a LinearModel, not {type(model).__name__}")
        if model.is_mip and not self.spec.supports_integer:
            raise UsageError(f"{self.name} solves LPs only; use highs, cbc or scip")
        early = answer_without_solver(model, ctx)
        if early is not None:
            return early
        clash = _clash(self.spec)
        if clash is not None:
            return LinearResult(Status.ERROR, message=f"{self.name}: {clash}")
        return _MathOptRun(self.name, self.spec, model, ctx).run()


class _MathOptRun:
    """One solve: parameters, progress callback, stop watcher, and reading the result."""

    def __init__(
        self,
        name: str,
        spec: SolverSpec,
        model: LinearModel,
        ctx: SolveContext,
        attended: bool = True,
    ) -> None:
        self.name = name
        self.spec = spec
        self.model = model
        self.ctx = ctx
        # An unattended run (the availability probe) has no stop flag or progress to
        # serve; without MathOpt's interrupter and callback, gSCIP stays silent on stderr.
        self.attended = attended
        self.callback_error: str | None = None
        self.interrupted = False
        self.best: float | None = None
        self.best_x: np.ndarray | None = None  # the best incumbent, for a run left behind
        self.abandoned = False
        self.settled = ""

    def run(self) -> LinearResult:
        from optikit_ortools.mathopt_model import to_model_proto

        proto = to_model_proto(self.model)
        result = self._solve(proto)
        if isinstance(result, LinearResult):
            return result
        status = self._status(result)
        if status is None:  # MathOpt could not tell infeasible from unbounded
            status = self._infeasible_or_unbounded(proto)
        translated = self._translate(result, status)
        if self.callback_error:
            translated.message = (
                f"{translated.message} (progress callback failed: {self.callback_error})".strip()
            )
        return translated

    # --- solving -------------------------------------------------------------------------

    def _solve(self, proto: Any) -> Any:
        """Run MathOpt; a LinearResult(ERROR) when MathOpt refuses, else a SolveResultProto."""
        from ortools.math_opt import callback_pb2, parameters_pb2
        from ortools.math_opt.core.python import solver
        from ortools.util.python import solve_interrupter

        from optikit_ortools.scip_errors import scip_errors_silenced

        solver_type = parameters_pb2.SolverTypeProto.Value(self.spec.solver_type)
        registration = callback_pb2.CallbackRegistrationProto()
        callback = None
        if self.attended and self.spec.mip_progress and self.model.is_mip:
            registration.request_registration.append(callback_pb2.CALLBACK_EVENT_MIP_SOLUTION)
            callback = self._on_callback
        message_callback = self._on_messages if self.ctx.options.verbose else None
        interrupter = solve_interrupter.SolveInterrupter() if self._interruptible() else None
        done = threading.Event()
        watcher = threading.Thread(target=self._watch_stop, args=(interrupter, done), daemon=True)
        if interrupter is not None:
            watcher.start()
        quiet = self.spec.solver_type == GSCIP.solver_type and not self.ctx.options.verbose
        parameters, model_parameters = self._parameters(), self._model_parameters()

        def call() -> Any:
            with scip_errors_silenced(quiet):
                return solver.solve(
                    proto,
                    solver_type,
                    parameters_pb2.SolverInitializerProto(),
                    parameters,
                    model_parameters,
                    message_callback,
                    registration,
                    callback,
                    interrupter.pybind_interrupter if interrupter is not None else None,
                )

        try:
            returned, result = call_stoppable(call, self.ctx)
        except Exception as exc:  # StatusNotOk: MathOpt rejected the model or parameters
            message = getattr(exc, "message", None) or str(exc)
            return LinearResult(Status.ERROR, message=f"{self.name}: {message}")
        finally:
            done.set()
            if interrupter is not None:
                watcher.join()
        if not returned:
            return self._left_running()
        return result

    def _left_running(self) -> LinearResult:
        """The solver did not honour the stop in time: answer with its last incumbent."""
        self.abandoned = True
        return left_behind_result(self.name, self.ctx, self.best_x, self.best,
                                  self.model.num_cols)

    def _model_parameters(self) -> Any:
        """Per-model parameters: a MIP's known feasible point (``model.hint``, e.g. a
        heuristic's plan) as a solution hint, which the solver tries as a start."""
        from ortools.math_opt import model_parameters_pb2

        params = model_parameters_pb2.ModelSolveParametersProto()
        start = self._start()
        if start is not None:
            add_hint(params, start)
        return params

    def _start(self) -> np.ndarray | None:
        """The hint to pass (MIPs only: an LP has nothing to start from)."""
        return start_point(self.model) if self.spec.supports_integer else None

    def _interruptible(self) -> bool:
        """Whether to hand MathOpt an interrupter for ``ctx.stop``.

        gSCIP's interrupt event handler fails to register its events with SCIP 10
        whenever an interrupter or a callback is attached (see ``scip_errors``); for an
        LP, which SCIP solves in moments, a stop request is not worth that.
        """
        if not self.attended:
            return False
        return self.model.is_mip or self.spec.solver_type != GSCIP.solver_type

    def _parameters(self) -> Any:
        from ortools.math_opt import parameters_pb2

        options = self.ctx.options
        params = parameters_pb2.SolveParametersProto()
        remaining = self.ctx.remaining()
        if remaining is not None:
            params.time_limit.FromNanoseconds(max(1, int(remaining * 1e9)))
        if self.spec.threads:
            threads = max(1, int(options.threads))
            if self.spec.first_order:
                # PDLP prints a warning on stdout (which belongs to the CLI) when given
                # more threads than max(rows, columns); it would use no more anyway.
                threads = min(threads, max(1, self.model.num_cols, self.model.num_rows))
            params.threads = threads
        if self.spec.seed:
            params.random_seed = int(options.seed) % 2_147_483_647
        if self.model.is_mip:
            params.relative_gap_tolerance = float(options.gap)
        params.enable_output = bool(options.verbose)
        if self.spec.first_order:
            from ortools.pdlp import solvers_pb2

            criteria = params.pdlp.termination_criteria
            criteria.optimality_norm = solvers_pb2.OPTIMALITY_NORM_L_INF_COMPONENTWISE
            criteria.simple_optimality_criteria.eps_optimal_absolute = _PDLP_EPS
            criteria.simple_optimality_criteria.eps_optimal_relative = _PDLP_EPS
        return params

    def _watch_stop(self, interrupter: Any, done: threading.Event) -> None:
        while not done.wait(_STOP_POLL_S):
            if self.ctx.stop.is_set():
                self.interrupted = True
                interrupter.interrupt()
                return

    # --- callbacks (solver threads; never raise) -----------------------------------------

    def _on_callback(self, data: Any) -> Any:
        from ortools.math_opt import callback_pb2

        result = callback_pb2.CallbackResultProto()
        try:
            if self.ctx.stop.is_set() or self.abandoned:
                result.terminate = True
            if self.abandoned:  # nobody reads this run any more
                return result
            vector = data.primal_solution_vector
            if len(vector.ids):
                ids = np.fromiter(vector.ids, dtype=np.int64, count=len(vector.ids))
                values = np.fromiter(vector.values, dtype=np.float64, count=len(vector.values))
                objective = float(self._objective_of(ids, values))
                # SCIP announces every solution its heuristics find, better or not.
                if self.best is None or self._better(objective, self.best):
                    x = np.zeros(self.model.num_cols, dtype=np.float64)
                    x[ids] = values
                    self.best_x = x
                    self.best = objective
                    bound = float(data.mip_stats.dual_bound)
                    self.ctx.report(objective, bound if math.isfinite(bound) else None, self.name)
        except Exception as exc:
            self.callback_error = self.callback_error or repr(exc)
        return result

    def _objective_of(self, ids: np.ndarray, values: np.ndarray) -> float:
        """The model's objective at a (sparse) point reported by the solver."""
        return float(self.model.c[ids] @ values) + self.model.offset

    def _better(self, objective: float, than: float) -> bool:
        return objective > than if self.model.sense == "max" else objective < than

    def _on_messages(self, lines: list[str]) -> None:
        try:
            for line in lines:
                self.ctx.log(line)
        except Exception as exc:
            self.callback_error = self.callback_error or repr(exc)

    # --- reading the result --------------------------------------------------------------

    def _status(self, result: Any) -> Status | None:
        from ortools.math_opt import result_pb2 as r

        reason = result.termination.reason
        if reason == r.TERMINATION_REASON_OPTIMAL:
            return Status.OPTIMAL
        if reason == r.TERMINATION_REASON_INFEASIBLE:
            return Status.INFEASIBLE
        if reason == r.TERMINATION_REASON_UNBOUNDED:
            return Status.UNBOUNDED
        if reason == r.TERMINATION_REASON_INFEASIBLE_OR_UNBOUNDED:
            problem = result.termination.problem_status
            if problem.primal_status == r.FEASIBILITY_STATUS_INFEASIBLE:
                return Status.INFEASIBLE
            if problem.primal_status == r.FEASIBILITY_STATUS_FEASIBLE:
                return Status.UNBOUNDED
            return None
        if reason in (
            r.TERMINATION_REASON_FEASIBLE,
            r.TERMINATION_REASON_NO_SOLUTION_FOUND,
            r.TERMINATION_REASON_IMPRECISE,
        ):
            return Status.FEASIBLE if _feasible_solution(result) is not None else Status.UNKNOWN
        return Status.ERROR

    def _infeasible_or_unbounded(self, proto: Any) -> Status:
        """Settle MathOpt's "infeasible or unbounded" by solving with a zero objective.

        Infeasible stays infeasible; a feasible point means the objective is unbounded.
        """
        proto.objective.ClearField("linear_coefficients")
        if self.ctx.expired():
            return Status.UNKNOWN
        probe = self._solve(proto)
        if isinstance(probe, LinearResult):
            return Status.UNKNOWN
        status = self._status(probe)
        if status is Status.INFEASIBLE:
            self.settled = "infeasible (settled by a zero-objective re-solve)"
            return Status.INFEASIBLE
        if status in (Status.OPTIMAL, Status.FEASIBLE):
            self.settled = (
                "unbounded (a feasible point exists; settled by a zero-objective re-solve)"
            )
            return Status.UNBOUNDED
        return Status.UNKNOWN

    def _translate(self, result: Any, status: Status) -> LinearResult:
        from ortools.math_opt import result_pb2

        termination = result.termination
        stats = _stats(result)
        reason = result_pb2.TerminationReasonProto.Name(termination.reason)
        detail = self.settled or termination.detail or reason
        if status is Status.ERROR:
            return LinearResult(Status.ERROR, message=f"{self.name} failed: {detail}", stats=stats)
        if status is Status.INFEASIBLE:
            return LinearResult(Status.INFEASIBLE, message=detail, stats=stats)
        if status is Status.UNBOUNDED:
            return LinearResult(Status.UNBOUNDED, message=detail, stats=stats)
        if status is Status.UNKNOWN:
            why = "stopped by the user" if self.interrupted else "no solution within the limits"
            if termination.reason == result_pb2.TERMINATION_REASON_INFEASIBLE_OR_UNBOUNDED:
                why = "could not tell infeasible from unbounded within the limits"
            return LinearResult(Status.UNKNOWN, message=f"{why} ({detail})", stats=stats)
        solution = _feasible_solution(result)
        if solution is None:  # OPTIMAL without a primal solution never happens; be safe
            return LinearResult(Status.UNKNOWN, message=f"no primal solution ({detail})")
        x = _dense(solution.primal_solution.variable_values, self.model.num_cols)
        objective = float(solution.primal_solution.objective_value)
        bound = self._bound(result, status, objective)
        out = LinearResult(status, x=x, objective=objective, bound=bound, stats=stats)
        if status is Status.FEASIBLE:
            out.message = detail
        if status is Status.OPTIMAL and not self.model.is_mip and self.spec.duals:
            dual = solution.dual_solution
            if dual.feasibility_status == _solution_feasible():
                out.row_duals = _dense(dual.dual_values, self.model.num_rows)
                out.col_duals = _dense(dual.reduced_costs, self.model.num_cols)
        return out

    def _bound(self, result: Any, status: Status, objective: float) -> float | None:
        if not self.model.is_mip:
            return objective if status is Status.OPTIMAL else None
        bound = float(result.termination.objective_bounds.dual_bound)
        return bound if math.isfinite(bound) else None


def add_hint(params: Any, values: np.ndarray) -> None:
    """``values`` (one per column) as a MathOpt solution hint."""
    entry = params.solution_hints.add()
    entry.variable_values.ids.extend(range(values.shape[0]))
    entry.variable_values.values.extend(values.tolist())


def _solution_feasible() -> int:
    from ortools.math_opt import solution_pb2

    return int(solution_pb2.SOLUTION_STATUS_FEASIBLE)


def _feasible_solution(result: Any) -> Any:
    """The first solution whose primal part the solver calls feasible, else None."""
    feasible = _solution_feasible()
    for solution in result.solutions:
        if (
            solution.HasField("primal_solution")
            and solution.primal_solution.feasibility_status == feasible
        ):
            return solution
    return None


def _dense(vector: Any, size: int) -> np.ndarray:
    out = np.zeros(size, dtype=np.float64)
    if len(vector.ids):
        ids = np.fromiter(vector.ids, dtype=np.int64, count=len(vector.ids))
        out[ids] = np.fromiter(vector.values, dtype=np.float64, count=len(vector.values))
    return out


def _stats(result: Any) -> dict[str, Any]:
    from ortools.math_opt import result_pb2

    solve_stats = result.solve_stats
    termination = result.termination
    return {
        "termination": result_pb2.TerminationReasonProto.Name(termination.reason),
        "limit": result_pb2.LimitProto.Name(termination.limit),
        "solve_time_s": solve_stats.solve_time.ToNanoseconds() / 1e9,
        "simplex_iterations": int(solve_stats.simplex_iterations),
        "barrier_iterations": int(solve_stats.barrier_iterations),
        "first_order_iterations": int(solve_stats.first_order_iterations),
        "mip_nodes": int(solve_stats.node_count),
    }


def _clash(spec: SolverSpec) -> str | None:
    from optikit_ortools.highs_clash import clash_reason, remember_load_order

    remember_load_order()
    return clash_reason() if spec.solver_type == HIGHS.solver_type else None


def _probe(spec: SolverSpec) -> Availability:
    # A clash can arise after a successful probe (PuLP imported later), so it is checked
    # on every call rather than cached.
    clash = _clash(spec)
    if clash is not None:
        return Availability(False, clash)
    return _probe_solve(spec)


@functools.cache
def _probe_solve(spec: SolverSpec) -> Availability:
    """Solve a one-variable model with the solver; cached per process.

    MathOpt raises odd exceptions for solvers missing from the wheel (GLPK fails with an
    AttributeError inside the error conversion), so any exception means "unavailable".
    """
    try:
        import ortools

        from optikit.paradigms import LinearModelBuilder
        from optikit.types import SolveOptions

        builder = LinearModelBuilder("max")
        x = builder.add_column(1.0, 0.0, 2.5, integer=spec.supports_integer)
        builder.add_row({x: 1.0}, upper=2.0)
        ctx = SolveContext(SolveOptions(time_limit=10.0))
        result = _MathOptRun(spec.solver_type, spec, builder.build(), ctx, attended=False).run()
        if result.status is not Status.OPTIMAL or abs((result.objective or 0.0) - 2.0) > 1e-6:
            reason = result.message or result.status.value
            return Availability(False, f"probe solve failed: {reason}", _version(ortools))
        return Availability(True, "", _version(ortools))
    except Exception as exc:
        return Availability(
            False, f"MathOpt {spec.solver_type} unusable: {type(exc).__name__}: {exc}"
        )


def _version(module: Any) -> str:
    return str(getattr(module, "__version__", ""))
