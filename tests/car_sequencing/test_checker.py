"""The independent checker on sequences worked out by hand."""

from __future__ import annotations

from typing import Any

from optikit_carseq.checker import check
from optikit_carseq.evaluate import evaluate
from optikit_carseq.model import parse

from optikit.registry import Registry
from tests.car_sequencing.conftest import small_line


def _check(seq: list[str], doc: dict[str, Any] | None = None) -> Any:
    problem = parse(doc or small_line())
    return check(problem, {"sequence": seq})


def test_hand_worked_sequence() -> None:
    # line: [A] | C A B A C B C A  (yesterday's A first)
    report = _check(["C", "A", "B", "A", "C", "B", "C", "A"])
    assert report.violations == []
    f = report.figures
    # S windows of 2 over the 9-car line: no two A adjacent, A(prev) C ok -> 0 excess.
    assert f["excess_per_option"] == {"S": 0, "N": 0}
    # colours: red | red red blue red red blue red red -> 4 changes, runs <= 3
    assert f["colour_changes"] == 4
    assert report.objective == 10 * 3 * 4


def test_straddling_window_and_low_priority_weight() -> None:
    # [A] | A B B C A C A C: the first S window (yesterday's A, today's A) is over by 1;
    # N: window B B C over by 1 (and A B B over by 1) -> 2 excess x weight 2.
    report = _check(["A", "B", "B", "C", "A", "C", "A", "C"])
    f = report.figures
    assert f["excess_per_option"] == {"S": 1, "N": 2}
    assert f["high_priority_excess"] == 1 and f["low_priority_excess"] == 4
    # red | red blue blue red red red red red: changes 2, and a run of 5 reds > 3
    assert f["colour_changes"] == 2
    assert report.objective == 100 * 1 + 10 * 3 * 2 + 1 * 4
    assert [v.constraint for v in report.violations] == ["paint batch"]
    assert report.violations[0].amount == 2


def test_wrong_counts_and_unknown_ids_are_violations() -> None:
    report = _check(["A", "A", "A", "A", "B", "C", "C", "X"])
    kinds = sorted(v.constraint for v in report.violations)
    assert "sequence" in kinds and "class count" in kinds
    assert report.objective is None
    assert _check([]).violations
    problem = parse(small_line())
    assert check(problem, {}).violations


def test_level_term_and_evaluator_agree() -> None:
    doc = small_line()
    doc["objective"] = {"weights": {"high": 1, "level": 1}}
    seq = ["A", "B", "C", "A", "C", "B", "A", "C"]
    report = _check(seq, doc)
    problem = parse(doc)
    ids = {c.id: k for k, c in enumerate(problem.classes)}
    assert evaluate(problem, [ids[s] for s in seq]).value == report.objective
    # class A (3 of 8) built at t = 1, 4, 7: sum_t |X_A(t) - 3t/8|
    xa = [1, 1, 1, 2, 2, 2, 3, 3]
    dev_a = sum(abs(x - 3 * (t + 1) / 8) for t, x in enumerate(xa))
    assert report.figures["level_deviation"] >= dev_a


def test_checker_matches_evaluator_on_generated_line(registry: Registry) -> None:
    import random

    from optikit_carseq.generator import generate

    doc = generate(3, "small")
    problem = parse(doc)
    seq = [k for k, c in enumerate(problem.classes) for _ in range(c.count)]
    random.Random(1).shuffle(seq)
    report = check(problem, {"sequence": [problem.classes[k].id for k in seq]})
    ev = evaluate(problem, seq)
    assert report.objective is not None and abs(ev.value - report.objective) < 1e-6
    assert ev.feasible == (not report.violations)
