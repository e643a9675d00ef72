"""The tabu walk's inner loop on flat integer arrays, compiled with numba when it is there.

Why: the walk of :mod:`optikit_fjsp.tabu` is pure Python and makes about a thousand
moves a second; the population methods built on it (restarts, path relinking) pay only
with far more moves than a 60 s run gives them.  The same rules, written over arrays,
compile to machine code (``numba``, the ``fast`` extra) and release the GIL, so the
walk also runs beside the CP-SAT LNS on the other core.  Without numba the functions
run as plain Python (slow; the tests use that to check them against the reference).

The rules are those of :class:`optikit_fjsp.tabu.TabuSearch` (read its docstring):
critical operations re-inserted on any of their machines at a cycle-free position,
rated by the longest path through them, tabu on (operation, machine, predecessor),
aspiration, ties broken at random.  One difference: the tabu list keys a predecessor
``u`` per (operation, ``u``) and remembers the machine with it, so a second entry for
the same pair on another machine replaces the first (the reference keeps both).

State arrays (all ``int64``; ``n`` operations, ``k`` machines):

- static: ``jp``/``js`` job neighbours (-1 for none), ``release``, and the modes as
  ``mode_start`` (``n + 1``), ``mode_machine`` and ``mode_duration``;
- schedule: ``mode``, ``machine``, ``p`` per operation, ``seq`` (``k x n``) with
  ``seq_len`` and ``pos``; derived ``mp``/``ms`` (machine neighbours), heads ``r`` and
  tails ``q``;
- tabu: ``tabu_until`` and ``tabu_machine`` (``n x n``, by predecessor), ``tabu_first``
  (``n x k``, first on a machine);
- ``rng``: one ``uint64`` xorshift state.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optikit.compiled import COMPILED as COMPILED  # re-exported: callers check it here
from optikit.compiled import jit as _jit
from optikit_fjsp.model import FlatShop

NO_MOVE = -1
INF = 1 << 60


@_jit
def next_random(rng: Any, bound: int) -> int:
    """A number in [0, bound) from the xorshift64 state ``rng[0]``."""
    x = rng[0]
    x ^= (x << np.uint64(13)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    x ^= x >> np.uint64(7)
    x ^= (x << np.uint64(17)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    rng[0] = x
    return int(x % np.uint64(bound))


@_jit
def machine_neighbours(seq: Any, seq_len: Any, mp: Any, ms: Any) -> None:
    """Each operation's machine predecessor ``mp`` and successor ``ms`` (-1: none)."""
    for g in range(mp.shape[0]):
        mp[g] = -1
        ms[g] = -1
    for m in range(seq.shape[0]):
        for i in range(seq_len[m] - 1):
            a = seq[m, i]
            b = seq[m, i + 1]
            mp[b] = a
            ms[a] = b


def mode_arrays(flat: FlatShop) -> tuple[Any, Any, Any]:
    """The modes as flat arrays: ``mode_start`` (``n + 1`` offsets), ``mode_machine`` and
    ``mode_duration`` (one entry per mode)."""
    n = flat.num_ops
    counts = [len(flat.modes[g]) for g in range(n)]
    mode_start = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    mode_machine = np.array([m for g in range(n) for m, _d in flat.modes[g]], dtype=np.int64)
    mode_duration = np.array([d for g in range(n) for _m, d in flat.modes[g]], dtype=np.int64)
    return mode_start, mode_machine, mode_duration


@_jit
def evaluate(jp: Any, js: Any, release: Any, p: Any, seq: Any, seq_len: Any,
             mp: Any, ms: Any, r: Any, q: Any, order: Any, indeg: Any) -> int:
    """Heads, tails and machine neighbours of the current sequences (Kahn's order);
    the makespan, or -1 when the graph has a cycle (the move rules exclude it)."""
    n = jp.shape[0]
    machine_neighbours(seq, seq_len, mp, ms)
    tail = 0
    for g in range(n):
        indeg[g] = (1 if jp[g] >= 0 else 0) + (1 if mp[g] >= 0 else 0)
        r[g] = release[g]
        if indeg[g] == 0:
            order[tail] = g
            tail += 1
    cmax = 0
    head = 0
    while head < tail:
        g = order[head]
        head += 1
        end = r[g] + p[g]
        if end > cmax:
            cmax = end
        # The job successor, then the machine successor, written out twice: a jitted
        # helper for the pair made the whole walk 3.5x slower (not inlined).
        h = js[g]
        if h >= 0:
            if end > r[h]:
                r[h] = end
            indeg[h] -= 1
            if indeg[h] == 0:
                order[tail] = h
                tail += 1
        h = ms[g]
        if h >= 0:
            if end > r[h]:
                r[h] = end
            indeg[h] -= 1
            if indeg[h] == 0:
                order[tail] = h
                tail += 1
    if tail != n:
        return -1
    for k in range(n - 1, -1, -1):
        g = order[k]
        t = 0
        a = js[g]
        if a >= 0:
            t = p[a] + q[a]
        b = ms[g]
        if b >= 0 and p[b] + q[b] > t:
            t = p[b] + q[b]
        q[g] = t
    return cmax


@_jit
def best_move(jp: Any, js: Any, release: Any, mode_start: Any, mode_machine: Any,
              mode_duration: Any, machine: Any, p: Any, seq: Any, seq_len: Any, pos: Any,
              r: Any, q: Any, cmax: int, best_cmax: int, iteration: int,
              tabu_until: Any, tabu_machine: Any, tabu_first: Any, rng: Any,
              out: Any) -> bool:
    """The best admissible move as ``out = (value, op, mode, position)``; False if none.

    Positions index the machine's sequence without the operation; heads strictly rise
    and tails strictly fall along a sequence, so the cycle-free positions are one range
    (after the last ``w`` with ``q[w] >= q[JP]``, up to the first ``u`` with
    ``r[u] >= r[JS]``).
    """
    n = jp.shape[0]
    best_value = INF
    ties = 0
    for v in range(n):
        if r[v] + p[v] + q[v] != cmax:
            continue
        a = jp[v]
        b = js[v]
        head = release[v]
        if a >= 0 and r[a] + p[a] > head:
            head = r[a] + p[a]
        tail = p[b] + q[b] if b >= 0 else 0
        r_js = r[b] if b >= 0 else INF
        q_jp = q[a] if a >= 0 else INF
        own = machine[v]
        for k in range(mode_start[v + 1] - mode_start[v]):
            m = mode_machine[mode_start[v] + k]
            d = mode_duration[mode_start[v] + k]
            skip = pos[v] if m == own else -1  # the operation's own slot is left out
            length = seq_len[m] - (1 if skip >= 0 else 0)
            lo = 0
            while lo < length:
                x = seq[m, lo + (1 if skip >= 0 and lo >= skip else 0)]
                if q[x] < q_jp:
                    break
                lo += 1
            for i in range(lo, length + 1):
                if i > 0:
                    u = seq[m, i - 1 + (1 if skip >= 0 and i - 1 >= skip else 0)]
                    if r[u] >= r_js:
                        break  # u would close a cycle, and every later one too
                    left = r[u] + p[u]
                    if left < head:
                        left = head
                else:
                    u = -1
                    left = head
                if left + d + tail > best_value:
                    break  # ends only grow along the machine
                right = tail
                if i < length:
                    w = seq[m, i + (1 if skip >= 0 and i >= skip else 0)]
                    if p[w] + q[w] > right:
                        right = p[w] + q[w]
                value = left + d + right
                if value > best_value or i == skip:
                    continue
                if value >= best_cmax:
                    if u >= 0:
                        if tabu_until[v, u] > iteration and tabu_machine[v, u] == m:
                            continue
                    elif tabu_first[v, m] > iteration:
                        continue
                if value < best_value:
                    best_value = value
                    ties = 1
                    out[0], out[1], out[2], out[3] = value, v, k, i
                else:
                    ties += 1
                    if next_random(rng, ties) == 0:
                        out[0], out[1], out[2], out[3] = value, v, k, i
    return best_value < INF


@_jit
def apply_move(v: int, k: int, position: int, until: int, mode_start: Any,
               mode_machine: Any, mode_duration: Any, mode: Any, machine: Any, p: Any,
               seq: Any, seq_len: Any, pos: Any, tabu_until: Any, tabu_machine: Any,
               tabu_first: Any) -> None:
    """Move ``v`` to mode ``k`` at ``position``; its old place becomes tabu until
    iteration ``until`` (0: not tabu)."""
    m_old = machine[v]
    i_old = pos[v]
    if until > 0:
        if i_old > 0:
            u_old = seq[m_old, i_old - 1]
            tabu_until[v, u_old] = until
            tabu_machine[v, u_old] = m_old
        else:
            tabu_first[v, m_old] = until
    move_op(v, k, position, mode_start, mode_machine, mode_duration, mode, machine, p, seq,
            seq_len, pos)


@_jit
def move_op(v: int, k: int, position: int, mode_start: Any, mode_machine: Any,
            mode_duration: Any, mode: Any, machine: Any, p: Any, seq: Any, seq_len: Any,
            pos: Any) -> None:
    """Take ``v`` out of its sequence and insert it in mode ``k`` at ``position`` (an
    index of the target sequence without ``v``)."""
    m_old = machine[v]
    for i in range(pos[v], seq_len[m_old] - 1):
        seq[m_old, i] = seq[m_old, i + 1]
        pos[seq[m_old, i]] = i
    seq_len[m_old] -= 1
    seq[m_old, seq_len[m_old]] = -1
    m = mode_machine[mode_start[v] + k]
    for i in range(seq_len[m], position, -1):
        seq[m, i] = seq[m, i - 1]
        pos[seq[m, i]] = i
    seq[m, position] = v
    pos[v] = position
    seq_len[m] += 1
    mode[v] = k
    machine[v] = m
    p[v] = mode_duration[mode_start[v] + k]


@_jit
def walk(jp: Any, js: Any, release: Any, mode_start: Any, mode_machine: Any,
         mode_duration: Any, mode: Any, machine: Any, p: Any, seq: Any, seq_len: Any,
         pos: Any, mp: Any, ms: Any, r: Any, q: Any, order: Any, indeg: Any,
         tabu_until: Any, tabu_machine: Any, tabu_first: Any, rng: Any, state: Any,
         steps: int, tenure_base: int) -> int:
    """Up to ``steps`` iterations; stops at once after a new best makespan.

    ``state`` holds (iteration, cmax, best_cmax) and is updated in place.  Returns the
    iterations made; the caller reads the new best from the arrays when
    ``state[1] < best_cmax`` on entry.
    """
    out = np.zeros(4, dtype=np.int64)
    iteration, cmax, best_cmax = state[0], state[1], state[2]
    made = 0
    while made < steps:
        found = best_move(jp, js, release, mode_start, mode_machine, mode_duration,
                          machine, p, seq, seq_len, pos, r, q, cmax, best_cmax, iteration,
                          tabu_until, tabu_machine, tabu_first, rng, out)
        iteration += 1
        made += 1
        if not found:  # every move tabu: forget the list
            tabu_until[:, :] = 0
            tabu_first[:, :] = 0
            continue
        tenure = tenure_base + next_random(rng, tenure_base + 1)
        apply_move(out[1], out[2], out[3], iteration + tenure, mode_start,
                   mode_machine, mode_duration, mode, machine, p, seq, seq_len, pos,
                   tabu_until, tabu_machine, tabu_first)
        cmax = evaluate(jp, js, release, p, seq, seq_len, mp, ms, r, q, order, indeg)
        if cmax < 0:
            break  # cannot happen with positive durations; the caller raises
        if cmax < best_cmax:
            break
    state[0], state[1] = iteration, cmax
    return made
