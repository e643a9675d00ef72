"""What a shift or a block reversal costs, for :mod:`optikit_carseq.localsearch`.

Kept apart from the search loop: the prices are the search's hot path and its subtlest
code.  A shift or a reversal rewrites a segment ``[a, b]``.
:meth:`SegmentPrices.segment_delta` prices any rewrite from prefix sums of the flag
changes (``O(b - a + q)`` a ratio: the reference the tests hold the others to);
:meth:`~SegmentPrices.shift_delta` and :meth:`~SegmentPrices.reversal_delta` visit only
the windows over one of the two ends, ``O(q)`` a ratio at any length, since a window
inside a shifted stretch now holds its neighbour's cars and one inside a reversed block
its mirror image's, which changes the cost only at violated windows (read off the
search's list of them).  So on lines without a colour cost the moves may span the whole
line for about the price of a swap.
"""

from __future__ import annotations


def _excess_step(old: int, ch: int, p: int) -> int:
    """Excess change of a window holding ``old`` cars when it gets ``ch`` more."""
    new = old + ch
    return (new - p if new > p else 0) - (old - p if old > p else 0)


def _end_steps(line: list[int], flags: list[int], cnt: list[int], wts: list[int], p: int,
               first: int, last: int, off: int, fa: int, sign: int) -> tuple[int, int]:
    """Excess change (plain, weighted) of windows ``first..last`` when each trades one
    car: window ``s`` gains ``line[s + off]`` and loses the moved car (``sign`` 1), or
    the other way round (``sign`` -1); the moved car has flag ``fa``."""
    d = dp = 0
    for s in range(first, last + 1):
        ch = sign * (flags[line[s + off]] - fa)
        if ch:
            step = _excess_step(cnt[s], ch, p)
            d += step
            dp += step * wts[s]
    return d, dp


class SegmentPrices:
    """The pricing half of :class:`~optikit_carseq.localsearch.SwapSearch`, which owns
    and updates the state declared here."""

    line: list[int]
    p0: int
    #: per ratio: (flags by class, cap, width, price)
    ratios: list[tuple[list[int], int, int, int]]
    colour: list[int]
    wcol: int
    counts: list[list[int]]
    wts: list[list[int]]
    lo: list[int]
    hi: list[int]
    violated: list[tuple[int, int]]

    def _change(self, i: int) -> int:
        return int(self.colour[self.line[i - 1]] != self.colour[self.line[i]])

    def segment_delta(self, a: int, new: list[int]) -> tuple[int, int]:
        """(cost change, penalised cost change) of writing ``new`` over ``line[a:a+len]``."""
        line = self.line
        b = a + len(new) - 1
        d = dp = 0
        for r, (flags, p, q, w) in enumerate(self.ratios):
            prefix = [0]
            any_change = False
            for i, k in enumerate(new):
                step = flags[k] - flags[line[a + i]]
                any_change = any_change or step != 0
                prefix.append(prefix[-1] + step)
            if not any_change:
                continue
            cnt = self.counts[r]
            wts = self.wts[r]
            # pad the prefix so that window s reads padded[s + q - a + q] - padded[s - a + q]
            padded = [0] * q + prefix + [prefix[-1]] * q
            first = a - q + 1 if a - q + 1 > self.lo[r] else self.lo[r]
            last = b if b < self.hi[r] else self.hi[r]
            shift = q - a
            for s in range(first, last + 1):
                ch = padded[s + q + shift] - padded[s + shift]
                if ch:
                    step = _excess_step(cnt[s], ch, p)
                    d += w * step
                    dp += w * step * wts[s]
        if self.wcol:
            colour = self._segment_colour(a, new)
            d += colour
            dp += colour
        return d, dp

    def _segment_colour(self, a: int, new: list[int]) -> int:
        """Weighted change in colour changes of writing ``new`` over ``line[a:a+len]``."""
        line = self.line
        b = a + len(new) - 1
        first, last = max(a, max(1, self.p0)), min(b + 1, len(line) - 1)
        before = sum(self._change(i) for i in range(first, last + 1))
        saved = line[a:b + 1]
        line[a:b + 1] = new
        after = sum(self._change(i) for i in range(first, last + 1))
        line[a:b + 1] = saved
        return self.wcol * (after - before)

    def shift_delta(self, a: int, b: int) -> tuple[int, int]:
        """(cost change, penalised cost change) of moving the car at ``a`` to ``b``.

        The same as :meth:`segment_delta` of the shifted segment, in O(window) a ratio
        whatever the distance: a window meeting one end of the segment ``[lo, hi]`` gains
        the car that enters its stretch and loses the one that leaves it (moving right:
        ``line[e + 1]`` or the moved car in, ``line[s]`` or the moved car out; moving left
        the mirror image); a window holding both ends keeps its cars; a window strictly
        inside now holds what its neighbour held (``counts[s + 1]`` moving right), which
        changes the cost only next to a violated window (:meth:`_slid`).  So a car may
        travel the whole line for the price of a swap: on the tight options of CSPLib
        10/93 such long shifts move a whole block's pattern by one place.
        """
        line = self.line
        ka = line[a]
        right = a < b
        d = dp = 0
        for r, (flags, p, q, w) in enumerate(self.ratios):
            fa = flags[ka]
            cnt, wts, lo, hi = self.counts[r], self.wts[r], self.lo[r], self.hi[r]
            if right:
                # windows holding a, not b: the car after their end comes in, a's goes
                first = a - q + 1 if a - q + 1 > lo else lo
                last = a if a < b - q else b - q  # a <= hi always
                gone = _end_steps(line, flags, cnt, wts, p, first, last, q, fa, 1)
                # windows holding b, not a: the moved car comes in, their first goes
                first = a + 1 if a + 1 > b - q + 1 else b - q + 1  # > lo always
                last = b if b < hi else hi
                come = _end_steps(line, flags, cnt, wts, p, first, last, 0, fa, -1)
            else:
                # windows holding a, not b: the car before their start comes in, a's goes
                first = b + 1 if b + 1 > a - q + 1 else a - q + 1  # > lo always
                last = a if a < hi else hi
                gone = _end_steps(line, flags, cnt, wts, p, first, last, -1, fa, 1)
                # windows holding b, not a: the moved car comes in, their last goes
                first = b - q + 1 if b - q + 1 > lo else lo
                last = b if b < a - q else a - q  # b <= hi always
                come = _end_steps(line, flags, cnt, wts, p, first, last, q - 1, fa, -1)
            d += w * (gone[0] + come[0])
            dp += w * (gone[1] + come[1])
        if right:
            slid, slid_pen = self._slid(a, b, 1)
        else:
            slid, slid_pen = self._slid(b, a, -1)
        d += slid
        dp += slid_pen
        if self.wcol:
            colour = self._segment_colour(*self._shifted(a, b))
            d += colour
            dp += colour
        return d, dp

    def _slid(self, left_end: int, right_end: int, by: int) -> tuple[int, int]:
        """(cost change, penalised change) of the windows strictly inside
        ``(left_end, right_end)`` taking the counts of their neighbours ``by`` away.

        Window ``s`` now holds ``counts[s + by]``: the sum over those windows of
        ``wts[s] * (excess[s + by] - excess[s])`` has a term only where ``s`` or
        ``s + by`` is violated, so the violated windows alone are visited.
        """
        d = dp = 0
        ratios = self.ratios
        for r, s in self.violated:
            _flags, p, q, w = ratios[r]
            first, last = left_end + 1, right_end - q  # windows inside the open interval
            if first > last:
                continue
            ex = self.counts[r][s] - p
            wts = self.wts[r]
            if first <= s <= last:  # this window's excess goes
                d -= w * ex
                dp -= w * ex * wts[s]
            t = s - by  # the window that now holds what s held
            if first <= t <= last:
                d += w * ex
                dp += w * ex * wts[t]
        return d, dp

    def reversal_delta(self, a: int, b: int) -> tuple[int, int]:
        """(cost change, penalised cost change) of reversing the block ``line[a:b+1]``.

        The same as :meth:`segment_delta` of the reversed block, in O(window) a ratio: a
        window over one end trades the cars of its overlap for those at the block's other
        end (a running sum as the overlap grows); a window holding the whole block keeps
        its cars; a window inside it now holds its mirror's cars, which changes only the
        penalised cost and only at violated windows.
        """
        line = self.line
        d = dp = 0
        for r, (flags, p, q, w) in enumerate(self.ratios):
            cnt = self.counts[r]
            wts = self.wts[r]
            lo, hi = self.lo[r], self.hi[r]
            step_sum = pen_sum = 0
            # windows starting before a and ending inside: overlap [a, a + k]
            last = min(a - 1, b - q, hi)
            ch = 0
            for k in range(0, last - (a - q + 1) + 1):
                ch += flags[line[b - k]] - flags[line[a + k]]
                s = a - q + 1 + k
                if ch and s >= lo:
                    step = _excess_step(cnt[s], ch, p)
                    step_sum += step
                    pen_sum += step * wts[s]
            # windows starting inside and ending after b: overlap [b - k, b]
            first = max(a + 1, b - q + 2, lo)
            ch = 0
            for k in range(0, b - first + 1):
                ch += flags[line[a + k]] - flags[line[b - k]]
                s = b - k
                if ch and s <= hi:
                    step = _excess_step(cnt[s], ch, p)
                    step_sum += step
                    pen_sum += step * wts[s]
            d += w * step_sum
            dp += w * pen_sum
        for r, s in self.violated:
            _flags, p, q, w = self.ratios[r]
            if a <= s <= b - q + 1:  # inside: its cars go to the mirror window
                wts = self.wts[r]
                dp += w * (self.counts[r][s] - p) * (wts[a + b - q + 1 - s] - wts[s])
        if self.wcol:
            colour = self._segment_colour(a, line[a:b + 1][::-1])
            d += colour
            dp += colour
        return d, dp

    def _shifted(self, a: int, b: int) -> tuple[int, list[int]]:
        """The segment a shift of ``a`` to ``b`` writes, and where it starts."""
        line = self.line
        if a < b:
            return a, [*line[a + 1:b + 1], line[a]]
        return b, [line[a], *line[b:a]]
