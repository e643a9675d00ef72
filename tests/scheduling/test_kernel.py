"""The scheduling kernel on its own: model, payload, common checks and schema fragments."""

from __future__ import annotations

import copy
import subprocess
import sys
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from optikit import scheduling
from optikit.scheduling import ScheduledOperation as S
from optikit.scheduling import schema as shop_schema
from optikit.types import InvalidProblem

# Two machines, a red and a blue job; red -> blue on M1 needs 2 time units of setup.
SHOP: dict[str, Any] = {
    "machines": [{"id": "M1"}, {"id": "M2", "extra": "kept in raw"}],
    "jobs": [
        {"id": "red", "product": "r", "due": 5, "weight": 2,
         "operations": [{"modes": [{"machine": "M1", "duration": 3}]},
                        {"modes": [{"machine": "M2", "duration": 2},
                                   {"machine": "M1", "duration": 1}]}]},
        {"id": "blue", "product": "b", "release": 1,
         "operations": [{"modes": [{"machine": "M1", "duration": 2}]}]},
    ],
    "setups": {"M1": {"r": {"b": 2}}},
}


@pytest.fixture
def shop() -> scheduling.Shop:
    return scheduling.parse_shop(copy.deepcopy(SHOP))


def test_parse_keeps_indices_raw_fields_and_setups(shop: scheduling.Shop) -> None:
    assert [m.id for m in shop.machines] == ["M1", "M2"]
    assert shop.machines[1].raw["extra"] == "kept in raw"
    red, blue = shop.jobs
    assert red.operations[1].modes[1] == scheduling.Mode(0, 1)
    assert red.operations[1].min_duration == 1
    assert (red.due, red.weight, blue.release) == (5, 2.0, 1)
    assert shop.num_operations == 3
    assert shop.setup_time(0, 0, 1) == 2  # red then blue on M1
    assert shop.setup_time(0, 1, 0) == 0  # no entry: no setup
    assert shop.has_setups
    # release 1 + longest modes 3 + 2 + 2 + the largest setup per operation + 1
    assert shop.horizon() == 1 + 7 + 2 * 3 + 1


@pytest.mark.parametrize("change, field", [
    (lambda d: d["machines"].append({"id": "M1"}), "machines[2].id"),
    (lambda d: d["jobs"][1].update(id="red"), "jobs[1].id"),
    (lambda d: d["jobs"][0]["operations"][0]["modes"][0].update(machine="M9"),
     "jobs[0].operations[0].modes[0].machine"),
    (lambda d: d["jobs"][0]["operations"][0]["modes"][0].update(duration=1.5),
     "jobs[0].operations[0].modes[0].duration"),
    (lambda d: d["setups"].update(M1={"green": {"b": 1}}), "setups.M1.green"),
    (lambda d: d["jobs"][0].update(weight=-1), "jobs[0].weight"),
])
def test_parse_reports_the_broken_field(change: Any, field: str) -> None:
    document = copy.deepcopy(SHOP)
    change(document)
    with pytest.raises(InvalidProblem) as err:
        scheduling.parse_shop(document)
    assert err.value.field == field


def test_payload_round_trip_and_sorting(shop: scheduling.Shop) -> None:
    schedule = [S(1, 0, 0, 0, 5, 7), S(0, 0, 0, 0, 0, 3), S(0, 1, 0, 1, 3, 5)]
    payload = scheduling.schedule_to_payload(shop, schedule)
    assert [(e["job"], e["operation"], e["start"]) for e in payload["operations"]] == [
        ("red", 0, 0), ("red", 1, 3), ("blue", 0, 5)]
    back, violations = scheduling.schedule_from_payload(shop, payload)
    assert violations == []
    assert sorted(back, key=lambda s: (s.job, s.operation)) == sorted(
        schedule, key=lambda s: (s.job, s.operation))
    assert scheduling.check_schedule(shop, back) == []
    assert scheduling.makespan(back) == 7
    assert scheduling.completion_times(shop, back) == [5, 7]
    assert scheduling.weighted_tardiness(shop, back) == 0.0


def test_payload_reader_reports_wrong_machine_duration_and_missing(
    shop: scheduling.Shop,
) -> None:
    payload = {"operations": [
        {"job": "red", "operation": 0, "mode": 0, "machine": "M2", "start": 0, "end": 4},
        {"job": "red", "operation": 1, "mode": 5, "machine": "M2", "start": 4, "end": 6},
    ]}
    _, violations = scheduling.schedule_from_payload(shop, payload)
    kinds = sorted(v.constraint for v in violations)
    assert kinds == ["duration", "eligibility", "eligibility", "payload", "payload"]
    assert any("blue op 0 is not scheduled" in v.message for v in violations)


def test_job_checks_release_precedence_and_time(shop: scheduling.Shop) -> None:
    schedule = [S(0, 0, 0, 0, -1, 2), S(0, 1, 0, 1, 1, 3), S(1, 0, 0, 0, 0, 2)]
    found = {(v.constraint, v.amount) for v in scheduling.check_job_times(shop, schedule)}
    assert found == {("time", None), ("precedence", 1.0), ("release", 1.0)}


def test_machine_checks_overlap_then_setup(shop: scheduling.Shop) -> None:
    overlap = [S(0, 0, 0, 0, 0, 3), S(1, 0, 0, 0, 2, 4)]
    (v,) = scheduling.check_machines(shop, overlap)
    assert (v.constraint, v.amount) == ("capacity", 3.0)  # needs start >= 3 + setup 2
    short_setup = [S(0, 0, 0, 0, 0, 3), S(1, 0, 0, 0, 4, 6)]
    (v,) = scheduling.check_machines(shop, short_setup)
    assert (v.constraint, v.amount) == ("setup", 1.0)
    reverse = [S(1, 0, 0, 0, 1, 3), S(0, 0, 0, 0, 3, 6)]  # blue -> red: no setup
    assert scheduling.check_machines(shop, reverse) == []


def test_weighted_tardiness_uses_due_and_weight(shop: scheduling.Shop) -> None:
    late = [S(0, 0, 0, 0, 0, 3), S(0, 1, 0, 1, 5, 7), S(1, 0, 0, 0, 5, 7)]
    assert scheduling.weighted_tardiness(shop, late) == 2 * (7 - 5)


def test_subclasses_add_typed_fields_and_keep_the_kernel_working() -> None:
    from dataclasses import dataclass

    @dataclass(frozen=True, kw_only=True)
    class CostedMachine(scheduling.Machine):
        cost: float

    machines = [CostedMachine(id="A", cost=3.0)]
    jobs = [scheduling.Job("J", (scheduling.Operation(0, 0, (scheduling.Mode(0, 2),)),))]
    rows = scheduling.operations_payload(jobs, machines, [S(0, 0, 0, 0, 1, 3)])
    assert rows == [{"job": "J", "operation": 0, "mode": 0, "machine": "A",
                     "start": 1, "end": 3}]


def test_schema_fragments_compose_and_reject_unknown_keys() -> None:
    mode = shop_schema.mode(extra={"power": shop_schema.NONNEG}, required=["power"])
    document_schema = {
        "type": "object",
        "properties": {
            "machines": {"type": "array", "items": shop_schema.machine()},
            "jobs": {"type": "array", "items": shop_schema.job(shop_schema.operation(mode))},
            "setups": shop_schema.setups(),
        },
    }
    validator = Draft202012Validator(document_schema)
    good = {"machines": [{"id": "M"}], "setups": {"M": {"a": {"b": 1}}},
            "jobs": [{"id": 1, "operations": [{"modes": [
                {"machine": "M", "duration": 2, "power": 5}]}]}]}
    assert list(validator.iter_errors(good)) == []
    for bad in ({"machines": [{"id": "M", "speed": 2}]},
                {"jobs": [{"id": "J", "releas": 3, "operations": [{"modes": [
                    {"machine": "M", "duration": 1, "power": 1}]}]}]},
                {"jobs": [{"id": "J", "operations": [{"modes": [
                    {"machine": "M", "duration": 1}]}]}]},
                {"setups": {"M": {"a": {"b": -1}}}}):
        assert list(validator.iter_errors(bad)), bad


def test_fragments_are_fresh_copies() -> None:
    one = shop_schema.mode()
    one["properties"]["duration"]["maximum"] = 10
    assert "maximum" not in shop_schema.mode()["properties"]["duration"]
    assert "maximum" not in shop_schema.NONNEG_INT


def test_importing_the_kernel_loads_no_solver() -> None:
    code = ("import sys, optikit.scheduling\n"
            "print([m for m in ('ortools', 'pulp', 'highspy') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_no_plugin_imports_another_plugins_modules() -> None:
    import ast
    from pathlib import Path

    plugins = Path(__file__).resolve().parents[2] / "plugins"
    names = {p.name for p in plugins.iterdir() if p.is_dir() and p.name.startswith("optikit_")}
    # Backends are shared on purpose through their public helpers; problem types are not.
    problem_types = {"optikit_blend", "optikit_fjsp", "optikit_energy", "optikit_maintenance"}
    for package in sorted(problem_types & names):
        for path in (plugins / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                module = node.module if isinstance(node, ast.ImportFrom) else None
                targets = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                for name in [module or "", *targets]:
                    top = name.split(".")[0]
                    assert top not in problem_types - {package}, f"{path} imports {name}"
