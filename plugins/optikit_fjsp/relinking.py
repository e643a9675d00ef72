"""An elite pool of diverse schedules and path relinking between two of them.

Why: a single tabu walk on mk06/mk10 stagnates (120,000 moves end where 30,000 did),
and restarts from the best or from near-best schedules met on the walk did not help
(``benchmarks/fjsp/README.md``).  The strongest published FJSP local searches combine
tabu search with path relinking (Peng, Lü and Cheng for the job shop; González, Vela
and Varela's scatter search for the flexible one): keep a small pool of good schedules
that differ from each other, walk from one of them (the *initiating* schedule) toward
another (the *guiding* one), and start a short tabu walk from a good schedule half-way.
Such a start shares what the two elites agree on and mixes the rest, which neither
restarts nor random perturbations give.

Representation and distance: a schedule is a mode per operation plus an order of all
operations consistent with job order (by start time); machine sequences are that order
restricted to each machine, so every order gives an acyclic, feasible schedule.  The
distance of two schedules counts the operations in different modes (machines) plus, per
machine, the pairs of operations on it in both schedules that the two run in opposite
orders.

A relinking path changes one thing per step, chosen at random among the remaining ones:
the first place where the two orders differ gets the guide's operation (moved forward;
the operations it jumps are all after it in the guide, so no machine pair moves away
from the guide's order), or an operation of the agreed prefix of the orders takes the
guide's mode (its order against every other operation is then the guide's, so no
inverted pair appears on its new machine).  So no step increases the distance, most
decrease it, and the last step reaches the guide itself.

Measured (``benchmarks/fjsp/README.md``): at 60 s not measurably better than the plain
walk on mk06/mk10 (9 seeds), so ``tabu_relink`` is off by default; with more moves
(60 CPU s of walk alone, or 180 s runs) it ended lower on mk10 in three seeds each, a
lead for longer runs.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from optikit_fjsp.model import FlatShop
from optikit_fjsp.tabu import new_walk
from optikit_fjsp.timetable import Solution, left_shift, makespan


class Incumbent(Protocol):
    """What the search needs of a shared incumbent (in-process or over a pipe)."""

    def offer(self, solution: Solution, value: float, source: str = "") -> bool: ...

    def snapshot(self) -> tuple[Solution, float, int]: ...


def operation_order(flat: FlatShop, sol: Solution) -> list[int]:
    """All operations by start time: consistent with job order and every machine sequence."""
    return sorted(range(flat.num_ops), key=lambda g: (sol.starts[g], sol.end(flat, g), g))


def decode(flat: FlatShop, modes: list[int] | tuple[int, ...], order: list[int]) -> Solution:
    """The semi-active schedule of these modes with machine sequences taken from ``order``."""
    seqs: list[list[int]] = [[] for _ in range(flat.num_machines)]
    for g in order:
        seqs[flat.modes[g][modes[g]][0]].append(g)
    return left_shift(flat, modes, seqs)


def distance(flat: FlatShop, a: Solution, b: Solution) -> int:
    """Operations in different modes + same-machine pairs in opposite orders."""
    different = sum(ma != mb for ma, mb in zip(a.modes, b.modes, strict=True))
    rank_b = {g: i for i, g in enumerate(operation_order(flat, b))}
    on_machine: dict[int, list[int]] = {}
    for g in operation_order(flat, a):
        m = a.machine(flat, g)
        if m == b.machine(flat, g):
            on_machine.setdefault(m, []).append(rank_b[g])
    inversions = 0
    for ranks in on_machine.values():
        for i, x in enumerate(ranks):
            inversions += sum(1 for y in ranks[i + 1 :] if y < x)
    return different + inversions


def relink_path(
    flat: FlatShop, start: Solution, guide: Solution, rng: random.Random
) -> Iterator[tuple[list[int], list[int]]]:
    """Modes and order after each step from ``start`` to ``guide`` that changes the schedule.

    Steps that leave every machine sequence as it was (an operation jumping only
    operations of other machines) are taken but not yielded.  The last item is the
    guide's schedule.
    """
    modes = list(start.modes)
    order = operation_order(flat, start)
    target = operation_order(flat, guide)
    n = flat.num_ops
    prefix = 0  # order[:prefix] == target[:prefix]
    # Operations in the agreed prefix whose mode still differs from the guide's.
    eligible: list[int] = []
    while True:
        while prefix < n and order[prefix] == target[prefix]:
            g = order[prefix]
            if modes[g] != guide.modes[g]:
                eligible.append(g)
            prefix += 1
        if not eligible and prefix == n:
            return
        if eligible and (prefix == n or rng.randrange(len(eligible) + 1) > 0):
            g = eligible.pop(rng.randrange(len(eligible)))
            modes[g] = guide.modes[g]
            yield modes, order
            continue
        g = target[prefix]
        at = order.index(g, prefix)
        machine = flat.modes[g][modes[g]][0]
        jumped = order[prefix:at]
        order[prefix : at + 1] = [g, *jumped]
        if any(flat.modes[h][modes[h]][0] == machine for h in jumped):
            yield modes, order


def relink(
    flat: FlatShop,
    start: Solution,
    guide: Solution,
    rng: random.Random,
    window: tuple[float, float] = (0.25, 0.75),
) -> Solution | None:
    """The best schedule (by makespan) between ``window`` of the path's steps, or None.

    None when the two schedules are a single step apart (nothing lies between them).
    """
    path = [(list(m), list(o)) for m, o in relink_path(flat, start, guide, rng)]
    if len(path) < 2:
        return None
    lo = max(0, int(window[0] * len(path)))
    hi = min(len(path) - 2, max(lo, int(window[1] * len(path))))
    best: Solution | None = None
    best_value = 0
    for modes, order in path[lo : hi + 1]:
        sol = decode(flat, modes, order)
        value = makespan(flat, sol)
        if best is None or value < best_value:
            best, best_value = sol, value
    return best


@dataclass(frozen=True)
class Elite:
    solution: Solution
    cmax: int


class ElitePool:
    """At most ``capacity`` schedules, pairwise at least ``min_distance`` apart.

    A schedule enters when the pool has room or it beats the worst member, and it is
    not too close to any member; a schedule that is too close to some members enters
    only if it beats all of them, and replaces them (so a new best is never lost and
    the pool never holds two near-copies).
    """

    def __init__(
        self, flat: FlatShop, capacity: int, min_distance: int, renew: bool = False
    ) -> None:
        self.flat = flat
        self.renew = renew
        self.capacity = capacity
        self.min_distance = max(1, min_distance)
        self.members: list[Elite] = []

    def __len__(self) -> int:
        return len(self.members)

    @property
    def best(self) -> Elite:
        return min(self.members, key=lambda e: e.cmax)

    @property
    def worst(self) -> Elite:
        return max(self.members, key=lambda e: e.cmax)  # the first (oldest) of equals

    def add(self, solution: Solution, cmax: int) -> bool:
        """Admit ``solution`` under the rule above; True when it entered."""
        close = [
            e for e in self.members if distance(self.flat, solution, e.solution) < self.min_distance
        ]
        if close:
            if any(e.cmax <= cmax for e in close):
                return False
            self.members = [e for e in self.members if e not in close]
        elif len(self.members) >= self.capacity:
            worst = self.worst  # the oldest of the worst: members are kept by age
            if cmax > worst.cmax or (cmax == worst.cmax and not self.renew):
                return False
            self.members.remove(worst)
        self.members.append(Elite(solution, cmax))
        return True


@dataclass
class RelinkSettings:
    """Sizes of the search (defaults from 20 CPU s walks on mk10, see the benchmark README)."""

    pool_size: int = 12
    # Minimum distance between pool members, as a share of the operations.
    min_distance_share: float = 0.05
    # A walk from a relinked schedule ends after this many iterations without a new
    # best of its own; the first walk (from the shared best) after init_stall.
    walk_stall: int = 800
    init_stall: int = 4000
    # Random critical moves that diversify the pool's first members.
    perturbation: int = 12
    # A full pool also takes a distant schedule as good as its worst (replacing the
    # oldest of the worst), so that it keeps moving once its members are all equal.
    renew: bool = True
    # Share of the relinks that go toward the pool's best (the others between two
    # random members).
    toward_best: float = 0.5
    # The compiled walk (numba, :mod:`optikit_fjsp.tabu_fast`) when it is installed.
    compiled: bool = True


class RelinkSearch:
    """Tabu walks from the shared best, then relinking between elites, until stopped."""

    def __init__(
        self,
        flat: FlatShop,
        start: Solution,
        rng: random.Random,
        settings: RelinkSettings | None = None,
    ) -> None:
        self.flat = flat
        self.start = start
        self.rng = rng
        self.settings = settings or RelinkSettings()
        share = self.settings.min_distance_share
        self.pool = ElitePool(
            flat, self.settings.pool_size, int(share * flat.num_ops), self.settings.renew
        )
        self.iteration = 0  # tabu iterations over all walks
        self.best_found_at = 0  # tabu iterations when the best was found
        self.relinks = 0
        self.pool_entries = 0
        self.best = start
        self.best_cmax = makespan(flat, start)

    def _walk(
        self,
        start: Solution,
        deadline: float,
        stop: Callable[[], bool] | None,
        stall: int,
        incumbent: Incumbent | None,
        perturbation: int = 0,
    ) -> tuple[Solution, int]:
        walk = new_walk(self.flat, start, self.rng, compiled=self.settings.compiled)
        if perturbation:
            walk.perturb(perturbation)
            walk.best, walk.best_cmax = walk.solution(), walk.cmax

        def improved(sol: Solution, cmax: int) -> None:
            if cmax < self.best_cmax:
                self.best, self.best_cmax = sol, cmax
                self.best_found_at = self.iteration + walk.iteration
                if incumbent is not None:
                    incumbent.offer(sol, cmax, "tabu")

        try:
            walk.run(
                deadline,
                stop=stop,
                stall_iterations=stall,
                restart_iterations=stall + 1,
                on_improve=improved,
            )
        finally:
            self.iteration += walk.iteration
        return walk.best, walk.best_cmax

    def _take_shared(self, incumbent: Incumbent | None) -> None:
        """A better schedule from another method joins the pool (it beats every member)."""
        if incumbent is None:
            return
        shared, value, _version = incumbent.snapshot()
        if value < self.best_cmax:
            self.best, self.best_cmax = shared, int(value)
            if self.pool.add(shared, int(value)):
                self.pool_entries += 1

    def run(
        self,
        deadline: float,
        *,
        stop: Callable[[], bool] | None = None,
        incumbent: Incumbent | None = None,
        max_iterations: int | None = None,
    ) -> Solution:
        """Search until the deadline, ``stop()`` or ``max_iterations``; returns the best."""
        s = self.settings

        def over() -> bool:
            return (
                time.monotonic() >= deadline
                or (stop is not None and stop())
                or (max_iterations is not None and self.iteration >= max_iterations)
            )

        sol, cmax = self._walk(self.start, deadline, stop, s.init_stall, incumbent)
        self.pool.add(sol, cmax)
        tried: set[tuple[int, int]] = set()
        while not over():
            self._take_shared(incumbent)
            if len(self.pool) < s.pool_size:
                # Fill the pool: a walk from a perturbed copy of a random member.
                origin = self.rng.choice(self.pool.members).solution
                sol, cmax = self._walk(
                    origin, deadline, stop, s.walk_stall, incumbent, s.perturbation
                )
            else:
                first, second = self.rng.sample(self.pool.members, 2)
                if self.rng.random() < s.toward_best:
                    second = self.pool.best
                    if first is second:
                        first = self.rng.choice([e for e in self.pool.members if e is not second])
                key = (hash(first.solution), hash(second.solution))
                if key in tried:
                    # Relinked before: diversify instead, from a perturbed member.
                    sol, cmax = self._walk(
                        first.solution, deadline, stop, s.walk_stall, incumbent, s.perturbation
                    )
                else:
                    tried.add(key)
                    middle = relink(self.flat, first.solution, second.solution, self.rng)
                    self.relinks += 1
                    if middle is None:
                        continue
                    sol, cmax = self._walk(middle, deadline, stop, s.walk_stall, incumbent)
            if self.pool.add(sol, cmax):
                self.pool_entries += 1
        return self.best
