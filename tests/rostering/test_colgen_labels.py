"""The labelling pricer (:mod:`optikit_rostering.colgen_labels`): on random duals its least
reduced cost is the CP-SAT pricer's (Curtois & Qu files and generated plants with every
native rule: weekly hours, weekly rest, average weeks, rest hours, nights, stations, safety),
every row it returns obeys its employee's rules (the independent checker), the plain-Python
kernel gives the compiled one's answers, and an overflow falls back to CP-SAT."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
from optikit_rostering import colgen_labels, pricing_kernel
from optikit_rostering.checker import employee_violations
from optikit_rostering.colgen_pricing import Duals, Pricer, reduced_cost
from optikit_rostering.generator import generate as generate_plant
from optikit_rostering.model import Roster, parse
from optikit_rostering.reader import read_roster

from tests.rostering.conftest import INSTANCES


def _roster(source: str) -> Roster:
    if source.startswith("plant-"):
        return parse(generate_plant(int(source.split("-")[1]), "small"))
    return parse(read_roster(INSTANCES / f"{source}.roster"))


def _duals(roster: Roster, rng: random.Random, scale: float, ties: bool) -> Duals:
    """Random duals that mostly pay for work (so the caps bind); with ``ties`` the values
    of a real master's (integers: -1, 0 and the under-cover weight), where labels tie."""
    def value() -> float:
        if ties:
            return float(rng.choice((-1, 0, 0, 1, 100)))
        return rng.uniform(-scale / 4, scale)

    cell = {(d, s): value() for d in range(roster.days) for s in range(roster.num_shifts)}
    station = {(c.day, c.shift, c.skill): abs(value()) for c in roster.cover
               if c.skill is not None}
    safety = {(h.day, h.shift, h.skill): abs(value()) / 2 for h in roster.hard_cover}
    return Duals(cell, station, safety, [rng.uniform(-10, 10) for _ in roster.employees])


def _check(roster: Roster, e: int, duals: Duals, exact: Pricer, reference: Pricer) -> None:
    cols, least = exact.price(duals, 5.0, 30.0, below=math.inf)
    ref_cols, ref_least = reference.price(duals, 20.0, 30.0, below=math.inf)
    assert exact.label_calls >= 1 and exact.cpsat_calls == 0
    assert least is not None and ref_least is not None and cols and ref_cols
    best = min(reduced_cost(roster, c, duals) for c in cols)
    ref_best = min(reduced_cost(roster, c, duals) for c in ref_cols)
    # The same minimum: CP-SAT's proof (less its rounding of the duals) <= ours <= its row.
    assert ref_least - 1e-6 <= best <= ref_best + 1e-6
    assert least <= best <= least + 1e-4 * (1 + abs(best))
    emp = roster.employees[e]
    for col in cols:
        assert employee_violations(roster, e, list(col.row)) == []
        for d, k in enumerate(col.stations):
            assert k is None or (col.row[d] is not None and k in emp.skills)


@pytest.mark.parametrize("source", ["Instance1", "Instance2", "Instance3", "Instance8",
                                    "plant-1", "plant-2"])
def test_least_reduced_cost_is_cp_sats_and_rows_obey_the_rules(source: str) -> None:
    roster = _roster(source)
    rng = random.Random(source)
    for e in rng.sample(range(roster.num_employees), 3):
        exact, reference = Pricer(roster, e), Pricer(roster, e, labels=False)
        assert exact.labels is not None and reference.labels is None
        for scale, ties in ((5.0, False), (300.0, False), (0.0, True)):
            _check(roster, e, _duals(roster, rng, scale, ties), exact, reference)


def test_node_decisions_are_obeyed_and_a_forced_impossible_cell_closes_the_node() -> None:
    roster = _roster("plant-1")
    rng = random.Random(3)
    e = 0
    exact, reference = Pricer(roster, e), Pricer(roster, e, labels=False)
    duals = _duals(roster, rng, 50.0, False)
    fixed = {(2, 0): True, (3, 1): False, (9, 2): False, (10, 0): True}
    cols, least = exact.price(duals, 5.0, 30.0, below=math.inf, fixed=fixed)
    ref_cols, ref_least = reference.price(duals, 20.0, 30.0, below=math.inf, fixed=fixed)
    assert cols and least is not None and ref_least is not None
    for col in cols:
        assert all((col.row[d] == s) == on for (d, s), on in fixed.items())
    best = min(reduced_cost(roster, c, duals) for c in cols)
    assert ref_least - 1e-6 <= best <= min(reduced_cost(roster, c, duals) for c in ref_cols) \
        + 1e-6
    leave = next(iter(roster.employees[e].days_off), None)
    if leave is not None:
        assert exact.price(duals, 5.0, 30.0, fixed={(leave, 0): True}) == ([], math.inf)
    # Two forced cells on one day: no row at all.
    assert exact.price(duals, 5.0, 30.0, fixed={(4, 0): True, (4, 1): True}) == ([], math.inf)


def test_plain_python_kernel_gives_the_compiled_answers(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    roster = _roster("Instance2")
    rng = random.Random(5)
    duals = [_duals(roster, rng, 100.0, ties) for ties in (False, True)]
    compiled = [colgen_labels.LabelPricer(roster, e).solve(d, 5) for e in (0, 3) for d in duals]
    for name in ("encode", "num_nodes", "step", "backward", "_dominates", "extend"):
        fn = getattr(pricing_kernel, name)
        monkeypatch.setattr(pricing_kernel, name, getattr(fn, "py_func", fn))
    plain = [colgen_labels.LabelPricer(roster, e).solve(d, 5) for e in (0, 3) for d in duals]
    assert all(a is not None for a in compiled)
    assert [(a.rows, a.least) for a in compiled if a] == [(b.rows, b.least) for b in plain if b]


def test_an_overflow_falls_back_to_cp_sat(monkeypatch: pytest.MonkeyPatch) -> None:
    roster = _roster("Instance1")
    monkeypatch.setattr(colgen_labels, "LIMIT", 1)
    pricer = Pricer(roster, 0)
    duals = _duals(roster, random.Random(1), 100.0, False)
    cols, least = pricer.price(duals, 5.0, 30.0, below=math.inf)
    assert pricer.cpsat_calls == 1 and pricer.label_calls == 0
    assert cols and least is not None


def test_an_unknown_rule_is_priced_by_cp_sat(monkeypatch: pytest.MonkeyPatch) -> None:
    roster = _roster("Instance1")
    monkeypatch.setattr(colgen_labels, "MODELLED",
                        colgen_labels.MODELLED - {"max_weekends"})
    assert Pricer(roster, 0).labels is None


def test_colgen_pricer_option_chooses_the_pricer() -> None:
    import optikit

    for pricer, key in (("labels", "colgen_label_calls"), ("cpsat", "colgen_cpsat_calls")):
        solution = optikit.solve(INSTANCES / "Instance1.roster", formulation="cpsat",
                                 time_limit=20, threads=1,
                                 options={"colgen": "on", "colgen_pricer": pricer})
        stats: dict[str, Any] = solution.document["stats"]
        assert solution.check is not None and solution.check.ok
        assert stats[key] > 0
