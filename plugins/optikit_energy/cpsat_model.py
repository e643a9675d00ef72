"""The CP-SAT model of an energy-scheduling problem (built, not solved, here).

Why this shape:

- **Energy cost per tariff period, not per start minute.**  With ``F(t)`` the cumulative
  objective price of units ``< t`` (``F`` is piecewise linear with one piece per tariff
  period), an operation of power ``P`` on ``[S, E)`` costs ``P * (F(E) - F(S))``.  ``F`` at
  a variable time point is modelled with one boolean per tariff period the point may fall in
  (the disaggregated "convex combination" form: ``x = sum x_r``, ``a_r z_r <= x_r <= b_r
  z_r``), so the model grows with the number of periods, not with the horizon.  The curve
  and its pieces are :mod:`optikit_energy.cpsat_prices`.  A table of
  cost per start minute (``add_element``) on a 2,880-minute horizon is what blows up.
- **Idle energy without time indexing.**  Because ``F`` is additive, a machine that is on
  from its first start to its last end costs ``I * (F(last end) - F(first start))`` plus
  ``(P - I) * (F(E) - F(S))`` per operation: exact under time-of-use prices.
- **Peak cap**: one cumulative over the operations (demand ``P - I``, or ``P`` on switchable
  machines) and the machines' on intervals (demand ``I``).
- **Switch-off decisions** (machines with ``startup_energy``): a circuit per machine over the
  operations that may run on it (an operation's modes on one machine share a node, which
  divides the arcs by four on slow/fast instances).  Each node has ``g``, the start of the
  idle time before it, and ``new`` (a switch-on opens it): after arc ``i -> j`` the machine either
  stays on (``g_j = E_i``) or is switched on at ``g_j`` in ``[E_i, S_j]``, paying the start-up
  energy at the price of unit ``g_j`` plus idle over ``[g_j, S_j)``.  The first node of a
  machine always switches on (machines start the horizon off).
- Sequence-dependent setups use the same circuit arcs (``S_j >= E_i + setup``).
- **Machine calendars** through the kernel's :class:`CalendarTerms` (the start restricted
  to the times the calendar allows; an interruptible operation's interval and end include
  its pauses).  The cost pieces are also cut where the calendar's start ranges are, so on
  each piece the pause units are fixed: the operation pays its power over ``[S, E)``
  minus them, and on a switchable machine idle power over them (it stays on).  The peak
  cumulative sees a pausing operation's work pieces, not its span
  (:mod:`optikit_energy.cpsat_calendar`).

CP-SAT takes integers only: see :mod:`optikit_energy.scaling` for the exact scaling.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from optikit.scheduling.calendar_cpsat import CalendarTerms
from optikit_energy import cpsat_calendar
from optikit_energy.cpsat_circuit import Node, build_circuit, machine_nodes
from optikit_energy.cpsat_prices import PriceCurve, Segment
from optikit_energy.model import EnergyProblem, Infeasible
from optikit_energy.scaling import frac, lcm_of_denominators, scale_to_integers

if TYPE_CHECKING:
    from optikit_energy.lns_frame import Frame

# The integer objective's coefficients times their variables' ranges stay below this.
OBJECTIVE_LIMIT = 2.0**52
# Scaled powers (cumulative demands and capacity) stay below this.
POWER_LIMIT = 2.0**40


@dataclass
class ModelInfo:
    exact: bool = True
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


class BuildStopped(Exception):
    """The run was stopped (Ctrl-C or the time limit) while its model was being built."""


class EnergyCpModel:
    """Variables and constraints; ``purpose`` is ``"energy"`` (the problem's objective) or
    ``"makespan"`` (the energy-unaware baseline: makespan, then earliest finish, machines
    never switched off, peak cap kept)."""

    def __init__(
        self,
        problem: EnergyProblem,
        purpose: str = "energy",
        should_stop: Callable[[], bool] | None = None,
        frame: Frame | None = None,
    ) -> None:
        """``should_stop`` is asked between operations and machines; when it says yes the
        build ends with :class:`BuildStopped` (large models take seconds to build, and a
        Ctrl-C or the time limit must not wait for them).  ``frame`` makes an LNS
        sub-model (:mod:`optikit_energy.lns_frame`): frozen operations and windows."""
        from ortools.sat.python import cp_model

        if purpose not in ("energy", "makespan"):
            raise ValueError(f"unknown purpose {purpose!r}")
        self.p = problem
        self.frame = frame
        self.purpose = purpose
        self.cp = cp_model
        self.model = cp_model.CpModel()
        self.info = ModelInfo()
        self.allow_switch_off = purpose == "energy"
        self._terms: list[tuple[Fraction, Any]] = []
        self._paused_power = False  # a pausing operation's power is in the peak cumulative
        self._intervals: list[tuple[Any, Fraction]] = []  # (interval, power kW)
        self.start: list[Any] = []
        self.end: list[Any] = []
        self.lits: list[list[Any]] = []  # None for impossible modes
        self.nodes: dict[int, list[Node]] = {}
        # Calendars: the kernel's terms, per (op, mode) the pause length (0 or an
        # expression), and per (op, mode) the cost of the pauses (in F units, on pieces).
        self.calendar: CalendarTerms | None = None
        self.mode_extra: dict[tuple[int, int], Any] = {}
        self.mode_pause: dict[tuple[int, int], Any] = {}
        # Per pausing (op, mode): its work and pause pieces for the peak cumulative.
        self.mode_parts: dict[tuple[int, int], cpsat_calendar.Parts] = {}
        self.objective_scale = 1.0
        self.objective_expr: Any = 0  # the energy objective, scaled to integers
        self._should_stop = should_stop or (lambda: False)
        self._build()

    def _check_stop(self, every: int, index: int) -> None:
        if index % every == 0 and self._should_stop():
            raise BuildStopped("the model build was stopped")

    # -- build --------------------------------------------------------------------------
    def _build(self) -> None:
        p = self.p
        model = self.model
        horizon = p.horizon
        prices = PriceCurve.of(p, self.purpose)
        if not prices.exact:
            self.info.exact = False
            self.info.notes.append("tariff prices were rounded to fit CP-SAT's integers")
        self.prices = prices
        self.energy_on = prices.energy_on
        self.segments, self.f_max = prices.segments, prices.f_max
        self.rho_scale, self.h = prices.rho_scale, prices.h
        cap = p.peak_power
        heads, tails = p.heads, p.tails

        # Operations: a start, an end, one optional fixed-size interval per possible mode
        # (with a calendar: the kernel's interval, which spans an interruptible's pauses).
        self.mode_intervals: list[list[Any]] = []
        if p.shop.has_calendars:
            self.calendar = CalendarTerms(p.shop.calendars, horizon)
        calendar = self.calendar
        for g, op in enumerate(p.ops):
            self._check_stop(64, g)
            lo, hi_end = heads[g], horizon - tails[g]
            frame = self.frame
            if frame is not None:
                lo, hi_end = frame.window(g, lo, hi_end)
            possible = [
                k for k, md in enumerate(op.modes)
                if lo + md.duration <= hi_end and (cap is None or md.power <= cap + 1e-9)
                and (frame is None or frame.allows(g, k))
            ]
            job = p.shop.jobs[op.job]
            if not possible:
                raise Infeasible(
                    f"job {job.id} operation {op.index} fits no mode between its earliest "
                    f"start {lo} and its latest end {hi_end} under the peak cap"
                )
            dmin = min(op.modes[k].duration for k in possible)
            s = model.new_int_var(lo, hi_end - dmin, f"S{g}")
            if frame is not None and g in frame.starts and hi_end - dmin > lo:
                model.add(s == frame.starts[g])  # frozen, pausing over its calendar
            e = model.new_int_var(lo + dmin, hi_end, f"E{g}")
            lits: list[Any] = [None] * len(op.modes)
            ivs: list[Any] = [None] * len(op.modes)
            ends: list[Any] = []
            for k in possible:
                md = op.modes[k]
                lit = model.new_bool_var(f"L{g}_{k}")
                lits[k] = lit
                extra: Any = 0
                if calendar is not None and calendar.constrained(md.machine, md.duration):
                    ivs[k], extra = calendar.add(
                        model, s, lit, md.machine, md.duration, op.interruptible, lo,
                        hi_end - md.duration, f"I{g}_{k}", (g, k),
                    )
                    if isinstance(extra, int) and extra:
                        extra = extra * lit
                else:
                    ivs[k] = model.new_optional_fixed_size_interval_var(
                        s, md.duration, lit, f"I{g}_{k}"
                    )
                if not (isinstance(extra, int) and extra == 0):
                    self.mode_extra[(g, k)] = extra
                ends.append(md.duration * lit + extra)
            model.add_exactly_one([lits[k] for k in possible])
            model.add(e == s + sum(ends))
            self.start.append(s)
            self.end.append(e)
            self.lits.append(lits)
            self.mode_intervals.append(ivs)
        for ops in p.job_ops:
            for a, b in itertools.pairwise(ops):
                model.add(self.start[b] >= self.end[a])

        # Per operation-mode cost pieces; F(S) of each operation for the idle terms.
        self.f_start: list[Any] = []
        self.mode_busy: dict[tuple[int, int], Any] = {}
        # (op, mode, u, v, z, y, measured from u?) of every cost piece.
        self.pieces: list[tuple[int, int, int, int, Any, Any, bool]] = []
        self._overlaps: list[list[tuple[int, Any]]] | None = None
        # Variables created for each operation's cost pieces (fixed with it in LNS).
        self.op_aux: list[range] = [range(0)] * len(p.ops)
        if self.energy_on:
            for g in range(len(p.ops)):
                self._check_stop(16, g)
                first = len(model.proto.variables)
                self._build_op_pieces(g)
                self.op_aux[g] = range(first, len(model.proto.variables))

        for m in range(p.num_machines):
            self._check_stop(1, m)
            self._build_machine(m)
        if self.energy_on:
            self._add_machine_period_caps()
        self._build_peak()
        self._build_objective()

    def _pwl(self, x: Any, lo: int, hi: int, name: str, half_open: bool = False) -> tuple[Any, Any]:
        """(F(x), rho(x)) in this model (see :meth:`PriceCurve.pwl`)."""
        return self.prices.pwl(self.model, x, lo, hi, name, half_open, self.info.counts)

    def _domain(self, var: Any) -> tuple[int, int]:
        dom = list(self.model.proto.variables[var.index].domain)
        return int(dom[0]), int(dom[-1])

    def switches(self, m: int) -> bool:
        """Whether machine m's switch-offs are decided in this model."""
        p = self.p
        return (
            self.allow_switch_off
            and p.can_switch_off(m)
            and (p.idle_power[m] > 0 or (p.startup_energy[m] or 0) > 0)
        )

    def _has_setups(self, m: int) -> bool:
        return any(t > 0 for (mm, _a, _b), t in self.p.shop.setups.items() if mm == m)

    def _build_machine(self, m: int) -> None:
        p = self.p
        model = self.model
        idle = p.idle_power[m]
        pairs = [(g, k) for g, k in p.machine_modes[m] if self.lits[g][k] is not None]
        switching = self.switches(m)
        ivs = [self.mode_intervals[g][k] for g, k in pairs]
        if not pairs:
            return
        model.add_no_overlap(ivs)

        # Processing energy and the operations' share of the peak.
        for g, k in pairs:
            md = p.ops[g].modes[k]
            net = frac(md.power) - (0 if switching else frac(idle))
            if self.energy_on and net:
                self._terms.append((net / self.rho_scale, self.mode_busy[(g, k)]))
            if self.energy_on and switching and idle and (g, k) in self.mode_pause:
                # On and idle through the pauses (a non-switching machine pays its span).
                self._terms.append((frac(idle) / self.rho_scale, self.mode_pause[(g, k)]))
            parts = self.mode_parts.get((g, k))
            if parts is not None:
                # The peak sees the work pieces (and, switchable, idle over the pauses).
                self._intervals += [(iv, net) for iv in parts.work]
                self._intervals += [(iv, frac(idle)) for iv in parts.pauses if switching]
            else:
                self._intervals.append((self.mode_intervals[g][k], net))
                if net > 0 and (g, k) in self.mode_extra:
                    self._paused_power = True

        if switching:
            self._build_switching(m, pairs)
            return
        if self._has_setups(m):
            self._circuit(m, self._machine_nodes(m, pairs))
        if idle > 0 and (self.energy_on or p.peak_power is not None):
            # On from the first start to the last end.
            horizon = p.horizon
            first = model.new_int_var(0, horizon, f"span_start{m}")
            last = model.new_int_var(0, horizon, f"span_end{m}")
            model.add(first <= last)
            for g, k in pairs:
                lit = self.lits[g][k]
                model.add(first <= self.start[g]).only_enforce_if(lit)
                end = self.start[g] + p.ops[g].modes[k].duration + self.mode_extra.get((g, k), 0)
                model.add(last >= end).only_enforce_if(lit)
            size = model.new_int_var(0, horizon, f"span_len{m}")
            span = model.new_interval_var(first, size, last, f"span{m}")
            # For the LP: the span holds all the machine's processing.
            model.add(size >= sum(p.ops[g].modes[k].duration * self.lits[g][k] for g, k in pairs))
            self._intervals.append((span, frac(idle)))
            if self.energy_on:
                f_first, _ = self._pwl(first, 0, horizon, f"Fspan_s{m}")
                f_last, _ = self._pwl(last, 0, horizon, f"Fspan_e{m}")
                on = self._nonneg(f_last - f_first, last - first, f"Fspan{m}")
                self._terms.append((frac(idle) / self.rho_scale, on))

    def _nonneg(self, f_diff: Any, units: Any, name: str) -> Any:
        """A variable equal to F(b) - F(a) for a <= b (``units`` = b - a), with the bounds
        the LP relaxation misses: >= 0 and >= the cheapest price per unit."""
        rho_min = min(seg.rho for seg in self.segments)
        var = self.model.new_int_var(0, self.f_max, name)
        self.model.add(var == f_diff)
        if rho_min > 0:
            self.model.add(var >= rho_min * units)
        return var

    def _build_op_pieces(self, g: int) -> None:
        """Disaggregate (mode, piece) for operation g: exact, and a tight LP relaxation.

        For mode k of duration d, the start domain is cut where S or S + d crosses a price
        segment boundary; on each piece [u, v] both F(S) and F(S + d) are linear in S.  One
        boolean per (mode, piece) (summing to the mode literal) and a copy x of S per piece
        (offsets y from a piece end, ``y <= (v-u) z``, ``sum = S``): the LP relaxation of
        an operation's cost is then
        the convex envelope of its true cost over modes and starts, so the root bound
        already charges every operation at least its cheapest placement.
        """
        p = self.p
        model = self.model
        op = p.ops[g]
        start = self.start[g]
        lo, hi = self._domain(start)
        cuts = {seg.start for seg in self.segments}
        f_start_terms: list[Any] = []
        xs: list[Any] = []  # the start as a sum over (mode, piece)
        f_of = self.prices.f_of
        for k, lit in enumerate(self.lits[g]):
            if lit is None:
                continue
            d = op.modes[k].duration
            top = min(hi, p.horizon - d)
            # (first start, last start, pause units, F-cost of the pauses) per range.
            ranges = cpsat_calendar.start_ranges(self, g, k, lo, top)
            pieces: list[tuple[int, int, int, int, int]] = []
            for ri, (a, b, extra, pause) in enumerate(ranges):
                points = {a, b}
                for c in cuts:
                    for t in (c, c - d - extra):
                        if a < t < b:
                            points.add(t)
                ordered = sorted(points)
                pieces += [(u, v, extra, pause, ri)
                           for u, v in itertools.pairwise(ordered)] or [(a, a, extra, pause, ri)]
            if not pieces:
                model.add(lit == 0)  # the calendar leaves it no start (CalendarTerms agrees)
                self.mode_busy[(g, k)] = 0
                continue
            zs: list[Any] = []
            busy_terms: list[Any] = []
            pause_terms: list[Any] = []
            for r, (u, v, extra, pause, _ri) in enumerate(pieces):
                dd = d + extra  # the span, pauses included
                z = lit if len(pieces) == 1 else model.new_bool_var(f"z{g}_{k}_{r}")
                rho_s = self.prices.segment_at(u).rho
                rho_e = self.prices.segment_at(u + dd).rho
                slope = rho_e - rho_s
                fs_u, busy_u = f_of(u), f_of(u + dd) - f_of(u) - pause
                if pause:
                    pause_terms.append(pause * z)
                busy_v = busy_u + slope * (v - u)
                # y measures the start from the piece's cheaper end, so that the cost
                # busy = (cost at that end) * z + |slope| * y has coefficients >= 0.
                # CP-SAT's presolve turns "y <= (v-u) z" into an implication whose LP
                # relaxation is weak; with a negative coefficient the root bound would
                # then fall below zero (it did: -266,000 on the toy).
                y = model.new_int_var(0, v - u, f"y{g}_{k}_{r}")
                if v > u:
                    model.add(y <= (v - u) * z)
                if slope >= 0:
                    xs.append(u * z + y)
                    busy_terms.append(busy_u * z + slope * y)
                    f_start_terms.append(fs_u * z + rho_s * y)
                else:
                    xs.append(v * z - y)
                    busy_terms.append(busy_v * z - slope * y)
                    f_start_terms.append((fs_u + rho_s * (v - u)) * z - rho_s * y)
                zs.append(z)
                if not extra:  # the redundant per-segment caps assume contiguous work
                    self.pieces.append((g, k, u, v, z, y, slope >= 0))
            if len(pieces) > 1:
                model.add(sum(zs) == lit)
                self.info.counts["pieces"] = self.info.counts.get("pieces", 0) + len(pieces)
            self.mode_busy[(g, k)] = sum(busy_terms)
            if pause_terms:
                self.mode_pause[(g, k)] = sum(pause_terms)
            if any(x for _a, _b, x, _p in ranges):
                by_range = [[z for z, pc in zip(zs, pieces, strict=True) if pc[4] == ri]
                            for ri in range(len(ranges))]
                self.mode_parts[(g, k)] = cpsat_calendar.pause_parts(
                    self, g, k, ranges, by_range)
        model.add(sum(xs) == start)
        self.f_start.append(sum(f_start_terms))

    def _machine_nodes(self, m: int, pairs: list[tuple[int, int]]) -> list[Node]:
        paused = {g: self.end[g] for g, k in pairs if (g, k) in self.mode_extra}
        return machine_nodes(self.model, self.p, m, pairs, self.start, self.lits, paused)

    def _circuit(self, m: int, nodes: list[Node],
                 on_arc: Callable[[int, int, Any], None] | None = None,
                 on_first: Callable[[int, Any], None] | None = None) -> None:
        build_circuit(self.model, self.p, m, nodes, self.start,
                      lambda g: self._domain(self.start[g]), self.info.counts, on_arc, on_first,
                      None if self.frame is None else self.frame.may_follow)

    def _build_switching(self, m: int, pairs: list[tuple[int, int]]) -> None:
        p = self.p
        model = self.model
        idle = frac(p.idle_power[m])
        e_on = frac(p.startup_energy[m] or 0)
        nodes = self._machine_nodes(m, pairs)
        startups: list[Any] = []
        rho_min = min(seg.rho for seg in self.segments)
        for i, node in enumerate(nodes):
            g = node.op
            lit = node.lit
            first_var = len(model.proto.variables)
            _, hi = self._domain(self.start[g])
            floor = 0 if self.frame is None else self.frame.idle_floor(g)
            gv = model.new_int_var(floor, hi, f"g{m}_{i}")
            new = model.new_bool_var(f"new{m}_{i}")
            model.add(gv <= self.start[g])
            model.add(gv == self.start[g]).only_enforce_if(~lit)
            model.add(new <= lit)
            node.idle_start, node.new = gv, new
            if idle > 0:
                size = model.new_int_var(0, hi, f"gsize{m}_{i}")
                iv = model.new_optional_interval_var(gv, size, self.start[g], lit, f"idle{m}_{i}")
                self._intervals.append((iv, idle))
            if self.energy_on:
                f_g, rho_g = self._pwl(gv, floor, hi, f"Fg{m}_{i}", half_open=True)
                if idle > 0:
                    on = self._nonneg(self.f_start[g] - f_g, self.start[g] - gv, f"Fidle{m}_{i}")
                    self._terms.append((idle / self.rho_scale, on))
                if e_on > 0:
                    # start-up kWh at the price of unit g: e_on * rho(g) / h
                    if isinstance(rho_g, int):
                        self._terms.append((e_on / self.h / self.rho_scale, rho_g * new))
                        startups.append(rho_g * new)
                    else:
                        top = max(s.rho for s in self.segments)
                        su = model.new_int_var(0, top, f"su{m}_{i}")
                        model.add(su == rho_g).only_enforce_if(new)
                        model.add(su == 0).only_enforce_if(~new)
                        # For the LP: a switch-on costs at least the cheapest price.
                        model.add(su >= rho_min * new)
                        self._terms.append((e_on / self.h / self.rho_scale, su))
                        startups.append(su)
            node.aux = range(first_var, len(model.proto.variables))
        self.nodes[m] = nodes
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

        self._circuit(m, nodes, on_arc=on_arc, on_first=on_first)

    def _build_peak(self) -> None:
        cap = self.p.peak_power
        if cap is None:
            return
        ivs = [(iv, pw) for iv, pw in self._intervals if pw > 0]
        powers = [pw for _, pw in ivs] + [frac(cap)]
        scaled = scale_to_integers(powers, len(ivs) + 1, POWER_LIMIT)
        *demands, capacity = scaled.values
        if not scaled.exact:
            # Conservative rounding: demands up, the cap down (solutions stay feasible).
            factor = scaled.factor
            demands = [-((-pw * factor).__floor__()) for pw in powers[:-1]]
            capacity = int((frac(cap) * factor).__floor__())
            self.info.exact = False
            self.info.notes.append("powers were rounded (conservatively) for the peak cap")
        if sum(demands) <= capacity:
            return  # the cap can never bind
        if self._paused_power:
            self.info.exact = False
            self.info.notes.append(
                "peak cap: interruptible operations keep their power over their pauses "
                "in the model (conservative): no proof or bound from this model"
            )
        self.model.add_cumulative([iv for iv, _ in ivs], demands, capacity)
        if scaled.exact:
            self._add_period_energy_caps(scaled.factor, capacity)

    def _overlap_term(self, piece: tuple[int, int, int, int, Any, Any, bool], seg: Segment) -> Any:
        """An operation-mode's overlap with a price segment, linear on one cost piece."""
        g, k, u, v, z, y, from_u = piece
        d = self.p.ops[g].modes[k].duration
        o_u = max(0, min(u + d, seg.end) - max(u, seg.start))
        o_v = max(0, min(v + d, seg.end) - max(v, seg.start))
        if o_u == 0 and o_v == 0:
            return None
        slope = 0 if v == u else (o_v - o_u) // (v - u)
        return o_u * z + slope * y if from_u else o_v * z - slope * y

    def _piece_overlaps(self) -> list[list[tuple[int, Any]]]:
        """Per cost piece, ``(segment index, overlap term)`` for the segments it can meet.

        Computed once for both redundant cap families, and only over the segments that
        meet ``[u, v + d)`` (found by bisection): all pairs took seconds on the 2,880-unit
        instance."""
        if self._overlaps is None:
            starts = [seg.start for seg in self.segments]
            ends = [seg.end for seg in self.segments]
            self._overlaps = []
            for piece in self.pieces:
                g, k, u, v = piece[0], piece[1], piece[2], piece[3]
                d = self.p.ops[g].modes[k].duration
                first = bisect.bisect_right(ends, u)
                last = bisect.bisect_left(starts, v + d)
                found = []
                for r in range(first, last):
                    term = self._overlap_term(piece, self.segments[r])
                    if term is not None:
                        found.append((r, term))
                self._overlaps.append(found)
        return self._overlaps

    def _add_machine_period_caps(self) -> None:
        """Redundant: each machine processes at most a segment's length inside it.

        Implied by the no-overlap, but it tells the LP that a machine has only so much
        cheap time, which lifts the bound when work competes for the cheap periods.
        """
        p = self.p
        terms: dict[tuple[int, int], list[Any]] = {}
        for piece, overlaps in zip(self.pieces, self._piece_overlaps(), strict=True):
            g, k = piece[0], piece[1]
            m = p.ops[g].modes[k].machine
            for r, term in overlaps:
                terms.setdefault((m, r), []).append(term)
        for (_m, r), ts in terms.items():
            seg = self.segments[r]
            if len(ts) > 1:
                self.model.add(sum(ts) <= seg.end - seg.start)

    def _add_period_energy_caps(self, factor: Fraction, capacity: int) -> None:
        """Redundant: processing energy inside each price segment <= cap x its length.

        Implied by the cumulative, but linear in the cost pieces (an operation's overlap
        with a segment is linear on each piece), so the LP bound learns that cheap periods
        have limited room: on the 2-machine toy it lifts the root bound from "every
        operation at the cheapest price" towards the optimum.
        """
        p = self.p
        model = self.model
        terms: list[list[Any]] = [[] for _ in self.segments]
        for piece, overlaps in zip(self.pieces, self._piece_overlaps(), strict=True):
            g, k = piece[0], piece[1]
            power = round(frac(p.ops[g].modes[k].power) * factor)
            if not power:
                continue
            for r, term in overlaps:
                terms[r].append(power * term)
        for r, seg in enumerate(self.segments):
            if terms[r]:
                model.add(sum(terms[r]) <= capacity * (seg.end - seg.start))

    def _build_objective(self) -> None:
        p = self.p
        model = self.model
        horizon = p.horizon
        w = p.weights
        last_ends = [self.end[ops[-1]] for ops in p.job_ops]
        if self.purpose == "makespan":
            cmax = model.new_int_var(0, horizon, "makespan")
            model.add_max_equality(cmax, last_ends)
            total = len(self.end) * horizon + 1
            model.minimize(cmax * total + sum(self.end))
            self.objective_scale = 1.0
            self.makespan_var = cmax
            return
        if w.makespan:
            cmax = model.new_int_var(0, horizon, "makespan")
            model.add_max_equality(cmax, last_ends)
            self._terms.append((frac(w.makespan), cmax))
        if w.total_weighted_tardiness:
            for j, job in enumerate(p.shop.jobs):
                if job.due is None or not job.weight:
                    continue
                late = model.new_int_var(0, horizon, f"T{j}")
                model.add(late >= last_ends[j] - job.due)
                self._terms.append((frac(w.total_weighted_tardiness) * frac(job.weight), late))
        coefs = [c for c, _ in self._terms]
        q = lcm_of_denominators(coefs)
        # How large can the objective get? Bound each term by its coefficient times a range.
        spread = max(self.f_max, horizon, 1)
        biggest = float(sum(abs(c) for c in coefs)) * spread * max(1, len(p.ops))
        if biggest * q > OBJECTIVE_LIMIT:
            q_new = max(1, int(OBJECTIVE_LIMIT / max(biggest, 1e-300)))
            self.info.exact = self.info.exact and all((c * q_new).denominator == 1 for c in coefs)
            if not self.info.exact:
                self.info.notes.append("objective weights were rounded to fit CP-SAT's integers")
            q = q_new
        # Kept for a second, lexicographic stage (re-planning bounds it and minimises
        # something else).
        self.objective_expr = sum(round(c * q) * e for c, e in self._terms)
        model.minimize(self.objective_expr)
        self.objective_scale = 1.0 / q
