"""The trust-region loop of successive LP, shared by one period and several.

A step proposes a candidate from the current point within the trust region; a better one
is accepted and the region widened, otherwise the region shrinks.  It stops when the region
collapses (a local optimum), after ``iterations`` steps, or at the deadline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from optikit.types import SolveContext
from optikit_pooling.lp import improved

FIRST_TRUST = 0.25
SMALLEST_TRUST = 1e-4


class Profitable(Protocol):
    profit: float


P = TypeVar("P", bound=Profitable)


def trust_climb(ctx: SolveContext, current: P, iterations: int, trust: float,
                step: Callable[[P, float], P | None],
                accepted_hook: Callable[[P], None] | None = None) -> tuple[P, dict[str, Any]]:
    """SLP steps from ``current`` (see the module docstring); ``accepted_hook`` sees each
    accepted point (to report it as an incumbent)."""
    accepted = done = 0
    for _ in range(iterations):
        if ctx.expired() or trust < SMALLEST_TRUST:
            break
        done += 1
        candidate = step(current, trust)
        if candidate is not None and improved(candidate.profit, current.profit):
            current = candidate
            accepted += 1
            trust = min(1.0, 2.0 * trust)
            if accepted_hook is not None:
                accepted_hook(current)
        else:
            trust /= 2.0
    return current, {"slp_iterations": done, "slp_accepted_steps": accepted,
                     "slp_final_trust": trust}


def slp_from_start(ctx: SolveContext, start: P, climb: Callable[[P], tuple[P, dict[str, Any]]],
                   stats: dict[str, Any]) -> tuple[P, str]:
    """The ``slp`` formulation's run from a feasible start: reported, climbed, its stats
    added to ``stats``; returns the local optimum and the answer's message."""
    stats["slp_start_profit"] = start.profit
    ctx.report(start.profit, None, "slp")
    final, more = climb(start)
    stats.update(more)
    return final, converged_message(more)


def converged_message(stats: dict[str, Any]) -> str:
    """The SLP answer's message: converged (local optimum) or stopped early."""
    if float(stats["slp_final_trust"]) < SMALLEST_TRUST:
        return "SLP converged to a local optimum (no bound: it may not be global)"
    return "SLP stopped before converging (iterations or time)"
