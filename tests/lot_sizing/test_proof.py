"""``fl``'s last MILP on models that are not large (:mod:`optikit_lotsizing.proof`): the setup
counts never cut off a proven optimal plan, the LP-guided start is a checked plan no
cheaper than the optimum, and ``fl`` proves the optimum ``bigm`` proves."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from optikit_highs.backend import HighsBackend
from optikit_lotsizing import heuristic, proof
from optikit_lotsizing.checker import check
from optikit_lotsizing.cuts import relaxation
from optikit_lotsizing.formulation import payload, plan
from optikit_lotsizing.generator import generate
from optikit_lotsizing.linear import build
from optikit_lotsizing.model import LotSizingProblem

from optikit.paradigms import LinearModel, LinearResult
from optikit.registry import Registry
from optikit.types import SolveContext, SolveOptions, Status
from tests.lot_sizing.conftest import load, run

# generated instances HiGHS proves in well under a second each
CASES = [("tiny", 0), ("tiny", 1), ("small", 2), ("small", 3)]


def problem_of(registry: Registry, size: str, seed: int) -> LotSizingProblem:
    problem = load(registry, generate(seed, size)).problem
    assert isinstance(problem, LotSizingProblem)
    return problem


def context(**extra: Any) -> SolveContext:
    return SolveContext(SolveOptions(time_limit=30.0, threads=1, seed=0, gap=0.0,
                                     extra=extra))


def row_activity(model: LinearModel, x: np.ndarray) -> np.ndarray:
    rows = np.repeat(np.arange(model.num_rows), np.diff(model.indptr))
    return np.bincount(rows, weights=model.data * x[model.indices], minlength=model.num_rows)


def proven(model: LinearModel) -> LinearResult:
    result = HighsBackend().solve(model, context())
    assert result.status is Status.OPTIMAL and result.x is not None
    return result


@pytest.mark.parametrize(("size", "seed"), CASES)
def test_setup_counts_keep_the_proven_optimal_plan(registry: Registry, size: str,
                                                   seed: int) -> None:
    """The plain model's proven optimal plan, with its counts, satisfies every row and
    bound of the counted model, and both models prove the same optimum."""
    lm = build(problem_of(registry, size, seed), strong=False)
    plain = proven(lm.model)
    assert plain.x is not None and plain.objective is not None
    counted = proof.with_setup_counts(lm.model, lm)
    assert counted.num_cols > lm.model.num_cols  # every case has a period with 2 setups
    point = proof.counted_point(lm, plain.x)
    activity = row_activity(counted, point)
    assert np.all(activity >= counted.row_lower - 1e-6)
    assert np.all(activity <= counted.row_upper + 1e-6)
    assert np.all(point >= counted.col_lower - 1e-9)
    assert np.all(point <= counted.col_upper + 1e-9)
    again = proven(counted)
    assert again.objective == pytest.approx(plain.objective, rel=1e-9, abs=1e-6)


@pytest.mark.parametrize(("size", "seed"), CASES)
def test_guided_start_is_a_checked_plan_no_cheaper_than_the_optimum(
        registry: Registry, size: str, seed: int) -> None:
    problem = problem_of(registry, size, seed)
    lm = build(problem, strong=False)
    optimum = proven(lm.model).objective
    assert optimum is not None
    ext = build(problem, strong=True)
    lp = HighsBackend().solve(relaxation(ext.model), context())
    assert lp.x is not None
    start = proof.guided_start(lm, lp.x[ext.y[lm.x >= 0]], HighsBackend(), context(), None)
    if start is None:  # the LP's closed setups leave no plan: allowed, nothing to check
        return
    assert start.x is not None and start.objective is not None and start.bound is None
    report = check(problem, payload(problem, *plan(problem, lm, start.x)))
    assert report.feasible and report.objective is not None
    assert report.objective == pytest.approx(start.objective, rel=1e-9, abs=1e-6)
    assert report.objective >= optimum - 1e-6


def test_fl_proves_the_bigm_optimum_from_the_guided_start(
        registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a small instance ``fl`` takes the guided path: the counted model with the start
    as hint, RINS and RENS off for HiGHS, and the optimum ``bigm`` proves."""
    seen: list[tuple[LinearModel, dict[str, Any]]] = []
    real = heuristic.last_solve

    def spy(problem: LotSizingProblem, backend: Any, model: LinearModel,
            ctx: SolveContext, end: float | None) -> LinearResult:
        seen.append((model, dict(ctx.options.extra)))
        return real(problem, backend, model, ctx, end)

    monkeypatch.setattr(heuristic, "last_solve", spy)
    document = generate(3, "small")
    reference = run(registry, document, "bigm", gap=0.0).document
    out = run(registry, document, "fl", gap=0.0).document
    assert out["status"] == "optimal" and out["check"]["feasible"]
    assert out["objective"] == pytest.approx(reference["objective"], rel=1e-9)
    assert out["stats"]["LP_guided_start"] >= out["objective"] - 1e-6
    (model, extra), = seen
    assert model.num_cols > out["stats"]["columns"]  # the setup counts
    assert extra == proof.HIGHS_WITH_START


def test_user_highs_options_win() -> None:
    ctx = context(**{"highs.mip_heuristic_run_rins": "true"})
    options = proof.milp_options("highs", ctx)
    assert options == {"highs.mip_heuristic_run_rins": "true",
                       "highs.mip_heuristic_run_rens": "false"}
    assert proof.milp_options("scip", ctx) is None
    both = context(**proof.HIGHS_WITH_START)
    assert proof.milp_options("highs", both) is None
