"""The price-window relocation neighbourhood: what it frees, and that LNS stays feasible."""

from __future__ import annotations

import random

from optikit_energy.generator import generate
from optikit_energy.heuristic import best_constructed
from optikit_energy.lns import cheap_windows, relocation_neighbourhood
from optikit_energy.switching import objective_price

from tests.energy.conftest import load, run


def test_cheap_windows_are_the_runs_below_the_mean_price(registry) -> None:
    problem = load(registry, generate(1, "medium")).problem
    pi = objective_price(problem)
    windows = cheap_windows(problem)
    assert windows
    covered = {t for a, b in windows for t in range(a, b)}
    assert covered == {t for t in range(problem.horizon) if pi[t] < pi.mean()}


def test_relocation_frees_whole_jobs_and_a_cheap_window(registry) -> None:
    problem = load(registry, generate(1, "medium")).problem
    built = best_constructed(problem, budget_s=1.0)
    assert built is not None
    windows = cheap_windows(problem)
    rng = random.Random(3)
    free = relocation_neighbourhood(problem, built.schedule, rng, 2, windows, 12)
    jobs_whole = [j for j, ops in enumerate(problem.job_ops) if set(ops) <= free]
    assert len(jobs_whole) >= 2
    assert len(free) < len(problem.ops)


def test_lns_with_relocation_keeps_schedules_feasible(registry) -> None:
    """Interval model + LNS on a medium instance: every kept schedule passes the checker,
    and the relocation neighbourhood was tried."""
    doc = run(registry, generate(2, "medium"), time_limit=6, baseline="false",
              bucket_bound="false").document
    assert doc["check"]["feasible"]
    assert doc["objective"] <= doc["stats"]["heuristic_objective"] + 1e-6
    lns = doc["stats"].get("lns")
    if lns is not None:
        tried = lns["by_neighbourhood"]
        assert set(tried) == {"jobs", "relocate", "window", "kick"}
        assert sum(v["tries"] for v in tried.values()) <= lns["iterations"]


def test_neighbourhoods_are_drawn_by_their_record() -> None:
    """A kind that keeps improving is drawn most; ``jobs`` only when allowed; a kind
    without success keeps a share."""
    import random as _random

    from optikit_energy.lns import pick_kind

    rng = _random.Random(0)
    stats = {"jobs": [80, 2, 80.0], "relocate": [30, 1, 30.0], "window": [30, 12, 30.0]}
    stats["kick"] = [0, 0, 0.0]
    every = ["jobs", "relocate", "window", "kick"]
    draws = [pick_kind(stats, rng, every) for _ in range(2000)]
    assert draws.count("window") > draws.count("jobs") > 0
    assert draws.count("relocate") > 0 and draws.count("kick") > 0
    assert "jobs" not in {pick_kind(stats, rng, every[1:]) for _ in range(200)}
