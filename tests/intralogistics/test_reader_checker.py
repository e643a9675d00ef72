"""The .pdptw reader and the independent checker, on hand-computed cases."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest
from optikit_intralogistics.checker import check
from optikit_intralogistics.model import parse
from optikit_intralogistics.reader import read_pdptw

from optikit.types import InvalidProblem
from tests.intralogistics.conftest import DATA, plant_doc

BEST = 10 + 10 + math.hypot(10, 20) + 10 + 20  # route 3 4 1 2 of tiny.pdptw


def tiny() -> dict:
    return read_pdptw(DATA / "tiny.pdptw")


def test_reader_builds_the_lexicographic_document() -> None:
    doc = tiny()
    assert doc["objective"] == {"lexicographic": True}
    assert [o["id"] for o in doc["orders"]] == [1, 3]
    assert doc["orders"][1]["delivery_window"] == [0, 30]
    assert doc["vehicles"][0]["count"] == 2 and doc["vehicles"][0]["shift"] == [0, 100]


def test_checker_recomputes_distance_and_vehicles() -> None:
    plant = parse(tiny())
    report = check(plant, {"routes": [{"vehicle": "V1", "stops": [3, 4, 1, 2]}]})
    assert report.feasible, report.violations
    assert report.objective == pytest.approx(BEST)
    assert report.figures["vehicles"] == 1
    two = check(plant, {"routes": [{"vehicle": "V1", "stops": [1, 2]},
                                   {"vehicle": "V2", "stops": [3, 4]}]})
    assert two.feasible and two.figures["vehicles"] == 2 and two.objective == pytest.approx(80)


@pytest.mark.parametrize(("stops", "rule"), [
    ([1, 2, 3, 4], "time window"),  # location 4 reached after 30
    ([2, 1, 3, 4], "precedence"),
    ([3, 4, 1], "orders"),
    ([3, 4, 1, 2, 2], "delivery"),
    ([3, 4, 1, 2, 9], "stops"),
])
def test_checker_rejects(stops: list[int], rule: str) -> None:
    report = check(parse(tiny()), {"routes": [{"vehicle": "V1", "stops": stops}]})
    assert rule in {v.constraint for v in report.violations}


def test_checker_rejects_capacity_and_shift() -> None:
    doc = tiny()
    doc["vehicles"][0]["capacity"] = 5
    report = check(parse(doc), {"routes": [{"vehicle": "V1", "stops": [3, 1, 4, 2]}]})
    assert "capacity" in {v.constraint for v in report.violations}
    doc = tiny()
    doc["vehicles"][0]["shift"] = [0, 70]
    report = check(parse(doc), {"routes": [{"vehicle": "V1", "stops": [3, 4, 1, 2]}]})
    assert {v.constraint for v in report.violations} == {"shift"}


def test_plant_checker_battery_lateness_and_layout() -> None:
    plant = parse(plant_doc())
    # A1 (1 m/s, 80 of 100 energy): WH -> S2 is 10 m + 10 m at 0.5 m/s = 30 s, 20 m.
    t1 = [{"order": "T1", "action": "pickup"}, {"order": "T1", "action": "delivery"}]
    rest = [{"order": "T2", "action": "pickup"}, {"order": "T2", "action": "delivery"},
            {"order": "T3", "action": "pickup"}, {"order": "T3", "action": "delivery"}]
    report = check(plant, {"routes": [{"vehicle": "A1", "stops": t1},
                                      {"vehicle": "A2", "stops": rest}]})
    assert report.feasible, report.violations
    # A1: WH->S2 20 m and back the same way; A2: WH->S1 10, S1->c->d 20, d->a 30.
    assert report.figures["distance"] == pytest.approx(40 + 60)
    assert report.figures["lateness"] == 0
    # Everything on A1 drives 20 + 10 + 20 + 30 = 80 m: more than the 70 it has left.
    plant = parse({**plant_doc(), "chargers": [{"location": "WH", "rate": 5}], "vehicles": [
        {"id": "A1", "start": "WH", "capacity": 2,
         "battery": {"capacity": 100, "consumption": 1, "level": 70}}]})
    one = [*t1, *rest]
    report = check(plant, {"routes": [{"vehicle": "A1", "stops": one}]})
    assert "battery" in {v.constraint for v in report.violations}
    charged = [*t1, {"charge": "WH"}, *rest]  # 20 + 20 m, charge 70 in 14 s, 60 m
    report = check(plant, {"routes": [{"vehicle": "A1", "stops": charged}]})
    assert report.feasible, report.violations
    assert report.figures["charges"] == 1


def test_lateness_is_weighted_by_priority() -> None:
    doc = plant_doc()
    doc["orders"][0]["due"] = 10  # T1 reaches S2 at 30 s with A1
    plant = parse(doc)
    stops = [{"order": "T1", "action": "pickup"}, {"order": "T1", "action": "delivery"}]
    rest = [{"order": o, "action": a} for o in ("T2", "T3") for a in ("pickup", "delivery")]
    report = check(plant, {"routes": [{"vehicle": "A1", "stops": stops},
                                      {"vehicle": "A2", "stops": rest}]})
    assert report.feasible
    assert report.figures["lateness"] == pytest.approx(20)
    # 2 vehicles x 10 + 100 m + 20 s late + 0.5 x priority 2 x 20 s
    assert report.objective == pytest.approx(20 + 100 + 20 + 20)


def test_orders_on_board_must_be_delivered_by_their_vehicle() -> None:
    doc = plant_doc()
    doc["vehicles"][1]["state"] = {"available_at": 50, "on_board": ["T2"]}
    plant = parse(doc)
    rest = [{"order": "T1", "action": "pickup"}, {"order": "T1", "action": "delivery"},
            {"order": "T3", "action": "pickup"}, {"order": "T3", "action": "delivery"}]
    report = check(plant, {"routes": [{"vehicle": "A1", "stops": rest},
                                      {"vehicle": "A2", "stops": [
                                          {"order": "T2", "action": "delivery"}]}]})
    assert report.feasible, report.violations
    wrong = [*copy.deepcopy(rest), {"order": "T2", "action": "delivery"}]
    report = check(plant, {"routes": [{"vehicle": "A1", "stops": wrong}]})
    assert {"precedence", "delivery"} <= {v.constraint for v in report.violations}


def test_reader_accepts_a_final_minus_one_sentinel(tmp_path: Path) -> None:
    """Published copies of the 200-customer set end with a "-1" line; only the last line may."""
    text = (DATA / "tiny.pdptw").read_text()
    path = tmp_path / "sentinel.pdptw"
    path.write_text(text.rstrip("\r\n") + "\r\n-1\r\n")
    assert read_pdptw(path)["orders"] == tiny()["orders"]
    lines = text.splitlines()
    path.write_text("\n".join([lines[0], "-1", *lines[1:]]) + "\n")
    with pytest.raises(InvalidProblem) as err:
        read_pdptw(path)
    assert err.value.field == "line 2"


@pytest.mark.parametrize(("text", "field"), [
    ("2 10 1\n0 0 0 0 0 100 0 0 0\n1 1 1 5 0 9 0 0 7\n", "line 3"),
    ("2 10\n", "line 1"),
    ("2 10 1\n1 1 1 5 0 9 0 0 2\n2 1 1 -5 0 9 0 1 0\n", "line 2"),
    ("2 10 1\n0 0 0 0 0 100 0 0 0\n1 1 x 5 0 9 0 0 2\n", "line 3"),
])
def test_reader_errors_name_the_line(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "bad.pdptw"
    path.write_text(text)
    with pytest.raises(InvalidProblem) as err:
        read_pdptw(path)
    assert err.value.field == field


@pytest.mark.parametrize(("change", "field"), [
    (lambda d: d["orders"][0].update(pickup="nowhere"), "orders[0].pickup"),
    (lambda d: d["vehicles"][0].update(start="X"), "vehicles[0].start"),
    (lambda d: d["layout"]["edges"][0].update(to="zz"), "layout.edges[0].to"),
    (lambda d: d["orders"][1].update(pickup_window=[9, 1]), "orders[1].pickup_window"),
    (lambda d: d["vehicles"][0].update(state={"on_board": ["T9"]}),
     "vehicles[0].state.on_board[0]"),
    (lambda d: d["layout"]["edges"].pop(), "locations[0]"),
])
def test_parse_errors_name_the_field(change, field: str) -> None:
    doc = plant_doc()
    change(doc)
    with pytest.raises(InvalidProblem) as err:
        parse(doc)
    assert err.value.field == field
