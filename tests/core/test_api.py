"""The public Python API: the same answers as the CLI, from paths, dicts or loaded problems."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import optikit
from optikit.types import InputError, Status, UsageError

from .conftest import TOY

ROOT = Path(__file__).resolve().parents[2]
BLEND = ROOT / "problems" / "blend" / "sinter_feed_lp.yaml"
VOLATILE = ("time_s", "stats")


def _stable(document: dict) -> dict:
    return {k: v for k, v in document.items() if k not in VOLATILE}


def test_solve_a_dict(toy_registry):
    solution = optikit.solve(dict(TOY), time_limit=5, registry=toy_registry)
    assert solution.status is Status.OPTIMAL
    assert solution.objective == 11 and solution.bound == 11 and solution.gap == 0.0
    assert solution.solution is not None
    assert sorted(solution.solution["picked"]) == ["a", "b"]
    assert solution.exit_code == 0 and not solution.interrupted
    assert json.loads(solution.to_json()) == solution.document


def test_load_then_solve_and_check(toy_registry):
    loaded = optikit.load(dict(TOY), registry=toy_registry)
    assert optikit.load(loaded, registry=toy_registry) is loaded
    solution = optikit.solve(loaded, registry=toy_registry)
    report = optikit.check(loaded, solution.document, registry=toy_registry)
    assert report.ok and report.objective == 11
    bad = dict(solution.document, solution={"picked": ["a", "b", "c"]})
    report = optikit.check(loaded, bad, registry=toy_registry)
    assert not report.ok
    assert {v.constraint for v in report.violations} >= {"capacity"}


def test_options_are_validated_and_passed(toy_registry):
    with pytest.raises(UsageError, match="unknown option 'nope'"):
        optikit.solve(dict(TOY), options={"nope": 1}, registry=toy_registry)
    solution = optikit.solve(dict(TOY), options={"claim": "optimal"}, registry=toy_registry)
    assert solution.status is Status.FEASIBLE  # the loose bound does not prove optimality
    assert solution.document["options"]["extra"] == {"claim": "optimal"}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"time_limit": float("nan")}, "time_limit"), ({"time_limit": float("inf")}, "time_limit"),
     ({"time_limit": 0}, "time_limit"), ({"time_limit": "5"}, "time_limit"),
     ({"gap": float("nan")}, "gap"), ({"gap": -1}, "gap"), ({"seed": 2**64}, "seed"),
     ({"seed": -1}, "seed"), ({"threads": 0}, "threads"), ({"threads": True}, "threads"),
     ({"options": ["a=1"]}, "options")],
)
def test_bad_arguments_raise_one_documented_error(toy_registry, kwargs, field):
    with pytest.raises(InputError) as info:
        optikit.solve(dict(TOY), registry=toy_registry, **kwargs)
    assert info.value.field == field


def test_invalid_documents_raise_input_error_with_field(toy_registry):
    doc = dict(TOY, items=[{"id": "a", "value": -1, "weight": 1}])
    with pytest.raises(InputError) as info:
        optikit.solve(doc, registry=toy_registry)
    assert info.value.field == "items[0].value"
    assert "must be >= 0" in info.value.message
    with pytest.raises(InputError) as info:
        optikit.load(42, registry=toy_registry)
    assert info.value.field == "problem"


def test_stop_keeps_the_best_answer_and_says_interrupted(toy_registry):
    stop = threading.Event()
    stop.set()
    solution = optikit.solve(dict(TOY), options={"sleep": 5}, stop=stop, registry=toy_registry)
    assert solution.interrupted and solution.document["interrupted"] is True
    assert solution.status is Status.FEASIBLE


def test_progress_callback_sees_incumbents(toy_registry):
    seen: list[float | None] = []
    optikit.solve(dict(TOY), registry=toy_registry,
                  on_progress=lambda e: seen.append(e.objective))
    assert 11 in seen


def test_listings(toy_registry):
    assert list(optikit.problem_types(registry=toy_registry)) == ["toy-knapsack"]
    (brute,) = optikit.solvers(registry=toy_registry)
    assert brute.name == "brute" and brute.available and brute.paradigms == ("enumerate",)


def test_notebook_dict_gives_the_cli_document(tmp_path):
    """A problem given as a Python dict gets the document the CLI writes for the file."""
    import yaml

    document = yaml.safe_load(BLEND.read_text())
    document.setdefault("name", BLEND.stem)
    solution = optikit.solve(document, solver="highs", time_limit=30, threads=1)
    out = tmp_path / "cli.json"
    subprocess.run(
        [sys.executable, "-m", "optikit", "solve", str(BLEND), "--solver", "highs",
         "--time-limit", "30", "--threads", "1", "-q", "-o", str(out)],
        check=True, cwd=ROOT,
    )
    cli_document = json.loads(out.read_text())
    assert _stable(solution.document) == _stable(cli_document)
