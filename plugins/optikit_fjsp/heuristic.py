"""Constructive schedules by dispatching rules (the fast, always-available answer).

Method: the Giffler-Thompson active-schedule generation scheme, extended to flexible
machines and sequence-dependent setups.  At each step the (operation, mode) pair with the
earliest possible completion ``c*`` fixes a machine ``m*``; every waiting operation that
could start on ``m*`` before ``c*`` is in conflict, and a priority rule picks which one
goes next.  Generating only active schedules keeps the optimum reachable in principle,
and the earliest-completion machine choice is what makes dispatching competitive on
flexible shops (Brandimarte 1993; Pezzella, Morganti & Ciaschetti 2008 use the same
family of rules to seed their genetic algorithm).

Several classic rules are tried (most work remaining, most operations remaining,
shortest processing time, earliest due date, minimum slack, apparent tardiness cost with
several look-aheads), then randomised restarts of the better ones (rule value x random
noise) until the time budget is spent.  On tardiness objectives the restarts pay off for
seconds: on the fresh shops of issue #20, ten seconds of them beat a whole minute of LNS
(the caller gives them a share of the run, see ``dispatch_share`` in
:mod:`optikit_fjsp.cpsat`).  Runs are reproducible for a given seed, except for how many restarts
fit in the budget.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable

from optikit_fjsp.model import FjspProblem, FlatShop
from optikit_fjsp.timetable import Solution, objective_value

# A priority: (job, its waiting operation, duration on m*, start on m*, state) -> value,
# larger goes first.
Priority = Callable[[int, int, int, int, "_State"], float]


class _State:
    """What a priority rule may look at: time, remaining work and due dates."""

    def __init__(self, flat: FlatShop) -> None:
        self.flat = flat
        self.min_dur = [min(d for _m, d in modes) for modes in flat.modes]
        self.mean_dur = [sum(d for _m, d in modes) / len(modes) for modes in flat.modes]
        self.remaining = [sum(self.mean_dur[g] for g in ops) for ops in flat.job_ops]
        self.ops_left = [len(ops) for ops in flat.job_ops]
        total = sum(self.mean_dur)
        self.mean_op = total / max(1, flat.num_ops)


def _mwkr(j: int, g: int, d: int, st: int, s: _State) -> float:
    return s.remaining[j]


def _mopnr(j: int, g: int, d: int, st: int, s: _State) -> float:
    return s.ops_left[j] + s.remaining[j] / (1.0 + s.remaining[j] * 10.0)


def _spt(j: int, g: int, d: int, st: int, s: _State) -> float:
    return -d


def _mwkr_over_spt(j: int, g: int, d: int, st: int, s: _State) -> float:
    return s.remaining[j] / max(1, d)


def _edd(j: int, g: int, d: int, st: int, s: _State) -> float:
    due = s.flat.due[j]
    return -(due if due is not None else 1e12)


def _min_slack(j: int, g: int, d: int, st: int, s: _State) -> float:
    due = s.flat.due[j]
    if due is None:
        return -1e12
    return -(due - st - s.remaining[j])


def atc_rule(look_ahead: float) -> Priority:
    """Apparent tardiness cost (Vepsalainen & Morton 1987) with look-ahead ``k``.

    ``w / d * exp(-slack / (k * mean duration))``: a small ``k`` serves only the jobs
    about to be late, a large one tends to weighted shortest processing time.  Which
    ``k`` suits a shop depends on how tight its due dates are (on the fresh shops of
    issue #20 the best pass was k = 5, 5 and 3 for 300, 600 and 1,200 operations, and
    the former fixed k = 2 was 10 % worse on each), so several are tried.
    """

    def rule(j: int, g: int, d: int, st: int, s: _State) -> float:
        due = s.flat.due[j]
        if due is None:
            return 0.0
        slack = max(0.0, due - st - s.remaining[j])
        return s.flat.weight[j] / max(1, d) * math.exp(-slack / (look_ahead * s.mean_op))

    return rule


ATC_LOOK_AHEADS = (2.0, 1.0, 3.0, 5.0, 8.0)


MAKESPAN_RULES: dict[str, Priority] = {
    "mwkr": _mwkr,
    "mopnr": _mopnr,
    "mwkr/spt": _mwkr_over_spt,
    "spt": _spt,
}
TARDINESS_RULES: dict[str, Priority] = {
    **{f"atc k={k:g}": atc_rule(k) for k in ATC_LOOK_AHEADS},
    "min-slack": _min_slack,
    "edd": _edd,
}


def dispatch(
    flat: FlatShop, rule: Priority, rng: random.Random | None = None, noise: float = 0.0
) -> Solution:
    """One Giffler-Thompson pass with the given rule (and optional multiplicative noise).

    Each waiting operation's earliest start per mode is cached and recomputed only when
    its job advances or one of its machines takes an operation, which keeps a pass over
    a 1,200-operation shop at a small fraction of a second.
    """
    state = _State(flat)
    n_jobs = flat.num_jobs
    pos = [0] * n_jobs
    job_ready = list(flat.release)
    mach_ready = [0] * flat.num_machines
    mach_last = [-1] * flat.num_machines
    modes = [0] * flat.num_ops
    starts = [0] * flat.num_ops
    setup = flat.setup
    product = flat.product
    active = {j for j in range(n_jobs) if flat.job_ops[j]}
    # Jobs whose waiting operation may run on each machine.
    waiting_on: list[set[int]] = [set() for _ in range(flat.num_machines)]
    # Per job: [(mode index, machine, duration, earliest start)] of its waiting operation.
    options: dict[int, list[tuple[int, int, int, int]]] = {}
    earliest: dict[int, tuple[int, int]] = {}  # job -> (earliest completion, machine)

    def refresh(j: int) -> None:
        g = flat.job_ops[j][pos[j]]
        jr = job_ready[j]
        opts = []
        best = (math.inf, -1)
        for k, (m, d) in enumerate(flat.modes[g]):
            st = mach_ready[m]
            table = setup[m]
            if table is not None and mach_last[m] >= 0:
                pa, pb = product[mach_last[m]], product[j]
                if pa >= 0 and pb >= 0:
                    st += table[pa][pb]
            if jr > st:
                st = jr
            opts.append((k, m, d, st))
            if st + d < best[0]:
                best = (st + d, m)
        options[j] = opts
        earliest[j] = best  # type: ignore[assignment]

    def enter(j: int) -> None:
        for _k, m in ((k, m) for k, (m, _d) in enumerate(flat.modes[flat.job_ops[j][pos[j]]])):
            waiting_on[m].add(j)
        refresh(j)

    def leave(j: int) -> None:
        for m, _d in flat.modes[flat.job_ops[j][pos[j]]]:
            waiting_on[m].discard(j)

    for j in active:
        enter(j)
    while active:
        best_ct, m = min(earliest[j] for j in active)
        pick = None
        pick_key: tuple[float, int, int] = (-math.inf, 0, 0)
        for j in waiting_on[m]:
            g = flat.job_ops[j][pos[j]]
            for k, mm, d, st in options[j]:
                # The conflict set: operations that could start before best_ct ends, and
                # a zero-duration operation starting at best_ct (which may define it).
                if mm != m or st > best_ct or (st == best_ct and d > 0):
                    continue
                value = rule(j, g, d, st, state)
                if rng is not None and noise > 0:
                    value = value * (1.0 + noise * rng.random()) + noise * rng.random()
                # Ties: the earlier start, then the shorter duration.
                key = (value, -st, -d)
                if pick is None or key > pick_key:
                    pick, pick_key = (j, g, k, st, d), key
        assert pick is not None  # the pair that defined best_ct is always in conflict
        j, g, k, st, d = pick
        modes[g] = k
        starts[g] = st
        mach_ready[m] = st + d
        mach_last[m] = j
        job_ready[j] = st + d
        state.remaining[j] -= state.mean_dur[g]
        state.ops_left[j] -= 1
        leave(j)
        pos[j] += 1
        if pos[j] == len(flat.job_ops[j]):
            active.discard(j)
            del earliest[j]
        else:
            enter(j)
        for other in waiting_on[m]:
            if other != j:
                refresh(other)
    return Solution(tuple(modes), tuple(starts))


MAX_RESTARTS = 400


def construct(
    problem: FjspProblem,
    budget: float = 0.3,
    seed: int = 0,
    max_restarts: int = MAX_RESTARTS,
    stop: threading.Event | None = None,
) -> Solution:
    """The best schedule found by the rules and randomised restarts within ``budget`` s.

    Restarts stop early after ``max_restarts`` (small instances need far fewer than the
    budget allows) or once ``stop`` is set (Ctrl-C).
    """
    flat = problem.flat
    deadline = time.monotonic() + budget
    # Rules for the objective's main term first: on a large shop the budget may end
    # before every rule had its pass.
    if problem.objective.uses_tardiness:
        rules = {**TARDINESS_RULES, **MAKESPAN_RULES}
    else:
        rules = dict(MAKESPAN_RULES)
    scored: list[tuple[float, str]] = []
    best: Solution | None = None
    best_value = math.inf
    for name, rule in rules.items():
        sol = dispatch(flat, rule)
        value = objective_value(problem, sol)
        scored.append((value, name))
        if value < best_value:
            best, best_value = sol, value
        if time.monotonic() > deadline and best is not None:
            return best
    scored.sort()
    # Tardiness: three rules (ATC look-aheads close in value differ in which restarts win).
    top = [rules[name] for _v, name in scored[: 3 if problem.objective.uses_tardiness else 2]]
    rng = random.Random(seed)
    restart = 0
    while restart < max_restarts and time.monotonic() < deadline:
        if stop is not None and stop.is_set():
            break
        rule = top[restart % len(top)]
        sol = dispatch(flat, rule, rng, noise=rng.choice((0.1, 0.3, 1.0)))
        value = objective_value(problem, sol)
        if value < best_value:
            best, best_value = sol, value
        restart += 1
    assert best is not None
    return best
