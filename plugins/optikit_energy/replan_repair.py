"""The old energy plan repaired after events: the re-plan's hint and answer of last resort.

The operations come from the kernel's right shift
(:func:`optikit.scheduling.replan_repair.repair`, within the horizon, each where it keeps
the peak cap with the machines off between runs: :class:`PeakGuard`); a switchable
machine is switched on where a run of work starts: a frozen run keeps the old plan's
last switch-on before it (the past cannot change), a re-planned run is switched on at
its first start (at ``now`` or later), or the machine stays on through the gaps
after its first run, whichever costs less.  The plan is used only when the energy checker
and the re-planning rules accept it (:func:`checked`); otherwise the reason is said.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from optikit.scheduling import ScheduledOperation
from optikit.scheduling.replan_repair import repair
from optikit.scheduling.replan_task import remembered
from optikit_energy import replan, switching
from optikit_energy.energy import processing_parts
from optikit_energy.model import EnergyProblem
from optikit_energy.replan import ReplanTask
from optikit_energy.run import evaluate


@dataclass(frozen=True)
class Repaired:
    """A checked repaired plan."""

    schedule: list[ScheduledOperation]
    switch_on: dict[int, list[int]]
    value: float
    payload: dict[str, Any]


class PeakGuard:
    """The plant's power with switchable machines off between runs (machines that stay on
    idle throughout): an operation goes only where it keeps the peak cap."""

    def __init__(self, problem: EnergyProblem) -> None:
        self.p = problem
        always = sum(problem.idle_power[m] for m in range(problem.num_machines)
                     if not problem.can_switch_off(m))
        self.profile = np.full(problem.horizon, always, dtype=np.float64)

    def _draw(self, op: ScheduledOperation) -> float:
        mode = self.p.ops[self.p.job_ops[op.job][op.operation]].modes[op.mode]
        if self.p.can_switch_off(op.machine):
            return mode.power
        return mode.power - self.p.idle_power[op.machine]

    def admit(self, op: ScheduledOperation) -> int | None:
        cap = self.p.peak_power
        if cap is None:
            return None
        draw = self._draw(op)
        for a, b in processing_parts(self.p, op):
            over = np.nonzero(self.profile[max(a, 0):b] + draw > cap + 1e-9)[0]
            if over.size:
                return max(a, 0) + int(over[-1]) + 1
        return None

    def add(self, op: ScheduledOperation) -> None:
        draw = self._draw(op)
        for a, b in processing_parts(self.p, op):
            self.profile[max(a, 0):b] += draw


def switch_ons(task: ReplanTask, schedule: Sequence[ScheduledOperation], stay_on: bool = False
               ) -> dict[int, list[int]]:
    """Switch-ons of every switchable machine: past ones for frozen runs, else at the run
    (``stay_on``: a machine already on stays on through later gaps)."""
    p = task.problem
    now = task.situation.now
    out: dict[int, list[int]] = {}
    for m, machine in enumerate(p.shop.machines):
        if not p.can_switch_off(m):
            continue
        past = task.past_switch_on.get(machine.id, ())
        times: list[int] = []
        prev_end: int | None = None
        for s in sorted((s for s in schedule if s.machine == m), key=lambda s: s.start):
            if prev_end is None or s.start > prev_end:
                if s.start < now:  # frozen: the machine was switched on then
                    before = [t for t in past if t <= s.start]
                    if before and (not times or before[-1] > times[-1]):
                        times.append(before[-1])
                elif not (stay_on and times):
                    times.append(s.start)
            prev_end = s.end if prev_end is None else max(prev_end, s.end)
        out[m] = times
    return switching.normalize(p, schedule, out)


def checked(task: ReplanTask) -> Repaired | str:
    """The repaired plan if the checks accept it, else why not (one line); worked out once
    per task."""
    return remembered(task, "repaired", lambda: _checked(task))


def _checked(task: ReplanTask) -> Repaired | str:
    p = task.problem
    schedule = repair(p.shop, task.situation, p.horizon, PeakGuard(p))
    if schedule is None:
        return "no repaired old plan: an operation fits nowhere before the horizon within " \
               "the peak cap"
    best: Repaired | str = "no switching policy"
    for stay_on in (False, True):  # off in every gap (least power), on through them
        switch_on = switch_ons(task, schedule, stay_on)
        payload, _figures = switching.build_payload(p, schedule, switch_on)
        report = replan.check(task, payload)
        if not report.feasible:
            v = report.violations[0]
            if isinstance(best, str):
                best = f"the repaired old plan breaks {v.constraint}: {v.message}"
            continue
        value = evaluate(p, schedule, switch_on)
        if isinstance(best, str) or value < best.value:
            best = Repaired(schedule, switch_on, value, payload)
    return best
