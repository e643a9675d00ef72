"""Both formulations on small lines: same optimum, checked; outputs; generator sizes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from optikit_carseq.generator import generate
from optikit_carseq.model import parse

from optikit.registry import Registry
from tests.car_sequencing.conftest import SAMPLES, load, run, small_line


@pytest.mark.parametrize("objective", [
    {"weights": {"high": 100, "colour": 10, "low": 1}},
    {"weights": {"high": 1, "low": 1, "level": 2}},
    {"lexicographic": ["colour", "high", "low"]},
])
def test_main_and_plain_agree_on_the_optimum(registry: Registry, objective: dict) -> None:
    doc = small_line()
    doc["objective"] = objective
    main = run(registry, doc, "cpsat", time_limit=10).document
    plain = run(registry, doc, "cpsat-plain", time_limit=10).document
    assert main["status"] == plain["status"] == "optimal"
    assert main["objective"] == pytest.approx(plain["objective"])
    assert main["check"]["feasible"] and plain["check"]["feasible"]


def test_impossible_batch_limit_is_infeasible(registry: Registry) -> None:
    doc = small_line()
    doc["paint"]["max_batch"] = 1  # 6 red cars (and yesterday's) but only 2 blue
    for formulation in ("cpsat", "cpsat-plain"):
        assert run(registry, doc, formulation, time_limit=10).document["status"] == "infeasible"


def test_lexicographic_weights_rank_the_terms() -> None:
    problem = parse({**small_line(), "objective": {"lexicographic": ["high", "colour", "low"]}})
    w = problem.weights
    assert w.low == 1 and w.colour > 0 and w.high > w.colour * 3 * 8


@pytest.mark.parametrize(("size", "cars"), [("small", 100), ("medium", 400), ("large", 1000),
                                           ("300", 300)])
def test_generator_sizes(size: str, cars: int) -> None:
    doc = generate(5, size)
    problem = parse(doc)
    assert problem.num_cars == cars and problem.max_batch is not None
    assert generate(5, size) == doc


def test_generator_refuses_an_unknown_size() -> None:
    with pytest.raises(ValueError, match="number of cars"):
        generate(1, "huge")


def test_size_estimate_tracks_the_full_model() -> None:
    from optikit_carseq import cpsat_model

    problem = parse(generate(1, "small"))
    proto = cpsat_model.build(problem, None, None).model.proto
    terms = sum(len(c.linear.vars) + len(c.exactly_one.literals) for c in proto.constraints)
    assert 0.8 * terms <= cpsat_model.size_estimate(problem) <= 1.25 * terms


def test_large_line_with_a_short_limit_skips_the_full_model(registry: Registry) -> None:
    """A 1,000-car line with 2 s: the full model would eat the time, LNS works instead.

    Seed 2 also needs the greedy's paint look-ahead: without it the last cars of the day
    were all silver and no sequence came out.
    """
    result = run(registry, generate(2, "large"), "cpsat", time_limit=2).document
    assert result["status"] == "feasible" and result["check"]["feasible"]
    assert result["stats"]["global_status"].startswith("skipped")


@pytest.mark.parametrize("seed", [2, 6, 8])
def test_greedy_keeps_the_batch_limit_to_the_end_of_the_day(seed: int) -> None:
    from optikit_carseq.evaluate import evaluate
    from optikit_carseq.greedy import construct

    problem = parse(generate(seed, "large"))
    assert evaluate(problem, construct(problem)).feasible


def test_summary_and_chart(registry: Registry, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from optikit_carseq.chart import draw
    from optikit_carseq.summary import summarize

    loaded = load(registry, SAMPLES / "paint_shop_line.yaml")
    doc = run(registry, SAMPLES / "paint_shop_line.yaml", time_limit=1).document
    rows = dict(summarize(loaded.problem, doc))
    assert "colour changes" in rows and "cars" in rows
    out = tmp_path / "seq.png"
    draw(loaded.problem, doc, out)
    assert out.stat().st_size > 1000


def test_small_line_gets_an_unhinted_full_solve(registry: Registry) -> None:
    """A 20-car line: hinted full solve, local search, then a solve without the hint.

    (Hinted solve plus LNS alone ended above the plain model on such lines.)
    """
    result = run(registry, generate(1, "20"), "cpsat", time_limit=1.5).document
    assert result["check"]["feasible"]
    stats = result["stats"]
    assert result["status"] == "optimal" or "unhinted_status" in stats
    assert result["objective"] <= stats["greedy_objective"]


def test_plain_keeps_back_a_share_of_its_build_time() -> None:
    from optikit_carseq.plain import MAX_RESERVE_SHARE, reserve

    assert reserve(2.5, None) is None
    assert reserve(2.5, 7.0) == pytest.approx(7.0 - 1.0)
    assert reserve(0.01, 7.0) == pytest.approx(7.0 - 0.004)
    assert reserve(100.0, 5.0) == pytest.approx(5.0 * (1 - MAX_RESERVE_SHARE))
    assert reserve(1.0, 0.0) == 0.0


@pytest.mark.parametrize("objective", [
    {"weights": {"high": 100, "colour": 10, "low": 1}},
    {"weights": {"high": 1, "low": 1, "level": 2}},
])
def test_cutoff_solve_improves_then_proves(registry: Registry,
                                           objective: dict[str, Any]) -> None:
    """Below the greedy start the cutoff model finds better; below the optimum, nothing."""
    from optikit_carseq import cpsat as main
    from optikit_carseq.greedy import construct

    from optikit.types import SolveContext, SolveOptions

    doc = small_line()
    doc["objective"] = objective
    problem = parse(doc)
    ctx = SolveContext(SolveOptions(time_limit=5.0, threads=1))
    backend = registry.backends["cpsat"]
    best = main._Best(ctx)
    best.offer(problem, construct(problem, seed=0), "greedy")
    start = best.value
    for _ in range(20):  # each round: a better sequence, or the proof
        outcome = main._full_solve(problem, backend, ctx, best, 2.0, True, hinted=False,
                                   seed=1, stats={})
        assert outcome is not None
        if outcome[1]:
            break
    plain = run(registry, doc, "cpsat-plain", time_limit=5).document
    assert outcome is not None and outcome[1]
    assert outcome[0] == best.value == pytest.approx(plain["objective"])
    assert best.value <= start
