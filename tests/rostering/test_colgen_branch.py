"""Branch-and-price on the column generation's master (``colgen_branch``): pricing obeys a
node's decisions, a tree searched to the end proves the true optimum, the rosters it hands
on pass the checker, and ``auto`` runs it only close to the bound."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
from optikit_rostering.checker import employee_violations
from optikit_rostering.colgen import generate, linear_backend
from optikit_rostering.colgen_branch import branch_and_price, compatible, fractional
from optikit_rostering.colgen_pricing import Column, Duals, Pricer
from optikit_rostering.colgen_roster import use_branch
from optikit_rostering.generator import generate as generate_plant
from optikit_rostering.model import parse

import optikit
from optikit.types import SolveContext, SolveOptions
from tests.rostering.conftest import INSTANCES, plant


def _context(limit: float) -> SolveContext:
    return SolveContext(SolveOptions(time_limit=limit, threads=1, seed=0))


def test_pricing_obeys_forced_and_forbidden_cells() -> None:
    roster = parse(plant())
    rng = random.Random(3)
    duals = Duals({(d, s): rng.uniform(-5, 20) for d in range(roster.days)
                   for s in range(roster.num_shifts)}, {}, {}, [0.0] * roster.num_employees)
    pricer = Pricer(roster, 1)
    free, _ = pricer.price(duals, 5.0, 30.0, below=math.inf)
    best = free[-1]
    # Force the opposite of the free optimum on two days, one on and one off.
    worked = next(d for d, s in enumerate(best.row) if s is not None)
    idle = next(d for d, s in enumerate(best.row) if s is None and d not in (worked - 1,
                                                                             worked + 1))
    shift = best.row[worked]
    assert shift is not None
    fixed = {(worked, shift): False, (idle, 0): True}
    cols, least = pricer.price(duals, 5.0, 30.0, below=math.inf, fixed=fixed)
    assert cols and least is not None and least != math.inf
    for col in cols:
        assert compatible(col, fixed)
        assert employee_violations(roster, 1, list(col.row)) == []
    # The model's domains are restored: the free optimum again.
    again, least_again = pricer.price(duals, 5.0, 30.0, below=math.inf)
    assert again[-1].row == best.row and least_again is not None


def test_a_forced_cell_the_person_cannot_work_makes_the_node_infeasible() -> None:
    roster = parse(plant())  # ann (employee 0) is on leave on day 3
    duals = Duals({}, {}, {}, [0.0] * roster.num_employees)
    pricer = Pricer(roster, 0)
    proto = pricer.rm.model.proto
    before = [tuple(v.domain) for v in proto.variables]
    # A cell it can work is pinned first: the model must come back whole all the same.
    cols, least = pricer.price(duals, 5.0, 30.0, fixed={(0, 0): False, (3, 0): True})
    assert cols == [] and least == math.inf
    assert [tuple(v.domain) for v in proto.variables] == before


def test_fractional_picks_the_share_nearest_one_half() -> None:
    roster = parse(plant())
    off = tuple([None] * roster.days)
    a = Column(0, (0, *off[1:]), tuple([None] * roster.days), 0)
    b = Column(0, (1, *off[1:]), tuple([None] * roster.days), 0)
    c = Column(1, (0, *off[1:]), tuple([None] * roster.days), 0)
    picked = fractional(roster, {0: [(a, 0.4), (b, 0.6)], 1: [(c, 1.0)]})
    assert picked is not None and picked[:3] in ((0, 0, 0), (0, 0, 1))
    assert fractional(roster, {1: [(c, 1.0)]}) is None


@pytest.mark.parametrize(("seed", "live"), [(1, False), (2, False), (1, True), (2, True)])
def test_a_searched_tree_proves_the_optimum_of_a_small_plant(seed: int, live: bool) -> None:
    """From a poor incumbent the tree finds rosters and, searched to the end, proves the
    optimum CP-SAT proves on the whole model; every roster it returns passes the checker.
    The same with one live LP shared by the nodes (``colgen_branch_lp=live``)."""
    document = generate_plant(seed, "tiny")
    proven = optikit.solve(document, formulation="cpsat-plain", time_limit=30, threads=1)
    assert str(proven.status) == "optimal" and proven.objective is not None
    roster = parse(document)
    ctx = _context(60.0)
    relaxation = generate(roster, ctx, 20.0, {})
    assert relaxation is not None and relaxation.bound is not None
    backend = linear_backend(ctx)
    assert backend is not None
    incumbent = int(proven.objective) + 50
    out = branch_and_price(roster, relaxation, backend, ctx, incumbent, 30.0, live=live)
    assert out.roster is not None and out.roster[2] < incumbent
    grid, stations, value = out.roster
    assert out.optimum == pytest.approx(proven.objective)
    assert value == proven.objective
    for e in range(roster.num_employees):
        assert employee_violations(roster, e, grid[e]) == []
    assert all(grid[e][d] is not None for (e, d) in stations)


def test_auto_runs_only_close_to_the_bound() -> None:
    assert use_branch("auto", 1952, 1949)
    assert not use_branch("auto", 539, 405)  # Instance9: far from the bound
    assert not use_branch("auto", 1143, 1143)  # proved already
    assert use_branch("on", 539, 405)
    assert not use_branch("off", 1952, 1949)


def test_cpsat_with_branch_and_price_returns_a_checked_roster() -> None:
    document = generate_plant(1, "tiny")
    solution = optikit.solve(document, formulation="cpsat", time_limit=20, threads=1,
                             options={"colgen": "on", "colgen_branch": "on"})
    assert solution.check is not None and solution.check.ok
    assert solution.objective is not None
    assert solution.bound is None or solution.bound <= solution.objective + 1e-9


@pytest.mark.parametrize("pricer", ["labels", "cpsat"])
def test_auto_branches_only_with_exact_pricing_and_then_without_completions(
        pricer: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``auto`` enters branch-and-price only when every row was priced exactly (the
    labelling pricer), and its nodes then get no CP-SAT completion."""
    import optikit_rostering.colgen_roster as colgen_roster

    seen: list[object] = []

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(args[-1] if len(args) > 6 else kwargs.get("complete"))
        return colgen_branch_outcome()

    monkeypatch.setattr(colgen_roster, "use_branch", lambda choice, value, bound: True)
    monkeypatch.setattr(colgen_roster, "branch_and_price", spy)
    solution = optikit.solve(INSTANCES / "Instance1.roster", formulation="cpsat",
                             time_limit=20, threads=1,
                             options={"colgen": "on", "colgen_pricer": pricer,
                                      "colgen_branch": "auto", "lns": "off"})
    assert solution.check is not None and solution.check.ok
    if pricer == "labels":
        assert seen == [None]
    else:
        assert seen == []


def colgen_branch_outcome() -> Any:
    from optikit_rostering.colgen_branch import Outcome

    return Outcome()


def test_a_node_lp_is_the_same_live_or_rebuilt() -> None:
    """``colgen_branch_lp=live``: one LP for every node, the rows a node's decisions exclude
    held at 0, gives the node the value the rebuilt LP gives, and no excluded row."""
    from concurrent.futures import ThreadPoolExecutor

    from optikit_rostering.colgen_branch import Node, Tree

    roster = parse(generate_plant(1, "tiny"))
    ctx = _context(60.0)
    relaxation = generate(roster, ctx, 20.0, {})
    assert relaxation is not None
    backend = linear_backend(ctx)
    assert backend is not None
    e, weighted = next((e, w) for e, w in relaxation.weights.items()
                       if any(s is not None for s in w[0][0].row))
    row = max(weighted, key=lambda cv: cv[1])[0].row
    d = next(d for d, s in enumerate(row) if s is not None)
    shift = row[d]
    assert shift is not None
    node = Node(fixed={e: {(d, shift): False}})  # the LP's own cell forbidden
    values = []
    for live in (False, True):
        with ThreadPoolExecutor(1) as executor:
            tree = Tree(roster, relaxation.pricers, relaxation.pool, backend, ctx, executor)
            tree.use_live = live
            tree.end = ctx.elapsed() + 20.0
            out = tree.solve_node(node, incumbent=10**9)
        assert (tree.live is not None and not tree.live.broken) == live  # the path taken
        assert out.value is not None and not out.infeasible
        assert all(compatible(col, node.fixed.get(col.employee))
                   for cols in out.weights.values() for col, w in cols if w > 1e-9)
        values.append(out.value)
    assert values[1] == pytest.approx(values[0], abs=1e-6)
