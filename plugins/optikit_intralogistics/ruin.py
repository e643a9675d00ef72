"""Ruin and recreate on top of the routing search: a distance polish that keeps moving.

Guided local search does run to its time limit here, but on Li & Lim models it makes
few moves: only improving moves on the penalised cost pass the filters, each new
penalty needs a full scan of the pickup-and-delivery neighbourhoods (about 40,000 to
130,000 neighbours at some 200,000 a second, OR-Tools 9.15), and a lambda of 0.1 lets the
search step back to the plan it just left.  The polish therefore also removes a few
related orders (a random seed order and the orders whose pickups are nearest to it) from
the best plan and lets the routing search put them back with the vehicles fixed (every
visit optional at a prohibitive penalty); a plan that serves everything and is
lexicographically better replaces the best.  Seeded by the run.
"""

from __future__ import annotations

import random
from typing import Any

from optikit.types import SolveContext
from optikit_intralogistics.backend import RoutingBackend
from optikit_intralogistics.build import Nodes, build
from optikit_intralogistics.evaluate import value
from optikit_intralogistics.model import Plant
from optikit_intralogistics.spec import RoutingSearch

Plan = dict[int, list[int]]


def ruin_and_recreate(plant: Plant, backend: RoutingBackend, ctx: SolveContext, best: Plan,
                      nodes: Nodes, opts: dict[str, Any], left: Any) -> tuple[Plan, int]:
    """Improve ``best`` until ``left()`` runs out; returns the plan and the improvements."""
    rng = random.Random(ctx.options.seed)
    used = sorted(v for v, seq in best.items()
                  if plant.vehicles[v].on_board or any(nodes.kind[i] != "depot" for i in seq))
    movable = sorted({nodes.order[i] for v in used for i in best[v]
                      if nodes.kind[i] == "pickup"})
    if not movable:
        return best, 0
    model = build(plant, nodes, used, optional_penalty=opts["drop_penalty"],
                  vehicle_cost=opts["vehicle_cost"])
    visits = sum(1 for k in nodes.kind if k in ("pickup", "delivery"))
    dist = plant.distance[0]
    improved = 0
    best_key = value(plant, nodes, best).key(plant)
    size = max(2, min(len(movable) // 5, int(opts["ruin_orders"])))
    while not ctx.expired() and left() > 0.2:
        seed = plant.orders[rng.choice(movable)]
        near = sorted(movable, key=lambda k: float(dist[seed.pickup, plant.orders[k].pickup])
                      + 1e-9 * k)
        removed = set(near[:rng.randint(2, size)])
        start = [[i for i in best[v] if nodes.order[i] not in removed
                  or nodes.kind[i] not in ("pickup", "delivery")] for v in used]
        result = backend.solve(model.spec, ctx, RoutingSearch(
            time_limit=min(left(), opts["ruin_seconds"]), metaheuristic="GREEDY_DESCENT",
            initial_routes=start))
        if result.routes is None:
            continue
        served = sum(1 for r in result.routes for i in r if nodes.kind[i] in
                     ("pickup", "delivery"))
        if served != visits:
            continue
        candidate = {used[m]: r for m, r in enumerate(result.routes)}
        key = value(plant, nodes, candidate).key(plant)
        if key < (best_key[0], best_key[1] - 1e-9 * max(1.0, best_key[1])):
            best, best_key = candidate, key
            improved += 1
            if plant.objective.lexicographic:
                ctx.report(best_key[1], source="ruin-recreate")
    return best, improved
