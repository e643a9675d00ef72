"""Batching machines: validation, the independent batch checks, main and plain agree."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner

from optikit.cli import cli
from optikit.problem_io import ProblemFileError
from optikit.registry import Registry
from tests.fjsp.conftest import load, run


def oven_shop() -> dict[str, Any]:
    """A saw, then a furnace taking 3 units per charge (families by product), then a bench.

    J1 (A): CUT 2, OVEN 5 (size 1), DEB 1.   J2 (A): CUT 1, OVEN 4 (size 2).
    J3 (B): CUT 2, OVEN 3.                   J4 (A): CUT 1, OVEN 4, due 6, weight 2.
    """
    def job(jid: str, product: str, cut: int, oven: int, **extra: Any) -> dict[str, Any]:
        ops: list[dict[str, Any]] = [
            {"modes": [{"machine": "CUT", "duration": cut}]},
            {"modes": [{"machine": "OVEN", "duration": oven}], **extra},
        ]
        return {"id": jid, "product": product, "operations": ops}

    jobs = [job("J1", "A", 2, 5), job("J2", "A", 1, 4, size=2), job("J3", "B", 2, 3),
            job("J4", "A", 1, 4)]
    jobs[0]["operations"].append({"modes": [{"machine": "DEB", "duration": 1}]})
    jobs[3].update(due=6, weight=2)
    return {
        "type": "fjsp",
        "name": "oven",
        "machines": [{"id": "CUT"}, {"id": "OVEN", "batch": {"capacity": 3}}, {"id": "DEB"}],
        "jobs": jobs,
        "objective": {"makespan": 1, "total_weighted_tardiness": 1},
    }


def schedule() -> dict[str, Any]:
    """A feasible plan, by hand: CUT J2 J4 J1 J3; OVEN (J2, J4) [2,6], (J1) [6,11], (J3) [11,14]."""
    def op(job: str, o: int, machine: str, start: int, end: int, batch: str | None = None
           ) -> dict[str, Any]:
        entry: dict[str, Any] = {"job": job, "operation": o, "mode": 0, "machine": machine,
                                 "start": start, "end": end}
        if batch is not None:
            entry["batch"] = batch
        return entry

    return {"operations": [
        op("J2", 0, "CUT", 0, 1), op("J4", 0, "CUT", 1, 2), op("J1", 0, "CUT", 2, 4),
        op("J3", 0, "CUT", 4, 6),
        op("J2", 1, "OVEN", 2, 6, "OVEN-1"), op("J4", 1, "OVEN", 2, 6, "OVEN-1"),
        op("J1", 1, "OVEN", 6, 11, "OVEN-2"), op("J3", 1, "OVEN", 11, 14, "OVEN-3"),
        op("J1", 2, "DEB", 11, 12),
    ]}


def check(registry: Registry, payload: dict[str, Any]) -> list[str]:
    loaded = load(registry, oven_shop())
    report = loaded.ptype.check(loaded.problem, {"solution": payload})
    return [f"{v.constraint}: {v.message}" for v in report.violations]


def edit(payload: dict[str, Any], job: str, o: int, **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(payload)
    for e in out["operations"]:
        if e["job"] == job and e["operation"] == o:
            e.update(changes)
    return out


def test_hand_schedule_passes(registry: Registry) -> None:
    assert check(registry, schedule()) == []


@pytest.mark.parametrize(("label", "change", "expect"), [
    ("mixed families", lambda p: edit(p, "J3", 1, start=2, end=6, batch="OVEN-1"), "mixes"),
    ("over capacity", lambda p: edit(p, "J1", 1, start=2, end=6, batch="OVEN-1"), "capacity"),
    ("unsynchronised", lambda p: edit(p, "J4", 1, start=3, end=7), "together"),
    ("short batch", lambda p: edit(edit(p, "J1", 1, start=6, end=10), "J3", 1, start=10,
                                   end=13), "the batch lasts 5"),
    ("overlapping batches", lambda p: edit(p, "J3", 1, start=9, end=12), "before batch"),
    ("no batch id", lambda p: edit(p, "J3", 1, batch=None), "without a batch id"),
    ("batch id off a batch machine", lambda p: edit(p, "J1", 2, batch="X"), "not a batch"),
])
def test_checker_rejects(
    label: str, change: Callable[[dict[str, Any]], dict[str, Any]], expect: str,
    registry: Registry,
) -> None:
    found = check(registry, change(schedule()))
    assert any(expect in v for v in found), found


def test_main_and_plain_agree_on_the_optimum(registry: Registry) -> None:
    main = run(registry, oven_shop(), time_limit=10.0).document
    plain = run(registry, oven_shop(), formulation="cpsat-plain", time_limit=10.0).document
    for doc in (main, plain):
        assert doc["status"] == "optimal" and doc["check"]["feasible"], doc.get("message")
        assert all("batch" in e for e in doc["solution"]["operations"] if e["machine"] == "OVEN")
    assert main["objective"] == plain["objective"]
    # J2 and J4 share a charge (size 2 + 1 = 3): better than the hand plan's 14 + 2 x 0.
    assert main["objective"] <= 14
    figures = main["check"]["figures"]["batches"]["OVEN"]
    assert figures["operations"] == 4 and 0 < figures["fill"] <= 1


def _bad(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    doc = oven_shop()
    change(doc)
    return doc


@pytest.mark.parametrize(("change", "field"), [
    (lambda d: d["machines"][1].update(batch={"capacity": 0}), "machines[1].batch.capacity"),
    (lambda d: d["machines"][1].update(batch={"size": 3}), "machines[1].batch"),
    (lambda d: d["jobs"][1]["operations"][1].update(size=4), "jobs[1].operations[1].size"),
    (lambda d: d.update(setups={"OVEN": {"A": {"B": 2}}}), "setups.OVEN"),
])
def test_bad_batch_input_names_the_field(
    change: Callable[[dict[str, Any]], None], field: str, registry: Registry
) -> None:
    with pytest.raises(ProblemFileError) as caught:
        load(registry, _bad(change))
    assert caught.value.field.startswith(field), (caught.value.field, caught.value.message)


def test_milp_refuses_batches_in_one_line(tmp_path: Any) -> None:
    import json

    path = tmp_path / "oven.json"
    path.write_text(json.dumps(oven_shop()))
    result = CliRunner().invoke(cli, ["solve", str(path), "--formulation", "milp",
                                      "--solver", "highs", "--time-limit", "5"])
    assert result.exit_code == 2, result.output
    assert "batch" in result.output and "Traceback" not in result.output
