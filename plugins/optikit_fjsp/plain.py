"""Formulation ``cpsat-plain``: the textbook CP-SAT model, for benchmark comparison.

It mirrors how a general-purpose modelling layer (PyJobShop, for instance) writes a
flexible job shop for CP-SAT: per operation a main interval with variable duration, per
mode an optional interval whose start/end/duration are tied to the main one when
present, ``exactly_one`` over the modes, precedences, ``no_overlap`` per machine (and a
circuit with transition times when the machine has setups), the makespan as a
``max_equality``, weighted tardiness as ``max(0, C - d)``.  No hint, no redundant
constraints, no LNS: one solver call with default parameters, so the benchmark shows what
the ``cpsat`` formulation's extra work buys.
"""

from __future__ import annotations

from typing import Any

from optikit.types import Outcome, SolveContext, Status
from optikit_fjsp.batching import batch_horizon
from optikit_fjsp.batching_model import add_batch_slots, candidates, read_plan
from optikit_fjsp.batching_solve import plan_payload, plan_value
from optikit_fjsp.cpsat import payload
from optikit_fjsp.model import FjspProblem, integer_weights
from optikit_fjsp.timetable import Solution, objective_value


def solve(problem: FjspProblem, backend: Any, ctx: SolveContext) -> Outcome:
    from ortools.sat.python import cp_model

    flat = problem.flat
    obj = problem.objective
    batching = problem.batching
    horizon = problem.shop.horizon() if batching is None else batch_horizon(problem.shop, batching)
    model = cp_model.CpModel()
    starts, ends, presences = [], [], []
    per_machine: list[list[tuple[int, int, Any, Any]]] = [[] for _ in range(flat.num_machines)]
    paused: set[int] = set()
    for g, modes in enumerate(flat.modes):
        lo = flat.release[flat.op_job[g]] if flat.op_index[g] == 0 else 0
        start = model.new_int_var(lo, horizon, f"start{g}")
        end = model.new_int_var(0, horizon, f"end{g}")
        dur = model.new_int_var(min(d for _m, d in modes), horizon, f"dur{g}")
        model.new_interval_var(start, dur, end, f"task{g}")
        lits = {}
        for k, (m, d) in enumerate(modes):
            lit = model.new_bool_var(f"mode{g}_{k}")
            if batching is not None and batching.is_batch(m):
                lits[k] = lit  # start and end come from its batch slot
                continue
            if problem.shop.calendar(m) is not None and d > 0:
                s, e, size = calendar_mode(model, problem, g, m, d, horizon, lit, paused)
            else:
                s = model.new_int_var(0, horizon, f"ms{g}_{k}")
                e = model.new_int_var(0, horizon, f"me{g}_{k}")
                size = d
            iv = model.new_optional_interval_var(s, size, e, lit, f"mi{g}_{k}")
            model.add(start == s).only_enforce_if(lit)
            model.add(end == e).only_enforce_if(lit)
            model.add(dur == size).only_enforce_if(lit)
            lits[k] = lit
            per_machine[m].append((g, d, lit, iv))
        model.add_exactly_one(list(lits.values()))
        starts.append(start)
        ends.append(end)
        presences.append(lits)
    for g in range(flat.num_ops):
        nxt = flat.next_op(g)
        if nxt >= 0:
            model.add(ends[g] <= starts[nxt])
    for m, entries in enumerate(per_machine):
        if not entries:
            continue
        model.add_no_overlap([iv for _g, _d, _lit, iv in entries])
        if flat.setup[m] is not None:
            arcs: list[tuple[int, int, Any]] = [(0, 0, model.new_bool_var(f"empty{m}"))]
            for i, (gi, di, li, _iv) in enumerate(entries, start=1):
                arcs.append((i, i, li.Not()))
                arcs.append((0, i, model.new_bool_var("")))
                arcs.append((i, 0, model.new_bool_var("")))
                for j, (gj, _dj, _lj, _ivj) in enumerate(entries, start=1):
                    if gi == gj:
                        continue
                    arc = model.new_bool_var("")
                    gap = flat.setup_between(m, flat.op_job[gi], flat.op_job[gj])
                    done = ends[gi] if gi in paused else starts[gi] + di
                    model.add(starts[gj] >= done + gap).only_enforce_if(arc)
                    arcs.append((i, j, arc))
            model.add_circuit(arcs)
    coefficients: list[float] = []
    terms: list[Any] = []
    if obj.makespan_weight > 0:
        cmax = model.new_int_var(0, horizon, "makespan")
        model.add_max_equality(cmax, [ends[ops[-1]] for ops in flat.job_ops])
        coefficients.append(obj.makespan_weight)
        terms.append(cmax)
    if obj.tardiness_weight > 0:
        for j, ops in enumerate(flat.job_ops):
            due = flat.due[j]
            if due is None:
                continue
            late = model.new_int_var(-max(horizon, due), horizon, f"lateness{j}")
            model.add(late == ends[ops[-1]] - due)
            tard = model.new_int_var(0, horizon, f"tardiness{j}")
            model.add_max_equality(tard, [late, 0])
            coefficients.append(obj.tardiness_weight * flat.weight[j])
            terms.append(tard)
    ints, scale, exact = integer_weights(coefficients)
    model.minimize(sum(c * v for c, v in zip(ints, terms, strict=True)))
    slots = []
    if batching is not None:
        by_machine = candidates(problem, lambda g, k: presences[g][k])
        slots = add_batch_slots(model, problem, starts, dict(enumerate(ends)), by_machine,
                                horizon, ordered=False)

    result = backend.solve(model, ctx, objective_scale=1.0 / scale)
    if not result.status.has_solution:
        return Outcome(status=result.status, message=result.message)
    chosen = [next(k for k, lit in lits.items() if result.boolean_value(lit)) for lits in presences]
    if batching is not None:
        plan = read_plan(problem, chosen, [int(result.value(s)) for s in starts], slots,
                         result.boolean_value,
                         [int(result.value(e)) for e in ends] if paused else None)
        return Outcome(status=result.status if exact else Status.FEASIBLE,
                       payload=plan_payload(problem, plan), objective=plan_value(problem, plan),
                       bound=result.bound if exact else None)
    sol = Solution(
        tuple(chosen),
        tuple(int(result.value(s)) for s in starts),
        tuple(int(result.value(e)) for e in ends) if paused else None,
    )
    value = objective_value(problem, sol)
    bound = result.bound if exact else None
    status = result.status if exact else Status.FEASIBLE
    return Outcome(status=status, payload=payload(problem, sol), objective=value, bound=bound)


def calendar_mode(
    model: Any, problem: FjspProblem, g: int, m: int, d: int, horizon: int, lit: Any,
    paused: set[int],
) -> tuple[Any, Any, Any]:
    """(start, end, size) of a mode on a machine with a calendar.

    The start's domain is the times at which the mode fits (in one working window, or in
    working time when interruptible); an interruptible mode is split per start range
    (working window x window where its work ends), one literal each, the way a user
    first writes a piecewise time map.
    """
    from ortools.sat.python import cp_model

    from optikit.scheduling.calendar_cpsat import pieces

    flat = problem.flat
    op = problem.shop.jobs[flat.op_job[g]].operations[flat.op_index[g]]
    cal = problem.shop.calendar(m)
    assert cal is not None
    found = pieces(cal.working_windows(horizon), d, op.interruptible, 0, horizon)
    flat_ranges = [v for a, b, _x in found for v in (a, b)]
    if not found:
        model.add(lit == 0)
        flat_ranges = [0, 0]
    domain = cp_model.Domain.from_flat_intervals(flat_ranges)
    s = model.new_int_var_from_domain(domain, f"ms{g}_{m}")
    if not op.interruptible:
        return s, s + d, d
    paused.add(g)
    size = model.new_int_var(d, horizon, f"md{g}_{m}")
    choice = []
    for n, (a, b, extra) in enumerate(found):
        here = model.new_bool_var(f"piece{g}_{m}_{n}")
        model.add_linear_constraint(s, a, b).only_enforce_if(here)
        model.add(size == d + extra).only_enforce_if(here)
        choice.append(here)
    model.add(sum(choice) == lit)
    e = model.new_int_var(0, horizon + max((x for _a, _b, x in found), default=0), f"me{g}_{m}")
    model.add(e == s + size)
    return s, e, size
