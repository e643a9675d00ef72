"""Solving: the exhaustive search and the routing search agree; re-planning; the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from optikit.cli import cli
from tests.intralogistics.conftest import DATA, SAMPLES, plant_doc, run


def test_tiny_pdptw_is_proven_and_routing_matches() -> None:
    from optikit_intralogistics.reader import read_pdptw

    doc = read_pdptw(DATA / "tiny.pdptw")
    exact = run(doc, time_limit=5).document
    assert exact["status"] == "optimal"
    assert exact["analysis"]["vehicles"] == 1
    assert exact["objective"] == pytest.approx(10 + 10 + 500**0.5 + 10 + 20)
    searched = run(doc, "routing-plain", time_limit=1).document
    assert searched["status"] == "feasible"
    assert searched["objective"] == pytest.approx(exact["objective"])


def test_replanning_keeps_loads_on_their_vehicle() -> None:
    doc = plant_doc()
    doc["vehicles"][1]["state"] = {"available_at": 50, "on_board": ["T2"]}
    for formulation in ("routing", "routing-plain"):
        out = run(doc, formulation, time_limit=1).document
        assert out["check"]["feasible"], out
        a2 = next(r for r in out["solution"]["routes"] if r["vehicle"] == "A2")
        assert {"order": "T2", "action": "delivery"} in a2["stops"]
        assert {"order": "T2", "action": "pickup"} not in a2["stops"]


def test_cli_solves_a_sample_with_summary_and_chart(tmp_path: Path) -> None:
    chart = tmp_path / "routes.png"
    out = tmp_path / "sol.json"
    result = CliRunner().invoke(cli, ["solve", str(SAMPLES / "assembly-hall.yaml"),
                                      "--time-limit", "2", "--gantt", str(chart),
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "late orders" in result.output and "empty travel" in result.output
    assert chart.read_bytes()[:4] == b"\x89PNG"
    doc = json.loads(out.read_text())
    assert doc["status"] == "feasible" and doc["check"]["feasible"]


def test_bad_pdptw_file_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdptw"
    bad.write_text("2 10 1\n0 0 0 0 0 100 0 0 0\n1 1 1 5 0 9 0 0 7\n")
    result = CliRunner().invoke(cli, ["solve", str(bad)])
    assert result.exit_code == 2
    assert "bad.pdptw" in result.output and "line 3" in result.output
    assert "Traceback" not in result.output


def test_weighted_routing_goes_on_from_the_better_start() -> None:
    """A costly vehicle: the dispatcher's start spreads the orders over both AGVs, OR-Tools'
    own first plan packs them onto one; routing goes on from that and is never above the
    plain model."""
    doc = plant_doc()
    doc.pop("chargers")
    for vehicle in doc["vehicles"]:
        vehicle.pop("battery", None)
    for k in range(2):
        doc["orders"] += [{**o, "id": f"{o['id']}-{k}"} for o in doc["orders"][:3]]
    for order in doc["orders"]:  # (the dispatcher gives up on orders it cannot reach)
        order.pop("pickup_window", None)
    doc["objective"] = {"vehicles": 1000, "distance": 1}
    routing = run(doc, "routing", time_limit=1, engine="ortools").document
    plain = run(doc, "routing-plain", time_limit=1).document
    assert routing["check"]["feasible"] and plain["check"]["feasible"]
    assert routing["stats"]["own_start_kept"] is True
    assert routing["stats"]["dispatch_start"] is False
    assert routing["objective"] <= plain["objective"] + 1e-6
