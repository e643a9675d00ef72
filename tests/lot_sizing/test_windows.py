"""Fix-and-optimise windows solved as models of their own (large models)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from optikit_highs.backend import HighsBackend
from optikit_lotsizing import heuristic, windows
from optikit_lotsizing.generator import generate
from optikit_lotsizing.linear import build
from optikit_lotsizing.model import LotSizingProblem
from optikit_lotsizing.startpoint import TOL
from optikit_lotsizing.windows import Window, restricted

from optikit.paradigms import HintedModel, LinearModel, LinearResult
from optikit.registry import Registry
from optikit.types import SolveContext, SolveOptions, Status
from tests.lot_sizing.conftest import load


def _problem(registry: Registry, size: str, seed: int) -> LotSizingProblem:
    problem = load(registry, generate(seed, size)).problem
    assert isinstance(problem, LotSizingProblem)
    return problem


def _ctx() -> SolveContext:
    return SolveContext(SolveOptions(time_limit=None, threads=1, seed=0))


def test_a_window_lifts_to_a_point_of_the_whole_model(registry: Registry) -> None:
    """Columns outside the window keep the incumbent's values, the lifted point satisfies
    every row of the whole model, and the window's objective is the whole plan's."""
    problem = _problem(registry, "tiny", 0)
    lm = build(problem, strong=False)
    start = heuristic.constructive(problem, lm)
    assert start is not None and start.x is not None and start.objective is not None
    free = (lm.col_period >= 1) & (lm.col_period < 4)
    part = restricted(lm.model, free, start.x)
    assert part.model.num_cols == int(free.sum()) < lm.model.num_cols
    # the incumbent is a point of the window, at the same cost
    inside = start.x[part.cols]
    assert part.model.is_feasible(inside, TOL)
    assert float(part.model.c @ inside) + part.model.offset == pytest.approx(start.objective)
    result = HighsBackend().solve(part.model, _ctx())
    assert result.status is Status.OPTIMAL and result.x is not None
    assert result.objective is not None and result.objective <= start.objective + 1e-6
    lifted = part.lift(result.x)
    assert lm.model.is_feasible(lifted, TOL)
    assert np.array_equal(lifted[~free], start.x[~free])
    assert float(lm.model.c @ lifted) == pytest.approx(result.objective)


class Recording:
    """The HiGHS backend, noting the column count of every model it is handed."""

    def __init__(self) -> None:
        self.columns: list[int] = []
        self.name = "highs"
        self.supports_integer = True

    def solve(self, model: LinearModel, ctx: SolveContext) -> LinearResult:
        self.columns.append(model.num_cols)
        return HighsBackend().solve(model, ctx)


def test_large_models_improve_the_plan_in_small_windows(
        registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    """With every model counted as large, the windows are sub-models of a few columns,
    they improve the constructed plan, and the answer is a point of the whole model."""
    problem = _problem(registry, "small", 1)
    lm = build(problem, strong=False)
    start = heuristic.constructive(problem, lm)
    assert start is not None and start.objective is not None
    backend = Recording()
    best = windows.fix_and_optimise(lm.model, lm.col_period, problem.periods, backend,
                                    _ctx(), None, start, 6, 4, large=True)
    # every window a sub-model; the first (4 of 15 periods) under a third of the model
    assert backend.columns and max(backend.columns) < lm.model.num_cols
    assert backend.columns[0] < lm.model.num_cols / 3
    assert best.x is not None and best.objective is not None
    assert best.objective < start.objective - 1.0
    assert lm.model.is_feasible(best.x, TOL)
    assert float(lm.model.c @ best.x) == pytest.approx(best.objective)


class Unsolved:
    """A backend that never finishes a window in its time: the MIP start comes back."""

    def __init__(self) -> None:
        self.name = "highs"
        self.supports_integer = True

    def solve(self, model: LinearModel, ctx: SolveContext) -> LinearResult:
        assert isinstance(model, HintedModel) and model.hint is not None
        return LinearResult(Status.FEASIBLE, x=model.hint,
                            objective=float(model.c @ model.hint) + model.offset)


def test_windows_shrink_when_unsolved_and_stop_after_a_horizon_without_gain(
        registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    problem = _problem(registry, "small", 1)
    lm = build(problem, strong=False)
    start = heuristic.constructive(problem, lm)
    assert start is not None
    sizes: list[int] = []

    def noting(model: LinearModel, free: np.ndarray, point: np.ndarray) -> Window:
        sizes.append(np.unique(lm.col_period[free]).size)
        return restricted(model, free, point)

    monkeypatch.setattr(windows, "restricted", noting)
    best = windows.fix_and_optimise(lm.model, lm.col_period, problem.periods, Unsolved(),
                                    _ctx(), None, start, 6, 4, large=True)
    assert best.objective == start.objective
    assert sizes[:3] == [windows.LARGE_WINDOW, windows.LARGE_WINDOW - 1,
                         windows.LARGE_WINDOW - 2]
    assert sizes == sorted(sizes, reverse=True)
    # the smallest windows slide by one period: a horizon of them, then the end
    assert len(sizes) <= problem.periods + 2 * windows.LARGE_WINDOW


@pytest.mark.parametrize(("name", "loops"), [("highs", 0), ("scip", 1)])
def test_fl_skips_the_cut_loop_on_large_models_only_with_highs(
        registry: Registry, monkeypatch: pytest.MonkeyPatch, name: str, loops: int) -> None:
    """HiGHS's MILP root bound beats the loop's LP on large models; other backends (CBC
    gave no MILP bound in 30 s) keep the loop.  Either way the plan is checked."""
    monkeypatch.setattr(heuristic, "RELAX_AND_FIX_MAX_COLUMNS", 0)
    calls: list[str] = []
    real = heuristic.strengthen

    def noting(*args: Any, **kwargs: Any) -> Any:
        calls.append("loop")
        return real(*args, **kwargs)

    monkeypatch.setattr(heuristic, "strengthen", noting)
    problem = _problem(registry, "tiny", 0)
    backend = Recording()
    backend.name = name
    outcome = heuristic.solve_fl(problem, backend, SolveContext(SolveOptions(time_limit=30.0,
                                                                             threads=1)))
    assert len(calls) == loops
    assert outcome.payload is not None and outcome.objective is not None
    assert outcome.bound is not None and outcome.bound <= outcome.objective + 1e-6
