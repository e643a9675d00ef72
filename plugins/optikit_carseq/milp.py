"""Formulation ``milp``: position x class assignment on any linear backend (small lines).

Variables: a binary ``x[i,k]`` per today's position and class (one class per position,
each class ``count`` times), a continuous excess ``e[j,s] >= cars - max`` per option and
window, a continuous change indicator per neighbouring pair (``>=`` the colour
indicator's rise, for every colour), the paint batch limit as a ``max_batch + 1`` window
per colour, and the level term as an absolute deviation split in two inequalities.  All
the continuous variables take integral values at an optimum because every ``x`` is
binary and they are minimised against integer right-hand sides.

One valid cut per option helps the LP: the excesses of an option add up to at least
the option-wise bound of :mod:`optikit_carseq.bounds` (yesterday's windows included).

It is meant to cross-check the CP-SAT formulations on small instances.  Its status is the
solver's: ``optimal`` only when the solver proves it (its bound meets the sequence's
value), otherwise ``feasible`` with the solver's bound.  The sequence is re-evaluated
from the ``x`` alone, so the objective carries no floating-point noise.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optikit.paradigms import LinearModelBuilder, LinearSolver
from optikit.types import Outcome, SolveContext, Status
from optikit_carseq.bounds import option_excess
from optikit_carseq.evaluate import evaluate
from optikit_carseq.model import CarSeqProblem
from optikit_carseq.plain import payload


class _Milp:
    """The model and the column index of every ``x[i,k]``."""

    def __init__(self, problem: CarSeqProblem) -> None:
        self.problem = problem
        n = problem.num_cars
        self.kinds = [k for k, c in enumerate(problem.classes) if c.count]
        b = LinearModelBuilder("min")
        cols = b.add_columns(n * len(self.kinds), upper=1.0, integer=True,
                             names=[f"x{i}_{problem.classes[k].id}" for i in range(n)
                                    for k in self.kinds])
        self.x = {(i, k): int(cols[i * len(self.kinds) + t])
                  for i in range(n) for t, k in enumerate(self.kinds)}
        for i in range(n):
            b.add_row({self.x[i, k]: 1.0 for k in self.kinds}, 1.0, 1.0, f"one{i}")
        for k in self.kinds:
            c = float(problem.classes[k].count)
            b.add_row({self.x[i, k]: 1.0 for i in range(n)}, c, c, f"count{k}")
        self.b = b
        self._options()
        if problem.has_paint:
            self._paint()
        if problem.weights.level:
            self._level()
        self.model = b.build()

    def has(self, li: int, members: set[int]) -> tuple[int, dict[int, float]]:
        """(constant, terms): line position ``li`` holds a class in ``members``."""
        p0 = len(self.problem.previous)
        if li < p0:
            return int(self.problem.previous[li] in members), {}
        return 0, {self.x[li - p0, k]: 1.0 for k in self.kinds if k in members}

    def window(self, start: int, size: int, members: set[int]) -> tuple[int, dict[int, float]]:
        const, terms = 0, {}
        for li in range(start, start + size):
            c, t = self.has(li, members)
            const += c
            terms.update(t)
        return const, terms

    def _options(self) -> None:
        problem, b = self.problem, self.b
        n, p0 = problem.num_cars, len(problem.previous)
        for j, opt in enumerate(problem.options):
            weight = problem.term_weight(opt)
            if weight == 0 or opt.max >= opt.window:
                continue
            members = {k for k, c in enumerate(problem.classes) if j in c.options}
            excess: dict[int, float] = {}
            for s in range(max(0, p0 - opt.window + 1), p0 + n - opt.window + 1):
                const, terms = self.window(s, opt.window, members)
                if not terms or const + len(terms) <= opt.max:
                    continue
                e = b.add_column(float(weight), 0.0, float(opt.window - opt.max),
                                 name=f"e{opt.id}_{s}")
                b.add_row({**terms, e: -1.0}, upper=float(opt.max - const),
                          name=f"win{opt.id}_{s}")
                excess[e] = 1.0
            over = option_excess(problem, j)
            if over > 0 and excess:
                b.add_row(excess, lower=float(over), name=f"bound{opt.id}")

    def _paint(self) -> None:
        problem, b = self.problem, self.b
        n, p0 = problem.num_cars, len(problem.previous)
        by_colour = [{k for k, c in enumerate(problem.classes) if c.colour == col}
                     for col in range(len(problem.colours))]
        wcol = problem.weights.colour * problem.change_cost
        for li in range(max(1, p0), p0 + n):
            if wcol:
                change = b.add_column(float(wcol), 0.0, 1.0, name=f"chg{li}")
                for col, members in enumerate(by_colour):
                    c1, t1 = self.has(li, members)
                    c0, t0 = self.has(li - 1, members)
                    terms: dict[int, float] = dict(t1)
                    for var, coef in t0.items():
                        terms[var] = terms.get(var, 0.0) - coef
                    terms[change] = -1.0
                    b.add_row(terms, upper=float(c0 - c1), name=f"chg{li}_{col}")
            cap = problem.max_batch
            if cap is not None and li - cap >= 0:
                for col, members in enumerate(by_colour):
                    const, terms = self.window(li - cap, cap + 1, members)
                    if terms and const + len(terms) > cap:
                        b.add_row(terms, upper=float(cap - const), name=f"batch{li}_{col}")

    def _level(self) -> None:
        problem, b = self.problem, self.b
        n = problem.num_cars
        weight = problem.weights.level / n
        for k in self.kinds:
            d = problem.classes[k].count
            for t in range(n):
                dev = b.add_column(weight, 0.0, float(n * n), name=f"lv{k}_{t}")
                built = {self.x[i, k]: float(n) for i in range(t + 1)}
                rhs = float((t + 1) * d)
                b.add_row({**built, dev: -1.0}, upper=rhs, name=f"lvp{k}_{t}")
                b.add_row({**built, dev: 1.0}, lower=rhs, name=f"lvm{k}_{t}")

    def sequence(self, values: Any) -> list[int]:
        n = self.problem.num_cars
        return [max(self.kinds, key=lambda k: values[self.x[i, k]]) for i in range(n)]


def solve(problem: CarSeqProblem, backend: LinearSolver, ctx: SolveContext) -> Outcome:
    milp = _Milp(problem)
    model = milp.model
    stats: dict[str, Any] = {"columns": model.num_cols, "rows": model.num_rows,
                             "nonzeros": int(model.data.size)}
    ctx.log(f"car-sequencing milp: {stats}")
    result = backend.solve(model, ctx)
    stats.update({f"solver_{k}": v for k, v in result.stats.items()})
    if not result.status.has_solution or result.x is None:
        none = result.status if result.status is not Status.FEASIBLE else Status.UNKNOWN
        return Outcome(none, message=result.message, bound=result.bound, stats=stats)
    seq = milp.sequence(np.asarray(result.x))
    ev = evaluate(problem, seq)
    if not ev.feasible:  # rounding cannot break the batch rule of a binary solution
        return Outcome(Status.UNKNOWN, message="the solver's sequence breaks the paint "
                       "batch limit (numerical trouble)", stats=stats)
    bound = result.bound
    status: Status = result.status
    if bound is not None and bound > ev.value + 1e-6:
        bound = ev.value  # a solver bound above a true sequence's value is noise
    if status is Status.OPTIMAL and result.objective is not None and \
            abs(result.objective - ev.value) > 1e-6 * max(1.0, abs(ev.value)):
        status = Status.FEASIBLE  # the proof was about another value: do not claim it
    return Outcome(status, payload=payload(problem, seq), objective=ev.value,
                   bound=bound, stats=stats,
                   message=result.message if status is not Status.OPTIMAL else "")
