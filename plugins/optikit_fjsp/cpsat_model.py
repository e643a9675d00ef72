"""The CP-SAT model of the flexible job shop, shared by the global solve and the LNS.

Variables: one start per operation and one optional fixed-size interval per (operation,
mode) sharing that start, with ``exactly_one`` over the mode literals; a job's
operations are chained by precedences; each machine gets a ``no_overlap`` over the
intervals that may run on it.  Sequence-dependent setups use ``add_circuit`` per machine
that has any (arc i->j active  =>  start_j >= end_i + setup(i, j)); machines without
setups keep the plain no-overlap, which propagates much better than a circuit.

The same builder makes the LNS sub-models: operations outside the neighbourhood keep
their current mode (a single, mandatory interval) and their relative order on their
machine (a chain of precedences), so only the relaxed operations are really searched.

Redundant constraints that tighten the makespan bound: heads and tails from the job
(release + shortest durations before and after an operation) narrow every start domain,
and the makespan is at least the work assigned to each machine.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from optikit.scheduling.calendar_cpsat import CalendarTerms
from optikit_fjsp.model import FjspProblem, integer_weights
from optikit_fjsp.timetable import Solution

# Above this many circuit arcs in the whole model, the global solve drops the setups
# (a relaxation: still a valid lower bound) and repairs its schedules instead.
MAX_CIRCUIT_ARCS = 30_000


@dataclass
class CpShopModel:
    """A built CP-SAT model and the handles needed to read a schedule back."""

    model: Any
    starts: list[Any]
    ends: list[Any]  # IntVar for multi-mode operations, an expression otherwise
    # literal per (op, mode index) for allowed modes; True for a forced single mode.
    literals: list[dict[int, Any]]
    makespan: Any | None
    tardiness: dict[int, Any]
    objective_scale: float  # objective in problem units = raw * objective_scale
    exact_objective: bool
    with_setups: bool
    stats: dict[str, int] = field(default_factory=dict)
    # Per setup circuit: its nodes ((op, mode) by node number - 1) and its arc literals
    # (i, j, literal) between distinct nodes or the depot 0, for complete hints.
    circuits: list[tuple[list[tuple[int, int]], list[tuple[int, int, Any]]]] = field(
        default_factory=list
    )

    # True when some operation's end includes calendar pauses (Solution needs its ends).
    paused: bool = False
    # The calendar constraints, keyed by (op, mode), for complete hints.
    calendar: CalendarTerms | None = None

    def solution(self, value: Any, boolean_value: Any) -> Solution:
        modes: list[int] = []
        starts: list[int] = []
        for g, lits in enumerate(self.literals):
            chosen = next((k for k, lit in lits.items() if lit is True or boolean_value(lit)), None)
            if chosen is None:  # pragma: no cover - exactly_one guarantees a mode
                raise RuntimeError(f"operation {g} has no mode in the CP-SAT solution")
            modes.append(chosen)
            starts.append(_read(value, self.starts[g]))
        if self.paused:
            ends = tuple(_read(value, e) for e in self.ends)
            return Solution(tuple(modes), tuple(starts), ends)
        return Solution(tuple(modes), tuple(starts))

    def add_hint(self, problem: FjspProblem, sol: Solution) -> None:
        """Hint a complete schedule (starts, modes and objective terms)."""
        flat = problem.flat
        m = self.model
        m.clear_hints()
        for g, lits in enumerate(self.literals):
            if isinstance(self.starts[g], int):  # left out of the model (a constant)
                continue
            m.add_hint(self.starts[g], sol.starts[g])
            if len(lits) > 1:
                m.add_hint(self.ends[g], sol.end(flat, g))
            for k, lit in lits.items():
                if lit is not True:
                    m.add_hint(lit, k == sol.modes[g])
                if self.calendar is not None:
                    self.calendar.hint(m, (g, k), k == sol.modes[g], sol.starts[g])
        for nodes, arcs in self.circuits:
            self._hint_circuit(sol, nodes, arcs)
        ends = [sol.end(flat, ops[-1]) for ops in flat.job_ops]
        if self.makespan is not None:
            m.add_hint(self.makespan, max(ends))
        for j, var in self.tardiness.items():
            due = flat.due[j]
            m.add_hint(var, max(0, ends[j] - (due or 0)))

    def _hint_circuit(
        self,
        sol: Solution,
        nodes: list[tuple[int, int]],
        arcs: list[tuple[int, int, Any]],
    ) -> None:
        """Arc values of ``sol``'s sequence on one machine (a hint must be complete)."""
        present = [i for i, (g, k) in enumerate(nodes, start=1) if sol.modes[g] == k]
        present.sort(key=lambda i: (sol.starts[nodes[i - 1][0]], nodes[i - 1][0]))
        used = set(zip([0, *present], [*present, 0], strict=True))
        if not present:
            used = {(0, 0)}
        for i, j, lit in arcs:
            self.model.add_hint(lit, (i, j) in used)


def _read(value: Any, term: Any) -> int:
    """A start or end from the solver, or the constant of an operation left out."""
    return term if isinstance(term, int) else int(value(term))


def build(
    problem: FjspProblem,
    horizon: int,
    *,
    allowed: Sequence[Sequence[int]] | None = None,
    chains: Sequence[Sequence[int]] | None = None,
    frozen: dict[int, int] | None = None,
    setups: bool = True,
    objective_upper: float | None = None,
    machine_load_cuts: bool = True,
    tie_break: Sequence[int] | None = None,
    batch_machines: frozenset[int] = frozenset(),
    blocked: Mapping[int, Sequence[tuple[int, int]]] | None = None,
    makespan_lower: int = 0,
    include: Collection[int] | None = None,
    fixed: Solution | None = None,
    window: Mapping[int, tuple[int, int]] | None = None,
) -> CpShopModel:
    """Build the model.

    - ``allowed[g]``: mode indices operation ``g`` may use (default: all).
    - ``chains[m]``: operations that must keep this relative order on machine ``m``
      (each of them must be allowed only modes on ``m``).
    - ``frozen``: operation -> fixed start time.
    - ``setups``: model sequence-dependent setups (False: the relaxation without them).
    - ``objective_upper``: only solutions with objective <= this (problem units).
    - ``tie_break``: per-job weights; among schedules of equal objective prefer a smaller
      weighted sum of job completion times (the LNS uses it to move along makespan
      plateaus: a compact schedule has slack where the next neighbourhood can cut the
      critical path, and random weights give different schedules of equal makespan).
    - ``batch_machines``: machines left without no-overlap, circuit and load cut (their
      batches are modelled by :mod:`optikit_fjsp.batching_model`).
    - ``blocked[m]``: windows ``[start, end)`` in which machine ``m`` does nothing (in its
      no-overlap; an interruptible operation cannot pause over them either).
    - ``makespan_lower``: a proven lower bound on the makespan (e.g. from
      :mod:`optikit_fjsp.bounds`), given to CP-SAT as the makespan's domain.
    - ``include`` (with ``fixed``): only these operations get variables; every other one
      is a constant taken from the schedule ``fixed`` (its start and end enter the job
      precedences and the objective, it is in no machine constraint).  The caller must
      make that valid (:mod:`optikit_fjsp.lns_window` keeps the neighbours that matter).
    - ``window[g]``: ``(earliest start, latest end)`` of operation ``g``.
    """
    from ortools.sat.python import cp_model

    flat = problem.flat
    obj = problem.objective
    model = cp_model.CpModel()
    n = flat.num_ops
    allowed_modes = [
        tuple(allowed[g]) if allowed is not None else tuple(range(len(flat.modes[g])))
        for g in range(n)
    ]
    durations = [[flat.modes[g][k][1] for k in allowed_modes[g]] for g in range(n)]
    dmin = [min(ds) for ds in durations]
    head = [0] * n
    tail = [0] * n
    for ops in flat.job_ops:
        t = flat.release[flat.op_job[ops[0]]]
        for g in ops:
            head[g] = t
            t += dmin[g]
        t = 0
        for g in reversed(ops):
            tail[g] = t
            t += dmin[g]
    frozen = frozen or {}
    shop = problem.shop
    calendar = CalendarTerms(shop.calendars, horizon) if shop.has_calendars else None
    paused = False

    starts: list[Any] = []
    ends: list[Any] = []
    literals: list[dict[int, Any]] = []
    per_machine: list[list[tuple[int, int, Any, Any]]] = [[] for _ in range(flat.num_machines)]
    for g in range(n):
        if include is not None and g not in include:
            if fixed is None:
                raise ValueError("build(include=...) needs the fixed schedule")
            starts.append(fixed.starts[g])
            ends.append(fixed.end(flat, g))
            literals.append({fixed.modes[g]: True})
            continue
        lo, hi = head[g], horizon - dmin[g] - tail[g]
        if window is not None and g in window:
            lo, hi = max(lo, window[g][0]), min(hi, window[g][1] - dmin[g])
        if g in frozen:
            lo = hi = frozen[g]
        if lo > hi:
            hi = lo  # infeasible horizon: let CP-SAT say so instead of failing here
        start = model.new_int_var(lo, hi, f"s{g}")
        starts.append(start)
        lits: dict[int, Any] = {}
        op = shop.jobs[flat.op_job[g]].operations[flat.op_index[g]]
        if len(allowed_modes[g]) == 1:
            k = allowed_modes[g][0]
            mach, d = flat.modes[g][k]
            if calendar is not None and calendar.constrained(mach, d):
                pauses = op.interruptible and mach not in batch_machines  # batches never do
                interval, extra = calendar.add(
                    model, start, True, mach, d, pauses, lo, hi, f"i{g}", (g, k)
                )
                paused = paused or pauses
            else:
                interval, extra = model.new_fixed_size_interval_var(start, d, f"i{g}"), 0
            lits[k] = True
            per_machine[mach].append((g, k, True, interval))
            ends.append(start + d + extra)
        else:
            end = model.new_int_var(lo + dmin[g], horizon - tail[g], f"e{g}")
            terms = []
            for k in allowed_modes[g]:
                mach, d = flat.modes[g][k]
                lit = model.new_bool_var(f"x{g}_{k}")
                if calendar is not None and calendar.constrained(mach, d):
                    pauses = op.interruptible and mach not in batch_machines
                    interval, extra = calendar.add(
                        model, start, lit, mach, d, pauses, lo, hi, f"i{g}_{k}",
                        (g, k),
                    )
                    paused = paused or pauses
                    if isinstance(extra, int) and extra:
                        extra = extra * lit
                else:
                    interval = model.new_optional_fixed_size_interval_var(
                        start, d, lit, f"i{g}_{k}"
                    )
                    extra = 0
                lits[k] = lit
                per_machine[mach].append((g, k, lit, interval))
                terms.append(d * lit + extra)
            model.add_exactly_one(list(lits.values()))
            model.add(end == start + sum(terms))
            ends.append(end)
        literals.append(lits)
        if window is not None and g in window and g not in frozen:
            model.add(ends[g] <= window[g][1])

    for ops in flat.job_ops:
        for a, b in itertools.pairwise(ops):
            if not (isinstance(starts[a], int) and isinstance(starts[b], int)):
                model.add(starts[b] >= ends[a])

    chain_succ: dict[int, int] = {}
    chained: set[int] = set()
    for seq in chains or ():
        chained.update(seq)
        for a, b in itertools.pairwise(seq):
            chain_succ[a] = b
            model.add(starts[b] >= ends[a])

    arcs_total = 0
    circuits: list[tuple[list[tuple[int, int]], list[tuple[int, int, Any]]]] = []
    with_setups = setups and problem.has_setups
    for m, entries in enumerate(per_machine):
        if not entries or m in batch_machines:
            continue
        windows = [model.new_fixed_size_interval_var(a, b - a, f"down{m}_{a}")
                   for a, b in (blocked or {}).get(m, ())]
        model.add_no_overlap([iv for _g, _k, _lit, iv in entries] + windows)
        if with_setups and flat.setup[m] is not None and len(entries) > 1:
            circuit = _add_setup_circuit(
                model, problem, m, entries, starts, chain_succ, chained, ends if paused else None
            )
            circuits.append(circuit)
            arcs_total += len(circuit[1])

    makespan_var = None
    tardiness: dict[int, Any] = {}
    coefficients: list[float] = []
    terms_vars: list[Any] = []
    lower_ms = max(head[ops[-1]] + dmin[ops[-1]] for ops in flat.job_ops)
    lower_ms = min(max(lower_ms, makespan_lower), horizon)
    if obj.makespan_weight > 0:
        makespan_var = model.new_int_var(lower_ms, horizon, "makespan")
        for ops in flat.job_ops:
            model.add(makespan_var >= ends[ops[-1]])
        if machine_load_cuts:
            for m, entries in enumerate(per_machine):
                if entries and m not in batch_machines:
                    load = sum(
                        flat.modes[g][k][1] * (1 if lit is True else lit)
                        for g, k, lit, _iv in entries
                    )
                    model.add(makespan_var >= load)
        coefficients.append(obj.makespan_weight)
        terms_vars.append(makespan_var)
    if obj.tardiness_weight > 0:
        for j, ops in enumerate(flat.job_ops):
            due = flat.due[j]
            if due is None or flat.weight[j] == 0:
                continue
            late = model.new_int_var(0, max(0, horizon - due), f"t{j}")
            model.add(late >= ends[ops[-1]] - due)
            tardiness[j] = late
            coefficients.append(obj.tardiness_weight * flat.weight[j])
            terms_vars.append(late)
    ints, scale, exact = integer_weights(coefficients)
    expr = sum(c * v for c, v in zip(ints, terms_vars, strict=True) if c)
    big = sum(tie_break) * horizon + 1 if tie_break is not None else 0
    # The lexicographic objective must stay well inside 64-bit integers.
    if tie_break is not None and any(tie_break) and big * sum(ints) * horizon < 1 << 60:
        completions = [w * ends[ops[-1]] for w, ops in zip(tie_break, flat.job_ops, strict=True)]
        model.minimize(big * expr + sum(completions))
    else:
        model.minimize(expr)
    if objective_upper is not None:
        # Problem units -> scaled integer objective; a hair of slack for rounding.
        model.add(expr <= int(objective_upper * scale + 1e-6))
    return CpShopModel(
        model=model,
        starts=starts,
        ends=ends,
        literals=literals,
        makespan=makespan_var,
        tardiness=tardiness,
        objective_scale=1.0 / scale,
        exact_objective=exact,
        with_setups=with_setups,
        stats={"operations": n, "circuit_arcs": arcs_total},
        circuits=circuits,
        paused=paused,
        calendar=calendar,
    )


def _add_setup_circuit(
    model: Any,
    problem: FjspProblem,
    machine: int,
    entries: list[tuple[int, int, Any, Any]],
    starts: list[Any],
    chain_succ: dict[int, int],
    chained: set[int],
    ends: list[Any] | None = None,
) -> tuple[list[tuple[int, int]], list[tuple[int, int, Any]]]:
    """Sequence the machine's candidates with a circuit and enforce changeovers on arcs.

    Node 0 is the depot.  For chained (fixed) operations only the arcs compatible with
    the chain exist: a chained op can be followed directly by its chain successor or by a
    relaxed op, never by another chained op.
    """
    flat = problem.flat
    arcs: list[tuple[int, int, Any]] = []
    preds = {b: a for a, b in chain_succ.items()}
    optional_all = True
    for idx, (_g, _k, lit, _iv) in enumerate(entries, start=1):
        if lit is True:
            optional_all = False
        else:
            arcs.append((idx, idx, lit.Not()))
    for i, (gi, ki, _li, _ivi) in enumerate(entries, start=1):
        ci = gi in chained
        if not ci or gi not in preds:
            arcs.append((0, i, model.new_bool_var("")))
        if not ci or gi not in chain_succ:
            arcs.append((i, 0, model.new_bool_var("")))
        di = flat.modes[gi][ki][1]
        for j, (gj, _kj, _lj, _ivj) in enumerate(entries, start=1):
            if gi == gj:
                continue
            cj = gj in chained
            if ci and cj and chain_succ.get(gi) != gj:
                continue
            lit = model.new_bool_var("")
            setup = flat.setup_between(machine, flat.op_job[gi], flat.op_job[gj])
            done = starts[gi] + di if ends is None else ends[gi]  # ends: calendar pauses
            model.add(starts[gj] >= done + setup).only_enforce_if(lit)
            arcs.append((i, j, lit))
    if optional_all:
        arcs.append((0, 0, model.new_bool_var("")))
    model.add_circuit(arcs)
    nodes = [(g, k) for g, k, _lit, _iv in entries]
    return nodes, [(i, j, lit) for i, j, lit in arcs if i != j or i == 0]


def setups_too_large(problem: FjspProblem) -> bool:
    """Whether the setup circuits would exceed ``MAX_CIRCUIT_ARCS``: the model is then
    built without setups (a relaxation: its bounds stay valid, its schedules need
    re-timing with the changeovers)."""
    return problem.has_setups and circuit_arcs_estimate(problem) > MAX_CIRCUIT_ARCS


def circuit_arcs_estimate(problem: FjspProblem) -> int:
    """Arcs a full circuit model would need (to decide whether to relax setups)."""
    flat = problem.flat
    counts = [0] * flat.num_machines
    for modes in flat.modes:
        for m, _d in modes:
            counts[m] += 1
    return sum(c * c for m, c in enumerate(counts) if flat.setup[m] is not None)
