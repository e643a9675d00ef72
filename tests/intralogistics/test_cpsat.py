"""The exact CP-SAT model: it agrees with the exhaustive search, and routing never beats it."""

from __future__ import annotations

import random
from typing import Any

import pytest

from optikit.paradigms import CpSatBackend
from optikit.plugins import get_registry
from optikit.runner import solve
from optikit.types import InvalidProblem, SolveContext, SolveOptions, Status, UsageError
from tests.intralogistics.conftest import load, plant_doc


def random_doc(seed: int, orders: int, lexicographic: bool) -> dict[str, Any]:
    """Orders on a 50 x 50 floor, two kinds of vehicle (one ends elsewhere), windows."""
    rng = random.Random(seed)
    locations = [{"id": f"L{i}", "x": rng.randint(0, 50), "y": rng.randint(0, 50)}
                 for i in range(2 + 2 * orders)]
    out = []
    for k in range(orders):
        order: dict[str, Any] = {"id": f"O{k}", "pickup": f"L{2 + 2 * k}",
                                 "delivery": f"L{3 + 2 * k}", "load": rng.choice([1, 2]),
                                 "pickup_service": rng.choice([0, 2, 5])}
        if rng.random() < 0.5:
            early = rng.randint(0, 120)
            order["pickup_window"] = [early, early + rng.randint(20, 150)]
        if not lexicographic and rng.random() < 0.6:
            order["due"] = rng.randint(40, 200)
            order["priority"] = rng.choice([1, 2, 3])
        out.append(order)
    objective = {"lexicographic": True} if lexicographic else {
        "vehicles": 20, "distance": 1, "lateness": 0.5, "priority": 0.3}
    return {"type": "intralogistics", "name": f"r{seed}", "locations": locations,
            "orders": out, "objective": objective,
            "vehicles": [{"id": "A", "start": "L0", "capacity": 2, "count": 2},
                         {"id": "B", "start": "L1", "end": "L0", "capacity": 3,
                          "speed": 1.5, "shift": [0, 400]}]}


def run(doc: dict[str, Any], formulation: str, solver: str, time_limit: float,
        **extra: Any) -> dict[str, Any]:
    return solve(load(doc), get_registry(), solver=solver, formulation=formulation,
                 options=SolveOptions(time_limit=time_limit, threads=1, extra=extra)).document


CASES = [(1, 3, True), (2, 3, False), (3, 4, False)]


@pytest.mark.parametrize(("seed", "orders", "lex"), CASES)
def test_cpsat_agrees_with_the_exhaustive_search(seed: int, orders: int, lex: bool) -> None:
    doc = random_doc(seed, orders, lex)
    if seed == 3:  # re-planning: an order already on board of a vehicle under way
        doc["vehicles"][1]["state"] = {"on_board": ["O0"], "available_at": 10}
    exact = run(doc, "routing", "ortools-routing", 20, exact_orders=orders, cpsat_orders=0)
    model = run(doc, "cpsat", "cpsat", 20)
    assert exact["status"] == "optimal" and exact["stats"]["exact_proven"]
    assert model["status"] == "optimal" and model["check"]["feasible"]
    assert model["objective"] == pytest.approx(exact["objective"], rel=1e-6)
    assert model["bound"] == pytest.approx(model["objective"], rel=1e-6)


def test_routing_never_beats_the_proven_optimum() -> None:
    doc = random_doc(10, 5, True)
    model = run(doc, "cpsat", "cpsat", 30)
    assert model["status"] == "optimal"
    for formulation in ("routing", "routing-plain"):
        searched = run(doc, formulation, "ortools-routing", 0.5, **(
            {"exact_orders": 0, "cpsat_orders": 0} if formulation == "routing" else {}))
        assert searched["check"]["feasible"]
        key = (searched["analysis"]["vehicles"], searched["objective"])
        assert key >= (model["analysis"]["vehicles"], model["objective"] * (1 - 1e-9))


def test_infeasible_plant_is_proven_so() -> None:
    doc = random_doc(1, 2, True)
    doc["orders"][0]["delivery_window"] = [0, 1]  # nobody gets there in a second
    assert run(doc, "cpsat", "cpsat", 10)["status"] == "infeasible"


def test_batteries_and_size_are_refused() -> None:
    with pytest.raises(InvalidProblem) as err:
        run(plant_doc(), "cpsat", "cpsat", 1)
    assert err.value.field == "vehicles[0].battery"
    with pytest.raises(UsageError, match="at most 2 orders"):
        run(random_doc(1, 3, True), "cpsat", "cpsat", 1, max_orders=2)


def test_the_cap_is_the_callers_not_the_option() -> None:
    """``solve_capped`` (what the routing formulation calls) takes its order cap as an
    argument: a ``max_orders`` option in the context neither admits nor refuses a plant."""
    from optikit_intralogistics.checker import check
    from optikit_intralogistics.cpsat_exact import solve_capped, unsuited

    plant = load(random_doc(1, 3, True)).problem
    assert unsuited(plant, 3) is None
    assert isinstance(unsuited(plant, 2), UsageError)
    assert isinstance(unsuited(load(plant_doc()).problem, 40), InvalidProblem)
    cpsat = get_registry().available_backend("cpsat")
    assert isinstance(cpsat, CpSatBackend)
    ctx = SolveContext(SolveOptions(time_limit=20, threads=1, extra={"max_orders": 1}))
    out = solve_capped(plant, cpsat, ctx, 3)
    assert out.status is Status.OPTIMAL
    assert out.payload is not None and check(plant, out.payload).feasible
    with pytest.raises(UsageError, match="at most 2 orders"):
        solve_capped(plant, cpsat, SolveContext(SolveOptions(time_limit=20)), 2)
