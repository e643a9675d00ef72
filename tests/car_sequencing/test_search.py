"""The local search's incremental costs, the pairwise bound and the MILP formulation."""

from __future__ import annotations

import random

import pytest
from optikit_carseq.evaluate import evaluate
from optikit_carseq.generator import generate
from optikit_carseq.localsearch import SEGMENT_REACH, SwapSearch
from optikit_carseq.model import CarSeqProblem, parse
from optikit_carseq.pairs import combine, pair_bound, project
from optikit_carseq.reader import parse_carseq

from optikit.registry import Registry
from optikit.types import SolveContext, SolveOptions
from tests.car_sequencing.conftest import INSTANCES, run, small_line


def _soft(problem_doc: dict) -> dict:
    """The same line without the hard batch rule (the search prices it, evaluate refuses)."""
    doc = dict(problem_doc)
    doc["paint"] = {k: v for k, v in doc.get("paint", {}).items() if k != "max_batch"}
    return doc


def _search(instance: int, seed: int) -> tuple[CarSeqProblem, SwapSearch, random.Random]:
    """A generated small line (batch rule dropped), sorted by class, and a search on it."""
    problem = parse(_soft(generate(instance, "small")))
    seq = [k for k, c in enumerate(problem.classes) for _ in range(c.count)]
    return problem, SwapSearch(problem, seq, seed=seed), random.Random(seed + 1)


def test_segment_moves_keep_the_incremental_cost_exact() -> None:
    problem, ls, rng = _search(3, 1)
    for _ in range(300):
        move = ls._segment_move(ls.p0 + rng.randrange(ls.n))
        if move is None:
            continue
        d, dp = ls.segment_delta(*move)
        ls.apply_segment(*move, d, dp)
        assert ls.cost == pytest.approx(evaluate(problem, ls.sequence()).value)
        a, b = ls.p0 + rng.randrange(ls.n), ls.p0 + rng.randrange(ls.n)
        d, dp = ls.delta(a, b)
        ls.apply(a, b, d, dp)
    assert ls.cost == pytest.approx(evaluate(problem, ls.sequence()).value)
    fresh = SwapSearch(problem, ls.sequence())
    assert fresh.counts == ls.counts and sorted(fresh.violated) == sorted(ls.violated)


def test_projection_keeps_the_cars_of_each_option() -> None:
    problem = parse(small_line())
    sub = project(problem, (1,))
    assert sub.num_cars == problem.num_cars and sub.demand == (problem.demand[1],)
    assert len(sub.classes) == 2 and not sub.has_paint


@pytest.mark.parametrize("objective", [None, {"weights": {"high": 1, "low": 1, "level": 2}}])
def test_milp_agrees_with_cpsat(registry: Registry, objective: dict | None) -> None:
    if not registry.backends["highs"].availability().available:
        pytest.skip("HiGHS not installed")
    doc = small_line()
    if objective is not None:
        doc["objective"] = objective
    cp = run(registry, doc, "cpsat", time_limit=10).document
    lp = run(registry, doc, "milp", time_limit=20, threads=1, solver="highs").document
    assert lp["status"] == cp["status"] == "optimal"
    assert lp["objective"] == pytest.approx(cp["objective"])
    assert lp["check"]["feasible"]


def test_partition_combines_disjoint_pairs() -> None:
    assert combine([0.0, 0.0, 1.0], {(0, 1): 3.0, (1, 2): 5.0}) == 5.0
    assert combine([2.0, 2.0, 1.0], {(0, 1): 3.0}) == 5.0


def test_pairs_see_a_conflict_the_options_alone_miss(registry: Registry) -> None:
    # Three cars; both options are 1 in 2 and wanted twice, so each needs positions 0
    # and 2, but only the AB car may share them: every sequence has excess >= 1.
    problem = parse({
        "options": [{"id": "A", "max": 1, "window": 2}, {"id": "B", "max": 1, "window": 2}],
        "classes": [{"id": "ab", "count": 1, "options": ["A", "B"]},
                    {"id": "a", "count": 1, "options": ["A"]},
                    {"id": "b", "count": 1, "options": ["B"]}],
        "objective": {"weights": {"high": 1}},
    })
    ctx = SolveContext(SolveOptions(time_limit=5.0, threads=1))
    bound, stats = pair_bound(problem, registry.backends["cpsat"], ctx, 2.0)
    assert bound == 1.0 and stats["pairs_proven"] == 1


def test_milp_agrees_with_cpsat_on_a_csplib_file(registry: Registry) -> None:
    if not registry.backends["highs"].availability().available:
        pytest.skip("HiGHS not installed")
    # Ten cars, options 1/2, 2/3, 1/3: the optimum (3) lies above the option-wise bound (1).
    doc = parse_carseq("10 3 4\n1 2 1\n2 3 3\n0 3 1 1 0\n1 3 1 0 1\n2 2 0 1 1\n3 2 0 0 0\n")
    cp = run(registry, doc, "cpsat", time_limit=10).document
    lp = run(registry, doc, "milp", time_limit=20, threads=1, solver="highs").document
    assert lp["status"] == cp["status"] == "optimal"
    assert lp["objective"] == cp["objective"]


def test_swap_costs_stay_exact_under_breakout_weights() -> None:
    """The hand-unrolled swap delta: both orders of the positions, heavier windows."""
    problem, ls, rng = _search(4, 3)
    for step in range(400):
        if step % 40 == 0:
            ls.bump()
        a, b = ls.p0 + rng.randrange(ls.n), ls.p0 + rng.randrange(ls.n)
        d, dp = ls.delta(a, b)
        assert ls.delta(b, a) == (d, dp)
        ls.apply(a, b, d, dp)
    assert ls.cost == pytest.approx(evaluate(problem, ls.sequence()).value)
    weighted = 0
    for r, (_flags, p, _q, w) in enumerate(ls.ratios):
        for s in range(ls.lo[r], ls.hi[r] + 1):
            weighted += w * max(0, ls.counts[r][s] - p) * ls.wts[r][s]
    colour = ls.wcol * sum(ls._change(i) for i in range(max(1, ls.p0), len(ls.line)))
    assert ls.penalised == weighted + colour


@pytest.mark.parametrize("instance", [3, 5])
def test_shift_prices_match_the_segment_prices(instance: int) -> None:
    """The O(1)-a-window shift price against the prefix-sum price of the same segment,
    in both directions, near the line's ends, under breakout weights and with paint."""
    problem, ls, rng = _search(instance, 2)
    for step in range(600):
        if step % 50 == 0:
            ls.bump()
        a = ls.p0 + rng.randrange(ls.n)
        b = min(max(ls.p0, a + rng.randint(-30, 30)), ls.p0 + ls.n - 1)
        if a == b:
            continue
        lo, new = ls._shifted(a, b)
        assert ls.shift_delta(a, b) == ls.segment_delta(lo, new)
        if step % 3 == 0:
            ls.apply_segment(lo, new, *ls.segment_delta(lo, new))
    assert ls.cost == pytest.approx(evaluate(problem, ls.sequence()).value)


def _csplib_search(name: str, seed: int) -> tuple[CarSeqProblem, SwapSearch, random.Random]:
    """A CSPLib set-1 file from the repository, sorted by class, and a search on it."""
    problem = parse(parse_carseq((INSTANCES / f"set1_{name}.carseq").read_text()))
    seq = [k for k, c in enumerate(problem.classes) for _ in range(c.count)]
    return problem, SwapSearch(problem, seq, seed=seed), random.Random(seed + 1)


@pytest.mark.parametrize("source", ["csplib", "painted"])
def test_long_shifts_and_reversals_price_like_a_recount(source: str) -> None:
    """Shifts and reversals of any length (the O(window) prices, with the windows in
    between read off the violated ones) against the prefix-sum price of the same
    rewritten segment, under breakout weights; then the running cost against a fresh
    evaluation and the window counts against a fresh search."""
    if source == "csplib":
        problem, ls, rng = _csplib_search("10-93", 4)
    else:
        problem, ls, rng = _search(5, 4)  # paint, yesterday's cars
    for step in range(900):
        if step % 60 == 0:
            ls.bump()
        a, b = ls.p0 + rng.randrange(ls.n), ls.p0 + rng.randrange(ls.n)
        if a == b:
            continue
        start, shifted = ls._shifted(a, b)
        assert ls.shift_delta(a, b) == ls.segment_delta(start, shifted)
        lo, hi = min(a, b), max(a, b)
        flipped = ls.line[lo:hi + 1][::-1]
        assert ls.reversal_delta(lo, hi) == ls.segment_delta(lo, flipped)
        if step % 3 == 0:
            ls.apply_segment(start, shifted, *ls.shift_delta(a, b))
        elif step % 3 == 1:
            ls.apply_segment(lo, flipped, *ls.reversal_delta(lo, hi))
    assert ls.cost == pytest.approx(evaluate(problem, ls.sequence()).value)
    fresh = SwapSearch(problem, ls.sequence())
    assert fresh.counts == ls.counts and sorted(fresh.violated) == sorted(ls.violated)


def test_segment_moves_reach_the_whole_line_only_without_a_colour_cost() -> None:
    """Without a colour cost a shift or reversal may span the line (its price does not
    grow with the length); with one, its colour part does, so it stays within reach."""
    _problem, plain, _rng = _csplib_search("10-93", 5)
    ends = [plain._segment_end(plain.p0) for _ in range(400)]
    assert all(e is not None and plain.p0 < e < plain.p0 + plain.n for e in ends)
    assert max(e for e in ends if e is not None) - plain.p0 > SEGMENT_REACH
    _problem, painted, _rng = _search(5, 5)
    assert painted.wcol
    a = painted.p0 + painted.n // 2
    spans = [abs(e - a) for e in (painted._segment_end(a) for _ in range(400)) if e is not None]
    assert spans and max(spans) <= SEGMENT_REACH and 0 not in spans
