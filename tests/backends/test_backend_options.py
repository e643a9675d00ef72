"""Backends declare their --option keys; bad ones are refused before any solve."""

from __future__ import annotations

from pathlib import Path

import pytest

import optikit
from optikit.types import UsageError

ROOT = Path(__file__).resolve().parents[2]
BLEND = ROOT / "problems" / "blend" / "sinter_feed_lp.yaml"
SHOP = ROOT / "problems" / "fjsp" / "mixed_model_line.yaml"


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [("highs.presolv", "on", "HiGHS rejects option presolv"),
     ("highs.presolve", "maybe", "HiGHS rejects option presolve"),
     ("cbc.threads", 2, "unknown option 'cbc.threads'")],
)
def test_highs_options_are_checked_by_highs(key, value, words):
    with pytest.raises(UsageError, match=words):
        optikit.api.plan(BLEND, solver="highs", options={key: value})


def test_a_good_highs_option_reaches_the_solver():
    solution = optikit.solve(BLEND, solver="highs", options={"highs.presolve": "off"},
                             time_limit=20, threads=1)
    assert solution.status is optikit.Status.OPTIMAL
    assert solution.document["options"]["extra"] == {"highs.presolve": "off"}


def test_cpsat_parameters_are_checked_and_suggested():
    with pytest.raises(UsageError, match="unknown CP-SAT parameter 'linearisation_level'"):
        optikit.api.plan(SHOP, solver="cpsat", options={"cpsat.linearisation_level": 2})
    with pytest.raises(UsageError, match="expected an integer"):
        optikit.api.plan(SHOP, solver="cpsat", options={"cpsat.linearization_level": "high"})
    plan = optikit.api.plan(SHOP, solver="cpsat", options={"cpsat.linearization_level": "2"})
    assert plan.options.extra == {"cpsat.linearization_level": "2"}


def test_options_listing_names_backend_namespaces():
    from optikit.cli.options_cmd import options_report
    from optikit.plugins import get_registry

    registry = get_registry()
    report = options_report(registry, registry.problem_type("blend"), solver="highs")
    (highs,) = report["solvers"]
    assert highs["options"][0]["name"] == "highs.<name>"
