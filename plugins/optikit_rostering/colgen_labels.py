"""Column generation's exact pricer by labelling: one employee's cheapest row in about a ms.

Why: the CP-SAT pricer (:class:`optikit_rostering.colgen_pricing.Pricer`'s fallback) takes
30-50 ms a call, 85 % of a round, so branch-and-price got 5-9 nodes in a 60 s run and the
relaxation of Instances 8/12 did not converge.  A row is a path over the days (each day off
or one shift), so its cheapest one under the duals is a resource-constrained shortest path:
labels per day (:mod:`optikit_rostering.pricing_kernel`, compiled with numba), dominance at
each node, pruned by a completion bound of the run rules; a beam of a few labels a node
first gives an upper bound and rows, then the exact sweep proves the minimum.

Rules modelled (every per-employee rule of :mod:`optikit_rostering.cpsat_model`): leave and
zero shift caps (no cell), forbidden successions (explicit and from rest hours), max shifts
per type, min/max total minutes (with the average weekly cap), max/min consecutive shifts
and min consecutive days off (interior runs; runs at the horizon's edges are exempt),
max consecutive nights, max weekends, weekly minutes, min days off per full week; requests
(on/off, weighted); per worked cell the station (skill) the duals pay most for, if any, and
the safety rows of the person's skills.  Whenever a rule is added to the CP-SAT model that
this does not know, :func:`supported` must say no for the persons it touches (they are
priced by CP-SAT).  More than ``LIMIT`` labels on a day: None, and the caller falls back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from optikit_rostering import pricing_kernel as k
from optikit_rostering.model import Limits, Roster, average_cap, station_skills

if TYPE_CHECKING:
    from optikit_rostering.colgen_pricing import Duals

#: Labels kept on one day at most before the sweep gives up (the caller prices by CP-SAT).
LIMIT = 40_000
#: Labels kept per node by the first (beam) sweep.
BEAM = 3
#: Most steps of minutes the completion bound tracks (Curtois & Qu: 18-72).
UNITS = 150
#: No limit, as an integer the kernel compares with.
HUGE = 1 << 40
#: Slack on the cost comparisons (floating-point sums of duals).
TOL = 1e-9

#: The ``Limits`` fields this pricer models; a new one must be added here with its rule.
MODELLED = frozenset({
    "max_per_shift", "max_minutes", "min_minutes", "max_consecutive", "min_consecutive",
    "min_days_off_run", "max_weekends", "max_consecutive_nights", "max_week_minutes",
    "max_average_week_minutes", "min_days_off_per_week",
})


def supported(limits: Limits) -> bool:
    """Whether every rule field of ``limits`` is one this pricer models."""
    return set(limits.__dataclass_fields__) <= MODELLED


#: A complete row of the sweep: (cost, shift or None per day).
Row = tuple[float, tuple[int | None, ...]]


@dataclass
class Labelled:
    """One call's answer: rows (shift or None per day), stations per day and their costs
    (the duals' part and the requests' constant included; convexity not), best first; the
    proven least cost (inf: no row at all)."""

    rows: list[tuple[tuple[int | None, ...], tuple[str | None, ...], float]]
    least: float


class LabelPricer:
    """The arrays of one employee's rules, built once; :meth:`solve` per set of duals."""

    def __init__(self, roster: Roster, e: int) -> None:
        emp = roster.employees[e]
        lim = emp.limits
        D, S = roster.days, roster.num_shifts
        self.roster, self.e, self.days, self.shifts = roster, e, D, S
        allowed = np.zeros((D, S), dtype=np.bool_)
        for d in range(D):
            for s in range(S):
                allowed[d, s] = d not in emp.days_off and lim.max_per_shift[s] != 0
        self.allowed = allowed
        self.free = np.zeros(D, dtype=np.bool_)  # no day must be worked
        self.forb = np.zeros((S, S), dtype=np.bool_)
        for s, u in emp.forbidden:
            self.forb[s, u] = True
        self.night = np.array([sh.night for sh in roster.shifts], dtype=np.bool_)
        self.minutes = np.array([sh.minutes for sh in roster.shifts], dtype=np.int64)
        upper = [v for v in (lim.max_minutes, average_cap(roster, lim)) if v is not None]
        caps = [min(upper) if upper else HUGE,
                HUGE if lim.max_weekends is None else lim.max_weekends,
                HUGE if lim.max_week_minutes is None else lim.max_week_minutes, 7]
        dom = [True, lim.max_weekends is not None, lim.max_week_minutes is not None,
               lim.min_days_off_per_week > 0]
        capidx = [-1] * S
        for s in range(S):
            cap = lim.max_per_shift[s]
            if cap is not None and 0 < cap < int(allowed[:, s].sum()):
                capidx[s] = len(caps)
                caps.append(cap)
                dom.append(True)
        self.capidx = np.array(capidx, dtype=np.int64)
        self.caps = np.array(caps, dtype=np.int64)
        self.dom = np.array(dom, dtype=np.bool_)
        max_run = D if lim.max_consecutive is None else min(lim.max_consecutive, D)
        finite = lim.max_consecutive is not None and lim.max_consecutive < D
        work_cap = max_run if finite else max(lim.min_consecutive, 1)
        off_cap = max(lim.min_days_off_run, 1)
        nights = lim.max_consecutive_nights
        track = nights is not None and bool(self.night.any())
        ip = np.zeros(k.PARAMS, dtype=np.int64)
        ip[k.MAX_RUN], ip[k.MIN_RUN], ip[k.MIN_OFF] = max_run, lim.min_consecutive, \
            lim.min_days_off_run
        ip[k.WORK_CAP], ip[k.OFF_CAP], ip[k.RUN_CAP] = work_cap, off_cap, max(work_cap, off_cap)
        ip[k.MAX_NIGHTS] = nights if track and nights is not None else 0
        ip[k.NIGHT_CAP] = ip[k.MAX_NIGHTS] if track else 0
        ip[k.TRACK_NIGHTS] = int(track)
        ip[k.MIN_MINUTES] = lim.min_minutes or 0
        ip[k.MAX_FINITE] = int(finite)
        self.ip = ip
        self.shortest = int(self.minutes.min()) if S else 0
        self._minute_units(caps[k.MINUTES], lim.min_minutes or 0)
        weekend_of = {d: i for i, group in enumerate(roster.weekends()) for d in group}
        self.weekend = np.array([d in weekend_of for d in range(D)], dtype=np.bool_)
        self.weekend_cont = np.array(
            [d > 0 and d in weekend_of and weekend_of.get(d - 1) == weekend_of[d]
             for d in range(D)], dtype=np.bool_)
        self.week_reset = np.array([d > 0 and roster.week_of(d) != roster.week_of(d - 1)
                                    for d in range(D)], dtype=np.bool_)
        full = {d for week in roster.full_weeks() for d in week}
        self.week_days = np.array([7 - lim.min_days_off_per_week if d in full else 7
                                   for d in range(D)], dtype=np.int64)
        # Requests: a per-cell part and the constant of the "on" ones.
        self.requests = np.zeros((D, S))
        self.constant = 0.0
        for r in roster.requests:
            if r.employee != e:
                continue
            if r.on:
                self.constant += r.weight
                self.requests[r.day, r.shift] -= r.weight
            elif r.shift < 0:
                self.requests[r.day, :] += r.weight
            else:
                self.requests[r.day, r.shift] += r.weight
        self.skills = tuple(sorted(emp.skills))
        places = station_skills(roster)
        self.stations = {(d, s): tuple(x for x in places.get((d, s), ()) if x in emp.skills)
                         for d in range(D) for s in range(S)}
        self.stations = {key: v for key, v in self.stations.items() if v}

    def _minute_units(self, most: int, least: int) -> None:
        """The completion bound's minutes: in units of the shifts' common divisor, up to
        the maximum (or, without one, saturated at the minimum); left out (one unit, no
        range) when that needs more than ``UNITS`` steps."""
        g = 0
        for m in self.minutes:
            g = math.gcd(g, int(m))
        g = max(g, 1)
        saturate = most >= HUGE
        top = -(-least // g) if saturate else most // g
        if top > UNITS or (saturate and least == 0):
            units, top, need, g, saturate = [0] * self.shifts, 0, 0, 1, True
        else:
            units, need = [int(m) // g for m in self.minutes], -(-least // g)
        self.units = np.array([*units, g], dtype=np.int64)  # (the unit last)
        self.top, self.need, self.saturate = top, need, saturate

    def costs(self, duals: Duals) -> tuple[np.ndarray, dict[tuple[int, int], str]]:
        """Per cell the requests' part less the duals it earns (cover, safety and the best
        paying station), and that station per cell."""
        cost = self.requests.copy()
        cell, safety, station = duals.cell, duals.safety, duals.station
        for (d, s), value in cell.items():
            if d < self.days:
                cost[d, s] -= value
        if safety and self.skills:
            for (d, s, skill), value in safety.items():
                if skill in self.skills:
                    cost[d, s] -= value
        chosen: dict[tuple[int, int], str] = {}
        if station:
            for (d, s), skills in self.stations.items():
                best, pick = 0.0, None
                for skill in skills:
                    value = station.get((d, s, skill), 0.0)
                    if value > best:
                        best, pick = value, skill
                if pick is not None:
                    cost[d, s] -= best
                    chosen[d, s] = pick
        return cost, chosen

    def solve(self, duals: Duals, most: int,
              fixed: dict[tuple[int, int], bool] | None = None) -> Labelled | None:
        """The ``most`` cheapest rows found (the exact least among them) under ``duals``
        and a branch-and-price node's ``fixed`` cells; None if the labels overflow."""
        cost, chosen = self.costs(duals)
        allowed, must = self.allowed, self.free
        if fixed:
            allowed, must = allowed.copy(), must.copy()
            for (d, s), on in fixed.items():
                if on:
                    if not allowed[d, s] or must[d]:  # (two forced shifts on one day)
                        return Labelled([], math.inf)
                    allowed[d, :] = False
                    allowed[d, s] = must[d] = True
            for (d, s), on in fixed.items():
                if not on:
                    allowed[d, s] = False
        best = np.where(allowed, self.minutes[None, :], 0).max(axis=1)
        room = np.concatenate([np.cumsum(best[::-1])[::-1][1:], [0]]).astype(np.int64)
        ahead = self._ahead(allowed)
        h = k.backward(allowed, must, cost, self.forb, self.night, self.ip, self.units, self.top,
                       self.need, self.saturate)
        beam = self._sweep(allowed, must, cost, h, room, ahead, math.inf, BEAM)
        if beam is None:
            return None
        upper = min((c for c, _r in beam), default=math.inf)
        exact = self._sweep(allowed, must, cost, h, room, ahead, upper + TOL * (1 + abs(upper))
                            if upper < math.inf else math.inf, 0)
        if exact is None or (beam and not exact):
            return None  # overflow, or (rounding) the exact sweep lost the beam's rows
        found = {row: c for c, row in beam + exact}
        ranked = sorted(found.items(), key=lambda rc: rc[1])[:most]
        least = min((c for c, _r in exact), default=math.inf)
        rows = [(row, tuple(chosen.get((d, s)) if s is not None else None
                            for d, s in enumerate(row)), c + self.constant)
                for row, c in ranked]
        return Labelled(rows, least + self.constant)

    def _ahead(self, allowed: np.ndarray) -> np.ndarray:
        """Per day, the most each resource can still grow after it: a capped shift type by
        its workable days left, weekends by those with a day left; the days-worked column holds
        the days left (the kernel's count of shifts that can still come)."""
        D = self.days
        out = np.zeros((D, self.caps.shape[0]), dtype=np.int64)
        for s in range(self.shifts):
            j = int(self.capidx[s])
            if j >= 0:
                col = allowed[:, s].astype(np.int64)
                out[:, j] = np.concatenate([np.cumsum(col[::-1])[::-1][1:], [0]])
        ends = [group[-1] for group in self.roster.weekends()]
        out[:, k.WEEKENDS] = [sum(1 for last in ends if last > d) for d in range(D)]
        out[:, k.WEEK_DAYS] = np.arange(D - 1, -1, -1)
        return out

    def _sweep(self, allowed: np.ndarray, must: np.ndarray, cost: np.ndarray, h: np.ndarray,
               room: np.ndarray, ahead: np.ndarray, ub: float, beam: int) -> list[Row] | None:
        """One forward pass: the complete rows (cost, row) it keeps; None on overflow."""
        width = self.caps.shape[0]
        node = np.array([k.encode(0, 0, 1, 0, self.ip)], dtype=np.int64)
        value = np.zeros(1)
        res = np.zeros((1, width), dtype=np.int64)
        trail: list[tuple[np.ndarray, np.ndarray]] = []
        for d in range(self.days):
            node, value, res, parent, choice, ok = k.extend(
                d, node, value, res, allowed, must, cost, self.forb, self.night, self.minutes,
                self.capidx, self.caps, self.dom, self.ip, self.weekend, self.weekend_cont,
                self.week_reset, self.week_days, room, h[d], self.units, self.top, ahead[d],
                self.shortest, ub, beam, LIMIT)
            if not ok:
                return None
            trail.append((parent, choice))
            if node.shape[0] == 0:
                return []
        out = []
        for i in range(node.shape[0]):
            row: list[int | None] = [None] * self.days
            j = i
            for d in range(self.days - 1, -1, -1):
                parent, choice = trail[d]
                c = int(choice[j])
                row[d] = c if c >= 0 else None
                j = int(parent[j])
            out.append((float(value[i]), tuple(row)))
        return out
