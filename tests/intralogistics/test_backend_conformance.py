"""optikit's backend conformance suite on this plugin's two routing backends.

Their paradigms (``routing``, ``routing-ils``) have no reference models in the kit, so the
cases are here: pickup-and-delivery models with a known optimum.  ``pyvrp`` is skipped with
the reason where the extra ``optikit[pyvrp]`` is not installed.
"""

from __future__ import annotations

import random
from typing import Any

from optikit.testing.backend_cases import BackendCase
from optikit.testing.backend_conformance import BackendConformance
from optikit.types import Status


def _line(pairs: list[tuple[int, int]], positions: list[int], vehicles: int,
          capacity: int) -> Any:
    """Nodes on a line (depot 0), arc cost = time = |distance| * 10, open windows."""
    from optikit_intralogistics.spec import RoutingSpec

    n = len(positions)
    matrix = [[abs(positions[i] - positions[j]) * 10 for j in range(n)] for i in range(n)]
    demand = [0] * n
    for p, d in pairs:
        demand[p], demand[d] = 1, -1
    return RoutingSpec(
        num_nodes=n, starts=[0] * vehicles, ends=[0] * vehicles, arc_cost=[matrix],
        time=[matrix], class_of_vehicle=[0] * vehicles, windows=[(0, 100000)] * n,
        horizon=100000, shifts=[(0, 100000)] * vehicles, demand=demand,
        capacity=[capacity] * vehicles, start_load=[0] * vehicles, pairs=pairs)


def _two_pairs() -> Any:
    """0 -> 1 -> 2 -> 3 -> 4 -> 0 on one vehicle: 80 (two vehicles: 40 + 80)."""
    return _line([(1, 2), (3, 4)], [0, 1, 2, 3, 4], vehicles=2, capacity=1)


def _many_pairs() -> Any:
    rng = random.Random(5)
    positions = [0] + [rng.randint(-200, 200) for _ in range(160)]
    return _line([(i, i + 1) for i in range(1, 161, 2)], positions, vehicles=20, capacity=3)


def _served_once(model: Any, result: Any) -> list[str]:
    """Every visit once, each pickup before its delivery on the same route."""
    where = {i: (v, k) for v, route in enumerate(result.routes) for k, i in enumerate(route)}
    problems = []
    if sorted(where) != list(range(1, model.num_nodes)):
        problems.append(f"visits served {sorted(where)}")
    for p, d in model.pairs:
        if p in where and d in where and not (where[p][0] == where[d][0]
                                              and where[p][1] < where[d][1]):
            problems.append(f"pair {p}-{d} not picked up before delivery on one route")
    return problems


class _RoutingCases:
    def cases(self) -> list[BackendCase]:
        from optikit_intralogistics.spec import RoutingSearch

        return [
            BackendCase("two-pairs-on-a-line", _two_pairs, Status.FEASIBLE, optimum=80,
                        kwargs={"search": RoutingSearch(time_limit=0.3)},
                        verify=_served_once),
            BackendCase("eighty-pairs", _many_pairs, Status.FEASIBLE, hard=True,
                        kwargs={"search": RoutingSearch()}, verify=_served_once),
        ]


class TestOrtoolsRoutingBackend(_RoutingCases, BackendConformance):
    backend = "ortools-routing"


class TestPyVRPBackend(_RoutingCases, BackendConformance):
    backend = "pyvrp"
