"""The numpy best-swap search: exact swap prices for every partner, and what it achieves."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from optikit_carseq import cpsat, greedy
from optikit_carseq.evaluate import evaluate
from optikit_carseq.generator import generate
from optikit_carseq.model import CarSeqProblem, parse
from optikit_carseq.reader import parse_carseq
from optikit_carseq.vecsearch import VectorSearch

from tests.car_sequencing.conftest import INSTANCES


def _line(instance: int, size: str, batch: bool) -> CarSeqProblem:
    doc = generate(instance, size)
    if not batch:
        doc["paint"] = {k: v for k, v in doc.get("paint", {}).items() if k != "max_batch"}
    return parse(doc)


def _high(problem: CarSeqProblem, seq: list[int]) -> int:
    return int(evaluate(problem, seq).value // problem.weights.high)


@pytest.mark.parametrize(("instance", "size", "batch"),
                         [(3, "small", False), (1, "small", True), (2, "medium", True)])
def test_every_swap_price_is_the_exact_change(instance: int, size: str, batch: bool) -> None:
    """Each partner's price (neighbours included) against a full recount, also once the
    breakout weights have made some windows heavier; with no batch rule the cost also
    agrees with the independent evaluator."""
    problem = _line(instance, size, batch)
    seq = [k for k, c in enumerate(problem.classes) for _ in range(c.count)]
    random.Random(instance).shuffle(seq)
    search = VectorSearch(problem, seq, seed=1)
    rng = random.Random(2)
    for step in range(60):
        if step % 20 == 10:
            search.bump()
        a = search.p0 + rng.randrange(search.n)
        partners, prices = search.swap_deltas(a)
        picks = rng.sample(range(len(partners)), 6)
        picks += [i for i in range(len(partners)) if abs(int(partners[i]) - a) == 1]
        for i in picks:
            b = int(partners[i])
            if b == a:
                continue
            before = search.penalised
            search.apply(a, b)
            assert search.penalised - before == prices[i], (a, b)
            search.apply(a, b)  # back
    if not batch:
        assert search.cost == evaluate(problem, search.sequence()).value
    assert sorted(search.sequence()) == sorted(seq)


@pytest.mark.parametrize(("instance", "size", "batch"),
                         [(3, "small", False), (1, "small", True), (2, "medium", True)])
def test_every_shift_price_is_the_exact_change(instance: int, size: str, batch: bool) -> None:
    """Shifts both ways, next to the car, at the ends of the line and at the reach."""
    problem = _line(instance, size, batch)
    seq = [k for k, c in enumerate(problem.classes) for _ in range(c.count)]
    random.Random(instance + 7).shuffle(seq)
    search = VectorSearch(problem, seq, seed=2)
    rng = random.Random(3)
    last = search.p0 + search.n - 1
    for step in range(50):
        if step % 20 == 10:
            search.bump()
        a = rng.choice([search.p0, last]) if step % 10 == 0 else search.p0 + rng.randrange(search.n)
        targets, prices = search.shift_deltas(a)
        assert a not in targets.tolist() and len(targets) > 0
        picks = rng.sample(range(len(targets)), 5)
        picks += [i for i, b in enumerate(targets.tolist())
                  if abs(b - a) <= 2 or b in (search.p0, last) or i in (0, len(targets) - 1)]
        for i in picks:
            saved, before = search.line.copy(), search.penalised
            search.apply_shift(a, int(targets[i]))
            assert search.penalised - before == prices[i], (a, int(targets[i]))
            assert sorted(search.sequence()) == sorted(seq)
            search.line = saved
            search.load(search.sequence())
    if not batch:
        assert search.cost == evaluate(problem, search.sequence()).value


def test_best_swaps_clear_the_high_priority_windows_of_a_greedy_start() -> None:
    """A generated 400-car line: the greedy leaves dozens of high-priority violations, a
    few hundred best-move tries remove them all, within the paint batch limit."""
    problem = _line(1, "medium", True)
    start = greedy.construct(problem, seed=0)
    assert _high(problem, start) > 20
    search = VectorSearch(problem, start, seed=1)
    # stops as soon as no high-priority window is violated (cost below one of them)
    search.run(math.inf, lambda: False, target=problem.weights.high - 1, max_tries=3000)
    assert search.tries < 3000
    result = search.sequence()
    assert evaluate(problem, result).feasible
    assert _high(problem, result) == 0
    assert search.cost == evaluate(problem, result).value


def test_the_search_ends_on_its_best_sequence() -> None:
    problem = _line(2, "small", True)
    search = VectorSearch(problem, greedy.construct(problem, seed=0), seed=3)
    seen: list[int] = []
    search.run(math.inf, lambda: False, max_tries=300, breakout=5, on_improve=seen.append)
    assert seen and search.cost == min(seen) == evaluate(problem, search.sequence()).value
    assert np.array_equal(search.line[:search.p0], np.asarray(problem.previous))


def test_auto_picks_the_vector_search_for_long_painted_lines_only() -> None:
    opts = {"swap_search": "auto"}
    assert cpsat._vectorised(_line(1, "medium", True), opts)  # 400 cars
    assert not cpsat._vectorised(_line(1, "small", True), opts)  # 100 cars
    csplib = parse_carseq((INSTANCES / "set1_10-93.carseq").read_text())
    assert not cpsat._vectorised(parse(csplib), opts)
    assert cpsat._vectorised(parse(csplib), {"swap_search": "vector"})
    assert not cpsat._vectorised(_line(1, "medium", True), {"swap_search": "moves"})


def test_tries_leave_a_violation_yesterday_forces() -> None:
    """Yesterday ended with a sunroof car (1 in 2) and 8 of today's 15 need one, so
    today starts with one: that window's excess is unavoidable (the bound knows it), so
    the tries stop drawing their first car from it and go to the colour changes and the
    low-priority windows."""
    doc = {"type": "car-sequencing",
           "options": [{"id": "S", "max": 1, "window": 2},
                       {"id": "N", "max": 1, "window": 3, "priority": "low"}],
           "classes": [{"id": "A", "count": 8, "options": ["S"], "colour": "red"},
                       {"id": "B", "count": 4, "options": [], "colour": "blue"},
                       {"id": "C", "count": 3, "options": ["N"], "colour": "red"}],
           "previous": ["A"], "objective": {"weights": {"high": 100, "colour": 3, "low": 1}}}
    problem = parse(doc)
    a, b, c = 0, 1, 2
    seq = [a, b, a, c, a, b, a, c, a, b, a, c, a, b, a]  # 8 of 15 cars: A first
    assert evaluate(problem, seq).value // 100 == 1
    search = VectorSearch(problem, seq, seed=6)
    assert search.high_floor == 100
    firsts = [search._pick_first() for _ in range(400)]
    assert firsts.count(search.p0) < 0.6 * len(firsts)
    search.high_floor = 0  # as before: the unavoidable window drew 90% of the tries
    firsts = [search._pick_first() for _ in range(400)]
    assert firsts.count(search.p0) > 0.85 * len(firsts)
