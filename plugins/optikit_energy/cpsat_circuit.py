"""The successor circuit over a machine's operations in the energy CP-SAT model.

Each operation that may run on a machine is a :class:`Node` (its modes there merged,
which divides the arcs by four on slow/fast instances); ``add_circuit`` over the nodes and
a depot orders them, and each arc carries the sequence-dependent setup.  Switchable
machines hang their switch-on decisions on the same arcs
(:mod:`optikit_energy.cpsat_machines`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from optikit_energy.model import EnergyProblem


@dataclass
class Node:
    """An operation that may run on a machine (a circuit node), its modes there merged."""

    op: int
    modes: tuple[int, ...]
    lit: Any  # the operation runs on this machine
    end: Any  # its end there (start + the chosen mode's duration)
    min_duration: int
    idle_start: Any = None  # g: switch-on time or the previous end (switchable machines)
    new: Any = None  # a switch-on happens at g
    aux: range = range(0)  # variables created for this node's switching and idle terms


def machine_nodes(model: Any, p: EnergyProblem, m: int, pairs: list[tuple[int, int]],
                  start: list[Any], mode_lits: list[list[Any]],
                  paused: dict[int, Any] | None = None) -> list[Node]:
    """One node per operation that may run on m (its modes on m merged); ``pairs`` are
    its (operation, mode) pairs on m, ``start`` and ``mode_lits`` the model's variables;
    ``paused`` the ends of operations that may pause over their calendar (op -> end)."""
    by_op: dict[int, list[int]] = {}
    for g, k in pairs:
        by_op.setdefault(g, []).append(k)
    nodes = []
    for g, modes in by_op.items():
        lits = [mode_lits[g][k] for k in modes]
        if len(modes) == 1:
            lit = lits[0]
        else:
            lit = model.new_bool_var(f"on{m}_op{g}")
            model.add(lit == sum(lits))
        durations = [p.ops[g].modes[k].duration for k in modes]
        if paused and g in paused:
            end = paused[g]  # the operation's end (pauses included), valid when it runs on m
        elif len(set(durations)) == 1:
            end = start[g] + durations[0]
        else:
            end = start[g] + sum(d * x for d, x in zip(durations, lits, strict=True))
        nodes.append(Node(g, tuple(modes), lit, end, min(durations)))
    return nodes


def _arc_allowed(p: EnergyProblem, a: Node, b: Node, setup: int,
                 start_domain: Callable[[int], tuple[int, int]]) -> bool:
    """Can b follow a directly (job order kept, time enough for a and the setup)?"""
    if a.op == b.op:
        return False
    oa, ob = p.ops[a.op], p.ops[b.op]
    if oa.job == ob.job and ob.index < oa.index:
        return False
    lo_a, _ = start_domain(a.op)
    _, hi_b = start_domain(b.op)
    return lo_a + a.min_duration + setup <= hi_b


def build_circuit(
    model: Any, p: EnergyProblem, m: int, nodes: list[Node], start: list[Any],
    start_domain: Callable[[int], tuple[int, int]], counts: dict[str, int],
    on_arc: Callable[[int, int, Any], None] | None = None,
    on_first: Callable[[int, Any], None] | None = None,
    may_follow: Callable[[int, int], bool] | None = None,
) -> None:
    """Successor arcs over the machine's operations (node 0 is the depot).

    An arc forces the setup time (or, without ``on_arc``, plain precedence); ``on_arc``
    and ``on_first`` add what an arc or a first position implies (switching).  The
    number of arcs is added to ``counts["arcs"]``.  ``may_follow(a, b)`` (operations)
    prunes arcs further (an LNS sub-model: frozen operations keep their order).
    """
    arcs: list[tuple[int, int, Any]] = []
    empty = model.new_bool_var(f"empty{m}")
    arcs.append((0, 0, empty))
    for i, node in enumerate(nodes):
        first = model.new_bool_var(f"first{m}_{i}")
        last = model.new_bool_var(f"last{m}_{i}")
        arcs += [(0, i + 1, first), (i + 1, 0, last), (i + 1, i + 1, ~node.lit)]
        if on_first is not None:
            on_first(i, first)
    count = 0
    for i, a in enumerate(nodes):
        for j, b in enumerate(nodes):
            if i == j:
                continue
            setup = p.shop.setup_time(m, p.ops[a.op].job, p.ops[b.op].job)
            if not _arc_allowed(p, a, b, setup, start_domain) or (
                may_follow is not None and not may_follow(a.op, b.op)
            ):
                continue
            arc = model.new_bool_var(f"arc{m}_{i}_{j}")
            arcs.append((i + 1, j + 1, arc))
            if setup:
                model.add(start[b.op] >= a.end + setup).only_enforce_if(arc)
            elif on_arc is None:
                model.add(start[b.op] >= a.end).only_enforce_if(arc)
            if on_arc is not None:
                on_arc(i, j, arc)
            count += 1
    model.add_circuit(arcs)
    counts["arcs"] = counts.get("arcs", 0) + count
