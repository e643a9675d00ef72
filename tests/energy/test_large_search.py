"""The interval search as large instances run it: no global solve while the bound thread
runs, and the shift search on the LNS improvements.

A medium instance stands in for a large one (``THREAD_BOUND_COLUMNS`` lowered so that the
bound thread starts): the large ones spend seconds in the model build alone.
"""

from __future__ import annotations

import pytest
from optikit_energy import cpsat, cpsat_search, shift_search, switching
from optikit_energy.checker import check
from optikit_energy.generator import generate
from optikit_energy.heuristic import best_constructed
from optikit_energy.lns import improve
from optikit_energy.run import Incumbent, Run

from optikit.scheduling import ScheduledOperation
from optikit.types import SolveContext, SolveOptions
from tests.energy.conftest import load, run


@pytest.mark.serial
def test_with_the_bound_thread_the_lns_starts_without_a_global_solve(
        registry, monkeypatch) -> None:
    monkeypatch.setattr(cpsat, "THREAD_BOUND_COLUMNS", 0)
    doc = run(registry, generate(1, "medium"), time_limit=8, baseline="false").document
    assert doc["status"] == "feasible"
    assert doc["check"]["feasible"]
    stats = doc["stats"]
    assert stats["global"] == "skipped"
    # The LNS steps build their own sub-models: no full model, no full hint.
    assert "model" not in stats and "hint" not in stats
    assert stats["lns"]["iterations"] >= 1
    # The bound is the bucket relaxation's (no CP-SAT bound without the global solve).
    assert stats["bound_source"] in ("bucket-lp", "bucket-milp", "bucket-lp (tariff periods)",
                                     "bucket-milp (tariff periods)")
    assert doc["bound"] <= doc["objective"] + 1e-6
    assert doc["objective"] <= stats["heuristic_objective"] + 1e-6


def test_touched_is_what_a_move_changed(registry) -> None:
    problem = load(registry, generate(3, "medium")).problem
    built = best_constructed(problem, budget_s=2.0)
    assert built is not None
    schedule = list(built.schedule)
    assert shift_search.touched(problem, schedule, schedule) == set()
    moved = schedule[0]
    schedule[0] = ScheduledOperation(moved.job, moved.operation, moved.mode, moved.machine,
                                     moved.start + 1, moved.end + 1)
    found = shift_search.touched(problem, built.schedule, schedule)
    expected = {problem.job_ops[s.job][s.operation] for s in schedule
                if s.job == moved.job or s.machine == moved.machine}
    assert found == expected
    assert problem.job_ops[moved.job][moved.operation] in found
    assert len(found) < len(problem.ops)


def test_focus_limits_where_the_search_looks(registry) -> None:
    problem = load(registry, generate(3, "medium")).problem
    built = best_constructed(problem, budget_s=2.0)
    assert built is not None
    args = (problem, built.schedule, built.switch_on, built.objective, 30.0)
    assert shift_search.improve(*args, focus=set()) is None
    everywhere = shift_search.improve(*args)
    assert everywhere is not None
    focused = shift_search.improve(*args, focus=set(range(len(problem.ops))))
    assert focused is not None and focused.objective == pytest.approx(everywhere.objective)


@pytest.mark.serial
def test_lns_goes_on_from_the_shift_polished_improvement(registry) -> None:
    """From a constructed (unpolished) schedule the LNS improves quickly; the shift search
    around each improvement finds moves, and the search continues from the polished
    schedule.  Every schedule kept passes the checker."""
    problem = load(registry, generate(3, "medium")).problem
    ctx = SolveContext(SolveOptions(time_limit=8, threads=1, seed=0),
                       backends=registry.available_backend)
    run_ = Run(problem, registry.available_backend("cpsat"), ctx)
    built = best_constructed(problem, budget_s=1.0)
    assert built is not None
    run_.offer(Incumbent(built.schedule, built.switch_on, built.objective, "heuristic"))
    polisher = cpsat_search.lns_polisher(run_)
    calls: list[tuple[float, float, float | None]] = []

    def polish(previous: Incumbent, improved: Incumbent) -> Incumbent | None:
        better = polisher(previous, improved)
        calls.append((previous.objective, improved.objective,
                      None if better is None else better.objective))
        return better

    improve(run_, polish=polish)
    assert calls, "the LNS never improved"
    assert all(b < a and (c is None or c < b) for a, b, c in calls)
    polished = [c for _, _, c in calls if c is not None]
    assert polished and run_.stats["lns"]["polished"] == len(polished)
    assert run_.best is not None and run_.best.objective <= min(polished) + 1e-9
    payload, _ = switching.build_payload(problem, run_.best.schedule, run_.best.switch_on)
    assert check(problem, payload).feasible


@pytest.mark.serial
def test_the_bound_thread_uses_the_chosen_bucket_relaxation(registry, monkeypatch) -> None:
    monkeypatch.setattr(cpsat, "THREAD_BOUND_COLUMNS", 0)
    doc = run(registry, generate(1, "small"), time_limit=4, model="interval",
              baseline="false", bucket_relaxation="classic").document
    assert doc["check"]["feasible"]
    found = doc["stats"]["bucket_bound"]
    assert found is not None and found["relaxation"] == "classic"
    assert found["value"] <= doc["objective"] + 1e-6
