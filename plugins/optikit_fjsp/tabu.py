"""Tabu search on the critical path, for pure makespan without changeovers.

Why a second improvement method next to the CP-SAT LNS: the LNS makes few, large,
exact moves (a few per second, each a CP-SAT solve), which is what intensification
needs; on long makespan plateaus it stalls.  The classic FJSP tabu search makes
thousands of small moves per second and walks plateaus well.  The two hand the
incumbent back and forth in :mod:`optikit_fjsp.cpsat`.

The method follows Mastrolilli & Gambardella (J. Scheduling 3, 2000), simplified:

- a solution is a machine assignment plus a sequence per machine; start times are the
  earliest ones (heads ``r``), tails ``q`` are the longest paths to the end;
- a move takes one critical operation ``v`` (``r + p + q = makespan``) and re-inserts it
  on any machine it may use, at any position between ``u`` and ``w``;
- moves are rated without rescheduling by the longest path through ``v`` after the move,
  ``max(r[JP]+p[JP], r[u]+p[u]) + p'(v) + max(p[JS]+q[JS], p[w]+q[w])`` (heads and tails
  of the current graph stand in for those without ``v``, as in their approximate
  evaluation), then the chosen move is applied and the schedule recomputed exactly;
- a position is used only when it cannot close a cycle: ``r[u] < r[JS]`` and
  ``q[w] < q[JP]`` are sufficient (with positive durations, a path ``JS -> u`` would
  force ``r[u] >= r[JS]``, and a path ``w -> JP`` would force ``q[w] >= q[JP]``);
- the tabu list forbids putting ``v`` back behind its old machine predecessor for a
  random tenure; a tabu move is allowed when it would beat the best makespan
  (aspiration); after a long stretch without improvement the search restarts from the
  best schedule.
"""

from __future__ import annotations

import itertools
import random
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from typing import Protocol

from optikit_fjsp.incumbent import SharedIncumbent
from optikit_fjsp.model import FjspProblem, FlatShop
from optikit_fjsp.timetable import Solution, machine_sequences


def applicable(problem: FjspProblem) -> bool:
    """Pure makespan, no changeovers, positive durations (the rules above rely on them)."""
    if not problem.objective.is_makespan or problem.has_setups:
        return False
    return all(d > 0 for modes in problem.flat.modes for _m, d in modes)


class TabuSearch:
    """State of one tabu walk; :meth:`run` advances it."""

    def __init__(self, flat: FlatShop, start: Solution, rng: random.Random) -> None:
        self.flat = flat
        self.rng = rng
        n = flat.num_ops
        self.n = n
        self.jp = [flat.prev_op(g) for g in range(n)]
        self.js = [flat.next_op(g) for g in range(n)]
        self.release = [
            flat.release[flat.op_job[g]] if flat.op_index[g] == 0 else 0 for g in range(n)
        ]
        self.iteration = 0
        self.tabu: dict[tuple[int, int, int], int] = {}
        # Tenure drawn from [base, 2 base]; restart from the best after this many
        # iterations without a new best.
        self.tenure_base = 20 + n // 20
        self.restart_iterations = 2000
        self.perturbation = 0  # random moves applied after each restart
        # Elite restarts: keep this many good, distinct schedules met on the walk and
        # restart from one of them (instead of the best) with probability elite_share.
        self.elite_size = 0
        self.elite_share = 0.5
        self.elite: list[tuple[int, int, Solution]] = []  # (cmax, -arrival, schedule)
        # Candidates: the operations of one random critical path (True) or every
        # critical operation (False).
        self.single_path = False
        self._load(start)
        self.best = self.solution()
        self.best_cmax = self.cmax

    # -- state -------------------------------------------------------------------------
    def _load(self, sol: Solution) -> None:
        flat = self.flat
        self.mode = list(sol.modes)
        self.machine = [flat.modes[g][self.mode[g]][0] for g in range(self.n)]
        self.p = [flat.modes[g][self.mode[g]][1] for g in range(self.n)]
        self.seq = [list(s) for s in machine_sequences(flat, sol)]
        self._evaluate()

    def _evaluate(self) -> None:
        """Heads, tails and makespan of the current sequences (Kahn's order)."""
        n, jp, js, p = self.n, self.jp, self.js, self.p
        mp = [-1] * n
        ms = [-1] * n
        for seq in self.seq:
            for a, b in itertools.pairwise(seq):
                mp[b] = a
                ms[a] = b
        indeg = [(jp[g] >= 0) + (mp[g] >= 0) for g in range(n)]
        order = [g for g in range(n) if indeg[g] == 0]
        r = self.release[:]
        cmax = 0
        for g in order:  # the list grows while it is walked: Kahn's queue
            end = r[g] + p[g]
            if end > cmax:
                cmax = end
            h = js[g]
            if h >= 0:
                if end > r[h]:
                    r[h] = end
                indeg[h] -= 1
                if indeg[h] == 0:
                    order.append(h)
            h = ms[g]
            if h >= 0:
                if end > r[h]:
                    r[h] = end
                indeg[h] -= 1
                if indeg[h] == 0:
                    order.append(h)
        if len(order) != n:  # pragma: no cover - the move rules exclude cycles
            raise RuntimeError("tabu search produced a cyclic schedule")
        q = [0] * n
        for g in reversed(order):
            t = 0
            a = js[g]
            if a >= 0:
                t = p[a] + q[a]
            b = ms[g]
            if b >= 0 and p[b] + q[b] > t:
                t = p[b] + q[b]
            q[g] = t
        self.r, self.q, self.mp, self.ms = r, q, mp, ms
        self.cmax = cmax

    def restart_from(self, sol: Solution) -> None:
        """Continue the walk from ``sol`` (kept as best if it is better)."""
        self._load(sol)
        self.tabu.clear()
        if self.cmax < self.best_cmax:
            self.best, self.best_cmax = self.solution(), self.cmax

    def solution(self) -> Solution:
        return Solution(tuple(self.mode), tuple(self.r))

    # -- moves -------------------------------------------------------------------------
    def _best_move(self) -> tuple[int, int, int, int] | None:
        """(estimate, op, mode, insert position) of the best admissible move.

        Along a machine sequence heads strictly increase and tails strictly decrease,
        so the cycle-free positions form one contiguous range, found by bisection: it
        starts after the last ``w`` with ``q[w] >= q[JP]`` and ends before the first
        ``u`` with ``r[u] >= r[JS]``.
        """
        flat, r, q, p = self.flat, self.r, self.q, self.p
        cmax = self.cmax
        it = self.iteration
        tabu = self.tabu
        best_cmax = self.best_cmax
        inf = 1 << 60
        best_value = inf
        best: tuple[int, int, int, int] | None = None
        ties = 0
        rng = self.rng
        # Per machine: heads, -tails, end times r+p and "p+q" of its sequence.
        views: dict[int, tuple[list[int], list[int], list[int], list[int]]] = {}
        if self.single_path:
            candidates = self._critical_path()
        else:
            candidates = [v for v in range(self.n) if r[v] + p[v] + q[v] == cmax]
        for v in candidates:
            a, b = self.jp[v], self.js[v]
            head = self.release[v]
            if a >= 0 and r[a] + p[a] > head:
                head = r[a] + p[a]
            tail = p[b] + q[b] if b >= 0 else 0
            r_js = r[b] if b >= 0 else inf
            q_jp = q[a] if a >= 0 else inf
            own = self.machine[v]
            for k, (m, d) in enumerate(flat.modes[v]):
                view = views.get(m)
                if view is None:
                    seq = self.seq[m]
                    view = (
                        [r[x] for x in seq],
                        [-q[x] for x in seq],
                        [r[x] + p[x] for x in seq],
                        [p[x] + q[x] for x in seq],
                    )
                    views[m] = view
                heads, neg_tails, ends, rests = view
                seq = self.seq[m]
                own_pos = -1
                if m == own:
                    own_pos = seq.index(v)
                    cut = own_pos + 1
                    seq = seq[:own_pos] + seq[cut:]
                    heads = heads[:own_pos] + heads[cut:]
                    neg_tails = neg_tails[:own_pos] + neg_tails[cut:]
                    ends = ends[:own_pos] + ends[cut:]
                    rests = rests[:own_pos] + rests[cut:]
                length = len(seq)
                lo = bisect_right(neg_tails, -q_jp)  # first w with q[w] < q[JP]
                hi = bisect_left(heads, r_js)  # first u with r[u] >= r[JS]
                for i in range(lo, hi + 1):
                    left = ends[i - 1] if i > 0 and ends[i - 1] > head else head
                    if left + d + tail > best_value:
                        break  # ends only grow along the machine: no later i is better
                    right = rests[i] if i < length and rests[i] > tail else tail
                    value = left + d + right
                    if value > best_value or i == own_pos:
                        continue
                    if value >= best_cmax:
                        u = seq[i - 1] if i > 0 else -1
                        if tabu.get((v, m, u), -1) > it:
                            continue
                    if value < best_value:
                        best_value, best, ties = value, (value, v, k, i), 1
                    else:
                        ties += 1
                        if rng.randrange(ties) == 0:
                            best = (value, v, k, i)
        return best

    def _critical_path(self) -> list[int]:
        """One critical path, from a random source to the end, random at branchings.

        Every critical operation lies on some longest path; a move can only shorten the
        makespan if it cuts all of them, so the classic neighbourhoods (N7, Mastrolilli
        and Gambardella) work on one path: fewer candidates per iteration, and the random
        choice of path varies the neighbourhood from one iteration to the next.
        """
        r, p, q, cmax = self.r, self.p, self.q, self.cmax
        rng = self.rng
        sources = [
            g
            for g in range(self.n)
            if r[g] == self.release[g] and r[g] + p[g] + q[g] == cmax
            and not self._tight_pred(g)
        ]
        if not sources:  # pragma: no cover - a longest path always has a first operation
            return [g for g in range(self.n) if r[g] + p[g] + q[g] == cmax]
        g = rng.choice(sources)
        path = [g]
        while True:
            end = r[g] + p[g]
            nxt = [
                h
                for h in (self.js[g], self.ms[g])
                if h >= 0 and r[h] == end and end + p[h] + q[h] == cmax
            ]
            if not nxt:
                return path
            g = nxt[0] if len(nxt) == 1 else rng.choice(nxt)
            path.append(g)

    def _tight_pred(self, g: int) -> bool:
        """A predecessor ends exactly when ``g`` starts, on a longest path."""
        r, p, q, cmax = self.r, self.p, self.q, self.cmax
        for a in (self.jp[g], self.mp[g]):
            if a >= 0 and r[a] + p[a] == r[g] and r[a] + p[a] + q[a] == cmax:
                return True
        return False

    def _apply(self, v: int, k: int, position: int, tenure: int) -> None:
        m_old = self.machine[v]
        old_seq = self.seq[m_old]
        i_old = old_seq.index(v)
        u_old = old_seq[i_old - 1] if i_old > 0 else -1
        self.tabu[(v, m_old, u_old)] = self.iteration + tenure
        old_seq.pop(i_old)
        m, d = self.flat.modes[v][k]
        self.seq[m].insert(position, v)
        self.mode[v] = k
        self.machine[v] = m
        self.p[v] = d
        self._evaluate()

    # -- driver ------------------------------------------------------------------------
    def run(
        self,
        deadline: float,
        *,
        stall_iterations: int | None = None,
        restart_iterations: int | None = None,
        stop: Callable[[], bool] | None = None,
        on_improve: Callable[[Solution, int], None] | None = None,
        max_iterations: int | None = None,
        incumbent: SharedIncumbent | None = None,
    ) -> Solution:
        """Walk until the deadline, ``stop()``, or ``stall_iterations`` without a new best.

        After ``restart_iterations`` without a new best the walk goes back to the best
        schedule (from the shared ``incumbent`` when another method found a better one);
        new bests are offered to ``incumbent``.
        """
        base = self.tenure_base
        restart_iterations = restart_iterations or self.restart_iterations
        since_best = 0
        since_restart = 0
        while time.monotonic() < deadline:
            if stop is not None and self.iteration % 16 == 0 and stop():
                break
            if max_iterations is not None and self.iteration >= max_iterations:
                break
            move = self._best_move()
            self.iteration += 1
            if move is None:  # every move tabu: forget the list
                self.tabu.clear()
                continue
            _est, v, k, pos = move
            self._apply(v, k, pos, self.rng.randint(base, 2 * base))
            since_best += 1
            since_restart += 1
            if self.elite_size and (
                len(self.elite) < self.elite_size or self.cmax < self.elite[-1][0]
            ):
                self._remember()
            if self.cmax < self.best_cmax:
                note_new_best(self, on_improve, incumbent)
                since_best = since_restart = 0
            elif stall_iterations is not None and since_best >= stall_iterations:
                break
            elif since_restart >= restart_iterations:
                # Intensify: back to the best schedule with a fresh tabu list.
                if take_shared_best(self, incumbent):
                    since_best = 0
                restart = self.best
                if self.elite and self.rng.random() < self.elite_share:
                    restart = self.rng.choice(self.elite)[2]
                self._load(restart)
                self.tabu.clear()
                self.perturb(self.perturbation)
                since_restart = 0
        return self.best

    def _remember(self) -> None:
        """Keep the current schedule among the elite (distinct, best first, newest first)."""
        sol = self.solution()
        if any(e[2].starts == sol.starts and e[2].modes == sol.modes for e in self.elite):
            return
        self.elite.append((self.cmax, -self.iteration, sol))
        self.elite.sort(key=lambda e: (e[0], e[1]))
        del self.elite[self.elite_size :]

    def perturb(self, moves: int) -> None:
        """A few random cycle-free critical moves, whatever they cost (diversification)."""
        for _ in range(moves):
            options = self._admissible_moves()
            if not options:
                return
            v, k, position = self.rng.choice(options)
            self._apply(v, k, position, 0)

    def _admissible_moves(self) -> list[tuple[int, int, int]]:
        return admissible_moves(self.flat, self.jp, self.js, self.r, self.q, self.p,
                                self.cmax, self.machine, self.seq)


def admissible_moves(flat: FlatShop, jp: Sequence[int], js: Sequence[int],
                     r: Sequence[int], q: Sequence[int], p: Sequence[int], cmax: int,
                     machine: Sequence[int], seqs: Sequence[Sequence[int]]
                     ) -> list[tuple[int, int, int]]:
    """Every cycle-free (op, mode, position) re-insertion of a critical operation
    (positions index the machine's sequence without the operation)."""
    out = []
    inf = 1 << 60
    for v in range(len(jp)):
        if r[v] + p[v] + q[v] != cmax:
            continue
        a, b = int(jp[v]), int(js[v])
        r_js = r[b] if b >= 0 else inf
        q_jp = q[a] if a >= 0 else inf
        for k, (m, _d) in enumerate(flat.modes[v]):
            seq = [int(x) for x in seqs[m]]
            own_pos = -1
            if m == machine[v]:
                own_pos = seq.index(v)
                seq = seq[:own_pos] + seq[own_pos + 1 :]
            for i in range(len(seq) + 1):
                if i > 0 and r[seq[i - 1]] >= r_js:
                    break
                if i < len(seq) and q[seq[i]] >= q_jp:
                    continue
                if i != own_pos:
                    out.append((v, k, i))
    return out


def note_new_best(walk: Walk, on_improve: Callable[[Solution, int], None] | None,
                  incumbent: SharedIncumbent | None) -> None:
    """The walk's current schedule becomes its best, and is announced."""
    walk.best_cmax = walk.cmax
    walk.best = walk.solution()
    if on_improve is not None:
        on_improve(walk.best, walk.best_cmax)
    if incumbent is not None:
        incumbent.offer(walk.best, walk.best_cmax, "tabu")


def take_shared_best(walk: Walk, incumbent: SharedIncumbent | None) -> bool:
    """Another method's better schedule becomes the walk's best (True if there was one)."""
    if incumbent is None:
        return False
    shared, value, _version = incumbent.snapshot()
    if value >= walk.best_cmax:
        return False
    walk.best, walk.best_cmax = shared, int(value)
    return True


class Walk(Protocol):
    """What the callers use of a walk (the reference one or the compiled one)."""

    iteration: int
    cmax: int
    best: Solution
    best_cmax: int
    perturbation: int

    def run(self, deadline: float, *, stall_iterations: int | None = None,
            restart_iterations: int | None = None, stop: Callable[[], bool] | None = None,
            on_improve: Callable[[Solution, int], None] | None = None,
            max_iterations: int | None = None,
            incumbent: SharedIncumbent | None = None) -> Solution: ...

    def restart_from(self, sol: Solution) -> None: ...

    def solution(self) -> Solution: ...

    def perturb(self, moves: int) -> None: ...


def new_walk(flat: FlatShop, start: Solution, rng: random.Random,
             compiled: bool = True) -> Walk:
    """A walk from ``start``: the compiled one (:mod:`optikit_fjsp.tabu_fast`) when numba
    is installed and ``compiled`` holds, else this module's reference walk.

    Both have the interface of :class:`TabuSearch`; settings only the reference supports
    (``single_path``, ``elite_size``) need ``compiled=False``.
    """
    from optikit_fjsp import tabu_fast, tabu_kernel

    if compiled and tabu_kernel.COMPILED and flat.num_ops <= tabu_fast.MAX_OPERATIONS:
        return tabu_fast.CompiledTabuSearch(flat, start, rng)
    return TabuSearch(flat, start, rng)
