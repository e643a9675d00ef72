"""The ``cpsat`` backend: solves a formulation's ``CpModel`` with OR-Tools CP-SAT.

It maps the run's shared options onto CpSolver parameters, streams incumbents and bounds
to ``ctx.report`` (in the problem's units, via ``objective_scale``/``objective_offset``),
and stops the search when ``ctx.stop`` is set so that Ctrl-C returns the best schedule
found so far instead of nothing.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from optikit import paradigms
from optikit.options import OptionDecl, OptionNamespace
from optikit.paradigms import CpResult
from optikit.types import Availability, SolveContext, Status
from optikit_ortools.highs_clash import remember_load_order

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

# How often the stop watcher looks at ctx.stop (seconds): prompt, and negligible CPU.
_STOP_POLL_S = 0.05
#: ``--option cpsat.<parameter>=<value>`` sets any CpSolver parameter from the command line.
OPTION_PREFIX = "cpsat."


def options_for_cpsat(extra: Mapping[str, Any]) -> dict[str, Any]:
    """The ``cpsat.*`` entries of ``SolveOptions.extra``, without the prefix.

    Other keys belong to formulations or other backends and are left alone here.
    """
    return {k[len(OPTION_PREFIX) :]: v for k, v in extra.items() if k.startswith(OPTION_PREFIX)}


class CpSatBackend(paradigms.CpSatBackend):
    name = "cpsat"
    description = "OR-Tools CP-SAT (constraint programming / SAT, integer models)"
    supports_integer = True

    def availability(self) -> Availability:
        return _probe()

    def options(self) -> Sequence[OptionDecl]:
        from optikit_ortools.sat_parameters import check_parameter, parameter_names

        return (
            OptionNamespace(
                OPTION_PREFIX,
                "any CP-SAT parameter (SatParameters field), e.g. "
                "cpsat.linearization_level=2, cpsat.symmetry_level=4",
                check_parameter,
                parameter_names,
            ),
        )

    def solve(
        self,
        model: cp_model.CpModel,
        ctx: SolveContext,
        *,
        hint: Mapping[Any, int] | None = None,
        time_limit: float | None = None,
        workers: int | None = None,
        objective_scale: float = 1.0,
        objective_offset: float = 0.0,
        parameters: Mapping[str, Any] | None = None,
        report_progress: bool = True,
    ) -> CpResult:
        """Solve ``model``; objective and bound come back as ``raw * scale + offset``.

        ``parameters`` (CpSolver parameter names) override ``--option cpsat.<name>``
        values, which override the run's options (threads, seed, gap); the time limit is
        always the tightest of ``time_limit``, the shared deadline and any passed limit.
        """
        remember_load_order()
        from ortools.sat.python import cp_model

        from optikit_ortools.sat_parameters import (
            apply_parameters,
            keep_python_sigint,
            solve_in_flight,
        )

        solver = cp_model.CpSolver()
        params = solver.parameters
        num_workers = workers if workers is not None else ctx.options.threads
        params.num_workers = max(1, int(num_workers))
        params.random_seed = int(ctx.options.seed)
        params.relative_gap_limit = float(ctx.options.gap)
        params.log_to_stdout = False  # stdout belongs to the CLI (--json)
        if ctx.options.verbose:
            params.log_search_progress = True
            solver.log_callback = ctx.log
        chosen = {**options_for_cpsat(ctx.options.extra), **(parameters or {})}
        if chosen:
            apply_parameters(params, chosen)
        keep_python_sigint(params)
        limit = _effective_limit(time_limit, ctx.remaining(), params.max_time_in_seconds)
        if limit is not None:
            params.max_time_in_seconds = limit

        def scaled(raw: float) -> float:
            return raw * objective_scale + objective_offset

        has_objective = model.has_objective()
        if ctx.stop.is_set():
            return CpResult(Status.UNKNOWN, message="stopped before the search started")

        callback = None
        if report_progress and has_objective:
            callback = _progress_callback(ctx, scaled, solver.stop_search)
        if callback is not None:
            solver.best_bound_callback = callback.on_bound

        saved_hint = _install_hint(model, hint) if hint else None
        watcher = _StopWatcher(ctx.stop, solver)
        watcher.start()
        try:
            status = solve_in_flight(solver, model, callback)
        finally:
            watcher.finish()
            if saved_hint is not None:
                _restore_hint(model, saved_hint)
        if callback is not None and callback.error is not None:
            raise RuntimeError(
                f"progress reporting failed during the CP-SAT search: {callback.error!r}"
            ) from callback.error

        mapped = _map_status(status)
        result = CpResult(
            status=mapped,
            wall_time=solver.wall_time,
            stats={
                "wall_time": solver.wall_time,
                "user_time": solver.user_time,
                "deterministic_time": solver.deterministic_time,
                "branches": solver.num_branches,
                "conflicts": solver.num_conflicts,
                "workers": params.num_workers,
                "solutions": callback.solutions if callback is not None else None,
                "cp_sat_status": solver.status_name(status),
                "stopped_by_user": watcher.fired,
            },
        )
        if mapped is Status.ERROR:
            result.message = model.validate() or "CP-SAT reports an invalid model"
        elif mapped is Status.INFEASIBLE:
            result.message = "CP-SAT proved the model infeasible"
        elif mapped is Status.UNKNOWN:
            result.message = (
                "stopped by the user before a solution was found"
                if watcher.fired
                else "no solution found within the limits"
            )
        elif mapped is Status.FEASIBLE:
            result.message = (
                "stopped by the user; best solution so far"
                if watcher.fired
                else "limit reached; best solution so far"
            )
        if mapped.has_solution:
            result.value = solver.value
            result.boolean_value = solver.boolean_value
            if has_objective:
                result.objective = scaled(solver.objective_value)
                result.bound = scaled(solver.best_objective_bound)
        return result


def _effective_limit(
    time_limit: float | None, remaining: float | None, from_parameters: float
) -> float | None:
    """The tightest of the caller's limit, the shared deadline and a passed-through limit."""
    limits = [t for t in (time_limit, remaining) if t is not None]
    if from_parameters != float("inf") and from_parameters > 0:
        limits.append(from_parameters)
    return max(0.0, min(limits)) if limits else None


def _map_status(status: Any) -> Status:
    from ortools.sat.python import cp_model

    return {
        cp_model.OPTIMAL: Status.OPTIMAL,
        cp_model.FEASIBLE: Status.FEASIBLE,
        cp_model.INFEASIBLE: Status.INFEASIBLE,
        cp_model.MODEL_INVALID: Status.ERROR,
        cp_model.UNKNOWN: Status.UNKNOWN,
    }.get(status, Status.UNKNOWN)


def _progress_callback(ctx: SolveContext, scaled: Any, stop_search: Any) -> Any:
    return _callback_class()(ctx, scaled, stop_search)


@functools.cache
def _callback_class() -> type:
    """The solution-callback class, built on first use so this module imports without ortools.

    Raising inside a CP-SAT callback can abort the process with several workers, so a
    failure of ``ctx.report`` is stored, the search is stopped, and the backend re-raises
    it after ``solve`` returns.  Solution and bound callbacks arrive on CP-SAT's threads,
    so reports are serialised with a lock.
    """
    from ortools.sat.python import cp_model

    class ProgressCallback(cp_model.CpSolverSolutionCallback):
        def __init__(self, ctx: SolveContext, scaled: Any, stop_search: Any) -> None:
            super().__init__()
            self.ctx = ctx
            self.scaled = scaled
            # The solver's stop_search, not the callback's: it works from the bound
            # callback too, which has no solution response of its own.
            self.stop_solver = stop_search
            self.error: BaseException | None = None
            self.solutions = 0
            self._lock = threading.Lock()

        def on_solution_callback(self) -> None:
            try:
                with self._lock:
                    self.solutions += 1
                    self.ctx.report(
                        self.scaled(self.objective_value),
                        self.scaled(self.best_objective_bound),
                        source="cpsat",
                    )
            except BaseException as exc:  # never let an exception cross into C++
                self._fail(exc)

        def on_bound(self, bound: float) -> None:
            try:
                with self._lock:
                    self.ctx.report(None, self.scaled(bound), source="cpsat")
            except BaseException as exc:
                self._fail(exc)

        def _fail(self, exc: BaseException) -> None:
            if self.error is None:
                self.error = exc
            self.stop_solver()

    return ProgressCallback


class _StopWatcher:
    """Calls ``solver.stop_search()`` once ``stop`` is set, until ``solve`` has returned.

    It keeps calling while the solve runs, because a stop requested in the instant before
    CP-SAT's search starts would otherwise be lost.
    """

    def __init__(self, stop: threading.Event, solver: Any) -> None:
        self._stop = stop
        self._solver = solver
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpsat-stop-watcher", daemon=True)
        self.fired = False

    def start(self) -> None:
        self._thread.start()

    def finish(self) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._done.wait(_STOP_POLL_S):
            if self._stop.is_set():
                self.fired = True
                self._solver.stop_search()


def _install_hint(model: Any, hint: Mapping[Any, int]) -> tuple[list[int], list[int]]:
    """Add ``hint`` to the model's hint (overriding the same variables); returns the old hint.

    CP-SAT rejects a hint that names a variable twice, and the caller's model must not keep
    our hint after the solve (a later solve may hint differently), hence save and restore.
    """
    proto_hint = model.proto.solution_hint
    old_vars, old_values = list(proto_hint.vars), list(proto_hint.values)
    model.clear_hints()
    for var, value in hint.items():
        model.add_hint(var, value)
    proto_hint = model.proto.solution_hint
    hinted = set(proto_hint.vars)
    keep = [(v, x) for v, x in zip(old_vars, old_values, strict=True) if v not in hinted]
    proto_hint.vars.extend(v for v, _ in keep)
    proto_hint.values.extend(x for _, x in keep)
    return old_vars, old_values


def _restore_hint(model: Any, saved: tuple[list[int], list[int]]) -> None:
    model.clear_hints()
    proto_hint = model.proto.solution_hint
    proto_hint.vars.extend(saved[0])
    proto_hint.values.extend(saved[1])


@functools.cache
def _probe() -> Availability:
    """Import CP-SAT and solve a one-variable model; cached for the process."""
    remember_load_order()
    try:
        import ortools
        from ortools.sat.python import cp_model

        model = cp_model.CpModel()
        x = model.new_int_var(0, 3, "x")
        model.maximize(x)
        from optikit_ortools.sat_parameters import keep_python_sigint

        solver = cp_model.CpSolver()
        keep_python_sigint(solver.parameters)
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 5.0
        status = solver.solve(model)
        if status != cp_model.OPTIMAL or solver.value(x) != 3:
            return Availability(
                False, f"CP-SAT probe returned {solver.status_name(status)}", _version(ortools)
            )
        return Availability(True, "", _version(ortools))
    except Exception as exc:  # any failure means "not available here", with the reason
        return Availability(False, f"OR-Tools CP-SAT unusable: {type(exc).__name__}: {exc}")


def _version(module: Any) -> str:
    return str(getattr(module, "__version__", ""))
