"""Inner loop of the local search for shops with changeovers and weighted tardiness.

Why a second kernel next to :mod:`optikit_fjsp.tabu_kernel`: that walk rates moves by
the longest path through the moved operation, which is exact only for the makespan
without changeovers.  With sequence-dependent setups, releases and a weighted sum of
makespan and job tardiness there is no cheap exact rating, so every move here is
rated by an exact forward pass (heads with changeovers, then the objective).  Compiled
(numba, no GIL) a pass over 1,200 operations costs microseconds, so a walk still makes
hundreds of moves a second; without numba the functions run as plain Python (slow,
same results; the tests compare the two).

The neighbourhood (one iteration):

1. a target job is drawn with probability proportional to what a unit earlier
   completion would save: its tardiness weight if it is late, plus the makespan weight
   for the job that ends last;
2. a critical path to the target's last operation is traced backwards along tight
   arcs (job predecessor, or machine predecessor plus its changeover);
3. each operation of that path is re-inserted on each of its machines at up to
   ``2 * window + 1`` positions around the time its job predecessor ends (and on its
   own machine also up to ``window`` places earlier than now); a move whose graph has a
   cycle is dropped (the forward pass finds it);
4. the best non-tabu move is made even if it is worse (a tabu walk); a tabu move is
   taken when it beats the best objective (aspiration).  The moved operation is tabu
   for a random tenure.

State arrays (``n`` operations, ``k`` machines; ``int64`` unless said):

- static: ``jp``/``js`` job neighbours (-1: none), ``release`` (of first operations),
  ``op_job``, ``job_last`` (last operation of each job), ``due`` and ``weight``
  (``float64``, due ``inf`` when the job has none), ``prod`` (product of each
  operation's job, ``num_products`` for none), ``setup`` (``k x P+1 x P+1``), modes as
  ``mode_start``/``mode_machine``/``mode_duration``;
- schedule: ``mode``, ``machine``, ``p``, ``seq`` (``k x n``), ``seq_len``, ``pos``;
  derived ``mp`` (machine predecessor) and heads ``r``; scratch ``order``/``indeg``;
- ``rng``: one ``uint64`` xorshift state.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optikit.compiled import COMPILED as COMPILED  # re-exported: callers check it here
from optikit.compiled import jit as _jit
from optikit_fjsp.tabu_kernel import machine_neighbours, move_op, next_random

CYCLE = -1.0
INF = 1e300


@_jit
def evaluate(jp: Any, js: Any, release: Any, p: Any, machine: Any, prod: Any, setup: Any,
             seq: Any, seq_len: Any, mp: Any, ms: Any, r: Any, order: Any, indeg: Any,
             job_last: Any, due: Any, weight: Any, w_makespan: float,
             w_tardiness: float) -> float:
    """Earliest starts (heads ``r``) with changeovers; the objective, or ``CYCLE``."""
    n = jp.shape[0]
    machine_neighbours(seq, seq_len, mp, ms)
    tail = 0
    for g in range(n):
        indeg[g] = (1 if jp[g] >= 0 else 0) + (1 if mp[g] >= 0 else 0)
        r[g] = release[g]
        if indeg[g] == 0:
            order[tail] = g
            tail += 1
    head = 0
    while head < tail:
        g = order[head]
        head += 1
        end = r[g] + p[g]
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
            t = end + setup[machine[g], prod[g], prod[h]]
            if t > r[h]:
                r[h] = t
            indeg[h] -= 1
            if indeg[h] == 0:
                order[tail] = h
                tail += 1
    if tail != n:
        return CYCLE
    cmax = 0
    total = 0.0
    for j in range(job_last.shape[0]):
        g = job_last[j]
        c = r[g] + p[g]
        if c > cmax:
            cmax = c
        if c > due[j]:
            total += weight[j] * (c - due[j])
    return w_makespan * cmax + w_tardiness * total


@_jit
def critical_path(target: int, jp: Any, release: Any, p: Any, machine: Any, prod: Any,
                  setup: Any, mp: Any, r: Any, rng: Any, path: Any) -> int:
    """Operations of a tight path ending at ``target`` into ``path``; their count.

    At each step the tight predecessors (job, machine with its changeover) are found;
    when both are tight one is drawn at random.
    """
    count = 0
    g = target
    while g >= 0:
        path[count] = g
        count += 1
        a = jp[g]
        b = mp[g]
        tight_a = a >= 0 and r[a] + p[a] == r[g]
        tight_b = b >= 0 and r[b] + p[b] + setup[machine[b], prod[b], prod[g]] == r[g]
        if tight_a and tight_b:
            g = a if next_random(rng, 2) == 0 else b
        elif tight_a:
            g = a
        elif tight_b:
            g = b
        else:
            g = -1  # starts at its release (or at 0)
    return count


@_jit
def pick_target(r: Any, p: Any, job_last: Any, due: Any, weight: Any, w_makespan: float,
                w_tardiness: float, rng: Any) -> int:
    """The last operation of a job drawn by what a unit earlier completion would save."""
    jobs = job_last.shape[0]
    cmax = 0
    last = 0
    for j in range(jobs):
        c = r[job_last[j]] + p[job_last[j]]
        if c > cmax:
            cmax = c
            last = j
    total = 0.0
    for j in range(jobs):
        g = job_last[j]
        if r[g] + p[g] > due[j]:
            total += w_tardiness * weight[j]
    total += w_makespan
    if total <= 0.0:
        return job_last[last]
    draw = (next_random(rng, 1 << 30) + 0.5) / (1 << 30) * total
    for j in range(jobs):
        g = job_last[j]
        if r[g] + p[g] > due[j]:
            draw -= w_tardiness * weight[j]
            if draw <= 0.0:
                return g
    return job_last[last]


@_jit
def walk(jp: Any, js: Any, release: Any, op_job: Any, job_last: Any, due: Any,
         weight: Any, prod: Any, setup: Any, mode_start: Any, mode_machine: Any,
         mode_duration: Any, mode: Any, machine: Any, p: Any, seq: Any, seq_len: Any,
         pos: Any, mp: Any, ms: Any, r: Any, order: Any, indeg: Any, tabu_until: Any,
         rng: Any, values: Any, state: Any, steps: int, window: int, tenure_base: int,
         max_evals: int) -> int:
    """Up to ``steps`` iterations; returns early after a new best.

    ``state`` holds (iteration,) and ``values`` (current, best) objectives, both updated
    in place; the arrays hold the current schedule (heads evaluated) on return.
    """
    n = jp.shape[0]
    w_m = values[2]
    w_t = values[3]
    current = values[0]
    best = values[1]
    iteration = state[0]
    path = np.empty(n, dtype=np.int64)
    rc = np.empty(n, dtype=np.int64)  # heads of the current schedule (r: of trial moves)
    made = 0
    while made < steps:
        made += 1
        iteration += 1
        target = pick_target(r, p, job_last, due, weight, w_m, w_t, rng)
        count = critical_path(target, jp, release, p, machine, prod, setup, mp, r, rng, path)
        for g in range(n):
            rc[g] = r[g]
        # Rough cost of the neighbourhood; sample operations when it is too large.
        keep_every = 1
        guess = count * (2 * window + 2) * 2
        if guess > max_evals:
            keep_every = (guess + max_evals - 1) // max_evals
        best_value = INF
        best_v = -1
        best_k = 0
        best_i = 0
        ties = 0
        for c in range(count):
            v = path[c]
            if keep_every > 1 and next_random(rng, keep_every) != 0:
                continue
            old_k = mode[v]
            old_m = machine[v]
            old_i = pos[v]
            a = jp[v]
            ready = release[v]
            if a >= 0 and rc[a] + p[a] > ready:
                ready = rc[a] + p[a]
            for k in range(mode_start[v + 1] - mode_start[v]):
                m = mode_machine[mode_start[v] + k]
                # The insertion index (in m without v) of the first operation starting
                # at or after ``ready``.
                length = seq_len[m] - (1 if m == old_m else 0)
                at = 0
                while at < length:
                    x = seq[m, at + (1 if m == old_m and at >= old_i else 0)]
                    if rc[x] >= ready:
                        break
                    at += 1
                lo = at - window
                hi = at + window
                if m == old_m and old_i - window < lo:
                    lo = old_i - window
                if lo < 0:
                    lo = 0
                if hi > length:
                    hi = length
                for i in range(lo, hi + 1):
                    if m == old_m and i == old_i and k == old_k:
                        continue
                    move_op(v, k, i, mode_start, mode_machine, mode_duration, mode,
                            machine, p, seq, seq_len, pos)
                    value = evaluate(jp, js, release, p, machine, prod, setup, seq,
                                     seq_len, mp, ms, r, order, indeg, job_last, due,
                                     weight, w_m, w_t)
                    move_op(v, old_k, old_i, mode_start, mode_machine, mode_duration,
                            mode, machine, p, seq, seq_len, pos)
                    if value == CYCLE:
                        continue
                    if tabu_until[v] > iteration and value >= best - 1e-9:
                        continue
                    if value < best_value - 1e-9:
                        best_value = value
                        best_v, best_k, best_i = v, k, i
                        ties = 1
                    elif value <= best_value + 1e-9:
                        ties += 1
                        if next_random(rng, ties) == 0:
                            best_v, best_k, best_i = v, k, i
        if best_v >= 0:
            move_op(best_v, best_k, best_i, mode_start, mode_machine, mode_duration, mode,
                    machine, p, seq, seq_len, pos)
            tabu_until[best_v] = iteration + tenure_base + next_random(rng, tenure_base + 1)
        # Heads of the schedule now current (the last pass above was of a trial move).
        current = evaluate(jp, js, release, p, machine, prod, setup, seq, seq_len, mp, ms,
                           r, order, indeg, job_last, due, weight, w_m, w_t)
        if current < best - 1e-9:
            break
    state[0] = iteration
    values[0] = current
    return made
