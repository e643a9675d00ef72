"""The path facility-location rows (:mod:`optikit_lotsizing.paths`) are valid: they keep
the proven optimum of ``tiny`` 0-2 and leave every plan a point of the model."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from optikit_highs.backend import HighsBackend
from optikit_lotsizing.cuts import relaxation
from optikit_lotsizing.generator import generate, generate_structured
from optikit_lotsizing.heuristic import constructive
from optikit_lotsizing.linear import build
from optikit_lotsizing.model import parse
from optikit_lotsizing.paths import add_path_rows, pairs
from optikit_lotsizing.purchases import repurchase

from optikit.types import SolveContext, SolveOptions, Status
from tests.lot_sizing.conftest import tiny_optimum


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_optimum_is_kept(seed: int) -> None:
    """With the rows the MILP's optimum is the proven one, and their LP stays under it
    (and above the plain LP: the parent's facility location comes with them)."""
    problem = parse(generate(seed, "tiny"))
    optimum = tiny_optimum(seed)
    lm = build(problem, strong=False)
    plain_lp = HighsBackend().solve(relaxation(lm.model), SolveContext(SolveOptions()))
    assert add_path_rows(problem, lm) > 0
    ctx = SolveContext(SolveOptions(time_limit=30, gap=0.0))
    lp = HighsBackend().solve(relaxation(lm.model), ctx)
    milp = HighsBackend().solve(lm.model, ctx)
    assert milp.status is Status.OPTIMAL and milp.objective is not None
    assert milp.objective == pytest.approx(optimum, rel=1e-7)
    assert lp.objective is not None and plain_lp.objective is not None
    assert plain_lp.objective + 1.0 < lp.objective <= optimum * (1 + 1e-9)


def test_every_plan_stays_a_point() -> None:
    """A three-level plan (the constructed one, purchases re-planned) with every original
    column fixed: the rows' own columns still find values (the LP is feasible)."""
    problem = parse(generate_structured(1, 13, 4, 4, 2))
    assert len(pairs(problem)) == 8  # every end item on two sub-assemblies
    lm = build(problem, strong=False)
    plan = constructive(problem, lm)
    assert plan is not None and plan.x is not None
    plan = repurchase(problem, lm, plan)
    assert plan.x is not None
    before = lm.model.num_cols
    add_path_rows(problem, lm)
    model = relaxation(lm.model)
    lower, upper = model.col_lower.copy(), model.col_upper.copy()
    lower[:before] = upper[:before] = plan.x
    fixed = dataclasses.replace(model, col_lower=lower, col_upper=upper)
    result = HighsBackend().solve(fixed, SolveContext(SolveOptions(time_limit=30)))
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(float(model.c[:before] @ plan.x), rel=1e-9)
    assert np.all(model.c[before:] == 0)
