"""The frame of an LNS sub-model: what an LNS step keeps of the incumbent.

Why: cloning the full interval model and fixing most of it costs CP-SAT's presolve of
the whole model on every step (large-1: 29,000 variables, 0.5-1.7 s before the search
starts), so the LNS made only 7-20 steps a minute.  A step instead builds a model of its
own (:class:`~optikit_energy.cpsat_model.EnergyCpModel` with a :class:`Frame`) in which

- every operation outside the neighbourhood is frozen: its one mode, its start and end
  (one cost piece, no mode choice), and it may only follow the frozen operation before
  it on its machine when both are frozen (the circuit arcs between frozen operations
  collapse to their sequence); its machine's idle time or switch-on before it starts after
  that frozen operation's end (which cuts the price pieces of the switch-on time);
- a freed operation keeps all its modes but may only start after the frozen operations
  before it in its job and end before the frozen ones after it (shortest work in
  between), which cuts its cost pieces to the tariff periods of that window.

Every operation stays in the sub-model, so its objective is the full model's and its
solution is a whole schedule: stitching is reading it back.  The machines' switching
decisions stay free (they are few once the operations are frozen).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from optikit.scheduling import ScheduledOperation
from optikit.types import Status
from optikit_energy import cpsat_solutions as solutions
from optikit_energy.cpsat_model import BuildStopped, EnergyCpModel
from optikit_energy.model import EnergyProblem, Infeasible
from optikit_energy.run import FAST_PRESOLVE, Incumbent, Run, complete_hint, priced


@dataclass
class Frame:
    """Per operation its time window and allowed modes; frozen ones have a fixed start."""

    windows: dict[int, tuple[int, int]] = field(default_factory=dict)  # (start >=, end <=)
    modes: dict[int, int] = field(default_factory=dict)  # frozen op -> its mode
    starts: dict[int, int] = field(default_factory=dict)  # frozen op -> its start
    next_frozen: dict[int, int | None] = field(default_factory=dict)  # on its machine
    previous_end: dict[int, int] = field(default_factory=dict)  # of the frozen one before

    def window(self, g: int, lo: int, hi_end: int) -> tuple[int, int]:
        """``[lo, hi_end]`` narrowed to the operation's window in this frame."""
        a, b = self.windows.get(g, (lo, hi_end))
        return max(lo, a), min(hi_end, b)

    def allows(self, g: int, k: int) -> bool:
        """May operation ``g`` run in mode ``k``?"""
        return self.modes.get(g, k) == k

    def idle_floor(self, g: int) -> int:
        """The earliest time a frozen operation's machine may be idle or switched on before
        it: whatever precedes it there ends after the frozen operation before it."""
        return self.previous_end.get(g, 0)

    def may_follow(self, a: int, b: int) -> bool:
        """May ``b`` directly follow ``a`` on a machine? Two frozen operations only in
        their incumbent order, with no frozen one between them."""
        if a in self.next_frozen and b in self.next_frozen:
            return self.next_frozen[a] == b
        return True


def frame_of(problem: EnergyProblem, schedule: list[ScheduledOperation],
             free: Iterable[int]) -> Frame:
    """The frame that frees the operations ``free`` of ``schedule`` and freezes the rest."""
    released = set(free)
    by_op = {problem.job_ops[s.job][s.operation]: s for s in schedule}
    frame = Frame()
    for g, s in by_op.items():
        if g not in released:
            frame.windows[g] = (s.start, s.end)
            frame.modes[g] = s.mode
            frame.starts[g] = s.start
    for ops in problem.job_ops:
        _free_windows(problem, ops, by_op, released, frame)
    on_machine: dict[int, list[ScheduledOperation]] = {}
    for g in frame.starts:
        on_machine.setdefault(by_op[g].machine, []).append(by_op[g])
    for ops_on in on_machine.values():
        ops_on.sort(key=lambda s: (s.start, s.end))
        ids = [problem.job_ops[s.job][s.operation] for s in ops_on]
        for i, g in enumerate(ids):
            frame.next_frozen[g] = ids[i + 1] if i + 1 < len(ids) else None
            if i > 0:
                frame.previous_end[g] = ops_on[i - 1].end
    return frame


def _free_windows(problem: EnergyProblem, ops: tuple[int, ...],
                  by_op: dict[int, ScheduledOperation], released: set[int],
                  frame: Frame) -> None:
    """Windows of a job's freed operations between its frozen ones (shortest modes)."""
    earliest = problem.shop.jobs[problem.ops[ops[0]].job].release
    lows: dict[int, int] = {}
    for g in ops:
        if g in released:
            lows[g] = earliest
            earliest += problem.ops[g].min_duration
        else:
            earliest = by_op[g].end
    latest = problem.horizon
    for g in reversed(ops):
        if g in released:
            frame.windows[g] = (lows[g], latest)
            latest -= problem.ops[g].min_duration
        else:
            latest = by_op[g].start


def sub_solve(run: Run, best: Incumbent, free: set[int], limit: float,
              workers: int | None, seconds: dict[str, float]) -> tuple[Incumbent | None, bool]:
    """One LNS step on a sub-model that frees ``free``: the better incumbent it finds (or
    None), and whether CP-SAT finished the sub-problem (optimal or infeasible).  Adds
    where its time went to ``seconds`` (build, hint, search)."""
    problem = run.problem
    began = time.monotonic()

    def lap(stage: str) -> None:
        nonlocal began
        now = time.monotonic()
        seconds[stage] = seconds.get(stage, 0.0) + now - began
        began = now

    try:
        sub = EnergyCpModel(problem, should_stop=run.ctx.expired,
                            frame=frame_of(problem, best.schedule, free))
    except (BuildStopped, Infeasible):
        return None, False
    lap("build")
    # The incumbent as a complete hint of the sub-model (its auxiliaries solved with its
    # decisions fixed: a small solve), so CP-SAT starts from it.
    hint = complete_hint(run, sub, best, limit)
    lap("hint")
    if hint is None:
        return None, False
    # Machines no freed operation can use keep their switching decisions (their own
    # optimum does not depend on the step, and proving it again costs the search).
    solutions.fix(sub.model, hint, solutions.switching_indices(sub, free))
    solutions.set_hint(sub.model, hint)
    result = run.backend.solve(sub.model, run.ctx, time_limit=limit, report_progress=False,
                               workers=workers, objective_scale=sub.objective_scale,
                               parameters=FAST_PRESOLVE)
    lap("search")
    finished = result.status in (Status.OPTIMAL, Status.INFEASIBLE)
    margin = 1e-9 * max(1.0, abs(best.objective))
    if not result.status.has_solution or result.objective is None or (
        result.objective >= best.objective - margin
    ):
        return None, finished
    schedule, switch_on, objective = priced(problem, sub, result)
    if objective >= best.objective - margin:
        return None, finished
    return Incumbent(schedule, switch_on, objective, "lns"), finished
