"""Best-swap local search with numpy: one car against every other car at once.

The pure-Python search (:mod:`optikit_carseq.localsearch`) prices one move per try,
a few thousand a second; on a 1,000-car line with 8 options and 10 colours that left
50-60 high-priority violations after 10 s.  Here one try takes a car ``a`` from a
violated window and prices its swap with *every* other car in a few array operations,
then makes the best one (a steepest move for ``a``).

Why that is exact and cheap: a swap changes a window's count only when the window holds
exactly one of the two positions, and then by ``flags[k_b] - flags[k_a]``, i.e. by +-1.
So with, per ratio and window start ``s``, the cost of one car more (``up[s]``) and one
car fewer (``down[s]``), the change is two interval sums over window starts (those that
hold ``a`` but not ``b``, and those that hold ``b`` but not ``a``), read from prefix
sums for every ``b`` together.  The ratios are the same as in the pure-Python search:
every option with a weight, and the paint batch limit ``B`` as ``B in B+1`` per colour
at a price above every soft cost.  Colour changes are read off neighbouring pairs.

The first car comes from a violated high-priority window while there is one (the
lexicographic ranking puts them first), then from colour changes and low-priority
windows.  Moves are judged with breakout weights on the windows (Morris 1993): when no
try has lowered the weighted cost for a while, the violated windows get heavier.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from optikit_carseq.localsearch import BATCH_PENALTY
from optikit_carseq.model import CarSeqProblem

#: Share of the tries whose first car comes from a violated high-priority window (while
#: one exists); the rest draw from any violated window or colour change.
HIGH_FOCUS = 0.9


class VectorSwapSearch:
    """Window counts of every ratio as an ``(R, L)`` array over line positions."""

    def __init__(self, problem: CarSeqProblem, seq: list[int], seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)
        self.previous = list(problem.previous)
        self.p0 = len(self.previous)
        self.n = problem.num_cars
        flags, caps, widths, prices, high = [], [], [], [], []
        for j, opt in enumerate(problem.options):
            w = problem.term_weight(opt)
            if w and opt.max < opt.window:
                flags.append([int(j in c.options) for c in problem.classes])
                caps.append(opt.max)
                widths.append(opt.window)
                prices.append(w)
                high.append(opt.high)
        if problem.max_batch is not None:
            for col in range(len(problem.colours)):
                flags.append([int(c.colour == col) for c in problem.classes])
                caps.append(problem.max_batch)
                widths.append(problem.max_batch + 1)
                prices.append(BATCH_PENALTY)
                high.append(False)
        self.flags = np.asarray(flags, dtype=np.int64).reshape(-1, len(problem.classes)).T
        self.flags_by_ratio = np.ascontiguousarray(self.flags.T)
        self.cap = np.asarray(caps, dtype=np.int64)[:, None]
        self.width = np.asarray(widths, dtype=np.int64)[:, None]
        self.price = np.asarray(prices, dtype=np.int64)[:, None]
        self.high_rows = np.flatnonzero(np.asarray(high, dtype=bool))
        self.colour = np.asarray([c.colour for c in problem.classes], dtype=np.int64)
        self.wcol = problem.weights.colour * problem.change_cost if problem.has_paint else 0
        size = self.p0 + self.n
        starts = np.arange(size)[None, :]
        lo = np.maximum(0, self.p0 - self.width + 1)
        self.valid = (starts >= lo) & (starts <= size - self.width)
        self.rows = np.arange(len(caps))[:, None]
        # flat index into the (R, L+1) prefix sums, just past window s
        self.ends = np.minimum(starts + self.width, size) + self.rows * (size + 1)
        # and the span of the window starts holding position b: [b - q + 1, b]
        self.holding = (starts + 1 + self.rows * (size + 1),
                        np.maximum(0, starts - self.width + 1) + self.rows * (size + 1))
        self.reach = int(self.width.max(initial=1))
        self.wts = np.ones((len(caps), size), dtype=np.int64)
        self.weighted = self.price * self.wts * self.valid  # a window's price, weights in
        self.first_pair = max(1, self.p0)  # colour changes count at pairs (i-1, i) from here
        self.moves = 0
        self.tries = 0
        self.load(seq)

    def load(self, seq: list[int]) -> None:
        self.line = np.asarray(self.previous + list(seq), dtype=np.int64)
        self._refresh()

    def sequence(self) -> list[int]:
        return [int(k) for k in self.line[self.p0:]]

    def _refresh(self) -> None:
        """Counts, gains, prefix sums and the exact cost from the line (all ratios)."""
        member = self.flags_by_ratio[:, self.line]  # (R, L)
        prefix = np.zeros((member.shape[0], member.shape[1] + 1), dtype=np.int64)
        np.cumsum(member, axis=1, out=prefix[:, 1:])
        cnt = prefix.ravel()[self.ends] - prefix[:, :-1]
        cnt = np.where(self.valid, cnt, 0)
        self.cnt = cnt
        over = np.maximum(0, cnt - self.cap)
        self.over = over
        cost = int((self.price * over).sum())
        col = self.colour[self.line]
        self.col = col
        changed = np.zeros(len(col) + 1, dtype=np.int64)  # changed[i]: pair (i-1, i)
        changed[1:len(col)] = col[1:] != col[:-1]
        changed[:self.first_pair] = 0
        self.changed = changed
        cost += self.wcol * int(changed.sum())
        self.cost = cost
        weighted = self.weighted
        up = weighted * (cnt >= self.cap)
        down = -weighted * (cnt > self.cap)
        self.up_sum = np.zeros_like(prefix)
        self.down_sum = np.zeros_like(prefix)
        np.cumsum(up, axis=1, out=self.up_sum[:, 1:])
        np.cumsum(down, axis=1, out=self.down_sum[:, 1:])
        self.member = member
        # cost of one car more (fewer) in every window holding position b
        hi, lo = self.holding
        self.up_at = self.up_sum.ravel()[hi] - self.up_sum.ravel()[lo]
        self.down_at = self.down_sum.ravel()[hi] - self.down_sum.ravel()[lo]
        self.penalised = int((weighted * over).sum()) + self.wcol * int(changed.sum())

    def swap_deltas(self, a: int) -> tuple[np.ndarray, np.ndarray]:
        """Today's positions ``b`` and the weighted cost change of swapping ``a`` with each.

        A partner at least a window away shares no window with ``a``: its price is the
        cost of ``a``'s windows plus that of its own, both read off per position.  The
        few partners nearer than the widest window are priced span by span.
        """
        size, p0 = len(self.line), self.p0
        b = np.arange(p0, size)
        today = self.member[:, p0:]
        diff = today - self.member[:, a:a + 1]
        plus = self.up_at[:, a:a + 1] + self.down_at[:, p0:]
        minus = self.down_at[:, a:a + 1] + self.up_at[:, p0:]
        delta = (np.where(diff > 0, plus, 0) + np.where(diff < 0, minus, 0)).sum(axis=0)
        near = np.arange(max(p0, a - self.reach + 1), min(size, a + self.reach))
        delta[near - p0] = self._near_deltas(a, near)
        if self.wcol:
            delta = delta + self.wcol * self._colour_deltas(a, b)
        return b, delta

    def _near_deltas(self, a: int, b: np.ndarray) -> np.ndarray:
        """The option and batch part of the prices of partners ``b`` that may share windows
        with ``a``: the spans of window starts holding one of the two, row by row."""
        size = len(self.line)
        q = self.width
        after = b > a  # (m,)
        low_a = a - q + 1
        # window starts holding a but not b, and b but not a: [from, to] per ratio and b
        a_from = np.where(after, low_a, np.maximum(low_a, b + 1))
        a_to = np.where(after, np.minimum(a, b - q), a)
        b_from = np.where(after, np.maximum(b - q + 1, a + 1), b - q + 1)
        b_to = np.where(after, b, np.minimum(b, a - q))
        offset = self.rows * (size + 1)
        a_lo = np.clip(a_from, 0, size)
        a_hi = np.maximum(np.clip(a_to + 1, 0, size), a_lo)  # empty span: hi == lo
        b_lo = np.clip(b_from, 0, size)
        b_hi = np.maximum(np.clip(b_to + 1, 0, size), b_lo)
        a_lo, a_hi, b_lo, b_hi = a_lo + offset, a_hi + offset, b_lo + offset, b_hi + offset
        up, down = self.up_sum.ravel(), self.down_sum.ravel()
        diff = self.flags[self.line[b]].T - self.flags[self.line[a]][:, None]  # (R, m)
        # one car more in a's windows and one fewer in b's, or the other way round
        plus = (up[a_hi] - up[a_lo]) + (down[b_hi] - down[b_lo])
        minus = (down[a_hi] - down[a_lo]) + (up[b_hi] - up[b_lo])
        return (np.where(diff > 0, plus, 0) + np.where(diff < 0, minus, 0)).sum(axis=0)

    def _colour_deltas(self, a: int, b: np.ndarray) -> np.ndarray:
        """Change in colour changes of swapping ``a`` with each ``b`` (pairs at both ends)."""
        col, changed = self.col, self.changed
        size = len(col)
        ext = np.concatenate((col, [-2]))  # col[size] reads as "no car": never a pair

        def pair_ok(i: np.ndarray | int) -> np.ndarray:
            return (np.asarray(i) >= self.first_pair) & (np.asarray(i) < size)

        ca, cb = col[a], col[b]
        before = changed[a] + changed[a + 1] + changed[b] + changed[b + 1]
        after = (pair_ok(a) & (ext[a - 1] != cb)).astype(np.int64)
        after += pair_ok(a + 1) & (cb != ext[a + 1])
        after += pair_ok(b) & (ext[b - 1] != ca)
        after += pair_ok(b + 1) & (ca != ext[np.minimum(b + 1, size)])
        delta = after - before
        # a neighbour swap shares its middle pair: it is counted twice above, and its
        # "after" terms compared a car with itself
        delta += np.where(b == a + 1, 2 * changed[a + 1], 0)
        delta += np.where(b == a - 1, 2 * changed[a], 0)
        return delta

    def apply(self, a: int, b: int) -> None:
        self.line[a], self.line[b] = self.line[b], self.line[a]
        self.moves += 1
        self._refresh()

    def bump(self) -> None:
        """Breakout: the violated windows get heavier."""
        self.wts += self.over > 0
        self.weighted = self.price * self.wts * self.valid
        self._refresh()

    def _pick_first(self) -> int:
        rng = self.rng
        over = self.over
        if self.high_rows.size and rng.random() < HIGH_FOCUS:
            hot = over[self.high_rows] > 0
            if hot.any():
                r, s = np.nonzero(hot)
                i = int(rng.integers(len(r)))
                return self._inside(int(self.high_rows[r[i]]), int(s[i]))
        kind = rng.random()
        if self.wcol and kind < 0.5:
            at = np.flatnonzero(self.changed[self.p0:len(self.line)]) + self.p0
            if at.size:
                return int(at[rng.integers(at.size)])
        r, s = np.nonzero(over)
        if r.size:
            i = int(rng.integers(len(r)))
            return self._inside(int(r[i]), int(s[i]))
        return self.p0 + int(rng.integers(self.n))

    def _inside(self, r: int, s: int) -> int:
        """A car of the ratio inside violated window ``s`` (today's part)."""
        q = int(self.width[r, 0])
        span = np.arange(max(s, self.p0), s + q)
        members = span[self.flags[self.line[span], r] > 0]
        pool = members if members.size else span
        return int(pool[self.rng.integers(pool.size)])

    def run(self, deadline: float, stop: Callable[[], bool], target: int = 0,
            on_improve: Callable[[int], None] | None = None, breakout: int = 50,
            max_tries: int | None = None) -> int:
        """Best swaps until ``deadline``, ``stop()``, cost ``<= target`` or ``max_tries``.

        A try makes the best swap for its first car when it does not raise the weighted
        cost; after ``breakout`` tries without lowering it the violated windows get
        heavier.  Ends on the best sequence found (by the real cost).
        """
        best = self.cost
        best_line = self.line.copy()
        best_pen = self.penalised
        since = 0
        while self.cost > target and (max_tries is None or self.tries < max_tries):
            if self.tries % 16 == 0 and (time.monotonic() >= deadline or stop()):
                break
            self.tries += 1
            a = self._pick_first()
            b, delta = self.swap_deltas(a)
            same = self.line[b] == self.line[a]
            delta = np.where(same, np.iinfo(np.int64).max, delta)
            low = delta.min()
            if low <= 0:
                ties = np.flatnonzero(delta == low)
                self.apply(a, int(b[ties[self.rng.integers(ties.size)]]))
            if self.penalised < best_pen:
                best_pen, since = self.penalised, 0
            else:
                since += 1
                if breakout and since > breakout:
                    self.bump()
                    best_pen, since = self.penalised, 0
            if self.cost < best:
                best, best_line = self.cost, self.line.copy()
                if on_improve is not None:
                    on_improve(best)
        if self.cost > best:
            self.line = best_line
            self._refresh()
        return self.cost
