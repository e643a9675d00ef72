"""The column-generation phase's rounding of the LP (a roster from the LP's support, improved
by swapping one employee's row at a time), and the restricted master MILP only on a
relaxation with a bound (some pricing round proved throughout)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from optikit_rostering import colgen_roster
from optikit_rostering.colgen import Relaxation
from optikit_rostering.colgen_master import penalty
from optikit_rostering.colgen_pricing import Column, row_cost
from optikit_rostering.colgen_roster import first_roster, proved
from optikit_rostering.colgen_round import support_roster
from optikit_rostering.cpsat_model import RosterModel
from optikit_rostering.model import Roster, parse

from optikit.types import SolveContext, SolveOptions, Status
from tests.rostering.conftest import plant


def _column(roster: Roster, e: int, days: range) -> Column:
    row = tuple(0 if d in days else None for d in range(roster.days))  # shift 0: E
    return Column(e, row, (None,) * roster.days, row_cost(roster, e, row))


def test_the_rounding_swaps_rows_of_the_lp_support_until_no_swap_helps() -> None:
    """Heaviest columns: ann and bo both on E in week 1 (week 2 uncovered, 10 a day); one
    swap of ann's row to week 2 removes the gaps and the double cover."""
    roster = parse(plant())
    week1, week2 = range(0, 7), range(7, 14)
    ann1, ann2 = _column(roster, 0, week1), _column(roster, 0, week2)
    bo = _column(roster, 1, week1)
    cy = _column(roster, 2, range(0))
    weights = {0: [(ann1, 0.6), (ann2, 0.4)], 1: [(bo, 1.0)], 2: [(cy, 1.0)]}
    found = support_roster(roster, weights)
    assert found is not None
    chosen, value = found
    assert chosen == [ann2, bo, cy]
    assert value == penalty(roster, chosen)
    heaviest = penalty(roster, [ann1, bo, cy])
    assert heaviest is not None and value < heaviest


def test_no_rounding_without_a_row_for_everyone() -> None:
    roster = parse(plant())
    assert support_roster(roster, {0: [(_column(roster, 0, range(3)), 1.0)]}) is None


def test_the_master_milp_needs_a_relaxation_with_a_bound() -> None:
    assert proved(Relaxation(lp_value=1368.3, bound=1138.0))  # Instance8 at 24 s
    assert not proved(Relaxation(lp_value=4575.6, bound=None))  # Instance12: no bound yet
    # Exact pricing (every round bounded): only a bound near the LP value.
    assert proved(Relaxation(lp_value=1296.6, bound=1296.1, exact=True))  # Instance8
    assert not proved(Relaxation(lp_value=4220.4, bound=3607.8, exact=True))  # Instance12


@pytest.mark.parametrize("bounded", [True, False])
def test_the_master_milp_runs_only_on_a_relaxation_with_a_bound(
        bounded: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Either way the fixed model is hinted with a roster (the MILP's or the rounding's);
    without the MILP its share goes to the fixed model."""
    rm = RosterModel(parse(plant()))
    real = colgen_roster.generate

    def generate(*args: Any) -> Relaxation | None:
        out = real(*args)
        assert out is not None and out.lp_value is not None
        out.bound = out.lp_value if bounded else None
        return out

    milps: list[float] = []
    hints: list[bool] = []
    given: list[float] = []
    monkeypatch.setattr(colgen_roster, "generate", generate)
    monkeypatch.setattr(colgen_roster, "master_roster",
                        lambda rm, ctx, pool, seconds: milps.append(seconds))

    def run(model: Any, seconds: float, hint: Any, floor: float | None, reseed: int) -> Any:
        hints.append(hint is not None)
        given.append(seconds)
        return SimpleNamespace(status=Status.UNKNOWN)

    ctx = SolveContext(SolveOptions(time_limit=30, threads=1, seed=0))
    stats: dict[str, Any] = {}
    best, _bound = first_roster(rm, None, ctx, 0.5, 0.1, 0.3, stats, run)
    assert len(milps) == (1 if bounded else 0)
    assert best is not None and stats["colgen_rounded"] == best[2]
    assert hints[:1] == [True]
    assert given[0] == pytest.approx((0.3 if bounded else 0.4) * 30, abs=1.0)
