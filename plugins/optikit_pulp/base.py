"""What the PuLP backends share: argument checks, the early exits, and the probe solve.

Each backend only says how to run a :class:`~optikit.paradigms.LinearModel` through its
PuLP solver class.  The solver's time limit is read from the run's deadline when the
solver actually starts (after PuLP has built and written the model), so the time spent
on model building counts against the user's ``--time-limit`` instead of extending it.
"""

from __future__ import annotations

from optikit.paradigms import (
    LinearBackend,
    LinearModel,
    LinearModelBuilder,
    LinearResult,
    answer_without_solver,
)
from optikit.types import SolveContext, SolveOptions, Status


class PulpLinearBackend(LinearBackend):
    """A linear backend driven through PuLP; subclasses implement :meth:`run`."""

    supports_integer = True

    def solve(self, model: LinearModel, ctx: SolveContext) -> LinearResult:
        if not isinstance(model, LinearModel):
            raise TypeError(f"{self.name} backend needs a LinearModel, not {type(model).__name__}")
        early = answer_without_solver(model, ctx)
        return early if early is not None else self.run(model, ctx)

    def run(self, model: LinearModel, ctx: SolveContext) -> LinearResult:
        raise NotImplementedError


def solver_time_limit(ctx: SolveContext) -> float | None:
    """Seconds the solver may use from now on (None: no limit); read it at solver start."""
    remaining = ctx.remaining()
    return None if remaining is None else max(0.01, float(remaining))


def probe_result(backend: PulpLinearBackend) -> tuple[bool, str, LinearResult]:
    """Solve max x, x <= 2, x in {0, 1, 2} (x <= 2.5) with ``backend``; (passed, reason, result)."""
    builder = LinearModelBuilder("max")
    x = builder.add_column(1.0, 0.0, 2.5, integer=True)
    builder.add_row({x: 1.0}, upper=2.0)
    result = backend.run(builder.build(), SolveContext(SolveOptions(time_limit=20.0)))
    passed = result.status is Status.OPTIMAL and abs((result.objective or 0.0) - 2.0) <= 1e-6
    return passed, result.message or result.status.value, result
