"""Mid-size time-indexed instances: the interval search with HiGHS' time-indexed MILP
beside it, started from the constructed schedule."""

from __future__ import annotations

import numpy as np
import pytest
from optikit_energy import heuristic, side_solve, timeindexed, timeindexed_points
from optikit_energy.generator import generate

from optikit.types import SolveContext, SolveOptions
from tests.energy.conftest import SAMPLES, TOY_FULL, load, read, run

MACHINING_CELL = SAMPLES / "machining_cell_day.yaml"
# The best machining_cell_day schedule any run has found (cpsat, 60 s, seeds 1 and 2;
# benchmarks/energy/README.md): no bound may exceed it.
MACHINING_CELL_BEST = 77.732


@pytest.mark.parametrize(("path", "span_rows"), [(TOY_FULL, False), (MACHINING_CELL, False),
                                               (MACHINING_CELL, True)],
                         ids=["toy_full", "machining", "machining-span-rows"])
def test_mip_start_is_the_constructed_schedule(registry, path, span_rows) -> None:
    """The start handed to HiGHS satisfies every row and costs what the checker says
    (with the span rows too: their chain and count columns are set from the schedule)."""
    problem = load(registry, read(path)).problem
    built = heuristic.best_constructed(problem, budget_s=1.0)
    assert built is not None
    ti = timeindexed.build(problem, span_rows=span_rows)
    model = timeindexed_points.with_start(problem, ti, built.schedule, built.switch_on)
    hint = getattr(model, "hint", None)
    assert hint is not None and hint.shape == (model.num_cols,)
    assert np.all(hint >= model.col_lower) and np.all(hint <= model.col_upper)
    activity = np.array([float(np.dot(v, hint[c])) for c, v in
                         (model.row(i) for i in range(model.num_rows))])
    assert np.all(activity >= model.row_lower - 1e-6)
    assert np.all(activity <= model.row_upper + 1e-6)
    cost = float(model.c @ hint) + model.offset
    assert cost == pytest.approx(built.objective, rel=1e-9)


def test_mid_size_instance_searches_beside_the_side_milp(registry) -> None:
    """machining_cell_day (2,507 start columns): the interval model searches while HiGHS
    runs the time-indexed MILP; the answer is checked and the bound stays below the best
    schedule found anywhere."""
    doc = run(registry, read(MACHINING_CELL), time_limit=8, baseline="false").document
    stats = doc["stats"]
    assert stats["model_kind"] == "interval"
    assert stats["side_milp"]["error"] is None
    assert doc["check"]["feasible"]
    assert doc["status"] == "feasible"
    if doc["bound"] is not None:
        assert doc["bound"] <= MACHINING_CELL_BEST
        assert doc["bound"] <= doc["objective"]


def _started_side(registry, problem, budget_s: float):
    """A side MILP from the constructed schedule, as cpsat starts it; and that schedule."""
    built = heuristic.best_constructed(problem, budget_s=1.0)
    assert built is not None
    ti = timeindexed.build(problem)
    ctx = SolveContext(SolveOptions(time_limit=600, threads=2),
                       backends=registry.available_backend)
    side = side_solve.start(ctx, timeindexed_points.with_start(problem, ti, built.schedule,
                                                        built.switch_on), budget_s)
    assert side is not None
    return side, built


@pytest.mark.parametrize(("size", "seed", "optimum"), [("tiny", 1, 77.6099),
                                                      ("small", 1, 99.6551)])
def test_started_side_milp_bound_stays_below_a_proven_optimum(registry, size, seed,
                                                              optimum) -> None:
    """HiGHS from the constructed schedule (as cpsat starts it) on generated instances
    whose optima CP-SAT and the MILP proved (test_bucket_bound.GENERATED_OPTIMA)."""
    side, built = _started_side(registry, load(registry, generate(seed, size)).problem, 10.0)
    found = side.finish(cancel=False)
    bound = side.safe_bound()
    assert found is not None and bound is not None
    assert bound <= optimum * (1 + 1e-7)
    assert found.objective is not None
    assert optimum * (1 - 1e-7) <= found.objective <= built.objective + 1e-6


def test_side_solve_is_stopped_after_its_wait(registry) -> None:
    """finish(wait_s=...) stops a side solve whose own limit lies further out (HiGHS may
    overrun on a loaded machine) and still returns what it found."""
    side, _ = _started_side(registry, load(registry, read(MACHINING_CELL)).problem, 600.0)
    found = side.finish(cancel=False, wait_s=0.5)
    assert not side.is_alive()
    assert side.cancel.is_set()
    assert found is not None and side_solve.describe(side)["error"] is None


def test_tardiness_rows_tighten_the_lp_below_the_best_schedule(registry) -> None:
    """The time-indexed LP charges each job's lateness column by column (max(0, end - due)
    per start) instead of at its mean end: on machining_cell_day (due dates, tardiness
    weight 0.2) its LP bound is 72.57 against 70.11 with the aggregated row, and stays
    below the best schedule found."""
    assert 72.0 <= _lp_value(registry, read(MACHINING_CELL), False) <= MACHINING_CELL_BEST


def _lp_value(registry, document, span_rows: bool) -> float:
    import dataclasses

    from optikit.paradigms import LinearBackend

    problem = load(registry, document).problem
    model = timeindexed.build(problem, span_rows=span_rows).model
    lp = dataclasses.replace(model, integer=np.zeros_like(model.integer))
    ctx = SolveContext(SolveOptions(time_limit=60, threads=1),
                       backends=registry.available_backend)
    backend = ctx.backend_of("highs", LinearBackend)
    assert backend is not None
    result = backend.solve(lp, ctx)
    assert result.status.value == "optimal" and result.objective is not None
    return float(result.objective)


def test_span_rows_per_operation_raise_the_lp_below_the_best_schedule(registry) -> None:
    """Always-on machines (the mills, the lathe, the washer): per operation, "started by
    t" and "ends after t" bound the machine's span columns.  machining_cell_day's LP
    goes from 72.57 to 75.24, still below the best schedule found."""
    without = _lp_value(registry, read(MACHINING_CELL), span_rows=False)
    with_rows = _lp_value(registry, read(MACHINING_CELL), span_rows=True)
    assert without < 73.0
    assert 75.0 <= with_rows <= MACHINING_CELL_BEST


@pytest.mark.parametrize(("make", "optimum"), [
    (lambda: generate(1, "tiny"), 77.6099),
    (lambda: generate(1, "small"), 99.6551),
], ids=["tiny-1", "small-1"])
def test_span_rows_keep_the_lp_below_a_proven_optimum(registry, make, optimum) -> None:
    """Generated instances with always-on machining centres whose optima are proven."""
    document = make()
    with_rows = _lp_value(registry, document, span_rows=True)
    assert _lp_value(registry, document, span_rows=False) <= with_rows + 1e-6
    assert with_rows <= optimum * (1 + 1e-7)


def test_span_rows_only_where_asked(registry) -> None:
    """The plain model (``milp``, the time-indexed CP-SAT model, re-planning) keeps its
    rows; the side MILP's gets the span rows (switch-on counts on the oven among them),
    and its MIP start sets their columns (test_mip_start_is_the_constructed_schedule)."""
    problem = load(registry, read(MACHINING_CELL)).problem
    assert not timeindexed.build(problem).switched_cols
    assert not timeindexed.build(problem).spans
    with_rows = timeindexed.build(problem, span_rows=True)
    assert with_rows.switched_cols and with_rows.spans


def test_side_solve_stops_on_its_own_limit_before_its_budget(registry) -> None:
    """HiGHS checks its limit only between root cut rounds: it gets its own limit a share
    of the budget early, so that it returns its bound before the run's deadline."""
    from optikit.paradigms import LinearBackend

    problem = load(registry, read(MACHINING_CELL)).problem
    ctx = SolveContext(SolveOptions(time_limit=600, threads=2),
                       backends=registry.available_backend)
    backend = ctx.backend_of("highs", LinearBackend)
    assert backend is not None
    model = timeindexed.build(problem).model
    side = side_solve.SideSolve(backend, ctx, model, 40.0)  # not started
    own = side.ctx.options.extra["highs.time_limit"]
    assert side.ctx.options.time_limit == 40.0
    assert 30.0 <= own <= 40.0 - 1.0
    short = side_solve.SideSolve(backend, ctx, model, 4.0)
    assert 0.05 <= short.ctx.options.extra["highs.time_limit"] < 4.0
