"""Reference models with known answers, one set per paradigm, for the backend suite.

Each :class:`BackendCase` builds a fresh model (a backend may consume or mutate it) and
says what a correct backend returns.  Paradigms other than ``linear`` and ``cp-sat`` have
no reference models here: their plugins supply cases through
:meth:`optikit.testing.BackendConformance.cases`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from optikit.types import Status


@dataclass(frozen=True)
class BackendCase:
    """A model, the status a correct backend reports, and the optimum if there is one.

    ``hard`` cases are for the time-limit test: a backend is not expected to close them
    within a fraction of a second.  ``integer`` cases need a backend with
    ``supports_integer``.  ``verify(model, result)`` may add paradigm-specific checks
    (returns a list of problems, empty when fine).
    """

    name: str
    build: Callable[[], Any]
    status: Status = Status.OPTIMAL
    optimum: float | None = None
    integer: bool = False
    hard: bool = False
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    verify: Callable[[Any, Any], list[str]] | None = None


# -- linear ---------------------------------------------------------------------------------


def _production_lp() -> Any:
    """max 3x + 5y  s.t.  x <= 4, 2y <= 12, 3x + 2y <= 18: optimum 36 at (2, 6).

    Non-degenerate, so duals are unique: row 2 -> 1.5, row 3 -> 1, row 1 -> 0.
    """
    from optikit.paradigms import LinearModelBuilder

    b = LinearModelBuilder("max")
    x, y = b.add_columns(2, cost=[3.0, 5.0], names=["x", "y"])
    b.add_row({int(x): 1.0}, upper=4.0, name="plant1")
    b.add_row({int(y): 2.0}, upper=12.0, name="plant2")
    b.add_row({int(x): 3.0, int(y): 2.0}, upper=18.0, name="plant3")
    return b.build()


def _knapsack_milp() -> Any:
    """0/1 knapsack: values 3 4 5 8 1, weights 2 3 5 4 1, capacity 9 -> 15 (items 0, 1, 3)."""
    from optikit.paradigms import LinearModelBuilder

    b = LinearModelBuilder("max")
    cols = b.add_columns(5, cost=[3, 4, 5, 8, 1], upper=1.0, integer=True)
    b.add_row(dict(zip(map(int, cols), [2.0, 3.0, 5.0, 4.0, 1.0], strict=True)), upper=9.0)
    return b.build()


def _stuffing_milp() -> Any:
    """min 2x + 3z  s.t.  x + z >= 4.5, x in [0, 10] continuous, z in 0..10: optimum 9 (z = 0).

    HiGHS 1.14's MIP presolve calls 15 (z = 5) optimal here (HiGHS issue 3043): a backend
    must not trust a solver's "optimal" where the solver is known to be wrong.
    """
    from optikit.paradigms import LinearModelBuilder

    b = LinearModelBuilder("min")
    x = b.add_column(2.0, 0.0, 10.0, name="x")
    z = b.add_column(3.0, 0.0, 10.0, integer=True, name="z")
    b.add_row({x: 1.0, z: 1.0}, lower=4.5)
    return b.build()


def _offset_min_lp() -> Any:
    """min 2a + b + 10  s.t.  a + b >= 3, a - b <= 1, a, b in [0, 5]: optimum 13 at (0, 3)."""
    from optikit.paradigms import LinearModelBuilder

    b = LinearModelBuilder("min")
    a, c = b.add_columns(2, cost=[2.0, 1.0], upper=5.0)
    b.offset = 10.0
    b.add_row({int(a): 1.0, int(c): 1.0}, lower=3.0)
    b.add_row({int(a): 1.0, int(c): -1.0}, upper=1.0)
    return b.build()


def _infeasible_lp() -> Any:
    from optikit.paradigms import LinearModelBuilder

    b = LinearModelBuilder("min")
    x, y = b.add_columns(2, cost=1.0, upper=10.0)
    b.add_row({int(x): 1.0, int(y): 1.0}, lower=25.0)
    return b.build()


def _unbounded_lp() -> Any:
    from optikit.paradigms import LinearModelBuilder

    b = LinearModelBuilder("max")
    x, y = b.add_columns(2, cost=[1.0, 1.0])
    b.add_row({int(x): 1.0, int(y): -1.0}, upper=2.0)
    return b.build()


def _multi_knapsack_milp(items: int = 120, dims: int = 5, seed: int = 11) -> Any:
    """A random multi-dimensional 0/1 knapsack that MIP solvers do not close in a second."""
    from optikit.paradigms import LinearModelBuilder

    rng = random.Random(seed)
    b = LinearModelBuilder("max")
    weights = [[rng.randint(10, 100) for _ in range(items)] for _ in range(dims)]
    values = [sum(w[i] for w in weights) / dims + rng.randint(0, 40) for i in range(items)]
    cols = b.add_columns(items, cost=values, upper=1.0, integer=True)
    for row in weights:
        b.add_row(dict(zip(map(int, cols), map(float, row), strict=True)),
                  upper=sum(row) / 4)
    return b.build()


def _transport_lp(sources: int = 160, sinks: int = 160, seed: int = 3) -> Any:
    """A random transportation LP, large enough that no LP solver is instant."""
    import numpy as np

    from optikit.paradigms import LinearModelBuilder

    rng = np.random.default_rng(seed)
    b = LinearModelBuilder("min")
    n = sources * sinks
    cols = b.add_columns(n, cost=rng.uniform(1.0, 100.0, n))
    supply = rng.uniform(50.0, 150.0, sources)
    demand = rng.uniform(40.0, 120.0, sinks) * supply.sum() / (sinks * 80.0) * 0.95
    grid = np.arange(n).reshape(sources, sinks)
    b.add_rows_coo(sources, np.repeat(np.arange(sources), sinks), cols[grid.ravel()],
                   np.ones(n), upper=supply)
    b.add_rows_coo(sinks, np.tile(np.arange(sinks), sources), cols[grid.ravel()],
                   np.ones(n), lower=demand)
    return b.build()


def _linear_feasibility(model: Any, result: Any) -> list[str]:
    """x within column bounds, rows within their ranges, integers integral (1e-6)."""
    import numpy as np

    if result.x is None:
        return ["no x returned with a solution"]
    x = np.asarray(result.x, dtype=float)
    problems = []
    if x.shape != (model.num_cols,):
        return [f"x has shape {x.shape}, model has {model.num_cols} columns"]
    tol = 1e-6
    if np.any(x < model.col_lower - tol) or np.any(x > model.col_upper + tol):
        problems.append("x violates column bounds")
    activity = model.activity(x)
    if np.any(activity < model.row_lower - tol) or np.any(activity > model.row_upper + tol):
        problems.append("x violates row bounds")
    frac = np.abs(x[model.integer] - np.round(x[model.integer]))
    if frac.size and frac.max() > tol:
        problems.append("integer columns are fractional")
    value = float(model.c @ x + model.offset)
    if result.objective is not None and abs(value - result.objective) > 1e-6 * max(
        1.0, abs(value)
    ):
        problems.append(f"objective {result.objective} != c.x + offset = {value}")
    return problems


def linear_cases() -> list[BackendCase]:
    return [
        BackendCase("production-lp", _production_lp, Status.OPTIMAL, 36.0,
                    verify=_linear_feasibility),
        BackendCase("offset-min-lp", _offset_min_lp, Status.OPTIMAL, 13.0,
                    verify=_linear_feasibility),
        BackendCase("knapsack-milp", _knapsack_milp, Status.OPTIMAL, 15.0, integer=True,
                    verify=_linear_feasibility),
        BackendCase("stuffing-milp", _stuffing_milp, Status.OPTIMAL, 9.0, integer=True,
                    verify=_linear_feasibility),
        BackendCase("infeasible-lp", _infeasible_lp, Status.INFEASIBLE),
        BackendCase("unbounded-lp", _unbounded_lp, Status.UNBOUNDED),
        BackendCase("multi-knapsack-milp", _multi_knapsack_milp, Status.FEASIBLE,
                    integer=True, hard=True, verify=_linear_feasibility),
        BackendCase("transport-lp", _transport_lp, Status.FEASIBLE, hard=True,
                    verify=_linear_feasibility),
    ]


#: (case name, row index) -> d(objective)/d(active bound of the row), by hand.
LINEAR_ROW_DUALS = {"production-lp": [0.0, 1.5, 1.0], "offset-min-lp": [1.0, 0.0]}


# -- cp-sat ---------------------------------------------------------------------------------


def _cp_knapsack() -> Any:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    take = [model.new_bool_var(f"take{i}") for i in range(5)]
    model.add(sum(w * t for w, t in zip([2, 3, 5, 4, 1], take, strict=True)) <= 9)
    model.maximize(sum(v * t for v, t in zip([3, 4, 5, 8, 1], take, strict=True)))
    return model


def _cp_infeasible() -> Any:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = model.new_int_var(0, 10, "x")
    y = model.new_int_var(0, 10, "y")
    model.add(x + y >= 25)
    model.minimize(x)
    return model


def _cp_scaled() -> Any:
    """min 3x + 2y with x + y >= 7, x <= 4: raw optimum 14; reported as 14 * 0.5 + 1 = 8."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = model.new_int_var(0, 4, "x")
    y = model.new_int_var(0, 10, "y")
    model.add(x + y >= 7)
    model.minimize(3 * x + 2 * y)
    return model


def _cp_job_shop(jobs: int = 12, machines: int = 12, seed: int = 5) -> Any:
    """A random job shop (makespan) that CP-SAT does not close in a second on one worker."""
    from ortools.sat.python import cp_model

    rng = random.Random(seed)
    model = cp_model.CpModel()
    horizon = jobs * machines * 99
    per_machine: list[list[Any]] = [[] for _ in range(machines)]
    ends: list[Any] = []
    for j in range(jobs):
        order = list(range(machines))
        rng.shuffle(order)
        previous: Any = None
        for m in order:
            duration = rng.randint(1, 99)
            start = model.new_int_var(0, horizon, f"s{j}_{m}")
            end = model.new_int_var(0, horizon, f"e{j}_{m}")
            per_machine[m].append(model.new_interval_var(start, duration, end, f"i{j}_{m}"))
            if previous is not None:
                model.add(start >= previous)
            previous = end
        ends.append(previous)
    for intervals in per_machine:
        model.add_no_overlap(intervals)
    makespan = model.new_int_var(0, horizon, "makespan")
    model.add_max_equality(makespan, ends)
    model.minimize(makespan)
    return model


def cp_cases() -> list[BackendCase]:
    return [
        BackendCase("knapsack", _cp_knapsack, Status.OPTIMAL, 15.0, integer=True),
        BackendCase("scaled", _cp_scaled, Status.OPTIMAL, 8.0, integer=True,
                    kwargs={"objective_scale": 0.5, "objective_offset": 1.0}),
        BackendCase("infeasible", _cp_infeasible, Status.INFEASIBLE, integer=True),
        BackendCase("job-shop", _cp_job_shop, Status.FEASIBLE, integer=True, hard=True),
    ]


CASES_BY_PARADIGM: dict[str, Callable[[], list[BackendCase]]] = {
    "linear": linear_cases,
    "cp-sat": cp_cases,
}
