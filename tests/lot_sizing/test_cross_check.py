"""The strong formulations must not cut off plans: fl, fl-extended and rf agree with the
plain big-M model on small multi-level instances with every feature (lead times, safety
stock, backlog, overtime, a part both made and bought, MOQ, multiples, price breaks)."""

from __future__ import annotations

import pytest
from optikit_lotsizing.generator import generate

from optikit.registry import Registry
from tests.lot_sizing.conftest import run


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_formulations_agree(registry: Registry, seed: int) -> None:
    doc = generate(seed, "tiny")
    if seed % 2:  # the sub-assembly can also be bought: no (l,S) cuts on it or its parts
        doc["items"][2]["sources"] = [{"supplier": "outsourcer", "lead_time": 1,
                                       "unit_price": 9, "order_cost": 100}]
    results = {f: run(registry, doc, f, time_limit=30).document
               for f in ("bigm", "fl", "fl-extended", "rf")}
    for name, result in results.items():
        assert result["status"] == "optimal", (name, result.get("message"))
        assert result["check"]["feasible"], name
    reference = results["bigm"]["objective"]
    for name, result in results.items():
        assert result["objective"] == pytest.approx(reference, rel=1e-6), name
