"""The bound thread's tariff-period LP: a bound at once on instances whose finer LP takes
the run (1,200 generated operations had none), and the finer LP as before otherwise.

A small instance stands in for a big one: ``THREAD_BOUND_COLUMNS`` and ``MILP_COLUMNS``
lowered so that the thread starts and treats the finer relaxation as an LP.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from optikit_energy import bound_thread, bucket_bound, cpsat
from optikit_energy.generator import generate

from tests.energy.conftest import SMALL_1_OPTIMUM, run


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


def _recording(monkeypatch: pytest.MonkeyPatch, coarse_status: str | None = None) -> list[Any]:
    """Record (bucket_len, integer) of each relaxation the thread solves; with
    ``coarse_status``, the tariff periods' result claims that status (not proven)."""
    monkeypatch.setattr(cpsat, "THREAD_BOUND_COLUMNS", 0)
    calls: list[Any] = []
    real = bound_thread.bucket_bound

    def recording(run_: Any, budget_s: float, **kw: Any) -> Any:
        calls.append((kw.get("bucket_len"), kw.get("integer")))
        found = real(run_, budget_s, **kw)
        if found is not None and coarse_status and kw.get("bucket_len"):
            found = dataclasses.replace(found, status=coarse_status)
        return found

    monkeypatch.setattr(bound_thread, "bucket_bound", recording)
    return calls


@pytest.mark.serial
def test_a_proven_tariff_period_milp_guides_where_the_finer_relaxation_is_a_milp(
        registry, monkeypatch) -> None:
    """A MILP-size relaxation: the tariff periods' MILP first (about the finer MILP's
    bound in a fraction of its time); proven, its point guides at once."""
    calls = _recording(monkeypatch)
    doc = run(registry, generate(1, "small"), time_limit=8, model="interval",
              baseline="false").document
    assert doc["check"]["feasible"]
    assert calls[0][0] is not None and calls[0][1] is True  # the tariff periods' MILP
    stats = doc["stats"]
    assert stats["guided_plan"] == "tariff periods" and "tries" in stats["guided"]
    assert stats["bound_source"] in (bound_thread.COARSE_MILP_LABEL, "bucket-milp")
    assert doc["bound"] is not None
    assert doc["bound"] <= min(doc["objective"], SMALL_1_OPTIMUM) + 1e-6


@pytest.mark.serial
def test_the_finer_milp_guides_when_the_tariff_period_one_is_not_proven(
        registry, monkeypatch) -> None:
    calls = _recording(monkeypatch, coarse_status="time limit")
    monkeypatch.setattr(bound_thread, "FINE_MILP_SHARE", 1.0)  # time to prove it
    doc = run(registry, generate(1, "small"), time_limit=10, model="interval",
              baseline="false").document
    assert doc["check"]["feasible"]
    assert calls[0][0] is not None and calls[1][0] is None  # then the finer MILP
    stats = doc["stats"]
    assert stats["bucket_bound"]["method"] == "bucket-milp"  # the higher bound here
    assert stats["bucket_bound"]["status"] == "optimal", stats["bucket_bound"]
    assert stats["guided_plan"] == "finer" and "tries" in stats["guided"]
    assert doc["bound"] is not None
    assert doc["bound"] <= min(doc["objective"], SMALL_1_OPTIMUM) + 1e-6


@pytest.mark.serial
def test_on_big_instances_the_restricted_finer_lp_guides_and_is_no_bound(
        registry, monkeypatch) -> None:
    """Above ``RESTRICT_COLUMNS`` the finer LP restricted to the tariff point's support
    (guided_restricted) guides instead of the full finer LP; the bound stays the tariff
    periods' LP (a restriction's value is no bound)."""
    solved = _as_big(monkeypatch)
    monkeypatch.setattr(bound_thread, "RESTRICT_COLUMNS", 0)
    doc = run(registry, generate(1, "small"), time_limit=6, model="interval",
              baseline="false").document
    assert doc["check"]["feasible"]
    stats = doc["stats"]
    assert solved[0] is not None and len(solved) == 2  # the tariff periods, the restricted
    assert stats["guided_plan"] == "finer, restricted"
    assert stats["restricted_lp"]["status"] == "optimal"
    assert stats["bucket_bound"]["method"] == bound_thread.COARSE_LABEL
    assert doc["bound"] is not None and doc["bound"] <= doc["objective"] + 1e-6
    assert doc["bound"] <= stats["restricted_lp"]["value"] + 1e-6
