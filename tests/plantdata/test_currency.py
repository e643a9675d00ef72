"""``currency: KRW`` in a problem file: every cost-bearing type's summary shows its money
amounts with it, in the one number format; a bad value is a one-line schema error."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import Result

from optikit import api
from optikit.registry import Registry

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = Path(__file__).parent / "solutions"
CASES = {  # stored solution -> sample, and a summary line that must carry the currency
    "westerberg_steel": ("blend/westerberg_steel.yaml", "total cost", "8,495 KRW"),
    "machining_cell_day": ("energy-scheduling/machining_cell_day.yaml", "energy cost", "KRW"),
    "gearbox_plant": ("lot-sizing/gearbox_plant.yaml", "cost drivers", "KRW"),
    "press-line": ("maintenance/press-line.yaml", "downtime cost", "1,457.74 KRW"),
    "refinery_3periods": ("pooling/refinery_3periods.yaml", "profit", "KRW"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_summary_amounts_carry_the_currency(name: str, registry: Registry) -> None:
    sample, label, expected = CASES[name]
    document = yaml.safe_load((ROOT / "problems" / sample).read_text())
    document["currency"] = "KRW"
    loaded = api.load(document, registry=registry)
    solution = json.loads((SOLUTIONS / f"{name}.json").read_text())
    assert loaded.ptype.summarize is not None
    rows = dict(loaded.ptype.summarize(loaded.problem, solution))
    assert expected in rows[label], rows[label]


def test_a_bad_currency_names_the_field(cli: Callable[..., Result], tmp_path: Path) -> None:
    document = yaml.safe_load((ROOT / "problems/blend/westerberg_steel.yaml").read_text())
    document["currency"] = ""
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(document))
    result = cli("validate", bad)
    assert result.exit_code == 2
    assert "currency" in result.stderr and len(result.stderr.strip().splitlines()) == 1
