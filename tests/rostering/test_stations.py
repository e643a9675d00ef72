"""One station per person on a shift: a welder who is also a first-aider fills the welding
station or the first-aid station, not both; a safety rule counts presence instead.  All three
formulations agree; the checker counts named stations, refuses double placement, and reads
payloads naming no station (older solutions) by the most favourable placement."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
from optikit_rostering.checker import check, penalty_parts
from optikit_rostering.matching import best_placement
from optikit_rostering.model import parse, to_payload
from optikit_rostering.reader import read_roster

import optikit
from tests.rostering.conftest import INSTANCES


def dual(**changes: Any) -> dict[str, Any]:
    """One day, one shift; ann holds both demanded skills, bo neither.  Before stations,
    ann alone met both lines (penalty 0); now one line goes short: first-aid (5, not 10)."""
    doc: dict[str, Any] = {
        "type": "rostering", "name": "dual", "days": 1,
        "shifts": [{"id": "D", "start": "07:00", "end": "15:00"}],
        "employees": [{"id": "ann", "skills": ["weld", "first-aid"]}, {"id": "bo"}],
        "cover": [{"shift": "D", "skill": "weld", "requirement": 1, "under_weight": 10},
                  {"shift": "D", "skill": "first-aid", "requirement": 1, "under_weight": 5}],
        # Presence, not a station: ann at the welding station still satisfies it.
        "safety": [{"rule": "skill_per_shift", "skill": "first-aid"}],
    }
    doc.update(changes)
    return doc


def _rows(*rows: tuple[str, str | None]) -> dict[str, Any]:
    return {"assignments": [{"employee": e, "day": 0, "shift": "D", **({} if k == "-" else
                                                                        {"skill": k})}
                            for e, k in rows]}


@pytest.mark.parametrize(("formulation", "solver"),
                         [("cpsat", "cpsat"), ("cpsat-plain", "cpsat"), ("milp", "highs")])
def test_a_dual_skilled_person_fills_one_station(formulation: str, solver: str) -> None:
    solution = optikit.solve(dual(), formulation=formulation, solver=solver, time_limit=5,
                             threads=1)
    assert solution.check is not None and solution.check.ok and str(solution.status) == "optimal"
    assert solution.objective == 5
    assert solution.solution is not None
    ann = next(r for r in solution.solution["assignments"] if r["employee"] == "ann")
    assert ann["skill"] == "weld"


def test_checker_refuses_double_placement_and_foreign_skills() -> None:
    roster = parse(dual())
    report = check(roster, _rows(("ann", "weld"), ("ann", "first-aid")))
    assert "one_station" in [v.constraint for v in report.violations]
    report = check(roster, _rows(("ann", "weld"), ("bo", "first-aid")))
    assert [v.constraint for v in report.violations] == ["station"]
    # A solution document claiming the old double count (0) is refused as well.
    loaded = optikit.load(dual())
    document = {"type": "rostering", "objective": 0, "solution": _rows(("ann", "weld"))}
    names = [v.constraint for v in optikit.check(loaded, document).violations]
    assert names == ["objective"]


def test_named_stations_count_as_named() -> None:
    roster = parse(dual())
    assert check(roster, _rows(("ann", "first-aid"))).objective == 10
    assert check(roster, _rows(("ann", None))).objective == 15
    assert check(roster, _rows(("ann", "weld"))).figures["stations"] == "from the payload"


def test_payload_without_stations_gets_the_best_placement() -> None:
    roster = parse(dual())
    report = check(roster, _rows(("ann", "-")))
    assert report.ok and report.objective == 5
    assert report.figures["stations"].startswith("most favourable")
    # The welder-only bo takes welding so ann can move to first aid (an augmenting path).
    doc = dual(employees=[{"id": "ann", "skills": ["weld", "first-aid"]},
                          {"id": "bo", "skills": ["weld"]}])
    roster = parse(doc)
    grid: list[list[int | None]] = [[0], [0]]
    assert best_placement(roster, grid) == {(0, 0): "first-aid", (1, 0): "weld"}
    assert check(roster, _rows(("ann", "-"), ("bo", "-"))).objective == 0


def test_benchmark_files_have_no_stations() -> None:
    roster = parse(read_roster(INSTANCES / "Instance1.roster"))
    grid: list[list[int | None]] = [[0] * roster.days for _ in roster.employees]
    assert all("skill" not in row for row in to_payload(roster, grid)["assignments"])


def test_best_placement_matches_brute_force_on_random_shifts() -> None:
    rng = random.Random(7)
    skills = ["a", "b", "c"]
    for _ in range(40):
        people = [{"id": f"p{i}", "skills": rng.sample(skills, rng.randint(0, 3))}
                  for i in range(rng.randint(1, 4))]
        cover = [{"shift": "D", "skill": rng.choice(skills), "requirement": rng.randint(0, 2),
                  "under_weight": rng.randint(0, 9), "over_weight": rng.randint(0, 3)}
                 for _ in range(rng.randint(1, 4))]
        roster = parse(dual(employees=people, cover=cover, safety=[]))
        grid: list[list[int | None]] = [[0] for _ in people]
        got = sum(penalty_parts(roster, grid, best_placement(roster, grid)).values())
        choices = [[None, *sorted(p["skills"])] for p in people]
        brute = min(sum(penalty_parts(roster, grid, {(e, 0): k for e, k in enumerate(pick)
                                                      if k is not None}).values())
                    for pick in itertools.product(*choices))
        assert got == brute, (people, cover)
