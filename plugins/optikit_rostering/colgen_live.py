"""The column generation's master LP kept alive across rounds (HiGHS through highspy).

Why: on Instance12 (60 staff, 10 shifts) the master was rebuilt from the whole pool and
solved from scratch every round, 0.45 s of a 0.6 s round (the build 0.16 s, HiGHS 0.28 s).
Here the rows and the slacks are loaded once; a round adds only its new columns
(``addCols``) and HiGHS re-solves from the previous optimal basis (the new columns enter
by primal simplex), so a round costs its pricing and a few simplex iterations.  Anything
unexpected from HiGHS (an error status, no duals) returns None and the caller goes back to
the rebuilt master through the project's backend.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optikit.types import SolveContext
from optikit_rostering.colgen_master import Master, build, entries, row_index
from optikit_rostering.colgen_pricing import Column
from optikit_rostering.model import Roster

#: HiGHS' ``simplex_strategy`` values for the dual and the primal simplex.
DUAL, PRIMAL = 1, 4


class LiveMaster:
    """One HiGHS LP over a growing pool: :meth:`add` columns, :meth:`solve` warm."""

    def __init__(self, roster: Roster, columns: list[Column], ctx: SolveContext) -> None:
        import highspy

        self.roster = roster
        self.ctx = ctx
        self.index = row_index(roster)
        # Built once through the same code as the rebuilt master: rows, slacks, first pool.
        self.master: Master = build(roster, list(columns), integer=False)
        m = self.master.model
        self.convexity = len(roster.cover) + len(roster.hard_cover)
        h = self.highs = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", int(max(1, ctx.options.threads)))
        h.setOptionValue("presolve", "off")  # a warm start skips it anyway; rows are few
        h.setOptionValue("random_seed", int(ctx.options.seed) % 2147483647)
        # Primal simplex from the last basis: the new columns leave it primal feasible.
        # The dual simplex's warm start took 2,000-2,400 iterations a round on Instance12
        # (0.5-0.6 s, no faster than a cold solve); the primal's 1,100-1,700 (0.23-0.37 s).
        h.setOptionValue("simplex_strategy", PRIMAL)
        f64, i32 = np.float64, np.int32
        core = highspy._core if hasattr(highspy, "_core") else highspy
        self._ok, self._error = core.HighsStatus.kOk, core.HighsStatus.kError
        self._optimal = core.HighsModelStatus.kOptimal
        status = h.passModel(
            m.num_cols, m.num_rows, int(m.data.shape[0]), int(core.MatrixFormat.kRowwise),
            int(core.ObjSense.kMinimize), float(m.offset),
            np.ascontiguousarray(m.c, dtype=f64), np.ascontiguousarray(m.col_lower, dtype=f64),
            np.ascontiguousarray(m.col_upper, dtype=f64),
            np.ascontiguousarray(m.row_lower, dtype=f64),
            np.ascontiguousarray(m.row_upper, dtype=f64),
            np.ascontiguousarray(m.indptr, dtype=i32), np.ascontiguousarray(m.indices, dtype=i32),
            np.ascontiguousarray(m.data, dtype=f64), np.zeros(m.num_cols, dtype=i32))
        self.broken = status != self._ok
        h.cbSimplexInterrupt.subscribe(self._interrupt)
        self.fixed = False  # a column fixed since the last solve
        self.iterations = 0  # simplex iterations over all solves, for the stats

    def _interrupt(self, event: Any) -> None:
        try:
            if self.ctx.stop.is_set():
                event.interrupt()
        except Exception:  # a callback must never raise into HiGHS
            pass

    def add(self, columns: list[Column]) -> None:
        """The pool's new ``columns`` as LP columns (cost, bounds 0-1, their cover and
        safety rows and their employee's convexity row)."""
        if not columns or self.broken:
            return
        self.fixed = False  # new columns: the basis is primal feasible, not dual
        starts: list[int] = []
        indices: list[int] = []
        for col in columns:
            starts.append(len(indices))
            indices.extend(r for r, _coef in entries(self.roster, col, self.index))
            indices.append(self.convexity + col.employee)
        n = len(columns)
        status = self.highs.addCols(
            n, np.array([float(c.cost) for c in columns], dtype=np.float64),
            np.zeros(n), np.ones(n), len(indices), np.array(starts, dtype=np.int32),
            np.array(indices, dtype=np.int32), np.ones(len(indices), dtype=np.float64))
        if status != self._ok:
            self.broken = True
            return
        self.master.columns.extend(columns)

    def fix(self, column: int) -> None:
        """LP column ``column`` (an index of the model, slacks first) fixed to one."""
        if not self.broken and self.highs.changeColBounds(column, 1.0, 1.0) != self._ok:
            self.broken = True
        self.fixed = True

    def restrict(self, allowed: list[bool]) -> None:
        """Pool column ``i`` between 0 and 1 if ``allowed[i]``, else fixed at 0: a
        branch-and-price node's decisions on the one LP every node shares."""
        if self.broken or not allowed:
            return
        first = self.master.first_column
        index = np.arange(first, first + len(allowed), dtype=np.int32)
        upper = np.asarray(allowed, dtype=np.float64)
        status = self.highs.changeColsBounds(len(allowed), index, np.zeros(len(allowed)), upper)
        if status != self._ok:
            self.broken = True
        self.fixed = True  # bounds changed: the basis stays dual feasible, not primal

    def solve(self, seconds: float) -> tuple[float, Any, Any] | None:
        """(objective, column values, row duals) of the LP from the last basis, or None if
        HiGHS did not prove it optimal within ``seconds`` (or failed)."""
        if self.broken:
            return None
        h = self.highs
        # After a fixing the basis is still dual feasible: the dual simplex (primal from an
        # infeasible basis took 3-6 s a step deep in a dive on Instance12).
        h.setOptionValue("simplex_strategy", DUAL if self.fixed else PRIMAL)
        self.fixed = False
        # HiGHS' clock runs on across the runs of one object: the limit is on its total.
        h.setOptionValue("time_limit", float(h.getRunTime()) + max(1e-3, float(seconds)))
        _share_scheduler(int(max(1, self.ctx.options.threads)))
        run, status = h.run(), h.getModelStatus()
        if run == self._error or status != self._optimal:
            if not self.ctx.stop.is_set():
                self.broken = True  # the caller rebuilds from now on
            return None
        info = h.getInfo()
        self.iterations += max(0, int(info.simplex_iteration_count))
        solution = h.getSolution()
        if not solution.dual_valid:
            self.broken = True
            return None
        return (float(info.objective_function_value),
                np.asarray(solution.col_value, dtype=np.float64),
                np.asarray(solution.row_dual, dtype=np.float64))


def open_live(roster: Roster, pool: list[Column], ctx: SolveContext) -> LiveMaster | None:
    """The master LP over ``pool`` kept alive, or None without highspy (then rebuilt)."""
    try:
        return LiveMaster(roster, pool, ctx)
    except ImportError:
        return None


def live_round(live: LiveMaster | None, pool: list[Column],
               seconds: float) -> tuple[float, Any, Any] | None:
    """The live LP with the pool's columns it lacks added, solved warm within ``seconds``;
    None when the caller should rebuild (no live LP, or HiGHS failed)."""
    if live is None or live.broken:
        return None
    live.add(pool[len(live.master.columns):])
    return live.solve(seconds)


def _share_scheduler(threads: int) -> None:
    """Size HiGHS's process-wide scheduler through the HiGHS backend's record, so that
    neither its later MILPs nor this LP fail after the other (its docstring says why)."""
    try:
        from optikit_highs.backend import share_scheduler
    except ImportError:  # the HiGHS plugin is absent: nobody else sizes the scheduler
        return
    share_scheduler(threads)
