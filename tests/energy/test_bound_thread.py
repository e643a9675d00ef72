"""The bound thread's tariff-period LP: a bound at once on instances whose finer LP takes
the run (1,200 generated operations had none), and the finer LP as before otherwise.

A small instance stands in for a big one: ``THREAD_BOUND_COLUMNS`` and ``MILP_COLUMNS``
lowered so that the thread starts and treats the finer relaxation as an LP.
"""

from __future__ import annotations

from typing import Any

import pytest
from optikit_energy import bound_thread, bucket_bound, cpsat
from optikit_energy.generator import generate

from tests.energy.conftest import run


def _as_big(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Make the small instance take the big path; record the relaxations solved."""
    monkeypatch.setattr(cpsat, "THREAD_BOUND_COLUMNS", 0)
    monkeypatch.setattr(bucket_bound, "MILP_COLUMNS", 0)
    solved: list[Any] = []
    real = bound_thread.bucket_bound

    def recording(run_: Any, budget_s: float, **kw: Any) -> Any:
        solved.append(kw.get("bucket_len"))
        return real(run_, budget_s, **kw)

    monkeypatch.setattr(bound_thread, "bucket_bound", recording)
    return solved


@pytest.mark.serial
def test_the_tariff_period_lp_gives_the_bound_when_the_finer_lp_does_not_finish(
        registry, monkeypatch) -> None:
    solved = _as_big(monkeypatch)
    real = bound_thread.bucket_bound

    def finer_never_done(run_: Any, budget_s: float, **kw: Any) -> Any:
        found = real(run_, budget_s, **kw)
        return found if kw.get("bucket_len") else None  # the finer LP "runs out of time"

    monkeypatch.setattr(bound_thread, "bucket_bound", finer_never_done)
    doc = run(registry, generate(1, "small"), time_limit=6, model="interval",
              baseline="false").document
    assert doc["check"]["feasible"]
    assert solved and solved[0] is not None  # the tariff periods first
    stats = doc["stats"]
    assert stats["bucket_bound"]["method"] == bound_thread.COARSE_LABEL
    assert stats["bound_source"] == bound_thread.COARSE_LABEL
    assert doc["bound"] is not None and doc["bound"] <= doc["objective"] + 1e-6


@pytest.mark.serial
def test_the_finer_lp_still_decides_when_it_finishes(registry, monkeypatch) -> None:
    solved = _as_big(monkeypatch)
    doc = run(registry, generate(1, "small"), time_limit=6, model="interval",
              baseline="false").document
    assert doc["check"]["feasible"]
    assert len(solved) >= 2 and solved[0] is not None and solved[1] is None
    found = doc["stats"]["bucket_bound"]
    assert found["method"] == "bucket-lp" and found["value"] <= doc["objective"] + 1e-6


@pytest.mark.serial
def test_no_tariff_period_lp_where_the_finer_relaxation_is_a_milp(
        registry, monkeypatch) -> None:
    monkeypatch.setattr(cpsat, "THREAD_BOUND_COLUMNS", 0)
    calls: list[Any] = []
    real = bound_thread.bucket_bound
    monkeypatch.setattr(bound_thread, "bucket_bound",
                        lambda r, b, **kw: calls.append(kw.get("bucket_len")) or real(r, b, **kw))
    doc = run(registry, generate(1, "small"), time_limit=6, model="interval",
              baseline="false").document
    assert doc["check"]["feasible"]
    assert calls and all(c is None for c in calls)
    assert doc["stats"]["bucket_bound"]["method"] == "bucket-milp"
