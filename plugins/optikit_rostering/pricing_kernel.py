"""The labelling pricer's inner loops on flat arrays, compiled with numba when it is there.

Why: the CP-SAT pricer takes 30-50 ms a call and 85 % of a column-generation round; the
same one-employee problem is a resource-constrained shortest path over days, which a
compiled labelling programme solves in about a millisecond (numba, the ``fast`` extra; the
functions release the GIL so two pricing threads overlap).  Without numba they run as plain
Python with the same results (slow; the tests use that to check them).

A label is one partial row up to a day: its *node* (yesterday's shift + 1 or 0 for off, the
length of the current run of work or rest, whether that run began on day 0, the current run
of nights), its cost, and its resources ``res`` (0: minutes worked, 1: weekends worked,
2: minutes this calendar week, 3: days worked this week, 4+: shifts of each capped type).
The node's moves hold the run rules and forbidden successions (:func:`step`); the
resources' caps are checked on extension; a label is dropped when another at the same node
costs no more and uses no more of each resource (minutes: see :func:`_dominates`), or when
its cost plus the node's completion bound (:func:`backward`, the run rules without
resources) exceeds ``ub``.

Integer parameters ``ip`` (indices below): shifts, run caps, the rules' limits.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optikit.compiled import COMPILED as COMPILED  # re-exported: callers check it here
from optikit.compiled import jit as _jit

#: Indices into ``ip``.
MAX_RUN, MIN_RUN, MIN_OFF, WORK_CAP, OFF_CAP, RUN_CAP = 0, 1, 2, 3, 4, 5
MAX_NIGHTS, NIGHT_CAP, TRACK_NIGHTS, MIN_MINUTES, MAX_FINITE = 6, 7, 8, 9, 10
PARAMS = 11
#: Resource columns.
MINUTES, WEEKENDS, WEEK_MINUTES, WEEK_DAYS, COUNTS = 0, 1, 2, 3, 4


@_jit
def encode(last: int, run: int, edge: int, nights: int, ip: Any) -> int:
    """The node number of (last shift + 1, run length, run began on day 0, night run)."""
    return ((last * (ip[RUN_CAP] + 1) + run) * 2 + edge) * (ip[NIGHT_CAP] + 1) + nights


@_jit
def num_nodes(shifts: int, ip: Any) -> int:
    return (shifts + 1) * (ip[RUN_CAP] + 1) * 2 * (ip[NIGHT_CAP] + 1)


@_jit
def step(node: int, d: int, c: int, forb: Any, night: Any, ip: Any) -> int:
    """The node after working shift ``c`` (-1: off) on day ``d`` from ``node`` (the state at
    the end of day ``d - 1``), or -1 if a run rule or a forbidden succession forbids it."""
    nights = node % (ip[NIGHT_CAP] + 1)
    rest = node // (ip[NIGHT_CAP] + 1)
    edge = rest % 2
    rest //= 2
    run = rest % (ip[RUN_CAP] + 1)
    last = rest // (ip[RUN_CAP] + 1)
    work = c >= 0
    prev = last > 0 and d > 0
    if work and ip[MAX_RUN] < 1:
        return -1
    if d == 0:
        run2, edge2 = 1, 1
    elif work != prev:
        need = ip[MIN_RUN] if prev else ip[MIN_OFF]
        if edge == 0 and run < need:
            return -1  # an interior run shorter than its minimum ends here
        run2, edge2 = 1, 0
    else:
        run2, edge2 = run + 1, edge
        if work:
            if run2 > ip[WORK_CAP]:
                if ip[MAX_FINITE] == 1:
                    return -1
                run2 = ip[WORK_CAP]
        elif run2 > ip[OFF_CAP]:
            run2 = ip[OFF_CAP]
    if work and prev and forb[last - 1, c]:
        return -1
    nights2 = 0
    if ip[TRACK_NIGHTS] == 1 and work and night[c]:
        nights2 = (nights if prev else 0) + 1
        if nights2 > ip[MAX_NIGHTS]:
            return -1
    last2 = c + 1 if work else 0
    return ((last2 * (ip[RUN_CAP] + 1) + run2) * 2 + edge2) * (ip[NIGHT_CAP] + 1) + nights2


@_jit
def backward(allowed: Any, must: Any, cost: Any, forb: Any, night: Any, ip: Any, units: Any,
             top: int, least: int, saturate: bool) -> Any:
    """``h[d, node, m]``: the least cost of days ``d + 1 ..`` from ``node`` at the end of day
    ``d`` with ``m`` units of minutes worked, under the run rules, successions and the
    minutes' range alone (other resources relaxed: a lower bound).  Minutes count in units
    (``units`` per shift) up to ``top``; ``saturate``: no maximum, so ``top`` (the minimum)
    stands for any more; at the end at least ``least`` units.  ``must[d]``: day ``d`` is
    worked (a branch-and-price node's decision)."""
    days, shifts = allowed.shape
    nodes = num_nodes(shifts, ip)
    h = np.full((days, nodes, top + 1), np.inf)
    for m in range(least, top + 1):
        h[days - 1, :, m] = 0.0
    for d in range(days - 2, -1, -1):
        for node in range(nodes):
            for c in range(-1, shifts):
                if (c >= 0 and not allowed[d + 1, c]) or (c < 0 and must[d + 1]):
                    continue
                nxt = step(node, d + 1, c, forb, night, ip)
                if nxt < 0:
                    continue
                add = 0.0
                u = 0
                if c >= 0:
                    add = cost[d + 1, c]
                    u = units[c]
                for m in range(top + 1):
                    m2 = m + u
                    if m2 > top:
                        if not saturate:
                            break
                        m2 = top
                    value = h[d + 1, nxt, m2] + add
                    if value < h[d, node, m]:
                        h[d, node, m] = value
    return h


@_jit
def _dominates(rb: Any, ra: Any, dom: Any, caps: Any, room: int, least: int, ahead: Any,
               shortest: int) -> bool:
    """Whether resources ``rb`` serve every completion ``ra`` does.  Minutes are two-sided
    (a minimum and a maximum): equal, or fewer but already at the minimum, or more but
    unable to pass the maximum with every minute still workable (``room``).  A capped
    resource where ``rb`` is higher still passes if no completion can take ``rb`` over
    its cap (``ahead``: the most it can still grow by the days left; and at most one a
    shift that ``rb``'s minutes leave room for, ``shortest`` minutes each)."""
    mb, ma = rb[MINUTES], ra[MINUTES]
    if not (mb == ma or (least <= mb and mb <= ma) or (mb >= ma and mb + room <= caps[MINUTES])):
        return False
    shifts_left = ahead[WEEK_DAYS]  # (the days left, in this column)
    if shortest > 0 and caps[MINUTES] - mb < shifts_left * shortest:
        shifts_left = (caps[MINUTES] - mb) // shortest
    for j in range(1, rb.shape[0]):
        if dom[j] and rb[j] > ra[j]:
            grow = ahead[j]
            if j >= COUNTS and shifts_left < grow:
                grow = shifts_left
            if WEEKENDS < j < COUNTS or rb[j] + grow > caps[j]:  # (weekly: never relaxed)
                return False
    return True


@_jit
def extend(d: int, node: Any, cost: Any, res: Any, allowed: Any, must: Any, cst: Any, forb: Any,
           night: Any, minutes: Any, capidx: Any, caps: Any, dom: Any, ip: Any,
           weekend: Any, weekend_cont: Any, week_reset: Any, week_days: Any, room: Any,
           hrow: Any, units: Any, top: int, ahead: Any, shortest: int, ub: float, beam: int,
           limit: int) -> Any:
    """The labels at the end of day ``d`` from those at the end of ``d - 1``: (node, cost,
    resources, parent, shift or -1, ok); ``ok`` is False when more than ``limit`` labels
    survive (the caller falls back).  ``beam`` > 0 keeps at most that many a node."""
    n = node.shape[0]
    shifts = allowed.shape[1]
    width = res.shape[1]
    size = n * (shifts + 1)
    c_node = np.empty(size, np.int64)
    c_cost = np.empty(size)
    c_res = np.empty((size, width), np.int64)
    c_par = np.empty(size, np.int64)
    c_ch = np.empty(size, np.int64)
    last_cap = (ip[RUN_CAP] + 1) * 2 * (ip[NIGHT_CAP] + 1)
    m = 0
    for i in range(n):
        prev = d > 0 and node[i] // last_cap > 0
        for c in range(-1, shifts):
            if (c >= 0 and not allowed[d, c]) or (c < 0 and must[d]):
                continue
            nxt = step(node[i], d, c, forb, night, ip)
            if nxt < 0:
                continue
            value = cost[i] + (cst[d, c] if c >= 0 else 0.0)
            used = res[i, MINUTES] // units[shifts] + (units[c] if c >= 0 else 0)
            if value + hrow[nxt, min(used, top)] > ub:
                continue
            for j in range(width):
                c_res[m, j] = res[i, j]
            if week_reset[d]:
                c_res[m, WEEK_MINUTES] = 0
                c_res[m, WEEK_DAYS] = 0
            if c >= 0:
                c_res[m, MINUTES] += minutes[c]
                if c_res[m, MINUTES] > caps[MINUTES]:
                    continue
                c_res[m, WEEK_MINUTES] += minutes[c]
                if c_res[m, WEEK_MINUTES] > caps[WEEK_MINUTES]:
                    continue
                c_res[m, WEEK_DAYS] += 1
                if c_res[m, WEEK_DAYS] > week_days[d]:
                    continue
                if weekend[d] and not (weekend_cont[d] and prev):
                    c_res[m, WEEKENDS] += 1
                    if c_res[m, WEEKENDS] > caps[WEEKENDS]:
                        continue
                k = capidx[c]
                if k >= 0:
                    c_res[m, k] += 1
                    if c_res[m, k] > caps[k]:
                        continue
            if c_res[m, MINUTES] + room[d] < ip[MIN_MINUTES]:
                continue
            c_node[m] = nxt
            c_cost[m] = value
            c_par[m] = i
            c_ch[m] = c
            m += 1
    by_cost = np.argsort(c_cost[:m], kind="mergesort")
    order = by_cost[np.argsort(c_node[by_cost], kind="mergesort")]
    keep = np.empty(m, np.int64)
    k = 0
    first = 0
    ok = True
    for t in range(m):
        a = order[t]
        if t == 0 or c_node[a] != c_node[order[t - 1]]:
            first = k
        if beam > 0 and k - first >= beam:
            continue
        dominated = False
        for u in range(first, k):
            if _dominates(c_res[keep[u]], c_res[a], dom, caps, room[d], ip[MIN_MINUTES],
                          ahead, shortest):
                dominated = True
                break
        if not dominated:
            keep[k] = a
            k += 1
            if k > limit:
                ok = False
                break
    sel = keep[:k]
    return c_node[sel], c_cost[sel], c_res[sel], c_par[sel], c_ch[sel], ok
