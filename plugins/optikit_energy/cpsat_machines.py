"""Machines of the energy CP-SAT model (:mod:`optikit_energy.cpsat_model`): no-overlap,
processing energy, the setup circuit, and the idle energy: the on-span of a machine that
stays on, or the switch-on decisions of a switchable one.

The machine's share of the peak goes to ``cm._intervals``; :mod:`optikit_energy.cpsat_caps`
builds the cumulative once every machine is done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from optikit_energy.cpsat_circuit import Node, build_circuit, machine_nodes
from optikit_energy.scaling import frac

if TYPE_CHECKING:
    from optikit_energy.cpsat_model import EnergyCpModel


def _has_setups(cm: EnergyCpModel, m: int) -> bool:
    return any(t > 0 for (mm, _a, _b), t in cm.p.shop.setups.items() if mm == m)


def add_machine(cm: EnergyCpModel, m: int) -> None:
    """Machine m: its operations' no-overlap, energy and peak share, and its idle time."""
    p = cm.p
    model = cm.model
    idle = p.idle_power[m]
    pairs = [(g, k) for g, k in p.machine_modes[m] if cm.lits[g][k] is not None]
    switching = cm.switches(m)
    ivs = [cm.mode_intervals[g][k] for g, k in pairs]
    if not pairs:
        return
    model.add_no_overlap(ivs)

    # Processing energy and the operations' share of the peak.
    for g, k in pairs:
        md = p.ops[g].modes[k]
        net = frac(md.power) - (0 if switching else frac(idle))
        if cm.energy_on and net:
            cm._terms.append((net / cm.rho_scale, cm.mode_busy[(g, k)]))
        if cm.energy_on and switching and idle and (g, k) in cm.mode_pause:
            # On and idle through the pauses (a non-switching machine pays its span).
            cm._terms.append((frac(idle) / cm.rho_scale, cm.mode_pause[(g, k)]))
        parts = cm.mode_parts.get((g, k))
        if parts is not None:
            # The peak sees the work pieces (and, switchable, idle over the pauses).
            cm._intervals += [(iv, net) for iv in parts.work]
            cm._intervals += [(iv, frac(idle)) for iv in parts.pauses if switching]
        else:
            cm._intervals.append((cm.mode_intervals[g][k], net))
            if net > 0 and (g, k) in cm.mode_extra:
                cm._paused_power = True

    if switching:
        _add_switching(cm, m, pairs)
        return
    if _has_setups(cm, m):
        _circuit(cm, m, _machine_nodes(cm, m, pairs))
    if idle > 0 and (cm.energy_on or p.peak_power is not None):
        _add_on_span(cm, m, pairs)


def _add_on_span(cm: EnergyCpModel, m: int, pairs: list[tuple[int, int]]) -> None:
    """A machine that is never switched off: on from its first start to its last end."""
    p = cm.p
    model = cm.model
    idle = p.idle_power[m]
    horizon = p.horizon
    first = model.new_int_var(0, horizon, f"span_start{m}")
    last = model.new_int_var(0, horizon, f"span_end{m}")
    model.add(first <= last)
    for g, k in pairs:
        lit = cm.lits[g][k]
        model.add(first <= cm.start[g]).only_enforce_if(lit)
        end = cm.start[g] + p.ops[g].modes[k].duration + cm.mode_extra.get((g, k), 0)
        model.add(last >= end).only_enforce_if(lit)
    size = model.new_int_var(0, horizon, f"span_len{m}")
    span = model.new_interval_var(first, size, last, f"span{m}")
    # For the LP: the span holds all the machine's processing.
    model.add(size >= sum(p.ops[g].modes[k].duration * cm.lits[g][k] for g, k in pairs))
    cm._intervals.append((span, frac(idle)))
    if cm.energy_on:
        f_first, _ = cm._pwl(first, 0, horizon, f"Fspan_s{m}")
        f_last, _ = cm._pwl(last, 0, horizon, f"Fspan_e{m}")
        on = _nonneg(cm, f_last - f_first, last - first, f"Fspan{m}")
        cm._terms.append((frac(idle) / cm.rho_scale, on))


def _nonneg(cm: EnergyCpModel, f_diff: Any, units: Any, name: str) -> Any:
    """A variable equal to F(b) - F(a) for a <= b (``units`` = b - a), with the bounds
    the LP relaxation misses: >= 0 and >= the cheapest price per unit."""
    rho_min = min(seg.rho for seg in cm.segments)
    var = cm.model.new_int_var(0, cm.f_max, name)
    cm.model.add(var == f_diff)
    if rho_min > 0:
        cm.model.add(var >= rho_min * units)
    return var


def _machine_nodes(cm: EnergyCpModel, m: int, pairs: list[tuple[int, int]]) -> list[Node]:
    paused = {g: cm.end[g] for g, k in pairs if (g, k) in cm.mode_extra}
    return machine_nodes(cm.model, cm.p, m, pairs, cm.start, cm.lits, paused)


def _circuit(cm: EnergyCpModel, m: int, nodes: list[Node],
             on_arc: Callable[[int, int, Any], None] | None = None,
             on_first: Callable[[int, Any], None] | None = None) -> None:
    build_circuit(cm.model, cm.p, m, nodes, cm.start,
                  lambda g: cm._domain(cm.start[g]), cm.info.counts, on_arc, on_first,
                  None if cm.frame is None else cm.frame.may_follow)


def _add_switching(cm: EnergyCpModel, m: int, pairs: list[tuple[int, int]]) -> None:
    """Switch-on decisions of machine m over its circuit (see the model's docstring)."""
    p = cm.p
    model = cm.model
    idle = frac(p.idle_power[m])
    e_on = frac(p.startup_energy[m] or 0)
    nodes = _machine_nodes(cm, m, pairs)
    startups: list[Any] = []
    rho_min = min(seg.rho for seg in cm.segments)
    for i, node in enumerate(nodes):
        g = node.op
        lit = node.lit
        first_var = len(model.proto.variables)
        _, hi = cm._domain(cm.start[g])
        floor = 0 if cm.frame is None else cm.frame.idle_floor(g)
        gv = model.new_int_var(floor, hi, f"g{m}_{i}")
        new = model.new_bool_var(f"new{m}_{i}")
        model.add(gv <= cm.start[g])
        model.add(gv == cm.start[g]).only_enforce_if(~lit)
        model.add(new <= lit)
        node.idle_start, node.new = gv, new
        if idle > 0:
            size = model.new_int_var(0, hi, f"gsize{m}_{i}")
            iv = model.new_optional_interval_var(gv, size, cm.start[g], lit, f"idle{m}_{i}")
            cm._intervals.append((iv, idle))
        if cm.energy_on:
            f_g, rho_g = cm._pwl(gv, floor, hi, f"Fg{m}_{i}", half_open=True)
            if idle > 0:
                on = _nonneg(cm, cm.f_start[g] - f_g, cm.start[g] - gv, f"Fidle{m}_{i}")
                cm._terms.append((idle / cm.rho_scale, on))
            if e_on > 0:
                # start-up kWh at the price of unit g: e_on * rho(g) / h
                if isinstance(rho_g, int):
                    cm._terms.append((e_on / cm.h / cm.rho_scale, rho_g * new))
                    startups.append(rho_g * new)
                else:
                    top = max(s.rho for s in cm.segments)
                    su = model.new_int_var(0, top, f"su{m}_{i}")
                    model.add(su == rho_g).only_enforce_if(new)
                    model.add(su == 0).only_enforce_if(~new)
                    # For the LP: a switch-on costs at least the cheapest price.
                    model.add(su >= rho_min * new)
                    cm._terms.append((e_on / cm.h / cm.rho_scale, su))
                    startups.append(su)
        node.aux = range(first_var, len(model.proto.variables))
    cm.nodes[m] = nodes
    # For the LP: a machine that runs anything is switched on at least once.
    used = model.new_bool_var(f"used{m}")
    for node in nodes:
        model.add(used >= node.lit)
    model.add(sum(node.new for node in nodes) >= used)
    if startups:
        # The same in integer terms, which CP-SAT keeps in its LP (a purely boolean
        # inequality becomes a clause, which the LP does not see).
        total = sum(startups)
        for node in nodes:
            model.add(total >= rho_min * node.lit)

    def on_first(i: int, first: Any) -> None:
        model.add(nodes[i].new >= first)

    def on_arc(i: int, j: int, arc: Any) -> None:
        a, b = nodes[i], nodes[j]
        # b starts after a (its idle time, if any, starts at a's end at the earliest).
        model.add(b.idle_start >= a.end).only_enforce_if(arc)
        model.add(b.idle_start == a.end).only_enforce_if([arc, ~b.new])

    _circuit(cm, m, nodes, on_arc=on_arc, on_first=on_first)
