"""Formulation ``cpsat-plain``: the model a competent user writes first, for comparison.

A boolean per (position, class), one class per position, each class ``count`` times; per
option and window an excess variable ``e >= cars - p``; the paint rules and the level
term written the direct way.  No start, no redundant constraints, no neighbourhood
search: one CP-SAT call with default parameters, so the benchmark shows what the
``cpsat`` formulation's extra work buys.

The CP-SAT limit keeps back a share of the time the model took to build: loading and
presolving a model that size overran the limit (a 1,000-car line at 10 s ended up to
1.2 s late on a loaded machine), and the command still has to free it and write the
answer.  Build time grows with the load just as that overrun does.
"""

from __future__ import annotations

import time
from typing import Any

from optikit.types import Outcome, SolveContext
from optikit_carseq.model import CarSeqProblem

#: Share of the model-building time kept back from the CP-SAT limit (see above).
RESERVE_PER_BUILD_SECOND = 0.4
#: The reserve never takes more than this share of the time left.
MAX_RESERVE_SHARE = 0.3


def reserve(build_seconds: float, remaining: float | None) -> float | None:
    """The CP-SAT time limit: what is left, less a reserve that scales with the build."""
    if remaining is None:
        return None
    kept = min(RESERVE_PER_BUILD_SECOND * build_seconds, MAX_RESERVE_SHARE * remaining)
    return max(0.0, remaining - kept)


def solve(problem: CarSeqProblem, backend: Any, ctx: SolveContext) -> Outcome:
    from ortools.sat.python import cp_model

    began = time.monotonic()

    n = problem.num_cars
    K = len(problem.classes)
    p0 = len(problem.previous)
    m = cp_model.CpModel()
    x = [[m.new_bool_var(f"x{i}_{k}") for k in range(K)] for i in range(n)]
    for i in range(n):
        m.add_exactly_one(x[i])
    for k, c in enumerate(problem.classes):
        m.add(sum(x[i][k] for i in range(n)) == c.count)

    def has(li: int, members: set[int]) -> Any:
        """Line position ``li`` (yesterday's cars first) holds a class in ``members``."""
        if li < p0:
            return int(problem.previous[li] in members)
        return sum(x[li - p0][k] for k in members)

    scale = n if problem.weights.level else 1
    objective: list[Any] = []
    for j, opt in enumerate(problem.options):
        members = {k for k, c in enumerate(problem.classes) if j in c.options}
        for s in range(max(0, p0 - opt.window + 1), p0 + n - opt.window + 1):
            e = m.new_int_var(0, opt.window, f"e{j}_{s}")
            m.add(sum(has(li, members) for li in range(s, s + opt.window)) - opt.max <= e)
            objective.append(problem.term_weight(opt) * scale * e)
    colours = [{k for k, c in enumerate(problem.classes) if c.colour == col}
               for col in range(len(problem.colours))]
    for li in range(max(1, p0), p0 + n):
        if not colours:
            break
        change = m.new_bool_var(f"change{li}")
        for members in colours:
            m.add(change >= has(li, members) - has(li - 1, members))
        objective.append(problem.weights.colour * problem.change_cost * scale * change)
        b = problem.max_batch
        if b is not None and li - b >= 0:
            for members in colours:
                m.add(sum(has(t, members) for t in range(li - b, li + 1)) <= b)
    if problem.weights.level:
        for k, c in enumerate(problem.classes):
            for t in range(n):
                dev = m.new_int_var(0, n * n, f"dev{k}_{t}")
                m.add_abs_equality(dev, n * sum(x[i][k] for i in range(t + 1)) - (t + 1) * c.count)
                objective.append(problem.weights.level * dev)
    m.minimize(sum(objective))
    limit = reserve(time.monotonic() - began, ctx.remaining())
    result = backend.solve(m, ctx, objective_scale=1.0 / scale, time_limit=limit)
    if not result.status.has_solution:
        return Outcome(status=result.status, message=result.message)
    seq = [next(k for k in range(K) if result.boolean_value(x[i][k])) for i in range(n)]
    return Outcome(status=result.status, payload=payload(problem, seq),
                   objective=result.objective, bound=result.bound)


def payload(problem: CarSeqProblem, seq: list[int]) -> dict[str, Any]:
    return {"sequence": [problem.classes[k].id for k in seq]}
