"""The parsed ``energy-scheduling`` problem: the shared job shop plus tariff and powers.

Semantics fixed here (and relied on by the checker and both formulations):

- Time is an integer grid of ``horizon`` units of ``time_step`` minutes; unit ``t`` is
  ``[t, t+1)``.  Energy in a unit is power x ``time_step``/60 kWh, charged at the price
  and carbon intensity of the tariff period containing ``t``.
- A machine draws its mode's ``power`` while processing, its ``idle_power`` while on and
  not processing, nothing while off.  A mode may not draw less than its machine's idle
  power (processing includes the idle base load); ``parse`` rejects that.
- A machine *without* ``startup_energy`` is on from its first operation's start to its
  last operation's end (and off before and after).
- A machine *with* ``startup_energy`` starts the horizon **off**; every switch-on costs
  ``startup_energy`` kWh charged at the price/carbon of the unit in which it happens, and
  the machine stays on until the last end of the operations before its next switch-on.
  It may be switched on before its next operation (to pay the start-up in a cheaper unit).
  Switch-on energy is an energy lump: it counts in kWh, cost and CO2, not in the power
  profile or the peak.
- Sequence-dependent setups are time only: a changeover draws no power beyond the
  machine's on/idle state.
- ``peak_power`` caps the plant's total power (processing + idle) in every unit.
- Machine calendars (the shared kernel's, :mod:`optikit.scheduling.calendar`): an
  operation runs in its machine's working time, inside one working window unless it is
  ``interruptible``; an interruptible one pauses over non-working time and draws no
  processing power while paused; its machine stays on (idle power) through the pause,
  as through any gap of an on period.  Calendars do not switch machines off.
- Clock time (optional ``start``, :mod:`optikit_energy.clock`): time 0 is ``start``, one
  unit ``time_step`` minutes; calendar windows, releases and due dates may then be
  timestamps.  Reports only: the model counts in units either way.
- The objective is ``w_cost * cost + w_carbon * co2_kg + w_makespan * makespan +
  w_twt * total_weighted_tardiness`` (times in units); default ``{energy_cost: 1}``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optikit.scheduling import Shop, parse_shop
from optikit.types import InvalidProblem
from optikit.units import currency_of
from optikit_energy.clock import parse_step_clock
from optikit_energy.schema import OBJECTIVE_TERMS


class Infeasible(Exception):
    """The instance provably has no schedule (found while building a model)."""


@dataclass(frozen=True)
class Period:
    """One tariff period ``[start, end)`` with its price per kWh and kg CO2 per kWh."""

    start: int
    end: int
    price: float
    carbon: float
    name: str = ""


@dataclass(frozen=True)
class Weights:
    energy_cost: float = 1.0
    carbon: float = 0.0
    makespan: float = 0.0
    total_weighted_tardiness: float = 0.0

    def value(self, cost: float, co2_kg: float, makespan: float, tardiness: float) -> float:
        return (
            self.energy_cost * cost
            + self.carbon * co2_kg
            + self.makespan * makespan
            + self.total_weighted_tardiness * tardiness
        )

    def as_dict(self) -> dict[str, float]:
        return {t: getattr(self, t) for t in OBJECTIVE_TERMS if getattr(self, t)}


@dataclass(frozen=True)
class FlatMode:
    machine: int
    duration: int
    power: float


@dataclass(frozen=True)
class FlatOp:
    """Operation ``index`` of job ``job``, numbered globally in job order."""

    job: int
    index: int
    modes: tuple[FlatMode, ...]
    interruptible: bool = False  # may pause over non-working time of its machine

    @property
    def min_duration(self) -> int:
        return min(m.duration for m in self.modes)


@dataclass(frozen=True)
class EnergyProblem:
    shop: Shop
    time_step: float
    horizon: int
    tariff: tuple[Period, ...]
    idle_power: tuple[float, ...]
    startup_energy: tuple[float | None, ...]
    peak_power: float | None
    weights: Weights
    ops: tuple[FlatOp, ...]
    job_ops: tuple[tuple[int, ...], ...]
    currency: str = ""  # of money amounts, for reports (optikit.units)

    @property
    def num_machines(self) -> int:
        return len(self.shop.machines)

    @property
    def kwh_per_kw_unit(self) -> float:
        """kWh drawn by one kW over one time unit."""
        return self.time_step / 60.0

    def can_switch_off(self, machine: int) -> bool:
        return self.startup_energy[machine] is not None

    @cached_property
    def price_per_unit(self) -> NDArray[np.float64]:
        """Price per kWh of each time unit 0..horizon-1."""
        return self._per_unit("price")

    @cached_property
    def carbon_per_unit(self) -> NDArray[np.float64]:
        return self._per_unit("carbon")

    def _per_unit(self, attr: str) -> NDArray[np.float64]:
        out = np.zeros(self.horizon, dtype=np.float64)
        for p in self.tariff:
            out[p.start : p.end] = getattr(p, attr)
        return out

    def period_of(self, t: int) -> int:
        """Index of the tariff period containing unit ``t`` (clamped to the horizon)."""
        t = min(max(t, 0), self.horizon - 1)
        for r, p in enumerate(self.tariff):
            if p.start <= t < p.end:
                return r
        raise ValueError(f"unit {t} is outside every tariff period")

    @cached_property
    def machine_modes(self) -> tuple[tuple[tuple[int, int], ...], ...]:
        """Per machine, the (operation, mode index) pairs that may run on it."""
        out: list[list[tuple[int, int]]] = [[] for _ in range(self.num_machines)]
        for g, op in enumerate(self.ops):
            for k, mode in enumerate(op.modes):
                out[mode.machine].append((g, k))
        return tuple(tuple(x) for x in out)

    @cached_property
    def tails(self) -> tuple[int, ...]:
        """Per operation, the least work of its job after it (shortest modes)."""
        tails = [0] * len(self.ops)
        for ops in self.job_ops:
            acc = 0
            for g in reversed(ops):
                tails[g] = acc
                acc += self.ops[g].min_duration
        return tuple(tails)

    @cached_property
    def heads(self) -> tuple[int, ...]:
        """Per operation, its earliest start: release plus shortest predecessors."""
        heads = [0] * len(self.ops)
        for j, ops in enumerate(self.job_ops):
            acc = self.shop.jobs[j].release
            for g in ops:
                heads[g] = acc
                acc += self.ops[g].min_duration
        return tuple(heads)

    def size(self) -> dict[str, int]:
        return {
            "jobs": len(self.shop.jobs),
            "machines": self.num_machines,
            "operations": len(self.ops),
            "modes": sum(len(op.modes) for op in self.ops),
            "horizon": self.horizon,
            "tariff_periods": len(self.tariff),
        }


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidProblem(path, f"must be a finite number, not {value!r}")
    return float(value)


def parse_tariff(doc: Any, horizon: int) -> tuple[Period, ...]:
    """Read ``tariff[]`` and check it tiles ``[0, horizon)`` (no gap, no overlap)."""
    if not isinstance(doc, list) or not doc:
        raise InvalidProblem("tariff", "must be a non-empty list of periods")
    periods: list[tuple[int, Period]] = []
    for i, p in enumerate(doc):
        path = f"tariff[{i}]"
        if not isinstance(p, Mapping):
            raise InvalidProblem(path, "must be a mapping {start, end, price, carbon}")
        for key in ("start", "end", "price"):
            if key not in p:
                raise InvalidProblem(f"{path}.{key}", "is required")
        start, end = p["start"], p["end"]
        for key, v in (("start", start), ("end", end)):
            if isinstance(v, bool) or not isinstance(v, int | float) or int(v) != v or v < 0:
                raise InvalidProblem(f"{path}.{key}", f"must be an integer >= 0, not {v!r}")
        start, end = int(start), int(end)
        if end <= start:
            raise InvalidProblem(f"{path}.end", f"must be greater than start ({start}), is {end}")
        if end > horizon:
            raise InvalidProblem(f"{path}.end", f"{end} is beyond the horizon {horizon}")
        price = _number(p["price"], f"{path}.price")
        carbon = _number(p.get("carbon", 0), f"{path}.carbon")
        for key, v in (("price", price), ("carbon", carbon)):
            if v < 0:
                raise InvalidProblem(f"{path}.{key}", "must be >= 0")
        periods.append((i, Period(start, end, price, carbon, str(p.get("name", "")))))
    periods.sort(key=lambda ip: ip[1].start)
    covered = 0
    for prev, (i, p) in zip([None, *periods[:-1]], periods, strict=True):
        if p.start > covered:
            raise InvalidProblem(
                f"tariff[{i}].start",
                f"gap: time units [{covered}, {p.start}) are not covered by any period",
            )
        if p.start < covered:
            assert prev is not None
            raise InvalidProblem(
                f"tariff[{i}].start",
                f"period [{p.start}, {p.end}) overlaps tariff[{prev[0]}] "
                f"[{prev[1].start}, {prev[1].end})",
            )
        covered = p.end
    if covered < horizon:
        raise InvalidProblem(
            f"tariff[{periods[-1][0]}].end",
            f"gap: time units [{covered}, {horizon}) up to the horizon are not covered",
        )
    return tuple(p for _, p in periods)


def parse_weights(value: Any) -> Weights:
    """The contract's ``objective``: a term name or ``{term: weight}``; default energy cost."""
    if value is None:
        return Weights()
    if isinstance(value, str):
        if value not in OBJECTIVE_TERMS:
            raise InvalidProblem(
                "objective", f"unknown term {value!r}; use one of {', '.join(OBJECTIVE_TERMS)}"
            )
        return Weights(**{t: 1.0 if t == value else 0.0 for t in OBJECTIVE_TERMS})
    if not isinstance(value, Mapping) or not value:
        raise InvalidProblem("objective", "must be a term name or a non-empty {term: weight} map")
    weights: dict[str, float] = dict.fromkeys(OBJECTIVE_TERMS, 0.0)
    for key, w in value.items():
        if key not in OBJECTIVE_TERMS:
            raise InvalidProblem(
                f"objective.{key}", f"unknown term; use one of {', '.join(OBJECTIVE_TERMS)}"
            )
        weights[key] = _number(w, f"objective.{key}")
        if weights[key] < 0:
            raise InvalidProblem(f"objective.{key}", "weight must be >= 0")
    if not any(weights.values()):
        raise InvalidProblem("objective", "at least one weight must be > 0")
    return Weights(**weights)


# The checker and the models keep per-unit profiles: a year of minutes is plenty.
MAX_HORIZON = 600_000


def parse(doc: Mapping[str, Any]) -> EnergyProblem:
    """Document -> :class:`EnergyProblem`; raises :class:`InvalidProblem` with a field path."""
    time_step = _number(doc.get("time_step", 1), "time_step")
    if time_step <= 0:
        raise InvalidProblem("time_step", "must be > 0 (minutes per time unit)")
    shop = parse_shop(doc, parse_step_clock(doc, time_step))
    horizon = doc.get("horizon")
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        raise InvalidProblem("horizon", f"must be an integer >= 1, not {horizon!r}")
    if horizon > MAX_HORIZON:
        raise InvalidProblem(
            "horizon",
            f"{horizon:,} time units is more than optikit handles ({MAX_HORIZON:,}); "
            "use a coarser time_step",
        )
    tariff = parse_tariff(doc.get("tariff"), horizon)

    idle: list[float] = []
    startup: list[float | None] = []
    for i, m in enumerate(shop.machines):
        p = _number(m.raw.get("idle_power", 0), f"machines[{i}].idle_power")
        if p < 0:
            raise InvalidProblem(f"machines[{i}].idle_power", "must be >= 0")
        idle.append(p)
        if m.raw.get("startup_energy") is None:
            startup.append(None)
        else:
            e = _number(m.raw["startup_energy"], f"machines[{i}].startup_energy")
            if e < 0:
                raise InvalidProblem(f"machines[{i}].startup_energy", "must be >= 0")
            startup.append(e)

    ops: list[FlatOp] = []
    job_ops: list[tuple[int, ...]] = []
    for j, job in enumerate(shop.jobs):
        first = len(ops)
        for o, op in enumerate(job.operations):
            modes: list[FlatMode] = []
            for k, mode in enumerate(op.modes):
                path = f"jobs[{j}].operations[{o}].modes[{k}].power"
                if "power" not in mode.raw:
                    raise InvalidProblem(path, "is required")
                power = _number(mode.raw["power"], path)
                if power < idle[mode.machine]:
                    mid = shop.machines[mode.machine].id
                    raise InvalidProblem(
                        path,
                        f"{power:g} kW is below the idle power {idle[mode.machine]:g} kW of "
                        f"machine {mid!r} (processing power includes the idle load)",
                    )
                modes.append(FlatMode(mode.machine, mode.duration, power))
            ops.append(FlatOp(j, o, tuple(modes), op.interruptible))
        job_ops.append(tuple(range(first, len(ops))))

    peak = doc.get("peak_power")
    peak_power = None if peak is None else _number(peak, "peak_power")
    if peak_power is not None and peak_power < 0:
        raise InvalidProblem("peak_power", "must be >= 0")
    return EnergyProblem(
        shop=shop,
        time_step=time_step,
        horizon=horizon,
        tariff=tariff,
        idle_power=tuple(idle),
        startup_energy=tuple(startup),
        peak_power=peak_power,
        weights=parse_weights(doc.get("objective")),
        ops=tuple(ops),
        job_ops=tuple(job_ops),
        currency=currency_of(doc),
    )
