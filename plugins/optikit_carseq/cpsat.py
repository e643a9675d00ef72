"""Formulation ``cpsat``: greedy start, hinted CP-SAT on the full model, then LNS.

1. :func:`optikit_carseq.greedy.construct` (randomised restarts, best kept) gives a
   sequence in milliseconds: the answer if nothing better is found, and the first hint.
2. The local search (:mod:`optikit_carseq.localsearch`: swaps, shifts, block
   reversals) until it stalls (on excess-only lines: one descent for its whole share,
   moved on by breakout weights): it finds zero-violation sequences of the CSPLib
   200-car instances in a fraction of a second, and of set-1 16/81 in seconds.  On
   those lines it gets ``excess_ls_share`` of the time (the CP-SAT stages after it found
   nothing better on set 1), and with two threads a second descent on another seed runs
   in a child process (:mod:`optikit_carseq.search_process`).
   On lines with paint rules (of ``VECTOR_FROM`` cars or more) it is
   :mod:`optikit_carseq.vecsearch` instead: one car's
   swaps with every other car (and its shifts) priced at once with numpy, the best one
   made; it clears the high-priority windows of a 1,000-car line in about a second.
   The option-wise bound (:mod:`optikit_carseq.bounds`) may then prove it optimal, and
   if not, the pairwise bound (:mod:`optikit_carseq.pairs`, each pair of options solved
   alone) may.
3. CP-SAT on the full model (:mod:`optikit_carseq.cpsat_model`, remaining-demand
   constraints included), hinted, for ``global_share`` of the time: closes small
   instances and yields the proven bound.
4. Until the deadline, large-neighbourhood search alternating with local-search
   bursts: free a set of positions (a segment around a violated window, a random
   segment, or a few short segments far apart so cars can travel), fix the rest,
   re-solve that sub-model with CP-SAT, keep the result when it is no worse.  The freed
   size adapts: up after a sub-solve that finished, down after one that timed out.
   On lines of at most ``SMALL`` cars this step is instead a second full solve, without
   the hint, on a fresh seed, admitting only sequences better than the best (the
   hinted solve plus LNS ended above the plain model on generated 30-car lines).
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from typing import Any

from optikit.types import Outcome, SolveContext, Status
from optikit_carseq import bounds, cpsat_model, greedy, pairs, search_process
from optikit_carseq.evaluate import Evaluation, evaluate
from optikit_carseq.localsearch import SwapSearch
from optikit_carseq.model import CarSeqProblem
from optikit_carseq.options import CPSAT_OPTIONS
from optikit_carseq.plain import payload
from optikit_carseq.vecsearch import VectorSearch

#: A local-search burst ends after this many tries without a gain.
STALL_TRIES = 100_000
#: Lines up to this many cars also get a full-model solve without the hint (and no LNS,
#: whose neighbourhoods would free the whole line): the local search still runs first,
#: it found the best sequences on generated 30-car lines.
SMALL = 30
#: Iterated local search gives up after this many perturbations without a gain.
SHAKES_WITHOUT_GAIN = 30
#: Rough cost of building, hinting and presolving the full model, per linear term (a
#: 1,000-car line with 8 options and paint has about 400,000 terms: 2-3 s on a busy
#: 2-core machine).  The full solve is skipped when this would take half its slot.
SECONDS_PER_TERM = 6e-6
#: The swap search hands its best sequence over at most this often (seconds).
OFFER_EVERY = 0.2
#: Painted lines from this many cars get the numpy best-move search by default.  On
#: generated 30-car lines it ended above the plain model (4,306 against 4,054 at 10 s:
#: a steepest move per car stalls where the one-move-per-try search wanders on); at 100
#: cars the two searches tied, from 300 cars on it was ahead.
VECTOR_FROM = 200
#: The second search process starts only when the search has at least this many seconds
#: (forking and stopping a child costs a few tens of milliseconds).
PROCESS_FROM_S = 1.0
#: The second search weights its violated windows this many times less often than the
#: first (``excess_breakout``), so the two descents differ in more than their seed.  On
#: 10/93 with whole-line shifts and reversals (search alone, 20 s, seeds 11-19, loaded)
#: 40,000 / 80,000 / 200,000 tries gave 3 on 2 / 4 / 3 of 9 seeds, 20,000 on none.
PROCESS_BREAKOUT_FACTOR = 2.5


class _Best:
    def __init__(self, ctx: SolveContext) -> None:
        self.ctx = ctx
        self.seq: list[int] | None = None
        self.eval: Evaluation | None = None
        self.counts: Counter[int] | None = None

    @property
    def value(self) -> float:
        return self.eval.value if self.eval is not None else math.inf

    def offer(self, problem: CarSeqProblem, seq: list[int], source: str,
              accept_equal: bool = False) -> bool:
        if self.counts is None:
            self.counts = Counter(k for k, c in enumerate(problem.classes) for _ in range(c.count))
        if Counter(seq) != self.counts:
            self.ctx.log(f"internal: a {source} sequence builds the wrong cars; ignored")
            return False
        ev = evaluate(problem, seq)
        if not ev.feasible:
            return False
        better = ev.value < self.value - 1e-9
        if better or (accept_equal and ev.value <= self.value + 1e-9):
            self.seq, self.eval = seq, ev
            if better:
                self.ctx.report(ev.value, None, source)
            return True
        return False


def _start(problem: CarSeqProblem, ctx: SolveContext, restarts: int, best: _Best) -> None:
    budget = 0.1 * (ctx.remaining() or 10.0)
    began = time.monotonic()
    for r in range(restarts):
        seq = greedy.construct(problem, seed=ctx.options.seed * 1000 + r, noise=0.5 if r else 0.0)
        best.offer(problem, seq, "greedy")
        if best.value <= 0 or time.monotonic() - began > budget:
            break


def _search_end(problem: CarSeqProblem, ctx: SolveContext, lower: float,
                seconds: float | None) -> tuple[float, int]:
    """When a swap search must stop (``seconds`` from now, never past the run's deadline;
    60 s with neither) and the cost at which it may stop early (the lower bound rounded
    up; 0 on lines with a level-scheduling term)."""
    limits = [t for t in (seconds, ctx.remaining()) if t is not None]
    deadline = time.monotonic() + (min(limits) if limits else 60.0)
    return deadline, 0 if problem.weights.level else math.ceil(lower - 1e-9)


def _local_search(problem: CarSeqProblem, ctx: SolveContext, best: _Best, lower: float,
                  seed: int, seconds: float | None, breakout: int, patient: bool = False,
                  helper: search_process.SearchProcess | None = None) -> int:
    """Iterated swap search from the best sequence for ``seconds``; returns the moves.

    Each descent ends when it stalls; the next starts from the best sequence shaken by a
    few random swaps near a violated window (a perturbation of iterated local search).
    ``patient``: one descent for the whole time, the breakout weights alone move it on
    (on CSPLib 16/81 a stall cut at 50,000 tries restarted it just before its last gains).
    ``helper``: a second search in a child process, whose sequences are taken in while
    this one runs; the search stops when either reaches the target.
    """
    assert best.seq is not None
    rng = random.Random(seed)
    deadline, target = _search_end(problem, ctx, lower, seconds)

    def stopped() -> bool:
        if helper is not None:
            _relay(problem, best, helper.collect())
            if best.value <= target:
                return True
        return ctx.stop.is_set()

    moves = 0
    start = list(best.seq)
    failures = 0
    while time.monotonic() < deadline and not stopped() and failures < SHAKES_WITHOUT_GAIN:
        before = best.value
        ls = SwapSearch(problem, start, rng.randrange(1 << 30))

        def improved(_cost: int, ls: SwapSearch = ls) -> None:
            best.offer(problem, ls.sequence(), "local search")

        cost = ls.run(deadline, stopped, target=target, on_improve=improved,
                      stall_moves=None if patient else min(STALL_TRIES, 500 * problem.num_cars),
                      breakout=breakout)
        moves += ls.moves
        best.offer(problem, ls.sequence(), "local search", accept_equal=True)
        if cost <= target or best.eval is None or best.value <= target:
            break
        failures = 0 if best.value < before - 1e-9 else failures + 1
        start = _shake(list(best.seq or start), best.eval.hot, rng)
    return moves


def _relay(problem: CarSeqProblem, best: _Best, found: list[tuple[int, list[int]]]) -> None:
    """Offer the child search's sequences (checked here like any other)."""
    for _cost, seq in found:
        best.offer(problem, seq, "local search (second process)")


def _excess_search(problem: CarSeqProblem, ctx: SolveContext, best: _Best, lower: float,
                   seconds: float | None, opts: dict[str, Any], stats: dict[str, Any]) -> None:
    """The patient descent of an excess-only line, with a second one (another seed, a
    slower breakout) in a child process when there are two threads (``search_process``)
    and time for it."""
    assert best.seq is not None
    helper = None
    if (opts["search_process"] and ctx.options.threads >= 2
            and (seconds is None or seconds >= PROCESS_FROM_S)):
        deadline, target = _search_end(problem, ctx, lower, seconds)
        helper = search_process.start(problem, best.seq, ctx.options.seed * 7919 + 3,
                                      deadline, target,
                                      int(PROCESS_BREAKOUT_FACTOR * opts["excess_breakout"]))
    try:
        stats["ls_moves"] += _local_search(problem, ctx, best, lower, ctx.options.seed,
                                           seconds, int(opts["excess_breakout"]), patient=True,
                                           helper=helper)
    finally:
        if helper is not None:
            _relay(problem, best, helper.close())
            stats["ls_process_moves"] = helper.moves


def _vector_search(problem: CarSeqProblem, ctx: SolveContext, best: _Best, lower: float,
                   seed: int, seconds: float | None, breakout: int) -> int:
    """Best-swap numpy search from the best sequence for ``seconds``; returns the moves."""
    assert best.seq is not None
    deadline, target = _search_end(problem, ctx, lower, seconds)
    search = VectorSearch(problem, best.seq, seed)
    offered = [time.monotonic()]

    def improved(_cost: int) -> None:
        # hundreds of gains a second: checking each one would cost more than finding it
        if time.monotonic() - offered[0] >= OFFER_EVERY:
            offered[0] = time.monotonic()
            best.offer(problem, search.sequence(), "swap search")

    search.run(deadline, ctx.stop.is_set, target=target, on_improve=improved, breakout=breakout)
    best.offer(problem, search.sequence(), "swap search", accept_equal=True)
    return search.moves


def _vectorised(problem: CarSeqProblem, opts: dict[str, Any]) -> bool:
    """The numpy best-move search runs on lines with paint rules of ``VECTOR_FROM`` cars
    or more (``swap_search=auto``)."""
    choice = opts["swap_search"]
    if choice == "auto":
        painted = problem.has_paint or problem.max_batch is not None
        return painted and problem.num_cars >= VECTOR_FROM
    return bool(choice == "vector")


def _breakout(problem: CarSeqProblem, opts: dict[str, Any]) -> int:
    return int(opts["vector_breakout"] if _vectorised(problem, opts) else opts["breakout"])


def _shake(seq: list[int], hot: tuple[int, ...], rng: random.Random) -> list[int]:
    n = len(seq)
    centre = rng.choice(hot) if hot else rng.randrange(n)
    span = min(n, 24)
    lo = max(0, min(n - span, centre - span // 2))
    for _ in range(rng.randint(2, 6)):
        a, b = lo + rng.randrange(span), lo + rng.randrange(span)
        seq[a], seq[b] = seq[b], seq[a]
    return seq


def _neighbourhood(problem: CarSeqProblem, ev: Evaluation, size: int, rng: random.Random
                   ) -> list[int]:
    n = problem.num_cars
    size = min(size, n)
    kind = rng.random()
    if ev.hot and kind < 0.6:
        centre = rng.choice(ev.hot)
        a = max(0, min(n - size, centre - rng.randrange(size)))
        return list(range(a, a + size))
    if kind < 0.8:
        a = rng.randrange(n - size + 1)
        return list(range(a, a + size))
    pieces = 3
    part = max(2, size // pieces)
    chosen: set[int] = set()
    for _ in range(pieces):
        a = rng.randrange(max(1, n - part + 1))
        chosen.update(range(a, min(n, a + part)))
    if ev.hot:
        centre = rng.choice(ev.hot)
        chosen.update(range(max(0, centre - part // 2), min(n, centre + part // 2)))
    return sorted(chosen)


def _lns(problem: CarSeqProblem, backend: Any, ctx: SolveContext, best: _Best,
         lower: float, opts: dict[str, Any], stats: dict[str, Any]) -> None:
    rng = random.Random(ctx.options.seed * 7919 + 1)
    size = float(opts["lns_size"])
    iterations = improvements = 0
    while not ctx.expired() and not ctx.stop.is_set() and best.value > lower + 1e-9:
        assert best.seq is not None and best.eval is not None
        base = list(best.seq)
        free = _neighbourhood(problem, best.eval, int(size), rng)
        sm = cpsat_model.build(problem, base, free)
        result = backend.solve(sm.model, ctx.narrowed(opts["lns_sub_time"]),
                               hint=cpsat_model.complete_hint(sm, base),
                               workers=max(1, ctx.options.threads), report_progress=False,
                               parameters={"random_seed": rng.randrange(1 << 30)})
        iterations += 1
        if result.status.has_solution:
            before = best.value
            seq = sm.solution(base, result.boolean_value)
            best.offer(problem, seq, "lns", accept_equal=True)
            improvements += best.value < before - 1e-9
        if iterations % opts["ls_every"] == 0:
            search = _vector_search if _vectorised(problem, opts) else _local_search
            stats["ls_moves"] += search(problem, ctx, best, lower, rng.randrange(1 << 30),
                                        opts["ls_burst"], _breakout(problem, opts))
        if result.status in (Status.OPTIMAL, Status.INFEASIBLE):
            size = min(problem.num_cars, size * 1.1 + 1)
        else:
            size = max(8.0, size * 0.9)
    stats.update(lns_iterations=iterations, lns_improvements=improvements,
                 lns_final_size=int(size))


def _full_solve(problem: CarSeqProblem, backend: Any, ctx: SolveContext, best: _Best,
                limit: float | None, redundant: bool, hinted: bool, seed: int | None,
                stats: dict[str, Any]) -> tuple[float, bool] | None:
    """CP-SAT on the full model; returns (bound, proven optimal), None when infeasible.

    ``hinted``: start from the best sequence.  Otherwise, with ``seed`` (a CP-SAT seed
    other than the run's), the model only admits sequences better than the best one, so
    the search spends itself on improvements and its infeasibility proves the best optimal.
    """
    sm = cpsat_model.build(problem, None, None, redundant=redundant)
    hint = cpsat_model.complete_hint(sm, best.seq) if hinted and best.seq else None
    cutoff = None
    if not hinted and best.eval is not None and sm.objective is not None:
        cutoff = math.ceil(best.value / sm.objective_scale - 1e-6) - 1
        sm.model.add(sm.objective <= cutoff)
    parameters = None if seed is None else {"random_seed": seed % (1 << 30)}
    result = backend.solve(sm.model, ctx, hint=hint, time_limit=limit,
                           objective_scale=sm.objective_scale, parameters=parameters)
    key = "global_status" if hinted else "unhinted_status"
    stats[key] = result.status.value
    stats.update(sm.stats)
    if result.status is Status.INFEASIBLE:
        return (best.value, True) if cutoff is not None else None
    if result.status.has_solution:
        best.offer(problem, sm.solution([0] * problem.num_cars, result.boolean_value),
                   "cpsat" if hinted else "cpsat (unhinted)")
    bound = result.bound if result.bound is not None and math.isfinite(result.bound) else -math.inf
    return bound, result.status is Status.OPTIMAL


def _batch_limit_infeasible(stats: dict[str, Any]) -> Outcome:
    return Outcome(status=Status.INFEASIBLE, message="CP-SAT proved that no sequence meets "
                   "the paint batch limit", stats=stats)


def solve(problem: CarSeqProblem, backend: Any, ctx: SolveContext) -> Outcome:
    began = time.monotonic()
    opts = ctx.options_for(CPSAT_OPTIONS)
    best = _Best(ctx)
    _start(problem, ctx, int(opts["greedy_restarts"]), best)
    first_s = round(time.monotonic() - began, 3)
    lower = bounds.lower_bound(problem)
    ctx.report(None, lower, "option-wise bound")
    stats: dict[str, Any] = {"greedy_objective": best.value if best.seq else None,
                             "first_solution_s": first_s if best.seq else None, "ls_moves": 0}
    small = problem.num_cars <= SMALL
    proven = best.seq is not None and best.value <= lower + 1e-9
    hinted_done = False  # the hinted full solve already ran (small lines run it first)
    if small and not proven and best.seq is not None:
        # a short hinted full solve first: it settles the smallest lines in milliseconds,
        # before the local search would spend its share on them
        remaining = ctx.remaining()
        quick = None if remaining is None else max(0.2, remaining * opts["global_share"])
        outcome = _full_solve(problem, backend, ctx, best, quick, bool(opts["redundant"]),
                              hinted=True, seed=None, stats=stats)
        if outcome is None:
            return _batch_limit_infeasible(stats)
        lower, proven = max(lower, outcome[0]), outcome[1]
        hinted_done = True
    if best.seq is not None and best.value > lower + 1e-9 and not proven:
        remaining = ctx.remaining()
        unpainted = not problem.has_paint and problem.max_batch is None and not small
        # the search does not see the level term: a line with one keeps the old share
        excess_only = unpainted and not problem.weights.level
        key = "excess_ls_share" if excess_only else "ls_share"
        share = None if remaining is None else remaining * opts[key]
        if _vectorised(problem, opts):
            stats["ls_moves"] += _vector_search(problem, ctx, best, lower, ctx.options.seed,
                                                share, _breakout(problem, opts))
        elif excess_only:
            _excess_search(problem, ctx, best, lower, share, opts, stats)
        else:
            stats["ls_moves"] += _local_search(problem, ctx, best, lower, ctx.options.seed,
                                               share, int(opts["breakout"]), patient=unpainted)
        stats["ls_objective"] = best.value
    proven = proven or (best.seq is not None and best.value <= lower + 1e-9)
    if not proven and not ctx.expired() and opts["pair_share"] > 0:
        remaining = ctx.remaining()
        seconds = 5.0 if remaining is None else remaining * opts["pair_share"]
        pair, pair_stats = pairs.pair_bound(problem, backend, ctx, seconds, best.value)
        stats.update(pair_stats)
        if pair > lower + 1e-9:
            lower = pair
            ctx.report(None, lower, "pairwise bound")
        proven = best.seq is not None and best.value <= lower + 1e-9
    remaining = ctx.remaining()
    limit = None if remaining is None else max(0.2, remaining * opts["global_share"])
    overhead = SECONDS_PER_TERM * cpsat_model.size_estimate(problem)
    if limit is not None and overhead > 0.5 * limit and not proven and best.seq is not None:
        # building, hinting and presolving the full model would eat its slot: on a
        # 1,000-car line with 10 s the solve got no search time and the command overran
        stats["global_status"] = "skipped (line too large for the time left)"
    elif not proven and not ctx.expired():
        if not hinted_done:
            outcome = _full_solve(problem, backend, ctx, best, limit, bool(opts["redundant"]),
                                  hinted=True, seed=None, stats=stats)
            if outcome is None:
                return _batch_limit_infeasible(stats)
            lower = max(lower, outcome[0])
            proven = outcome[1] or best.value <= lower + 1e-9
        if small and not proven and not ctx.expired():
            # On a small line the LNS neighbourhoods free the whole line anyway; a second
            # full solve without the hint, on a fresh seed, for the rest of the time
            # leaves the attraction of the hinted start (generated 30-car line, seed 1,
            # 10 s: hinted solve plus LNS 4,308 against 4,055 for the plain model).
            outcome = _full_solve(problem, backend, ctx, best, ctx.remaining(),
                                  bool(opts["redundant"]), hinted=False,
                                  seed=ctx.options.seed * 7919 + 17, stats=stats)
            if outcome is not None:
                lower = max(lower, outcome[0])
                proven = outcome[1] or best.value <= lower + 1e-9
    if not proven and best.seq is not None and ctx.remaining() is not None:
        _lns(problem, backend, ctx, best, lower, opts, stats)
        proven = best.value <= lower + 1e-9
    if best.seq is None:
        return Outcome(status=Status.UNKNOWN, message="no sequence within the paint batch "
                       "limit found in time", bound=lower, stats=stats)
    gap_ok = best.value - lower <= ctx.options.gap * max(abs(best.value), 1e-9) + 1e-9
    return Outcome(status=Status.OPTIMAL if proven or gap_ok else Status.FEASIBLE,
                   payload=payload(problem, best.seq), objective=best.value,
                   bound=min(lower, best.value), stats=stats)
