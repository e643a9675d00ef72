"""The column-generation phase's second fixed solve: when the LP-fixed model settles a whole
shortfall above the bound, the same model runs once more under another seed from its roster."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from optikit_rostering import colgen_roster
from optikit_rostering.colgen_roster import Seed, avoidable_gap, first_roster
from optikit_rostering.cpsat_model import RosterModel
from optikit_rostering.model import parse

from optikit.types import ProgressEvent, SolveContext, SolveOptions, Status
from tests.rostering.conftest import plant

#: The plant's cover: one person on E every day, 10 per missing person.
WEIGHT = 10


def _all_off(rm: RosterModel) -> list[list[int | None]]:
    return [[None] * rm.roster.days for _ in range(rm.roster.num_employees)]


def _bo_on_e(rm: RosterModel) -> list[list[int | None]]:
    grid = _all_off(rm)
    grid[1] = [0] * rm.roster.days  # bo (no days off) on shift 0, E
    return grid


def test_a_gap_is_avoidable_only_with_a_shortfall_and_room_above_the_bound() -> None:
    rm = RosterModel(parse(plant()))
    nobody: Seed = (_all_off(rm), {}, 142)
    assert avoidable_gap(rm.roster, nobody, 142 - WEIGHT - 1)
    assert not avoidable_gap(rm.roster, nobody, 142 - WEIGHT)  # one shortfall: maybe needed
    covered: Seed = (_bo_on_e(rm), {}, 142)
    assert not avoidable_gap(rm.roster, covered, 0)  # far above the bound, nothing short


def _by_index(hint: dict[Any, int]) -> dict[int, int]:
    """A hint keyed by variable index (CP-SAT variables compare as expressions)."""
    return {var.Index(): value for var, value in hint.items()}


def _result(rm: RosterModel, grid: list[list[int | None]], value: float) -> Any:
    on = {id(v) for e, d, s, v in rm.all_cells() if grid[e][d] == s}
    return SimpleNamespace(status=Status.FEASIBLE, objective=value,
                           boolean_value=lambda v: id(v) in on)


@pytest.mark.parametrize(("settled", "repaired"), [(142.0, True), (142.0, False), (None, False)])
def test_the_fixed_solve_runs_again_under_another_seed_only_after_an_avoidable_gap(
        settled: float | None, repaired: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """``settled``: the first fixed solve's penalty, 142 (nobody on E, far above the bound):
    solved again under seeds 1, 2 until a roster without the gap (``repaired``: the first
    retry finds one); None: the bound itself (nothing to gain), so no second solve."""
    rm = RosterModel(parse(plant()))
    monkeypatch.setattr(colgen_roster, "master_roster", lambda *args: None)
    monkeypatch.setattr(colgen_roster, "support_roster", lambda *args: None)  # no LP rounding
    calls: list[tuple[bool, float | None, int]] = []
    bounds: list[float] = []

    def run(model: Any, seconds: float, hint: Any, floor: float | None, reseed: int) -> Any:
        calls.append((hint is not None, floor, reseed))
        if reseed == 0:
            value = settled if settled is not None else bounds[0]
            return _result(rm, _all_off(rm), value)
        assert _by_index(hint) == _by_index(rm.hint(_all_off(rm), {}))  # the settled roster
        if not repaired:
            return _result(rm, _all_off(rm), float(floor or 0))  # settled again
        return _result(rm, _bo_on_e(rm), float(floor or 0) - 1)

    def seen(event: ProgressEvent) -> None:
        if event.bound is not None:
            bounds.append(event.bound)

    ctx = SolveContext(SolveOptions(time_limit=30, threads=1, seed=0), on_progress=seen)
    stats: dict[str, Any] = {}
    best, bound = first_roster(rm, None, ctx, 0.5, 0.1, 0.3, stats, run)
    assert best is not None and bound is not None and bounds == [bound]
    if settled is None:
        assert calls == [(False, None, 0)] and best[2] == round(bound)
        assert "colgen_repair" not in stats
    elif repaired:
        assert calls == [(False, None, 0), (True, settled, 1)]
        assert best[0] == _bo_on_e(rm) and best[2] == settled - 1
        assert stats["colgen_fixed"] == settled and stats["colgen_repair"] == settled - 1
    else:
        assert calls == [(False, None, 0)] + [(True, settled, k + 1)
                                              for k in range(colgen_roster.RETRIES)]
        assert best[0] == _all_off(rm) and best[2] == settled
