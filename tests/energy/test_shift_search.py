"""The shift search: single-operation moves priced as the checker prices them."""

from __future__ import annotations

import threading
import time

import pytest
from optikit_energy import shift_search, switching
from optikit_energy.checker import check
from optikit_energy.cpsat import finish_margin
from optikit_energy.generator import generate
from optikit_energy.heuristic import best_constructed

from optikit.types import SolveContext, SolveOptions
from tests.energy.conftest import TOY_FULL, load, read, run


def _checked_objective(problem, schedule, switch_on) -> float:
    payload, _ = switching.build_payload(problem, schedule, switch_on)
    report = check(problem, payload)
    assert report.feasible, report.violations[:3]
    assert report.objective is not None
    return report.objective


@pytest.mark.parametrize("seed", [1, 3])
def test_improves_the_constructed_schedule_and_stays_feasible(registry, seed) -> None:
    """Medium instances (peak cap, switchable machines): the constructed schedule leaves
    single moves that pay (medium-3: 255.1 -> 244.2), and the result passes the checker
    with the objective the search claims."""
    problem = load(registry, generate(seed, "medium")).problem
    built = best_constructed(problem, budget_s=2.0)
    assert built is not None
    found = shift_search.improve(problem, built.schedule, built.switch_on, built.objective,
                                 budget_s=30.0)
    assert found is not None and found.moves > 0
    checked = _checked_objective(problem, found.schedule, found.switch_on)
    assert checked == pytest.approx(found.objective, rel=1e-9, abs=1e-9) or (
        checked < found.objective)  # dropping unused switch-ons only lowers it
    assert checked < built.objective - 1e-6


def test_a_local_optimum_has_no_move_left(registry) -> None:
    problem = load(registry, generate(3, "medium")).problem
    built = best_constructed(problem, budget_s=2.0)
    assert built is not None
    found = shift_search.improve(problem, built.schedule, built.switch_on, built.objective,
                                 budget_s=30.0)
    assert found is not None
    again = shift_search.improve(problem, found.schedule, found.switch_on, found.objective,
                                 budget_s=30.0)
    assert again is None


def test_moves_keep_sequence_dependent_setups(registry) -> None:
    document = read(TOY_FULL)
    for job in document["jobs"]:
        job["product"] = "a" if job["id"] in ("J1", "J3", "J5", "J7") else "b"
    document["setups"] = {m: {"a": {"b": 3}, "b": {"a": 3}} for m in ("M1", "M2")}
    problem = load(registry, document).problem
    built = best_constructed(problem, budget_s=1.0)
    assert built is not None
    found = shift_search.improve(problem, built.schedule, built.switch_on, built.objective,
                                 budget_s=10.0)
    assert found is not None  # 125,600 -> 124,200
    assert _checked_objective(problem, found.schedule, found.switch_on) < built.objective


def test_declines_calendars_and_stops_when_asked(registry) -> None:
    with_calendars = load(registry, generate(1, "small", calendars="one-shift")).problem
    assert not shift_search.applicable(with_calendars)
    problem = load(registry, generate(3, "medium")).problem
    built = best_constructed(problem, budget_s=2.0)
    assert built is not None
    stopped = shift_search.improve(problem, built.schedule, built.switch_on, built.objective,
                                   budget_s=30.0, should_stop=lambda: True)
    assert stopped is None


def test_cpsat_reports_the_shift_search_and_a_checked_answer(registry) -> None:
    doc = run(registry, generate(3, "medium"), time_limit=8, baseline="false",
              bucket_bound="false").document
    assert doc["check"]["feasible"]
    shift = doc["stats"]["shift_search"]["start"]
    assert shift["moves"] > 0
    assert doc["objective"] <= shift["objective"] + 1e-6 < doc["stats"]["heuristic_objective"]


def test_finish_margin_brings_the_deadline_forward() -> None:
    stop = threading.Event()
    ctx = SolveContext(SolveOptions(time_limit=60.0), stop=stop, started=time.monotonic())
    narrowed = finish_margin(ctx)
    assert ctx.deadline is not None and narrowed.deadline is not None
    assert narrowed.deadline == pytest.approx(ctx.deadline - 1.2)
    assert narrowed.stop is stop
    unlimited = SolveContext(SolveOptions(time_limit=None))
    assert finish_margin(unlimited) is unlimited
