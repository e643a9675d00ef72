"""Trace one OR-Tools local search on a Li & Lim copy: when it improves, and how often.

    .venv/bin/python benchmarks/intralogistics/gls_trace.py lr101 --limit 20
    .venv/bin/python benchmarks/intralogistics/gls_trace.py lr201 --vehicle-cost 2 --log
    .venv/bin/python benchmarks/intralogistics/gls_trace.py lr101 \\
        --params 'guided_local_search_lambda_coefficient: 0.5'

It builds the ``routing`` formulation's model for the whole fleet (``--vehicle-cost`` in
longest arcs, 0 for distance only), runs parallel cheapest insertion and the chosen
metaheuristic for ``--limit`` seconds, and prints each improving plan with its time, then
the number of accepted plans, the routing status and the final vehicles and distance.
``--log`` adds OR-Tools' own search log on stderr (neighbours explored, filtered,
accepted); ``--params`` merges RoutingSearchParameters in protobuf text format.  Used to
tell a search that stops from one that runs to its limit but moves rarely.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
COPIES = ROOT / "benchmarks" / "instances" / "intralogistics"


def main() -> None:
    from google.protobuf import text_format
    from optikit_intralogistics.backend import _build
    from optikit_intralogistics.build import build, nodes_of
    from optikit_intralogistics.evaluate import value
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    from optikit.plugins import get_registry
    from optikit.problem_io import load_problem

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance", help="name of a copy, e.g. lr101")
    parser.add_argument("--limit", type=float, default=20.0)
    parser.add_argument("--vehicle-cost", type=float, default=0.0)
    parser.add_argument("--metaheuristic", default="GUIDED_LOCAL_SEARCH")
    parser.add_argument("--params", default="", help="extra parameters (text format)")
    parser.add_argument("--log", action="store_true")
    args = parser.parse_args()

    plant = load_problem(COPIES / f"{args.instance}.pdptw", get_registry()).problem
    nodes = nodes_of(plant, 2)
    spec = build(plant, nodes, list(range(len(plant.vehicles))),
                 vehicle_cost=args.vehicle_cost).spec
    manager = pywrapcp.RoutingIndexManager(spec.num_nodes, spec.num_vehicles, spec.starts,
                                           spec.ends)
    routing = pywrapcp.RoutingModel(manager)
    _build(spec, manager, routing)
    params: Any = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION)
    params.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, args.metaheuristic)
    params.time_limit.FromMilliseconds(int(args.limit * 1000))
    params.log_search = args.log
    text_format.Merge(args.params, params)

    began = time.monotonic()
    accepted: list[int] = []
    best: list[int] = []

    def on_solution() -> None:
        accepted.append(1)
        cost = routing.CostVar().Max()
        if not best or cost < best[0]:
            best[:] = [cost]
            print(f"{time.monotonic() - began:7.2f} s  plan {len(accepted):5}  cost {cost}")

    routing.AddAtSolutionCallback(on_solution)
    solution = routing.SolveWithParameters(params)
    elapsed = time.monotonic() - began
    if solution is None:
        print(f"no plan; routing status {routing.status()}")
        return
    routes: dict[int, list[int]] = {}
    for v in range(spec.num_vehicles):
        index = solution.Value(routing.NextVar(routing.Start(v)))
        routes[v] = []
        while not routing.IsEnd(index):
            routes[v].append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
    val = value(plant, nodes, routes)
    print(f"{elapsed:.1f} s, {len(accepted)} accepted plans, routing status "
          f"{routing.status()}, {val.vehicles} vehicles, distance {val.distance:.2f}")


if __name__ == "__main__":
    main()
