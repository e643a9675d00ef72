"""Invalid documents are refused with the field path a user can act on."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from optikit.problem_io import ProblemFileError, load_document
from tests.energy.conftest import TOY_FULL, read

Mutation = Callable[[dict[str, Any]], None]


def _error(registry: Any, mutate: Mutation) -> ProblemFileError:
    document = read(TOY_FULL)
    mutate(document)
    with pytest.raises(ProblemFileError) as info:
        load_document(copy.deepcopy(document), registry, source="toy")
    return info.value


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (lambda d: d["tariff"][1].update(start=9), "tariff[1].start", "gap"),
        (lambda d: d["tariff"][1].update(start=7), "tariff[1].start", "overlaps tariff[0]"),
        (lambda d: d["tariff"][5].update(end=23), "tariff[5].end", "not covered"),
        (lambda d: d["tariff"][5].update(end=25), "tariff[5].end", "beyond the horizon"),
        (lambda d: d["tariff"][2].update(end=11), "tariff[2].end", "greater than start"),
        (lambda d: d["tariff"][0].update(price=-1), "tariff[0].price", ">= 0"),
        (lambda d: d["tariff"].pop(0), "tariff[0].start", "gap"),
    ],
    ids=["gap", "overlap", "short", "beyond-horizon", "empty-period", "negative-price",
         "missing-first"],
)
def test_tariff_must_tile_the_horizon(registry, mutate, field, words) -> None:
    error = _error(registry, mutate)
    assert error.field == field
    assert words in error.message


def test_tariff_periods_may_be_listed_in_any_order(registry) -> None:
    document = read(TOY_FULL)
    document["tariff"].reverse()
    loaded = load_document(document, registry, source="toy")
    assert [p.start for p in loaded.problem.tariff] == [0, 8, 11, 13, 17, 20]


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (lambda d: d["jobs"][0]["operations"][0]["modes"][0].update(power=5),
         "jobs[0].operations[0].modes[0].power", "below the idle power"),
        (lambda d: d["jobs"][2]["operations"][0]["modes"][1].pop("power"),
         "jobs[2].operations[0].modes[1].power", "required"),
        (lambda d: d["machines"][0].update(idle_powr=3), "machines[0].idle_powr", "unknown"),
        (lambda d: d["machines"][1].update(startup_energy=-2), "machines[1].startup_energy",
         ">= 0"),
        (lambda d: d.update(objective={"energy_cost": 0}), "objective", "at least one"),
        (lambda d: d.update(horizon=0), "horizon", ">= 1"),
        (lambda d: d.pop("tariff"), "tariff", "required"),
        (lambda d: d["jobs"][3]["operations"][0]["modes"][0].update(machine="M9"),
         "jobs[3].operations[0].modes[0].machine", "unknown machine"),
    ],
    ids=["power-below-idle", "power-missing", "misspelt-key", "negative-startup",
         "zero-weights", "horizon", "no-tariff", "unknown-machine"],
)
def test_other_errors_name_the_field(registry, mutate, field, words) -> None:
    error = _error(registry, mutate)
    assert error.field == field
    assert words in error.message


def test_defaults(registry) -> None:
    document = read(TOY_FULL)
    del document["objective"]
    del document["time_step"]
    document["tariff"][0].pop("carbon")
    problem = load_document(document, registry, source="toy").problem
    assert problem.weights.as_dict() == {"energy_cost": 1.0}
    assert problem.time_step == 1
    assert problem.tariff[0].carbon == 0.0
    assert problem.startup_energy == (30.0, 30.0)
