"""Local search with incremental window counts (the literature's workhorse).

Estellon, Gardi and Nouioua won ROADEF 2005 with very fast local search; this is a small
pure-Python version.  Every capacity becomes a "ratio" ``at most p in q`` over
a class membership: the options, and (for the paint batch limit ``B``) each colour with
``B in B+1``, since a run of ``L > B`` cars of one colour holds exactly ``L - B`` windows
of ``B + 1`` cars all of that colour.  Colour changes are counted on neighbouring pairs.
Three kinds of move, as in the ROADEF 2005 winners' search: swap two of today's cars of
different classes, shift one car to another place (the cars between move up by one), and
reverse a block.  A shift or a reversal rewrites a segment ``[a, b]``; it is priced in
``O(q)`` a ratio at any length: only the windows over one of its ends are visited, since
a window inside it now holds what a neighbour (a shift) or its mirror image (a
reversal) held, which changes the cost only at violated windows (the prices live in
:mod:`optikit_carseq.segment_prices`).  A move is kept when it
does not increase the cost (plateaus are crossed freely), and the first car is drawn
from a violated window most of the time.  When no move has lowered the cost for a while,
the windows still violated get heavier (breakout weighting, as in Morris 1993), which pushes
the search out of the trap.  The level term is not part of this search.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import NamedTuple

from optikit_carseq.model import CarSeqProblem
from optikit_carseq.segment_prices import SegmentPrices

#: Cost of one unit of paint batch overrun (a hard rule): above any sum of soft costs.
BATCH_PENALTY = 10**12
#: Share of the moves that shift a car or reverse a block (the rest are swaps).
SEGMENT_SHARE = 0.5
#: Of those, the share of block reversals (on lines with a colour-change cost).
REVERSAL_SHARE = 0.3
#: The same on the other lines, where blocks of any length are reversed: a reversed
#: block keeps its windows' counts (mirrored), so it moves a whole stretch at the price
#: of its two seams.  CSPLib 10/93, search alone, 20 s, breakout 80,000 (loaded): 3 on 4
#: of 9 seeds with 0.3, 12 of 18 with 0.5, 8 of 9 with 0.7.
LONG_REVERSAL_SHARE = 0.7
#: On lines with a colour-change cost: the farthest shift and longest block reversal,
#: in positions (the colour part of their price visits the whole segment).  On the
#: others both reach the whole line: they are priced in O(window) at any length, and on
#: CSPLib 10/93 (search alone, 20 s, seeds 11-19) reaching 3 needed them.
SEGMENT_REACH = 24


class Ratio(NamedTuple):
    """One capacity as the searches see it: at most ``cap`` in ``width`` consecutive cars
    whose class has ``flags[class]``, each car over it costing ``price``."""

    flags: list[int]
    cap: int
    width: int
    price: int
    high: bool


def ratios(problem: CarSeqProblem) -> list[Ratio]:
    """The options with a cost and a real limit, then (with a paint batch limit ``B``)
    each colour as ``B in B+1`` at :data:`BATCH_PENALTY`."""
    found: list[Ratio] = []
    for j, opt in enumerate(problem.options):
        w = problem.term_weight(opt)
        if w and opt.max < opt.window:
            flags = [int(j in c.options) for c in problem.classes]
            found.append(Ratio(flags, opt.max, opt.window, w, opt.high))
    if problem.max_batch is not None:
        for col in range(len(problem.colours)):
            flags = [int(c.colour == col) for c in problem.classes]
            found.append(Ratio(flags, problem.max_batch, problem.max_batch + 1,
                               BATCH_PENALTY, False))
    return found


def _moved(cnt: list[int], wts: list[int], first: int, last: int, diff: int, p: int
           ) -> tuple[int, int]:
    """Excess change (plain, weighted) when windows ``first..last`` get ``diff`` cars."""
    d = dp = 0
    for s in range(first, last + 1):
        old = cnt[s]
        new = old + diff
        step = (new - p if new > p else 0) - (old - p if old > p else 0)
        if step:
            d += step
            dp += step * wts[s]
    return d, dp


class SwapSearch(SegmentPrices):
    def __init__(self, problem: CarSeqProblem, seq: list[int], seed: int = 0) -> None:
        self.problem = problem
        self.rng = random.Random(seed)
        self.p0 = len(problem.previous)
        self.n = problem.num_cars
        # plain tuples: the hot loops unpack them
        self.ratios = [(r.flags, r.cap, r.width, r.price) for r in ratios(problem)]
        self.colour = [c.colour for c in problem.classes]
        self.wcol = problem.weights.colour * problem.change_cost if problem.has_paint else 0
        self.reach = SEGMENT_REACH if self.wcol else max(1, self.n - 1)
        self.reversal_share = REVERSAL_SHARE if self.wcol else LONG_REVERSAL_SHARE
        self.moves = 0
        self.load(seq)

    def load(self, seq: list[int]) -> None:
        """Start from ``seq``: window counts, violated windows, fresh breakout weights."""
        self.line = list(self.problem.previous) + list(seq)
        size = len(self.line)
        self.counts: list[list[int]] = []
        self.wts: list[list[int]] = []  # breakout weights of the windows (start at 1)
        self.lo: list[int] = []
        self.hi: list[int] = []
        self.cost = 0
        self.violated: list[tuple[int, int]] = []
        self.where: dict[tuple[int, int], int] = {}
        for r, (flags, p, q, w) in enumerate(self.ratios):
            lo, hi = max(0, self.p0 - q + 1), size - q
            cnt = [0] * max(size, 1)
            for s in range(lo, hi + 1):
                cnt[s] = sum(flags[k] for k in self.line[s:s + q])
                if cnt[s] > p:
                    self.cost += w * (cnt[s] - p)
                    self._mark(r, s)
            self.counts.append(cnt)
            self.wts.append([1] * max(size, 1))
            self.lo.append(lo)
            self.hi.append(hi)
        if self.wcol:
            self.cost += self.wcol * sum(self._change(i) for i in range(max(1, self.p0), size))
        self.penalised = self.cost  # the cost with the breakout weights

    def _mark(self, r: int, s: int) -> None:
        if (r, s) not in self.where:
            self.where[r, s] = len(self.violated)
            self.violated.append((r, s))

    def _unmark(self, r: int, s: int) -> None:
        i = self.where.pop((r, s), None)
        if i is None:
            return
        last = self.violated.pop()
        if i < len(self.violated):
            self.violated[i] = last
            self.where[last] = i

    def sequence(self) -> list[int]:
        return self.line[self.p0:]

    def _affected(self, r: int, a: int, b: int, diff: int) -> dict[int, int]:
        _flags, _p, q, _w = self.ratios[r]
        lo, hi = self.lo[r], self.hi[r]
        change: dict[int, int] = {}
        for s in range(max(lo, a - q + 1), min(hi, a) + 1):
            change[s] = diff
        for s in range(max(lo, b - q + 1), min(hi, b) + 1):
            change[s] = change.get(s, 0) - diff
        return change

    def delta(self, a: int, b: int) -> tuple[int, int]:
        """(cost change, penalised cost change) of swapping line positions ``a`` and ``b``.

        The windows holding ``a`` but not ``b`` gain ``diff`` cars of a ratio, those
        holding ``b`` but not ``a`` lose them; the hot loop avoids builtins (it runs
        thousands of times a second).
        """
        line = self.line
        ka, kb = line[a], line[b]
        u, v, sign = (a, b, 1) if a < b else (b, a, -1)
        d = dp = 0
        for r, (flags, p, q, w) in enumerate(self.ratios):
            diff = flags[kb] - flags[ka]
            if not diff:
                continue
            diff *= sign  # now the change at the lower position u
            cnt = self.counts[r]
            wts = self.wts[r]
            lo, hi = self.lo[r], self.hi[r]
            # windows [s, s+q) holding u but not v: u-q < s <= u and s + q <= v
            first = u - q + 1 if u - q + 1 > lo else lo
            last = v - q if v - q < u else u
            if last > hi:
                last = hi
            gain, gain_pen = _moved(cnt, wts, first, last, diff, p)
            # windows holding v but not u: v-q < s <= v and s > u
            first = v - q + 1 if v - q + 1 > u + 1 else u + 1
            if first < lo:
                first = lo
            last = v if v < hi else hi
            loss, loss_pen = _moved(cnt, wts, first, last, -diff, p)
            d += w * (gain + loss)
            dp += w * (gain_pen + loss_pen)
        if self.wcol and self.colour[ka] != self.colour[kb]:
            pairs = {i for i in (a, a + 1, b, b + 1) if max(1, self.p0) <= i < len(line)}
            before = sum(self._change(i) for i in pairs)
            line[a], line[b] = kb, ka
            after = sum(self._change(i) for i in pairs)
            line[a], line[b] = ka, kb
            d += self.wcol * (after - before)
            dp += self.wcol * (after - before)
        return d, dp

    def apply_segment(self, a: int, new: list[int], d: int, dp: int) -> None:
        line = self.line
        b = a + len(new) - 1
        line[a:b + 1] = new
        for r, (flags, p, q, _w) in enumerate(self.ratios):
            cnt = self.counts[r]
            first, last = max(self.lo[r], a - q + 1), min(self.hi[r], b)
            if first > last:
                continue
            c = sum(flags[k] for k in line[first:first + q])
            for s in range(first, last + 1):  # a sliding window sum: O(b - a + q)
                if s > first:
                    c += flags[line[s + q - 1]] - flags[line[s - 1]]
                if c != cnt[s]:
                    cnt[s] = c
                    if c > p:
                        self._mark(r, s)
                    else:
                        self._unmark(r, s)
        self.cost += d
        self.penalised += dp
        self.moves += 1

    def _segment_end(self, a: int) -> int | None:
        """The other end of a shift or reversal from ``a``: up to ``self.reach`` away,
        drawn evenly among today's positions in that span."""
        p0, reach = self.p0, self.reach
        lo = a - reach if a - reach > p0 else p0
        hi = min(a + reach, p0 + self.n - 1)
        if hi <= lo:
            return None
        b = lo + int(self.rng.random() * (hi - lo))
        return b + 1 if b >= a else b

    def _reversal(self, a: int, b: int) -> tuple[int, list[int]] | None:
        lo, hi = min(a, b), max(a, b)
        block = self.line[lo:hi + 1]
        return (lo, block[::-1]) if block != block[::-1] else None

    def _segment_move(self, a: int) -> tuple[int, list[int]] | None:
        """A shift of the car at ``a`` or a reversal of a block starting near it."""
        b = self._segment_end(a)
        if b is None:
            return None
        if self.rng.random() < REVERSAL_SHARE:
            return self._reversal(a, b)
        lo, new = self._shifted(a, b)
        return (lo, new) if new != self.line[lo:lo + len(new)] else None

    def bump(self) -> None:
        """Breakout: make every violated window heavier, so the search leaves the trap."""
        for r, s in self.violated:
            _flags, p, _q, w = self.ratios[r]
            self.wts[r][s] += 1
            self.penalised += w * (self.counts[r][s] - p)

    def apply(self, a: int, b: int, d: int, dp: int = 0) -> None:
        line = self.line
        ka, kb = line[a], line[b]
        for r, (flags, p, _q, _w) in enumerate(self.ratios):
            diff = flags[kb] - flags[ka]
            if not diff:
                continue
            cnt = self.counts[r]
            for s, ch in self._affected(r, a, b, diff).items():
                cnt[s] += ch
                if cnt[s] > p:
                    self._mark(r, s)
                else:
                    self._unmark(r, s)
        line[a], line[b] = kb, ka
        self.cost += d
        self.penalised += dp
        self.moves += 1

    def _pick_first(self) -> int:
        rng = self.rng
        violated = self.violated
        if violated and rng.random() < 0.8:
            r, s = violated[int(rng.random() * len(violated))]
            flags, _p, q, _w = self.ratios[r]
            line = self.line
            inside = [i for i in range(max(s, self.p0), s + q) if flags[line[i]]]
            if inside:
                return inside[int(rng.random() * len(inside))]
        return self.p0 + int(rng.random() * self.n)

    def run(self, deadline: float, stop: Callable[[], bool], target: int = 0,
            on_improve: Callable[[int], None] | None = None, stall_moves: int | None = None,
            breakout: int = 20_000) -> int:
        """Search until ``deadline``, ``stop()``, cost ``<= target`` or a stall.

        Moves are judged on the penalised cost; after ``breakout`` tries without lowering
        it the violated windows get heavier.  The best sequence by the real cost is kept
        and restored at the end (:meth:`sequence` then returns it).
        """
        rng = self.rng
        p0, n = self.p0, self.n
        best = self.cost
        best_line = list(self.line)
        best_pen = self.penalised
        tries = 0
        last_gain = last_pen_gain = 0
        while self.cost > target:
            tries += 1
            if tries % 256 == 0:
                if time.monotonic() >= deadline or stop():
                    break
                if stall_moves is not None and tries - last_gain > stall_moves:
                    break
                if breakout and tries - last_pen_gain > breakout:
                    self.bump()
                    best_pen = self.penalised
                    last_pen_gain = tries
            a = self._pick_first()
            if rng.random() < SEGMENT_SHARE:
                end = self._segment_end(a)
                if end is None:
                    continue
                if rng.random() < self.reversal_share:
                    lo, hi = (a, end) if a < end else (end, a)
                    if self.line[lo] == self.line[hi]:
                        continue  # the same as reversing the block inside
                    d, dp = self.reversal_delta(lo, hi)
                    if dp > 0:
                        continue
                    move = (lo, self.line[lo:hi + 1][::-1])
                else:
                    d, dp = self.shift_delta(a, end)
                    if dp > 0:
                        continue
                    move = self._shifted(a, end)
                self.apply_segment(*move, d, dp)
            else:
                b = p0 + int(rng.random() * n)
                if self.line[a] == self.line[b]:
                    continue
                d, dp = self.delta(a, b)
                if dp > 0:
                    continue
                self.apply(a, b, d, dp)
            if self.penalised < best_pen:
                best_pen = self.penalised
                last_pen_gain = tries
            if self.cost < best:
                best = self.cost
                best_line = list(self.line)
                last_gain = tries
                if on_improve is not None:
                    on_improve(best)
        if self.cost > best:
            self.load(best_line[p0:])
        return self.cost
