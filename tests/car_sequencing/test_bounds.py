"""The solver-free lower bound: yesterday's windows and the paint runs, never above an optimum.

The optimum of every random line here comes from enumerating all its distinct sequences,
so the comparison does not rest on any solver or on the bound itself.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from optikit_carseq.bounds import colour_changes, lower_bound, option_excess
from optikit_carseq.evaluate import evaluate
from optikit_carseq.model import CarSeqProblem, parse
from optikit_carseq.reader import parse_carseq

from optikit.registry import Registry
from tests.car_sequencing.conftest import INSTANCES, run

#: CSPLib set 1, best-known values (result1.md); the first four are proven 0.
SET1_BEST = {"4-72": 0, "16-81": 0, "41-66": 0, "26-82": 0, "6-76": 6, "10-93": 3,
             "19-71": 2, "21-90": 2, "36-92": 2}


def sequences(counts: list[int]) -> Iterator[list[int]]:
    """Every distinct sequence with ``counts[k]`` cars of class ``k``."""
    total = sum(counts)
    seq: list[int] = []

    def extend() -> Iterator[list[int]]:
        if len(seq) == total:
            yield list(seq)
            return
        for k, left in enumerate(counts):
            if left:
                counts[k] -= 1
                seq.append(k)
                yield from extend()
                seq.pop()
                counts[k] += 1

    return extend()


def optimum(problem: CarSeqProblem) -> float | None:
    """The best value over every sequence within the batch limit (None: there is none)."""
    values = [ev.value for seq in sequences([c.count for c in problem.classes])
              if (ev := evaluate(problem, seq)).feasible]
    return min(values) if values else None


def random_line(rng: random.Random) -> dict[str, Any]:
    """6-9 cars, two or three options, 2-4 of yesterday's cars leaning to the options."""
    ratings = rng.sample([(1, 2), (2, 3), (1, 3), (2, 4), (1, 4)], rng.randint(2, 3))
    options = [{"id": f"O{j}", "max": p, "window": q, "priority": rng.choice(["high", "low"])}
               for j, (p, q) in enumerate(ratings)]
    n = rng.randint(6, 9)
    counts = [1] * 3
    for _ in range(n - 3):
        counts[rng.randrange(3)] += 1
    needs = [[o["id"] for o in options if rng.random() < 0.6] for _ in range(3)]
    classes = [{"id": f"C{k}", "count": counts[k], "colour": rng.choice(["red", "blue"]),
                "options": needs[k]} for k in range(3)]
    heavy = f"C{max(range(3), key=lambda k: len(needs[k]))}"
    previous = [heavy if rng.random() < 0.7 else rng.choice(classes)["id"]
                for _ in range(rng.randint(2, 4))]
    return {"type": "car-sequencing", "options": options, "classes": classes,
            "paint": {"max_batch": rng.randint(2, 4), "change_cost": rng.randint(1, 2)},
            "previous": previous,
            "objective": {"weights": {"high": 5, "colour": 2, "low": 1}}}


def without_yesterday(problem: CarSeqProblem) -> CarSeqProblem:
    return replace(problem, previous=())


def test_bound_never_exceeds_the_enumerated_optimum() -> None:
    rng = random.Random(13)
    checked = rose = 0
    for _ in range(60):
        problem = parse(random_line(rng))
        best = optimum(problem)
        if best is None:
            continue
        bound = lower_bound(problem)
        assert bound <= best + 1e-9, (problem, bound, best)
        checked += 1
        rose += any(option_excess(problem, j) > option_excess(without_yesterday(problem), j)
                    for j in range(len(problem.options)))
    assert checked >= 30
    assert rose >= 3  # yesterday's windows raised the option bound on several of them


def line(previous: list[str], today: dict[str, int]) -> dict[str, Any]:
    """Option S at most 1 car in 2; class A needs it, class B does not."""
    return {"type": "car-sequencing", "options": [{"id": "S", "max": 1, "window": 2}],
            "classes": [{"id": k, "count": c, "options": ["S"] if k == "A" else []}
                        for k, c in today.items()],
            "previous": previous}


def test_yesterday_forces_a_violation(registry: Registry) -> None:
    """Yesterday ended with an A; today A, A, B: one window must hold two A's.

    Alone today's three cars fit (A B A), so the bound without yesterday is 0.
    """
    doc = line(["A"], {"A": 2, "B": 1})
    problem = parse(doc)
    assert lower_bound(without_yesterday(problem)) == 0
    assert lower_bound(problem) == problem.weights.high
    result = run(registry, doc, "cpsat", time_limit=10).document
    assert result["status"] == "optimal" and result["objective"] == problem.weights.high
    assert result["bound"] == problem.weights.high


def test_yesterday_overfills_a_window_on_its_own() -> None:
    """Yesterday's last two cars need a 1-in-3 option: today's first car's window is over."""
    doc = line(["A", "A"], {"A": 1, "B": 3})
    doc["options"][0].update(max=1, window=3)
    assert option_excess(parse(doc), 0) == 1
    assert option_excess(without_yesterday(parse(doc)), 0) == 0


def test_a_line_shorter_than_the_window_has_no_window() -> None:
    """Two option cars, a 1-in-3 option, no yesterday: no window at all, optimum 0."""
    doc = line([], {"A": 2})
    doc["options"][0].update(max=1, window=3)
    problem = parse(doc)
    assert optimum(problem) == 0 and lower_bound(problem) == 0


def test_colour_runs_bound() -> None:
    """Yesterday ended with a full red batch: 4 red and 2 blue need 3 runs, all new."""
    doc = line(["A", "A", "A"], {"A": 4, "B": 2})
    doc["options"] = []
    for c in doc["classes"]:
        c["options"] = []
        c["colour"] = "red" if c["id"] == "A" else "blue"
    doc["paint"] = {"max_batch": 3}
    problem = parse(doc)
    assert colour_changes(problem) == 3
    assert colour_changes(parse({**doc, "previous": ["B"]})) == 2  # blue may continue
    assert colour_changes(parse({**doc, "previous": []})) == 2
    best = optimum(problem)
    assert best is not None and colour_changes(problem) <= best


@pytest.mark.parametrize("name", sorted(SET1_BEST))
def test_bound_stays_below_the_best_known_set1_values(name: str) -> None:
    problem = parse(parse_carseq((INSTANCES / f"set1_{name}.carseq").read_text()))
    assert lower_bound(problem) <= SET1_BEST[name]
