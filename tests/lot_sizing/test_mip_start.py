"""``fl`` hands its start plan to every MIP backend (HiGHS ``setSolution``, MathOpt solution
hints for SCIP and HiGHS, CBC's ``-mips`` file, PuLP's HiGHS ``setSolution``), and the
reported plan is never worse than that start, both as the independent checker prices them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from optikit_lotsizing import heuristic
from optikit_lotsizing.checker import check
from optikit_lotsizing.formulation import payload, plan
from optikit_lotsizing.generator import generate
from optikit_lotsizing.linear import LotModel
from optikit_lotsizing.model import LotSizingProblem

from optikit.paradigms import HintedModel, LinearModel, LinearResult, start_point
from optikit.registry import Registry
from optikit.runner import solve
from optikit.types import SolveOptions
from tests.lot_sizing.conftest import load

#: What each solver's log says when it took the start (HiGHS 1.14, SCIP 10, CBC 2.10).
TAKEN = {
    "highs": "MIP start solution is feasible",
    "pulp-highs": "MIP start solution is feasible",
    "ortools-highs": "MIP start solution is feasible",
    "scip": "feasible solution given by solution candidate storage",
    "cbc": "MIPStart provided solution",
}


@pytest.mark.parametrize("solver", sorted(TAKEN))
def test_reported_plan_is_never_worse_than_the_start(
        registry: Registry, monkeypatch: pytest.MonkeyPatch, solver: str) -> None:
    if registry.available_backend(solver) is None:
        pytest.skip(f"{solver} is not available here")
    starts: list[tuple[LotModel, LinearResult]] = []
    real = heuristic.finish

    def keep_start(problem: LotSizingProblem, lm: LotModel, full: LinearResult,
                   best: LinearResult | None, *args: Any) -> Any:
        assert best is not None and best.x is not None
        starts.append((lm, best))
        return real(problem, lm, full, best, *args)

    monkeypatch.setattr(heuristic, "finish", keep_start)
    loaded = load(registry, generate(2, "tiny"))
    lines: list[str] = []
    result = solve(loaded, registry, solver=solver, formulation="fl",
                   options=SolveOptions(time_limit=30.0, threads=1, verbose=True),
                   log=lines.append)
    doc = result.document
    assert doc["check"]["feasible"], doc.get("message")
    assert any(TAKEN[solver] in line for line in lines), f"{solver} did not take the start"
    (lm, best), = starts
    assert best.x is not None
    start = check(loaded.problem, payload(loaded.problem, *plan(loaded.problem, lm, best.x)))
    assert start.feasible and start.objective is not None
    assert doc["objective"] <= start.objective * (1 + 1e-9) + 1e-9


def test_start_point_is_clipped_and_rounded() -> None:
    model = HintedModel(
        sense="min", c=np.ones(2), col_lower=np.zeros(2), col_upper=np.array([5.0, 1.0]),
        integer=np.array([True, False]), indptr=np.zeros(1, dtype=np.int64),
        indices=np.zeros(0, dtype=np.int64), data=np.zeros(0), row_lower=np.zeros(0),
        row_upper=np.zeros(0), hint=np.array([2.9999, 1.5]))
    assert start_point(model) == pytest.approx([3.0, 1.0])
    plain = LinearModel(**{f: getattr(model, f) for f in LinearModel.__dataclass_fields__})
    assert start_point(plain) is None
    model.integer = np.zeros(2, dtype=bool)
    assert start_point(model) is None  # an LP: nothing to start from
    assert start_point(model, mip_only=False) == pytest.approx([2.9999, 1.0])
