"""The plugin helpers of API 1.1: ``optikit.lazy`` and ``optikit.conflicts``."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import pytest

from optikit import lazy
from optikit.conflicts import (
    OUT_OF_TIME_SUMMARY,
    AssumptionProber,
    OutOfTime,
    deletion_filter,
    never_raising,
)
from optikit.types import SolveContext, SolveOptions


def test_lazy_imports_only_when_called() -> None:
    code = (
        "import sys\n"
        "from optikit import lazy\n"
        "g = lazy('colorsys:rgb_to_hsv')\n"
        "assert 'colorsys' not in sys.modules\n"
        "print(g(1.0, 0.0, 0.0), 'colorsys' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "(0.0, 1.0, 1.0) True"


def test_lazy_passes_arguments_and_keywords() -> None:
    join = lazy("os.path:join")
    assert join("a", "b") == "a/b"
    dumps = lazy("json:dumps")
    assert dumps({"b": 1, "a": 2}, sort_keys=True) == '{"a": 2, "b": 1}'
    assert "json:dumps" in repr(dumps)


@pytest.mark.parametrize("target", ["json", "json:", ":dumps", ""])
def test_lazy_refuses_malformed_targets(target: str) -> None:
    with pytest.raises(ValueError, match=r"package\.module:function"):
        lazy(target)


def test_lazy_missing_function_fails_when_called() -> None:
    missing = lazy("json:no_such_function")
    with pytest.raises(AttributeError):
        missing()


@dataclass(eq=False)
class Limit:
    name: str
    literal: Any


def _guarded() -> tuple[Any, Any, list[Limit]]:
    """x + y == 10 with guards x <= 3, y <= 4, x >= 1 and y >= 0: {x<=3, y<=4} conflict."""
    from ortools.sat.python import cp_model

    m = cp_model.CpModel()
    x = m.new_int_var(0, 100, "x")
    y = m.new_int_var(0, 100, "y")
    m.add(x + y == 10)
    limits = []
    for name, build in [
        ("x>=1", lambda: x >= 1),
        ("x<=3", lambda: x <= 3),
        ("y>=0", lambda: y >= 0),
        ("y<=4", lambda: y <= 4),
    ]:
        lit = m.new_bool_var(name)
        m.add(build()).only_enforce_if(lit)
        limits.append(Limit(name, lit))
    return m, x, limits


def _ctx(limit: float | None = 10.0) -> SolveContext:
    return SolveContext(SolveOptions(time_limit=limit, threads=1, seed=0))


def test_core_and_deletion_filter_find_the_irreducible_conflict() -> None:
    model, _, limits = _guarded()
    prober = AssumptionProber(model, _ctx())
    core = prober.core(limits)
    assert core is not None
    irreducible = deletion_filter(prober, core)
    assert sorted(g.name for g in irreducible) == ["x<=3", "y<=4"]
    # dropping either member makes the rest feasible
    for g in irreducible:
        assert prober.feasible([h for h in limits if h is not g])
    assert prober.solves >= 3


def test_core_is_none_when_every_limit_can_hold() -> None:
    model, _, limits = _guarded()
    prober = AssumptionProber(model, _ctx())
    assert prober.core([g for g in limits if g.name != "y<=4"]) is None


def test_minimum_measures_the_least_move() -> None:
    model, x, limits = _guarded()
    prober = AssumptionProber(model, _ctx())
    held = [g for g in limits if g.name != "x<=3"]
    # with y <= 4 held, x must be at least 6: x<=3 must move by 3
    assert prober.minimum(x, held) == (6, True)
    everything = list(limits)
    assert prober.minimum(x, everything) is None


def test_stopped_run_raises_out_of_time() -> None:
    model, _, limits = _guarded()
    ctx = _ctx()
    ctx.stop.set()
    with pytest.raises(OutOfTime):
        AssumptionProber(model, ctx).core(limits)
    with pytest.raises(OutOfTime):
        AssumptionProber(model, _ctx(), budget_s=0.0).feasible(limits)


def test_never_raising_keeps_the_verdict() -> None:
    stats: dict[str, Any] = {}

    def broken() -> tuple[dict[str, Any], dict[str, Any]]:
        raise RuntimeError("boom")

    report = never_raising(broken, stats)
    assert report["complete"] is False
    assert "RuntimeError: boom" in report["summary"]
    assert stats == {}
    report = never_raising(lambda: ({"summary": "ok"}, {"diagnosis_solves": 2}), stats)
    assert report == {"summary": "ok"} and stats == {"diagnosis_solves": 2}
    assert "out of time" in OUT_OF_TIME_SUMMARY


def test_diagnose_guarded_reports_the_conflict_and_its_stats() -> None:
    from optikit.conflicts import diagnose_guarded

    model, _, limits = _guarded()

    def explain(prober: AssumptionProber, members: list[Any], conflicts: list[Any]) -> str:
        conflicts.extend({"constraint": g.name} for g in members)
        return "x and y are too small together"

    report, stats = diagnose_guarded(model, limits, _ctx(), explain=explain, method="m",
                                     no_conflict="none")
    assert report == {
        "summary": "x and y are too small together",
        "conflicts": [{"constraint": "x<=3"}, {"constraint": "y<=4"}],
        "method": "m",
        "complete": True,
    }
    assert stats["diagnosis_solves"] >= 3 and stats["diagnosis_time_s"] >= 0
    report, _ = diagnose_guarded(model, limits[:1], _ctx(), explain=explain, method="m",
                                 no_conflict="none")
    assert report["summary"] == "none" and report["complete"] is True


def test_diagnose_guarded_keeps_partial_results_when_time_runs_out() -> None:
    from optikit.conflicts import diagnose_guarded

    model, _, limits = _guarded()

    def explain(prober: AssumptionProber, members: list[Any], conflicts: list[Any]) -> str:
        conflicts.append({"constraint": members[0].name})
        raise OutOfTime

    report, _ = diagnose_guarded(model, limits, _ctx(), explain=explain, method="m",
                                 no_conflict="none")
    assert report["complete"] is False
    assert report["summary"] == OUT_OF_TIME_SUMMARY + "; partial results below"
    assert report["conflicts"] == [{"constraint": "x<=3"}]
