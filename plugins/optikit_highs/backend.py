"""HiGHS through highspy: a :class:`~optikit.paradigms.LinearModel` in, a LinearResult out.

The model's CSR arrays go to HiGHS in a single ``passModel`` call (no Python loop per
coefficient), which is what keeps large blends fast.  Statuses follow optikit's rules:
``optimal`` only when HiGHS proved it, a limit with an incumbent is ``feasible``, and
HiGHS' "unbounded or infeasible" is resolved before it is reported.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from optikit.native import call_stoppable, left_behind_result, work_left_behind
from optikit.options import OptionDecl, OptionNamespace
from optikit.paradigms import (
    LinearBackend,
    LinearModel,
    LinearResult,
    answer_without_solver,
    start_point,
)
from optikit.types import Availability, SolveContext, Status, UsageError

#: ``--option highs.<name>=<value>`` passes any HiGHS option straight through.
OPTION_PREFIX = "highs."

#: An LP with at least this many columns per row skips presolve unless the user sets
#: ``highs.presolve``: with so few rows presolve removes nothing, and its passes over the
#: columns cost 2-4x the simplex itself (measured on blends of 500-60,000 materials).
WIDE_LP_COLUMNS_PER_ROW = 20

#: HiGHS releases before this one have MIP presolve defects that return a sub-optimal
#: point as "Optimal" with a zero gap (HiGHS issues #2957, #3043, #3094, fixed by #2961 in
#: 1.15.0).  Seen here on 1.13.1 and 1.14.0: a time-indexed maintenance MILP (generated
#: medium, seed 3) came back "optimal" at 709.65 and 737.31, while SCIP, OR-Tools' HiGHS
#: and HiGHS 1.15.1 prove 664.34.  highspy 1.15 cannot share a process with OR-Tools 9.15
#: (or-tools issue 5246), so with an older highspy MIPs are solved without presolve,
#: unless the user asks for it with ``--option highs.presolve=on``.
MIP_PRESOLVE_FIXED = (1, 15)


def mip_presolve_trusted(version: str) -> bool:
    """True when this HiGHS version's MIP presolve has no known wrong-optimum defect."""
    try:
        parts = tuple(int(p) for p in version.split(".")[:2])
    except ValueError:
        return False
    return parts >= MIP_PRESOLVE_FIXED


# HiGHS keeps one task scheduler per process, sized by the first solve's ``threads``
# option; a later solve asking for another size fails unless the scheduler is reset.
_scheduler_lock = threading.Lock()
_scheduler_threads: int | None = None


def share_scheduler(threads: int) -> None:
    """Size HiGHS's process-wide task scheduler for a run with ``threads`` threads.

    Every highspy run in the process must come through here first (this backend's and
    any plugin's own ``Highs`` object, e.g. a master LP kept alive across rounds): the
    size is recorded once, and the scheduler is reset when a run asks for another size,
    unless a solve left running in the background still uses it.
    """
    global _scheduler_threads
    with _scheduler_lock:
        if (_scheduler_threads is not None and _scheduler_threads != threads
                and not work_left_behind()):
            _core()._Highs.resetGlobalScheduler(True)
        _scheduler_threads = threads


def check_highs_option(name: str, value: Any) -> str:
    """The value as HiGHS takes it (text), if HiGHS accepts ``name=value``; else UsageError."""
    text = str(value).lower() if isinstance(value, bool) else str(value)
    try:
        import highspy

        highs = highspy.Highs()
    except Exception as exc:
        raise UsageError(f"option highs.{name}: highspy cannot be used: {exc}") from None
    highs.setOptionValue("output_flag", False)
    if highs.setOptionValue(name, text) != _core().HighsStatus.kOk:
        raise UsageError(f"HiGHS rejects option {name}={value!r} (unknown name or bad value)")
    return text


class HighsBackend(LinearBackend):
    """LP and MILP with HiGHS (dual simplex / IPM, branch-and-cut)."""

    name = "highs"
    description = "HiGHS LP/MILP through highspy (matrices passed directly)"
    supports_integer = True

    def options(self) -> Sequence[OptionDecl]:
        return (
            OptionNamespace(
                OPTION_PREFIX,
                "any HiGHS option, e.g. highs.presolve=on (MIP presolve is off by default "
                "on HiGHS < 1.15, see the README), highs.mip_heuristic_effort=0.3",
                check_highs_option,
            ),
        )

    def availability(self) -> Availability:
        try:
            import highspy

            version = str(highspy.Highs().version())
        except Exception as exc:  # any import/ABI failure means "not here", never a crash
            return Availability(False, f"highspy cannot be used: {exc}")
        return Availability(True, "", version)

    def solve(self, model: LinearModel, ctx: SolveContext) -> LinearResult:
        if not isinstance(model, LinearModel):
            raise TypeError(f"highs backend needs a LinearModel, not {type(model).__name__}")
        early = answer_without_solver(model, ctx)
        if early is not None:
            return early
        return _HighsRun(model, ctx).run(ctx.remaining())


class _HighsRun:
    """One solve: configure, load, run, translate.  Kept as an object for the callbacks."""

    def __init__(self, model: LinearModel, ctx: SolveContext) -> None:
        import highspy

        self.model = model
        self.ctx = ctx
        self.highs = highspy.Highs()
        self.callback_error: str | None = None
        self.presolve_note: str | None = None
        self.best: float | None = None
        self.best_x: np.ndarray | None = None  # the last incumbent, for a run left behind
        self.last_bound: float | None = None  # the MIP's dual bound at its last check
        self.abandoned = False

    # --- setup ---------------------------------------------------------------------------

    def _configure(self, time_limit: float | None) -> None:
        h, opts = self.highs, self.ctx.options
        # Off first: HiGHS writes to stdout by default, which would corrupt `--json` output.
        h.setOptionValue("output_flag", False)
        if opts.verbose:
            h.setOptionValue("log_to_console", False)
            h.cbLogging.subscribe(self._on_log)
            h.setOptionValue("output_flag", True)
        if time_limit is not None:
            h.setOptionValue("time_limit", float(time_limit))
        h.setOptionValue("threads", int(max(1, opts.threads)))
        h.setOptionValue("random_seed", int(opts.seed) % 2147483647)
        h.setOptionValue("mip_rel_gap", float(opts.gap))
        m = self.model
        if not m.is_mip and m.num_cols >= WIDE_LP_COLUMNS_PER_ROW * max(1, m.num_rows):
            h.setOptionValue("presolve", "off")
        if m.is_mip and not mip_presolve_trusted(str(h.version())):
            h.setOptionValue("presolve", "off")
            self.presolve_note = (
                f"MIP presolve off: HiGHS {h.version()} can return a sub-optimal point as "
                "optimal with it (fixed in 1.15)"
            )
        for key, value in opts.extra.items():
            if not key.startswith(OPTION_PREFIX):
                continue
            name = key[len(OPTION_PREFIX) :]
            text = str(value).lower() if isinstance(value, bool) else str(value)
            if h.setOptionValue(name, text) != _core().HighsStatus.kOk:
                raise UsageError(f"HiGHS rejects option {name}={value!r}")
            if name == "presolve":
                self.presolve_note = None  # the user's choice

    def _load(self) -> None:
        """All arrays in one passModel call (numpy buffers, no per-element conversion).

        An LP still passes an all-zero integrality array: HiGHS then logs a harmless
        warning in verbose mode, while building a HighsLp object instead converts every
        array element by element (about 50 ms for a 300k-nonzero blend).
        """
        core, m = _core(), self.model
        sense = core.ObjSense.kMaximize if m.sense == "max" else core.ObjSense.kMinimize
        f64 = np.float64
        status = self.highs.passModel(
            m.num_cols,
            m.num_rows,
            int(m.data.shape[0]),
            int(core.MatrixFormat.kRowwise),
            int(sense),
            float(m.offset),
            np.ascontiguousarray(m.c, dtype=f64),
            np.ascontiguousarray(m.col_lower, dtype=f64),
            np.ascontiguousarray(m.col_upper, dtype=f64),
            np.ascontiguousarray(m.row_lower, dtype=f64),
            np.ascontiguousarray(m.row_upper, dtype=f64),
            np.ascontiguousarray(m.indptr, dtype=np.int32),
            np.ascontiguousarray(m.indices, dtype=np.int32),
            np.ascontiguousarray(m.data, dtype=f64),
            np.ascontiguousarray(m.integer, dtype=np.int32),
        )
        if status == core.HighsStatus.kError:
            raise ValueError("HiGHS rejected the model (passModel returned an error)")

    def _start(self) -> None:
        """A known feasible point (``model.hint``, e.g. a heuristic's plan) as the MIP start."""
        start, m = start_point(self.model), self.model
        if start is None:
            return
        self.highs.setSolution(m.num_cols, np.arange(m.num_cols, dtype=np.int32),
                               np.ascontiguousarray(start, dtype=np.float64))

    def _subscribe(self) -> None:
        h = self.highs
        h.cbSimplexInterrupt.subscribe(self._on_interrupt)
        h.cbIpmInterrupt.subscribe(self._on_interrupt)
        if self.model.is_mip:
            h.cbMipInterrupt.subscribe(self._on_mip_interrupt)
            h.cbMipImprovingSolution.subscribe(self._on_incumbent)

    # --- callbacks (run on the solver's thread; they must never raise) -------------------

    def _on_log(self, event: Any) -> None:
        try:
            self.ctx.log(str(event.message).rstrip("\n"))
        except Exception as exc:
            self.callback_error = f"log callback: {exc}"

    def _on_interrupt(self, event: Any) -> None:
        try:
            if self.ctx.stop.is_set():
                event.interrupt()
        except Exception as exc:
            self.callback_error = f"interrupt callback: {exc}"

    def _on_mip_interrupt(self, event: Any) -> None:
        """A MIP's check point: also the place where its current dual bound is read."""
        try:
            self._note_bound(float(event.data_out.mip_dual_bound))
        except Exception as exc:
            self.callback_error = f"interrupt callback: {exc}"
        self._on_interrupt(event)

    def _note_bound(self, bound: float) -> None:
        if math.isfinite(bound) and not self.abandoned:
            self.last_bound = bound

    def _on_incumbent(self, event: Any) -> None:
        try:
            out = event.data_out
            if self.abandoned:  # nobody reads this run any more
                return
            self.best_x = np.array(out.mip_solution, dtype=np.float64, copy=True)
            self.best = float(out.objective_function_value)
            bound = float(out.mip_dual_bound)
            self._note_bound(bound)
            self.ctx.report(
                objective=float(out.objective_function_value),
                bound=bound if math.isfinite(bound) else None,
                source="highs",
            )
        except Exception as exc:
            self.callback_error = f"incumbent callback: {exc}"

    # --- solve ---------------------------------------------------------------------------

    def run(self, time_limit: float | None) -> LinearResult:
        started = time.monotonic()
        self._configure(time_limit)
        self._load()
        self._start()
        self._subscribe()
        returned, _ = call_stoppable(self._run_highs, self.ctx)
        if not returned:
            return self._left_running()
        core = _core()
        status = self.highs.getModelStatus()
        if status == core.HighsModelStatus.kUnboundedOrInfeasible:
            status = self._resolve_ambiguity()
        result = self._translate(status)
        result.stats.setdefault("wall_time_s", time.monotonic() - started)
        if self.presolve_note:
            result.stats["presolve"] = self.presolve_note
        if self.callback_error:
            result.message = f"{result.message} (callback problem: {self.callback_error})"
        return result

    def _left_running(self) -> LinearResult:
        """HiGHS did not honour the stop in time (it checks only at some points, e.g.
        not inside a sub-MIP heuristic): answer with its last incumbent."""
        self.abandoned = True
        return left_behind_result("HiGHS", self.ctx, self.best_x, self.best,
                                  self.model.num_cols, bound=self.last_bound)

    def _run_highs(self) -> Any:
        share_scheduler(int(max(1, self.ctx.options.threads)))
        return self.highs.run()

    def _resolve_ambiguity(self) -> Any:
        """Turn "unbounded or infeasible" into one of the two.

        First without presolve (which is what usually produced the ambiguity); if HiGHS
        still cannot tell, solve the feasibility problem (zero objective): infeasible
        settles it, and a feasible point means the original problem is unbounded.
        """
        core, h = _core(), self.highs
        h.setOptionValue("presolve", "off")
        self._set_remaining_time()
        self._run_highs()
        status = h.getModelStatus()
        if status != core.HighsModelStatus.kUnboundedOrInfeasible:
            return status
        n = self.model.num_cols
        h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
        self._set_remaining_time()
        self._run_highs()
        probe = h.getModelStatus()
        h.changeColsCost(
            n, np.arange(n, dtype=np.int32), np.ascontiguousarray(self.model.c, dtype=np.float64)
        )
        if probe == core.HighsModelStatus.kInfeasible:
            return probe
        if probe == core.HighsModelStatus.kOptimal:
            return core.HighsModelStatus.kUnbounded
        return core.HighsModelStatus.kUnboundedOrInfeasible

    def _set_remaining_time(self) -> None:
        remaining = self.ctx.remaining()
        if remaining is not None:
            self.highs.setOptionValue("time_limit", max(remaining, 1e-3))

    def _translate(self, status: Any) -> LinearResult:
        core, h, model = _core(), self.highs, self.model
        S = core.HighsModelStatus
        info = h.getInfo()
        text = h.modelStatusToString(status)
        stats = {
            "model_status": text,
            "simplex_iterations": max(0, int(info.simplex_iteration_count)),
            "ipm_iterations": max(0, int(info.ipm_iteration_count)),
            "mip_nodes": max(0, int(info.mip_node_count)) if model.is_mip else 0,
            "solve_time_s": float(h.getRunTime()),
        }
        feasible = int(core.SolutionStatus.kSolutionStatusFeasible)
        has_primal = int(info.primal_solution_status) == feasible
        if status == S.kOptimal:
            return self._with_solution(Status.OPTIMAL, info, text, stats, proven=True)
        if status == S.kInfeasible:
            return LinearResult(Status.INFEASIBLE, message=text, stats=stats)
        if status == S.kUnbounded:
            return LinearResult(Status.UNBOUNDED, message=text, stats=stats)
        if status == S.kUnboundedOrInfeasible:
            return LinearResult(
                Status.INFEASIBLE,
                message="HiGHS could not tell infeasible from unbounded; reported as infeasible",
                stats=stats,
            )
        limits = (
            S.kTimeLimit,
            S.kIterationLimit,
            S.kSolutionLimit,
            S.kInterrupt,
            S.kHighsInterrupt,
            S.kObjectiveBound,
            S.kObjectiveTarget,
            S.kMemoryLimit,
            S.kUnknown,
        )
        if status in limits:
            if has_primal:
                return self._with_solution(Status.FEASIBLE, info, text, stats, proven=False)
            raw = float(info.mip_dual_bound) if model.is_mip else math.nan
            return LinearResult(Status.UNKNOWN, bound=raw if math.isfinite(raw) else None,
                                message=text, stats=stats)
        return LinearResult(Status.ERROR, message=f"HiGHS failed: {text}", stats=stats)

    def _with_solution(
        self, status: Status, info: Any, text: str, stats: dict[str, Any], proven: bool
    ) -> LinearResult:
        core, model = _core(), self.model
        solution = self.highs.getSolution()
        x = np.asarray(solution.col_value, dtype=np.float64)
        objective = float(info.objective_function_value)
        bound: float | None = None
        if model.is_mip:
            raw = float(info.mip_dual_bound)
            bound = raw if math.isfinite(raw) else None
            stats["mip_gap"] = float(info.mip_gap) if math.isfinite(info.mip_gap) else None
        elif proven:
            bound = objective
        row_duals = col_duals = None
        dual_ok = int(info.dual_solution_status) == int(
            core.SolutionStatus.kSolutionStatusFeasible
        )
        if not model.is_mip and proven and dual_ok:
            # HiGHS already reports d(objective)/d(bound) in the model's own sense
            # (checked by finite differences in tests/backends/test_highs_backend.py).
            row_duals = np.asarray(solution.row_dual, dtype=np.float64)
            col_duals = np.asarray(solution.col_dual, dtype=np.float64)
        return LinearResult(
            status,
            x=x,
            objective=objective,
            bound=bound,
            row_duals=row_duals,
            col_duals=col_duals,
            message=text,
            stats=stats,
        )


def _core() -> Any:
    from highspy import _core as core

    return core
