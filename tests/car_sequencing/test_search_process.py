"""The second swap search in a child process: what it sends back, and its use in ``cpsat``."""

from __future__ import annotations

import time

import pytest
from optikit_carseq import greedy, search_process
from optikit_carseq.evaluate import evaluate
from optikit_carseq.model import parse
from optikit_carseq.reader import parse_carseq, read_carseq

from optikit.registry import Registry
from tests.car_sequencing.conftest import INSTANCES, run

pytestmark = pytest.mark.serial


def test_child_sends_better_sequences_of_the_same_cars() -> None:
    """A CSPLib set-2 line: the child's messages are real sequences at the cost it says,
    falling to zero (every set-2 line has one), and it stops when asked."""
    problem = parse(parse_carseq((INSTANCES / "60-01.carseq").read_text()))
    start = greedy.construct(problem, seed=0)
    start_cost = evaluate(problem, start).value
    assert start_cost > 0
    child = search_process.start(problem, start, seed=5, deadline=time.monotonic() + 20,
                                 target=0, breakout=20_000)
    assert child is not None
    found: list[tuple[int, list[int]]] = []
    end = time.monotonic() + 20
    while time.monotonic() < end and not any(cost == 0 for cost, _ in found):
        found += child.collect(wait=0.1)
    found += child.close()
    assert child.finished and not child.proc.is_alive()
    assert found and min(cost for cost, _ in found) == 0
    for cost, seq in found:
        assert sorted(seq) == sorted(start)
        assert evaluate(problem, seq).value == cost < start_cost


def test_child_stops_at_once_when_asked() -> None:
    problem = parse(parse_carseq((INSTANCES / "set1_10-93.carseq").read_text()))
    start = greedy.construct(problem, seed=0)
    child = search_process.start(problem, start, seed=1, deadline=time.monotonic() + 60,
                                 target=0, breakout=20_000)
    assert child is not None
    time.sleep(0.3)
    child.close()
    # "done" came back: the child obeyed the event (a terminated one never sends it)
    assert not child.proc.is_alive() and child.finished and child.moves > 0


@pytest.mark.parametrize(("threads", "process"), [(2, True), (1, False)])
def test_cpsat_runs_the_second_search_with_two_threads(registry: Registry, threads: int,
                                                      process: bool) -> None:
    """Set-1 10/93 (no zero exists): with two threads the search runs in two processes,
    with one thread in one; the answer is checked either way."""
    doc = run(registry, INSTANCES / "set1_10-93.carseq", "cpsat", time_limit=3,
              threads=threads).document
    assert doc["status"] == "feasible" and doc["check"]["feasible"]
    assert ("ls_process_moves" in doc["stats"]) is process
    if process:
        assert doc["stats"]["ls_process_moves"] > 0


def test_a_level_term_keeps_the_single_search(registry: Registry) -> None:
    """The swap search does not see the level term: such a line gets no second descent
    (nor the larger share), and its answer is still checked."""
    document = read_carseq(INSTANCES / "set1_10-93.carseq")
    document["objective"] = {"weights": {"high": 1, "level": 1}}
    doc = run(registry, document, "cpsat", time_limit=3, threads=2).document
    assert doc["check"]["feasible"] and "ls_process_moves" not in doc["stats"]
