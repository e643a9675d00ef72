"""The ``pyvrp`` formulation: Li & Lim files and plants it can represent, refusals, stops."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from click.testing import CliRunner

from optikit.cli import cli
from optikit.plugins import get_registry
from optikit.runner import solve
from optikit.types import InvalidProblem, SolveOptions
from tests.intralogistics.conftest import DATA, load, plain_plant, run

pytest.importorskip("pyvrp")


def run_pyvrp(document: dict[str, Any], time_limit: float = 0.5,
              stop: threading.Event | None = None) -> dict[str, Any]:
    return solve(load(document), get_registry(), formulation="pyvrp", stop=stop,
                 options=SolveOptions(time_limit=time_limit, threads=1)).document


def test_tiny_pdptw_reaches_the_proven_optimum() -> None:
    from optikit_intralogistics.reader import read_pdptw

    doc = read_pdptw(DATA / "tiny.pdptw")
    out = run_pyvrp(doc)
    assert out["solver"] == "pyvrp" and out["status"] == "feasible"
    assert out["check"]["feasible"]
    assert out["analysis"]["vehicles"] == 1
    assert out["objective"] == pytest.approx(10 + 10 + 500**0.5 + 10 + 20)


def test_plant_with_layout_shifts_and_depots_is_checked() -> None:
    doc = plain_plant()
    out = run_pyvrp(doc)
    assert out["status"] == "feasible" and out["check"]["feasible"], out.get("message")
    assert out["objective"] == pytest.approx(out["check"]["objective"])
    served = {s["order"] for r in out["solution"]["routes"] for s in r["stops"]}
    assert served == {"T1", "T2", "T3"}


def test_given_travel_times() -> None:
    doc = plain_plant()
    del doc["layout"]
    for loc in doc["locations"]:
        del loc["node"]
    n = len(doc["locations"])
    doc["matrix"] = {"distance": [[abs(i - j) * 10 for j in range(n)] for i in range(n)],
                     "time": [[abs(i - j) * 7 + 3 * (i > j) for j in range(n)]
                              for i in range(n)]}
    out = run_pyvrp(doc)
    assert out["check"]["feasible"] and out["status"] == "feasible"


def _battery(doc: dict[str, Any]) -> None:
    doc["vehicles"][1]["battery"] = {"capacity": 500, "consumption": 1}


def _on_board(doc: dict[str, Any]) -> None:
    doc["vehicles"][1].update({"count": 1, "state": {"on_board": ["T2"]}})


def _lateness(doc: dict[str, Any]) -> None:
    doc["objective"]["lateness"] = 1


@pytest.mark.parametrize(("change", "field"), [
    (_battery, "vehicles[1].battery"),
    (_on_board, "vehicles[1].state.on_board"),
    (_lateness, "orders[0].due"),
])
def test_what_pyvrp_cannot_model_is_refused_by_field(change: Any, field: str) -> None:
    doc = plain_plant()
    change(doc)
    with pytest.raises(InvalidProblem) as err:
        run_pyvrp(doc)
    assert err.value.field == field


def test_cli_refusal_is_one_line_with_file_and_field(tmp_path: Any) -> None:
    import json

    doc = plain_plant()
    _battery(doc)
    path = tmp_path / "agv.json"
    path.write_text(json.dumps(doc))
    result = CliRunner().invoke(cli, ["solve", str(path), "--solver", "pyvrp"])
    assert result.exit_code == 2
    line = result.output.strip()
    assert "\n" not in line and "Traceback" not in line
    assert "agv.json: vehicles[1].battery:" in line


def test_missing_extra_names_it() -> None:
    from optikit_intralogistics.pyvrp_backend import probe_with

    def missing() -> None:
        raise ImportError("No module named 'pyvrp'")

    status = probe_with(missing)
    assert not status.available and "optikit[pyvrp]" in status.reason


def test_a_stop_keeps_the_best_plan() -> None:
    from optikit_intralogistics.reader import read_pdptw

    stop = threading.Event()
    timer = threading.Timer(0.3, stop.set)
    timer.start()
    try:
        out = run_pyvrp(read_pdptw(DATA / "tiny.pdptw"), time_limit=60, stop=stop)
    finally:
        timer.cancel()
    assert out["status"] == "feasible" and out["check"]["feasible"]
    assert out["stats"].get("stopped_by_user") == 1


def test_default_solver_is_still_ortools_routing() -> None:
    """Without --formulation the type picks ortools-routing (its ``routing`` formulation
    calls PyVRP itself where it may: tests/intralogistics/test_staged.py)."""
    out = run(plain_plant(), time_limit=1).document
    assert out["solver"] == "ortools-routing"


def test_fleet_reduction_keeps_the_whole_fleet_plan_when_one_less_fails() -> None:
    from optikit_intralogistics.reader import read_pdptw

    doc = read_pdptw(DATA / "tiny.pdptw")
    for order in doc["orders"]:  # both deliveries by 22 s: one vehicle cannot do both
        order["delivery_window"] = [0, 22]
    out = solve(load(doc), get_registry(), formulation="pyvrp",
                options=SolveOptions(time_limit=0.6, threads=1,
                                     extra={"fleet_share": 0.5})).document
    assert out["status"] == "feasible" and out["check"]["feasible"]
    assert out["analysis"]["vehicles"] == 2 and out["stats"]["fleet_reduced"] is False


def test_start_from_the_dispatchers_plan() -> None:
    out = solve(load(plain_plant()), get_registry(), formulation="pyvrp",
                options=SolveOptions(time_limit=0.5, threads=1,
                                     extra={"dispatch_orders": 1})).document
    assert out["status"] == "feasible" and out["check"]["feasible"], out.get("message")
