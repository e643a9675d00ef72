"""Column generation over employee rows (``cpsat`` with ``colgen``): pricing returns rows
that obey every rule of their employee (by the independent checker), the Lagrangian/LP bound
never exceeds a proven optimum, and the rosters the phase hands over pass the checker."""

from __future__ import annotations

import random
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from optikit_rostering.checker import employee_violations
from optikit_rostering.colgen import generate, integral_bound
from optikit_rostering.colgen_pricing import Duals, Pricer, reduced_cost
from optikit_rostering.generator import generate as generate_plant
from optikit_rostering.model import Roster, parse
from optikit_rostering.reader import read_roster

import optikit
from optikit.types import SolveContext, SolveOptions
from tests.rostering.conftest import INSTANCES, plant

SAMPLES = Path(__file__).resolve().parents[2] / "plugins" / "optikit_rostering" / "samples"


def _stations_document() -> dict[str, object]:
    """The test plant with a station line (first-aid on E), a safety rule (first-aid on
    every E shift) and a fourth first-aider, so that a roster exists."""
    document = plant(
        cover=[{"shift": "E", "requirement": 1, "under_weight": 10, "over_weight": 1},
               {"shift": "E", "skill": "first-aid", "requirement": 1, "under_weight": 20}],
        safety=[{"rule": "skill_per_shift", "skill": "first-aid", "shifts": ["E"]}])
    document["employees"].append({"id": "di", "contract": "ft", "skills": ["first-aid"]})
    return document


def _stations_plant() -> Roster:
    return parse(_stations_document())


def _random_duals(roster: Roster, rng: random.Random, scale: float) -> Duals:
    """Duals that pay for working (mostly): pricing then wants long rows, where the rules
    bind."""
    cell = {(d, s): rng.uniform(-scale / 4, scale) for d in range(roster.days)
            for s in range(roster.num_shifts)}
    station = {(c.day, c.shift, c.skill): rng.uniform(0, scale) for c in roster.cover
               if c.skill is not None}
    safety = {(h.day, h.shift, h.skill): rng.uniform(0, scale) for h in roster.hard_cover}
    return Duals(cell, station, safety, [0.0] * roster.num_employees)


@pytest.mark.parametrize("source", ["plant", "coil_press_crane", "Instance1"])
def test_priced_rows_obey_every_rule_of_their_employee(source: str) -> None:
    if source == "plant":
        roster = _stations_plant()
    elif source == "Instance1":
        roster = parse(read_roster(INSTANCES / "Instance1.roster"))
    else:
        roster = parse(yaml.safe_load((SAMPLES / f"{source}.yaml").read_text()))
    rng = random.Random(7)
    for e, emp in enumerate(roster.employees):
        pricer = Pricer(roster, e)
        for scale in (5.0, 500.0):
            duals = _random_duals(roster, rng, scale)
            columns, least = pricer.price(duals, 5.0, 30.0, below=float("inf"))
            assert columns, f"{emp.id}: no row found"
            assert least is not None  # tiny models: proved within the limit
            for col in columns:
                assert employee_violations(roster, e, list(col.row)) == []
                for d, k in enumerate(col.stations):
                    assert k is None or (col.row[d] is not None and k in emp.skills)
                # The proof holds for every row found (up to the duals' rounding).
                assert reduced_cost(roster, col, duals) >= least - 1e-9
            # The last row CP-SAT reported is the optimum it proved.
            assert reduced_cost(roster, columns[-1], duals) <= least + 0.1


def _context(limit: float, pricer: str = "labels") -> SolveContext:
    return SolveContext(SolveOptions(time_limit=limit, threads=1, seed=0,
                                     extra={"colgen_pricer": pricer}))


def test_bound_on_instance1_is_useful_and_below_its_proven_optimum() -> None:
    roster = parse(read_roster(INSTANCES / "Instance1.roster"))
    stats: dict[str, object] = {}
    relaxation = generate(roster, _context(60.0), 55.0, stats)
    assert relaxation is not None and relaxation.lp_value is not None
    bound = integral_bound(relaxation.bound)
    assert bound is not None
    # Stopped once the rounded Lagrangian bound meets the rounded LP value, or converged.
    assert relaxation.converged or bound == integral_bound(relaxation.lp_value)
    # 607 is Instance1's proven optimum (CP-SAT proves it in seconds); the LP is 558.
    assert 550 <= bound <= 607


@pytest.mark.parametrize("seed", [1, 2])
def test_bound_never_exceeds_the_proven_optimum_of_a_small_plant(seed: int) -> None:
    document = generate_plant(seed, "tiny")
    proven = optikit.solve(document, formulation="cpsat-plain", time_limit=30, threads=1)
    assert str(proven.status) == "optimal"
    roster = parse(document)
    relaxation = generate(roster, _context(30.0), 25.0, {})
    assert relaxation is not None
    bound = relaxation.bound
    assert bound is not None and relaxation.lp_value is not None
    assert bound <= relaxation.lp_value + 1e-6
    assert relaxation.converged or integral_bound(bound) == integral_bound(relaxation.lp_value)
    rounded = integral_bound(bound)
    assert rounded is not None and proven.objective is not None
    assert rounded <= proven.objective


@pytest.mark.parametrize("document", ["plant", "Instance1"])
def test_colgen_rosters_pass_the_checker(document: str) -> None:
    problem: object = _stations_document() if document == "plant" \
        else INSTANCES / "Instance1.roster"
    solution = optikit.solve(problem, formulation="cpsat", time_limit=20, threads=1,
                             options={"colgen": "on"})
    assert solution.check is not None and solution.check.ok
    stats = solution.document["stats"]
    assert stats["colgen_rounds"] >= 1
    bound = solution.bound
    assert solution.objective is not None
    assert bound is None or bound <= solution.objective + 1e-9


@pytest.mark.parametrize("lp", ["live", "rebuild"])
@pytest.mark.parametrize("document", ["plant", "Instance2"])
def test_a_stop_during_the_relaxation_still_returns_a_checked_roster(
        document: str, lp: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while the column generation runs (here: as its third master LP is solved,
    the live LP or a rebuilt one), before any roster step: the LP's rows make the roster
    the run returns (before, the run ended with none)."""
    import optikit_rostering.colgen as colgen

    stop = threading.Event()
    built = []
    real = colgen.build if lp == "rebuild" else colgen.live_round

    def counted(*args: Any, **kwargs: Any) -> Any:
        built.append(1)
        if len(built) == 3:
            stop.set()
        return real(*args, **kwargs)

    monkeypatch.setattr(colgen, "build" if lp == "rebuild" else "live_round", counted)
    problem: object = _stations_document() if document == "plant" \
        else INSTANCES / "Instance2.roster"
    solution = optikit.solve(problem, formulation="cpsat", time_limit=60, threads=1,
                             options={"colgen": "on", "colgen_lp": lp}, stop=stop)
    assert stop.is_set() and len(built) == 3  # stopped in the relaxation, no MILP after it
    # optimal where the rows happen to meet the relaxation's bound (the tiny plant)
    assert str(solution.status) in ("feasible", "optimal") and solution.objective is not None
    assert solution.check is not None and solution.check.ok
    assert solution.check.figures["penalty"] == solution.objective


def test_partial_pricing_reaches_the_bound_of_full_pricing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Quick rounds price half the staff (those whose rows priced out most); the
    relaxation still ends at the LP value and rounded bound of pricing everyone (the CP-SAT
    pricer: the labelling one prices everyone, exactly, every round)."""
    import optikit_rostering.colgen as colgen

    roster = parse(read_roster(INSTANCES / "Instance1.roster"))
    calls: list[int] = []
    real = Pricer.price

    def counted(self: Pricer, *args: Any, **kwargs: Any) -> Any:
        calls.append(self.e)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Pricer, "price", counted)
    ends = []
    for share in (colgen.PARTIAL, 1.0):
        monkeypatch.setattr(colgen, "PARTIAL", share)
        calls.clear()
        relaxation = generate(roster, _context(60.0, "cpsat"), 55.0, {})
        assert relaxation is not None and relaxation.lp_value is not None
        bound = integral_bound(relaxation.bound)
        assert relaxation.converged or bound == integral_bound(relaxation.lp_value)
        ends.append((bound, relaxation.lp_value, len(calls), relaxation.rounds))
    (partial_bound, partial_lp, partial_calls, partial_rounds), (full_bound, full_lp, _, _) = ends
    # Two first rounds for everyone, then some rounds priced fewer than everyone.
    assert partial_calls < (partial_rounds + 2) * roster.num_employees
    assert partial_bound == full_bound
    assert abs(partial_lp - full_lp) < 1.0
