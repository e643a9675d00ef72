"""Every phase of a lot-sizing solve takes its budget from the one deadline, minus the tail
kept for reading back, checking and writing the answer (no wall-clock assertions: the
budget arithmetic, and phases handed an expired deadline)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest
from optikit_highs.backend import HighsBackend
from optikit_lotsizing import budget, heuristic, windows
from optikit_lotsizing.cuts import CutLoop, strengthen
from optikit_lotsizing.generator import generate
from optikit_lotsizing.linear import build
from optikit_lotsizing.model import LotSizingProblem

from optikit.paradigms import LinearModel, LinearResult
from optikit.registry import Registry
from optikit.types import SolveContext, SolveOptions, Status
from tests.lot_sizing.conftest import load, two_items


@pytest.fixture
def problem(registry: Registry) -> LotSizingProblem:
    parsed = load(registry, two_items()).problem
    assert isinstance(parsed, LotSizingProblem)
    return parsed


def expired(limit: float = 1.0) -> SolveContext:
    return SolveContext(SolveOptions(time_limit=limit), started=time.monotonic() - 5 * limit)


class Refusing:
    """A backend that must not be called."""

    name = "refusing"
    supports_integer = True

    def solve(self, model: LinearModel, ctx: SolveContext) -> LinearResult:
        raise AssertionError("a phase with no time left called its solver")


class Recording:
    """HiGHS, remembering the deadline of every solve it was handed."""

    name = "highs"
    supports_integer = True

    def __init__(self) -> None:
        self.deadlines: list[float | None] = []
        self.inner = HighsBackend()

    def solve(self, model: LinearModel, ctx: SolveContext) -> LinearResult:
        self.deadlines.append(ctx.deadline)
        return self.inner.solve(model, ctx)


def test_tail_arithmetic(problem: LotSizingProblem) -> None:
    cells = problem.num_items * problem.periods
    assert budget.tail_seconds(problem, None) == 0.0
    assert budget.tail_seconds(problem, 60.0) == pytest.approx(
        budget.TAIL_BASE_S + budget.TAIL_PER_CELL_S * cells + budget.LAGS["highs"].late(cells))
    assert budget.tail_seconds(problem, 1.0) == pytest.approx(budget.LAGS["highs"].share)
    ctx = SolveContext(SolveOptions(time_limit=10.0))
    end = budget.solve_end(ctx, problem)
    assert end == pytest.approx(10.0 - budget.tail_seconds(problem, 10.0))
    assert end is not None
    for share in (0.1, 0.5, 1.0):
        phase = budget.phase_end(ctx, end, share)
        assert phase is not None and share * end <= phase <= end + 1e-12
    assert budget.solve_end(SolveContext(SolveOptions(time_limit=None)), problem) is None


def test_phase_contexts_share_the_run_deadline() -> None:
    """The phases take their sub-solve contexts from ``ctx.narrowed``: a window's gap,
    never past the run's deadline, and an expired run gives expired phases."""
    ctx = SolveContext(SolveOptions(time_limit=10.0))
    assert ctx.deadline is not None
    child = ctx.narrowed(end=4.0, gap=1e-3)
    assert child.deadline == pytest.approx(ctx.started + 4.0)
    assert child.options.gap == 1e-3 and child.stop is ctx.stop
    assert ctx.narrowed(end=25.0).deadline == ctx.deadline  # never past the run's
    assert ctx.narrowed(None).deadline == ctx.deadline
    late = expired()
    assert late.narrowed(3.0).expired() and late.narrowed(end=None).expired()
    assert budget.slice_of(late, 1.0, 3) == 0.0 and budget.over(late, None)


def test_phases_given_an_expired_deadline_return_at_once(problem: LotSizingProblem) -> None:
    ctx, backend = expired(), Refusing()
    lm = build(problem, strong=False)
    loop = strengthen(problem, lm, backend, ctx, end=0.0)
    stats, lp = loop.stats, loop.lp
    assert lp is None and stats["cut_rounds"] == 0
    model, period = lm.model, lm.col_period
    assert windows.relax_and_fix(model, period, problem.periods, backend, ctx, 0.0,
                                   2, 1) is None
    assert heuristic.round_lp(model, lm, np.zeros(model.num_cols), backend, ctx, 0.0) is None
    # the constructed plan needs no solver: a plan even with no time left
    built = heuristic.start_plan(problem, lm, None, backend, ctx, 0.0, 2, 1, {})
    assert built is not None and built.message == "constructed"
    best = LinearResult(Status.FEASIBLE, x=np.zeros(model.num_cols), objective=1.0)
    assert windows.fix_and_optimise(model, period, problem.periods, backend, ctx, 0.0,
                                      best, 2, 1) is best


@pytest.mark.parametrize("formulation", ["fl", "rf", "bigm"])
def test_every_solve_ends_before_the_tail(formulation: str) -> None:
    """Each solve's deadline is the run's minus the tail, whatever the phase."""
    from optikit_lotsizing.formulation import solve_bigm
    from optikit_lotsizing.model import parse

    problem = parse(generate(1, "tiny"))
    ctx = SolveContext(SolveOptions(time_limit=20.0, threads=1),
                       formulation_options={"window": 2, "step": 1, "share": 0.5})
    assert ctx.deadline is not None
    backend = Recording()
    solve: Any = {"fl": heuristic.solve_fl, "rf": heuristic.solve_rf,
                  "bigm": solve_bigm}[formulation]
    outcome = solve(problem, backend, ctx)
    assert outcome.status.has_solution
    latest = ctx.deadline - budget.tail_seconds(problem, 20.0)
    assert len(backend.deadlines) >= (1 if formulation == "bigm" else 2)
    # a window's budget is "seconds from now", read a few microseconds before its context
    # is made: the slack allows for that, not for any solve's duration
    assert all(d is not None and d <= latest + 0.05 for d in backend.deadlines)


def test_large_start_rounds_the_plain_lp_when_the_cut_loop_had_no_time(
        registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    """A short limit on a busy machine can leave the cut loop without an LP: the start
    plan is then rounded from the plain LP, not "a setup wherever a column exists"."""
    from tests.lot_sizing.conftest import run

    monkeypatch.setattr(heuristic, "RELAX_AND_FIX_MAX_COLUMNS", 0)  # take the large path
    monkeypatch.setattr(heuristic, "strengthen", lambda *a, **k: CutLoop({}, None, None))
    monkeypatch.setattr(heuristic, "constructive", lambda *a, **k: None)
    doc = run(registry, two_items(), "fl").document
    assert doc["check"]["feasible"]
    assert "rounded_LP" in doc["stats"] and "setups_everywhere" not in doc["stats"]


def test_scip_and_cbc_keep_a_larger_tail() -> None:
    """Past the common tail (answer, checker, files, exit), each backend keeps its usual
    lag: SCIP's last MILP returned 0.45-0.55 s late on the 100 x 52 instance, CBC can
    take a second more to be interrupted and killed; the phases end earlier for them."""
    from optikit_lotsizing.model import parse

    large = parse(generate(2, "large"))
    cells = large.num_items * large.periods
    common = budget.TAIL_BASE_S + budget.TAIL_PER_CELL_S * cells
    highs, scip, cbc = (budget.tail_seconds(large, 30.0, b) for b in ("highs", "scip", "cbc"))
    assert highs == pytest.approx(common + budget.LAGS["highs"].late(cells))
    assert scip >= common + 0.55 and highs >= common + 0.55
    assert cbc > max(highs, scip) and cbc >= common + 1.0 + budget.LAGS["cbc"].late(cells)
    assert cbc <= budget.LAGS["cbc"].share * 30.0
    assert budget.tail_seconds(large, 30.0, "some-new-backend") > common
    assert budget.tail_seconds(large, 30.0) == highs  # no backend named: HiGHS's
    for name in ("scip", "cbc"):  # capped by a share of the limit
        assert budget.tail_seconds(large, 2.0, name) == pytest.approx(
            budget.LAGS[name].share * 2.0)
    ctx = SolveContext(SolveOptions(time_limit=30.0))
    ends = {b: budget.solve_end(ctx, large, b) for b in ("scip", "cbc")}
    assert ends["scip"] is not None and ends["cbc"] is not None
    assert 30.0 - common - 1e-9 > ends["scip"] > ends["cbc"]


class Overrunning:
    """A backend that ignores its limit and returns only when asked to stop (as CBC in
    a long root cut pass), or after 5 s."""

    name = "cbc"
    supports_integer = True

    def __init__(self) -> None:
        self.stopped = False

    def solve(self, model: LinearModel, ctx: SolveContext) -> LinearResult:
        self.stopped = ctx.stop.wait(5.0)
        return LinearResult(Status.UNKNOWN, message="stopped by the user: ended")


def test_the_watchdog_stops_a_last_solve_that_runs_past_its_end(
        problem: LotSizingProblem) -> None:
    ctx = SolveContext(SolveOptions(time_limit=30.0))
    backend = Overrunning()
    lm = build(problem, strong=False)
    result = budget.last_solve(problem, backend, lm.model, ctx, ctx.elapsed() + 0.05)
    assert backend.stopped and not ctx.stop.is_set()  # the run's own flag is untouched
    assert "user" not in result.message
    assert result.message.startswith("time limit reached; cbc ran on past the end")
    assert result.stats["stopped_past_end"]


def test_the_users_stop_reaches_the_last_solve(problem: LotSizingProblem) -> None:
    ctx = SolveContext(SolveOptions(time_limit=None))
    ctx.stop.set()
    backend = Overrunning()
    result = budget.last_solve(problem, backend, build(problem, strong=False).model, ctx,
                               None)
    assert backend.stopped and result.message == "stopped by the user: ended"
