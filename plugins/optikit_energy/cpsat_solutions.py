"""Reading CP-SAT solutions of the energy model, and the hints and fixings LNS needs.

:mod:`optikit_energy.cpsat_model` builds the model; these functions work on a built
:class:`~optikit_energy.cpsat_model.EnergyCpModel`: :func:`extract` turns a solution into
a schedule, :func:`decision_hint` turns a schedule back into variable values (a hint, or
the fixed part of a clone), and :func:`switching_indices` and :func:`fix` select and fix
the variables an LNS step keeps.
Variables are referred to by proto index, valid in clones of the model too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from optikit.scheduling import ScheduledOperation
from optikit_energy.cpsat_model import EnergyCpModel


def extract(
    cm: EnergyCpModel, value: Callable[[Any], int], boolean_value: Callable[[Any], bool]
) -> tuple[list[ScheduledOperation], dict[int, list[int]]]:
    """The schedule and switch-on times of a CP-SAT solution of ``cm``."""
    p = cm.p
    schedule: list[ScheduledOperation] = []
    for g, op in enumerate(p.ops):
        k = next(
            k for k, lit in enumerate(cm.lits[g])
            if lit is not None and boolean_value(lit)
        )
        s = int(value(cm.start[g]))
        md = op.modes[k]
        # The end variable: an interruptible operation's end includes its pauses.
        e = int(value(cm.end[g]))
        schedule.append(ScheduledOperation(op.job, op.index, k, md.machine, s, e))
    switch_on: dict[int, list[int]] = {}
    for m in range(p.num_machines):
        if not p.can_switch_off(m):
            continue
        if m in cm.nodes:
            switch_on[m] = sorted(
                int(value(n.idle_start)) for n in cm.nodes[m] if boolean_value(n.new)
            )
        else:
            starts = [s.start for s in schedule if s.machine == m]
            switch_on[m] = [min(starts)] if starts else []
    return schedule, switch_on


def decision_hint(
    cm: EnergyCpModel, schedule: list[ScheduledOperation], switch_on: dict[int, list[int]]
) -> dict[int, int]:
    """Values of the decisions (starts, modes, switch-ons) of a known schedule.

    Keyed by variable index (valid in clones of the model too).
    """
    p = cm.p
    hint: dict[int, int] = {}
    by_op = {p.job_ops[s.job][s.operation]: s for s in schedule}
    for g in range(len(p.ops)):
        s = by_op[g]
        hint[cm.start[g].index] = s.start
        for k, lit in enumerate(cm.lits[g]):
            if lit is not None:
                hint[lit.index] = int(k == s.mode)
    for m, nodes in cm.nodes.items():
        times = sorted(switch_on.get(m, ()))
        present = sorted(
            (by_op[n.op].start, by_op[n.op].end, i)
            for i, n in enumerate(nodes)
            if by_op[n.op].machine == m
        )
        prev_end: int | None = None
        pos = 0
        for start, end, i in present:
            node = nodes[i]
            opened = None
            while pos < len(times) and times[pos] <= start:
                opened = times[pos]
                pos += 1
            if opened is not None or prev_end is None:
                hint[node.new.index] = 1
                hint[node.idle_start.index] = start if opened is None else opened
            else:
                hint[node.new.index] = 0
                hint[node.idle_start.index] = prev_end
            prev_end = end
        for node in nodes:
            if by_op[node.op].machine != m:
                hint[node.new.index] = 0
                hint[node.idle_start.index] = by_op[node.op].start
    return hint


def switching_indices(cm: EnergyCpModel, free_ops: set[int]) -> list[int]:
    """Indices of the switching variables of machines none of ``free_ops`` can use."""
    out: list[int] = []
    for nodes in cm.nodes.values():
        if any(n.op in free_ops for n in nodes):
            continue
        for n in nodes:
            out.extend(n.aux)
    return out


def set_hint(model: Any, values: dict[int, int]) -> None:
    """Write a complete hint straight into ``model``'s proto (fast for large models)."""
    proto = model.proto
    proto.clear_solution_hint()
    proto.solution_hint.vars.extend(values.keys())
    proto.solution_hint.values.extend(values.values())


def fix(model: Any, values: dict[int, int], indices: Iterable[int]) -> None:
    """Fix, in ``model`` (a clone), the variables ``indices`` to ``values``."""
    for i in indices:
        dom = model.proto.variables[i].domain
        dom.clear()
        dom.extend([values[i], values[i]])


def all_variables(cm: EnergyCpModel) -> list[Any]:
    """Every variable of the model, in proto index order (hints are keyed by index)."""
    """Every variable of the model, in proto index order (hints are keyed by index)."""
    model = cm.model
    return [model.get_int_var_from_proto_index(i) for i in range(len(model.proto.variables))]
