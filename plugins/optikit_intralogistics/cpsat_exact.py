"""Formulation ``cpsat``: an exact CP-SAT model for small plants (up to ~10 orders).

One circuit per vehicle over its depot and every visit (a visit another vehicle serves is
a self-loop), start times, ranks (pickup before delivery) and loads propagated along the
chosen arcs.  The model is a *relaxation* of the plant: travel times are rounded down,
windows rounded outwards and every cost coefficient rounded down, so the proven bound of
CP-SAT is a valid lower bound on the true optimum.  The plan it returns is replayed in
exact arithmetic; when it fits (almost always) its true cost is set against that bound,
and the plan is ``optimal`` only when the two agree within the run's gap.  A plan the
rounding let slip past a window is replaced by the solution of the conservative model
(times rounded up), reported against the same bound.  Batteries are not modelled.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from optikit.paradigms import CpSatSolver
from optikit.types import (
    InvalidProblem,
    OptikitError,
    Outcome,
    SolveContext,
    Status,
    UsageError,
)
from optikit_intralogistics.build import Nodes, nodes_of, payload
from optikit_intralogistics.evaluate import value
from optikit_intralogistics.model import Plant, Vehicle
from optikit_intralogistics.options import CPSAT_OPTIONS

TOL = 1e-9
Plan = dict[int, list[int]]


def _twin_key(veh: Vehicle) -> tuple[Any, ...] | None:
    if veh.on_board:
        return None
    return (veh.start, veh.end, veh.capacity, veh.speed, veh.shift, veh.available_at)


def fleet_of(plant: Plant) -> tuple[list[int], list[tuple[int, int]]]:
    """The vehicles worth modelling (a plan uses at most one per order of each kind of
    identical vehicles) and pairs of twins (used in order, against symmetry)."""
    kept: list[int] = []
    twins: list[tuple[int, int]] = []
    last: dict[Any, int] = {}
    count: dict[Any, int] = {}
    for v, veh in enumerate(plant.vehicles):
        key = _twin_key(veh)
        if key is not None:
            if count.get(key, 0) >= max(1, len(plant.orders)):
                continue
            count[key] = count.get(key, 0) + 1
            if key in last:
                twins.append((last[key], len(kept)))
            last[key] = len(kept)
        kept.append(v)
    return kept, twins


@dataclass
class _Model:
    cp: Any
    arcs: list[dict[tuple[int, int], Any]]  # per model vehicle: (i, j) -> literal
    used: list[Any]
    visits: list[int]  # model visit -> node (of ``nodes``)
    big: int = 0
    scale: float = 1.0
    stats: dict[str, Any] = field(default_factory=dict)


def _units(plant: Plant, fleet: list[int], fine: bool) -> tuple[int, float]:
    """(time units per second, cost units per objective unit).

    Rounding costs the bound a unit per arc.  Ordinary resolution (milliseconds, the
    longest arc near 1e7 units) searches well; fine resolution (microseconds where the
    horizon allows, a lateness second worth at least 1e3 time units' rounding) closes a
    proof to a 1e-6 gap on ordinary plants, with coefficients CP-SAT searches worse.
    """
    ts = 10 ** (6 if fine else 3)
    while ts > 1 and plant.horizon * ts > 2e9:
        ts //= 10
    obj = plant.objective
    longest = max((float(plant.distance[plant.vehicles[v].speed_class].max()) for v in fleet),
                  default=1.0)
    longest = max(longest * (1.0 if obj.lexicographic else obj.distance), 1e-3)
    scale = 10.0 ** max(0, 7 - math.ceil(math.log10(longest)))
    weights = [obj.lateness + obj.priority * o.priority for o in plant.orders
               if o.due is not None and not obj.lexicographic]
    weights = [w for w in weights if w > 0]
    if weights and fine:
        scale = max(scale, 10.0 ** math.ceil(math.log10(1e3 * ts / min(weights))))
    return ts, min(scale, 1e13 / longest)


def build_model(plant: Plant, nodes: Nodes, fleet: list[int], twins: list[tuple[int, int]],
                relaxed: bool, fine: bool = False) -> _Model:
    from ortools.sat.python import cp_model

    rnd = math.floor if relaxed else math.ceil  # travel times: down (relaxed) or up
    lo_r = math.floor if relaxed else math.ceil
    hi_r = math.ceil if relaxed else math.floor
    obj = plant.objective
    lex = obj.lexicographic
    ts, scale = _units(plant, fleet, fine)
    cp = cp_model.CpModel()
    visits = [i for i, k in enumerate(nodes.kind) if k in ("pickup", "delivery")]
    n = len(visits)
    horizon = math.ceil(plant.horizon * ts) + 1
    service, window, demand = [], [], []
    for i in visits:
        o = plant.orders[nodes.order[i]]
        pick = nodes.kind[i] == "pickup"
        lo, hi = o.pickup_window if pick else o.delivery_window
        service.append(o.pickup_service if pick else o.delivery_service)
        window.append((lo_r(lo * ts), horizon if math.isinf(hi) else min(horizon, hi_r(hi * ts))))
        demand.append(round(o.load * 1000) * (1 if pick else -1))
    t = [cp.new_int_var(lo, max(lo, hi), f"t{a}") for a, (lo, hi) in enumerate(window)]
    rank = [cp.new_int_var(1, n, f"r{a}") for a in range(n)]
    top = round(max(plant.vehicles[v].capacity for v in fleet) * 1000)
    load = [cp.new_int_var(0, top, f"q{a}") for a in range(n)]
    arcs: list[dict[tuple[int, int], Any]] = []
    used, terms = [], []
    dist_cost: list[list[int]] = []
    for m, v in enumerate(fleet):
        veh = plant.vehicles[v]
        tm, dm = plant.time[veh.speed_class], plant.distance[veh.speed_class]
        w = 1.0 if lex else obj.distance
        loc = [veh.start] + [nodes.location[i] for i in visits]  # 0: depot (start side)
        shift_lo = lo_r(max(veh.shift[0], veh.available_at) * ts)
        shift_hi = horizon if math.isinf(veh.shift[1]) else hi_r(veh.shift[1] * ts)
        start = cp.new_int_var(shift_lo, max(shift_lo, horizon), f"s{m}")
        end = cp.new_int_var(0, max(0, shift_hi), f"e{m}")
        mine: dict[tuple[int, int], Any] = {}
        circuit = []
        unused = cp.new_bool_var(f"idle{m}")
        circuit.append((0, 0, unused))
        mine[(0, 0)] = unused
        used.append(~unused)
        start_load = round(sum(plant.orders[o].load for o in veh.on_board) * 1000)
        cap = round(veh.capacity * 1000)
        for a in range(n):
            skip = cp.new_bool_var(f"skip{m}_{a}")
            circuit.append((a + 1, a + 1, skip))
            mine[(a + 1, a + 1)] = skip
            cp.add_implication(~skip, ~unused)
            cp.add(load[a] <= cap).only_enforce_if(~skip)
        row = []
        for i in range(n + 1):
            for j in range(n + 1):
                if i == j:
                    continue
                lit = cp.new_bool_var(f"x{m}_{i}_{j}")
                circuit.append((i, j, lit))
                mine[(i, j)] = lit
                tail = loc[i]
                head = veh.end if j == 0 else loc[j]
                travel = float(tm[tail, head]) + (service[i - 1] if i else 0.0)
                cost = math.floor(w * float(dm[tail, head]) * scale)
                row.append(cost)
                if cost:
                    terms.append((cost, lit))
                if j == 0:
                    cp.add(end >= t[i - 1] + rnd(travel * ts)).only_enforce_if(lit)
                    continue
                before = start if i == 0 else t[i - 1]
                cp.add(t[j - 1] >= before + rnd(travel * ts)).only_enforce_if(lit)
                cp.add(rank[j - 1] == (1 if i == 0 else rank[i - 1] + 1)).only_enforce_if(lit)
                cp.add(load[j - 1] == (start_load if i == 0 else load[i - 1])
                       + demand[j - 1]).only_enforce_if(lit)
        dist_cost.append(row)
        cp.add_circuit(circuit)
        arcs.append(mine)
    by_node = {node: a for a, node in enumerate(visits)}
    for a in range(n):
        cp.add_exactly_one(~arcs[m][(a + 1, a + 1)] for m in range(len(fleet)))
    for k, o in enumerate(plant.orders):
        d = by_node[next(i for i in visits if nodes.order[i] == k and
                         nodes.kind[i] == "delivery")]
        if k in plant.carrier:
            m = fleet.index(plant.carrier[k])
            cp.add(arcs[m][(d + 1, d + 1)] == 0)
            continue
        p = by_node[next(i for i in visits if nodes.order[i] == k and nodes.kind[i] == "pickup")]
        cp.add(rank[p] < rank[d])
        for m in range(len(fleet)):
            cp.add(arcs[m][(p + 1, p + 1)] == arcs[m][(d + 1, d + 1)])
        if not lex and o.due is not None:
            weight = math.floor((obj.lateness + obj.priority * o.priority) * scale / ts)
            if weight > 0:
                late = cp.new_int_var(0, horizon, f"late{k}")
                cp.add(late >= t[d] - math.ceil(o.due * ts))
                terms.append((weight, late))
    for m, v in enumerate(fleet):
        if plant.vehicles[v].on_board:
            cp.add(used[m] == 1)
    for a, b in twins:
        cp.add_implication(used[b], used[a])
    big = 0
    if lex:
        # a vehicle costs more than the arcs of any plan: each node leaves once, the
        # depot once per vehicle
        big = 1 + sum(max(row) for row in dist_cost) * (n + 1)
    vehicle_cost = big if lex else math.floor(obj.vehicles * scale)
    cp.minimize(sum(c * x for c, x in terms) + vehicle_cost * sum(used))
    return _Model(cp, arcs, used, visits, big, scale,
                  {"cpsat_vehicles": len(fleet), "cpsat_visits": n})


def _plan(model: _Model, fleet: list[int], read: Any) -> Plan:
    plan: Plan = {}
    for m, v in enumerate(fleet):
        succ = {i: j for (i, j), lit in model.arcs[m].items() if i != j and read(lit)}
        seq, at = [], succ.get(0)
        while at is not None and at != 0:
            seq.append(model.visits[at - 1])
            at = succ.get(at)
        if seq:
            plan[v] = seq
    return plan


def fits_exactly(plant: Plant, nodes: Nodes, plan: Plan) -> bool:
    """Windows, shifts and capacity replayed in floating point (the model rounded)."""
    def late(value: float, limit: float) -> bool:
        return value > limit + TOL * max(1.0, abs(limit))

    for v, seq in plan.items():
        veh = plant.vehicles[v]
        tm = plant.time[veh.speed_class]
        clock = max(veh.shift[0], veh.available_at)
        load = sum(plant.orders[o].load for o in veh.on_board)
        at = veh.start
        for i in seq:
            order = plant.orders[nodes.order[i]]
            pick = nodes.kind[i] == "pickup"
            lo, hi = order.pickup_window if pick else order.delivery_window
            clock = max(clock + float(tm[at, nodes.location[i]]), lo)
            if late(clock, hi):
                return False
            load += order.load if pick else -order.load
            if late(load, veh.capacity):
                return False
            clock += order.pickup_service if pick else order.delivery_service
            at = nodes.location[i]
        if late(clock + float(tm[at, veh.end]), veh.shift[1]):
            return False
    return True


def unsuited(plant: Plant, max_orders: int) -> OptikitError | None:
    """Why the exact model does not take ``plant`` (None: it does): batteries, or more
    than ``max_orders`` orders."""
    for veh in plant.vehicles:
        if veh.battery is not None:
            return InvalidProblem(f"vehicles[{veh.source}].battery", "the cpsat formulation "
                                  "does not model batteries (use --formulation routing)")
    if len(plant.orders) > max_orders:
        return UsageError(f"the cpsat formulation is for at most {max_orders} orders "
                          f"(this plant has {len(plant.orders)}; use --formulation routing or "
                          "--option max_orders=N)")
    return None


def solve(plant: Plant, backend: CpSatSolver, ctx: SolveContext) -> Outcome:
    """The ``cpsat`` formulation: :func:`solve_capped` at the ``max_orders`` option."""
    return solve_capped(plant, backend, ctx, ctx.options_for(CPSAT_OPTIONS)["max_orders"])


def solve_capped(plant: Plant, backend: CpSatSolver, ctx: SolveContext, max_orders: int
                 ) -> Outcome:
    """Search at ordinary resolution; prove at fine resolution; replay plans exactly.

    Refuses (raises) a plant :func:`unsuited` names a reason for; the ``routing``
    formulation asks :func:`unsuited` first and passes its own cap."""
    refused = unsuited(plant, max_orders)
    if refused is not None:
        raise refused
    nodes = nodes_of(plant, 1)
    fleet, twins = fleet_of(plant)
    stats: dict[str, Any] = {}
    run = _Runner(plant, nodes, fleet, twins, backend, ctx, stats)
    plan, bound, proven = run(relaxed=True, fine=False)
    if plan is None:
        if proven:  # the relaxation has no plan: neither has the plant
            return Outcome(Status.INFEASIBLE, message="no plan serves every order (CP-SAT "
                           "on a relaxation of the plant)", stats=stats)
        return Outcome(Status.UNKNOWN, message="no plan found in time", stats=stats)
    if proven and not run.closes(plan, bound) and not ctx.expired():
        # proven up to rounding only: again at fine resolution, from the plan found
        fine_plan, fine_bound, _ = run(relaxed=True, fine=True, hint=plan)
        stats["cpsat_fine"] = True
        if fine_bound is not None:
            bound = fine_bound if bound is None else max(bound, fine_bound)
        if fine_plan is not None and run.key(fine_plan) < run.key(plan):
            plan = fine_plan
    if not fits_exactly(plant, nodes, plan):
        stats["rounding_repaired"] = True
        vehicles = run.key(plan)[0]
        plan, _, _ = run(relaxed=False, fine=False)
        if plan is None:
            return Outcome(Status.UNKNOWN, message="no plan found in time", stats=stats)
        if run.key(plan)[0] != vehicles:  # the bound was on the distance at that count
            bound = None
    val = value(plant, nodes, plan)
    objective = val.objective(plant)
    status = Status.OPTIMAL if run.closes(plan, bound) else Status.FEASIBLE
    if bound is not None:
        bound = min(bound, objective)
        ctx.report(objective, bound, source="cpsat")
    stats["vehicles"] = val.vehicles
    return Outcome(status, payload=payload(plant, nodes, plan), objective=objective,
                   bound=bound, analysis={"vehicles": val.vehicles,
                                          "distance": round(val.distance, 6)}, stats=stats)


class _Runner:
    """One CP-SAT solve of the model at a rounding and resolution; bounds in plant units."""

    def __init__(self, plant: Plant, nodes: Nodes, fleet: list[int],
                 twins: list[tuple[int, int]], backend: CpSatSolver, ctx: SolveContext,
                 stats: dict[str, Any]) -> None:
        self.plant, self.nodes, self.fleet, self.twins = plant, nodes, fleet, twins
        self.backend, self.ctx, self.stats = backend, ctx, stats

    def key(self, plan: Plan) -> tuple[float, float]:
        return value(self.plant, self.nodes, plan).key(self.plant)

    def closes(self, plan: Plan, bound: float | None) -> bool:
        objective = self.key(plan)[1]
        return bound is not None and (
            objective - bound <= self.ctx.options.gap * max(abs(objective), 1e-9))

    def __call__(self, relaxed: bool, fine: bool, hint: Plan | None = None
                 ) -> tuple[Plan | None, float | None, bool]:
        """(plan, lower bound on the objective (relaxed models only), proven)."""
        model = build_model(self.plant, self.nodes, self.fleet, self.twins, relaxed, fine)
        self.stats.update(model.stats)
        result = self.backend.solve(
            model.cp, self.ctx, hint=_hint(model, self.fleet, hint) if hint else None,
            time_limit=self.ctx.remaining(), workers=self.ctx.options.threads,
            report_progress=False)
        self.stats["cpsat_status" if relaxed else "cpsat_conservative_status"] = (
            result.status.value)
        proven = result.status in (Status.OPTIMAL, Status.INFEASIBLE)
        plan = None
        if result.status.has_solution and result.boolean_value is not None:
            plan = _plan(model, self.fleet, result.boolean_value)
        if not relaxed or result.bound is None or not math.isfinite(result.bound):
            return plan, None, proven
        raw = result.bound
        if self.plant.objective.lexicographic:
            if plan is None:
                return None, None, proven
            vehicles = value(self.plant, self.nodes, plan).vehicles
            if raw < model.big * vehicles:  # fewer vehicles not ruled out: no distance bound
                return plan, None, proven
            raw -= model.big * vehicles
        return plan, raw / model.scale, proven


def _hint(model: _Model, fleet: list[int], plan: Plan) -> dict[Any, int]:
    """The plan as values of the arc literals (CP-SAT completes the rest)."""
    node_of = {node: a + 1 for a, node in enumerate(model.visits)}
    out: dict[Any, int] = {}
    for m, v in enumerate(fleet):
        seq = [0, *(node_of[i] for i in plan.get(v, [])), 0]
        chosen = set(itertools.pairwise(seq)) if len(seq) > 2 else {(0, 0)}
        chosen |= {(a, a) for a in range(1, len(model.visits) + 1) if a not in seq}
        for arc, lit in model.arcs[m].items():
            out[lit] = int(arc in chosen)
    return out
