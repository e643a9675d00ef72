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

This class holds the model's state and builds it in order; the parts are built by
:mod:`optikit_energy.cpsat_operations` (operations, modes and cost pieces),
:mod:`optikit_energy.cpsat_machines` (no-overlap, circuits, idle and switch-on terms) and
:mod:`optikit_energy.cpsat_caps` (the peak cap and the redundant period caps).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from optikit.scheduling.calendar_cpsat import CalendarTerms
from optikit_energy import cpsat_calendar, cpsat_caps, cpsat_machines, cpsat_operations
from optikit_energy.cpsat_circuit import Node
from optikit_energy.cpsat_prices import PriceCurve
from optikit_energy.model import EnergyProblem
from optikit_energy.scaling import frac, lcm_of_denominators

if TYPE_CHECKING:
    from optikit_energy.lns_frame import Frame

# The integer objective's coefficients times their variables' ranges stay below this.
OBJECTIVE_LIMIT = 2.0**52


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
        prices = PriceCurve.of(p, self.purpose)
        if not prices.exact:
            self.info.exact = False
            self.info.notes.append("tariff prices were rounded to fit CP-SAT's integers")
        self.prices = prices
        self.energy_on = prices.energy_on
        self.segments, self.f_max = prices.segments, prices.f_max
        self.rho_scale, self.h = prices.rho_scale, prices.h

        # Operations: start, end, mode literals and intervals, per operation.
        self.mode_intervals: list[list[Any]] = []
        cpsat_operations.add_operations(self)

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
                cpsat_operations.add_cost_pieces(self, g)
                self.op_aux[g] = range(first, len(model.proto.variables))

        for m in range(p.num_machines):
            self._check_stop(1, m)
            cpsat_machines.add_machine(self, m)
        if self.energy_on:
            cpsat_caps.add_machine_period_caps(self)
        cpsat_caps.add_peak_cap(self)
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
