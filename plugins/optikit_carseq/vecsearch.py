"""Best-move local search with numpy: one car against every other car at once.

The pure-Python search (:mod:`optikit_carseq.localsearch`) prices one move per try,
a few thousand a second; on a 1,000-car line with 8 options and 10 colours that left
50-60 high-priority violations after 10 s.  Here one try takes a car ``a`` from a
violated window and prices its swap with *every* other car in a few array operations,
then makes the best one (a steepest move for ``a``).  On a share of the tries it also
prices moving ``a`` to every place up to :data:`SHIFT_REACH` away (a shift).

Why that is exact and cheap: a swap changes a window's count only when the window holds
exactly one of the two positions, and then by ``flags[k_b] - flags[k_a]``, i.e. by +-1.
So with, per ratio and window start ``s``, the cost of one car more (``up[s]``) and one
car fewer (``down[s]``), the change is two interval sums over window starts (those that
hold ``a`` but not ``b``, and those that hold ``b`` but not ``a``), read from prefix
sums for every ``b`` together.  The ratios are the same as in the pure-Python search:
every option with a weight, and the paint batch limit ``B`` as ``B in B+1`` per colour
at a price above every soft cost.  Colour changes are read off neighbouring pairs.

The first car comes from a violated high-priority window while the high-priority excess
is above what the bound proves unavoidable (the lexicographic ranking puts them first;
a window yesterday's cars force drew 90% of the tries before), then from colour
changes and low-priority windows.  Moves are judged with breakout weights on the windows
(Morris 1993): when no try has lowered the weighted cost for a while, the violated
windows get heavier.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from optikit_carseq import bounds
from optikit_carseq.localsearch import ratios
from optikit_carseq.model import CarSeqProblem

#: Share of the tries whose first car comes from a violated high-priority window (while
#: one exists); the rest draw from any violated window or colour change.
HIGH_FOCUS = 0.9
#: Farthest a car is moved by a shift, in positions (a shift prices the windows between).
SHIFT_REACH = 48
#: Share of the tries that also price the shifts of their first car.
SHIFT_SHARE = 0.25


class VectorSearch:
    """Window counts of every ratio as an ``(R, L)`` array over line positions."""

    def __init__(self, problem: CarSeqProblem, seq: list[int], seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)
        self.previous = list(problem.previous)
        self.p0 = len(self.previous)
        self.n = problem.num_cars
        found = ratios(problem)
        flags = [r.flags for r in found]
        caps = [r.cap for r in found]
        widths = [r.width for r in found]
        prices = [r.price for r in found]
        high = [r.high for r in found]
        self.flags = np.asarray(flags, dtype=np.int64).reshape(-1, len(problem.classes)).T
        self.flags_by_ratio = np.ascontiguousarray(self.flags.T)
        self.cap = np.asarray(caps, dtype=np.int64)[:, None]
        self.width = np.asarray(widths, dtype=np.int64)[:, None]
        self.price = np.asarray(prices, dtype=np.int64)[:, None]
        self.high_rows = np.flatnonzero(np.asarray(high, dtype=bool))
        # the high-priority excess no sequence avoids (yesterday's cars may force some):
        # once down to it, the tries stop drawing from those windows
        self.high_floor = sum(problem.term_weight(o) * bounds.option_excess(problem, j)
                              for j, o in enumerate(problem.options) if o.high)
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
        # flat index of position s + q - 1 (the last car of window s) and s + q (the car
        # after it) in the (R, L) membership array; past the line they read as no car
        last = starts + self.width - 1
        self.last_at = np.minimum(last, size - 1) + self.rows * size
        self.ahead_ok = last + 1 < size
        self.ahead_at = np.minimum(last + 1, size - 1) + self.rows * size
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
        self.up, self.down = up, down
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

    def _shift_tables(self, s0: int, s1: int) -> np.ndarray:
        """Prefix sums over window starts ``s0..s1`` of what a shift does to each window,
        one plane per case (see :meth:`shift_deltas`); planes in pairs are for a moved car
        without (even) and with (odd) the ratio's flag."""
        f = self.member[:, s0:s1 + 1]
        up, down = self.up[:, s0:s1 + 1], self.down[:, s0:s1 + 1]
        flat = self.member.ravel()
        ahead = np.where(self.ahead_ok[:, s0:s1 + 1], flat[self.ahead_at[:, s0:s1 + 1]], 0)
        last = flat[self.last_at[:, s0:s1 + 1]]  # f[s + q - 1]
        prev = self.member[:, max(0, s0 - 1):s1]  # f[s - 1]
        if s0 == 0:
            prev = np.concatenate((np.zeros((f.shape[0], 1), dtype=np.int64), prev), axis=1)

        def moved(new: np.ndarray, old: np.ndarray) -> np.ndarray:
            return up * (new > old) + down * (new < old)

        planes = np.stack([
            up * ahead, down * (1 - ahead),  # right shift, windows holding a only
            moved(ahead, f), moved(ahead, f),  # right shift, windows in between
            down * f, up * (1 - f),  # right shift, windows holding b only
            down * last, up * (1 - last),  # left shift, windows holding b only
            moved(prev, last), moved(prev, last),  # left shift, windows in between
            up * prev, down * (1 - prev),  # left shift, windows holding a only
        ])
        sums = np.zeros((*planes.shape[:2], planes.shape[2] + 1), dtype=np.int64)
        np.cumsum(planes, axis=2, out=sums[:, :, 1:])
        return sums

    def shift_deltas(self, a: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions ``b`` up to :data:`SHIFT_REACH` away and the weighted cost change of
        moving the car at ``a`` to ``b`` (the cars between move up or down by one).

        A window holding both ends keeps its cars.  Moving right (``b > a``), a window
        holding ``a`` only loses that car and gains the one after its end; a window
        strictly between gains the car after its end and loses its first; a window holding
        ``b`` only loses its first car and gains the moved one.  Moving left is the mirror
        image.  Each change is one car at most, priced by the window's gains, and the
        sums per case are prefix sums over the window starts near ``a``.
        """
        size, p0, q = len(self.line), self.p0, self.width
        right = np.arange(a + 1, min(size, a + SHIFT_REACH + 1))
        left = np.arange(max(p0, a - SHIFT_REACH), a)
        s0 = max(0, a - SHIFT_REACH - self.reach + 1)
        s1 = min(size - 1, a + SHIFT_REACH)
        sums = self._shift_tables(s0, s1)
        _planes, rows, width = sums.shape
        flat = sums.ravel()
        odd = self.member[:, a:a + 1]  # the moved car has the ratio's flag: odd planes
        row = self.rows * width

        def span(plane: int | np.ndarray, lo: np.ndarray | int, hi: np.ndarray | int
                 ) -> np.ndarray:
            x = np.clip(np.asarray(lo) - s0, 0, width - 1)
            y = np.maximum(np.clip(np.asarray(hi) + 1 - s0, 0, width - 1), x)
            base = np.asarray(plane) * rows * width + row
            return flat[base + y] - flat[base + x]

        delta = np.empty(len(right) + len(left), dtype=np.int64)
        delta[len(left):] = (span(0 + odd, a - q + 1, np.minimum(a, right - q))
                             + span(2, a + 1, right - q)
                             + span(4 + odd, np.maximum(a + 1, right - q + 1), right)
                             ).sum(axis=0)
        delta[:len(left)] = (span(6 + odd, left - q + 1, np.minimum(left, a - q))
                             + span(8, left + 1, a - q)
                             + span(10 + odd, np.maximum(left + 1, a - q + 1), a)
                             ).sum(axis=0)
        if self.wcol:
            delta += self.wcol * self._shift_colour(a, left, right)
        return np.concatenate((left, right)), delta

    def _shift_colour(self, a: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Change in colour changes of the shifts: three pairs go, three new ones come."""
        col, changed, size = self.col, self.changed, len(self.col)
        ext = np.concatenate((col, [-2]))

        def ok(i: np.ndarray | int) -> np.ndarray:
            return (np.asarray(i) >= self.first_pair) & (np.asarray(i) < size)

        ca = col[a]
        gone_l = changed[left] + changed[a] + changed[a + 1]
        come_l = (ok(left) & (ext[left - 1] != ca)).astype(np.int64)
        come_l += ok(left + 1) & (ca != col[left])
        come_l += ok(a + 1) & (ext[a - 1] != ext[a + 1])
        gone_r = changed[a] + changed[a + 1] + changed[right + 1]
        come_r = (ok(a) & (ext[a - 1] != ext[a + 1])).astype(np.int64)
        come_r += ok(right) & (col[right] != ca)
        come_r += ok(right + 1) & (ca != ext[right + 1])
        return np.concatenate((come_l - gone_l, come_r - gone_r))

    def apply_shift(self, a: int, b: int) -> None:
        car = self.line[a]
        if b > a:
            self.line[a:b] = self.line[a + 1:b + 1].copy()
        else:
            self.line[b + 1:a + 1] = self.line[b:a].copy()
        self.line[b] = car
        self.moves += 1
        self._refresh()

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
        focus = rng.random() < HIGH_FOCUS
        if self.high_rows.size and focus and self._high_cost() > self.high_floor:
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

    def _high_cost(self) -> int:
        rows = self.high_rows
        return int((self.price[rows] * self.over[rows]).sum())

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
        """Best moves until ``deadline``, ``stop()``, cost ``<= target`` or ``max_tries``.

        A try makes the best swap (or shift) of its first car when it does not raise the
        weighted cost; after ``breakout`` tries without lowering it the violated windows get
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
            delta = np.where(self.line[b] == self.line[a], np.iinfo(np.int64).max, delta)
            swaps = len(b)
            if self.rng.random() < SHIFT_SHARE:
                to, moved = self.shift_deltas(a)
                b, delta = np.concatenate((b, to)), np.concatenate((delta, moved))
            low = delta.min()
            if low <= 0:
                ties = np.flatnonzero(delta == low)
                pick = int(ties[self.rng.integers(ties.size)])
                if pick < swaps:
                    self.apply(a, int(b[pick]))
                else:
                    self.apply_shift(a, int(b[pick]))
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
