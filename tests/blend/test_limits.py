"""The blend formulation keeps to the time limit around its solver calls.

Past the deadline the clean-up LP after a MILP may use only part of the overshoot the
project allows (10 % of the limit or 1 s), and none once the MILP itself overran; the
infeasibility diagnosis does not start a solve that cannot end before the deadline.  Time
is simulated by moving a context's clock, never measured.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from optikit_blend.diagnosis import diagnose
from optikit_blend.formulation import POLISH_MIN_SECONDS, polish_budget, solve_linear

from optikit.paradigms import LinearBackend
from optikit.plugins import get_registry
from optikit.problem_io import load_problem
from optikit.types import SolveContext, SolveOptions

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = get_registry()


def context(limit: float | None, elapsed: float) -> SolveContext:
    """A context whose clock says ``elapsed`` seconds have passed."""
    ctx = SolveContext(SolveOptions(time_limit=limit, threads=1))
    ctx.started -= elapsed
    if ctx.deadline is not None:
        ctx.deadline -= elapsed
    return ctx


@pytest.mark.parametrize(("limit", "elapsed", "budget"), [
    (10.0, 3.0, 7.0),                   # time left: all of it
    (1.0, 1.0, POLISH_MIN_SECONDS),     # at the deadline: the minimum, within the grace
    (1.0, 1.3, 0.2),                    # 0.3 s late: what is left of half the 1 s grace
    (1.0, 1.6, 0.0),                    # the MILP used the grace up: no clean-up
    (100.0, 102.0, POLISH_MIN_SECONDS), # 10 % of 100 s is 10 s of grace
])
def test_polish_budget(limit: float, elapsed: float, budget: float) -> None:
    assert polish_budget(context(limit, elapsed)) == pytest.approx(budget, abs=0.02)


def test_no_limit_means_no_budget() -> None:
    assert polish_budget(context(None, 5.0)) is None


class _Overrunning(LinearBackend):
    """The real HiGHS backend, after which the clock has moved 2 s past the limit, as when
    a solver ignores its limit (HiGHS' MIP presolve on large models)."""

    name = "highs-late"

    def __init__(self) -> None:
        self.inner = REGISTRY.backend_of("highs", LinearBackend)
        self.calls = 0

    def solve(self, model: Any, ctx: SolveContext, **kwargs: Any) -> Any:
        self.calls += 1
        result = self.inner.solve(model, ctx, **kwargs)
        ctx.started -= 2.0 + (ctx.options.time_limit or 0.0)
        if ctx.deadline is not None:
            ctx.deadline -= 2.0 + (ctx.options.time_limit or 0.0)
        return result


def test_a_late_milp_skips_the_clean_up_and_still_reports_a_checked_blend() -> None:
    loaded = load_problem(ROOT / "problems" / "blend" / "sinter_feed_max3_ores.yaml", REGISTRY)
    backend = _Overrunning()
    outcome = solve_linear(loaded.problem, backend, SolveContext(SolveOptions(time_limit=1.0)))
    assert backend.calls == 1  # the clean-up LP was not started
    assert outcome.analysis["duals_from"] == "MILP (no duals)"
    assert outcome.payload is not None
    assert loaded.ptype.check(loaded.problem, outcome.payload).feasible


def test_the_diagnosis_starts_no_solve_it_cannot_finish() -> None:
    loaded = load_problem(
        ROOT / "problems" / "blend" / "sinter_feed_raw_basis_infeasible.yaml", REGISTRY)
    ctx = SolveContext(SolveOptions(time_limit=5.0))
    highs = REGISTRY.backend_of("highs", LinearBackend)
    report, stats = diagnose(loaded.problem, highs, ctx, expected=60.0)
    assert stats["diagnosis_solves"] == 0
    assert report["complete"] is False and "out of time" in report["summary"]


def test_a_blend_too_large_for_memory_is_refused_up_front():
    from optikit.plugins import load_registry
    from optikit.problem_io import ProblemFileError, load_document

    registry = load_registry(env={"OPTIKIT_LOAD_PLUGINS": "blend"})
    materials = [{"id": f"m{i}", "cost": 1, "composition": {f"c{i}": 1}} for i in range(6000)]
    doc = {"type": "blend", "total": 1, "materials": materials}
    with pytest.raises(ProblemFileError, match=r"materials: .* more than optikit handles"):
        load_document(doc, registry, source="big.json")
