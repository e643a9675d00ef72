"""Every shipped sample reaches its published (or recorded) optimum, on several backends."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from optikit.problem_io import load_problem
from optikit.registry import Registry
from optikit.runner import SolveResult
from tests.blend.conftest import SAMPLES

# file -> (optimum, source of the figure)
EXPECTED = {
    "sinter_feed_lp.yaml": 432.588579,  # domain notes 1.6, scipy/HiGHS = PuLP/CBC
    "sinter_feed_max3_ores.yaml": 433.587804,  # 63-subset enumeration
    "sinter_feed_exactly3_ores.yaml": 436.278716,  # 35-subset enumeration
    "whiskas_full.yaml": 0.52,  # PuLP case study
    "whiskas_simplified.yaml": 29 / 30,  # continuous form of PuLP's simplified model
    "dantzig_alloy.yaml": 4.98,  # GAMS BLEND (Dantzig 1963)
    "westerberg_steel.yaml": 8495.0,  # Westerberg et al. 1977 / MathWorks data
    "blast_furnace_burden.yaml": 150036.413468,  # design-choice instance, recorded here
}
# Samples that are infeasible on purpose (they show the diagnosis; exit code 3).
INFEASIBLE = {"sinter_feed_raw_basis_infeasible.yaml"}  # domain notes 1.7
# The published sinter optima are given to 6 decimals; the others are exact.
REL = 1e-6
OTHER_SOLVERS = ("cbc", "pulp-highs", "scip", "ortools-highs", "glop")


def test_every_sample_has_an_expected_optimum() -> None:
    shipped = {p.name for p in SAMPLES.glob("*.yaml")}
    assert shipped == set(EXPECTED) | INFEASIBLE


def test_the_problem_type_lists_its_samples(registry: Registry) -> None:
    samples = {Path(p).name for p in registry.problem_types["blend"].samples}
    assert samples == set(EXPECTED) | INFEASIBLE


@pytest.mark.parametrize("name", sorted(INFEASIBLE))
def test_infeasible_samples_are_infeasible(name: str, run: Callable[..., SolveResult]) -> None:
    result = run(SAMPLES / name, solver=None)
    assert result.document["status"] == "infeasible"
    assert result.exit_code == 3
    assert result.document["analysis"]["diagnosis"]["conflicts"]


def _assert_optimum(result: SolveResult, expected: float) -> None:
    doc = result.document
    assert doc["status"] == "optimal", doc.get("message")
    assert doc["check"]["feasible"]
    assert doc["objective"] == pytest.approx(expected, rel=REL)
    assert result.exit_code == 0


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_default_solver_reaches_the_optimum(name: str, run: Callable[..., SolveResult]) -> None:
    result = run(SAMPLES / name, solver=None)
    assert result.document["solver"] == "highs"
    _assert_optimum(result, EXPECTED[name])


@pytest.mark.parametrize("solver", OTHER_SOLVERS)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_other_backends_agree(
    name: str, solver: str, run: Callable[..., SolveResult], registry: Registry
) -> None:
    backend = registry.backends.get(solver)
    if backend is None:
        pytest.skip(f"backend {solver!r} is not registered (yet)")
    if not backend.availability().available:
        pytest.skip(f"backend {solver!r} is unavailable: {backend.availability().reason}")
    needs_integer = load_problem(SAMPLES / name, registry).problem.needs_integer
    if needs_integer and not backend.supports_integer:
        pytest.skip(f"{solver} is LP-only and {name} is a MILP")
    _assert_optimum(run(SAMPLES / name, solver=solver), EXPECTED[name])


def test_sinter_lp_binds_the_published_constraints(run: Callable[..., SolveResult]) -> None:
    """Domain notes 1.6: TFe = 56, SiO2 = 5.3, Al2O3 = 2.1, MgO = 1.8, main share = 0.50."""
    doc = run(SAMPLES / "sinter_feed_lp.yaml").document
    binding = {(b["kind"], b["name"], b["side"]) for b in doc["analysis"]["binding"]}
    assert {
        ("spec", "TFe", "min"),
        ("spec", "SiO2", "max"),
        ("spec", "Al2O3", "max"),
        ("spec", "MgO", "max"),
        ("group", "main_ores", "min"),
    } <= binding
    composition = doc["solution"]["composition"]
    assert composition["TFe"] == pytest.approx(56.0)
    assert composition["SiO2"] == pytest.approx(5.3)


def test_exactly_three_ores_uses_the_published_mix(run: Callable[..., SolveResult]) -> None:
    """The exactly-3 optimum is unique: PB, NEWMAN, ROYHILL with PB and ROYHILL at the lot."""
    doc = run(SAMPLES / "sinter_feed_exactly3_ores.yaml").document
    amounts = doc["solution"]["amounts"]
    ores = {"PB", "MAC", "NEWMAN", "ROYHILL", "UKR", "MAUR", "INDIA"}
    assert {m for m in amounts if m in ores} == {"PB", "NEWMAN", "ROYHILL"}
    assert amounts["PB"] == pytest.approx(0.05)
    assert amounts["ROYHILL"] == pytest.approx(0.05)
    assert amounts["NEWMAN"] == pytest.approx(0.378494, abs=1e-6)
    assert doc["analysis"]["duals_from"] == "LP with the material selection fixed"
    lots = {b["name"] for b in doc["analysis"]["binding"] if b["kind"] == "lot"}
    assert lots == {"PB", "ROYHILL"}


def test_westerberg_buys_whole_ingots(run: Callable[..., SolveResult]) -> None:
    amounts = run(SAMPLES / "westerberg_steel.yaml").document["solution"]["amounts"]
    assert amounts["INGOT1"] == pytest.approx(5.0)
    assert amounts["INGOT2"] == pytest.approx(3.0)
    assert "INGOT3" not in amounts
    assert amounts["INGOT4"] == pytest.approx(6.0)
    assert amounts["SCRAP"] == pytest.approx(3.5)
